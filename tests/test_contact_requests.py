"""Contact requests on both stores: the other agency's record stays unreadable until its owner
approves, then exactly the asking agency reads it (never when RED), under the condition shown on
the record and in exports; a decline leaves it unreadable; two deciders: one wins; overdue requests
reach command; no identifier value reaches an audit detail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from coordination import exports, services
from coordination.briefing import contents
from coordination.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from coordination.kinds import EVIDENCE, SUSPECTS
from coordination.models import (
    AuditEvent,
    ContactRequest,
    ContactStatus,
    Hit,
    Identifier,
    Suspect,
    utcnow,
)
from coordination.queries import contact_requests as requests
from coordination.queries.records import readable
from coordination.services import identifier_imports
from coordination.services.loading import load_visible
from tests.conftest import suspect

PHONE = "phone number"
NUMBER = "+44 20 7946 0123"  # Ofcom's drama range: synthetic
NORMALISED = "+442079460123"


def holding(session, who, reference, value=NUMBER, tlp="AMBER+STRICT", tier="user") -> Suspect:
    """A suspect of `who`'s agency holding `value` as an identifier."""
    record = suspect(session, who, reference, tlp=tlp, tier=tier)
    services.add_identifier(session, who, SUSPECTS, record.id, PHONE, value)
    return record


def the_hit(session, first: Suspect, second: Suspect) -> int:
    """The one hit between the identifiers of two records."""
    ids = select(Identifier.id).where(Identifier.record_id.in_([first.id, second.id]))
    return session.scalar(select(Hit.id).where(Hit.first_id.in_(ids), Hit.second_id.in_(ids)))


@pytest.fixture
def shared(store, key_file):
    """FBI and NL-POLICE hold the same phone number on AMBER+STRICT suspects: one hit between them."""
    people = {name: store.principal(f"liaison.{name}") for name in ("fbi", "nl-police", "eurojust", "met")}
    with store.writer() as session:
        fbi_record = holding(session, people["fbi"], "F-WALLET")
        nl_record = holding(session, people["nl-police"], "N-WALLET")
        hit = the_hit(session, fbi_record, nl_record)
    return store, people, fbi_record.id, hit


def reads(store, who, record_id) -> bool:
    with store.reader() as session:
        return readable(session, who, SUSPECTS, record_id)


def test_the_record_is_read_by_exactly_the_asking_agency_once_approved(shared):
    store, people, record_id, hit = shared
    fbi, nl, eurojust = people["fbi"], people["nl-police"], people["eurojust"]
    assert not reads(store, nl, record_id)
    with store.writer() as session:
        request = services.ask_for_contact(session, nl, hit, "Same number as our N-WALLET; we plan a search")
    assert request.status is ContactStatus.PENDING
    assert not reads(store, nl, record_id)  # asking is not reading
    with store.writer() as session:
        approved = services.approve_contact(session, fbi, request.id, "H2")
    assert approved.status is ContactStatus.APPROVED
    assert reads(store, nl, record_id) and not reads(store, eurojust, record_id)
    with store.reader() as session:
        assert load_visible(session, nl, Suspect, record_id).reference == "F-WALLET"
        with pytest.raises(NotFound):
            load_visible(session, eurojust, Suspect, record_id)
        grant = requests.grant_on_record(session, nl, "suspect", record_id)
        assert grant.words == "H2: not to be passed on without permission" and grant.owner_agency == "FBI"
        assert requests.grant_on_record(session, eurojust, "suspect", record_id) is None
        assert requests.grant_on_record(session, fbi, "suspect", record_id) is None  # FBI reads its own
        exported = exports.build(session, nl, "suspects")
        row = dict(zip(exported.columns, next(r for r in exported.rows if r[0] == "F-WALLET"), strict=True))
        assert row["handling_condition"] == "H2: not to be passed on without permission"
        assert dict(zip(exported.columns, next(r for r in exported.rows if r[0] == "N-WALLET"),
                        strict=True))["handling_condition"] == ""
        assert "handling_condition" not in exports.build(session, eurojust, "suspects").columns
    # marked RED by its owner: no grant reads a RED record
    with store.writer() as session:
        version = session.get(Suspect, record_id).version
        services.update_suspect(session, fbi, record_id, version, {"tlp": "RED"})
    assert not reads(store, nl, record_id)


