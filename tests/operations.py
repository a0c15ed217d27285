"""Another operation beside the seeded Operation Elaborate, for the tests of choosing between
operations: made straight in the database, as `standing_data.seed` makes the first one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.models import Agency, Membership, Operation, OperationPartner, OperationStatus, Role, User


def add_operation(session: Session, code: str, name: str, lead: str, members: dict[str, Role],
                  status: OperationStatus = OperationStatus.ACTIVE) -> int:
    """Operation `name` (coded `code`, led by the agency coded `lead`, every agency a partner) whose
    members are the demo users `members` names (subject -> role there), in the caller's transaction."""
    agencies = {agency.code: agency for agency in session.scalars(select(Agency))}
    operation = Operation(code_name=name, code=code, lead_agency=agencies[lead], status=status)
    session.add(operation)
    session.flush()
    session.add_all(OperationPartner(operation_id=operation.id, agency_id=agency.id) for agency in agencies.values())
    users = {user.subject: user for user in session.scalars(select(User).where(User.subject.in_(members)))}
    session.add_all(Membership(operation_id=operation.id, user_id=users[subject].id, role=role)
                    for subject, role in members.items())
    session.flush()
    return operation.id


LAUNDER_CONTACT = "Desk officer Pat Quill, 0161 496 0123"  # its deconfliction contact: names no agency


def add_launder(store) -> int:
    """Operation Launder (B), the NCA's: NCA's liaison a liaison there, MET's commander its commander too,
    FBI's liaison a member of both (as everyone is of Elaborate); its contact LAUNDER_CONTACT."""
    with store.writer() as session:
        launder = add_operation(session, "LAUNDER", "Operation Launder", "NCA",
                                {"liaison.nca": Role.LIAISON, "commander.met": Role.COMMANDER,
                                 "liaison.fbi": Role.LIAISON})
        session.get(Operation, launder).deconfliction_contact = LAUNDER_CONTACT
        session.commit()
    return launder


def reading(store, subject: str, code: str = "ELABORATE"):
    """The principal of `subject` reading operation `code`."""
    from coordination.principal import principal_for_subject
    with store.reader() as session:
        return principal_for_subject(session, subject, operation=code)
