"""The PDF briefing read back with pypdf: markings, figures, scoping, changes, scripts, charts, record."""

from __future__ import annotations

import hashlib
import io

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import func, select

from coordination import audit, briefing, chart_images, charts, policy, services
from coordination.aggregates import picture
from coordination.cli import cli
from coordination.errors import PermissionDenied
from coordination.models import OPERATIONAL_RECORDS, AuditEvent, Briefing, Outcome, Suspect, TargetPackage, Task
from tests.conftest import PG_SCHEMA, require

BANNER_ZONE_PT = 60  # a banner sits within this many points of the page's top or bottom edge


def brief(store, subject: str, **options):
    options.setdefault("with_charts", False)
    result = briefing.export(store.engine, store.principal(subject), **options)
    return result, PdfReader(io.BytesIO(result.pdf))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def cli_url(store) -> str:
    """The store's address for the CLI, whose own engine must find the test schema too."""
    url = store.engine.url
    if store.kind == "postgresql":
        url = url.update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"})
    return url.render_as_string(hide_password=False)


def banners(page) -> tuple[list[str], list[str]]:
    """The text drawn near the top and near the bottom edge of a page."""
    top, bottom = [], []
    height = float(page.mediabox.height)

    def visit(text, _cm, tm, _font, _size):
        if text.strip():
            y = tm[5]
            (top if y > height - BANNER_ZONE_PT else bottom if y < BANNER_ZONE_PT / 2 else []).append(text.strip())

    page.extract_text(visitor_text=visit)
    return top, bottom


@pytest.mark.parametrize(("subject", "expected"), [("commander.met", "OFFICIAL-SENSITIVE   TLP:RED"),
                                                   ("liaison.fbi", "OFFICIAL-SENSITIVE   TLP:AMBER")])
def test_every_page_carries_the_highest_marking_at_top_and_bottom(operation, subject, expected):
    # the commander's briefing counts the RED task it wrote; the FBI liaison sees nothing above AMBER
    result, reader = brief(operation, subject)
    assert len(reader.pages) > 2  # cover, figures, charts and the tables after them
    for number, page in enumerate(reader.pages, 1):
        top, bottom = banners(page)
        assert (top, bottom[-1:]) == ([expected], [expected]), f"page {number}"
        assert f"page {number} of {len(reader.pages)}" in page.extract_text()
    assert f"{result.contents.classification.value}   {result.contents.tlp.label}" == expected
    assert reader.metadata.title.startswith("Operation Elaborate briefing")
    assert reader.metadata.author == operation.principal(subject).label
    cover = reader.pages[0].extract_text()
    assert "Handling: OFFICIAL-SENSITIVE, TLP:" in cover and "UTC" in cover and "London time" in cover


def test_the_figures_are_the_dashboard_queries_for_the_same_person(operation):
    for subject in ("commander.met", "liaison.fbi"):
        result, reader = brief(operation, subject)
        with operation.reader() as s:
            seen = picture(s, operation.principal(subject), today=result.contents.made_at.date())
        lines = set(reader.pages[1].extract_text().splitlines())
        expected = {"Arrests in total": seen.arrests_total, "Arrests today": seen.arrests_today,
                    "Evidence awaiting analysis": seen.evidence_awaiting_analysis, "Open tasks": seen.tasks_open,
                    "Overdue tasks": seen.tasks_overdue, "Blocked tasks": seen.tasks_blocked,
                    **{f"Suspects {status}": seen.suspects_by_status.get(status, 0) for status in charts.PIPELINE}}
        missing = [f"{label} {value:,}" for label, value in expected.items() if f"{label} {value:,}" not in lines]
        assert missing == [], subject


