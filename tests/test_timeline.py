"""The operation's timeline on both stores: a sentence for every audit action the services write,
scoped like every read, paged by keyset newest first, narrowed by agency, kind and time."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import exports, policy, services
from coordination.errors import PermissionDenied
from coordination.models import AuditEvent, Outcome, Recipient, TaskUpdate
from coordination.principal import Principal
from coordination.queries import history, timeline
from coordination.queries.marking_history import REDACTED
from tests.conftest import SHA, suspect
from tests.helpers import open_page

ITEM = {"item_type": "phone", "description": "phone", "sha256": SHA, "seized_from": "x",
        "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x", "status": "awaiting analysis",
        "holder_name": "DC Example"}
DECISION = {"decision": "Strike on Monday", "rationale": "Partners ready"}


def lines(store, subject: str, filters: timeline.Filters = timeline.Filters(), size: int = 1_000) -> list:
    """Every line of the timeline, paging through it `size` events at a time."""
    found, before = [], None
    while True:
        with store.reader() as session:
            shown = timeline.page(session, store.principal(subject), filters, before, size)
        assert len(shown.lines) <= size and (shown.older is None or len(shown.lines) == size)
        found += shown.lines
        if shown.older is None:
            return found
        before = shown.older


def whats(store, subject: str, **filters) -> list[str]:
    return [line.what for line in lines(store, subject, timeline.Filters(**filters))]


@pytest.fixture
def story(operation):
    """The small operation, then one of every kind of change, by the people who may make them."""
    met, nl, commander = (operation.principal(s) for s in ("liaison.met", "liaison.nl-police", "commander.met"))
    with operation.writer() as s:
        services.create_suspect(s, nl, {"reference": "NL-S", "full_name": "x", "tier": "developer", "status": "lead"})
        services.create_arrest(s, nl, {"reference": "ARR-00152", "suspect": "NL-S", "jurisdiction": "NL",
                                       "arrested_at": "2022-11-07T06:00:00Z", "place": "Rotterdam",
                                       "offences": "fraud", "outcome": "bailed"})
        suspect = services.create_suspect(s, met, {"reference": "S-9", "full_name": "y", "tier": "user",
                                                   "status": "lead"})
        services.update_suspect(s, met, suspect.id, suspect.version, {"status": "identified", "tier": "heavy user"})
        item = services.create_evidence_item(s, met, ITEM | {"reference": "EXH-12"})
        services.transfer_custody(s, met, item.id, item.version, {
            "to_agency": "NCA", "to_holder": "NCA lab", "occurred_at": "2022-11-08T06:00:00Z", "place": "London",
            "purpose": "forensic analysis", "condition": "sealed", "hash_checked": SHA})
        task = services.create_task(s, commander, {"reference": "T-9", "title": "Image the server", "status": "open",
                                                   "priority": "low", "owning_agency": "NL-POLICE"})
        services.add_task_update(s, nl, task.id, "Imaging started", "in progress", task.version)
        first = services.record_decision(s, commander, DECISION | {"reference": "DEC-1"})
        services.pin_decision(s, commander, first.id, True)
        services.record_decision(s, commander, DECISION | {"reference": "DEC-2", "decision": "Strike on Tuesday"},
                                 corrects=first.id)
    return operation


def test_each_change_reads_as_a_sentence_naming_its_record_newest_first(story):
    found = lines(story, "commander.met")
    assert [(line.who, line.what) for line in found[:11]] == [
        ("Casey Commander (MET)", "pinned decision DEC-2 into the briefing"),
        ("Casey Commander (MET)", "unpinned decision DEC-1"),
        ("Casey Commander (MET)", "recorded decision DEC-2: “Strike on Tuesday”, correcting DEC-1"),
        ("Casey Commander (MET)", "pinned decision DEC-1 into the briefing"),
        ("Casey Commander (MET)", "recorded decision DEC-1: “Strike on Monday”"),
        ("Noor Liaison (NL-POLICE)", "added a note to task T-9: “Imaging started” and moved it open → in progress"),
        ("Casey Commander (MET)", "recorded task T-9 for NL-POLICE: Image the server"),
        ("Morgan Liaison (MET)", "passed evidence item EXH-12 from MET DC Example to NCA NCA lab "
                                 "(forensic analysis, custody event 2)"),
        ("Morgan Liaison (MET)", "recorded evidence item EXH-12 (phone), held by MET DC Example"),
        ("Morgan Liaison (MET)", "changed suspect S-9: status lead → identified; tier user → heavy user"),
        ("Morgan Liaison (MET)", "recorded suspect S-9 (user, lead)"),
    ]
    assert ("Noor Liaison (NL-POLICE)", "recorded arrest ARR-00152 in Netherlands") in \
        [(line.who, line.what) for line in found]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", line.when) for line in found)  # times carry their zone


def test_events_about_no_record_read_as_sentences_too(story):
    """Sign-ins, exports, refusals, users: not in the operation's timeline, but never ids or JSON either."""
    met, admin = story.principal("liaison.met"), story.principal("admin")
    with story.writer() as s:
        services.update_user(s, admin, met.user_id, 1, {"display_name": "Morgan L."})
        services.record_sign_in(s, met)
        with story.reader() as r:
            services.record_export(s, met, exports.build(r, met, "suspects"), "csv")
        with pytest.raises(PermissionDenied):
            services.create_suspect(s, story.principal("observer.eurojust"), {"reference": "X", "full_name": "x",
                                                                               "tier": "user", "status": "lead"})
    with story.reader() as session:
        names = history.names(session, story.principal("commander.met"))
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity.not_in(
            [kind.entity for kind in timeline.KINDS.values()] + [TaskUpdate.entity])
            | (AuditEvent.outcome == Outcome.REFUSED))).all()
        said = {(e.action, e.outcome): history.sentence(None, e, names, "") for e in events}
    assert said[("sign in", Outcome.OK)] == "signed in"
    assert said[("export", Outcome.OK)].startswith("exported ") and "(csv)" in said[("export", Outcome.OK)]
    assert said[("update", Outcome.OK)] == "changed a user's account"
    assert said[("create", Outcome.REFUSED)] == "was refused: an observer of EUROJUST may not create this suspect"
    assert said[("create", Outcome.OK)].startswith(("set up", "provisioned"))
    for sentence in said.values():
        assert not re.search(r"_id\b|[{}\[\]]|\"", sentence), sentence


