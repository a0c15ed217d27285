"""Issue 24: a record's story names other records only as its reader may know them, on both stores.

A correction of a decision the reader may not read answers exactly as if that entry did not exist
(the timeline, a record's history and the briefing's changes name the nearest entry of the chain
they may read, or none); no history line, refusal or outcome echoes an internal id."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coordination import services
from coordination.errors import ConflictError, NotFound, ValidationError
from coordination.kinds import DECISIONS, SUSPECTS, TARGET_PACKAGES
from coordination.markings import TLP
from coordination.models import AuditEvent, Decision, PackageStatus, Suspect
from coordination.queries import history, timeline
from coordination.record_references import RESTRICTED
from tests.conftest import suspect
from tests.test_action_day import create, step, walk

READER = "liaison.fbi"  # reads MET's AMBER decisions, never MET's RED ones


def decide(store, reference: str, corrects: Decision | None = None, **data) -> Decision:
    with store.writer() as session:
        return services.record_decision(session, store.principal("commander.met"),
                                        {"reference": reference, "decision": "Strike on Monday",
                                         "rationale": "Partners ready", "decided_at": "2026-01-05T10:00:00Z"} | data,
                                        corrects=corrects.id if corrects is not None else None)


def hidden(**data) -> dict:
    return {"tlp": "RED", "recipients": "liaison.met"} | data


def story_of(store, decision: Decision, subject: str = READER, up_to: TLP | None = None) -> dict[str, str]:
    """What the reader is told of `decision`'s creation: on the timeline, in its history, in a briefing."""
    reader = store.principal(subject)
    with store.reader() as session:
        told = [line.what for line in timeline.page(session, reader, timeline.Filters(kinds=("decisions",))).lines
                if line.what.startswith(f"recorded decision {decision.reference}:")]
        created = session.scalars(select(AuditEvent).where(AuditEvent.entity == "decision",
                                                           AuditEvent.entity_id == decision.id,
                                                           AuditEvent.action == "create")).one()
        said = history.sentences(session, reader.within(up_to), [created], {created.seq: (True, True)})
        return {"timeline": told[0], "history": history.history(session, reader, DECISIONS, decision.id)[0].what,
                "briefing": said[created.seq]}


def alike(told: dict[str, str], prefix: str) -> dict[str, str]:
    return {where: what.replace(prefix, "X-") for where, what in told.items()}


def test_a_correction_of_a_hidden_correction_names_the_entry_before_it_as_if_it_were_not_there(store):
    first = decide(store, "H-1")
    secret = decide(store, "H-RED", corrects=first, **hidden(decision="Strike on Sunday"))
    mine = decide(store, "H-2", corrects=secret, decision="Strike on Tuesday")  # its author reads the RED one
    control = decide(store, "C-1")
    plain = decide(store, "C-2", corrects=control, decision="Strike on Tuesday")
    seen, expected = story_of(store, mine), story_of(store, plain)
    assert seen["timeline"] == "recorded decision H-2: “Strike on Tuesday”, correcting H-1"  # not "(restricted record)"
    assert alike(seen, "H-") == alike(expected, "C-")
    assert seen["history"].endswith(", corrects H-1")
    assert RESTRICTED not in " ".join(seen.values())
    assert story_of(store, mine, "commander.met")["timeline"].endswith("correcting H-RED")  # named: read as it is


def test_a_correction_of_a_hidden_entry_reads_like_a_decision_that_corrects_nothing(store):
    secret = decide(store, "H-RED", **hidden())
    mine = decide(store, "H-2", corrects=secret, decision="Strike on Tuesday")
    plain = decide(store, "C-2", decision="Strike on Tuesday")
    seen = story_of(store, mine)
    assert alike(seen, "H-") == alike(story_of(store, plain), "C-")
    assert seen["timeline"] == "recorded decision H-2: “Strike on Tuesday”"
    assert "corrects" not in seen["history"] and RESTRICTED not in " ".join(seen.values())


def test_a_briefing_names_the_nearest_correction_within_its_marking(store):
    first = decide(store, "H-1")
    strict = decide(store, "H-STRICT", corrects=first, tlp="AMBER+STRICT")
    mine = decide(store, "H-2", corrects=strict)
    met = "liaison.met"  # reads MET's AMBER+STRICT entry: named, but not in a document marked up to AMBER
    assert story_of(store, mine, met)["briefing"].endswith(", corrects H-STRICT")
    assert story_of(store, mine, met, up_to=TLP.AMBER)["briefing"].endswith(", corrects H-1")


def test_no_history_line_prints_an_internal_id(store, key_file):
    met = store.principal("liaison.met")
    with store.writer() as session:
        for ref in ("S-1", "S-2"):
            suspect(session, met, ref, status="located")
    nl = store.principal("liaison.nl-police")
    with store.writer() as session:
        nl_suspect = suspect(session, nl, "S-NL", status="located")
    package = create(store, "liaison.met", "P-1", subjects="S-1, S-2, S-NL")
    with store.writer() as session:
        services.update_suspect(session, nl, nl_suspect.id, nl_suspect.version, {"tlp": "AMBER+STRICT"})
        services.update_package(session, met, package.id, package.version, {"subjects": f"S-1, {RESTRICTED}"})
    first = decide(store, "DEC-1")
    second = decide(store, "DEC-2", corrects=first)
    with store.reader() as session:
        said = [e.what for kind, record in ((DECISIONS, second.id), (TARGET_PACKAGES, package.id))
                for e in history.history(session, met, kind, record)]
    assert said[0].endswith(", corrects DEC-1")
    assert f"subjects (suspect references) {RESTRICTED}, S-1, S-2," in said[1]  # as the package's export names them
    assert f"changed subjects (suspect references) {RESTRICTED}, S-1, S-2 → {RESTRICTED}, S-1" in said
    for what in said:  # "corrects 8", "subjects [3, 4]" before
        assert not re.search(r"(corrects|references\)) \[?\d", what) and "[" not in what, what


