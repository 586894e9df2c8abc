"""Capacity of a school day: how many active pupils the production shape serves.

``make bench-capacity`` (docs/performance.md, "Capacity of a school day"). Needs
PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379. It prepares the database
``bench_capacity`` (created if missing, migrated, the curriculum loaded,
``generate_scale`` run: consent, assignments, computable login cards, officers),
collects the static files, then starts the production shape as ``make prod`` does:
honcho runs the Procfile (HTTP pool, websocket pool, task worker) under
``config.settings.production`` on loopback ports, Redis database 14. It stops that
server (its process group, by id) at the end, whatever happens.

The load is ``bench/_capacity_model.py``: pupils signing in with their cards,
reading sections, answering and submitting quizzes, opening their progress;
teachers on the class grid with its live socket, sometimes assigning; heads of
school and officers on dashboards, sometimes exporting. With locust installed
(requirements-dev.txt) ``--locust`` runs the same journeys under locust,
headless, for the same bounded time; otherwise a thread per simulated person
drives them (``httpx``; the teacher's socket with ``websockets``).

Modes:
- ``steps`` (default): active pupils ``BENCH_CAPACITY_STEPS`` (``200,400,600,800``),
  each for ``BENCH_CAPACITY_SECONDS`` (90), new people each step (arrivals spread
  over the first ``BENCH_CAPACITY_RAMP`` seconds, 30);
- ``storm``: ``BENCH_STORM_WORKING`` (800) pupils working, and
  ``BENCH_STORM_ARRIVING`` (1,000) more signing in spread evenly over
  ``BENCH_STORM_SECONDS`` (300), who then work too.

Each step prints: requests, p50/p95 of pages, API and sign-ins, errors (any status
of 400 or more, or no answer), the CPU seconds of the app (the server's processes),
PostgreSQL (backends of this database only), Redis (the whole server: it is
shared) and the load generator itself, and the load average before and after.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _server  # noqa: E402
from bench._capacity_model import (  # noqa: E402
    Browser,
    Mix,
    Reply,
    Roster,
    Stop,
    officer_session,
    pupil_session,
    school_admin_session,
    teacher_session,
)

DATABASE = "bench_capacity"
WEB_PORT = int(os.environ.get("BENCH_CAPACITY_PORT", "8770"))
WS_PORT = WEB_PORT + 1
SITE = f"http://127.0.0.1:{WEB_PORT}"
REDIS_URL = "redis://127.0.0.1:6379/14"
SCHOOLS = int(os.environ.get("BENCH_CAPACITY_SCHOOLS", "4"))
PUPILS_PER_SCHOOL = int(os.environ.get("BENCH_CAPACITY_PUPILS", "600"))
STEPS = [
    int(n) for n in os.environ.get("BENCH_CAPACITY_STEPS", "200,400,600,800").split(",")
]
SECONDS = float(os.environ.get("BENCH_CAPACITY_SECONDS", "90"))
RAMP = float(os.environ.get("BENCH_CAPACITY_RAMP", "30"))
STORM_WORKING = int(os.environ.get("BENCH_STORM_WORKING", "800"))
STORM_ARRIVING = int(os.environ.get("BENCH_STORM_ARRIVING", "1000"))
STORM_SECONDS = float(os.environ.get("BENCH_STORM_SECONDS", "300"))
TARGET_P95 = 0.5
TARGET_SIGN_IN_P95 = 1.0


def _env(settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": _server.database_url(DATABASE),
        "REDIS_URL": REDIS_URL,
    }


def _production_env() -> dict[str, str]:
    """What ``make prod`` sets on one machine (ops/prod.py), on loopback ports."""
    return {
        **_env("config.settings.production"),
        "SECRET_KEY": "bench-capacity-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": SITE,
        "SECURE_SSL_REDIRECT": "false",
        "WEB_PORT": str(WEB_PORT),
        "WS_PORT": str(WS_PORT),
        "BIND_HOST": "127.0.0.1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def manage(env: dict[str, str], *arguments: str, timeout: float = 3600) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=_server.BASE_DIR,
        env=env,
        check=True,
        timeout=timeout,
    )


def prepare() -> None:
    _server.database_ensure(DATABASE)
    env = _env("config.settings.dev")
    _server.database_migrate(env)
    manage(env, "load_curriculum", "-v", "0")
    manage(
        env,
        "generate_scale",
        "--schools",
        str(SCHOOLS),
        "--pupils-per-school",
        str(PUPILS_PER_SCHOOL),
        "--no-progress",
    )
    manage(_production_env(), "collectstatic", "--noinput", "-v", "0")


def roster() -> Roster:
    """Read the generated people the load uses from the bench database."""
    import psycopg

    with psycopg.connect(_server.database_url(DATABASE)) as connection:

        def rows(sql):
            return connection.execute(sql).fetchall()

        module_id = rows(
            "SELECT a.module_id FROM lms_assignment a JOIN lms_schoolclass c "
            "ON c.id = a.school_class_id JOIN lms_school s ON s.id = c.school_id "
            "WHERE s.code LIKE 'SCALE-%' ORDER BY a.id LIMIT 1"
        )[0][0]
        pupils = [
            row[0]
            for row in rows(
                "SELECT username FROM lms_user WHERE username LIKE 'scale-hs-%' "
                "ORDER BY username"
            )
        ]
        teachers = rows(
            "SELECT u.username, c.id FROM lms_schoolclass c JOIN lms_user u "
            "ON u.id = c.homeroom_teacher_id WHERE u.username LIKE 'scale-gv-%' "
            "ORDER BY u.username"
        )
        admins = rows(
            "SELECT u.username, r.school_id FROM lms_roleassignment r JOIN lms_user u "
            "ON u.id = r.user_id WHERE u.username LIKE 'scale-qt-%' "
            "AND r.role = 'school_admin' ORDER BY u.username"
        )
        officers = [
            row[0]
            for row in rows(
                "SELECT username FROM lms_user WHERE username LIKE 'scale-cb-%' "
                "ORDER BY username"
            )
        ]
    random.Random(25).shuffle(pupils)  # pupils of every school and class
    return Roster(module_id, pupils, teachers, admins, officers)


# --- The server ----------


def server_start() -> subprocess.Popen:
    """Start the Procfile under honcho, as ``make prod`` does, in its own group."""
    honcho = Path(sys.executable).parent / "honcho"
    return subprocess.Popen(
        [
            str(honcho),
            "start",
            "-f",
            os.environ.get("BENCH_CAPACITY_PROCFILE", "Procfile"),
            "-e",
            os.devnull,
        ],
        cwd=_server.BASE_DIR,
        env=_production_env(),
        stdout=open(Path("/tmp") / "bench_capacity_server.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _descendants(root: int) -> dict[int, int]:
    """Every process under ``root`` (``root`` included), with its parent."""
    children = defaultdict(set)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[parent].add(int(entry.name))
    found, todo = {root: 0}, [root]
    while todo:
        pid = todo.pop()
        for child in children[pid] - found.keys():
            found[child] = pid
            todo.append(child)
    return found


def _procfile_name(pid: int, parents: dict[int, int]) -> str:
    """The Procfile process ``pid`` belongs to (web, ws, worker), from its own
    command line or its nearest ancestor's that names one; else honcho."""
    marks = {f"{WEB_PORT}": "web", f"{WS_PORT}": "ws", "tasks_worker": "worker"}
    while pid in parents:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            command = ""
        for mark, name in marks.items():
            if mark in command:
                return name
        pid = parents[pid]
    return "honcho"


