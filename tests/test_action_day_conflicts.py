"""Event conflicts on both stores: a RED target package names a commander among its recipients, so
command can always deconflict a conflict it is asked about."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coordination import services
from coordination.errors import ValidationError
from coordination.markings import TLP
from coordination.models import TargetPackage
from coordination.services import imports
from tests.test_action_day import create, version

pytestmark = pytest.mark.usefixtures("key_file")
REFUSAL = "a RED package must name at least one commander among its recipients, so command can deconflict it"


# --- a RED package names a commander ------------------------------------------------------------

def test_a_red_package_without_a_commander_among_its_recipients_is_refused_in_words(store):
    with pytest.raises(ValidationError) as refused:
        create(store, "liaison.met", "P-RED", tlp="RED")
    assert refused.value.problems == {"recipients": REFUSAL}
    with pytest.raises(ValidationError) as refused:
        create(store, "liaison.met", "P-RED", tlp="RED", recipients="liaison.met")
    assert refused.value.problems == {"recipients": REFUSAL}
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(TargetPackage)) == 0
    package = create(store, "liaison.met", "P-AMBER")
    met = store.principal("liaison.met")
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.update_package(s, met, package.id, package.version, {"tlp": "RED"})
    assert refused.value.problems == {"recipients": REFUSAL}
    with store.writer() as s:
        services.update_package(s, met, package.id, package.version, {"tlp": "RED", "recipients": "commander.met"})
    with store.writer() as s, pytest.raises(ValidationError) as refused:  # taking command off again
        services.update_package(s, met, package.id, version(store, package.id), {"recipients": "liaison.met"})
    assert refused.value.problems == {"recipients": REFUSAL}
    with store.writer() as s:  # a change of anything else is no change of who may read it
        services.update_package(s, met, package.id, version(store, package.id), {"team_call_sign": "BRAVO"})
    with store.reader() as s:
        assert s.get(TargetPackage, package.id).tlp is TLP.RED


def test_an_imported_red_package_without_a_commander_is_refused_in_words_and_nothing_is_written(store):
    header = "reference,jurisdiction,address,team_call_sign,legal_authority,h_hour,tlp,recipients"
    rows = ["P-1,GB-EAW,1 High Street,ALPHA-1,W/1,2030-11-07T06:00:00Z,AMBER,",
            "P-2,GB-EAW,2 High Street,BRAVO-1,W/2,2030-11-07T06:00:00Z,RED,liaison.met"]

    def run(*lines):
        return imports.import_file(store.engine, store.principal("liaison.met"), "packages", "tasking.csv",
                                   ("\n".join([header, *lines]) + "\n").encode())
    result = run(*rows)
    assert not result.committed and [(p.row, p.column, p.reason) for p in result.problems] == [
        (3, "recipients", REFUSAL)]
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(TargetPackage)) == 0
    assert run(rows[0], rows[1].replace(",liaison.met", ",commander.met")).committed
