"""Read one file with the spreadsheet reader in a child process held to the budget.

The child is forked from a lean server process (multiprocessing's forkserver) that has loaded the
reader and nothing of the test run, so its address space at the start is the interpreter's own
baseline. It may grow by at most BUDGET_BYTES (RLIMIT_AS) and spend BUDGET_SECONDS of CPU
(RLIMIT_CPU); the machine may be shared, so wall time is bounded loosely.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from pathlib import Path

from coordination import tabular

BUDGET_BYTES = 256 * 2**20
BUDGET_SECONDS = 10
# Not a budget: the budget is CPU and memory, rlimits the child dies of. Only a guard against a child
# that hangs without using CPU, so that it is killed; under pytest-timeout's 300 s, and far above the
# 10 s of CPU, which a busy machine (load 20 on 2 cores) stretched past 30 s of wall clock.
WALL_SECONDS = 240
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["tests.hostile.budget", "openpyxl.styles.numbers", "openpyxl.utils.datetime"])


def _vm(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise AssertionError(field)


def _read_within_limits(path: str, connection) -> None:
    baseline = _vm("VmSize:")
    resource.setrlimit(resource.RLIMIT_AS, (baseline + BUDGET_BYTES, baseline + BUDGET_BYTES))
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_limit = int(used.ru_utime + used.ru_stime) + BUDGET_SECONDS
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 1))
    content = Path(path).read_bytes()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        outcome = {"rows": len(tabular.read_table(Path(path).name, content).rows)}
    except tabular.TableError as error:
        outcome = {"refused": str(error)}
    connection.send(outcome | {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                               "peak": _vm("VmPeak:") - baseline})


def read_in_budget(path: Path) -> dict:
    """{"rows": n} or {"refused": message}, with the "wall" and "cpu" seconds and the "peak" bytes
    the child grew by; AssertionError when the child ran out of either budget."""
    receiving, sending = _context.Pipe(duplex=False)
    child = _context.Process(target=_read_within_limits, args=(str(path), sending))
    child.start()
    sending.close()
    got = receiving.poll(WALL_SECONDS)
    child.join(1 if got else 0)
    if child.is_alive():
        child.kill()
        child.join()
    assert got, f"{path.name}: no answer within {WALL_SECONDS} s (exit code {child.exitcode}: over the CPU or " \
                "memory budget?)"
    return receiving.recv()