def test_a_liaison_briefing_omits_the_canaries_a_commander_briefing_shows(operation):
    commander, commander_pdf = brief(operation, "commander.met", since_last=True)
    fbi, fbi_pdf = brief(operation, "liaison.fbi", since_last=True)
    commander_text, fbi_text = text_of(commander_pdf), text_of(fbi_pdf)
    assert "CANARY-STRICT" in commander_text and "A-CANARY" in commander_text  # named in "changes"
    for canary in ("CANARY-STRICT", "A-CANARY", "CANARY-RED", "T-RED"):
        assert canary not in fbi_text
    assert "CANARY-RED" not in commander_text  # RED and not addressed to the commander
    assert commander.contents.picture.arrests_total - fbi.contents.picture.arrests_total == 1
    assert "Arrests in total 4" in commander_text and "Arrests in total 3" in fbi_text


def test_changes_since_the_last_briefing_are_exactly_the_audited_changes(operation):
    met, fbi = operation.principal("liaison.met"), operation.principal("liaison.fbi")
    first, _ = brief(operation, "commander.met", since_last=True)
    assert first.contents.changes.total > 10  # the first briefing: everything since the start
    with operation.writer() as s:
        m0 = s.scalar(select(Suspect).where(Suspect.reference == "M-0"))
        services.update_suspect(s, met, m0.id, m0.version, {"status": "identified"})
        services.create_task(s, fbi, {"reference": "T-NEW", "title": "Serve a request", "status": "open",
                                      "priority": "high"})
        t1 = s.scalar(select(Task).where(Task.reference == "T-1"))
        services.add_task_update(s, met, t1.id, "Request sent")
        services.create_suspect(s, met, {"reference": "STRICT-NEW", "full_name": "x", "tier": "user",
                                         "status": "lead", "tlp": "AMBER+STRICT"})
    second, reader = brief(operation, "commander.met", since_last=True)
    lines = second.contents.changes.lines
    print(lines)
    assert [(record, what) for _when, _who, record, what in lines] == [
        ("suspect STRICT-NEW", "created it: reference STRICT-NEW, full name x, tier user, status lead, "
                               "TLP marking AMBER+STRICT, classification OFFICIAL-SENSITIVE, owning agency MET"),
        ("task T-1", "added a note: “Request sent”"),
        ("task T-NEW", "created it: reference T-NEW, title Serve a request, status open, priority high, "
                       "TLP marking AMBER, classification OFFICIAL-SENSITIVE, owning agency FBI"),
        ("suspect M-0", "changed status lead → identified")]
    assert all(when.endswith(" UTC") for when, *_ in lines)
    assert second.contents.changes.total == 4 and second.contents.changes.since_seq == first.contents.head_seq
    text = text_of(reader)
    assert "Changes since your last briefing at" in text and "4 change(s) to the records this briefing covers." in text
    assert "Morgan Liaison (MET)" in text  # who, by name
    fbi_view, _ = brief(operation, "liaison.fbi", since_last=True)
    assert "suspect STRICT-NEW" not in [record for _, _, record, _ in fbi_view.contents.changes.lines]


def test_names_in_any_script_survive(operation):
    met = operation.principal("liaison.met")
    names = ["王伟芳", "Дмитрий Ковлинов", "Ayşe Karoğlu", "Zoë Brontë-Ørsted", "محمد الحدرى"]
    with operation.writer() as s:
        for n, name in enumerate(names):
            services.create_suspect(s, met, {"reference": f"KEY-{n}", "full_name": name, "tier": "administrator",
                                             "status": "identified"})
    _, reader = brief(operation, "liaison.met")
    text = text_of(reader)
    for name in names[:-1]:
        assert name in text
    arabic = [line for line in text.splitlines() if "KEY-4" in line][0]
    assert sum("\u0600" <= ch <= "\u06ff" or "\ufe70" <= ch <= "\ufeff" for ch in arabic) >= 8  # shaped, not boxes
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert any("DroidSansFallback" in name for name in fonts), fonts  # the CJK fallback is embedded


def test_a_briefing_with_charts_has_one_image_per_chart(operation):
    require(chart_images.find_chromium() is not None, "no Chromium to draw charts with")
    result, reader = brief(operation, "commander.met", with_charts=True)
    assert result.charts_note == ""
    assert sum(len(page.images) for page in reader.pages) == len(charts.ALL) + 1  # and the QR code
    assert "Chart not drawn" not in text_of(reader)


