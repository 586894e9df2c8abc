"""Writes of a live game's answers: the answer path, scoring, and quiz attempts.

The server owns the clock and the score: an answer's time is the consumer's
receive time minus the question's opening, never the device's. Answers are
written (and the player's points updated) before the consumer acknowledges
them, so a crash loses nothing; a repeat changes nothing. When the game has
ended, each signed-in player's answers become a submitted quiz attempt
(``live_session_record_attempts``).

Scoring modes (``LiveScoring``):

- ``speed``: a right answer earns ``1000 - 500 * elapsed / duration`` points,
  rounded (1000 at once, never under 500); a wrong answer earns 0.
- ``accuracy``: 1 point per right answer, time does not matter.
- ``team``: players earn speed points; a team's score is the *average* of its
  players' points, so a bigger team has no advantage.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.errors import QuizError, QuizNotFound, QuizPermissionDenied
from quizzes.live.models import (
    LIVE_CONTEXT_PREFIX,
    LiveAnswer,
    LivePhase,
    LivePlayer,
    LiveScoring,
    LiveSession,
)
from quizzes.live.services import epoch_ms, live_questions
from quizzes.models import Attempt, AttemptStatus
from quizzes.scoring import score_answer

TAKE_QUIZ_PERMISSION = "quizzes.take_quiz"
# Network grace after the deadline: an answer tapped at 0.1 s left still counts.
ANSWER_GRACE_MS = 500
SPEED_MAX_POINTS = 1000
SPEED_MIN_POINTS = 500
# The same player's answer is also stored as a quizzes Answer when the game ends;
# its id is derived from the live answer's, so recording twice is idempotent.
_ATTEMPT_ANSWER_NAMESPACE = uuid.UUID("0b4a1a39-2f0e-4c8e-9a55-6d1b5f0c7e11")


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


def _elapsed_if_in_time(
    session: LiveSession, question_index: int, received_at: datetime
) -> int | None:
    """Return how long question ``question_index`` had been open when the answer
    arrived, or None if it did not arrive while the question was open.

    The answer counts by when the server *received* it, whatever has happened
    since: an answer that reached the server in time but waited behind a crowd
    of others is written after the reveal (or the next question) and still
    counts. Each question's open spans (``answer_windows``, closed by a pause, a
    reveal, a skip or the end) plus ``ANSWER_GRACE_MS`` after each close decide.
    The elapsed time counts only open time, so a pause costs no points.
    """
    spans = (session.answer_windows or {}).get(str(question_index))
    if not spans or not 0 <= question_index < len(session.question_ids):
        return None
    received = epoch_ms(received_at)
    deadline = session.question_deadline
    in_time = False
    elapsed = 0
    for opened, closed in spans:
        if closed is None:
            if deadline is None or session.current_index != question_index:
                continue
            closed = epoch_ms(deadline)
        if opened <= received <= closed + ANSWER_GRACE_MS:
            in_time = True
        if received >= opened:
            elapsed += min(received, closed) - opened
    if not in_time:
        return None
    return int(min(session.seconds_per_question * 1000, max(0, elapsed)))


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
    device's timing is never used. The answer counts if it was *received* while
    the question was open (up to ``ANSWER_GRACE_MS`` after its close), even when
    it is written after the reveal (``_elapsed_if_in_time``). A repeat of
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
            "answer_windows",
            "seconds_per_question",
            "scoring",
            "version__snapshot",
        )
        .first()
    )
    if session is None:
        raise QuizNotFound(_("This live game was not found."))
    elapsed_ms = _elapsed_if_in_time(session, question_index, received_at)
    if elapsed_ms is None:
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
