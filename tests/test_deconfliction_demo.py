"""The demo operation's identifiers: keyed under the demo key, about forty shared across agencies (a
few on RED records), a noisy bank number behind an exclusion making no hit, a duplicate inside MET,
every value in the normal form matching would give it, and nothing at all without a key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from coordination import audit, demo
from coordination.db import read_session
from coordination.deconfliction_key import MatchingKey, make_key_file, read_key_file
from coordination.demo import synthetic
from coordination.identifiers import normalise
from coordination.markings import TLP
from coordination.models import Agency, Exclusion, Hit, Identifier, Operation
from tests.conftest import PG_SCHEMA, TEST_ISSUER
from tests.test_demo import blank_engine, elaborate


@dataclass
class Keyed:
    engine: Engine
    key: MatchingKey


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def keyed(request, tmp_path_factory) -> Iterator[Keyed]:
    work = tmp_path_factory.mktemp("keyed_demo")
    key = read_key_file(make_key_file(work / "deconfliction.key"))
    engine = blank_engine(request.param, work, f"{PG_SCHEMA}_demo_keyed")
    demo.load(engine, "demo", reset=True, issuer=TEST_ISSUER, key=key)
    yield Keyed(engine, key)
    engine.dispose()


def pairs(session):
    """Each hit within Operation Elaborate as (first agency, second agency, first TLP, second TLP, kind)
    (those with Saltmarsh are tests/test_operations_demo.py's)."""
    first, second = aliased(Identifier), aliased(Identifier)
    return session.execute(select(first.owning_agency_id, second.owning_agency_id, first.tlp, second.tlp, first.kind)
                           .select_from(Hit).join(first, first.id == Hit.first_id)
                           .join(second, second.id == Hit.second_id)
                           .where(first.operation_id == elaborate(session),
                                  second.operation_id == elaborate(session))).all()


def test_the_demo_shares_about_forty_identifiers_across_agencies_a_few_on_red_records(keyed):
    with read_session(keyed.engine) as session:
        assert 2_500 <= session.scalar(select(func.count()).select_from(Identifier)
                                       .where(Identifier.operation_id == elaborate(session))) <= 3_500
        hits = pairs(session)
        across = [hit for hit in hits if hit[0] != hit[1]]
        assert len(across) == demo.SCALES["demo"].shared == 40
        assert 3 <= sum(TLP.RED in (hit[2], hit[3]) for hit in across) <= 10
        met = session.scalar(select(Agency.id).where(Agency.code == "MET"))
        assert [hit[:2] for hit in hits if hit[0] == hit[1]] == [(met, met)]  # the duplicate inside MET
        assert {hit[4] for hit in hits} == {"phone number", "e-mail address"}
        assert set(session.scalars(select(Operation.deconfliction_key_fingerprint))) == {keyed.key.fingerprint}
        assert audit.verify(session).ok


def test_the_noisy_bank_number_is_excluded_and_makes_no_hit(keyed):
    with read_session(keyed.engine) as session:
        exclusion = session.scalar(select(Exclusion))
        assert (exclusion.normalised, exclusion.keyed) == (
            demo.BANK_NUMBER, keyed.key.keyed("phone number", demo.BANK_NUMBER))
        holding = session.scalars(select(Identifier.id).where(Identifier.keyed == exclusion.keyed)).all()
        agencies = session.scalar(select(func.count(Identifier.owning_agency_id.distinct()))
                                  .where(Identifier.keyed == exclusion.keyed))
        assert len(holding) == demo.BANK_HOLDERS and agencies >= 4
        assert session.scalar(select(func.count()).select_from(Hit).where(
            Hit.first_id.in_(holding) | Hit.second_id.in_(holding))) == 0


def test_every_value_is_stored_as_matching_would_normalise_and_key_it(keyed):
    with read_session(keyed.engine) as session:
        rows = session.execute(select(Identifier.kind, Identifier.value, Identifier.normalised, Identifier.keyed,
                                      Agency.country).join(Agency, Agency.id == Identifier.owning_agency_id)).all()
    typed_otherwise = 0
    for kind, value, normal, keyed_value, country in rows:
        assert normalise(kind, value, region=country).value == normal, value
        assert keyed.key.keyed(kind, normal) == keyed_value
        assert normal not in keyed_value
        typed_otherwise += value != normal
    assert typed_otherwise >= 40  # the second agency of each shared identifier typed it its own way


def test_the_demo_phone_numbers_are_the_fictional_ones_and_valid():
    numbers = synthetic.fictional_phone_numbers()
    assert len(set(numbers)) == len(numbers) == 16_000 and demo.BANK_NUMBER in numbers
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(number)) for number in numbers)


def test_without_a_key_the_demo_holds_no_identifiers(tmp_path: Path):
    engine = blank_engine("sqlite", tmp_path, "")
    counts = demo.load(engine, "demo", reset=True, issuer=TEST_ISSUER)
    assert "identifier" not in counts and "hit" not in counts
    with read_session(engine) as session:
        assert session.scalar(select(Operation.deconfliction_key_fingerprint)) is None
    engine.dispose()