def cpu_seconds(server: subprocess.Popen) -> dict[str, float]:
    """CPU seconds so far of the app, this database's PostgreSQL backends, Redis
    and this process (exited processes are not counted: sample the same ones)."""
    tick = os.sysconf("SC_CLK_TCK")
    app = _descendants(server.pid)
    totals = defaultdict(float)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if pid in app:
            totals["app"] += seconds
            totals[f"app:{_procfile_name(pid, app)}"] += seconds
        elif command.startswith("postgres:") and f" {DATABASE} " in command:
            totals["postgres"] += seconds
        elif "redis-server" in command:
            totals["redis"] += seconds
        elif pid == os.getpid():
            totals["client"] += seconds
    return totals


# --- The thread driver ----------


@dataclass
class Sample:
    kind: str
    name: str
    status: int
    seconds: float


class Recorder:
    def __init__(self):
        self.samples: list[Sample] = []
        self.lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def _transport(client, recorder: Recorder):
    def transport(method, path, headers, body, is_json, name, kind) -> Reply:
        started = time.perf_counter()
        try:
            if method == "GET":
                response = client.get(path, headers=headers)
            elif is_json:
                response = client.post(path, headers=headers, json=body)
            else:
                response = client.post(path, headers=headers, data=body)
        except Exception:  # noqa: BLE001 (no answer is an error of the run)
            recorder.add(Sample(kind, name, 0, time.perf_counter() - started))
            return Reply(0, "")
        recorder.add(
            Sample(kind, name, response.status_code, time.perf_counter() - started)
        )
        return Reply(
            response.status_code, response.text, response.headers.get("location", "")
        )

    return transport