def test_a_reader_sees_only_events_about_records_they_may_read_now(story):
    fbi = whats(story, "liaison.fbi")
    met = whats(story, "liaison.met")
    for canary in ("CANARY-STRICT", "CANARY-RED", "A-CANARY", "T-RED"):  # MET's AMBER+STRICT and RED
        assert not any(canary in what for what in fbi)
    assert any("CANARY-STRICT" in what for what in met) and not any("T-RED" in what for what in met)
    assert any("T-RED" in what for what in whats(story, "commander.met"))  # RED, its author is named
    assert whats(story, "admin") == []
    nobody = Principal(None, "http://idp.invalid", "stranger", "Stranger", None, "", None)
    with story.reader() as session:
        assert timeline.page(session, nobody).lines == []


def test_a_record_raised_out_of_reach_leaves_the_timeline_and_one_lowered_shows_then_restricted(story):
    met, fbi = story.principal("liaison.met"), story.principal("liaison.fbi")
    with story.writer() as s:
        raised = services.create_suspect(s, met, {"reference": "UP", "full_name": "x", "tier": "user",
                                                  "status": "lead"})
        services.update_suspect(s, met, raised.id, raised.version, {"tlp": "AMBER+STRICT"})
        lowered = services.create_suspect(s, met, {"reference": "DOWN", "full_name": "x", "tier": "user",
                                                   "status": "lead", "tlp": "AMBER+STRICT"})
        services.update_suspect(s, met, lowered.id, lowered.version, {"tlp": "GREEN"})
    seen = whats(story, "liaison.fbi")
    assert not any(" UP" in what for what in seen)
    assert f"recorded suspect DOWN {REDACTED}" in seen
    assert f"changed suspect DOWN: TLP marking {REDACTED} → GREEN" in seen
    assert policy.can_read(fbi, lowered.owning_agency_id, lowered.tlp, set())


