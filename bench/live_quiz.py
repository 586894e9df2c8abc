"""Benchmark: one live classroom game with thousands of players on real websockets.

Run: ``.venv/bin/python bench/live_quiz.py`` (or ``make bench``). Needs PostgreSQL
on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379 (database 6).

Options (environment):

- ``BENCH_LIVE_PLAYERS`` (default 2000), ``BENCH_LIVE_QUESTIONS`` (default 3),
  ``BENCH_LIVE_CLIENTS`` (client processes, default 2);
- ``BENCH_LIVE_LAYER``: ``pubsub`` (channels_redis.pubsub.RedisPubSubChannelLayer,
  the default) or ``core`` (channels_redis.core.RedisChannelLayer);
- ``BENCH_LIVE_SHAPE``: ``bench`` (the default: ``config.settings.dev`` with
  DEBUG off, 2 workers) or ``production``: the server as docs/operations.md runs
  it (``config.settings.production`` with a random SECRET_KEY, two workers per
  core, ``--proxy-headers --forwarded-allow-ips 127.0.0.1 --lifespan off
  --ws-per-message-deflate false --timeout-graceful-shutdown 30``);
- ``BENCH_LIVE_WORKERS``: uvicorn worker processes (default 2, or two per core
  in the production shape); ``DB_POOL_MIN`` / ``DB_POOL_MAX`` /
  ``DB_POOL_TIMEOUT`` reach the server as they are (in the production shape
  ``DB_POOL_MAX`` defaults to what keeps workers x pool within 80 connections);
  ``BENCH_LIVE_UVICORN_ARGS``: more uvicorn flags;
- ``BENCH_LIVE_DROP`` (a share, e.g. ``0.05``): on each question that share of the
  players (drawn at random) lose their socket at a random moment 0.2-5 s after the
  question reached them (before or after answering), wait the phone's jittered
  backoff and come back with their seat token, resending an unacknowledged answer;
- ``BENCH_LIVE_RESTART``: ``kill`` (SIGKILL to the server's process group) or
  ``term`` (SIGTERM, then wait until it has exited) ``BENCH_LIVE_RESTART_AT``
  seconds (default 2) after the host's tap on question 2, while answers arrive;
  the server stays down ``BENCH_LIVE_RESTART_DOWN`` more seconds (default 0; over
  10 s the open question is given back its lost time) and starts again on the
  same port; every client, the host's too, reconnects and carries on;
- ``BENCH_LIVE_GAMES`` (default 1): games played one after the other on the same
  server, each with a new session and the same number of players (does the
  memory of one game serve the next, or does it grow?);
- ``BENCH_LIVE_FLOOR=0`` skips the floor (below).

One bounded run that stops by itself:

1. creates the database ``bench_live`` if missing (never any other), migrates it,
   makes a published quiz, a host (a teacher allowed to host live games) and a
   fresh live session; starts uvicorn (``config.asgi:application``) on port 8766;
2. floor: N bare broadcast sockets (``/ws/bench/floor/``: the same stack with no
   game) receive three question-sized broadcasts stamped by the server;
3. game: N guest players join over real websockets from the client processes
   (which share the machine's cores with the server) and behave as the phones'
   script (quizzes/static/quizzes/live_player.js, live_common.js): ``hello``
   with the stored seat token, a ``sync`` when a sequence number is skipped, one
   answer per question after a random 0.5-4 s kept ``pending`` until
   acknowledged and resent after every reconnect, reconnecting after a jittered
   backoff (0.5 s doubling to 8 s, each wait between half and one and a half of
   the delay, never over 8 s). The host's socket (a signed-in session) waits
   for every player, taps ``start``, and after each question's results (the
   server reveals when everyone has answered) waits 1 s and taps ``next``; it
   reconnects too and keeps driving from the ``sync`` it gets back;
4. prints what people feel: each question's arrival from the host's tap (the
   host's clock and the players' are this machine's), per question, and the
   host's own tap -> question on its screen; the server-stamped broadcast
   latency (``sent_at`` -> player) as a second figure; the answers: sent,
   acknowledged, refused though tapped in time by the player's own countdown
   (lost), refused as late (not lost), stored, and lost (acknowledged but not
   stored + refused in time + never acknowledged nor refused at the end);
   reconnects; the restart's timings; the server's memory (RSS of its process
   group) before the players join, at the peak of the game and 10 s after every
   player left; and one row to paste into docs/performance.md;
5. stops the server it started (by its process group id).

Figures go to docs/performance.md by hand; this script only prints them.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import json
import multiprocessing
import os
import random
import resource
import secrets
import signal
import sys
import threading
import time
import uuid

import _server  # bench/_server.py: the database and the server

sys.path.insert(0, str(_server.BASE_DIR))

DB_NAME = "bench_live"
PORT = 8766
ORIGIN = f"http://127.0.0.1:{PORT}"
PLAYERS = int(os.environ.get("BENCH_LIVE_PLAYERS", "2000"))
CLIENTS = int(os.environ.get("BENCH_LIVE_CLIENTS", "2"))
QUESTIONS = int(os.environ.get("BENCH_LIVE_QUESTIONS", "3"))
LAYER = os.environ.get("BENCH_LIVE_LAYER", "pubsub")
LAYERS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
SHAPE = os.environ.get("BENCH_LIVE_SHAPE", "bench")
WORKERS = int(
    os.environ.get("BENCH_LIVE_WORKERS")
    or (2 * (os.cpu_count() or 1) if SHAPE == "production" else 2)
)
DROP = float(os.environ.get("BENCH_LIVE_DROP", "0"))
RESTART = os.environ.get("BENCH_LIVE_RESTART", "")
RESTART_AT = float(os.environ.get("BENCH_LIVE_RESTART_AT", "2"))
RESTART_DOWN = float(os.environ.get("BENCH_LIVE_RESTART_DOWN", "0"))
RESTART_INDEX = 1  # question 2
FLOOR = os.environ.get("BENCH_LIVE_FLOOR", "1") != "0"
GAMES = int(os.environ.get("BENCH_LIVE_GAMES", "1"))

SECONDS_PER_QUESTION = 20
JOIN_LIMIT_SECONDS = 120
RESTART_LIMIT_SECONDS = 180 if RESTART else 0
# Every player gives up after this (the run then reports who never finished).
RUN_LIMIT_SECONDS = (
    JOIN_LIMIT_SECONDS
    + QUESTIONS * (SECONDS_PER_QUESTION + 30)
    + RESTART_LIMIT_SECONDS
    + 60
)
ANSWER_DELAY_SECONDS = (0.5, 4.0)
DROP_AFTER_SECONDS = (0.2, 5.0)
# The phones' reconnect backoff (live_common.js).
BACKOFF_FIRST, BACKOFF_LONGEST = 0.5, 8.0
# After "ended", a phone with an unacknowledged answer waits this long for it.
ENDED_WAIT_SECONDS = 5
RSS_AFTER_SECONDS = 10
# Several workers importing Django on a busy 2-core machine took 40 s.
SERVER_START_SECONDS = 180
FLOOR_BROADCASTS = 3

SERVER_ENV = {
    "DATABASE_URL": _server.database_url(DB_NAME),
    # redis-py 8 reads with a 5 s socket timeout by default, which breaks the core
    # layer's blocking BZPOPMIN (channels_redis issue 422): give it a long one.
    "REDIS_URL": "redis://127.0.0.1:6379/6"
    + ("?socket_timeout=3600" if LAYER == "core" else ""),
    "CHANNEL_LAYER_BACKEND": LAYERS.get(LAYER, ""),
    "CHANNEL_LAYER_PREFIX": f"bench-live-{LAYER}",
    "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    "DEBUG": "False",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "AXES_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
    "BENCH_ENDPOINTS": "1",  # wires the floor's bare broadcast socket
}
UVICORN_ARGS: list[str] = []
if SHAPE == "production":
    SERVER_ENV.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            # One key per run, shared by this script (which signs the host's
            # session in) and every server it starts.
            "SECRET_KEY": os.environ.get("BENCH_LIVE_SECRET_KEY")
            or secrets.token_urlsafe(64),
            "SITE_URL": ORIGIN,
            "DB_POOL_MAX": os.environ.get("DB_POOL_MAX") or str(min(20, 80 // WORKERS)),
            # One uvicorn pool serves pages and sockets here, with no task worker:
            # the settings' connection budget counts its workers alone.
            "WEB_WORKERS": str(WORKERS),
            "WS_WORKERS": "0",
            "TASK_WORKERS": "0",
        }
    )
    UVICORN_ARGS = [
        "--proxy-headers",
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--timeout-graceful-shutdown",
        "30",
    ]
UVICORN_ARGS += os.environ.get("BENCH_LIVE_UVICORN_ARGS", "").split()


def options_check() -> None:
    problems = []
    if LAYER not in LAYERS:
        problems.append(f"BENCH_LIVE_LAYER must be one of {sorted(LAYERS)}")
    if SHAPE not in {"bench", "production"}:
        problems.append("BENCH_LIVE_SHAPE must be bench or production")
    if RESTART not in {"", "kill", "term"}:
        problems.append("BENCH_LIVE_RESTART must be kill or term")
    if RESTART and QUESTIONS < 2:
        problems.append("a restart happens on question 2: BENCH_LIVE_QUESTIONS >= 2")
    if not 0 <= DROP < 1:
        problems.append("BENCH_LIVE_DROP is a share between 0 and 1")
    if GAMES < 1:
        problems.append("BENCH_LIVE_GAMES is at least 1")
    if not 1 <= QUESTIONS <= 10:
        problems.append("BENCH_LIVE_QUESTIONS is 1 to 10 (the quiz has 10)")
    if problems:
        raise SystemExit("; ".join(problems))


def database_migrate() -> None:
    _server.database_migrate(SERVER_ENV)


def fixtures_create() -> tuple[int, str, str, dict]:
    """Return (session id, PIN, host session cookie, first question as players
    see it) of a fresh live game."""
    os.environ.update(SERVER_ENV)
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Permission
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
    # A teacher allowed to host live games, as in a classroom. (An administrator
    # would owe a second factor, and a socket of a session that owes it is
    # refused before it opens.)
    host, _created = User.objects.get_or_create(username="bench-live-host")
    if host.is_superuser or host.is_staff:
        host.is_superuser = host.is_staff = False
        host.save(update_fields=["is_superuser", "is_staff"])
    host.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="quizzes", codename="host_live_quiz"
        )
    )
    host = User.objects.get(pk=host.pk)  # without a stale permission cache
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
    store[BACKEND_SESSION_KEY] = "lms.accounts.backends.PasswordBackend"
    store[HASH_SESSION_KEY] = host.get_session_auth_hash()
    store.save()
    question = live_question_public(session=session, index=0)
    return session.pk, session.pin, store.session_key, question


def answers_stored(session_id: int) -> set[str]:
    """Return the client ids of the answers stored for the session."""
    from quizzes.live.models import LiveAnswer

    return {
        str(client_id)
        for client_id in LiveAnswer.objects.filter(session_id=session_id).values_list(
            "client_id", flat=True
        )
    }


def server_start():
    return _server.server_start(
        port=PORT, env=SERVER_ENV, extra_args=UVICORN_ARGS, workers=WORKERS
    )


# --- Sockets, as the phones' script opens them ----------


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


def _now_ms() -> float:
    return time.time() * 1000


def _backoff_wait(delay: float) -> float:
    """The phones' jittered wait (live_common.js): half to one and a half of the
    delay, never longer than the longest delay."""
    return min(BACKOFF_LONGEST, delay * (0.5 + random.random()))


class _Counter:
    """A shared count across the client processes (players with a seat open)."""

    def __init__(self, value):
        self.value = value

    def add(self, step: int) -> None:
        with self.value.get_lock():
            self.value.value += step


# --- A player's phone ----------


class _Player:
    """One phone: live_common.js's socket and live_player.js's answering."""

    def __init__(self, pin: str, online: _Counter, stop_at: float):
        self.pin = pin
        self.online = online
        self.stop_at = stop_at
        self.token: str | None = None
        self.seq = 0
        self.socket = None
        self.pending: dict | None = None
        self.answered_index = -1
        self.deadline_ms: dict[int, float] = {}  # by the phone's own countdown
        self.closed_indexes: set[int] = set()  # results seen
        self.tasks: list[asyncio.Task] = []
        self.tapping: set[int] = set()
        self.done = False
        self.ending = False
        self.started = time.monotonic()
        # Measures.
        self.join_seconds: float | None = None
        self.first_receipt: dict[int, float] = {}  # index -> ms (any message)
        self.broadcast_latency: dict[int, float] = {}  # index -> ms from sent_at
        self.answers: dict[str, dict] = {}  # client id -> tap time, in time, outcome
        self.counts = dict.fromkeys(
            (
                "transmissions",
                "resent",
                "duplicate_acks",
                "reconnects",
                "connect_failures",
                "drops",
                "gap_syncs",
                "reopened",
                "missed",
                "closed_for_good",
            ),
            0,
        )
        self.other_refusals: dict[str, int] = {}
        self.errors: list[str] = []

    async def send(self, message: dict) -> bool:
        from websockets.exceptions import ConnectionClosed

        socket = self.socket
        if socket is None:
            return False
        try:
            await socket.send(json.dumps(message))
        except ConnectionClosed:
            return False
        self.counts["transmissions"] += 1
        return True

    async def run(self) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        delay = BACKOFF_FIRST
        while not self.done and time.monotonic() < self.stop_at:
            seated = False
            socket = None
            try:
                async with _websocket(f"/ws/choi/{self.pin}/") as socket:
                    delay = BACKOFF_FIRST  # onopen
                    self.socket = socket
                    await self.send({"type": "hello", "token": self.token})
                    if self.pending is not None:
                        self.counts["resent"] += 1
                        await self.send(self.pending)
                    async for raw in socket:
                        received = _now_ms()
                        message = json.loads(raw)
                        if message.get("type") == "sync" and not seated:
                            seated = True
                            self.online.add(1)
                            if self.join_seconds is None:
                                self.join_seconds = time.monotonic() - self.started
                        await self.handle(message, received)
                        if self.done:
                            break
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError):
                if socket is None:
                    self.counts["connect_failures"] += 1
            except Exception as error:  # noqa: BLE001 - a benchmark counts every failure
                self.errors.append(type(error).__name__)
            finally:
                self.socket = None
                if seated:
                    self.online.add(-1)
            code = getattr(socket, "close_code", None)
            if code is not None and 4400 <= code < 4500:
                self.counts["closed_for_good"] += 1
                break  # removed, or the game is over (4404): the phone stops
            if self.done:
                break
            await asyncio.sleep(_backoff_wait(delay))
            delay = min(delay * 2, BACKOFF_LONGEST)
            self.counts["reconnects"] += 1
        for task in self.tasks:
            task.cancel()

    async def handle(self, message: dict, received: float, via_sync=False) -> None:
        kind = message.get("type")
        seq = message.get("seq")
        if isinstance(seq, int) and not via_sync:
            if kind != "sync" and seq > self.seq + 1 and self.seq > 0:
                self.counts["gap_syncs"] += 1
                await self.send({"type": "sync"})
            self.seq = max(self.seq, seq)
        if kind == "welcome":
            self.token = message.get("token") or self.token
        elif kind == "sync":
            you = message.get("you") or {}
            current = message.get("current") or {}
            if you.get("answered_current") and current.get("question"):
                self.answered_index = current["question"]["index"]
            await self.handle(current, received, via_sync=True)
        elif kind == "question":
            self.question(message, received, via_sync)
        elif kind in {"results", "ended"}:
            if isinstance(message.get("index"), int):
                self.closed_indexes.add(message["index"])
            if kind == "ended":
                self.end()
        elif kind == "ack":
            client_id = message.get("client_id")
            if self.pending and self.pending["client_id"] == client_id:
                self.pending = None
            if client_id in self.answers:
                if self.answers[client_id]["outcome"] is None:
                    self.answers[client_id]["outcome"] = "acked"
                if message.get("duplicate"):
                    self.counts["duplicate_acks"] += 1
            if self.ending and self.pending is None:
                self.done = True
        elif kind == "refused":
            client_id = message.get("client_id")
            if self.pending and self.pending["client_id"] == client_id:
                self.pending = None
            answer = self.answers.get(client_id)
            if answer is not None and answer["outcome"] is None:
                answer["outcome"] = "refused_in_time" if answer["in_time"] else "late"
                answer["code"] = message.get("code", "")
            else:
                code = message.get("code", "")
                self.other_refusals[code] = self.other_refusals.get(code, 0) + 1
            if self.ending and self.pending is None:
                self.done = True
        elif kind == "removed":
            self.end()

    def question(self, message: dict, received: float, via_sync: bool) -> None:
        question = message["question"]
        index = question["index"]
        if index not in self.first_receipt:
            self.first_receipt[index] = received
            if not via_sync and "sent_at" in message:
                self.broadcast_latency[index] = received - message["sent_at"]
            if DROP and random.random() < DROP:
                self.tasks.append(asyncio.ensure_future(self.drop_later(index)))
        elif not via_sync:
            self.counts["reopened"] += 1  # the same question again: it reopened
        if message.get("phase") != "question":
            return
        self.deadline_ms[index] = received + message.get("remaining_ms", 0)
        if self.answered_index != index and index not in self.tapping:
            self.tapping.add(index)
            choice = random.choice(question["choices"])["id"]
            self.tasks.append(asyncio.ensure_future(self.tap(index, choice)))

    async def tap(self, index: int, choice_id: str) -> None:
        """The child taps a tile (live_player.js ``answer``)."""
        await asyncio.sleep(random.uniform(*ANSWER_DELAY_SECONDS))
        if self.done or index in self.closed_indexes:
            self.counts["missed"] += 1  # the results came first
            return
        if self.answered_index == index:
            return
        self.answered_index = index
        tapped = _now_ms()
        client_id = str(uuid.uuid4())
        self.answers[client_id] = {
            "index": index,
            "tapped": tapped,
            "in_time": tapped <= self.deadline_ms.get(index, float("inf")),
            "outcome": None,
        }
        self.pending = {
            "type": "answer",
            "index": index,
            "choice_ids": [choice_id],
            "client_id": client_id,
        }
        await self.send(self.pending)  # not open: it goes after reconnecting

    async def drop_later(self, index: int) -> None:
        """The phone loses its connection (no closing handshake)."""
        await asyncio.sleep(random.uniform(*DROP_AFTER_SECONDS))
        socket = self.socket
        if self.done or index in self.closed_indexes or socket is None:
            return
        self.counts["drops"] += 1
        socket.transport.abort()

    def end(self) -> None:
        """The game ended: stop, once an unacknowledged answer had its chance."""
        if self.pending is None:
            self.done = True
            return
        if not self.ending:
            self.ending = True

            async def give_up():
                await asyncio.sleep(ENDED_WAIT_SECONDS)
                self.done = True
                socket = self.socket
                if socket is not None:
                    await socket.close()

            self.tasks.append(asyncio.ensure_future(give_up()))

    def report(self) -> dict:
        return {
            "join_seconds": self.join_seconds,
            "first_receipt": self.first_receipt,
            "broadcast_latency": self.broadcast_latency,
            "answers": [
                (client_id, a["outcome"], a.get("code", ""), a["in_time"])
                for client_id, a in self.answers.items()
            ],
            "pending": self.pending["client_id"] if self.pending else None,
            "finished": self.done,
            "counts": self.counts,
            "other_refusals": self.other_refusals,
            "errors": self.errors,
        }


def client_process(pin: str, online, count: int, results) -> None:
    _raise_file_limit()

    async def main():
        stop_at = time.monotonic() + RUN_LIMIT_SECONDS
        players = [_Player(pin, _Counter(online), stop_at) for _ in range(count)]
        tasks = []
        for player in players:
            tasks.append(asyncio.ensure_future(player.run()))
            await asyncio.sleep(0.002)  # a class arriving, not one packet storm
        await asyncio.wait(tasks, timeout=RUN_LIMIT_SECONDS + 10)
        return [player.report() for player in players]

    results.put(asyncio.run(main()))


# --- The floor: a bare broadcast on the same stack ----------


async def _floor_socket(stats: dict, connected) -> None:

    try:
        async with _websocket("/ws/bench/floor/") as socket:
            with connected.get_lock():
                connected.value += 1
            while True:
                raw = await asyncio.wait_for(socket.recv(), JOIN_LIMIT_SECONDS)
                received = _now_ms()
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


def run_clients(target, arguments: tuple, drive, collect_seconds: float) -> list:
    """Run PLAYERS sockets in CLIENTS processes of ``target`` while ``drive`` runs;
    return each process's result."""
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
    collected = [results.get(timeout=collect_seconds) for _ in clients]
    for client in clients:
        client.join(timeout=30)
        if client.is_alive():
            client.kill()
    return collected


