"""The restore drill: dump, restore into a fresh database, check its rollups.

    .venv/bin/python -m ops.restore_drill [--source URL] [--dump FILE] [--keep]

Dumps the source database (``DATABASE_URL`` unless ``--source``) with
``pg_dump -Fc``, or takes an existing dump with ``--dump``; creates a fresh database
``restore_drill_<time>_<process>`` on the same server (``--name`` or ``--prefix`` /
``RESTORE_DRILL_PREFIX`` to choose it);
restores the dump there with ``pg_restore``; runs ``manage.py rebuild_rollups
--check`` against it, which recomputes the report tables from the restored raw
facts and lists every difference; drops the drill database (unless ``--keep``)
and prints a summary.

Exit status: 0 when the backup restores and its rollups agree with its facts, 1
when they differ, 2 when a step failed (docs/operations.md, "Restore drill").
The connecting user needs the CREATEDB privilege.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg

from ops import postgres

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PREFIX = "restore_drill_"

PASSED, DIFFERENT, FAILED = 0, 1, 2


class StepFailed(Exception):
    pass


@dataclass
class Drill:
    source: str
    name: str
    dump: Path | None = None
    keep: bool = False

    def say(self, step: str, text: str) -> None:
        print(f"  {step:<9} {text}", flush=True)

    @property
    def target(self) -> str:
        return postgres.with_database(self.source, self.name)

    def run(self) -> int:
        started = time.monotonic()
        print(f"Restore drill of {postgres.redacted(self.source)}", flush=True)
        created = False
        try:
            with tempfile.TemporaryDirectory(prefix="restore-drill-") as scratch:
                dump = self.dump or self._dump(Path(scratch) / "source.dump")
                self._create()
                created = True
                self._restore(dump)
                status = self._check()
        except (StepFailed, psycopg.Error, OSError) as failure:
            self.say("failed", str(failure).strip())
            status = FAILED
        finally:
            if created and not self.keep:
                postgres.drop_database(self.target)
                self.say("cleanup", f"{self.name} dropped")
            elif created:
                self.say("kept", postgres.redacted(self.target))
        seconds = time.monotonic() - started
        verdict = {
            PASSED: "PASSED: the backup restores and its rollups agree with its "
            "raw facts",
            DIFFERENT: "FAILED: the restored rollups differ from the restored raw "
            "facts (listed above)",
            FAILED: "FAILED: the drill could not finish (see above)",
        }[status]
        print(f"{verdict} ({seconds:.1f} s).", flush=True)
        return status

    def _tool(self, arguments: list[str], url: str) -> None:
        connection, environment = postgres.tool_arguments(url)
        result = subprocess.run(
            [*arguments, "--dbname", connection],
            env=environment,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise StepFailed(
                result.stderr.strip()
                or f"{arguments[0]} exited with status {result.returncode}"
            )

    def _dump(self, path: Path) -> Path:
        started = time.monotonic()
        self._tool(["pg_dump", "--format=custom", "--file", str(path)], self.source)
        size = path.stat().st_size / 1_000_000
        self.say(
            "dump",
            f"pg_dump -Fc: {size:.1f} MB in {time.monotonic() - started:.1f} s",
        )
        return path

    def _create(self) -> None:
        if postgres.database_exists(self.target):
            raise StepFailed(
                f"{self.name} exists already: the drill restores into a fresh "
                "database only"
            )
        postgres.create_database(self.target)
        self.say("database", f"{self.name} created")

    def _restore(self, dump: Path) -> None:
        started = time.monotonic()
        self._tool(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                str(dump),
            ],
            self.target,
        )
        self.say("restore", f"pg_restore: {time.monotonic() - started:.1f} s")

    def _check(self) -> int:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "manage.py", "rebuild_rollups", "--check"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": self.target},
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        report = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if line.strip()
        ]
        matched = result.returncode == 0
        if not matched and not any("difference(s)" in line for line in report):
            raise StepFailed("rebuild_rollups: " + "\n".join(report[-20:]))
        self.say("check", f"manage.py rebuild_rollups --check ({seconds:.1f} s):")
        for line in report:
            print(f"            {line}", flush=True)
        return PASSED if matched else DIFFERENT


def default_name(prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}{datetime.now():%Y%m%d_%H%M%S}_{os.getpid()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.restore_drill",
        description="Dump, restore into a fresh database, check the rollups.",
    )
    parser.add_argument(
        "--source",
        default=os.environ.get("DATABASE_URL", ""),
        help="The database to dump (default: DATABASE_URL); with --dump, the "
        "server and user to restore with.",
    )
    parser.add_argument(
        "--dump",
        type=Path,
        help="Restore this pg_dump -Fc file (a nightly backup) instead of dumping.",
    )
    parser.add_argument(
        "--name",
        help=f"The drill database's name (default: {DEFAULT_PREFIX}<time>_<pid>).",
    )
    parser.add_argument(
        "--prefix",
        default=os.environ.get("RESTORE_DRILL_PREFIX", DEFAULT_PREFIX),
        help="The start of the default name (default: RESTORE_DRILL_PREFIX or "
        f"{DEFAULT_PREFIX}).",
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep the drill database afterwards."
    )
    options = parser.parse_args(argv)
    if not options.source or not postgres.is_postgres(options.source):
        parser.error("give a PostgreSQL address: --source or DATABASE_URL")
    if options.dump and not options.dump.is_file():
        parser.error(f"no dump file at {options.dump}")
    drill = Drill(
        source=options.source,
        name=options.name or default_name(options.prefix),
        dump=options.dump,
        keep=options.keep,
    )
    return drill.run()


if __name__ == "__main__":
    sys.exit(main())
