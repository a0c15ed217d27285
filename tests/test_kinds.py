"""A Kind is the whole description of a kind of record: its use cases, tallies and page are found
from it, so a new kind that leaves one out fails here rather than at a KeyError in a page."""

from __future__ import annotations

from coordination import policy, tallies
from coordination.kinds import KINDS, LinksTo, LinkTo
from coordination.models import Role
from coordination.principal import Principal
from coordination.services import use_cases
from coordination.settings import PROJECT_ROOT

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


def test_links_are_typed_by_what_they_link_to():
    linked = {(kind.name, name): field.parse.links_to.entity for kind in KINDS.values()
              for name, field in kind.fields.items() if isinstance(field.parse, (LinkTo, LinksTo))}
    assert linked == {("arrests", "suspect"): "suspect", ("evidence", "suspect"): "suspect",
                      ("tasks", "depends_on"): "task", ("packages", "subjects"): "suspect"}
