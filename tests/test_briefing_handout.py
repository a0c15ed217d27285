"""A briefing fit to hand out (issue 18): the shareable version up to a marking, the preview as another
agency's liaison, the summary, the distribution list, changes within the page's filters, and the
closing verification (its QR code decoded from the PDF, its document hash recomputed)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from coordination import briefing
from coordination.aggregates import Filters
from coordination.briefing import contents as briefing_contents
from coordination.briefing import verification
from coordination.cli import cli
from coordination.errors import PermissionDenied, ValidationError
from coordination.markings import TLP
from coordination.models import AuditEvent, Outcome, Role, Suspect
from coordination.services import create_arrest, create_evidence_item, create_suspect, create_task, update_suspect
from tests.conftest import SHA, require, suspect
from tests.helpers import open_page
from tests.test_briefing import banners, brief, cli_url, text_of

# one canary of every kind at every marking, named so that no name holds another
LEVELS = {TLP.CLEAR: "CLR", TLP.GREEN: "GRN", TLP.AMBER: "AMB", TLP.AMBER_STRICT: "STR", TLP.RED: "RD"}


@pytest.fixture
def canaries(operation):
    """Besides `operation`: MET's suspect, arrest, evidence item and task at each marking (RED ones
    addressed to the commander), an AMBER arrest of the RED suspect, an AMBER task depending on the
    AMBER+STRICT one, and a suspect written AMBER+STRICT then lowered to AMBER."""
    met = operation.principal("liaison.met")
    with operation.writer() as s:
        for tlp, tag in LEVELS.items():
            marking = {"tlp": tlp.value, **({"recipients": "commander.met,liaison.met"} if tlp is TLP.RED else {})}
            create_suspect(s, met, {"reference": f"S-{tag}", "full_name": f"Synthetic S-{tag}", "tier": "user",
                                    "status": "located", **marking})
            create_arrest(s, met, {"reference": f"A-{tag}", "suspect": f"S-{tag}", "jurisdiction": "GB-EAW",
                                   "arrested_at": _hours_ago(2), "place": "x", "offences": "fraud",
                                   "outcome": "bailed", **marking})
            create_evidence_item(s, met, {"reference": f"E-{tag}", "item_type": "phone", "description": "phone",
                                          "sha256": SHA, "seized_from": "x", "seized_at": _hours_ago(3),
                                          "seized_place": "x", "status": "awaiting analysis",
                                          "holder_name": f"Holder {tag}", **marking})
            create_task(s, met, {"reference": f"T-{tag}", "title": f"Task {tag}", "status": "open",
                                 "priority": "high", "due_date": "2022-11-01", **marking})
        create_arrest(s, met, {"reference": "A-OF-RED", "suspect": "S-RD", "jurisdiction": "NL",
                               "arrested_at": _hours_ago(1), "place": "x", "offences": "fraud", "outcome": "bailed"})
        create_task(s, met, {"reference": "T-AFTER-STR", "title": "after", "status": "open", "priority": "low",
                             "depends_on": "T-STR"})
        create_suspect(s, met, {"reference": "S-LOWERED", "full_name": "Name While Strict", "tier": "user",
                                "status": "lead", "tlp": "AMBER+STRICT"})
    with operation.writer() as s:
        lowered = s.scalar(select(Suspect).where(Suspect.reference == "S-LOWERED"))
        update_suspect(s, met, lowered.id, lowered.version, {"tlp": "AMBER"})
    return operation


def _decoder():
    try:
        import zxingcpp
    except ImportError:
        zxingcpp = None
    require(zxingcpp is not None, "zxing-cpp (requirements-dev.txt) is not installed")
    return zxingcpp


def _hours_ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _canaries_in(text: str) -> set[str]:
    """The canaries named in `text` (every kind at every marking)."""
    return {f"{kind}-{tag}" for kind in "SAET" for tag in LEVELS.values()
            if re.search(rf"(?<![\w-]){kind}-{tag}(?![\w-])", text)}


ARRESTS_UP_TO = {TLP.CLEAR: 1, TLP.GREEN: 2, TLP.AMBER: 7, TLP.AMBER_STRICT: 9, TLP.RED: 10}  # the commander's


@pytest.mark.parametrize("up_to", list(TLP))
def test_a_shareable_briefing_holds_nothing_above_its_marking_and_says_so(canaries, up_to):
    result, reader = brief(canaries, "commander.met", audience=briefing.Audience(up_to=up_to.value))
    text = text_of(reader)
    allowed = {f"{kind}-{tag}" for kind in "SAET" for tlp, tag in LEVELS.items() if tlp.rank <= up_to.rank}
    assert _canaries_in(text) == allowed  # every kind at or below the marking (named in the changes), none above
    lines = {record: what for _, _, record, what in result.contents.changes.lines}
    assert not [what for what in lines.values() if re.search(r"_id\b|[{}]|\bid\b", what)]  # no ids, columns, JSON
    assert all(when.endswith(" UTC") for when, *_ in result.contents.changes.lines)
    if TLP.AMBER.rank <= up_to.rank < TLP.RED.rank:  # (these records are AMBER) a link to a record above the
        assert "suspect (restricted record)" in lines["arrest A-OF-RED"]  # marking names no reference
    if up_to is TLP.AMBER:  # nor do values from a time the record was above it
        assert "depends on (restricted record)" in lines["task T-AFTER-STR"]
        assert "(restricted at the time)" in lines["suspect S-LOWERED"]
    if up_to.rank < TLP.AMBER_STRICT.rank:
        assert "Name While Strict" not in text
    assert result.contents.tlp is up_to
    marking = f"OFFICIAL-SENSITIVE   {up_to.label}"
    for number, page in enumerate(reader.pages, 1):
        top, bottom = banners(page)
        assert (top, bottom[-1:]) == ([marking], [marking]), f"page {number}"
    assert result.contents.picture.arrests_total == ARRESTS_UP_TO[up_to]  # recounted
    assert f"Arrests in total {ARRESTS_UP_TO[up_to]}" in text
    if up_to is not TLP.RED:
        assert f"records marked above {up_to.label} are left out" in " ".join(reader.pages[0].extract_text().split())


def test_the_preview_as_a_liaison_of_an_agency_is_what_that_liaison_gets(canaries):
    now = datetime.now(UTC)
    commander, fbi = canaries.principal("commander.met"), canaries.principal("liaison.fbi")
    stand_in = commander.stand_in(Role.LIAISON, fbi.agency_id, "FBI")
    with canaries.reader() as s:
        preview = briefing_contents.gather(s, commander, now=now, reader=stand_in)
        liaison = briefing_contents.gather(s, fbi, now=now)
    for part in ("picture", "summary", "tables", "changes", "tlp", "classification", "head_seq"):
        assert getattr(preview, part) == getattr(liaison, part), part
    assert preview.changes.total > 10 and preview.tlp is TLP.AMBER

    _, reader = brief(canaries, "commander.met", audience=briefing.Audience(as_liaison_of="FBI"))
    _, own = brief(canaries, "liaison.fbi")
    assert "Prepared as a liaison of FBI would receive it" in reader.pages[0].extract_text()

    def body(text: str) -> list[str]:  # from the summary to the verification, without the footers
        lines = [line for line in text.splitlines() if not re.search(r"page \d+ of \d+", line)]
        return lines[lines.index("Summary"):lines.index("Verification")]
    assert body(text_of(reader)) == body(text_of(own))
    assert _canaries_in(text_of(reader)) == {f"{kind}-{tag}" for kind in "SAET" for tag in ("CLR", "GRN", "AMB")}


def test_only_a_commander_previews_as_another_agency_and_the_refusal_is_audited(canaries):
    with pytest.raises(PermissionDenied):
        brief(canaries, "liaison.met", audience=briefing.Audience(as_liaison_of="FBI"))
    with canaries.reader() as s:
        last = s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert (last.action, last.entity, last.outcome) == ("export", "briefing", Outcome.REFUSED)


@pytest.mark.parametrize(("audience", "field"), [
    (briefing.Audience(up_to="PURPLE"), "highest marking"),
    (briefing.Audience(up_to="x" * 100_000), "highest marking"),
    (briefing.Audience(as_liaison_of="KGB"), "agencies"),
    (briefing.Audience(agencies=("FBI", "X" * 100_000)), "agencies"),
    (briefing.Audience(people=("liaison.fbi", "nobody.here")), "people"),
    (briefing.Audience(people=tuple(f"p{n}" for n in range(100_000))), "distribution"),
    (briefing.Audience(agencies=tuple(f"A{n}" for n in range(100_000))), "distribution"),
    (briefing.Audience(people=(None, 7), as_liaison_of=""), "people"),
])
def test_an_audience_naming_nothing_known_is_refused_in_words(operation, audience, field):
    with pytest.raises(ValidationError) as refused:
        brief(operation, "commander.met", audience=audience)
    assert field in refused.value.problems and len(str(refused.value)) < 500


def test_the_distribution_and_the_handling_are_on_the_cover(operation):
    audience = briefing.Audience(people=("commander.met",), agencies=("NCA",))
    result, reader = brief(operation, "commander.met", audience=audience)
    cover = " ".join(reader.pages[0].extract_text().split())
    commander = operation.principal("commander.met")
    assert f"Distribution: {commander.label}; NCA (" in cover
    assert "TLP:RED: For the eyes and ears of the named recipients only." in cover
    assert "Handle as OFFICIAL-SENSITIVE: keep it locked away" in cover
    assert result.contents.distribution[0] == commander.label
    with operation.reader() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.entity == "briefing"))
    assert commander.label in event.after


def test_a_red_briefing_is_not_made_for_a_person_who_may_read_none_of_its_red_records(operation):
    """The commander's full briefing holds the RED task addressed to them: the FBI liaison may read none
    of it, so naming them is refused in words (nothing made, nothing recorded); the same people on a
    version up to AMBER+STRICT are fine."""
    fbi = operation.principal("liaison.fbi")
    with pytest.raises(ValidationError) as refused:
        brief(operation, "commander.met", audience=briefing.Audience(people=("commander.met", "liaison.fbi")))
    assert refused.value.problems == {"people": f"{fbi.label} may read none of this briefing's TLP:RED records: "
                                                "leave them off the distribution, or make a version up to "
                                                "AMBER+STRICT for them"}
    with operation.reader() as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.entity == "briefing")) is None
    result, _ = brief(operation, "commander.met", audience=briefing.Audience(
        up_to="AMBER+STRICT", people=("commander.met", "liaison.fbi")))
    assert result.contents.tlp is TLP.AMBER_STRICT and result.contents.distribution[1] == fbi.label


def test_the_summary_says_in_sentences_what_changed_and_what_is_late(operation):
    met, fbi = operation.principal("liaison.met"), operation.principal("liaison.fbi")
    with operation.writer() as s:  # arrests in the last day: two in England and Wales, one in the Netherlands,
        for n, (where, who, tlp) in enumerate([("GB-EAW", met, "AMBER"), ("GB-EAW", met, "AMBER"),
                                               ("NL", fbi, "AMBER"), ("NL", met, "AMBER+STRICT")]):
            ref = f"NEW-{n}"  # and one the FBI may not see
            suspect(s, who, ref, "arrested", tlp=tlp)
            create_arrest(s, who, {"reference": f"A-NEW-{n}", "suspect": ref, "jurisdiction": where, "tlp": tlp,
                                   "arrested_at": _hours_ago(n + 1), "place": "x", "offences": "fraud",
                                   "outcome": "charged"})
    commander, _ = brief(operation, "commander.met")
    liaison, _ = brief(operation, "liaison.fbi")
    today = commander.contents.made_at.date()
    day = commander.contents.action_day
    days = (today - day).days
    action_day = f"The action day, {day:%A} {day.day} {day:%B %Y}, was {days} days ago."
    # fixture: T-1 (MET) and the blocked T-2 (MET) overdue, T-3 (FBI) overdue, T-4 done; E-1, E-2 waiting
    assert commander.contents.summary == [
        "In the last 24 hours: 4 arrests, 2 of them in England and Wales.",
        "Overdue now: 3 tasks, 2 of them owned by MET; blocked: 1 task.",
        "Awaiting analysis: 2 evidence items. In all: 8 arrests, 9 suspects past lead.",
        f"{commander.contents.changes.total} changes to these records in the last 24 hours, listed at the end.",
        action_day]
    assert liaison.contents.summary[:3] == [
        "In the last 24 hours: 3 arrests, 2 of them in England and Wales.",
        "Overdue now: 3 tasks, 2 of them owned by MET; blocked: 1 task.",
        "Awaiting analysis: 2 evidence items. In all: 6 arrests, 7 suspects past lead."]
    only_fbi, _ = brief(operation, "liaison.fbi", filters=Filters(agencies=("FBI",)))
    assert only_fbi.contents.summary[:2] == ["In the last 24 hours: 1 arrest, in Netherlands.",
                                             "Overdue now: 1 task, owned by FBI; blocked: no tasks."]


def test_the_changes_keep_to_the_page_filters(operation):
    result, reader = brief(operation, "commander.met", filters=Filters(agencies=("FBI",)))
    records = {record for _, _, record, _ in result.contents.changes.lines}
    assert records == {"suspect F-1", "arrest A-3", "task T-3", "task T-4", "target package P-2"}
    text = text_of(reader)
    assert "M-3" not in text and "T-1 " not in text and "T-1\n" not in text


def test_the_qr_code_holds_the_state_and_a_document_hash_that_checks(operation):
    zxingcpp = _decoder()
    result, reader = brief(operation, "liaison.fbi")
    last = reader.pages[-1]
    assert "Verification" in last.extract_text()
    (qr,) = last.images
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.data)).convert("L"))
    c = result.contents
    checked = re.search(r"first (\d+) bytes ([0-9a-f]{64})", decoded[0].text)
    length, digest = int(checked[1]), checked[2]
    assert decoded[0].text == verification.payload(c, length, digest)
    assert f"Audit head: event {c.head_seq} {c.head_hash}" in decoded[0].text
    assert hashlib.sha256(result.pdf[:length]).hexdigest() == digest  # what `head -c N | sha256sum` prints
    stamp = " ".join(last.extract_text().split())
    assert f"first {length:,} bytes" in stamp and f"head -c {length} FILE.pdf | sha256sum" in stamp
    assert digest[:32] in stamp and digest[32:] in stamp
    with operation.reader() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.entity == "briefing"))
    assert digest in event.after and result.sha256 in event.after


def test_the_page_prepares_a_shareable_preview_for_a_distribution(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    monkeypatch.setenv("COORD_CHROMIUM", "")  # this test is about the page, not the charts
    with sqlite_store.writer() as s:
        for tlp in ("GREEN", "AMBER"):
            suspect(s, sqlite_store.principal("liaison.fbi"), f"S-FBI-{tlp}", "identified", tlp=tlp)
    at = open_page("commander.met", "dashboard")
    at.selectbox(key="briefing-up-to").set_value("TLP:GREEN")
    at.selectbox(key="briefing-as-liaison-of").set_value("FBI")
    at.multiselect(key="briefing-people").set_value(["liaison.fbi"])
    at.multiselect(key="briefing-agencies").set_value(["FBI"]).run()
    at.button(key="briefing-prepare").click().run()
    assert not at.exception and not at.error
    name, pdf, marking, _ = at.session_state["briefing-prepared"]
    assert marking == "OFFICIAL-SENSITIVE TLP:GREEN" and name.endswith("TLP-GREEN.pdf")
    text = text_of(PdfReader(io.BytesIO(pdf)))
    cover = " ".join(text.split())
    assert "Prepared as a liaison of FBI would receive it" in cover and "Distribution: " in cover
    assert "S-FBI-GREEN" in text and "S-FBI-AMBER" not in text
    assert "Highest marking to include" in [box.label for box in at.selectbox]


def test_a_liaison_is_not_offered_the_view_of_another_agency(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    at = open_page("liaison.fbi", "dashboard")
    keys = [box.key for box in at.selectbox]
    assert "briefing-up-to" in keys and "briefing-as-liaison-of" not in keys


def test_the_cli_makes_the_shareable_preview_and_refuses_a_bad_marking_in_words(operation, tmp_path, monkeypatch):
    monkeypatch.setenv("COORD_CHROMIUM", "")
    with operation.writer() as s:
        suspect(s, operation.principal("liaison.fbi"), "F-GREEN", "identified", tlp="GREEN")
    out, runner = tmp_path / "briefing.pdf", CliRunner()
    done = runner.invoke(cli, ["briefing", "--as", "commander.met", "--out", str(out), "--up-to", "green",
                               "--as-liaison-of", "FBI", "--to", "liaison.fbi", "--to-agency", "FBI",
                               "--database-url", cli_url(operation)])
    assert done.exit_code == 0, done.output
    assert "OFFICIAL-SENSITIVE TLP:GREEN" in done.output
    cover = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "Prepared as a liaison of FBI" in cover and "records marked above TLP:GREEN are left out" in cover
    assert "F-GREEN" in text_of(PdfReader(out)) and "F-1" not in text_of(PdfReader(out))
    wrong = runner.invoke(cli, ["briefing", "--as", "commander.met", "--out", str(out), "--up-to", "PURPLE",
                                "--database-url", cli_url(operation)])
    assert wrong.exit_code != 0 and "not a TLP 2.0 label" in wrong.output and "Traceback" not in wrong.output
