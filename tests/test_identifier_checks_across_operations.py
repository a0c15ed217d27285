"""Checking an identifier across operations (issue 27), on SQLite and PostgreSQL: a value another
operation holds is told as hits across operations are, "another operation" and whom to contact
there, never its name, agency, records or how many operations; RED records and values on that
operation's own exclusion list are not told; the answer is one check of the hourly allowance.
Operation B is Launder (lead NCA), as in test_cross_operation_hits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coordination import services
from coordination.errors import PermissionDenied
from coordination.models import IdentifierCheck, Role
from tests.operations import add_operation
from tests.test_cross_operation_hits import B_CONTACT, B_SECRETS, LONDON, PHONE, SAME_NUMBER, held, launder, reading

__all__ = ["launder"]  # the fixture, imported for these tests


def check(store, who, value: str = LONDON) -> services.checks.CheckResult:
    with store.writer() as session:
        return services.check_identifier(session, who, PHONE, value)


def test_a_value_another_operation_holds_is_told_with_whom_to_contact_never_which(store, launder):
    met = reading(store, "liaison.met")
    assert check(store, met).sentence == "No other agency holds this phone number."
    held(store, reading(store, "liaison.nca", "LAUNDER"), "N-1", SAME_NUMBER)
    found = check(store, met)
    assert (found.agencies, found.contact) == ([], B_CONTACT)
    assert found.sentence == f"Another operation holds it; contact: {B_CONTACT}."
    assert not any(secret in found.sentence for secret in B_SECRETS if secret != "7946")
    held(store, reading(store, "liaison.fbi"), "F-1", SAME_NUMBER)  # and an agency of the reader's own
    assert check(store, met).sentence == (f"FBI also holds this phone number. Another operation also holds it; "
                                          f"contact: {B_CONTACT}.")
    # B's liaison is told of A's records the same way: A names its contact when seeded
    assert check(store, reading(store, "liaison.nca", "LAUNDER"), SAME_NUMBER).sentence == (
        "Another operation holds it; contact: the Metropolitan Police Service deconfliction desk.")


def test_the_same_agency_in_another_operation_is_another_operation(store, launder):
    held(store, reading(store, "liaison.fbi", "LAUNDER"), "F-B", SAME_NUMBER)
    found = check(store, reading(store, "liaison.fbi"), SAME_NUMBER)
    assert (found.agencies, found.contact) == ([], B_CONTACT)


def test_several_operations_are_one_contact_the_oldest_holder(store, launder):
    with store.writer() as session:
        add_operation(session, "THIRD", "Operation Third", "FBI", {"liaison.fbi": Role.LIAISON})
        session.commit()
    held(store, reading(store, "liaison.fbi", "THIRD"), "F-3", SAME_NUMBER)
    held(store, reading(store, "liaison.nca", "LAUNDER"), "N-1", SAME_NUMBER)
    found = check(store, reading(store, "liaison.met"))
    assert found.sentence == "Another operation holds it; contact: the FBI deconfliction desk."


def test_red_and_excluded_there_are_not_told(store, launder):
    nca = reading(store, "liaison.nca", "LAUNDER")
    held(store, nca, "N-RED", SAME_NUMBER, tlp="RED")
    met = reading(store, "liaison.met")
    assert check(store, met).contact is None
    held(store, nca, "N-1", SAME_NUMBER)
    with store.writer() as session:  # B's own exclusion list: the value means nothing there
        services.add_exclusion(session, reading(store, "commander.met", "LAUNDER"), PHONE, SAME_NUMBER, "a bank")
    found = check(store, met)
    assert (found.excluded, found.contact) == (False, None)
    assert found.sentence == "No other agency holds this phone number."


def test_an_answer_about_another_operation_counts_in_the_hourly_allowance(store, launder, monkeypatch):
    monkeypatch.setenv("COORD_CHECKS_PER_HOUR", "2")
    held(store, reading(store, "liaison.nca", "LAUNDER"), "N-1", SAME_NUMBER)
    met = reading(store, "liaison.met")
    assert check(store, met).contact == B_CONTACT
    check(store, met, "+44 20 7946 0999")
    with pytest.raises(PermissionDenied) as refused:
        check(store, met)
    assert "2 checks in the last hour" in str(refused.value)
    with store.reader() as session:
        assert session.scalar(select(func.count()).select_from(IdentifierCheck).where(
            IdentifierCheck.user_id == met.user_id)) == 2