def _person(job, recorder: Recorder, deadline: float, delay: float) -> None:
    import httpx

    time.sleep(delay)
    with httpx.Client(base_url=SITE, timeout=30, follow_redirects=False) as client:
        browser = Browser(transport=_transport(client, recorder), deadline=deadline)
        original = browser.transport

        def keeping_cookies(method, path, headers, body, is_json, name, kind):
            reply = original(method, path, headers, body, is_json, name, kind)
            for cookie in client.cookies.jar:
                browser.cookies[cookie.name] = cookie.value
            client.cookies.clear()
            return reply

        browser.transport = keeping_cookies
        with contextlib.suppress(Stop):
            job(browser)


def _open_socket(recorder: Recorder):
    def open_socket(path: str, headers: dict):
        from websockets.sync.client import connect

        started = time.perf_counter()
        try:
            socket = connect(
                f"ws://127.0.0.1:{WS_PORT}{path}",
                additional_headers={
                    "Cookie": headers.get("Cookie", ""),
                    "Origin": SITE,
                },
                open_timeout=10,
            )
        except Exception:  # noqa: BLE001
            recorder.add(
                Sample("socket", "class grid socket", 0, time.perf_counter() - started)
            )
            return None
        recorder.add(
            Sample("socket", "class grid socket", 101, time.perf_counter() - started)
        )
        return socket

    return open_socket


def jobs_for(mix: Mix, people: Roster, first_pupil: int, recorder: Recorder):
    """The journeys of one step: (job, which) for each simulated person."""
    jobs = []
    for username in people.pupils[first_pupil : first_pupil + mix.pupils]:
        jobs.append(lambda b, u=username: pupil_session(b, u, people.module_id))
    opener = _open_socket(recorder)
    for username, class_id in people.teachers[: mix.teachers]:
        jobs.append(lambda b, u=username, c=class_id: teacher_session(b, u, c, opener))
    for username, school_id in people.school_admins[: mix.school_admins]:
        jobs.append(lambda b, u=username, s=school_id: school_admin_session(b, u, s))
    officers = [people.province_officer, *people.unit_officers][: mix.officers]
    for username in officers:
        jobs.append(
            lambda b, u=username: officer_session(
                b, u, second_factor=u == people.province_officer
            )
        )
    return jobs


def run_threads(jobs_and_delays, seconds: float, recorder: Recorder) -> None:
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_person, args=(job, recorder, deadline, delay), daemon=True
        )
        for job, delay in jobs_and_delays
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 40)


# --- Figures ----------


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(
    label: str,
    recorder: Recorder,
    cpu: dict[str, float],
    seconds: float,
    load: tuple[str, str],
) -> dict:
    by_kind = defaultdict(list)
    errors = defaultdict(int)
    for sample in recorder.samples:
        by_kind[sample.kind].append(sample.seconds)
        if sample.status == 0 or sample.status >= 400:
            errors[f"{sample.name} {sample.status}"] += 1
    line = {
        "step": label,
        "requests": len(recorder.samples),
        "per_second": round(len(recorder.samples) / seconds, 1),
        **{
            f"{kind} p50/p95 ms": (
                f"{_p(values, 50) * 1000:.0f}/{_p(values, 95) * 1000:.0f}"
                f" ({len(values)})"
            )
            for kind, values in sorted(by_kind.items())
        },
        "errors": sum(errors.values()),
        "error kinds": dict(errors),
        "cpu s app/postgres/redis/client": "/".join(
            f"{cpu.get(key, 0):.0f}" for key in ("app", "postgres", "redis", "client")
        ),
        "cpu s in app (web/ws/worker/honcho)": "/".join(
            f"{cpu.get(f'app:{key}', 0):.1f}"
            for key in ("web", "ws", "worker", "honcho")
        ),
        "app cpu ms per request": round(
            1000 * cpu.get("app", 0) / max(1, len(recorder.samples)), 1
        ),
        "load before": load[0],
        "load after": load[1],
    }
    pages = by_kind.get("page", [])
    apis = by_kind.get("api", [])
    line["met"] = (
        _p(pages, 95) <= TARGET_P95 and _p(apis, 95) <= TARGET_P95 and not errors
    )
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


