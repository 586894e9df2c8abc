"""Websockets of live games: thin consumers over the live writes and live_selectors.

Groups: ``live-<id>`` holds every socket of a session (players, control view,
projector) and carries the phase changes; ``live-<id>-host`` holds only the host's
sockets and carries small "someone answered / joined" notices, which each host
socket folds into at most one aggregate message every ``THROTTLE_SECONDS``.

Every message to a client carries ``seq``: broadcasts carry the session sequence
they created; personal replies echo the latest one the socket saw. A client that
sees a gap sends ``{"type": "sync"}`` and gets the full state.

Authentication and origin checks come from ``config/asgi.py``. The host socket
requires the session's owner (anyone else: close 4403). A player socket knows its
seat from its own ``hello`` (the signed-in user, or the guest's resume token),
never from a message, and cannot send host commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import json
import logging
import time

from django.utils import timezone
from django.utils.translation import gettext as _

from common.consumers import JsonWebsocketConsumer
from quizzes.errors import QuizError
from quizzes.live import answers as live_answers
from quizzes.live import selectors as live_selectors
from quizzes.live import services as live_services
from quizzes.live import socket_calls as calls
from quizzes.live.models import LivePhase

logger = logging.getLogger(__name__)

THROTTLE_SECONDS = 0.5
# While a question is open the host's screen counts the answers again this often
# even when it heard of none: "someone answered" notices travel once, at most,
# and a Redis restart loses those sent meanwhile; without the recount the
# question would wait for its timer although everyone had answered.
RECOUNT_SECONDS = 3.0
RATE_PER_SECOND = 10.0
RATE_BURST = 20
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429


class TokenBucket:
    """Allow ``rate`` messages a second with bursts of ``burst``."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: int = RATE_BURST):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.checked = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.checked) * self.rate)
        self.checked = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _ClockKeeper:
    """Beats the clock of every game this process holds a socket of.

    One heartbeat per process and game every ``CLOCK_BEAT_SECONDS`` (not one
    per socket): while any process beats, the server is running the game.
    """

    def __init__(self):
        self.sockets: dict[int, int] = {}
        self.task: asyncio.Task | None = None

    def add(self, session_id: int) -> None:
        self.sockets[session_id] = self.sockets.get(session_id, 0) + 1
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self.run())

    def discard(self, session_id: int) -> None:
        left = self.sockets.get(session_id, 0) - 1
        if left > 0:
            self.sockets[session_id] = left
        else:
            self.sockets.pop(session_id, None)
        if not self.sockets:
            asyncio.get_running_loop().call_later(
                MEMORY_RETURN_DELAY, self.return_memory
            )

    def return_memory(self) -> None:
        """Give a finished assembly's memory back to the machine.

        Thousands of sockets leave behind freed memory that the C allocator
        keeps for this process; once the process holds no game at all (checked
        again after a pause, so a new game's first joins do not pay for it),
        collect and hand the free pages back (glibc's ``malloc_trim``).
        """
        if self.sockets:
            return
        gc.collect()
        if _LIBC is not None:
            _LIBC.malloc_trim(0)

    async def run(self) -> None:
        while self.sockets:
            try:
                await calls.clock_beat(list(self.sockets))
            except Exception:  # a lost database: the next beat tries again
                logger.warning("Live clock heartbeat failed", exc_info=True)
            await asyncio.sleep(live_services.CLOCK_BEAT_SECONDS)


def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 (glibc only)
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()
# Seconds after the last game socket of a process closed.
MEMORY_RETURN_DELAY = 5.0
_CLOCK = _ClockKeeper()


def _group(session_id: int) -> str:
    return f"live-{session_id}"


def _host_group(session_id: int) -> str:
    return f"live-{session_id}-host"


# The standings of the last few results broadcasts, per process: key -> a task
# that reads them once (``socket_calls.standings_read``). Thousands of player
# sockets of this process await the same task; none decodes every player's row
# on its own (10,000 players: 5,000 copies of 320 KB per process, 4 s of work).
_STANDINGS: dict[str, asyncio.Future] = {}
_STANDINGS_KEPT = 8


def _standings_remember(key: str, future: asyncio.Future) -> None:
    while len(_STANDINGS) >= _STANDINGS_KEPT:
        _STANDINGS.pop(next(iter(_STANDINGS)))
    _STANDINGS[key] = future


