"""Writes of live sessions: creating a game, and the host's commands.

The server owns the clock and the score. Every state change of a session happens
under its row lock and bumps ``LiveSession.sequence``; the consumers only
broadcast what these functions return. Players' seats are written by
``quizzes.live.seats``, their answers (and the attempts a finished game gives)
by ``quizzes.live.answers``.

Live play uses the one-choice question types (single choice, true/false,
scenario choice): they fit a timed round with four tiles. Multiple-select and
ordering questions of the quiz are left out of live play (``LIVE_QUESTION_TYPES``);
the session page says how many were left out.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.errors import QuizError, QuizNotFound, QuizPermissionDenied
from quizzes.live.models import (
    LiveAnswer,
    LiveLeaderboard,
    LivePhase,
    LivePlayer,
    LiveScoring,
    LiveSession,
)
from quizzes.models import Quiz
from quizzes.scoring import ONE_CHOICE_TYPES

HOST_PERMISSION = "quizzes.host_live_quiz"
LIVE_QUESTION_TYPES = ONE_CHOICE_TYPES
MIN_TEAMS, MAX_TEAMS = 2, 6


def live_questions(session: LiveSession) -> list[dict]:
    """Return the session's questions (snapshot dicts), in the order played."""
    by_id = {str(q["id"]): q for q in session.version.snapshot["questions"]}
    return [by_id[question_id] for question_id in session.question_ids]


def wrong_phase_error() -> QuizError:
    return QuizError(
        _("This cannot be done at this point of the game."), code="live_wrong_phase"
    )


# --- Creating a session ----------


def _new_pin() -> str:
    # Random, not sequential: a PIN says nothing about other sessions.
    return f"{100000 + secrets.randbelow(900000)}"


def _clean_team_names(team_names) -> list[str]:
    names = []
    for name in team_names or []:
        name = " ".join(str(name).split())[:40]
        if name and name not in names:
            names.append(name)
    if not MIN_TEAMS <= len(names) <= MAX_TEAMS:
        raise QuizError(
            _("Team mode needs 2 to 6 different team names."), code="live_teams"
        )
    return names


@transaction.atomic
def live_session_create(
    *,
    host,
    quiz: Quiz,
    scoring: str,
    leaderboard: str,
    seconds_per_question: int,
    team_names: list[str] | None = None,
    context_key: str = "",
) -> LiveSession:
    """Start a lobby for ``quiz`` with a fresh PIN, pinned to its latest version.

    Only the one-choice questions are played (see the module docs); the order
    is shuffled when the quiz asks for it. The PIN is unique among active
    sessions (a partial unique constraint); a clash simply draws again.
    """
    if not host.has_perm(HOST_PERMISSION):
        raise QuizPermissionDenied(_("You cannot host live quizzes."))
    version = quiz.versions.order_by("-number").first() if quiz.live else None
    if version is None:
        raise QuizError(_("This quiz is not published yet."), code="not_published")
    if scoring not in LiveScoring.values or leaderboard not in LiveLeaderboard.values:
        raise QuizError(_("Please choose the game settings."), code="live_settings")
    if not 10 <= int(seconds_per_question) <= 60:
        raise QuizError(_("A question lasts 10 to 60 seconds."), code="live_settings")
    question_ids = [
        str(q["id"])
        for q in version.snapshot["questions"]
        if q["type"] in LIVE_QUESTION_TYPES
    ]
    if not question_ids:
        raise QuizError(
            _("This quiz has no questions that can be played live."),
            code="live_no_questions",
        )
    if version.snapshot["settings"].get("shuffle_questions"):
        random.SystemRandom().shuffle(question_ids)
    names = _clean_team_names(team_names) if scoring == LiveScoring.TEAM else []
    for _try in range(20):
        session = LiveSession(
            host=host,
            quiz=quiz,
            version=version,
            pin=_new_pin(),
            context_key=(context_key or "")[:80],
            scoring=scoring,
            leaderboard=leaderboard,
            seconds_per_question=int(seconds_per_question),
            team_names=names,
            question_ids=question_ids,
        )
        try:
            with transaction.atomic():
                session.save(force_insert=True)
            return session
        except IntegrityError:
            continue
    raise QuizError(_("Please try again."), code="live_pin")  # pragma: no cover


# --- Host commands ----------


