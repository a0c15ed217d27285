"""`make lint`'s type check, as a ratchet: mypy over coordination/ may report no more errors than
mypy-baseline.txt records. The code is not typed clean yet; this keeps it from getting worse, and
each fix lowers the number for good.

    python -m tools.mypy_baseline           # fails when mypy finds more errors than the baseline
    python -m tools.mypy_baseline --update  # records a lower count (never a higher one)

mypy's settings are in pyproject.toml ([tool.mypy]).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mypy import api

BASELINE = Path(__file__).resolve().parent.parent / "mypy-baseline.txt"
ERROR = re.compile(r"^\S+?:\d+(?::\d+)?: error: ", re.MULTILINE)


def count_errors() -> tuple[int, str]:
    """How many errors mypy reports now, and its report; a crash or a bad setting raises."""
    report, trouble, status = api.run([])  # the files and settings come from pyproject.toml
    if status not in (0, 1) or trouble.strip():
        raise SystemExit(f"mypy did not run (exit {status}):\n{trouble}{report}")
    return len(ERROR.findall(report)), report


def recorded() -> int:
    return int(BASELINE.read_text().split()[0])


def main(argv: list[str]) -> int:
    errors, report = count_errors()
    baseline = recorded()
    if errors > baseline:
        print(report, end="")
        print(f"mypy: {errors} errors, more than the {baseline} of {BASELINE.name}: "
              "fix the new ones (listed above) rather than raise the number", file=sys.stderr)
        return 1
    if "--update" in argv and errors < baseline:
        BASELINE.write_text(f"{errors}\n")
        print(f"mypy: {errors} errors; {BASELINE.name} lowered from {baseline}")
    elif errors < baseline:
        print(f"mypy: {errors} errors, fewer than the {baseline} recorded: "
              "lower it with `python -m tools.mypy_baseline --update`")
    else:
        print(f"mypy: {errors} errors, as recorded in {BASELINE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
