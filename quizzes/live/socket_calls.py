"""What the game's sockets ask the database: each call is one service or selector.

``quizzes.live.consumers`` awaits these; ``_db`` chooses the thread each runs on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from django.core.cache import cache
from django.db import connections

from quizzes.errors import QuizError
from quizzes.live import answers as live_answers
from quizzes.live import seats as live_seats
from quizzes.live import selectors as live_selectors
from quizzes.live import services as live_services
from quizzes.live.models import LiveSession

logger = logging.getLogger(__name__)


# They run in the worker's thread pool rather than Channels' single "thread
# sensitive" thread: hundreds of players answering at once then share several
# database connections (the psycopg pool), and PostgreSQL commits them together
# instead of one fsync after another. Each helper is one short transaction.


# Only with a connection pool (PostgreSQL in the ASGI modes, config/settings/
# base.py): without one every call in a fresh thread would open a connection of
# its own. SQLite (the embedded mode) serialises writers anyway, and the test
# settings drop the pool: both keep Channels' single thread.


# The host's lane: the teacher's commands (start, next, reveal, end), the
# clock's heartbeat and the host's own reads run on threads of their own, so
# "next" never waits behind thousands of joins and answers queued in the
# shared pool. (With Channels' single thread there is one queue for all.)
_HOST_LANE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="live-host")


def _parallel() -> bool:
    """Whether calls may run on several threads (a connection pool is set)."""
    database = connections["default"].settings_dict
    return bool(database.get("OPTIONS", {}).get("pool"))


def _db(func=None, *, host_lane: bool = False):
    if func is None:
        return lambda inner: _db(inner, host_lane=host_lane)
    if not _parallel():
        return database_sync_to_async(func, thread_sensitive=True)
    return database_sync_to_async(
        func, thread_sensitive=False, executor=_HOST_LANE if host_lane else None
    )


@_db
def session_for_pin(pin: str) -> tuple[int, str] | None:
    session = live_selectors.live_session_by_pin(pin=pin)
    return (session.pk, session.leaderboard) if session else None


@_db(host_lane=True)
def session_for_host(user, session_id: int) -> tuple[LiveSession, dict | None] | None:
    """The host's session, and the broadcast to send if its question reopened
    after the server was away (``live_clock_recover``)."""
    try:
        session = live_selectors.live_session_for_host(user=user, session_id=session_id)
    except QuizError:
        return None
    return session, reopened_event(session_id)


def reopened_event(session_id: int) -> dict | None:
    if not live_services.live_clock_recover(session_id=session_id):
        return None
    session = LiveSession.objects.get(pk=session_id)
    return live_selectors.live_event_for(session=session)


@_db
def join(session_id: int, user, token: str):
    """Seat the player and read the state they start from, in one trip to the
    thread pool (when thousands join at once, each trip waits in its queue).

    The first socket back after a server outage gives the open question back
    its lost time before anything else (so a resent answer is in time); the
    broadcast that tells the other screens is returned too."""
    reopened = reopened_event(session_id)
    session = LiveSession.objects.get(pk=session_id)
    seat = live_seats.live_player_join(session=session, user=user, resume_token=token)
    state = live_selectors.live_state(session_id=session_id, player_id=seat.player.pk)
    return seat, state, reopened


@_db
def state(session_id: int, player_id: int | None = None):
    return live_selectors.live_state(session_id=session_id, player_id=player_id)


@_db(host_lane=True)
def host_state(session_id: int):
    return live_selectors.live_state(session_id=session_id, host=True)


@_db(host_lane=True)
def clock_beat(session_ids: list[int]) -> int:
    return live_services.live_clock_beat(session_ids=session_ids)


@_db
def answers(requests: list[live_answers.AnswerRequest]) -> list:
    return live_answers.live_answers_submit(requests)


class _AnswerBatches:
    """The answers a process's sockets received, written together.

    An answer goes to the database at once when nothing else is being written;
    answers that arrive while earlier ones are being written wait and go
    together in the next batch (at most ``MAX_BATCH``), so under a crowd each
    trip to the thread pool and each commit serves hundreds of answers, and
    when the room is quiet an answer waits for nobody. Each socket still hears
    "saved" only after its answer is committed.
    """

    MAX_BATCH = 250

    def __init__(self) -> None:
        # Batches written at once: two connections of the pool, leaving the
        # rest of the thread pool to joins; one when calls share one thread.
        self.in_flight_limit = 2 if _parallel() else 1
        self.in_flight = 0
        self.waiting: list[tuple[live_answers.AnswerRequest, asyncio.Future]] = []
        self.writes: set[asyncio.Task] = set()  # the loop keeps tasks weakly

    async def submit(self, request: live_answers.AnswerRequest):
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((request, future))
        self._send()
        return await future

    def _send(self) -> None:
        while self.waiting and self.in_flight < self.in_flight_limit:
            batch = self.waiting[: self.MAX_BATCH]
            del self.waiting[: self.MAX_BATCH]
            self.in_flight += 1
            write = asyncio.ensure_future(self._write(batch))
            self.writes.add(write)
            write.add_done_callback(self.writes.discard)

    async def _write(self, batch) -> None:
        try:
            outcomes = await answers([request for request, _ in batch])
        except BaseException as error:  # every socket of the batch hears it
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
        else:
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue  # that socket has gone; its answer is stored
                if isinstance(outcome, QuizError):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
        finally:
            self.in_flight -= 1
            self._send()


_BATCHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def answer(session_id, player_id, index, client_id, choice_ids, received_at):
    """Store one answer (with the others this process received meanwhile);
    return its ``AnswerOutcome`` or raise the ``QuizError`` that refused it."""
    loop = asyncio.get_running_loop()
    batches = _BATCHES.get(loop)
    if batches is None:
        batches = _BATCHES[loop] = _AnswerBatches()
    request = live_answers.AnswerRequest(
        session_id=session_id,
        player_id=player_id,
        question_index=index,
        client_id=client_id,
        choice_ids=choice_ids,
        received_at=received_at,
    )
    return await batches.submit(request)


@_db
def choose_team(player_id: int, team: str):
    return live_seats.live_player_choose_team(player_id=player_id, team=team)


@_db(host_lane=True)
def command(session_id, user, command, player_id=None, expected_index=None):
    result = live_services.live_session_command(
        session_id=session_id,
        user=user,
        command=command,
        player_id=player_id,
        expected_index=expected_index,
    )
    event = live_selectors.live_event_for(session=result.session)
    return result, event


@_db(host_lane=True)
def aggregate(session_id: int) -> dict:
    session = LiveSession.objects.get(pk=session_id)
    message = live_selectors.live_aggregate(session=session)
    message["phase"] = session.phase
    message["seq"] = session.sequence
    return message


@_db(host_lane=True)
def roster(session_id: int) -> dict:
    session = LiveSession.objects.get(pk=session_id)
    return {
        "type": "roster",
        "players": live_selectors.live_roster(session=session),
        "seq": session.sequence,
    }


@_db
def record_attempts(session_id: int) -> int:
    return live_answers.live_session_record_attempts(session_id=session_id)


# --- A results broadcast's standings, shared by the processes ----------
#
# Every player's score and rank travel once per process, not once per socket:
# the screen that reveals keeps them in the cache (Redis when ``REDIS_URL`` is
# set, shared by every process) and the broadcast names them by key. A process
# that does not find them (an evicted key, a cache of its own) reads them from
# the database.

STANDINGS_KEPT_SECONDS = 600


def _standings_cache_key(key: str) -> str:
    return f"live-standings:{key}"


@_db(host_lane=True)
def standings_keep(key: str, standings: dict) -> None:
    cache.set(_standings_cache_key(key), json.dumps(standings), STANDINGS_KEPT_SECONDS)


@_db
def standings_read(key: str, session_id: int, index: int) -> dict:
    kept = cache.get(_standings_cache_key(key))
    if kept is not None:
        return json.loads(kept)
    session = LiveSession.objects.filter(pk=session_id).first()
    if session is None:
        return {}
    return live_selectors.live_standings(session=session, index=index)