def session_for_host_locked(*, session_id: int, user) -> LiveSession:
    """Lock and return the session if ``user`` hosts it; anyone else: not found."""
    session = (
        LiveSession.objects.select_for_update()
        .select_related("version")
        .filter(pk=session_id, host_id=getattr(user, "pk", None))
        .first()
    )
    if session is None or not user.has_perm(HOST_PERMISSION):
        raise QuizNotFound(_("This live game was not found."))
    return session


def epoch_ms(moment: datetime) -> int:
    """Return ``moment`` as whole milliseconds since the epoch (answer windows)."""
    return int(moment.timestamp() * 1000)


def _window_open(session: LiveSession, now: datetime) -> None:
    """Start a span of the current question's time open to answers."""
    windows = dict(session.answer_windows or {})
    key = str(session.current_index)
    windows[key] = [*windows.get(key, []), [epoch_ms(now), None]]
    session.answer_windows = windows


def _window_close(session: LiveSession, closed_at: datetime) -> None:
    """End the current question's open span at ``closed_at`` (if one is open)."""
    key = str(session.current_index)
    spans = (session.answer_windows or {}).get(key)
    if not spans or spans[-1][1] is not None:
        return
    windows = dict(session.answer_windows)
    windows[key] = [*spans[:-1], [spans[-1][0], epoch_ms(closed_at)]]
    session.answer_windows = windows


def _open_question(session: LiveSession, index: int, now: datetime) -> None:
    if index >= len(session.question_ids):
        _end(session, now)
        return
    session.phase = LivePhase.QUESTION
    session.current_index = index
    session.question_opened_at = now
    session.question_deadline = now + timedelta(seconds=session.seconds_per_question)
    session.paused_remaining_ms = None
    session.clock_seen_at = now
    _window_open(session, now)


def _end(session: LiveSession, now: datetime) -> None:
    if session.phase == LivePhase.QUESTION:
        _window_close(session, min(session.question_deadline or now, now))
    session.phase = LivePhase.ENDED
    session.ended_at = now
    session.question_deadline = None
    session.paused_remaining_ms = None


def _skip_current(session: LiveSession) -> None:
    """Void the current question: its answers stay in the report, worth 0."""
    index = session.current_index
    if index < 0 or index in session.skipped_indexes:
        return
    session.skipped_indexes = [*session.skipped_indexes, index]
    voided = LiveAnswer.objects.filter(session=session, question_index=index)
    for player_id, points, correct in voided.values_list(
        "player_id", "points", "is_correct"
    ):
        LivePlayer.objects.filter(pk=player_id).update(
            score=F("score") - points,
            correct_count=F("correct_count") - (1 if correct else 0),
        )
    voided.update(points=0)


@dataclass(frozen=True)
class CommandResult:
    """What a host command changed: the session after it, and whether to tell."""

    session: LiveSession
    changed: bool
    removed_player_id: int | None = None


HOST_COMMANDS = frozenset(
    {"start", "next", "pause", "resume", "reveal", "skip", "remove", "end"}
)


