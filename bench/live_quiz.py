"""Benchmark: one live classroom game with thousands of players on real websockets.

Run: ``.venv/bin/python bench/live_quiz.py`` (or ``make bench``). Needs PostgreSQL
on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379.

Options (environment): ``BENCH_LIVE_PLAYERS`` (default 2000),
``BENCH_LIVE_LAYER`` (``pubsub``: channels_redis.pubsub.RedisPubSubChannelLayer,
the default, or ``core``: channels_redis.core.RedisChannelLayer),
``BENCH_LIVE_CLIENTS`` (client processes, default 2), ``BENCH_LIVE_QUESTIONS``
(default 3).

One bounded run that stops by itself:

1. creates the database ``bench_live`` if missing (never any other), migrates it,
   makes a published quiz, a host account and a fresh live session;
2. starts uvicorn (``config.asgi:application``, 2 worker processes, port 8766);
3. N players (guests) join over real websockets from ``BENCH_LIVE_CLIENTS``
   client processes (the clients share the machine's 2 cores with the server);
   the host's socket (signed in with a session cookie) starts the game, and each
   question is answered by every player after a random 0.5-4 s;
4. prints: the time for all N to join, broadcast latency p50/p95/p99 from the
   server's "question open" timestamp (``sent_at``, taken just before the group
   send) to each player's receipt, answers sent / acknowledged / refused /
   stored in the database (lost must be 0), errors;
5. stops the server it started (by its process group id).

Figures go to docs/performance.md by hand; this script only prints them.
"""

import asyncio
import json
import multiprocessing
import os
import random
import resource
import sys
import time
import uuid

import _server  # bench/_server.py: the database and the server

sys.path.insert(0, str(_server.BASE_DIR))

DB_NAME = "bench_live"
PORT = 8766
PLAYERS = int(os.environ.get("BENCH_LIVE_PLAYERS", "2000"))
CLIENTS = int(os.environ.get("BENCH_LIVE_CLIENTS", "2"))
QUESTIONS = int(os.environ.get("BENCH_LIVE_QUESTIONS", "3"))
LAYER = os.environ.get("BENCH_LIVE_LAYER", "pubsub")
LAYERS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
SECONDS_PER_QUESTION = 20
JOIN_LIMIT_SECONDS = 120
ORIGIN = f"http://127.0.0.1:{PORT}"

SERVER_ENV = {
    "DATABASE_URL": _server.database_url(DB_NAME),
    # redis-py 8 reads with a 5 s socket timeout by default, which breaks the core
    # layer's blocking BZPOPMIN (channels_redis issue 422): give it a long one.
    "REDIS_URL": "redis://127.0.0.1:6379/6"
    + ("?socket_timeout=3600" if LAYER == "core" else ""),
    "CHANNEL_LAYER_BACKEND": LAYERS[LAYER],
    "CHANNEL_LAYER_PREFIX": f"bench-live-{LAYER}",
    "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    "DEBUG": "False",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "AXES_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
    "BENCH_ENDPOINTS": "1",  # wires the floor's bare broadcast socket
}
FLOOR_BROADCASTS = 3


def database_migrate() -> None:
    _server.database_migrate(SERVER_ENV)