# --- The host's control view ----------


class _Host:
    """The teacher's control view: one socket that reconnects like the phones'
    (live_common.js) and hands every message, with its receipt time, to the
    driver; after each reconnect the first message is the ``sync``."""

    def __init__(self, session_id: int, cookie: str):
        self.path = f"/ws/choi/{session_id}/dieu-khien/"
        self.cookie = cookie
        self.socket = None
        self.messages: asyncio.Queue = asyncio.Queue()
        self.reconnects = 0
        self.lost = False
        self.back_at: list[float] = []  # time.monotonic() of each return
        self.errors: list[str] = []
        self.stopped = False

    async def run(self) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        delay = BACKOFF_FIRST
        while not self.stopped:
            try:
                async with _websocket(
                    self.path, additional_headers={"Cookie": f"sessionid={self.cookie}"}
                ) as socket:
                    delay = BACKOFF_FIRST
                    self.socket = socket
                    if self.lost:
                        self.back_at.append(time.monotonic())
                        self.lost = False
                    async for raw in socket:
                        await self.messages.put((_now_ms(), json.loads(raw)))
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError):
                pass
            except Exception as error:  # noqa: BLE001 - a benchmark counts every failure
                self.errors.append(type(error).__name__)
            self.socket = None
            if self.stopped:
                break
            self.lost = True
            await asyncio.sleep(_backoff_wait(delay))
            delay = min(delay * 2, BACKOFF_LONGEST)
            self.reconnects += 1

    async def send(self, message: dict) -> bool:
        from websockets.exceptions import ConnectionClosed

        if self.socket is None:
            return False
        try:
            await self.socket.send(json.dumps(message))
        except ConnectionClosed:
            return False
        return True

    async def next_message(self, timeout: float = 5):
        try:
            return await asyncio.wait_for(self.messages.get(), timeout)
        except TimeoutError:
            return None, None


