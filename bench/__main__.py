"""`python -m bench [--scales operation,stress] [--postgres URL]`: run every benchmark, print a table."""

from __future__ import annotations

import argparse
import os

from bench import (
    action_day,
    briefing,
    dashboard,
    foundation,
    integrity,
    key_rotation,
    notifications,
    operations,
    tables,
    timeline,
    workspace,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="operation,stress")
    parser.add_argument("--only", default=None,
                        choices=["foundation", "dashboard", "workspace", "integrity", "briefing", "tables",
                                 "key_rotation", "timeline", "notifications", "action_day", "operations"])
    parser.add_argument("--postgres", default=os.environ.get("COORD_BENCH_POSTGRES_URL"),
                        help="also measure on this PostgreSQL database (its tables are replaced)")
    args = parser.parse_args()
    scales = args.scales.split(",")
    if args.only in (None, "foundation"):
        foundation.main(scales, args.postgres)
    if args.only in (None, "dashboard"):
        dashboard.main(scales, args.postgres, foundation.OUT)
    if args.only in (None, "workspace"):
        workspace.main(foundation.OUT, args.postgres)
    if args.only in (None, "integrity"):
        integrity.main(args.postgres, foundation.OUT)
    if args.only in (None, "briefing"):
        briefing.main(foundation.OUT, args.postgres)
    if args.only in (None, "tables") and "stress" in scales:
        tables.main(foundation.OUT, args.postgres)
    if args.only in (None, "key_rotation") and "stress" in scales:
        key_rotation.main(args.postgres)
    if args.only in (None, "timeline") and "stress" in scales:
        timeline.main(foundation.OUT, args.postgres)
    if args.only in (None, "notifications") and "stress" in scales:
        notifications.main(foundation.OUT, args.postgres)
    if args.only in (None, "action_day"):
        action_day.main(foundation.OUT, args.postgres)
    if args.only in (None, "operations"):
        operations.main(foundation.OUT, args.postgres)


if __name__ == "__main__":
    main()
