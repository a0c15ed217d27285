"""A Kind is the whole description of a kind of record: its use cases, tallies and page are found
from it, so a new kind that leaves one out fails here rather than at a KeyError in a page."""

from __future__ import annotations

from coordination import audit, policy, services, tallies
from coordination.kinds import EVIDENCE, KINDS, LinksTo, LinkTo
from coordination.models import EvidenceItem, Role
from coordination.principal import Principal
from coordination.queries import history
from coordination.services import use_cases
from coordination.settings import PROJECT_ROOT
from tests.test_services import ITEM

PAGES = PROJECT_ROOT / "coordination" / "ui" / "pages"


def test_every_kind_has_its_use_cases_and_only_importable_kinds_have_bulk_rules():
    for kind in KINDS.values():
        found = use_cases.of(kind)
        assert callable(found.create) and callable(found.update), kind.name
        assert found.bulk_rules is None or kind.importable, kind.name


def test_a_kind_with_tallies_names_the_tables_the_triggers_keep():
    kept = {t.table for t in tallies.TALLIES}
    counted = {kind.tallies.shared.__tablename__ for kind in KINDS.values() if kind.tallies}
    assert counted == kept
    assert {kind.tallies.red.__tablename__ for kind in KINDS.values() if kind.tallies} == \
        {t.red for t in tallies.TALLIES}


def test_every_kind_has_a_page_of_its_name_that_some_role_is_given():
    routable = {page for role in Role for page in
                policy.pages_for(Principal(1, "issuer", "someone", "Someone", 1, "MET", role))}
    for kind in KINDS.values():
        assert (PAGES / f"{kind.name}.py").is_file(), kind.name
        assert kind.name in routable, kind.name


def test_one_key_name_for_every_kind():
    assert {kind.key for kind in KINDS.values()} == {"reference"}


def test_the_audit_trail_is_read_under_todays_names():
    """Events written before migration 0013 named an evidence item's key exhibit_ref (never rewritten)."""
    assert EVIDENCE.as_now({"exhibit_ref": "E-1", "item_type": "phone"}) == {"reference": "E-1", "item_type": "phone"}
    assert EVIDENCE.label("reference") == "Exhibit reference"


def test_links_are_typed_by_what_they_link_to():
    linked = {(kind.name, name): field.parse.links_to.entity for kind in KINDS.values()
              for name, field in kind.fields.items() if isinstance(field.parse, (LinkTo, LinksTo))}
    assert linked == {("arrests", "suspect"): "suspect", ("evidence", "suspect"): "suspect",
                      ("tasks", "depends_on"): "task", ("packages", "subjects"): "suspect"}


def test_a_history_written_before_the_rename_reads_as_it_did(store):
    met = store.principal("liaison.met")
    with store.writer() as session:
        item = services.create_evidence_item(session, met, ITEM | {"reference": "E-OLD"})
        audit.record(session, audit.NewEvent(met, "create", EvidenceItem.entity, item.id,
                                             after={"exhibit_ref": "E-OLD", "description": "Phone",
                                                    "tlp": item.tlp.value, "owning_agency_id": item.owning_agency_id}))
        session.commit()
    with store.reader() as session:
        said = [entry.what for entry in history.history(session, met, EVIDENCE, item.id)]
    assert said[-1].startswith("created it: exhibit reference E-OLD, description Phone")
    assert said[0].startswith("created it: exhibit reference E-OLD, type phone")