def test_a_decline_leaves_the_record_unreadable_and_needs_a_reason(shared):
    store, people, record_id, hit = shared
    with store.writer() as session:
        request = services.ask_for_contact(session, people["nl-police"], hit, "please")
        with pytest.raises(ValidationError) as refused:
            services.decline_contact(session, people["fbi"], request.id, "  ")
        assert set(refused.value.problems) == {"reason"}
        declined = services.decline_contact(session, people["fbi"], request.id, "an undercover operation")
    assert declined.status is ContactStatus.DECLINED
    assert not reads(store, people["nl-police"], record_id)
    with store.reader() as session:
        [row] = requests.outgoing(session, people["nl-police"])
        assert row.asked_about is None and row.status is ContactStatus.DECLINED
        assert "declined by Frankie Liaison (FBI)" in row.sentence
    with store.writer() as session:  # declined: they may ask again
        assert services.ask_for_contact(session, people["nl-police"], hit, "new facts").status is ContactStatus.PENDING


def test_who_may_ask_and_who_may_decide(shared):
    store, people, record_id, hit = shared
    nl, fbi, eurojust = people["nl-police"], people["fbi"], people["eurojust"]
    with store.writer() as session:
        for stranger in (eurojust, people["met"]):  # not a side of the hit: as if it were not there
            with pytest.raises(NotFound):
                services.ask_for_contact(session, stranger, hit, "curious")
        with pytest.raises(NotFound):
            services.ask_for_contact(session, nl, 10**6, "no such hit")
        with pytest.raises(ValidationError) as refused:
            services.ask_for_contact(session, nl, hit, "")
        assert set(refused.value.problems) == {"reason"}
        request = services.ask_for_contact(session, nl, hit, "first")
        with pytest.raises(ValidationError):  # one pending request per agency and hit
            services.ask_for_contact(session, nl, hit, "again")
        with pytest.raises(PermissionDenied):  # the asking agency does not decide its own request
            services.approve_contact(session, nl, request.id, "H0")
        with pytest.raises(NotFound):
            services.approve_contact(session, eurojust, request.id, "H0")
        with pytest.raises(ValidationError) as refused:
            services.approve_contact(session, fbi, request.id, "H3")
        assert set(refused.value.problems) == {"condition_text"}
        with pytest.raises(ValidationError) as refused:
            services.approve_contact(session, fbi, request.id, "H9")
        assert set(refused.value.problems) == {"condition"}
        approved = services.approve_contact(session, fbi, request.id, "H3", "Only for the search of 4 Dec")
    assert approved.condition_text == "Only for the search of 4 Dec"
    with store.reader() as session:
        assert requests.grant_on_record(session, nl, "suspect", record_id).words == "H3: Only for the search of 4 Dec"
        refusals = session.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "refused")).all()
    assert refusals == ["approve contact"]


def test_two_liaisons_deciding_at_once_one_wins_the_other_is_told(shared):
    store, people, _, hit = shared
    admin = store.principal("admin")
    with store.writer() as session:
        services.create_user(session, admin, {"issuer": people["fbi"].issuer, "subject": "liaison2.fbi",
                                              "display_name": "Second Liaison", "agency": "FBI", "role": "liaison"})
        request = services.ask_for_contact(session, people["nl-police"], hit, "why")
    other = store.principal("liaison2.fbi")
    with store.writer() as first, store.writer() as second:
        second.get(ContactRequest, request.id)  # the second liaison has the request open, pending
        second.commit()
        services.approve_contact(first, people["fbi"], request.id, "H1")
        with pytest.raises(ConflictError) as clash:
            services.decline_contact(second, other, request.id, "no")
    assert "Frankie Liaison (FBI)" in str(clash.value)
    with store.reader() as session:
        assert session.get(ContactRequest, request.id).status is ContactStatus.APPROVED


