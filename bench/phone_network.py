"""Benchmark: a pupil's phone on a weak network (docs/performance.md).

Run: ``.venv/bin/python bench/phone_network.py`` (or ``make bench``). Runs the
timed browser check ``tests/e2e/test_slow_network.py`` (Chromium's emulation:
400 kbit/s, 400 ms latency, CPU slowed 4x; the e2e server starts itself, on
PostgreSQL and Redis when ``DATABASE_URL`` / ``REDIS_URL`` are set) and prints
each screen's figures against its budget: usable in 4 s on a first visit, 1 s on
a repeat visit, at most 100 KB for a first visit to a quiz question. Exits
non-zero when a budget is missed. The figures go to docs/performance.md by hand
(every run listed).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "test-artifacts" / "slow-network.jsonl"
BUDGET_MS = {"first": 4000, "repeat": 1000}


def main() -> int:
    before = FIGURES.read_text().count("\n") if FIGURES.exists() else 0
    command = [sys.executable, "-m", "pytest", "tests/e2e/test_slow_network.py"]
    command += ["-m", "budget", "-p", "no:randomly", "-q"]
    passed = subprocess.run(command, cwd=ROOT).returncode == 0
    lines = FIGURES.read_text().splitlines() if FIGURES.exists() else []
    if len(lines) <= before:
        print("no figures written: the browser check did not get that far")
        return 1
    run = json.loads(lines[-1])
    print(
        f"phone on a weak network ({run['kbit']} kbit/s, {run['latency_ms']} ms, "
        f"CPU x{run['cpu']}), load average {os.getloadavg()[0]:.1f}:"
    )
    for visit in ("first", "repeat"):
        for screen, numbers in run[visit].items():
            usable = numbers["usable_ms"]
            print(
                f"  {visit} visit, {screen}: usable {usable} ms "
                f"({usable / BUDGET_MS[visit]:.2f} of the budget), "
                f"{numbers['bytes'] / 1024:.1f} KB in {numbers['requests']} requests"
            )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
