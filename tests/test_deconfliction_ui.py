"""Deconfliction in the app (AppTest): identifiers on a record's page, hits told as sentences, asking for
contact, approving with a handling condition, the condition on the record read under the grant, the
exclusion list, and a plain message instead of deconfliction when there is no key."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from coordination import deconfliction_key, services
from coordination.kinds import SUSPECTS
from coordination.models import ContactRequest, Hit, Identifier, Operation, Role, Suspect
from coordination.principal import principal_for_subject
from tests.helpers import open_page
from tests.operations import add_operation
from tests.test_records_ui import open_record, open_tab, said

WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"  # a checksum-valid Bitcoin address, used as an example


@pytest.fixture
def shared(sqlite_store, monkeypatch, key_file):
    """A Met suspect, and an FBI suspect (AMBER+STRICT: unreadable to the Met) holding the wallet."""
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    fbi = sqlite_store.principal("liaison.fbi")
    with sqlite_store.writer() as session:
        services.create_suspect(session, sqlite_store.principal("liaison.met"), {
            "reference": "M-1", "full_name": "Synthetic One", "tier": "user", "status": "lead"})
        theirs = services.create_suspect(session, fbi, {"reference": "F-9", "full_name": "Synthetic Nine",
                                                        "tier": "money handler", "status": "identified",
                                                        "tlp": "AMBER+STRICT"})
        services.add_identifier(session, fbi, SUSPECTS, theirs.id, "crypto wallet", WALLET)
    return sqlite_store


def record_id(store, reference: str) -> int:
    with store.reader() as session:
        return session.scalar(select(Suspect.id).where(Suspect.reference == reference))


def identifiers_tab(subject: str, store, reference: str):
    at = open_record(open_page(subject, "suspects"), "suspects", reference)
    return open_tab(at, "suspects", record_id(store, reference), "Identifiers")


def texts(at) -> str:
    """Everything the page says, as a person reads it."""
    return " ".join(said([*at.markdown, *at.caption, *at.success, *at.info, *at.warning, *at.error]))


def add_wallet(store, subject: str = "liaison.met", reference: str = "M-1", value: str = WALLET):
    at = identifiers_tab(subject, store, reference)
    form = f"identifier-suspects-{record_id(store, reference)}"
    at.selectbox(key=f"{form}-kind").select("crypto wallet").run()
    at.text_input(key=f"{form}-value-WALLET").input(value)
    at.button(key=f"FormSubmitter:{form}-form-Add identifier").click().run()
    assert not at.exception
    return at


def test_a_liaison_adds_a_wallet_another_agency_holds_and_both_are_told(shared):
    at = add_wallet(shared)
    assert said(at.success) == ["Added the crypto wallet to M-1; any agency holding it too is told at once."]
    assert "FBI also holds this crypto wallet (hit found " in texts(at)
    assert "F-9" not in texts(at) and "Synthetic Nine" not in texts(at)  # never the other record

    fbi = open_page("liaison.fbi", "deconfliction")
    table = fbi.dataframe(key="deconfliction-hits").value
    assert list(table["Record"]) == ["suspect F-9"] and list(table["Match"]) == ["same identifier"]
    assert list(table["What you are told"])[0].startswith("MET also holds this crypto wallet (hit found ")
    assert not set(table.columns) & {"id", "my_record_id", "kind"}  # labels, never column names


def test_asking_for_contact_then_approval_with_h2_shows_the_condition_on_the_record(shared):
    at = add_wallet(shared)
    with shared.reader() as session:
        hit_id = session.scalar(select(Hit.id))
    place = f"ask-record-suspects-{record_id(shared, 'M-1')}-{hit_id}"
    at.text_area(key=f"{place}-reason").input("Our suspect paid into it; we plan an arrest next week")
    at.button(key=f"FormSubmitter:{place}-Ask for contact").click().run()
    assert said(at.success) == ["Asked FBI for contact about the crypto wallet on M-1; you will see their answer "
                                "under Deconfliction."]

    fbi = open_page("liaison.fbi", "deconfliction")
    with shared.reader() as session:
        request = session.scalar(select(ContactRequest))
    assert "Our suspect paid into it" in texts(fbi)
    fbi.selectbox(key=f"decide-{request.id}-condition").select("H2")
    fbi.button(key=f"FormSubmitter:decide-{request.id}-Approve").click().run()
    assert said(fbi.success) == ["MET's request approved with H2 (not to be passed on without permission)."]

    met = open_record(open_page("liaison.met", "suspects"), "suspects", "FBI/F-9")
    banner = said(met.warning)
    assert any(re.match(r"Read under a contact request FBI approved on .*Handling condition H2: not to be "
                        r"passed on without permission\.", line) for line in banner), banner
    assert said(met.subheader)[0] == "F-9"


def test_a_bad_value_is_refused_under_its_field_and_nothing_is_written(shared):
    at = add_wallet(shared, value="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx")
    assert any(line.startswith("The value is not a valid Bitcoin address") for line in said(at.error)), said(at.error)
    with shared.reader() as session:
        assert session.scalar(select(func.count()).select_from(Identifier)) == 1  # the FBI's only


def test_removing_an_identifier_is_confirmed_first_and_closes_its_hit(shared):
    add_wallet(shared)
    at = identifiers_tab("liaison.met", shared, "M-1")
    form = f"identifier-remove-suspects-{record_id(shared, 'M-1')}"
    with shared.reader() as session:
        mine = session.scalar(select(Identifier.id).where(Identifier.record_id == record_id(shared, "M-1")))
    at.selectbox(key=f"{form}-which").select(mine).run()
    at.button(key=f"{form}-ask").click().run()
    assert said(at.warning)[-1].startswith(f"Remove the crypto wallet: {WALLET} from M-1? Its hits close")
    with shared.reader() as session:
        assert session.scalar(select(Identifier.removed_at).where(Identifier.id == mine)) is None
    at.button(key=f"{form}-confirm").click().run()
    assert said(at.success) == [f"Removed the crypto wallet: {WALLET} from M-1."]
    with shared.reader() as session:
        assert session.scalar(select(Hit.closed_reason)) == "removed"


def test_another_agency_reads_the_identifiers_but_may_not_change_them(shared):
    add_wallet(shared)
    at = identifiers_tab("liaison.nca", shared, "M-1")
    assert "Read only: NCA may not change the identifiers of this record." in texts(at)
    assert not [b for b in at.button if "Add identifier" in str(b.label)]
    assert "also holds" not in texts(at)  # NCA holds nothing: told nothing


def test_command_keeps_the_exclusion_list_and_counts_hits_by_agency_pair(shared):
    add_wallet(shared)
    at = open_page("commander.met", "deconfliction")
    pairs = at.dataframe[1].value if len(at.dataframe) > 1 else None
    assert pairs is not None and list(pairs["Agencies"]) == ["FBI and MET"] and list(pairs["Open hits"]) == [1]
    at.selectbox(key="exclusion-kind").select("crypto wallet").run()
    at.text_input(key="exclusion-value-WALLET").input(WALLET)
    at.text_input(key="exclusion-reason").input("the site's own donation address: on every seized record")
    at.button(key="FormSubmitter:exclusion-form-Add to the exclusion list").click().run()
    assert said(at.success) == ["Excluded the crypto wallet: it makes no hits, and its open hits are closed."]
    with shared.reader() as session:
        assert session.scalar(select(Hit.closed_reason)) == "excluded"


def test_without_a_key_deconfliction_says_how_to_make_one_and_the_rest_works(shared, monkeypatch):
    monkeypatch.delenv(deconfliction_key.ENVIRONMENT)
    at = open_page("liaison.met", "deconfliction")
    assert any("deconflict make-key" in line and "COORD_DECONFLICTION_KEY_FILE" in line for line in said(at.warning))
    assert not at.dataframe
    records = identifiers_tab("liaison.met", shared, "M-1")
    assert any("Deconfliction is not running" in line for line in said(records.warning))
    assert not records.exception and said(records.subheader)[0] == "M-1"


def check(at, value: str):
    at.selectbox(key="check-identifier-kind").select("crypto wallet").run()
    at.text_input(key="check-identifier-value-WALLET").input(value)
    at.button(key="FormSubmitter:check-identifier-form-Check").click().run()
    assert not at.exception
    return at


def test_checking_a_value_says_which_agencies_hold_it_and_the_hourly_limit(shared, monkeypatch):
    monkeypatch.setenv("COORD_CHECKS_PER_HOUR", "2")
    at = check(open_page("liaison.met", "deconfliction"), WALLET)
    assert said(at.warning) == [f"Bitcoin {WALLET}: FBI also holds this crypto wallet. Add it to your record to be "
                                "told of the hit, and ask for contact from there."]
    at = check(at, "0x52908400098527886E0F7030069857D2E4169EE7")
    assert said(at.success) == ["Ethereum 0x52908400098527886E0F7030069857D2E4169EE7: No other agency holds this "
                                "crypto wallet."]
    at = check(at, WALLET)
    assert not at.warning and len(at.error) == 1 and "next" in said(at.error)[0].lower(), said(at.error)


def test_asking_without_a_reason_is_refused_under_the_field_and_nothing_is_asked(shared):
    at = add_wallet(shared)
    with shared.reader() as session:
        hit_id = session.scalar(select(Hit.id))
    place = f"ask-record-suspects-{record_id(shared, 'M-1')}-{hit_id}"
    at.button(key=f"FormSubmitter:{place}-Ask for contact").click().run()
    assert any(line.startswith("The reason ") for line in said(at.error)), said(at.error)
    with shared.reader() as session:
        assert session.scalar(select(func.count()).select_from(ContactRequest)) == 0


def test_an_observer_reads_the_hits_page_but_neither_asks_nor_checks(shared):
    add_wallet(shared)
    at = open_page("observer.eurojust", "deconfliction")
    assert [tab.label for tab in at.tabs] == ["Hits", "Contact requests"]
    assert "No open hits" in texts(at)  # EUROJUST holds nothing: told nothing


def test_an_address_in_a_building_another_agency_holds_is_told_as_the_same_building(shared):
    with shared.writer() as session:
        fbi = shared.principal("liaison.fbi")
        services.add_identifier(session, fbi, SUSPECTS, record_id(shared, "F-9"), "address",
                                "37 Barthor Rd, London SW1A1AA", "GB")
    at = identifiers_tab("liaison.met", shared, "M-1")
    form = f"identifier-suspects-{record_id(shared, 'M-1')}"
    at.selectbox(key=f"{form}-kind").select("address").run()
    assert at.text_input(key=f"{form}-qualifier-ADDRESS").label.startswith("Country (GB, NL, US or its name")
    at.text_input(key=f"{form}-value-ADDRESS").input("Flat 2, 37 Barthor Road, London SW1A 1AA")
    at.text_input(key=f"{form}-qualifier-ADDRESS").input("Atlantis")
    at.button(key=f"FormSubmitter:{form}-form-Add identifier").click().run()
    refusal = [line for line in said(at.error) if "is not one this system knows" in line]
    # as the form names it
    assert refusal and refusal[0].startswith("The country is not one this system knows"), said(at.error)
    assert not any("qualifier" in line.lower() for line in said(at.error))
    at.text_input(key=f"{form}-qualifier-ADDRESS").input("")  # MET's own country: GB
    at.button(key=f"FormSubmitter:{form}-form-Add identifier").click().run()
    assert said(at.success) == ["Added the address to M-1; any agency holding it too is told at once."]
    assert "FBI holds an address in the same building as this one (another flat) (hit found " in texts(at)

    table = open_page("liaison.fbi", "deconfliction").dataframe(key="deconfliction-hits").value
    assert list(table["Match"]) == ["same building"]


def test_checking_an_address_in_an_unknown_country_names_the_country_field(shared):
    at = open_page("liaison.met", "deconfliction")
    at.selectbox(key="check-identifier-kind").select("address").run()
    at.text_input(key="check-identifier-value-ADDRESS").input("Coolsingel 40, Rotterdam")
    at.text_input(key="check-identifier-qualifier-ADDRESS").input("Atlantis")
    at.button(key="FormSubmitter:check-identifier-form-Check").click().run()
    assert not at.exception
    [refusal] = said(at.error)
    assert refusal.startswith("The country is not one this system knows: write its two-letter code"), refusal


def test_a_hit_with_another_operation_shows_whom_to_contact_and_offers_no_request(sqlite_store, monkeypatch, key_file):
    """The wallet held in another operation (FBI's, in Operation Launder): MET's page tells of another
    operation and its contact, and offers no contact request; nothing of that operation is named."""
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    with sqlite_store.writer() as session:
        launder = add_operation(session, "LAUNDER", "Operation Launder", "FBI", {"liaison.fbi": Role.LIAISON})
        session.get(Operation, launder).deconfliction_contact = "Desk officer Pat Quill, 0161 496 0123"
        session.commit()
        fbi = principal_for_subject(session, "liaison.fbi", operation="LAUNDER")
        services.create_suspect(session, sqlite_store.principal("liaison.met"), {
            "reference": "M-1", "full_name": "Synthetic One", "tier": "user", "status": "lead"})
        theirs = services.create_suspect(session, fbi, {"reference": "F-9", "full_name": "Synthetic Nine",
                                                        "tier": "user", "status": "lead"})
        services.add_identifier(session, fbi, SUSPECTS, theirs.id, "crypto wallet", WALLET)
    at = add_wallet(sqlite_store)
    told = texts(at)
    assert "Another operation also holds this crypto wallet (hit found " in told
    assert "Another operation holds it: contact Desk officer Pat Quill, 0161 496 0123 to deconflict." in told
    assert not any(secret in told for secret in ("F-9", "Synthetic Nine", "LAUNDER", "Launder", "FBI"))
    assert not [button for button in at.button if "Ask for contact" in str(button.label)]
    assert not [expander for expander in at.expander if "for contact" in str(expander.label)]

    table = open_page("liaison.met", "deconfliction").dataframe(key="deconfliction-hits").value
    assert list(table["Contact"]) == ["Desk officer Pat Quill, 0161 496 0123"]
    assert list(table["Match"]) == ["same identifier"]