def test_a_red_record_is_told_to_its_owner_only(store, key_file):
    fbi, nl = store.principal("liaison.fbi"), store.principal("liaison.nl-police")
    with store.writer() as session:
        red = holding(session, fbi, "F-RED", tlp="RED")
        amber = holding(session, nl, "N-AMBER", tlp="AMBER")
        hit = the_hit(session, red, amber)
        red_id, amber_id = red.id, amber.id  # a refused call rolls back, which expires the objects
        with pytest.raises(NotFound):  # NL-POLICE is not told of a hit on FBI's RED record
            services.ask_for_contact(session, nl, hit, "why")
        request = services.ask_for_contact(session, fbi, hit, "the RED owner chooses to reach out")
        services.approve_contact(session, nl, request.id, "H0")
    assert reads(store, fbi, amber_id) and not reads(store, nl, red_id)


def test_requests_as_each_side_reads_them(shared):
    store, people, record_id, hit = shared
    nl, fbi = people["nl-police"], people["fbi"]
    with store.writer() as session:
        request = services.ask_for_contact(session, nl, hit, "why")
    with store.reader() as session:
        [asked] = requests.incoming(session, fbi)
        assert (asked.asked_about, asked.asked_from, asked.requested_by) == \
            ("suspect F-WALLET", None, "Noor Liaison (NL-POLICE)")
        [sent] = requests.outgoing(session, nl)
        assert (sent.asked_about, sent.asked_from) == (None, "suspect N-WALLET")
        assert requests.incoming(session, nl) == [] and requests.outgoing(session, fbi) == []
        assert requests.incoming(session, people["eurojust"]) == []
    with store.writer() as session:
        services.approve_contact(session, fbi, request.id, "H1")
    with store.reader() as session:
        [sent] = requests.outgoing(session, nl)
        assert sent.asked_about == "suspect F-WALLET" and sent.condition == "H1: not for use in court"


def test_requests_pending_more_than_48_hours_are_overdue_to_command(shared):
    store, people, _, hit = shared
    commander = store.principal("commander.met")
    with store.writer() as session:
        request = services.ask_for_contact(session, people["nl-police"], hit, "why")
    with store.reader() as session:
        assert requests.overdue(session, commander) == []
        later = utcnow() + timedelta(hours=49)
        [late] = requests.overdue(session, commander, now=later)
        assert (late.id, late.requesting_agency, late.owner_agency) == (request.id, "NL-POLICE", "FBI")
        assert late.sentence.startswith("NL-POLICE asked FBI for contact 2 days 1 hours ago")
        assert requests.overdue(session, people["fbi"], now=later) == []  # command's view only
    with store.writer() as session:  # a RED side: command is not told of the hit
        session.execute(update(Identifier).values(tlp="RED"))
        session.commit()
    with store.reader() as session:
        assert requests.overdue(session, commander, now=later) == []


def test_no_identifier_value_in_the_audit_details_of_request_events(shared):
    store, people, _, hit = shared
    with store.writer() as session:
        request = services.ask_for_contact(session, people["nl-police"], hit, f"we hold {NUMBER} too")
        services.approve_contact(session, people["fbi"], request.id, "H3", f"only about {NUMBER}")
    with store.reader() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "contact request")).all()
    assert [e.action for e in events] == ["ask for contact", "approve contact"]
    assert all(value not in f"{e.before}{e.after}{e.detail}" for e in events for value in (NUMBER, NORMALISED))


def test_the_briefing_names_the_condition_next_to_a_record_read_under_a_grant(store, key_file):
    fbi, nl = store.principal("liaison.fbi"), store.principal("liaison.nl-police")
    with store.writer() as session:
        theirs = holding(session, fbi, "F-ADMIN", tier="administrator")
        hit = the_hit(session, theirs, holding(session, nl, "N-ADMIN", tier="administrator"))
        request = services.ask_for_contact(session, nl, hit, "the site's administrator?")
        services.approve_contact(session, fbi, request.id, "H2")
    def key_suspects(who):
        return next(table for table in contents.gather(session, who).tables if table.title.startswith("Key suspects"))
    with store.reader() as session:
        for_nl, for_fbi = key_suspects(nl), key_suspects(fbi)
    assert sorted(row[0] for row in for_nl.rows) == [
        "F-ADMIN (handling condition H2: not to be passed on without permission)", "N-ADMIN"]
    assert sorted(row[0] for row in for_fbi.rows) == ["F-ADMIN"]  # its own record: no condition