def oracle(store, subject: str, filters: timeline.Filters) -> int:
    """How many events the timeline should hold: written out with the Python twin of the scoping rule."""
    who = store.principal(subject)
    kinds = {kind.entity: kind for kind in timeline.KINDS.values()}
    count = 0
    with store.reader() as session:
        for event in session.scalars(select(AuditEvent).where(AuditEvent.outcome == Outcome.OK)):
            if event.entity == TaskUpdate.entity:
                kind, record_id = kinds["task"], session.get(TaskUpdate, event.entity_id).task_id
            elif event.entity in kinds:
                kind, record_id = kinds[event.entity], event.entity_id
            else:
                continue
            record = session.get(kind.model, record_id)
            named = set(session.scalars(select(Recipient.user_id).where(Recipient.entity == kind.entity,
                                                                        Recipient.entity_id == record_id)))
            count += (policy.can_read(who, record.owning_agency_id, record.tlp, named)
                      and (not filters.kinds or kind.name in filters.kinds)
                      and (not filters.agencies or record.owning_agency.code in filters.agencies)
                      and (filters.since is None or event.occurred_at >= filters.since)
                      and (filters.until is None or event.occurred_at < filters.until))
    return count


@pytest.mark.slow  # every page under every filter, for three readers on two stores: the slow tier's
@pytest.mark.parametrize("subject", ["liaison.fbi", "liaison.met", "commander.met"])
@pytest.mark.parametrize("few", [timeline.FEW, 0])  # an agency's events looked up by record, or walked to
def test_keyset_pages_hold_each_event_once_newest_first_under_every_filter(story, subject, few, monkeypatch):
    monkeypatch.setattr(timeline, "FEW", few)
    with story.reader() as session:
        times = sorted(session.scalars(select(AuditEvent.occurred_at).where(AuditEvent.entity == "suspect")))
    middle = times[len(times) // 2]
    for filters in (timeline.Filters(), timeline.Filters(agencies=("MET",)), timeline.Filters(kinds=("tasks",)),
                    timeline.Filters(agencies=("NL-POLICE", "NCA"), kinds=("arrests", "tasks", "suspects")),
                    timeline.Filters(kinds=("decisions",)), timeline.Filters(since=middle),
                    timeline.Filters(until=middle), timeline.Filters(since=middle, until=middle + timedelta(seconds=1)),
                    timeline.Filters(agencies=("NOBODY",))):
        whole = lines(story, subject, filters)
        assert len(whole) == oracle(story, subject, filters), filters
        for size in (1, 3, 7):
            assert lines(story, subject, filters, size) == whole, (filters, size)
        assert [line.when for line in whole] == sorted((line.when for line in whole), reverse=True)
    assert whats(story, subject, kinds=("decisions",))[-1] == "recorded decision DEC-1: “Strike on Monday”"


def test_the_page_goes_back_in_time_and_returns_and_a_filter_starts_again(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    met = sqlite_store.principal("liaison.met")
    with sqlite_store.writer() as s:
        for n in range(timeline.PAGE_SIZE + 5):
            suspect(s, met, f"S-{n:03d}")
    at = open_page("liaison.fbi", "timeline")

    def shown() -> str:
        return re.sub(r"\\(.)", r"\1", at.markdown[0].value)  # Markdown's escapes of typed values undone

    assert shown().startswith("- **") and "recorded suspect S-054 (user, lead)" in shown()
    assert at.button(key="timeline-newer").disabled and not at.button(key="timeline-older").disabled
    at.button(key="timeline-older").click().run()
    assert "recorded suspect S-004" in shown() and "S-054" not in shown() and "Page 2" in at.caption[0].value
    assert at.button(key="timeline-older").disabled
    at.button(key="timeline-newer").click().run()
    assert "S-054" in shown()
    at.button(key="timeline-older").click().run()
    at.multiselect(key="timeline-kinds").select("tasks").run()  # new filters: from the newest page again
    assert "Page 1" in at.caption[0].value and not at.markdown[0].value.startswith("- ")
    assert at.info[0].value == "Nothing happened to records you may read within these filters."