def fixtures_create() -> tuple[int, str, str, dict]:
    """Return (session id, PIN, host session cookie, first question as players
    see it) of a fresh live game."""
    os.environ.update(SERVER_ENV)
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cache import SessionStore

    from lms.models import User
    from quizzes.live.models import LiveSession
    from quizzes.live.selectors import live_question_public
    from quizzes.live.services import live_session_create
    from quizzes.models import Choice, Question, Quiz

    quiz = Quiz.objects.filter(curriculum_key="bench-live", live=True).first()
    if quiz is None:
        Quiz.objects.filter(curriculum_key="bench-live").delete()
        quiz = Quiz(
            title="Bench live quiz",
            topic_code="privacy",
            live=False,
            curriculum_key="bench-live",
            shuffle_questions=False,
        )
        quiz.questions = [
            Question(
                question_type="single_choice",
                prompt=f"Question {number}",
                explanation="Because.",
                choices=[
                    Choice(text="Right", is_correct=True, feedback="Yes."),
                    Choice(text="Wrong", feedback="No."),
                    Choice(text="Also wrong", feedback="No."),
                    Choice(text="Not this", feedback="No."),
                ],
            )
            for number in range(10)
        ]
        quiz.save()
        quiz.save_revision().publish()
        quiz.refresh_from_db()
    host, _created = User.objects.get_or_create(
        username="bench-live-host", defaults={"is_superuser": True, "is_staff": True}
    )
    # Earlier runs' sessions end (their PINs free again); their rows stay.
    LiveSession.objects.filter(host=host).exclude(phase="ended").update(phase="ended")
    session = live_session_create(
        host=host,
        quiz=quiz,
        scoring="speed",
        leaderboard="top5",
        seconds_per_question=SECONDS_PER_QUESTION,
    )
    store = SessionStore()
    store[SESSION_KEY] = str(host.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = host.get_session_auth_hash()
    store.save()
    question = live_question_public(session=session, index=0)
    return session.pk, session.pin, store.session_key, question


def answers_stored(session_id: int) -> int:
    from quizzes.live.models import LiveAnswer

    return LiveAnswer.objects.filter(session_id=session_id).count()


def server_start():
    return _server.server_start(
        port=PORT,
        env=SERVER_ENV,
        extra_args=os.environ.get("BENCH_LIVE_UVICORN_ARGS", "").split(),
    )


# --- Client processes ----------


def _websocket(path: str, **options):
    """Open a client websocket to the server under test (no keep-alive pings, no
    cap on queued messages: the bench reads everything)."""
    import websockets

    return websockets.connect(
        f"ws://127.0.0.1:{PORT}{path}",
        origin=ORIGIN,
        open_timeout=60,
        ping_interval=None,
        max_queue=None,
        **options,
    )


async def _player(pin: str, stats: dict, all_joined: asyncio.Event) -> None:

    started = time.monotonic()
    try:
        async with _websocket(f"/ws/choi/{pin}/") as socket:
            await socket.send(json.dumps({"type": "hello", "token": None}))
            while True:
                message = json.loads(
                    await asyncio.wait_for(socket.recv(), JOIN_LIMIT_SECONDS)
                )
                if message["type"] == "sync":
                    break
            stats["join_seconds"].append(time.monotonic() - started)
            pending: dict[str, float] = {}
            while True:
                raw = await asyncio.wait_for(socket.recv(), 300)
                received = time.time() * 1000
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "question" and message.get("phase") == "question":
                    question = message["question"]
                    stats["latency_ms"].append(
                        (question["index"], received - message["sent_at"])
                    )
                    choice = random.choice(question["choices"])["id"]
                    await asyncio.sleep(random.uniform(0.5, 4.0))
                    client_id = str(uuid.uuid4())
                    pending[client_id] = time.monotonic()
                    stats["sent"] += 1
                    await socket.send(
                        json.dumps(
                            {
                                "type": "answer",
                                "index": question["index"],
                                "choice_ids": [choice],
                                "client_id": client_id,
                            }
                        )
                    )
                elif kind == "ack":
                    if pending.pop(message["client_id"], None) is not None:
                        stats["acked"] += 1
                elif kind == "refused":
                    pending.pop(message.get("client_id"), None)
                    stats["refused"] += 1
                elif kind == "ended":
                    return
    except Exception as error:  # noqa: BLE001 - a benchmark counts every failure
        stats["errors"].append(type(error).__name__)


def client_process(pin: str, count: int, results) -> None:
    _raise_file_limit()

    async def main():
        stats = {
            "join_seconds": [],
            "latency_ms": [],
            "sent": 0,
            "acked": 0,
            "refused": 0,
            "errors": [],
        }
        joined = asyncio.Event()
        tasks = []
        for _ in range(count):
            tasks.append(asyncio.ensure_future(_player(pin, stats, joined)))
            await asyncio.sleep(0.002)  # a class arriving, not one packet storm
        await asyncio.wait(tasks, timeout=JOIN_LIMIT_SECONDS + 60 * QUESTIONS + 60)
        return stats

    results.put(asyncio.run(main()))


async def _floor_socket(stats: dict, connected) -> None:

    try:
        async with _websocket("/ws/bench/floor/") as socket:
            with connected.get_lock():
                connected.value += 1
            while True:
                raw = await asyncio.wait_for(socket.recv(), JOIN_LIMIT_SECONDS)
                received = time.time() * 1000
                message = json.loads(raw)
                if message["number"] == FLOOR_BROADCASTS:
                    return  # every socket closes after the last measured one
                stats["latency_ms"].append(
                    (message["number"], received - message["sent_at"])
                )
    except Exception as error:  # noqa: BLE001 - a benchmark counts every failure
        stats["errors"].append(type(error).__name__)


def floor_client_process(connected, count: int, results) -> None:
    _raise_file_limit()

    async def main():
        stats = {"latency_ms": [], "errors": []}
        tasks = []
        for _ in range(count):
            tasks.append(asyncio.ensure_future(_floor_socket(stats, connected)))
            await asyncio.sleep(0.002)
        await asyncio.wait(tasks, timeout=JOIN_LIMIT_SECONDS + 30)
        return stats

    results.put(asyncio.run(main()))


async def floor_drive(connected, target: int, question: dict) -> None:
    """When every floor socket is in, broadcast a question-sized message 3 times
    (then once more, which tells the sockets to close)."""

    started = time.monotonic()
    while connected.value < target and time.monotonic() - started < JOIN_LIMIT_SECONDS:
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)
    async with _websocket("/ws/bench/floor/") as socket:
        for number in range(FLOOR_BROADCASTS + 1):
            await socket.send(
                json.dumps({"type": "floor", "number": number, "question": question})
            )
            await asyncio.sleep(2)


