"""Timeline figures (issue 18): one page (50 events) of the operation's timeline at stress scale
(2,000,000 audit events), newest first and 20 pages back (keyset paging), unfiltered and narrowed
by agency, kind and time, as a liaison of another agency and as a commander; through the query
(`queries.timeline.page`, each run in its own read session as the page does) and through the page
(AppTest, a full rerun of the timeline page).

Target: under 200 ms median a page through the query, on both stores.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench import signed_in
from bench.stress_scale import RUNS, SCALE, median_ms, ready, run, stores
from coordination import demo, standing_data
from coordination.db import make_engine, read_session
from coordination.models import AuditEvent
from coordination.principal import principal_for_subject
from coordination.queries import timeline

VIEWERS = ("liaison.fbi", "commander.met")
DEEP = 20  # the deep page: 20 pages back along the cursors
TARGET_MS = 200
ACTION_WEEK = datetime.combine(standing_data.ACTION_DAY, datetime.min.time(), UTC)
FILTERS = {
    "everything": timeline.Filters(),
    "agency NCA": timeline.Filters(agencies=("NCA",)),
    "agency EUROJUST (sparse)": timeline.Filters(agencies=("EUROJUST",)),
    "tasks": timeline.Filters(kinds=("tasks",)),
    "arrests of NL-POLICE": timeline.Filters(agencies=("NL-POLICE",), kinds=("arrests",)),
    "decisions (none)": timeline.Filters(kinds=("decisions",)),
    "the action day's week": timeline.Filters(since=ACTION_WEEK - timedelta(days=3),
                                              until=ACTION_WEEK + timedelta(days=4)),
}


def measure_query(url: str) -> list[dict]:
    engine = make_engine(url)
    rows = []
    for subject in VIEWERS:
        with read_session(engine) as session:
            viewer = principal_for_subject(session, subject)
        for label, filters in FILTERS.items():
            cursors: list[int | None] = [None]
            with read_session(engine) as session:
                while len(cursors) < DEEP and cursors[-1] is not False:
                    older = timeline.page(session, viewer, filters, cursors[-1]).older
                    cursors.append(older if older is not None else False)
            for page, cursor in ((1, None), (len(cursors), cursors[-1])):
                if cursor is False:
                    continue  # fewer pages than that

                def one_page(viewer=viewer, filters=filters, cursor=cursor):
                    with read_session(engine) as session:
                        timeline.page(session, viewer, filters, cursor)
                rows.append({"viewer": subject, "filters": label, "page": page, "ms": median_ms(one_page)})
    engine.dispose()
    return rows


def measure_page(url: str) -> list[dict]:
    """Median ms of a full rerun of the timeline page (AppTest), newest page, unfiltered."""
    os.environ["COORD_DATABASE_URL"] = url
    rows = []
    for subject in VIEWERS:
        at = signed_in.page(subject, "timeline")
        assert at.markdown[0].value.startswith("- "), "the timeline shows no events"
        rows.append({"viewer": subject, "filters": "everything", "page": 1, "ms": median_ms(at.run)})
    return rows


def _loaded(session) -> bool:
    return session.scalar(select(func.count()).select_from(AuditEvent)) >= demo.SCALES[SCALE].audit_events


def print_table(store: str, through: str, rows: list[dict]) -> None:
    print(f"\n| {store}, {through} | filters | page | median of {RUNS} | target |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['viewer']} | {r['filters']} | {r['page']} | {r['ms']:.0f} ms | "
              f"{'< ' + str(TARGET_MS) + ' ms' if through == 'query' else '-'} |")


def main(out: Path, postgres_url: str | None = None) -> None:
    for store, url in stores(out, postgres_url):
        ready(url, store, _loaded)
        print_table(store, "query", measure_query(url))
        print_table(store, "page (AppTest)", measure_page(url))


if __name__ == "__main__":
    run(main)
