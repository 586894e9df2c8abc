"""Writes of live sessions: create, join, host commands, answers, attempts.

The server owns the clock and the score. Every state change happens here, under
the session's row lock, and bumps ``LiveSession.sequence``; the consumers only
broadcast what these functions return. Answers are written (and the player's
points updated) before the consumer acknowledges them, so a crash loses nothing.

Live play uses the one-choice question types (single choice, true/false,
scenario choice): they fit a timed round with four tiles. Multiple-select and
ordering questions of the quiz are left out of live play (``LIVE_QUESTION_TYPES``);
the session page says how many were left out.

Scoring modes (``LiveScoring``):

- ``speed``: a right answer earns ``1000 - 500 * elapsed / duration`` points,
  rounded (1000 at once, never under 500); a wrong answer earns 0.
- ``accuracy``: 1 point per right answer, time does not matter.
- ``team``: players earn speed points; a team's score is the *average* of its
  players' points, so a bigger team has no advantage.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from quizzes.errors import QuizError, QuizNotFound, QuizPermissionDenied
from quizzes.live.models import (
    LIVE_CONTEXT_PREFIX,
    LiveAnswer,
    LiveLeaderboard,
    LivePhase,
    LivePlayer,
    LiveScoring,
    LiveSession,
)
from quizzes.live.nicknames import nickname_candidates
from quizzes.models import Attempt, AttemptStatus, Quiz
from quizzes.scoring import ONE_CHOICE_TYPES, score_answer

HOST_PERMISSION = "quizzes.host_live_quiz"
TAKE_QUIZ_PERMISSION = "quizzes.take_quiz"
LIVE_QUESTION_TYPES = ONE_CHOICE_TYPES
# Network grace after the deadline: an answer tapped at 0.1 s left still counts.
ANSWER_GRACE_MS = 500
SPEED_MAX_POINTS = 1000
SPEED_MIN_POINTS = 500
MIN_TEAMS, MAX_TEAMS = 2, 6
# The same player's answer is also stored as a quizzes Answer when the game ends;
# its id is derived from the live answer's, so recording twice is idempotent.
_ATTEMPT_ANSWER_NAMESPACE = uuid.UUID("0b4a1a39-2f0e-4c8e-9a55-6d1b5f0c7e11")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def live_questions(session: LiveSession) -> list[dict]:
    """Return the session's questions (snapshot dicts), in the order played."""
    by_id = {str(q["id"]): q for q in session.version.snapshot["questions"]}
    return [by_id[question_id] for question_id in session.question_ids]


def _wrong_phase() -> QuizError:
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


# --- Players ----------


@dataclass(frozen=True)
class Seat:
    """A player's seat; ``token`` is returned once, to a new guest only."""

    player: LivePlayer
    token: str | None
    created: bool


def _team_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _team_from_provider(*, user, session: LiveSession) -> str:
    """Ask the optional ``LIVE_TEAM_LABEL_PROVIDER`` hook for a user's team.

    The hook (a dotted path to ``callable(*, user, session) -> str | None``) lets
    the school layer put pupils in teams by class without the engine knowing
    what a class is. The label counts only when it is one of the host's team
    names (spaces and case aside: "5a" finds "5A"); otherwise the player picks a
    team like a guest, so nobody lands in a team the host did not make.
    """
    path = getattr(settings, "LIVE_TEAM_LABEL_PROVIDER", "")
    if not path or user is None or not session.team_names:
        return ""
    label = _team_key(import_string(path)(user=user, session=session) or "")
    if not label:
        return ""
    return next((name for name in session.team_names if _team_key(name) == label), "")


def _insert_player(*, session: LiveSession, user, names: list[str]) -> LivePlayer:
    token_holder = secrets.token_urlsafe(24)
    team = ""
    if session.scoring == LiveScoring.TEAM:
        team = _team_from_provider(user=user, session=session)
    for nickname in names:
        player = LivePlayer(
            session=session,
            user=user,
            nickname=nickname,
            team=team,
            resume_token_hash=token_hash(token_holder),
        )
        try:
            with transaction.atomic():
                player.save(force_insert=True)
        except IntegrityError:
            if user is not None:
                existing = LivePlayer.objects.filter(session=session, user=user).first()
                if existing is not None:
                    return existing
            continue
        player._plain_token = token_holder
        return player
    raise QuizError(_("Please try again."), code="live_join")  # pragma: no cover


