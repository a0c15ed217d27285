"""`python -m bench [--scales operation,stress] [--postgres URL]`: run every benchmark, print a table."""

from __future__ import annotations

import argparse
import os

from bench import foundation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="operation,stress")
    parser.add_argument("--postgres", default=os.environ.get("COORD_BENCH_POSTGRES_URL"),
                        help="also measure on this PostgreSQL database (its tables are replaced)")
    args = parser.parse_args()
    foundation.main(args.scales.split(","), args.postgres)


if __name__ == "__main__":
    main()