async def _standings_of(event: dict, session_id: int) -> dict:
    """Return the standings a results broadcast names, read once per process."""
    key = event.get("standings_key", "")
    task = _STANDINGS.get(key)
    if task is None or task.get_loop() is not asyncio.get_running_loop():
        task = asyncio.ensure_future(
            calls.standings_read(key, session_id, event["payload"].get("index", -1))
        )
        _standings_remember(key, task)
    try:
        # Shielded: a socket closing while it waits must not cancel the read
        # the other sockets of the process wait for.
        return await asyncio.shield(task)
    except Exception:
        if _STANDINGS.get(key) is task:
            _STANDINGS.pop(key)  # the next socket tries again
        raise


class _LiveConsumer(JsonWebsocketConsumer):
    session_id: int | None = None
    seq = 0

    async def send_message(self, message: dict) -> None:
        if "seq" in message:
            self.seq = max(self.seq, message["seq"])
        else:
            message = {**message, "seq": self.seq}
        await self.send_json(message)

    async def refuse(self, error: QuizError | str, code: str = "", **extra) -> None:
        await self.send_message(
            {
                "type": "refused",
                "code": code or getattr(error, "code", "") or "refused",
                "message": str(error),
                **extra,
            }
        )

    async def receive_json(self, content, **kwargs):
        if not self.limiter.allow():
            await self.close(code=CLOSE_TOO_MANY)
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.refuse(_("Bad message"), code="bad_message")
            return
        await self.handle(content["type"], content)

    async def disconnect(self, code):
        if getattr(self, "clock_held", False):
            self.clock_held = False
            _CLOCK.discard(self.session_id)
        await self.leave_groups()

    def hold_clock(self) -> None:
        """Count this socket among those keeping the game's clock alive."""
        if not getattr(self, "clock_held", False):
            self.clock_held = True
            _CLOCK.add(self.session_id)

    async def broadcast_event(self, event: dict) -> None:
        """Send a phase broadcast (``live_event_for``) to every screen of the game."""
        personal = event.get("type") in {"results", "ended"}
        standings = event.pop("standings", None)
        key = f"{self.session_id}:{event.get('seq', 0)}"
        if standings is not None:
            # Kept once for every process (the cache), and for this one as read.
            await calls.standings_keep(key, standings)
            kept = asyncio.get_running_loop().create_future()
            kept.set_result(standings)
            _standings_remember(key, kept)
        # Encoded once here rather than once per player socket (thousands).
        await self.channel_layer.group_send(
            _group(self.session_id),
            {
                "type": "live.event",
                "payload": event,
                "text": "" if personal else json.dumps(event),
                "standings_key": key,
            },
        )

    async def leave_groups(self) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def join_group(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)