def test_every_export_of_a_record_read_under_a_grant_carries_its_handling_condition(shared):
    """The identifiers' export too (it dropped the condition), and an evidence item's; a file
    exported so imports back (the condition column is ignored)."""
    store, people, record_id, hit = shared
    fbi, nl, eurojust = people["fbi"], people["nl-police"], people["eurojust"]
    with store.writer() as session:
        item = services.create_evidence_item(session, fbi, {
            "reference": "F-PHONE", "item_type": "phone", "description": "phone", "sha256": "ab" * 32,
            "seized_from": "x", "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x",
            "status": "awaiting analysis", "holder_name": "SA Example", "tlp": "AMBER+STRICT"})
        services.add_identifier(session, fbi, EVIDENCE, item.id, PHONE, "+44 20 7946 0987")
        services.add_identifier(session, nl, EVIDENCE, services.create_evidence_item(session, nl, {
            "reference": "N-PHONE", "item_type": "phone", "description": "phone", "sha256": "cd" * 32,
            "seized_from": "x", "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x",
            "status": "awaiting analysis", "holder_name": "Rechercheur"}).id, PHONE, "+44 20 7946 0987")
        on_item = session.scalar(select(Hit.id).where(Hit.first_record_entity == "evidence item",
                                                      Hit.second_record_entity == "evidence item"))
        for asked in (hit, on_item):
            request = services.ask_for_contact(session, nl, asked, "the same number")
            services.approve_contact(session, fbi, request.id, "H3", "Only for the search of 4 Dec")
    words = "H3: Only for the search of 4 Dec"
    with store.reader() as session:
        exported = exports.identifiers(session, nl)
        rows = [dict(zip(exported.columns, row, strict=True)) for row in exported.rows]
        assert {(row["record_reference"], row["handling_condition"]) for row in rows} == {
            ("FBI/F-WALLET", words), ("N-WALLET", ""), ("FBI/F-PHONE", words), ("N-PHONE", "")}
        assert "handling_condition" not in exports.identifiers(session, fbi).columns  # its own records
        assert "handling_condition" not in exports.identifiers(session, eurojust).columns  # reads no grant
        evidence = exports.build(session, nl, "evidence")
        assert {row[0]: row[-1] for row in evidence.rows} == {"F-PHONE": words, "N-PHONE": ""}
        assert evidence.columns[-1] == "handling_condition"
    again = identifier_imports.import_identifiers(store.engine, nl, "identifiers.csv", exported.csv(), dry_run=True)
    assert again.ok and again.unchanged == len(rows), again.problems


HOSTILE = [None, "", " ", "x" * 100_000, "\x00", "\ud800", 10**30, -1, True, 3.5, ["H2"], {"a": 1}, "H2\x1b[31m"]


def test_hostile_input_gets_a_clear_refusal_and_writes_nothing(shared):
    store, people, _, hit = shared
    nl, fbi = people["nl-police"], people["fbi"]
    with store.writer() as session:
        request = services.ask_for_contact(session, nl, hit, "why")
    with store.reader() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    refusals = (ValidationError, NotFound, PermissionDenied)
    with store.writer() as session:
        for value in HOSTILE:
            for call in (lambda v: services.ask_for_contact(session, nl, v, "why"),
                         lambda v: services.ask_for_contact(session, nl, hit, v),
                         lambda v: services.approve_contact(session, fbi, v, "H2"),
                         lambda v: services.approve_contact(session, fbi, request.id, v),
                         lambda v: services.approve_contact(session, fbi, request.id, "H3", v),
                         lambda v: services.decline_contact(session, fbi, request.id, v),
                         lambda v: services.check_identifier(session, nl, v, "+44 20 7946 0123"),
                         lambda v: services.check_identifier(session, nl, PHONE, v)):
                with pytest.raises(refusals) as refused:
                    call(value)
                assert str(refused.value)
            # a phone number needs no qualifier: text there is ignored (too long: refused), the rest refused
            try:
                services.check_identifier(session, nl, PHONE, "+44 20 7946 0123", value)
            except ValidationError as refusal:  # answered or refused, both right; a refusal names its fields
                assert refusal.problems  # noqa: PT017
    with store.reader() as session:
        assert session.get(ContactRequest, request.id).status is ContactStatus.PENDING
        made = session.scalar(select(func.count()).select_from(AuditEvent)) - events
        assert made == session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.seq > events, AuditEvent.action == "check identifier"))
