"""The canary test (issue 24, need-to-know by construction): a small operation where every record's
texts carry canaries of their own (tests/canaries.py) is drawn on every surface for every reader, and no
surface may show a canary of a record its reader may not read under the limits (policy.can_read with
the record's owner, marking, recipients and grants; a shareable briefing up to TLP X: nothing above X;
a briefing "as a liaison of" agency A: A's stand-in liaison).

Each surface is a test id of its own (`-k 'page:timeline'` runs one); each also checks that it shows
some canaries its readers may read, so that a surface drawing nothing cannot pass. The operation is
`canaries.COVERING` (every agency and marking, RED records naming various people, grants, hits on RED
records, a conflict with a RED package, corrected decisions, action-day arrests); with
COORD_CANARY_EXAMPLES=n (`make fuzz`), Hypothesis draws n more operations and checks every surface
of each.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from coordination import briefing, charts, deconfliction_key, exports, mail, mail_sink, reminder_pass, services
from coordination.aggregates import Filters
from coordination.briefing.contents import gather
from coordination.db import make_engine
from coordination.kinds import ARRESTS, EVIDENCE, KINDS, SUSPECTS, TARGET_PACKAGES, TASKS
from coordination.markings import TLP
from coordination.models import Agency, Jurisdiction, Role
from coordination.queries.drill_down import DRILL_DOWN, records_behind
from coordination.settings import PROJECT_ROOT
from coordination.standing_data import DEMO_USERS
from coordination.ui.widgets import live_picture
from tests import canaries
from tests.conftest import TEST_ISSUER, Store, _seed, truncate_all
from tests.helpers import AUTH
from tests.test_briefing import cli_url

EXAMPLES = int(os.environ.get("COORD_CANARY_EXAMPLES", "0"))  # generated operations besides COVERING
# every readable record opened by every reader (and every briefing as a PDF); by default only those whose
# neighbours (links, hits, corrections) the reader may not read, and PDFs of a few briefings
FULL = bool(EXAMPLES) or os.environ.get("COORD_CANARY_FULL") == "1"
# opening every record as every reader (`make fuzz`) may take longer than the per-test timeout (pyproject);
# slow: an operation built and drawn on every surface per store, the slow tier's (`make test-slow`)
pytestmark = [pytest.mark.slow] + ([pytest.mark.timeout(0)] if FULL else [])
PEOPLE = tuple(u.subject for u in DEMO_USERS) + (canaries.SECOND_COMMANDER,)
READERS_OF_RECORDS = tuple(s for s in PEOPLE if s != "admin")
LIAISONS = tuple(s for s in PEOPLE if s.startswith("liaison."))


# --- the operation, once per store -------------------------------------------------------------------

@dataclass
class Built:
    store: Store
    world: canaries.World
    mail: list  # every message the mail sink received
    url: str  # the store's address for the app and the CLI
    apps: dict = field(default_factory=dict)  # subject -> its signed-in AppTest, page after page


def _fresh_store(kind: str, tmp_path_factory, request) -> Store:
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("canaries") / "coordination.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return Store(make_engine(f"sqlite:///{path}"), "sqlite")
    engine = request.getfixturevalue("postgres_schema_engine")
    truncate_all(engine)
    _seed(engine)
    return Store(engine, "postgresql")


def _build(store: Store, plan: canaries.Plan, monkeypatch, then: Callable[[Store], None] | None = None) -> Built:
    """The plan's operation built in `store` (and whatever `then` builds after it, before the reminder
    pass tells and mails everything)."""
    url = cli_url(store)
    monkeypatch.setenv("COORD_DATABASE_URL", url)  # the app's and the CLI's store
    monkeypatch.setenv("COORD_CHROMIUM", "")  # briefings without charts drawn (their figures are read instead)
    live_picture.cached_picture.clear()
    world = canaries.build(store, plan)
    if then is not None:
        then(store)
    controller, keeper = mail_sink.start(0)  # on a port the system chose
    try:  # the reminder pass: overdue tasks told, and everything told mailed at once
        mailing = mail.MailSettings(host="127.0.0.1", port=controller.port, app_url="https://coord.example")
        reminder_pass.run_pass(store.engine, datetime.now(UTC), mailing, briefing_charts=False)
    finally:
        controller.stop()
    return Built(store, world, list(keeper.received), url)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def built(request, tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv(deconfliction_key.ENVIRONMENT,
                           str(deconfliction_key.make_key_file(tmp_path_factory.mktemp("key") / "k.key")))
        store = _fresh_store(request.param, tmp_path_factory, request)
        yield _build(store, canaries.COVERING, monkeypatch)
        if store.kind == "sqlite":
            store.engine.dispose()
        else:
            truncate_all(store.engine)


# --- readers ------------------------------------------------------------------------------------------

def person(built: Built, subject: str) -> canaries.Reader:
    return canaries.Reader(subject, built.store.principal(subject))


# --- what a surface shows -----------------------------------------------------------------------------

def tree_text(node) -> list[str]:
    """Every text an AppTest page holds: each element's message (labels, values, options, Markdown,
    metrics, charts' figure JSON) and each dataframe's cells."""
    out = []
    if type(node).__name__ == "Dataframe":
        out.append(node.value.to_csv())
    proto = getattr(node, "proto", None)
    if proto is not None:
        out.append(str(proto))
    for child in getattr(node, "children", {}).values():
        out += tree_text(child)
    return out


def page_text(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return "\n".join(tree_text(at._tree))


def open_app(built: Built, subject: str, page: str) -> AppTest:
    """The app signed in as `subject`, on `page` (one AppTest a person, kept from page to page)."""
    at = built.apps.get(subject)
    if at is None:
        at = built.apps[subject] = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "iss": TEST_ISSUER, "sub": subject, "name": subject,
                   "iat": int(time.time())}
        at.run()
    for name in list(at.query_params):
        del at.query_params[name]
    at.switch_page(f"coordination/ui/pages/{page}.py").run()
    return at


def page(name: str) -> Callable[[Built, canaries.Reader], str]:
    def draw(built: Built, reader: canaries.Reader) -> str:
        return page_text(open_app(built, reader.label, name))
    return draw


def timeline(built: Built, reader: canaries.Reader) -> str:
    """Every page of the timeline, newest to oldest."""
    at = open_app(built, reader.label, "timeline")
    texts = [page_text(at)]
    for _ in range(20):
        older = at.button(key="timeline-older")
        if older.disabled:
            break
        older.click().run()
        texts.append(page_text(at))
    return "\n".join(texts)


def record_details(kind) -> Callable[[Built, canaries.Reader], str]:
    """Records of the kind the reader may read, opened (?open=AGENCY/REF): each one that names a record the
    reader may not read (links, hits, conflicts), on the tabs that name others (its details and history, a
    suspect's history and identifiers), and the first of them on its details; with FULL, every record the
    reader may read on every tab."""
    every = ["Details", "History", "Custody" if kind is EVIDENCE else "Updates",
             *(["Acquisitions"] if kind is EVIDENCE else []),
             *(["Identifiers"] if kind in (SUSPECTS, EVIDENCE, ARRESTS) else [])]
    naming = ["History", "Identifiers"] if kind is SUSPECTS else ["Details", "History"]

    def draw(built: Built, reader: canaries.Reader) -> str:
        world = built.world
        readable = sorted((key, record_id) for (entity, record_id), key in world.keys.items()
                          if entity == kind.entity and world.records[(entity, record_id)].readable_by(reader))
        if FULL:
            wanted = [(key, record_id, every) for key, record_id in readable]
        else:
            wanted = [(key, record_id, naming) for key, record_id in readable
                      if any(not near.readable_by(reader) for near in world.records[(kind.entity, record_id)].links)]
            wanted = wanted or [(key, record_id, ["Details"]) for key, record_id in readable[:1]]
        if not wanted:
            return ""
        at = open_app(built, reader.label, kind.name)
        texts = []
        for key, record_id, titles in wanted:
            at.query_params["open"] = key
            for title in titles:
                at.session_state[f"{kind.name}-{record_id}-tabs"] = title
                at.run()
                texts.append(page_text(at))
        del at.query_params["open"]
        return "\n".join(texts)
    return draw


def drill_downs(built: Built, reader: canaries.Reader) -> str:
    """The records behind every bar and point of the picture's charts that open records."""
    with built.store.reader() as session:
        codes = {"arrests": [c for c, in session.execute(select(Jurisdiction.code))],
                 "agencies": [c for c, in session.execute(select(Agency.code))]}
        texts = []
        for chart in DRILL_DOWN:
            keys = codes["arrests"] if chart.startswith("arrests") else codes["agencies"]
            found = records_behind(session, reader.principal, chart, keys, limit=500)
            texts.append(repr(found.rows))
    return "\n".join(texts)


def export(kind_name: str) -> Callable[[Built, canaries.Reader], str]:
    def draw(built: Built, reader: canaries.Reader) -> str:
        with built.store.reader() as session:
            made = exports.identifiers(session, reader.principal) if kind_name == "identifiers" else \
                exports.build(session, reader.principal, kind_name)
            return made.csv().decode("utf-8-sig")
    return draw


def cli_export(built: Built, reader: canaries.Reader) -> str:
    """`python -m coordination export KIND --as SUBJECT` (in this process), every kind."""
    from click.testing import CliRunner

    from coordination.cli import cli
    runner, texts = CliRunner(), []
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "out.csv"
        for kind_name in [*KINDS, "identifiers"]:
            operation = ["--operation", reader.principal.operation_code] if reader.principal.operation_code else []
            result = runner.invoke(cli, ["export", kind_name, "--as", reader.label, *operation, "--out", str(out),
                                         "--database-url", built.url])
            assert result.exit_code == 0, result.output
            texts.append(result.output + out.read_text(encoding="utf-8-sig"))
    return "\n".join(texts)


def pdf_briefing(built: Built, reader: canaries.Reader) -> str:
    """The briefing PDF's text and its charts' figures (drawn from the same picture); for the variants
    not in AS_PDF (unless FULL), what the PDF is composed from (contents.gather, as `briefing.export` calls
    it), which holds every text the PDF prints."""
    author, audience = BRIEFINGS[reader.label]
    if FULL or reader.label in AS_PDF:
        result = briefing.export(built.store.engine, built.store.principal(author), with_charts=False,
                                 audience=audience)
        contents = result.contents
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(result.pdf)).pages)
    else:
        principal = built.store.principal(author)
        with built.store.writer() as session:
            plan = services.authorise_briefing(session, principal, audience)
        with built.store.reader() as session:
            contents = gather(session, principal, Filters(), reader=plan.reader,
                              distribution=plan.distribution)
        text = repr(contents)
    figures = "\n".join(build(contents.picture).to_json() for build in charts.ALL.values())
    return text + "\n" + figures