@pytest.fixture
def raised(store, key_file):
    """MET's package P-1 names NL's S-NL, since raised out of MET's sight (NL's AMBER+STRICT)."""
    met, nl = store.principal("liaison.met"), store.principal("liaison.nl-police")
    with store.writer() as session:
        suspect(session, met, "S-1", status="located")
        nl_suspect = suspect(session, nl, "S-NL", status="located")
    package = create(store, "liaison.met", "P-1", subjects="S-1, S-NL")
    with store.writer() as session:
        services.update_suspect(session, nl, nl_suspect.id, nl_suspect.version, {"tlp": "AMBER+STRICT"})
    walk(store, package.id, PackageStatus.ENTERED)
    return store, package, nl_suspect


def test_a_packages_steps_read_as_words(raised):
    store, package, _ = raised
    step(store, "liaison.met", package.id, PackageStatus.ABORTED, note="door closed, nobody in")
    with store.reader() as session:
        met = store.principal("liaison.met")
        said = [e.what for e in history.history(session, met, TARGET_PACKAGES, package.id)]
        told = [line.what for line in timeline.page(session, met, timeline.Filters(kinds=("packages",))).lines]
    assert said[-4:] == ["moved it planned → briefed", "moved it briefed → deployed", "moved it deployed → entered",
                         "moved it entered → aborted: “door closed, nobody in”"]
    assert told[0] == "moved target package P-1 entered → aborted: “door closed, nobody in”"


@pytest.mark.parametrize("chosen", ["all", "the hidden one"])
def test_arrest_made_naming_a_subject_raised_out_of_sight_names_no_id(raised, chosen):
    store, package, nl_suspect = raised
    with pytest.raises(ValidationError) as refused:
        step(store, "liaison.met", package.id, PackageStatus.ARREST_MADE,
             **({"arrested": [nl_suspect.id]} if chosen != "all" else {}))
    said = str(refused.value)
    assert str(nl_suspect.id) not in said and "S-NL" not in said
    assert "a subject of this package is no longer one you may read" in refused.value.problems["arrested"]


def test_a_link_or_record_chosen_by_id_that_is_hidden_answers_like_a_missing_one_and_echoes_no_id(raised):
    store, _, nl_suspect = raised
    met = store.principal("liaison.met")

    def refusal(suspect_id: int) -> str:
        with store.writer() as session, pytest.raises(ValidationError) as refused:
            services.create_arrest(session, met, {"reference": "A-1", "suspect": suspect_id, "jurisdiction": "NL",
                                                  "arrested_at": "2022-11-07T06:00:00Z", "place": "x",
                                                  "offences": "fraud", "outcome": "bailed"})
        return refused.value.problems["suspect"]

    def not_found(suspect_id: int) -> str:
        with store.writer() as session, pytest.raises(NotFound) as missing:
            services.update_suspect(session, met, suspect_id, 1, {"status": "arrested"})
        return str(missing.value)

    with store.reader() as session:
        nowhere = session.scalar(select(Suspect.id).order_by(Suspect.id.desc()).limit(1)) + 1_000
    for ask in (refusal, not_found):
        hidden_said, missing_said = ask(nl_suspect.id), ask(nowhere)
        assert hidden_said == missing_said
        assert str(nl_suspect.id) not in hidden_said and str(nowhere) not in missing_said
    assert SUSPECTS.entity in refusal(nowhere)


def test_a_missing_hit_request_or_user_and_a_clash_name_no_id(store):
    liaison, admin = store.principal("liaison.met"), store.principal("admin")
    commander = store.principal("commander.met")
    asked = [(services.ask_for_contact, (liaison, 4_242, "a reason")),
             (services.decline_contact, (liaison, 4_242, "no")),
             (services.remove_identifier, (liaison, 4_242)),
             (services.remove_exclusion, (commander, 4_242)),
             (services.update_user, (admin, 4_242, 1, {"display_name": "x"}))]
    for ask, arguments in asked:
        with store.writer() as session, pytest.raises(NotFound) as missing:
            ask(session, *arguments)
        assert "4242" not in str(missing.value) and "does not exist" in str(missing.value), ask
    with store.writer() as session:
        services.update_user(session, admin, liaison.user_id, 1, {"display_name": "Morgan L."})
    with store.writer() as session, pytest.raises(ConflictError) as clash:
        services.update_user(session, admin, liaison.user_id, 1, {"display_name": "Morgan M."})
    said = str(clash.value)
    assert said.startswith("this user was changed by ") and f"user {liaison.user_id}" not in said
