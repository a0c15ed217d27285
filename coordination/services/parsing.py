"""A use case's input as model values: each field read by its kind's parser, and each link resolved
among the records the principal may read, so a link cannot tell what exists (ARCHITECTURE.md, "The
one reader")."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from coordination import fields, kinds, record_references
from coordination.errors import ValidationError
from coordination.fields import parse_fields
from coordination.kinds import Kind, LinksTo, LinkTo
from coordination.links import choose_link, link_candidates
from coordination.models import MarkedRecord
from coordination.principal import Principal
from coordination.queries.records import readable
from coordination.services import partners
from coordination.services.loading import recipient_ids


def resolve_links(session: Session, principal: Principal, kind: Kind, values: dict[str, Any],
                  record: MarkedRecord | None = None) -> None:
    """Turn each typed link of `values` into the id of a record the principal may read; a link to a
    record they may not read is refused exactly like a link to nothing, so links cannot be used to
    learn what exists. On an update, RESTRICTED (how an export writes a link the reader may not
    read) keeps the link as it is."""
    problems = {}
    owner = values.get("owning_agency_id") or (record.owning_agency_id if record is not None else
                                               principal.agency_id)
    for name, field in kind.fields.items():
        column = field.column or name
        value = values.get(column)
        if isinstance(field.parse, LinksTo) and value is not None:
            _resolve_many(session, principal, field.parse.links_to, name, column, values, record, owner, problems)
            continue
        if not isinstance(field.parse, LinkTo) or value is None:
            continue
        model = field.parse.links_to
        if record is not None and value == getattr(record, column):
            continue  # as it is
        if isinstance(value, int):
            if not readable(session, principal, kinds.of(model), value):
                problems[name] = no_such_chosen(model)
            continue
        if value.text == record_references.RESTRICTED:
            if record is None:
                problems[name] = f"a new record cannot be linked to a {model.entity} you may not read"
            else:
                del values[column]  # as it is: the reader may not see, so cannot have changed, it
            continue
        cache = session.info.get("links", {})
        key = (model.__name__, value.text)
        try:
            candidates = cache[key] if key in cache else link_candidates(session, principal, model,
                                                                         [value.text])[value.text]
            values[column] = choose_link(model, value.text, candidates, owner)
        except ValueError as error:
            problems[name] = str(error)
    if problems:
        raise ValidationError(problems)


def no_such_chosen(model: type[MarkedRecord]) -> str:
    """The refusal of a link given as an id (chosen from a list, or by the code, never typed) to a
    record that is missing or that the principal may not read: alike for both, and without the id,
    which is nobody's business and is no reference."""
    return f"the {model.entity} chosen does not exist or is not one you may read"


def _resolve_many(session: Session, principal: Principal, model: type[MarkedRecord], name: str, column: str,
                  values: dict[str, Any], record: MarkedRecord | None, owner: int | None,
                  problems: dict[str, str]) -> None:
    """Several links in one field (a package's subjects), each resolved as `resolve_links` resolves
    one; on an update, RESTRICTED keeps the linked records the principal may not read."""
    kind = kinds.of(model)
    chosen, keep_hidden, refused = set(), False, []
    for value in values[column]:
        if isinstance(value, int):
            if readable(session, principal, kind, value):
                chosen.add(value)
            else:
                refused.append(no_such_chosen(model))
        elif value.text == record_references.RESTRICTED:
            keep_hidden = record is not None
            if record is None:
                refused.append(f"a new record cannot be linked to a {model.entity} you may not read")
        else:
            try:
                cache = session.info.get("links", {})  # a bulk import's, pre-loaded
                key = (model.__name__, value.text)
                candidates = cache[key] if key in cache else link_candidates(session, principal, model,
                                                                             [value.text])[value.text]
                chosen.add(choose_link(model, value.text, candidates, owner))
            except ValueError as error:
                refused.append(str(error))
    if keep_hidden:
        chosen |= {linked for linked in getattr(record, column) if not readable(session, principal, kind, linked)}
    if refused:
        problems[name] = "; ".join(refused[:3])
    values[column] = sorted(chosen)


def parse_and_resolve(session: Session, principal: Principal, kind: Kind, data: Mapping[str, Any],
                      record: MarkedRecord | None = None) -> dict[str, Any]:
    """`parse_fields` with links resolved, every problem of both named at once. An update keeps the
    people the record already names though they have since been disabled (`_keeping_named`)."""
    with _keeping_named(session, kind, data, record):
        try:
            values = parse_fields(session, kind.fields, data, partial=record is not None)
        except ValidationError as error:
            links = {name: field for name, field in kind.fields.items()
                     if isinstance(field.parse, (LinkTo, LinksTo))}
            problems = dict(error.problems)
            try:
                linked = parse_fields(session, links,
                                      {n: v for n, v in data.items() if n in links and n not in problems},
                                      partial=True)
                resolve_links(session, principal, kind, linked, record)
            except ValidationError as more:
                problems |= more.problems
            raise ValidationError(problems) from None
    resolve_links(session, principal, kind, values, record)
    partners.refuse_outsiders(session, principal, kind.fields, values, record)
    return values


@contextmanager
def _keeping_named(session: Session, kind: Kind, data: Mapping[str, Any],
                   record: MarkedRecord | None) -> Iterator[None]:
    """While an update is parsed, the people its record names (assignee, RED recipients) pass the
    parsers' active-user check: a person who left keeps the tasks and records they were on, so that a
    row read back from its own export is no change. Naming a disabled person anew is still refused."""
    named = _people_named(session, kind, data, record) if record is not None else set()
    if not named:
        yield
        return
    before = session.info.get(fields.KEPT_INACTIVE)
    session.info[fields.KEPT_INACTIVE] = {"User": frozenset(named)}
    try:
        yield
    finally:
        if before is None:
            session.info.pop(fields.KEPT_INACTIVE, None)
        else:
            session.info[fields.KEPT_INACTIVE] = before


def _people_named(session: Session, kind: Kind, data: Mapping[str, Any], record: MarkedRecord) -> set[int]:
    """The users the record names in the people fields `data` gives (none asked for when it gives none)."""
    named: set[int] = set()
    for name, field in kind.fields.items():
        if name not in data:
            continue
        if field.parse is fields.user and getattr(record, field.column or name) is not None:
            named.add(getattr(record, field.column or name))
        elif field.parse is fields.users and name == "recipients":
            named |= recipient_ids(session, kind.entity, record.id)
    return named