class LivePlayerConsumer(_LiveConsumer):
    """A player's device: ``/ws/choi/<pin>/``."""

    async def connect(self):
        self.limiter = TokenBucket()
        self.groups_joined: list[str] = []
        self.player_id = None
        found = await calls.session_for_pin(self.scope["url_route"]["kwargs"]["pin"])
        await self.accept()
        if found is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.session_id, self.leaderboard = found

    async def handle(self, kind: str, content: dict) -> None:
        if kind in live_services.HOST_COMMANDS:
            await self.refuse(_("Only the host can do this."), code="forbidden")
            return
        if kind == "hello":
            await self.hello(content)
        elif self.player_id is None:
            await self.refuse(_("Join the game first."), code="not_joined")
        elif kind == "answer":
            await self.answer(content)
        elif kind == "sync":
            await self.send_message(await calls.state(self.session_id, self.player_id))
        elif kind == "team":
            try:
                await calls.choose_team(
                    self.player_id, str(content.get("team", ""))[:40]
                )
            except QuizError as error:
                await self.refuse(error)
                return
            await self.send_message(await calls.state(self.session_id, self.player_id))
            await self.channel_layer.group_send(
                _host_group(self.session_id), {"type": "live.roster"}
            )
        elif kind == "ping":
            await self.send_message({"type": "pong"})
        else:
            await self.refuse(_("Unknown message."), code="bad_message")

    async def hello(self, content: dict) -> None:
        if self.player_id is not None:
            await self.send_message(await calls.state(self.session_id, self.player_id))
            return
        token = content.get("token") or ""
        # Join the group before reading the state: no broadcast falls between.
        # Broadcasts that arrive meanwhile wait until this message is handled.
        await self.join_group(_group(self.session_id))
        try:
            seat, state, reopened = await calls.join(
                self.session_id, self.scope.get("user"), str(token)[:200]
            )
        except QuizError as error:
            await self.leave_groups()
            await self.refuse(error)
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.player_id = seat.player.pk
        self.hold_clock()
        if reopened is not None:
            await self.broadcast_event(reopened)
        welcome = {
            "type": "welcome",
            "player": {
                "id": seat.player.pk,
                "nickname": seat.player.nickname,
                "team": seat.player.team,
            },
            "resumed": not seat.created,
        }
        if seat.token:
            welcome["token"] = seat.token
        await self.send_message(welcome)
        await self.send_message(state)
        if seat.created:
            await self.channel_layer.group_send(
                _host_group(self.session_id), {"type": "live.roster"}
            )

    async def answer(self, content: dict) -> None:
        received_at = timezone.now()  # the server's clock, before anything else
        client_id = content.get("client_id")
        index = content.get("index")
        choice_ids = content.get("choice_ids")
        if (
            not isinstance(index, int)
            or not isinstance(choice_ids, list)
            or len(choice_ids) > 10
        ):
            await self.refuse(_("Bad answer."), code="bad_message", client_id=client_id)
            return
        try:
            outcome = await calls.answer(
                self.session_id,
                self.player_id,
                index,
                client_id,
                choice_ids,
                received_at,
            )
        except QuizError as error:
            await self.refuse(error, client_id=client_id)
            return
        await self.send_message(
            {
                "type": "ack",
                "client_id": str(outcome.answer.client_id),
                "index": outcome.answer.question_index,
                "duplicate": not outcome.created,
            }
        )
        if outcome.created:
            await self.channel_layer.group_send(
                _host_group(self.session_id), {"type": "live.answered"}
            )

    async def live_event(self, event):
        if self.player_id is None:
            return  # a socket without a seat (a refused join) hears nothing
        payload = event["payload"]
        if payload.get("type") not in {"results", "ended"} and event.get("text"):
            self.seq = max(self.seq, payload.get("seq", 0))
            await self.send(text_data=event["text"])
            return
        if payload.get("type") in {"results", "ended"} and self.player_id:
            payload = live_selectors.personal_results(
                results={
                    **payload,
                    "standings": await _standings_of(event, self.session_id),
                },
                player_id=self.player_id,
                leaderboard=self.leaderboard,
            )
        await self.send_message(payload)

    async def live_removed(self, event):
        if event["player_id"] == self.player_id:
            await self.send_message({"type": "removed"})
            await self.close(code=CLOSE_FORBIDDEN)

    async def live_finalised(self, event):
        """Only host sockets act on this; players ignore it."""