def _shown(message: dict) -> tuple[str, int | None]:
    """What a host message (or the current state in a ``sync``) shows: its type
    and question index."""
    if message.get("type") == "sync":
        message = message.get("current") or {}
    kind = message.get("type", "")
    if kind == "question":
        return kind, message["question"]["index"]
    return kind, message.get("index")


async def host_drive(
    host: _Host, joined_target: int, taps: dict, timings: dict
) -> None:
    """Wait for every player, then play QUESTIONS questions and end the game.

    ``taps`` gets each question's tap time (epoch ms, this machine's clock),
    ``timings`` what the host saw, as it happens (the restart reads it).
    """
    timings.update({"host_seen": {}, "results_after": {}, "commands_resent": 0})
    players = 0
    started = time.monotonic()
    while players < joined_target and time.monotonic() - started < JOIN_LIMIT_SECONDS:
        _received, message = await host.next_message()
        if message and message["type"] in {"roster", "sync"}:
            players = len(message.get("players", []))
    timings["joined"] = players
    timings["join_seconds"] = time.monotonic() - started
    for number in range(QUESTIONS):
        command = {"type": "start" if number == 0 else "next"}
        taps[number] = _now_ms()
        await host.send(command)  # if the socket is down, the sync below tells
        opened = time.monotonic()
        limit = SECONDS_PER_QUESTION + 30 + RESTART_LIMIT_SECONDS
        while time.monotonic() - opened < limit:
            received, message = await host.next_message()
            if message is None:
                continue
            kind, index = _shown(message)
            if kind == "question" and index == number:
                timings["host_seen"].setdefault(number, received)
            if kind in {"results", "ended"} and index == number:
                timings["results_after"][number] = round(time.monotonic() - opened, 1)
                break
            # Back after a reconnect and the tap never arrived: tap again.
            before = "lobby" if number == 0 else "results"
            if message["type"] == "sync" and (
                kind == before and (number == 0 or index == number - 1)
            ):
                timings["commands_resent"] += 1
                await host.send(command)
        await asyncio.sleep(1)
    await host.send({"type": "end"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _received, message = await host.next_message()
        if message is None:
            continue
        if message["type"] == "finalised":
            break
        if message["type"] == "sync" and _shown(message)[0] == "ended":
            break
        if message["type"] == "sync":
            await host.send({"type": "end"})


# --- The restart ----------


def _server_halt(server, mode: str) -> None:
    """SIGKILL the server's process group, or SIGTERM it and wait for the exit."""
    if mode == "kill":
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except Exception:  # noqa: BLE001 - a stuck shutdown ends the hard way
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


async def restart_drive(holder: dict, taps: dict, online, timings, info) -> None:
    """RESTART_AT s after the tap on question 2, stop the server and start it
    again on the same port; time the players' return (in ``info``)."""
    while RESTART_INDEX not in taps:
        await asyncio.sleep(0.05)
    await asyncio.sleep(max(0.0, taps[RESTART_INDEX] / 1000 + RESTART_AT - time.time()))
    info["question_open"] = RESTART_INDEX not in timings["results_after"]
    info["online_before"] = online.value
    halted = info["halted_at"] = time.monotonic()

    async def watch():
        """The seated players, every 0.1 s: the lowest, the first back, all back."""
        lowest = online.value
        while time.monotonic() - halted < RESTART_LIMIT_SECONDS:
            now = online.value
            if now > lowest and "first_back_after" not in info:
                info["first_back_after"] = time.monotonic() - halted
            lowest = min(lowest, now)
            info["lowest_online"] = lowest
            if now >= PLAYERS and lowest < PLAYERS:
                info["all_back_after"] = time.monotonic() - halted
                return
            await asyncio.sleep(0.1)

    watcher = asyncio.ensure_future(watch())
    await asyncio.to_thread(_server_halt, holder["server"], RESTART)
    info["stopped_after"] = time.monotonic() - halted
    await asyncio.sleep(RESTART_DOWN)
    started = time.monotonic()
    holder["server"] = await asyncio.to_thread(server_start)
    await asyncio.to_thread(
        _server.server_wait, f"{ORIGIN}/healthz", seconds=SERVER_START_SECONDS
    )
    info["ready_after"] = time.monotonic() - halted
    info["start_seconds"] = time.monotonic() - started
    await watcher
    info["online_after"] = online.value


def game_drive(
    session_id, cookie, holder, taps, online, timings, restart: dict | None
) -> None:
    """Drive one game as its host; with ``restart`` (a dict it fills), restart
    the server on question 2."""

    async def main():
        host = _Host(session_id, cookie)
        connection = asyncio.ensure_future(host.run())
        restarting = (
            asyncio.ensure_future(restart_drive(holder, taps, online, timings, restart))
            if restart is not None
            else None
        )
        try:
            await host_drive(host, PLAYERS, taps, timings)
            if restarting is not None:
                if "halted_at" in restart:  # still watching the players return
                    await asyncio.wait_for(restarting, RESTART_LIMIT_SECONDS)
                else:
                    restarting.cancel()  # the game ended before question 2
        finally:
            host.stopped = True
            if host.socket is not None:
                await host.socket.close()
            connection.cancel()
        timings["host_reconnects"] = host.reconnects
        timings["host_back_at"] = host.back_at
        timings["host_errors"] = host.errors

    asyncio.run(main())


# --- Memory ----------


class _RssSampler(threading.Thread):
    """Sample the server's resident memory twice a second (its peak)."""

    def __init__(self, holder: dict):
        super().__init__(daemon=True)
        self.holder = holder
        self.peak = 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _server.server_rss_mb(self.holder["server"]))
            time.sleep(0.5)


# --- Figures ----------

TABLE_HEADER = (
    "| date | players | server | drop | restart | all joined "
    "| from the tap p50 / p95 / p99 | per question p95 | host tap -> question "
    "| server-stamp p95 | answers sent / acknowledged / stored "
    "| refused in time / late | lost | reconnects "
    "| server RSS before / peak / after | errors | load at the end |"
)


def _raise_file_limit() -> None:
    """Let one process hold thousands of sockets (up to the hard limit)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _spread(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.50):,.0f} / p95 {percentile(values, 0.95):,.0f} / "
        f"p99 {percentile(values, 0.99):,.0f} / max {max(values, default=0):,.0f}"
    )


def _server_shape() -> str:
    pool = SERVER_ENV.get("DB_POOL_MAX") or os.environ.get("DB_POOL_MAX") or "20"
    return (
        f"{SHAPE} shape ({SERVER_ENV['DJANGO_SETTINGS_MODULE']}, uvicorn --workers "
        f"{WORKERS}{' ' + ' '.join(UVICORN_ARGS) if UVICORN_ARGS else ''}, "
        f"DB_POOL_MAX {pool})"
    )


def main() -> int:
    options_check()
    _raise_file_limit()
    _server.database_ensure(DB_NAME)
    database_migrate()
    session_id, pin, cookie, question = fixtures_create()
    print(
        f"live quiz: {PLAYERS} players, {QUESTIONS} questions, layer {LAYER}, "
        f"{CLIENTS} client processes, {_server_shape()}; "
        f"drop {DROP:g}; restart {RESTART or 'no'}"
        + (
            f" ({RESTART_AT:g} s into question 2, down {RESTART_DOWN:g} s more)"
            if RESTART
            else ""
        )
        + (
            f"; {GAMES} games one after the other on the same server"
            if GAMES > 1
            else ""
        )
    )
    print(f"  {_server.load_average()} at the start")
    started = time.monotonic()
    holder = {"server": server_start()}
    context = multiprocessing.get_context("spawn")
    floor: list = []
    failed = 0
    try:
        _server.server_wait(f"{ORIGIN}/healthz", seconds=SERVER_START_SECONDS)
        print(
            f"  the server answered /healthz {time.monotonic() - started:.1f} s "
            "after its start"
        )
        idle = _server.server_rss_mb(holder["server"])
        if FLOOR:
            connected = context.Value("i", 0)
            floor = run_clients(
                floor_client_process,
                (connected,),
                lambda: asyncio.run(floor_drive(connected, PLAYERS, question)),
                collect_seconds=120,
            )
        for game in range(GAMES):
            if game:
                session_id, pin, cookie, _question = fixtures_create()
                print(f"  game {game + 1} (a new session on the same server):")
            online = context.Value("i", 0)
            taps: dict[int, float] = {}
            timings: dict = {}
            restart = {} if RESTART and game == 0 else None
            rss = {"idle": idle, "before": _server.server_rss_mb(holder["server"])}
            sampler = _RssSampler(holder)
            sampler.start()
            try:
                collected = run_clients(
                    client_process,
                    (pin, online),
                    functools.partial(
                        game_drive,
                        session_id,
                        cookie,
                        holder,
                        taps,
                        online,
                        timings,
                        restart,
                    ),
                    collect_seconds=RUN_LIMIT_SECONDS + 60,
                )
            finally:
                sampler.running = False
            time.sleep(RSS_AFTER_SECONDS)  # every player has left: what comes back
            rss["after"] = _server.server_rss_mb(holder["server"])
            rss["peak"] = max(sampler.peak, rss["before"])
            reports = [report for reports in collected for report in reports]
            failed += print_figures(
                game, session_id, reports, floor, taps, timings, restart, rss
            )
            floor = []  # measured once, before the first game
    finally:
        _server.server_stop(holder["server"])
    return 1 if failed else 0


def _restart_line(restart: dict, timings: dict) -> str:
    if not restart.get("halted_at"):
        return "  restart: did not happen (the game ended before question 2)"

    def after(key: str) -> str:
        value = restart.get(key)
        return "?" if value is None else f"{value:.1f} s"

    back = (
        f"all back after {after('all_back_after')}"
        if restart.get("all_back_after") is not None
        else f"NOT all back ({restart.get('online_after', '?')})"
    )
    host = ", ".join(
        f"{at - restart['halted_at']:.1f} s" for at in timings.get("host_back_at", [])
    )
    return (
        f"  restart ({RESTART}) {RESTART_AT:g} s into question 2 (question still "
        f"open: {'yes' if restart['question_open'] else 'NO'}; "
        f"{restart['online_before']} of {PLAYERS} players seated): server gone after "
        f"{after('stopped_after')}, started again {RESTART_DOWN:g} s later, "
        f"answering /healthz after {after('ready_after')} (its start took "
        f"{after('start_seconds')}); seated players: lowest "
        f"{restart.get('lowest_online', '?')}, first back after "
        f"{after('first_back_after')}, {back}; host back after {host or '?'} "
        "(times from the stop)"
    )


def print_figures(game, session_id, reports, floor, taps, timings, restart, rss) -> int:
    joins = [r["join_seconds"] for r in reports if r["join_seconds"] is not None]
    print(
        f"  joined: {len(joins)}/{PLAYERS}; host saw all joined after "
        f"{timings.get('join_seconds', float('nan')):.1f} s; "
        f"slowest player join {max(joins, default=float('nan')):.1f} s"
    )
    # What people feel: from the host's tap to the question on each phone.
    from_tap: dict[int, list[float]] = {}
    stamped: dict[int, list[float]] = {}
    for report in reports:
        for index, received in report["first_receipt"].items():
            if index in taps:
                from_tap.setdefault(index, []).append(received - taps[index])
        for index, latency in report["broadcast_latency"].items():
            stamped.setdefault(index, []).append(latency)
    tap_all = [v for values in from_tap.values() for v in values]
    stamped_all = [v for values in stamped.values() for v in values]
    print(
        f"  question from the host's tap -> player, ms: {_spread(tap_all)} "
        f"({len(tap_all)} receipts of {PLAYERS * QUESTIONS})"
    )
    for index, values in sorted(from_tap.items()):
        print(f"    question {index + 1}: {_spread(values)} ({len(values)} receipts)")
    host_seen = {
        index: seen - taps[index]
        for index, seen in timings.get("host_seen", {}).items()
    }
    print(
        "  host: tap -> question on the host's screen, ms: "
        + ", ".join(f"q{i + 1} {v:,.0f}" for i, v in sorted(host_seen.items()))
    )
    print(
        "  broadcast from the server's stamp (sent_at) -> player, ms: "
        f"{_spread(stamped_all)} ({len(stamped_all)} receipts)"
    )
    if floor:
        floor_latencies = [v for c in floor for _n, v in c["latency_ms"]]
        floor_errors = [e for c in floor for e in c["errors"]]
        print(
            "  floor (bare broadcast socket, same stack, same size, no game), ms: "
            f"p50 {percentile(floor_latencies, 0.50):,.0f}, "
            f"p95 {percentile(floor_latencies, 0.95):,.0f} "
            f"({len(floor_latencies)} receipts, {len(floor_errors)} errors); "
            "floor/game p95 (server stamp) "
            f"{percentile(floor_latencies, 0.95) / percentile(stamped_all, 0.95):.2f}"
        )
    # Answers.
    stored = answers_stored(session_id)
    outcomes: dict[str, tuple] = {}
    for report in reports:
        for client_id, outcome, code, in_time in report["answers"]:
            outcomes[client_id] = (outcome, code, in_time)
    sent = len(outcomes)
    acked = {c for c, (o, _code, _t) in outcomes.items() if o == "acked"}
    refused_in_time = [
        c for c, (o, _code, _t) in outcomes.items() if o == "refused_in_time"
    ]
    refused_late = [c for c, (o, _code, _t) in outcomes.items() if o == "late"]
    unanswered = {c for c, (o, _code, _t) in outcomes.items() if o is None}
    acked_not_stored = acked - stored
    lost = len(acked_not_stored) + len(refused_in_time) + len(unanswered)
    counts: dict[str, int] = {}
    for report in reports:
        for key, value in report["counts"].items():
            counts[key] = counts.get(key, 0) + value
    refusal_codes: dict[str, int] = {}
    for client_id in refused_in_time + refused_late:
        code = outcomes[client_id][1]
        refusal_codes[code] = refusal_codes.get(code, 0) + 1
    other_refusals: dict[str, int] = {}
    for report in reports:
        for code, value in report["other_refusals"].items():
            other_refusals[code] = other_refusals.get(code, 0) + value
    print(
        f"  answers: tapped and sent {sent}, acknowledged {len(acked)}, "
        f"refused though in time {len(refused_in_time)}, refused late "
        f"{len(refused_late)}, stored {len(stored)}; acknowledged but not stored "
        f"{len(acked_not_stored)}; never acknowledged nor refused "
        f"{len(unanswered)} (stored all the same: {len(unanswered & stored)}); "
        f"LOST {lost}"
    )
    print(
        f"    sent again after reconnecting {counts['resent']} "
        f"(acknowledged as already saved: {counts['duplicate_acks']}); "
        f"refusals by code {refusal_codes or '{}'}; other refusals "
        f"{other_refusals or '{}'}; taps after the results (missed) {counts['missed']}"
    )
    print(
        f"  sockets: dropped mid-question {counts['drops']}, reconnects "
        f"{counts['reconnects']} (failed opens {counts['connect_failures']}), "
        f"syncs asked after a gap {counts['gap_syncs']}, reopened questions heard "
        f"{counts['reopened']}, closed for good {counts['closed_for_good']}, "
        f"players unfinished {sum(1 for r in reports if not r['finished'])}; host "
        f"reconnects {timings.get('host_reconnects', 0)}, "
        f"host commands tapped again {timings.get('commands_resent', 0)}"
    )
    if restart is not None:
        print(_restart_line(restart, timings))
    print(
        "  per question: "
        + ", ".join(
            f"q{i + 1} {v} s"
            for i, v in sorted(timings.get("results_after", {}).items())
        )
        + " from the tap to the results (revealed when all have answered)"
    )
    growth = rss["peak"] - rss["before"]
    print(
        f"  server memory (RSS of {WORKERS} workers and the parent): idle "
        f"{rss['idle']:,.0f} MB; before the players join {rss['before']:,.0f} MB; "
        f"peak {rss['peak']:,.0f} MB (+{growth:,.0f} MB, "
        f"{1000 * growth / max(PLAYERS, 1):,.1f} MB per 1,000 players); "
        f"{RSS_AFTER_SECONDS} s after the game {rss['after']:,.0f} MB "
        f"({rss['after'] - rss['before']:+,.0f} MB against before)"
        + (" [after the restart: a new server]" if restart else "")
    )
    errors = [e for r in reports for e in r["errors"]] + timings.get("host_errors", [])
    print(f"  errors: {len(errors)} {sorted(set(errors))}")
    print(f"  {_server.load_average()} at the end")
    tap_p95 = percentile(tap_all, 0.95)
    per_question = ", ".join(
        f"{percentile(v, 0.95):,.0f}" for _i, v in sorted(from_tap.items())
    )
    host_p = ", ".join(f"{v:,.0f}" for _i, v in sorted(host_seen.items()))
    restart_cell = "-"
    if restart:
        back = restart.get("all_back_after")
        restart_cell = (
            f"{RESTART}, all back {back:.1f} s" if back else f"{RESTART}, not all back"
        )
    print("  row for docs/performance.md:")
    print(f"{TABLE_HEADER}\n{'| --- ' * TABLE_HEADER.count(' | ')}| --- |")
    which = f", game {game + 1} of {GAMES}" if GAMES > 1 else ""
    print(
        f"| {datetime.date.today():%d %b %Y} | {PLAYERS:,} x {QUESTIONS} q{which} | "
        f"{SHAPE}, {WORKERS} workers, {LAYER} | drop {DROP:g} | {restart_cell} | "
        f"{timings.get('join_seconds', float('nan')):.1f} s | "
        f"{percentile(tap_all, 0.5):,.0f} / {tap_p95:,.0f} / "
        f"{percentile(tap_all, 0.99):,.0f} ms | {per_question} ms | {host_p} ms | "
        f"{percentile(stamped_all, 0.95):,.0f} ms | "
        f"{sent:,} / {len(acked):,} / {len(stored):,} | "
        f"{len(refused_in_time)} / {len(refused_late)} | {lost} | "
        f"{counts['reconnects']:,} | {rss['before']:,.0f} / {rss['peak']:,.0f} / "
        f"{rss['after']:,.0f} MB ({1000 * growth / max(PLAYERS, 1):,.1f} per 1,000) | "
        f"{len(errors)} | {os.getloadavg()[0]:.1f} |"
    )
    return 0 if lost == 0 and not errors and len(joins) == PLAYERS else 1


if __name__ == "__main__":
    sys.exit(main())