def mailbox(built: Built, reader: canaries.Reader) -> str:
    mine = [m for m in built.mail if m["To"] == f"{reader.label}@demo.invalid"]
    return "\n".join(mail_text(m) for m in mine)


def mail_text(message) -> str:
    """A mail's headers and its body decoded (quoted-printable would break a canary across lines)."""
    return f"{message.as_string()}\n{message.get_content()}"


# --- which readers each surface is drawn for ---------------------------------------------------------

AS_PDF = {"commander.met", "liaison.fbi", "commander.met up to AMBER", "commander.met as liaison of NL-POLICE"}


def briefing_readers(built: Built) -> list[canaries.Reader]:
    """Each person's own briefing; the commander's shareable versions up to each marking; and the
    commander's previews as each agency's liaison (the stand-in), also shared up to AMBER."""
    with built.store.reader() as session:
        agencies = dict(session.execute(select(Agency.code, Agency.id)).all())
    readers = [person(built, s) for s in READERS_OF_RECORDS]
    commander = built.store.principal("commander.met")
    readers += [canaries.Reader(f"commander.met up to {t.value}", commander, t) for t in TLP]
    for code, agency_id in agencies.items():
        stand_in = commander.stand_in(Role.LIAISON, agency_id, code)
        readers.append(canaries.Reader(f"commander.met as liaison of {code}", stand_in))
        if code in ("FBI", "MET"):
            readers.append(canaries.Reader(f"commander.met as liaison of {code} up to AMBER", stand_in, TLP.AMBER))
    return readers