class LiveHostConsumer(_LiveConsumer):
    """The host's control view, or the projector (``?view=projector``, read-only).

    ``/ws/choi/<session_id>/dieu-khien/``.
    """

    async def connect(self):
        self.limiter = TokenBucket()
        self.groups_joined = []
        self.dirty_answers = self.dirty_roster = False
        self.flush_task = None
        self.reveal_task = None
        self.recount_task = None
        self.unsent_event = None
        self.question_open = False
        self.last_flush = 0.0
        query = self.scope.get("query_string", b"").decode("latin-1")
        self.read_only = "view=projector" in query
        self.user = self.scope.get("user")
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        await self.accept()
        if not getattr(self.user, "is_authenticated", False):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        found = await calls.session_for_host(self.user, session_id)
        if found is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        session, reopened = found
        self.session_id = session.pk
        self.hold_clock()
        await self.join_group(_group(self.session_id))
        await self.join_group(_host_group(self.session_id))
        if reopened is not None:
            await self.broadcast_event(reopened)
        state = await calls.host_state(self.session_id)
        await self.send_message(state)
        self.schedule_reveal(state["current"])
        self.recount_task = asyncio.ensure_future(self.recount_while_open())
        if state["phase"] == LivePhase.QUESTION:
            # Answers may have come in while this screen was away (a restart):
            # count them now, so "everyone answered" still reveals at once.
            self.dirty_answers = True
            self.schedule_flush()

    async def disconnect(self, code):
        for task in (self.flush_task, self.reveal_task, self.recount_task):
            if task is not None:
                task.cancel()
        await super().disconnect(code)

    async def handle(self, kind: str, content: dict) -> None:
        if kind == "sync":
            await self.send_message(await calls.host_state(self.session_id))
        elif kind == "ping":
            await self.send_message({"type": "pong"})
        elif kind in live_services.HOST_COMMANDS:
            if self.read_only:
                await self.refuse(_("The projector view cannot control the game."))
                return
            player_id = content.get("player_id")
            await self.run_command(
                kind, player_id=player_id if isinstance(player_id, int) else None
            )
        else:
            await self.refuse(_("Unknown message."), code="bad_message")

    async def run_command(self, command, *, player_id=None, expected_index=None):
        try:
            result, event = await calls.command(
                self.session_id, self.user, command, player_id, expected_index
            )
        except QuizError as error:
            if expected_index is None:
                await self.refuse(error)
            return
        if not result.changed:
            return
        if result.removed_player_id is not None:
            await self.channel_layer.group_send(
                _group(self.session_id),
                {"type": "live.removed", "player_id": result.removed_player_id},
            )
            await self.channel_layer.group_send(
                _host_group(self.session_id), {"type": "live.roster"}
            )
        await self.broadcast_or_keep(event)
        if result.session.phase == LivePhase.ENDED:
            recorded = await calls.record_attempts(self.session_id)
            await self.channel_layer.group_send(
                _host_group(self.session_id),
                {"type": "live.finalised", "attempts": recorded},
            )

    def schedule_reveal(self, message: dict) -> None:
        """Reveal the results by itself when the time is up (server's clock)."""
        if self.reveal_task is not None:
            self.reveal_task.cancel()
            self.reveal_task = None
        self.question_open = (
            message.get("type") == "question" and message.get("phase") == "question"
        )
        if not self.question_open:
            return
        index = message["question"]["index"]
        delay = (message["remaining_ms"] + live_answers.ANSWER_GRACE_MS) / 1000

        async def reveal_later():
            await asyncio.sleep(delay)
            await self.run_command("reveal", expected_index=index)

        self.reveal_task = asyncio.ensure_future(reveal_later())

    async def broadcast_or_keep(self, event: dict) -> None:
        """Broadcast a command's event; if the layer is away (Redis restarting),
        keep it and send it again from ``recount_while_open``.

        The command is already written: without this, every screen would wait
        for a phase change that happened (results shown, next question).
        """
        try:
            await self.broadcast_event(dict(event))
        except Exception:
            logger.warning("Live broadcast failed; sent again shortly", exc_info=True)
            self.unsent_event = event
            raise
        self.unsent_event = None

    async def recount_while_open(self) -> None:
        """Every ``RECOUNT_SECONDS``: send again a broadcast the layer lost, and
        count the open question's answers."""
        while True:
            await asyncio.sleep(RECOUNT_SECONDS)
            if self.unsent_event is not None:
                with contextlib.suppress(Exception):  # still away: next round
                    await self.broadcast_or_keep(self.unsent_event)
            if self.question_open and not self.read_only:
                self.dirty_answers = True
                self.schedule_flush()

    # --- Group events ----------

    async def live_event(self, event):
        payload = event["payload"]  # the standings travel beside it, not in it
        await self.send_message(payload)
        self.schedule_reveal(payload)

    async def live_removed(self, event):
        pass

    async def live_answered(self, event):
        self.dirty_answers = True
        self.schedule_flush()

    async def live_roster(self, event):
        self.dirty_roster = True
        self.schedule_flush()

    async def live_finalised(self, event):
        await self.send_message({"type": "finalised", "attempts": event["attempts"]})

    def schedule_flush(self) -> None:
        if self.flush_task is not None and not self.flush_task.done():
            return
        wait = max(0.0, self.last_flush + THROTTLE_SECONDS - time.monotonic())
        self.flush_task = asyncio.ensure_future(self.flush(wait))

    async def flush(self, wait: float) -> None:
        """Send one aggregate (and roster) for everything since the last one.

        Notices that arrive while it reads the database set the flags again; it
        goes round once more (after the throttle) rather than drop them, or the
        last answer of a question could go unseen and the automatic reveal wait
        for the timer.
        """
        await asyncio.sleep(wait)
        while self.dirty_roster or self.dirty_answers:
            self.last_flush = time.monotonic()
            if self.dirty_roster:
                self.dirty_roster = False
                await self.send_message(await calls.roster(self.session_id))
            if self.dirty_answers:
                self.dirty_answers = False
                aggregate = await calls.aggregate(self.session_id)
                await self.send_message(aggregate)
                everyone = aggregate["players"] and (
                    aggregate["answered"] >= aggregate["players"]
                )
                if everyone and aggregate["phase"] == LivePhase.QUESTION:
                    await self.run_command("reveal", expected_index=aggregate["index"])
            if self.dirty_roster or self.dirty_answers:
                await asyncio.sleep(THROTTLE_SECONDS)