@transaction.atomic
def live_session_command(
    *,
    session_id: int,
    user,
    command: str,
    player_id: int | None = None,
    expected_index: int | None = None,
    now: datetime | None = None,
) -> CommandResult:
    """Apply one host command under the session lock and bump the sequence.

    ``expected_index`` makes automatic reveals (time up, everyone answered)
    idempotent: several host sockets may ask, the first one wins and the others
    change nothing. A command that makes no sense in the current phase raises
    ``QuizError`` (``live_wrong_phase``).
    """
    now = now or timezone.now()
    session = session_for_host_locked(session_id=session_id, user=user)
    phase = session.phase
    removed = None
    if command not in HOST_COMMANDS:
        raise QuizError(_("Unknown command."), code="live_command")
    if phase == LivePhase.ENDED:
        if command == "end":
            return CommandResult(session=session, changed=False)
        raise wrong_phase_error()
    if expected_index is not None and expected_index != session.current_index:
        return CommandResult(session=session, changed=False)
    if command in {"start", "next"}:
        if phase not in {LivePhase.LOBBY, LivePhase.RESULTS}:
            raise wrong_phase_error()
        _open_question(session, session.current_index + 1, now)
    elif command == "pause":
        if phase != LivePhase.QUESTION:
            raise wrong_phase_error()
        remaining = (session.question_deadline - now).total_seconds() * 1000
        _window_close(session, min(session.question_deadline, now))
        session.phase = LivePhase.PAUSED
        session.paused_remaining_ms = max(0, int(remaining))
        session.question_deadline = None
    elif command == "resume":
        if phase != LivePhase.PAUSED:
            raise wrong_phase_error()
        session.phase = LivePhase.QUESTION
        session.question_deadline = now + timedelta(
            milliseconds=session.paused_remaining_ms or 0
        )
        session.paused_remaining_ms = None
        session.clock_seen_at = now
        _window_open(session, now)
    elif command == "reveal":
        if phase == LivePhase.RESULTS and expected_index is not None:
            return CommandResult(session=session, changed=False)
        if phase not in {LivePhase.QUESTION, LivePhase.PAUSED}:
            raise wrong_phase_error()
        if phase == LivePhase.QUESTION:
            _window_close(session, min(session.question_deadline, now))
        session.phase = LivePhase.RESULTS
        session.question_deadline = min(session.question_deadline or now, now)
        session.paused_remaining_ms = None
    elif command == "skip":
        if phase == LivePhase.LOBBY:
            raise wrong_phase_error()
        if phase == LivePhase.QUESTION:
            _window_close(session, min(session.question_deadline, now))
        _skip_current(session)
        _open_question(session, session.current_index + 1, now)
    elif command == "remove":
        updated = LivePlayer.objects.filter(
            session=session, pk=player_id, is_removed=False
        ).update(is_removed=True)
        if not updated:
            raise QuizNotFound(_("This player was not found."))
        removed = player_id
    elif command == "end":
        _end(session, now)
    session.sequence += 1
    session.save()
    return CommandResult(session=session, changed=True, removed_player_id=removed)


# --- The clock across a server outage ----------
#
# Every server process holding a socket of a game beats its ``clock_seen_at``
# every ``CLOCK_BEAT_SECONDS`` (quizzes/live/consumers.py). When the first
# socket comes back after a gap longer than ``CLOCK_LOST_AFTER`` (every
# process was gone: a restart, a power cut, an update), the open question gets
# back the time it had left when the server went away: its answer window closes
# at the last beat and opens again now, so nobody is told "time is up" because
# the server was away, and the time away costs no points; the phones get
# ``CLOCK_RECONNECT_ALLOWANCE`` more to come back. A gap shorter than that (a
# busy server, one worker of several restarting) changes nothing.

CLOCK_BEAT_SECONDS = 1
CLOCK_LOST_AFTER = timedelta(seconds=4)
# On top of the time given back: the phones come back after a random wait of up
# to 8 s (live_common.js), and a server just started seats thousands of them
# at once; measured at 2,000 players, the last was back 37 s after the kill.
# Without it the question closed before many of them could resend their answer.
CLOCK_RECONNECT_ALLOWANCE = timedelta(seconds=20)


def live_clock_beat(*, session_ids, now: datetime | None = None) -> int:
    """Record that this process is running the clock of ``session_ids``."""
    return (
        LiveSession.objects.filter(pk__in=list(session_ids))
        .exclude(phase=LivePhase.ENDED)
        .update(clock_seen_at=now or timezone.now())
    )


def live_clock_recover(*, session_id: int, now: datetime | None = None) -> bool:
    """Give the open question back the time lost while the server was away.

    Returns True when the question reopened (the caller tells every screen).
    Cheap when nothing was lost: one read without a lock.
    """
    now = now or timezone.now()
    seen = (
        LiveSession.objects.filter(pk=session_id, phase=LivePhase.QUESTION)
        .values_list("clock_seen_at", flat=True)
        .first()
    )
    if seen is None or now - seen <= CLOCK_LOST_AFTER:
        return False
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=session_id)
        seen = session.clock_seen_at
        if (
            session.phase != LivePhase.QUESTION
            or seen is None
            or now - seen <= CLOCK_LOST_AFTER
        ):
            return False  # another socket recovered it first
        session.clock_seen_at = now
        deadline = session.question_deadline
        if deadline is None or deadline <= seen:
            # The time was already up before the server went away.
            session.save(update_fields=["clock_seen_at"])
            return False
        _window_close(session, seen)
        session.question_deadline = now + (deadline - seen) + CLOCK_RECONNECT_ALLOWANCE
        _window_open(session, now)
        session.sequence += 1
        session.save()
    return True