def run_clients(target, arguments: tuple, drive) -> list[dict]:
    """Run PLAYERS sockets in CLIENTS processes of ``target`` while ``drive`` runs;
    return each process's stats."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    share = [
        PLAYERS // CLIENTS + (1 if i < PLAYERS % CLIENTS else 0) for i in range(CLIENTS)
    ]
    clients = [
        context.Process(target=target, args=(*arguments, count, results))
        for count in share
    ]
    for client in clients:
        client.start()
    drive()
    collected = [results.get(timeout=120) for _ in clients]
    for client in clients:
        client.join(timeout=30)
        if client.is_alive():
            client.kill()
    return collected


# --- The host ----------


async def host_drive(session_id: int, cookie: str, joined_target: int) -> dict:

    timings = {}
    async with _websocket(
        f"/ws/choi/{session_id}/dieu-khien/",
        additional_headers={"Cookie": f"sessionid={cookie}"},
    ) as socket:
        players = 0
        started = time.monotonic()
        while players < joined_target and time.monotonic() - started < (
            JOIN_LIMIT_SECONDS
        ):
            try:
                message = json.loads(await asyncio.wait_for(socket.recv(), 5))
            except TimeoutError:
                continue
            if message["type"] in {"roster", "sync"}:
                players = len(message.get("players", []))
        timings["joined"] = players
        timings["join_seconds"] = time.monotonic() - started
        for number in range(QUESTIONS):
            await socket.send(json.dumps({"type": "start" if number == 0 else "next"}))
            opened = time.monotonic()
            while time.monotonic() - opened < SECONDS_PER_QUESTION + 30:
                try:
                    message = json.loads(await asyncio.wait_for(socket.recv(), 5))
                except TimeoutError:
                    continue
                # Only the results of the question just opened end the wait.
                if message["type"] == "results" and message["index"] == number:
                    timings[f"q{number + 1}_results_after_seconds"] = round(
                        time.monotonic() - opened, 1
                    )
                    break
            await asyncio.sleep(1)
        await socket.send(json.dumps({"type": "end"}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                message = json.loads(await asyncio.wait_for(socket.recv(), 5))
            except TimeoutError:
                continue
            if message["type"] == "finalised":
                break
    return timings


def _raise_file_limit() -> None:
    """Let one process hold thousands of sockets (up to the hard limit)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    _raise_file_limit()
    _server.database_ensure(DB_NAME)
    database_migrate()
    session_id, pin, cookie, question = fixtures_create()
    print(
        f"live quiz: {PLAYERS} players, layer {LAYER} ({LAYERS[LAYER]}), "
        f"{CLIENTS} client processes, {QUESTIONS} questions, uvicorn --workers 2"
    )
    server = server_start()
    try:
        _server.server_wait(f"{ORIGIN}/healthz")
        connected = multiprocessing.get_context("spawn").Value("i", 0)
        floor = run_clients(
            floor_client_process,
            (connected,),
            lambda: asyncio.run(floor_drive(connected, PLAYERS, question)),
        )
        timings = {}
        collected = run_clients(
            client_process,
            (pin,),
            lambda: timings.update(
                asyncio.run(host_drive(session_id, cookie, PLAYERS))
            ),
        )
    finally:
        _server.server_stop(server)
    joins = [s for c in collected for s in c["join_seconds"]]
    latencies = [v for c in collected for _i, v in c["latency_ms"]]
    by_question = {}
    for c in collected:
        for index, value in c["latency_ms"]:
            by_question.setdefault(index, []).append(value)
    sent = sum(c["sent"] for c in collected)
    acked = sum(c["acked"] for c in collected)
    refused = sum(c["refused"] for c in collected)
    errors = [e for c in collected for e in c["errors"]]
    stored = answers_stored(session_id)
    print(
        f"  joined: {len(joins)}/{PLAYERS}; host saw all joined after "
        f"{timings.get('join_seconds', float('nan')):.1f} s; "
        f"slowest player join {max(joins, default=float('nan')):.1f} s"
    )
    print(
        "  broadcast latency (question open -> player), ms: "
        f"p50 {percentile(latencies, 0.50):.0f}, "
        f"p95 {percentile(latencies, 0.95):.0f}, "
        f"p99 {percentile(latencies, 0.99):.0f}, "
        f"max {max(latencies, default=0):.0f} "
        f"({len(latencies)} receipts)"
    )
    floor_latencies = [v for c in floor for _n, v in c["latency_ms"]]
    floor_errors = [e for c in floor for e in c["errors"]]
    print(
        "  floor (bare broadcast socket, same stack, same size, no game), ms: "
        f"p50 {percentile(floor_latencies, 0.50):.0f}, "
        f"p95 {percentile(floor_latencies, 0.95):.0f} "
        f"({len(floor_latencies)} receipts, {len(floor_errors)} errors)"
    )
    floor_by_number = {}
    for c in floor:
        for number, value in c["latency_ms"]:
            floor_by_number.setdefault(number, []).append(value)
    for number, values in sorted(floor_by_number.items()):
        print(
            f"    broadcast {number + 1}: p50 {percentile(values, 0.5):.0f}, "
            f"p95 {percentile(values, 0.95):.0f} ms"
        )
    print(
        "  ratio floor/live broadcast p95: "
        f"{percentile(floor_latencies, 0.95) / percentile(latencies, 0.95):.2f} "
        "(1.00: the game adds nothing to the machine's cost of a broadcast)"
    )
    for index, values in sorted(by_question.items()):
        print(
            f"    question {index + 1}: p50 {percentile(values, 0.5):.0f}, "
            f"p95 {percentile(values, 0.95):.0f} ms"
        )
    print(
        f"  answers: sent {sent}, acknowledged {acked}, refused {refused}, "
        f"stored {stored}, lost {acked - stored if acked >= stored else 0}; "
        f"unanswered-by-server {sent - acked - refused}"
    )
    print(
        f"  per question: {[v for k, v in timings.items() if k.startswith('q')]} s "
        "until every answer was in (auto-reveal)"
    )
    print(f"  errors: {len(errors)} {sorted(set(errors))}")
    return 0 if acked == stored and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