def _user_names(user) -> list[str]:
    base = (str(user) or _("Player"))[:100]
    return [base] + [f"{base} {number}" for number in range(2, 200)]


@transaction.atomic
def live_player_join(
    *, session: LiveSession, user=None, resume_token: str = ""
) -> Seat:
    """Seat a player in ``session``: their own seat again, or a new one.

    A signed-in user always gets the seat tied to their account (a token is
    ignored). A guest with a valid resume token of this session gets that seat
    back; any other guest gets a new seat with a generated nickname and a new
    token, of which only the hash is stored. A removed player cannot come back.
    """
    if not session.is_active:
        raise QuizError(_("This game has ended."), code="live_ended")
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None:
        player = LivePlayer.objects.filter(session=session, user=user).first()
        created = player is None
        if created:
            player = _insert_player(session=session, user=user, names=_user_names(user))
        if player.is_removed:
            raise QuizPermissionDenied(_("The host has taken you out of this game."))
        return Seat(player=player, token=None, created=created)
    if resume_token:
        player = LivePlayer.objects.filter(
            session=session,
            user__isnull=True,
            resume_token_hash=token_hash(str(resume_token)[:200]),
        ).first()
        if player is not None:
            if player.is_removed:
                raise QuizPermissionDenied(
                    _("The host has taken you out of this game.")
                )
            return Seat(player=player, token=None, created=False)

    def taken_of(names: list[str]) -> set[str]:
        return set(
            LivePlayer.objects.filter(session=session, nickname__in=names).values_list(
                "nickname", flat=True
            )
        )

    player = _insert_player(
        session=session, user=None, names=nickname_candidates(taken_of=taken_of)
    )
    return Seat(player=player, token=player._plain_token, created=True)


@transaction.atomic
def live_player_choose_team(*, player_id: int, team: str) -> LivePlayer:
    """Put a player in one of the host's teams (in the lobby, or when unset)."""
    player = (
        LivePlayer.objects.select_for_update()
        .select_related("session")
        .get(pk=player_id)
    )
    session = player.session
    if session.scoring != LiveScoring.TEAM or team not in session.team_names:
        raise QuizError(_("Please choose one of the teams."), code="live_team")
    if session.phase != LivePhase.LOBBY and player.team:
        raise _wrong_phase()
    player.team = team
    player.save(update_fields=["team"])
    return player


@transaction.atomic
def live_seats_anonymise(*, user, nickname: str) -> int:
    """Replace ``user``'s name in every live game they played with ``nickname``.

    For erasure (``lms.safeguarding.data_rights`` calls it with its tombstone
    name). The seats
    keep their points, teams and answers, so past games' reports and team
    averages count the same; only the name goes. A second erased player of the
    same game becomes "<nickname> 2" (names are unique per game). Returns how
    many seats were renamed; running it again renames nothing.
    """
    base = " ".join(nickname.split())[:100]
    names = [base] + [f"{base} {number}" for number in range(2, 1000)]
    renamed = 0
    for seat in LivePlayer.objects.select_for_update().filter(user_id=user.pk):
        if seat.nickname in names:
            continue  # already a tombstone
        for name in names:
            seat.nickname = name
            try:
                with transaction.atomic():
                    seat.save(update_fields=["nickname"])
            except IntegrityError:
                continue
            renamed += 1
            break
        else:  # pragma: no cover - a thousand erased players in one game
            raise QuizError(_("Please try again."), code="live_erase")
    return renamed


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


def _open_question(session: LiveSession, index: int, now: datetime) -> None:
    if index >= len(session.question_ids):
        _end(session, now)
        return
    session.phase = LivePhase.QUESTION
    session.current_index = index
    session.question_opened_at = now
    session.question_deadline = now + timedelta(seconds=session.seconds_per_question)
    session.paused_remaining_ms = None


