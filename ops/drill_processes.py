"""The processes of the two-hosts drill: its own PostgreSQL and Redis, and the site's.

Everything here is started by the drill, in a scratch folder, on free ports, and
stopped by the drill (by the process ids it started, never by name): a
throw-away PostgreSQL cluster (``initdb`` + ``pg_ctl``, so restarting it
disturbs nobody), a Redis server without persistence (so killing it loses what
a real outage loses), and the ``Procfile``'s ``web`` and ``worker`` lines run as
the production shape runs them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
POSTGRES_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class DrillError(Exception):
    """A step of the drill failed; the message says what was expected."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(test, seconds: float, what: str, every: float = 0.1):
    """Poll ``test`` until it returns something true; raise after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = test()
        except Exception:  # noqa: BLE001 - not yet: poll again
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise DrillError(f"{what}: not within {seconds:g} s")
        time.sleep(every)


def stop_process(process: subprocess.Popen | None, *, kill=False, wait=20) -> None:
    """Stop a process group the drill started: SIGTERM (or SIGKILL), then wait."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class OwnPostgres:
    """A PostgreSQL cluster of the drill's own, as the ``postgres`` system user
    when the drill runs as root (initdb refuses root)."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.data = folder / "pgdata"
        self.port = port
        self.log = folder / "postgres.log"
        self.bin = POSTGRES_BINARIES[0] if POSTGRES_BINARIES else None

    @classmethod
    def available(cls) -> str:
        """Why a cluster of its own cannot be made here, or '' when it can."""
        if not POSTGRES_BINARIES:
            return "no PostgreSQL server binaries under /usr/lib/postgresql"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser"
        return ""

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/two_hosts"

    def _run(self, *arguments: str, timeout: float = 60) -> None:
        command = [str(self.bin / arguments[0]), *arguments[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode:
            raise DrillError(f"{arguments[0]}: {result.stderr.strip()[-500:]}")

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # The postgres user must reach its folder inside the scratch folder.
            self.folder.parent.chmod(0o711)
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.start()
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "two_hosts"],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log),
            "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(DrillError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")


class OwnRedis:
    """A Redis server of the drill's own: nothing saved, so a kill loses it all."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip

        def answers():
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        wait_until(answers, 10, f"redis-server on port {self.port}")

    def kill(self) -> None:
        stop_process(self.process, kill=True)


def procfile_command(name: str, environ: dict[str, str]) -> list[str]:
    """The ``Procfile`` line ``name`` with its ``${VAR:-default}`` filled in."""
    for line in PROCFILE.read_text().splitlines():
        if line.startswith(f"{name}:"):
            command = line.split(":", 1)[1].strip()
            break
    else:
        raise DrillError(f"the Procfile has no {name} line")

    def fill(match: re.Match) -> str:
        return environ.get(match.group(1)) or match.group(2) or ""

    command = re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", fill, command)
    arguments = shlex.split(command)
    if arguments[0] == "uvicorn":
        return [sys.executable, "-m", "uvicorn", *arguments[1:]]
    if arguments[0] == "python":
        return [sys.executable, *arguments[1:]]
    return arguments


class SiteProcess:
    """One process of the site (a host's HTTP pool, or the task worker)."""

    def __init__(self, name: str, line: str, environ: dict, log_folder: Path):
        self.name = name
        self.line = line
        self.environ = environ
        self.log_path = log_folder / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.command = procfile_command(line, environ)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.environ['WEB_PORT']}"

    def start(self, *extra: str) -> None:
        log = open(self.log_path, "a")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [*self.command, *extra],
            cwd=ROOT,
            env=self.environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopped by its id
        )
        log.close()

    def wait_healthy(self, seconds: float = 90) -> float:
        started = time.monotonic()

        def healthy():
            if self.process.poll() is not None:
                raise DrillError(f"{self.name} stopped; see {self.log_path}")
            with urllib.request.urlopen(self.url + "/healthz", timeout=3) as reply:  # noqa: S310
                return reply.status == 200

        try:
            wait_until(healthy, seconds, f"{self.name} answering /healthz", 0.25)
        except DrillError:
            if self.process.poll() is not None:
                raise DrillError(f"{self.name} stopped; see {self.log_path}") from None
            raise
        return time.monotonic() - started

    def kill(self) -> None:
        stop_process(self.process, kill=True)

    def stop(self) -> None:
        stop_process(self.process)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""


def manage(environ: dict, *arguments: str, timeout: float = 300) -> str:
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise DrillError(f"manage.py {arguments[0]}: over {timeout:g} s") from None
    if result.returncode:
        raise DrillError(
            f"manage.py {' '.join(arguments)}: "
            + (result.stderr.strip() or result.stdout.strip())[-800:]
        )
    return result.stdout


def http_status(url: str, timeout: float = 5) -> tuple[int, bytes]:
    """The status and body of a GET, 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""