BRIEFINGS: dict[str, tuple[str, briefing.Audience]] = {s: (s, briefing.Audience()) for s in READERS_OF_RECORDS}
BRIEFINGS |= {f"commander.met up to {t.value}": ("commander.met", briefing.Audience(up_to=t.value)) for t in TLP}
BRIEFINGS |= {f"commander.met as liaison of {code}": ("commander.met", briefing.Audience(as_liaison_of=code))
              for code in canaries.AGENCIES}
BRIEFINGS |= {f"commander.met as liaison of {code} up to AMBER":
              ("commander.met", briefing.Audience(up_to="AMBER", as_liaison_of=code)) for code in ("FBI", "MET")}


def everyone(built: Built) -> list[canaries.Reader]:
    return [person(built, s) for s in PEOPLE]


def record_readers(built: Built) -> list[canaries.Reader]:
    return [person(built, s) for s in READERS_OF_RECORDS]


def liaisons(built: Built) -> list[canaries.Reader]:
    return [person(built, s) for s in LIAISONS]


def admin(built: Built) -> list[canaries.Reader]:
    return [person(built, "admin")]


@dataclass(frozen=True)
class Surface:
    draw: Callable[[Built, canaries.Reader], str]
    readers: Callable[[Built], list[canaries.Reader]] = record_readers
    shows_canaries: bool = True  # False: a surface that names no record's text (the users page)