def _end(session: LiveSession, now: datetime) -> None:
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
        raise _wrong_phase()
    if expected_index is not None and expected_index != session.current_index:
        return CommandResult(session=session, changed=False)
    if command in {"start", "next"}:
        if phase not in {LivePhase.LOBBY, LivePhase.RESULTS}:
            raise _wrong_phase()
        _open_question(session, session.current_index + 1, now)
    elif command == "pause":
        if phase != LivePhase.QUESTION:
            raise _wrong_phase()
        remaining = (session.question_deadline - now).total_seconds() * 1000
        session.phase = LivePhase.PAUSED
        session.paused_remaining_ms = max(0, int(remaining))
        session.question_deadline = None
    elif command == "resume":
        if phase != LivePhase.PAUSED:
            raise _wrong_phase()
        session.phase = LivePhase.QUESTION
        session.question_deadline = now + timedelta(
            milliseconds=session.paused_remaining_ms or 0
        )
        session.paused_remaining_ms = None
    elif command == "reveal":
        if phase == LivePhase.RESULTS and expected_index is not None:
            return CommandResult(session=session, changed=False)
        if phase not in {LivePhase.QUESTION, LivePhase.PAUSED}:
            raise _wrong_phase()
        session.phase = LivePhase.RESULTS
        session.question_deadline = min(session.question_deadline or now, now)
        session.paused_remaining_ms = None
    elif command == "skip":
        if phase == LivePhase.LOBBY:
            raise _wrong_phase()
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


# --- Answers ----------


@dataclass(frozen=True)
class AnswerOutcome:
    """A stored answer; ``created`` is False for a repeat (nothing changed)."""

    answer: LiveAnswer
    created: bool


def speed_points(*, elapsed_ms: int, duration_ms: int) -> int:
    """Return the points of a right answer after ``elapsed_ms`` (500 to 1000)."""
    share = min(1.0, max(0.0, elapsed_ms / duration_ms)) if duration_ms else 1.0
    spread = SPEED_MAX_POINTS - SPEED_MIN_POINTS
    return max(SPEED_MIN_POINTS, round(SPEED_MAX_POINTS - spread * share))


def _closed() -> QuizError:
    return QuizError(
        _("Time is up for this question. Wait for the next one."),
        code="live_question_closed",
    )


def _stored_answer(client_id, player_id: int, question_index: int) -> LiveAnswer:
    """Return the answer a repeat refers to (same id, or same player and question)."""
    stored = LiveAnswer.objects.filter(client_id=client_id).first()
    if stored is not None:
        if stored.player_id != player_id:
            raise QuizError(
                _("This answer id was already used."), code="client_id_reused"
            )
        return stored
    return LiveAnswer.objects.get(player_id=player_id, question_index=question_index)


@transaction.atomic
def live_answer_submit(
    *,
    session_id: int,
    player_id: int,
    question_index: int,
    client_id,
    choice_ids: list,
    received_at: datetime,
) -> AnswerOutcome:
    """Store a player's answer, scored by the server's clock; once per question.

    ``received_at`` is the server's receive time taken by the consumer; the
    device's timing is never used. The answer counts only while the question is
    open, up to ``ANSWER_GRACE_MS`` after the deadline. A repeat of
    ``client_id`` (or a second answer to the same question) returns the stored
    answer and changes nothing.
    """
    try:
        client_id = uuid.UUID(str(client_id))
    except (TypeError, ValueError):
        raise QuizError(_("The answer has no valid id."), code="client_id_invalid")
    session = (
        LiveSession.objects.select_related("version")
        .filter(pk=session_id)
        .only(
            "phase",
            "current_index",
            "question_ids",
            "question_deadline",
            "seconds_per_question",
            "scoring",
            "version__snapshot",
        )
        .first()
    )
    if session is None:
        raise QuizNotFound(_("This live game was not found."))
    grace = timedelta(milliseconds=ANSWER_GRACE_MS)
    is_open = (
        session.phase == LivePhase.QUESTION
        and question_index == session.current_index
        and received_at <= session.question_deadline + grace
    )
    if not is_open:
        # A device resending an answer it sent in time (after reconnecting)
        # still hears "saved"; anything else is refused.
        stored = LiveAnswer.objects.filter(
            client_id=client_id, player_id=player_id
        ).first()
        if stored is not None:
            return AnswerOutcome(answer=stored, created=False)
        if session.phase == LivePhase.PAUSED:
            raise QuizError(_("The game is paused. Wait a moment."), code="live_paused")
        raise _closed()
    question = live_questions(session)[question_index]
    score = score_answer(question=question, response={"choice_ids": choice_ids})
    duration_ms = session.seconds_per_question * 1000
    remaining_ms = (session.question_deadline - received_at).total_seconds() * 1000
    elapsed_ms = int(min(duration_ms, max(0, duration_ms - remaining_ms)))
    if not score.is_correct:
        points = 0
    elif session.scoring == LiveScoring.ACCURACY:
        points = 1
    else:
        points = speed_points(elapsed_ms=elapsed_ms, duration_ms=duration_ms)
    answer = LiveAnswer(
        session_id=session_id,
        player_id=player_id,
        question_index=question_index,
        question_id=str(question["id"]),
        client_id=client_id,
        choice_ids=[str(choice_id) for choice_id in choice_ids],
        is_correct=score.is_correct,
        credit=score.credit,
        points=points,
        elapsed_ms=elapsed_ms,
        received_at=received_at,
    )
    # Hot path (a whole class answers within seconds): one read, one insert,
    # one update. A repeat is caught by the unique constraints, not a lookup.
    try:
        with transaction.atomic():
            answer.save(force_insert=True)
    except IntegrityError:
        return AnswerOutcome(
            answer=_stored_answer(client_id, player_id, question_index),
            created=False,
        )
    updated = LivePlayer.objects.filter(
        pk=player_id, session_id=session_id, is_removed=False
    ).update(
        score=F("score") + points,
        correct_count=F("correct_count") + (1 if score.is_correct else 0),
        answered_count=F("answered_count") + 1,
    )
    if not updated:
        raise QuizPermissionDenied(_("The host has taken you out of this game."))
    return AnswerOutcome(answer=answer, created=True)