def test_without_chromium_the_briefing_has_its_tables_and_a_note_per_chart(operation, monkeypatch):
    monkeypatch.setenv("COORD_CHROMIUM", "")
    result, reader = brief(operation, "commander.met", with_charts=True)
    assert sum(len(page.images) for page in reader.pages) == 1  # the QR code only
    text = text_of(reader)
    assert text.count("Chart not drawn") == len(charts.ALL)
    assert "No Chromium was found" in text and "COORD_CHROMIUM" in result.charts_note
    assert "Arrests by jurisdiction" in text and "Evidence awaiting analysis" in text


def test_a_chromium_that_cannot_start_gives_the_tables_and_says_why(operation, monkeypatch):
    chart_images.shutdown()  # a renderer left warm by another test would draw
    monkeypatch.setenv("COORD_CHROMIUM", "/bin/false")  # there, executable, and no browser
    result, reader = brief(operation, "commander.met", with_charts=True)
    assert sum(len(page.images) for page in reader.pages) == 1  # the QR code only
    assert text_of(reader).count("Chart not drawn") == len(charts.ALL)
    assert "could not draw" in result.charts_note and "choreo_get_chrome" not in result.charts_note
    assert "COORD_CHROMIUM" in result.charts_note  # and how to put it right


def test_each_briefing_is_recorded_with_its_hash_and_the_audit_head(operation):
    result, reader = brief(operation, "commander.met")
    with operation.reader() as s:
        row = s.get(Briefing, result.briefing_id)
        event = s.scalar(select(AuditEvent).where(AuditEvent.entity == "briefing",
                                                  AuditEvent.entity_id == row.id))
        shown_head = s.scalar(select(AuditEvent.hash).where(AuditEvent.seq == row.audit_head_seq))
        assert audit.verify(s.connection()).ok
    assert row.sha256 == hashlib.sha256(result.pdf).hexdigest() == result.sha256
    assert (row.tlp.label, row.classification.value) == ("TLP:RED", "OFFICIAL-SENSITIVE")
    assert shown_head == row.audit_head_hash  # the head when the content was read
    assert event.action == "export" and event.seq == row.audit_head_seq + 1
    assert row.sha256 in event.after and row.audit_head_hash in event.after
    assert row.audit_head_hash in reader.pages[-1].extract_text().replace("\n", "")  # in "Verification"


def test_an_admin_makes_no_briefing_and_the_refusal_is_audited(operation):
    with pytest.raises(PermissionDenied):
        brief(operation, "admin")
    with operation.reader() as s:
        last = s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert s.scalar(select(Briefing.id).limit(1)) is None
    assert (last.action, last.entity, last.outcome) == ("export", "briefing", Outcome.REFUSED)


def test_the_cli_writes_the_briefing_and_says_its_marking(operation, tmp_path, monkeypatch):
    monkeypatch.setenv("COORD_CHROMIUM", "")
    out = tmp_path / "briefing.pdf"
    url = cli_url(operation)
    runner = CliRunner()
    done = runner.invoke(cli, ["briefing", "--as", "liaison.fbi", "--out", str(out), "--since-last",
                               "--database-url", url])
    assert done.exit_code == 0, done.output
    assert "OFFICIAL-SENSITIVE TLP:AMBER" in done.output and "charts not drawn" in done.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() in done.output
    assert "Changes since the start" in text_of(PdfReader(out))
    wrong = runner.invoke(cli, ["briefing", "--as", "liaison.fbi", "--out", str(tmp_path / "b.txt"),
                                "--database-url", url])
    assert wrong.exit_code != 0 and ".pdf" in wrong.output


def test_by_default_the_changes_are_those_of_the_last_24_hours(operation):
    result, reader = brief(operation, "liaison.met")
    met = operation.principal("liaison.met")
    with operation.reader() as s:  # the fixture's records were all created just now, each with one event
        expected = sum(s.scalar(select(func.count()).select_from(model).where(policy.visible(model, met)))
                       for model in (*OPERATIONAL_RECORDS, TargetPackage))
    assert result.contents.changes.total == expected > 10
    assert "Changes in the last 24 hours" in text_of(reader)
