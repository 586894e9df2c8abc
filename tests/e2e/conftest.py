"""Live server, browser and helpers for the browser journeys.

The server is the real ASGI app under uvicorn, in a subprocess, on a free port,
with a database of its own made fresh for the session (``load_demo`` and
``load_curriculum``): with DATABASE_URL set, a PostgreSQL database ``e2e_<random>``
created and dropped here (never the suite's ``test`` database); without it, a
temporary SQLite file. REDIS_URL is passed through. Under xdist every worker that
runs journeys gets its own server and database (the journeys sit in one file, so
``--dist loadfile`` keeps them on one worker).

The browser is Debian's Chromium at /usr/bin/chromium, never a downloaded one;
without it the journeys skip.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
STAFF_PASSWORD = "demo-Tayninh-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def _run(args, env, timeout=600):
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Server:
    """The live server: uvicorn in a subprocess, restartable on the same port."""

    def __init__(self, port: int, env: dict, log):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--ws-per-message-deflate",
                "false",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(120):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)  # noqa: S310
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the live server stopped; see {self.log.name}")
                time.sleep(0.25)
        raise RuntimeError(f"the live server did not answer; see {self.log.name}")

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def crash_and_restart(self) -> None:
        """Kill the server without warning (a power cut), then start it again."""
        self.stop(kill=True)
        self.start()

    def remote(self, command: str, **arguments) -> dict:
        """Run a command of tests/e2e/remote.py against the server's database."""
        out = _run(["-m", "tests.e2e.remote", command, json.dumps(arguments)], self.env)
        return json.loads(out.strip().splitlines()[-1])


def _live_server(commands: tuple[str, ...]):
    """Yield a live server on a fresh database set up by ``commands``."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); .ci/run has it")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST") and key != "DJANGO_SETTINGS_MODULE"
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["PYTHONPATH"] = str(ROOT)
    # Files on disk, shared by the set-up commands and the server (lesson pictures).
    env["TEST_MEDIA_ON_DISK"] = "1"
    env["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="e2e-media-")
    database_url = os.environ.get("DATABASE_URL", "")
    drop = None
    tmp = None
    if database_url.startswith("postgres"):
        import psycopg

        name = f"e2e_{secrets.token_hex(4)}"
        admin = _admin_url(database_url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop():
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        env["DATABASE_URL"] = urlunsplit(
            urlsplit(database_url)._replace(path="/" + name)
        )
    else:
        tmp = tempfile.mkdtemp(prefix="e2e-")
        env["DATABASE_URL"] = f"sqlite:///{tmp}/e2e.sqlite3"
    server = None
    log = None
    try:
        for command in commands:
            _run(["manage.py", command, "--verbosity", "0"], env)
        port = _free_port()
        env["SITE_URL"] = f"http://127.0.0.1:{port}"
        log = open(Path(tmp or "/tmp") / f"e2e-server-{port}.log", "w")  # noqa: SIM115
        server = Server(port, env, log)
        server.start()
        yield server
    finally:
        if server is not None:
            server.stop()
        if log is not None:
            log.close()
        if drop is not None:
            drop()


@pytest.fixture(scope="session")
def e2e_server():
    """The demo province (``load_demo``) and the curriculum."""
    yield from _live_server(("migrate", "load_demo", "load_curriculum"))


@pytest.fixture(scope="module")
def empty_server():
    """A province's first day: the curriculum, and no school, unit or person yet."""
    yield from _live_server(("migrate", "load_curriculum"))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); .ci/run has it")
    # Module scope: the sync API runs an event loop in this thread while it is
    # open, which would make Django refuse sync calls in later tests of the worker.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Journey:
    """Screenshots and accessibility checks of the screens of one journey."""

    def __init__(self, name: str):
        self.name = name
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0
        self.checked: list[str] = []
        # Pupils' screens must show no accessibility violation at all, not only
        # no serious one (the pupil journey turns this on).
        self.every_violation = False

    def shot(self, page, label: str) -> None:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        page.screenshot(
            path=str(self.folder / f"{self.count:02d}-{slug}.png"), full_page=True
        )

    def check(self, page, label: str) -> None:
        """Screenshot the page and assert it has no serious accessibility problem."""
        self.shot(page, label)
        assert_accessible(page, every_violation=self.every_violation)
        self.checked.append(page.url)


def assert_accessible(page, *, every_violation: bool = False) -> None:
    """axe-core (shipped inside axe-playwright-python): no serious or critical
    violation, or none at all with ``every_violation``."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        violation
        for violation in results.response["violations"]
        if every_violation or violation.get("impact") in ("serious", "critical")
    ]
    if bad:
        lines = [f"accessibility violations on {page.url}:"]
        for violation in bad:
            targets = [
                " ".join(map(str, node["target"])) for node in violation["nodes"]
            ]
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                f" {violation.get('helpUrl', '')} at {targets[:5]}"
            )
        raise AssertionError("\n".join(lines))


@pytest.fixture
def journey(request):
    return Journey(request.node.name.removeprefix("test_"))


def sign_in(page, server: Server, username: str, password: str = STAFF_PASSWORD):
    page.goto(server.url + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.press("#id_password", "Enter")


def totp_now(key_hex: str, step: int = 30, digits: int = 6) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex), step=step, digits=digits):0{digits}d}"
