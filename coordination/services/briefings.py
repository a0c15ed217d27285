"""Briefings: whom one is for (checked before any work), and its record afterwards (its row and
audit event, with the PDF's hash and the state it showed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit, policy
from coordination.errors import PermissionDenied, ValidationError
from coordination.markings import TLP, parse_tlp
from coordination.models import Agency, Briefing, Role, User
from coordination.principal import Principal
from coordination.services import partners
from coordination.services.loading import current_operation
from coordination.services.runner import allowed_when_closed

MOST_PEOPLE, MOST_AGENCIES = 100, 30  # a distribution list longer than this is not a list for a cover
LONGEST_NAME = 200  # characters of one subject or agency code


@dataclass(frozen=True)
class Audience:
    """What the author chose: the highest marking the briefing may hold (None: all they may read),
    the agency whose liaison's view it shows (None: the author's own), and the distribution list on
    its cover (subjects of people, agency codes)."""

    up_to: TLP | str | None = None
    as_liaison_of: str | None = None
    people: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The audience checked: whose view the briefing reads as (within the highest marking chosen: the
    reader carries it), and its distribution."""

    reader: Principal
    as_liaison_of: str | None
    distribution: tuple[str, ...]  # "Name (AGENCY)" and "AGENCY (Agency name)", in the order chosen
    people: tuple[Principal, ...] = ()  # the people named on it, as they read


@allowed_when_closed  # a briefing reads the operation, closed or not
def authorise_briefing(session: Session, principal: Principal, audience: Audience = Audience()) -> Plan:
    """The first step of a briefing, before any work: refuse (audited by the runner) a principal who
    reads no operational records, or previews as another agency without being allowed to; refuse
    an audience that names no such marking, agency or person (every problem at once)."""
    if not policy.can_brief(principal):
        who = f"{principal.role.value}s" if principal.role else "people who are not provisioned"
        raise PermissionDenied(f"{who} make no briefings: they read no operational records", action="export",
                               entity="briefing")
    if audience.as_liaison_of and not policy.can_brief_as_others(principal):
        raise PermissionDenied("only commanders make a briefing as another agency's liaison would receive it",
                               action="export", entity="briefing")
    problems: dict[str, str] = {}
    up_to = _marking(audience.up_to, problems)
    if len(audience.people) > MOST_PEOPLE or len(audience.agencies) > MOST_AGENCIES:
        problems["distribution"] = f"at most {MOST_PEOPLE} people and {MOST_AGENCIES} agencies"
    agencies = _agencies(session, principal, [*audience.agencies[:MOST_AGENCIES],
                                              *filter(None, [audience.as_liaison_of])], problems)
    people = _people(session, principal, audience.people[:MOST_PEOPLE], problems)
    if problems:
        raise ValidationError(problems)
    reader = principal
    if audience.as_liaison_of:
        agency = agencies[audience.as_liaison_of]
        reader = principal.stand_in(Role.LIAISON, agency.id, agency.code)
    named = [people[subject] for subject in dict.fromkeys(audience.people)]
    distribution = (*(person.label for person in named),
                    *(f"{agencies[code].code} ({agencies[code].name})" for code in dict.fromkeys(audience.agencies)))
    return Plan(reader.within(up_to), audience.as_liaison_of, distribution, tuple(named))


def _marking(value: TLP | str | None, problems: dict[str, str]) -> TLP | None:
    if value in (None, "") or isinstance(value, TLP):
        return value or None
    try:
        return parse_tlp(str(value)[:LONGEST_NAME])
    except ValueError as error:
        problems["highest marking"] = str(error)
        return None


def _cut(text: str) -> str:
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


def _agencies(session: Session, principal: Principal, codes: list[str], problems: dict[str, str]) -> dict[str, Agency]:
    """The operation's partners `codes` names (a briefing goes to, or is read as, an agency taking part)."""
    wanted = {code for code in codes if isinstance(code, str) and len(code) <= LONGEST_NAME}
    found = {agency.code: agency for agency in session.scalars(select(Agency).where(
        Agency.code.in_(wanted), Agency.id.in_(list(partners.partner_ids(session, principal)))))} if wanted else {}
    unknown = [code for code in codes if code not in found]
    if unknown:
        problems["agencies"] = f"no partner agency {_cut(str(unknown[0]))}" + \
            (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
    return found


def _people(session: Session, author: Principal, subjects: tuple[str, ...],
            problems: dict[str, str]) -> dict[str, Principal]:
    """The people named on the distribution, each as they read the author's operation (by their role
    there): someone who takes no part in it is answered as someone who does not exist."""
    wanted = {s for s in subjects if isinstance(s, str) and len(s) <= LONGEST_NAME}
    found = {user.subject: Principal.of(user, author.operation_id) for user in session.scalars(
        select(User).where(User.subject.in_(wanted), User.active.is_(True),
                           policy.hears_personally(User, author.operation_id)))} if wanted else {}
    unknown = [subject for subject in subjects if subject not in found]
    if unknown:
        problems["people"] = f"nobody active in this operation is signed in as {_cut(str(unknown[0]))}" + \
            (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
    return found


@allowed_when_closed
def record_briefing(session: Session, principal: Principal, contents, pdf: bytes, checked: tuple[int, str]) -> Briefing:
    """The last step: `contents` is the briefing.Contents the PDF was made from; `checked` the length
    and SHA-256 of the document its verification section vouches for (the PDF before that stamp)."""
    authorise_briefing(session, principal)
    briefing = Briefing(operation_id=current_operation(session, principal).id, author_id=principal.user_id,
                        created_at=contents.made_at, tlp=contents.tlp,
                        classification=contents.classification, sha256=hashlib.sha256(pdf).hexdigest(),
                        audit_head_hash=contents.head_hash, audit_head_seq=contents.head_seq)
    session.add(briefing)
    session.flush()
    up_to = contents.reader.up_to
    audit.record(session, audit.NewEvent(principal, "export", "briefing", briefing.id, after={
        "sha256": briefing.sha256, "audit_head_seq": briefing.audit_head_seq,
        "audit_head_hash": briefing.audit_head_hash, "tlp": briefing.tlp, "classification": briefing.classification,
        "changes_since_seq": contents.changes.since_seq, "bytes": len(pdf),
        "checked_bytes": checked[0], "checked_sha256": checked[1], "up_to": up_to.value if up_to else None,
        "read_as": contents.reader.label, "distribution": list(contents.distribution)}))
    return briefing