SURFACES: dict[str, Surface] = {
    # counts only: no record's text (what they count is tests/test_aggregates.py's and test_tallies.py's)
    **{f"page:{name}": Surface(page(name), shows_canaries=False) for name in ("overview", "dashboard")},
    **{f"page:{name}": Surface(page(name)) for name in (
        "suspects", "arrests", "evidence", "tasks", "packages", "deconfliction",
        "decisions", "inbox", "action_day")},
    "page:my_tasks": Surface(page("my_tasks"), liaisons),
    "page:my_packages": Surface(page("my_packages"), liaisons),
    "page:users": Surface(page("users"), admin, shows_canaries=False),
    "page:timeline": Surface(timeline),
    **{f"detail:{kind.name}": Surface(record_details(kind)) for kind in (SUSPECTS, ARRESTS, EVIDENCE, TASKS,
                                                                           TARGET_PACKAGES)},
    "dashboard:drill-down": Surface(drill_downs),
    **{f"export:{name}": Surface(export(name), everyone) for name in [*KINDS, "identifiers"]},
    "cli:export": Surface(cli_export),
    "briefing": Surface(pdf_briefing, briefing_readers),
    "mail": Surface(mailbox, everyone),
}

# surfaces that hold nothing for some readers, rightly: (surface, reader label)
EMPTY_FOR = {
    # what a person is told about: the observer and the analyst hear of no task, custody or package
    ("mail", "analyst.europol"), ("mail", "observer.eurojust"), ("mail", "admin"),
}


# --- the check ----------------------------------------------------------------------------------------

def leaks(built: Built, name: str, surface: Surface,
          others: tuple[canaries.World, ...] = ()) -> tuple[list[str], list[str]]:
    """(what each reader saw that they may not read, the readers who saw nothing they may read).
    `others`: operations the readers take no part in (as readers of this one): none of their canaries
    may show at all."""
    world = built.world
    found, empty = [], []
    for reader in surface.readers(built):
        text = surface.draw(built, reader)
        shown = world.found_in(text)
        leaked = shown & world.unreadable(reader)
        found += [f"{name} as {reader.label}: {world.describe(value)}" for value in sorted(leaked)]
        found += [f"{name} as {reader.label}, of another operation: {other.describe(value)}"
                  for other in others for value in sorted(other.found_in(text) - other.named_to(reader))]
        if surface.shows_canaries and not (shown - leaked) and reader.principal.role is not Role.ADMIN \
                and (name, reader.label) not in EMPTY_FOR:
            empty.append(reader.label)
    return found, empty


def verdict(name: str, found: list[str], empty: list[str]) -> str:
    lines = [f"{len(found)} canaries shown to a reader who may not read their record:", *found[:40]]
    if len(found) > 40:
        lines.append(f"... and {len(found) - 40} more")
    if empty:
        lines.append(f"{name} showed no canary at all to: {', '.join(empty)} (drew nothing?)")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(SURFACES))
def test_no_surface_shows_a_record_its_reader_may_not_read(built, name):
    found, empty = leaks(built, name, SURFACES[name])
    assert not found and not empty, verdict(name, found, empty)


def test_the_covering_operation_covers_what_it_claims(built):
    """Every agency and marking, RED records that leave out some commander, grants, and hits, a conflict
    (acknowledged by command) and outcomes as planned: the surfaces above are checked against all of them."""
    world, records = built.world, built.world.records.values()
    assert {(r.owning_agency_id, r.tlp) for r in records if r.entity == "suspect"} >= {
        (world.agencies[c.agency], c.tlp) for c in canaries.COVERING.clusters}
    commanders = {world.users["commander.met"], world.users[canaries.SECOND_COMMANDER]}
    assert any(r.tlp is TLP.RED and not commanders & r.recipients for r in records)
    assert any(r.granted and r.tlp is TLP.AMBER_STRICT for r in records)
    assert sum(r.entity == "arrest" for r in records) > len(canaries.COVERING.clusters)  # outcomes' arrests
    assert built.mail, "the mail sink received nothing"
    assert world.acknowledged, "command acknowledged no conflict"