def measure(label: str, server, jobs_and_delays, seconds: float) -> dict:
    recorder = Recorder()
    load_before = _server.load_average()
    cpu_before = cpu_seconds(server)
    started = time.monotonic()
    run_threads(jobs_and_delays, seconds, recorder)
    cpu_after = cpu_seconds(server)
    cpu = {key: cpu_after[key] - cpu_before.get(key, 0) for key in cpu_after}
    return report(
        label,
        recorder,
        cpu,
        time.monotonic() - started,
        (load_before, _server.load_average()),
    )


def run_locust(people: Roster, server) -> int:
    """Run the same journeys under locust, headless, one step per size."""
    import importlib.util

    if importlib.util.find_spec("locust") is None:
        print("locust is not installed (pip install -r requirements-dev.txt)")
        return 2
    roster_file = Path("/tmp/bench_capacity_roster.json")
    roster_file.write_text(json.dumps(people.as_json()))
    status = 0
    for pupils in STEPS:
        mix = Mix.for_pupils(pupils, people)
        users = mix.pupils + mix.teachers + mix.school_admins + mix.officers
        load_before = _server.load_average()
        cpu_before = cpu_seconds(server)
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                *("-f", "bench/_capacity_locustfile.py", "--headless", "-H", SITE),
                *("-u", str(users), "-r", str(max(1, round(users / RAMP)))),
                *("-t", f"{SECONDS:.0f}s", "--only-summary", "--stop-timeout", "30"),
            ],
            cwd=_server.BASE_DIR,
            env={**os.environ, "BENCH_CAPACITY_ROSTER": str(roster_file)},
            timeout=SECONDS + 120,
        )
        cpu_after = cpu_seconds(server)
        cpu = {key: cpu_after[key] - cpu_before.get(key, 0) for key in cpu_after}
        print(
            f"locust step {pupils} pupils ({users} people): exit {result.returncode}, "
            f"cpu s app {cpu.get('app', 0):.0f} postgres {cpu.get('postgres', 0):.0f} "
            f"redis {cpu.get('redis', 0):.0f}; {load_before} -> "
            f"{_server.load_average()}"
        )
        status = status or result.returncode
    return status


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    mode = sys.argv[1] if len(sys.argv) > 1 else "steps"
    print(f"bench capacity ({mode}): {_server.load_average()}")
    if "--no-prepare" not in sys.argv:
        prepare()
    people = roster()
    print(
        f"roster: {len(people.pupils)} pupils, {len(people.teachers)} teachers, "
        f"module {people.module_id}"
    )
    server = server_start()
    try:
        _server.server_wait(f"{SITE}/healthz", seconds=120)
        if "--locust" in sys.argv:
            return run_locust(people, server)
        # A run starts at a random pupil, so runs one after another take other
        # pupils (with other attempts) as far as the roster allows.
        needed = STORM_WORKING + STORM_ARRIVING if mode == "storm" else max(STEPS)
        first = random.randrange(max(1, len(people.pupils) - needed))
        if mode == "storm":
            working = Mix.for_pupils(STORM_WORKING, people)
            recorder = Recorder()
            jobs = [
                (job, random.uniform(0, RAMP))
                for job in jobs_for(working, people, first, recorder)
            ]
            arriving = people.pupils[
                first + STORM_WORKING : first + STORM_WORKING + STORM_ARRIVING
            ]
            spacing = STORM_SECONDS / max(1, len(arriving))
            jobs += [
                (
                    lambda b, u=username: pupil_session(b, u, people.module_id),
                    RAMP + i * spacing,
                )
                for i, username in enumerate(arriving)
            ]
            measure("storm", server, jobs, RAMP + STORM_SECONDS + 20)
            return 0
        for pupils in STEPS:
            mix = Mix.for_pupils(pupils, people)
            recorder = Recorder()
            jobs = [
                (job, random.uniform(0, RAMP))
                for job in jobs_for(mix, people, first, recorder)
            ]
            first = (first + mix.pupils) % max(1, len(people.pupils) - mix.pupils)
            print(f"step: {mix}")
            measure(f"{pupils} pupils", server, jobs, SECONDS)
    finally:
        _server.server_stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