# --- Turning a game into attempts ----------


def live_context_key(session: LiveSession) -> str:
    return f"{LIVE_CONTEXT_PREFIX}{session.pk}"


@transaction.atomic
def _record_attempt(*, session: LiveSession, player: LivePlayer) -> Attempt | None:
    from quizzes.services import attempt_answer, attempt_submit

    user = player.user
    context_key = live_context_key(session)
    existing = Attempt.objects.filter(
        user=user, quiz_id=session.quiz_id, context_key=context_key
    ).first()
    if existing is not None and existing.status == AttemptStatus.SUBMITTED:
        return None
    attempt = existing or Attempt(
        user=user,
        quiz_id=session.quiz_id,
        version=session.version,
        context_key=context_key,
        seed=secrets.token_hex(8),
        question_ids=list(session.question_ids),
        choice_orders={
            str(q["id"]): [c["id"] for c in q["choices"]]
            for q in live_questions(session)
        },
        started_at=player.joined_at,
    )
    if existing is None:
        attempt.save(force_insert=True)
    attempt.version = session.version
    for answer in player.answers.exclude(
        question_index__in=session.skipped_indexes or []
    ).order_by("question_index"):
        attempt_answer(
            attempt=attempt,
            user=user,
            question_id=answer.question_id,
            client_id=uuid.uuid5(_ATTEMPT_ANSWER_NAMESPACE, str(answer.client_id)),
            response={"choice_ids": answer.choice_ids},
        )
    return attempt_submit(attempt=attempt, user=user)


def live_session_record_attempts(*, session_id: int) -> int:
    """Give every signed-in player of an ended game a submitted quiz attempt.

    Each attempt is pinned to the session's ``QuizVersion``, holds the player's
    answers (skipped questions left out) and is submitted through
    ``quizzes.services.attempt_submit``, so ``attempt_submitted`` fires and the
    school layer counts it (its ``context_key`` is ``"live:<session id>"``).
    One transaction per player: one failure does not undo the others.
    Idempotent; returns how many attempts were submitted now.
    """
    session = LiveSession.objects.select_related("version").get(pk=session_id)
    if session.phase != LivePhase.ENDED or session.attempts_recorded_at:
        return 0
    recorded = 0
    players = session.players.filter(
        user__isnull=False, is_removed=False, answered_count__gt=0
    ).select_related("user")
    for player in players:
        if not player.user.has_perm(TAKE_QUIZ_PERMISSION):
            continue
        if _record_attempt(session=session, player=player) is not None:
            recorded += 1
    LiveSession.objects.filter(pk=session.pk).update(
        attempts_recorded_at=timezone.now()
    )
    return recorded
