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
from django.db.models import Case, F, IntegerField, Q, Value, When
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


@dataclass(frozen=True)
class AnswerRequest:
    """One answer as a player's socket received it (``received_at``: the server's
    clock on arrival)."""

    session_id: int
    player_id: int
    question_index: int
    client_id: object
    choice_ids: list
    received_at: datetime


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
    answer and changes nothing. Raises the ``QuizError`` that refused it.
    """
    request = AnswerRequest(
        session_id=session_id,
        player_id=player_id,
        question_index=question_index,
        client_id=client_id,
        choice_ids=choice_ids,
        received_at=received_at,
    )
    (outcome,) = live_answers_submit([request])
    if isinstance(outcome, QuizError):
        raise outcome
    return outcome


_SESSION_FIELDS = (
    "phase",
    "current_index",
    "question_ids",
    "question_deadline",
    "answer_windows",
    "seconds_per_question",
    "scoring",
    "version__snapshot",
)


def live_answers_submit(
    requests: list[AnswerRequest],
) -> list[AnswerOutcome | QuizError]:
    """Store many answers (of any games) in one transaction; each outcome in
    the order of ``requests``: the stored answer, or the ``QuizError`` that
    refused it. Each answer is judged exactly as ``live_answer_submit`` judges
    it alone.

    When thousands of players answer at once, the sockets hand their answers
    over together (``quizzes.live.socket_calls.answer``): a batch reads its
    games once, inserts its answers in one statement, adds every player's points
    in one more and commits once, instead of three statements and a commit per
    answer. Players are locked in id order, so two batches never deadlock and a
    player taken out of the game meanwhile gets nothing. A batch that meets a
    conflict the reads did not see (the same answer id written by another
    process at that moment) is judged again answer by answer.
    """
    try:
        with transaction.atomic():
            return _answers_store(requests)
    except IntegrityError:
        if len(requests) > 1:
            return [live_answers_submit([request])[0] for request in requests]
    # Alone: the answer it met is committed now, so this reading sees it.
    with transaction.atomic():
        return _answers_store(requests)


def _answers_store(requests: list[AnswerRequest]) -> list[AnswerOutcome | QuizError]:
    outcomes: list[AnswerOutcome | QuizError | None] = [None] * len(requests)
    client_ids: list[uuid.UUID | None] = []
    for position, request in enumerate(requests):
        try:
            client_ids.append(uuid.UUID(str(request.client_id)))
        except (TypeError, ValueError):
            client_ids.append(None)
            outcomes[position] = QuizError(
                _("The answer has no valid id."), code="client_id_invalid"
            )
    sessions = {
        session.pk: session
        for session in LiveSession.objects.select_related("version")
        .filter(pk__in={request.session_id for request in requests})
        .only(*_SESSION_FIELDS)
    }
    fresh: list[tuple[int, LiveAnswer]] = []
    late: list[int] = []
    for position, request in enumerate(requests):
        if outcomes[position] is not None:
            continue
        session = sessions.get(request.session_id)
        if session is None:
            outcomes[position] = QuizNotFound(_("This live game was not found."))
            continue
        elapsed_ms = _elapsed_if_in_time(
            session, request.question_index, request.received_at
        )
        if elapsed_ms is None:
            late.append(position)
            continue
        try:
            answer = _scored(session, request, client_ids[position], elapsed_ms)
        except QuizError as error:  # a choice that is not the question's
            outcomes[position] = error
            continue
        fresh.append((position, answer))
    if late:
        # A device resending an answer it sent in time (after reconnecting)
        # still hears "saved"; anything else is refused.
        stored = {
            answer.client_id: answer
            for answer in LiveAnswer.objects.filter(
                client_id__in=[client_ids[position] for position in late]
            )
        }
        for position in late:
            request = requests[position]
            answer = stored.get(client_ids[position])
            if answer is not None and answer.player_id == request.player_id:
                outcomes[position] = AnswerOutcome(answer=answer, created=False)
            elif sessions[request.session_id].phase == LivePhase.PAUSED:
                outcomes[position] = QuizError(
                    _("The game is paused. Wait a moment."), code="live_paused"
                )
            else:
                outcomes[position] = _closed()
    if fresh:
        _fresh_answers_store(fresh, outcomes)
    return outcomes  # type: ignore[return-value]


def _scored(
    session: LiveSession, request: AnswerRequest, client_id: uuid.UUID, elapsed_ms: int
) -> LiveAnswer:
    question = live_questions(session)[request.question_index]
    choice_ids = request.choice_ids
    score = score_answer(question=question, response={"choice_ids": choice_ids})
    if not score.is_correct:
        points = 0
    elif session.scoring == LiveScoring.ACCURACY:
        points = 1
    else:
        duration_ms = session.seconds_per_question * 1000
        points = speed_points(elapsed_ms=elapsed_ms, duration_ms=duration_ms)
    return LiveAnswer(
        session_id=request.session_id,
        player_id=request.player_id,
        question_index=request.question_index,
        question_id=str(question["id"]),
        client_id=client_id,
        choice_ids=[str(choice_id) for choice_id in choice_ids],
        is_correct=score.is_correct,
        credit=score.credit,
        points=points,
        elapsed_ms=elapsed_ms,
        received_at=request.received_at,
    )


def _fresh_answers_store(fresh: list[tuple[int, LiveAnswer]], outcomes: list) -> None:
    """Insert the answers received in time that are not repeats, and add their
    points to their players (in the caller's transaction)."""
    player_ids = sorted({answer.player_id for _, answer in fresh})
    playing = set(
        LivePlayer.objects.select_for_update()
        .filter(pk__in=player_ids, is_removed=False)
        .order_by("pk")
        .values_list("pk", "session_id")
    )
    stored = LiveAnswer.objects.filter(
        Q(client_id__in=[answer.client_id for _, answer in fresh])
        | Q(
            player_id__in=player_ids,
            question_index__in={answer.question_index for _, answer in fresh},
        )
    )
    by_client = {answer.client_id: answer for answer in stored}
    by_slot = {(answer.player_id, answer.question_index): answer for answer in stored}
    inserted: list[LiveAnswer] = []
    for position, answer in fresh:
        slot = (answer.player_id, answer.question_index)
        earlier = by_client.get(answer.client_id)
        if earlier is not None and earlier.player_id != answer.player_id:
            outcomes[position] = QuizError(
                _("This answer id was already used."), code="client_id_reused"
            )
            continue
        earlier = earlier or by_slot.get(slot)
        if earlier is not None:  # a repeat, or an answer of this batch again
            outcomes[position] = AnswerOutcome(answer=earlier, created=False)
            continue
        if (answer.player_id, answer.session_id) not in playing:
            outcomes[position] = QuizPermissionDenied(
                _("The host has taken you out of this game.")
            )
            continue
        by_client[answer.client_id] = by_slot[slot] = answer
        inserted.append(answer)
        outcomes[position] = AnswerOutcome(answer=answer, created=True)
    if not inserted:
        return
    LiveAnswer.objects.bulk_create(inserted)
    growth: dict[str, dict[int, int]] = {
        "score": {},
        "correct_count": {},
        "answered_count": {},
    }
    for answer in inserted:
        for field, value in (
            ("score", answer.points),
            ("correct_count", int(answer.is_correct)),
            ("answered_count", 1),
        ):
            by_player = growth[field]
            by_player[answer.player_id] = by_player.get(answer.player_id, 0) + value
    LivePlayer.objects.filter(pk__in=growth["answered_count"]).update(
        **{
            field: F(field) + _per_player(by_player)
            for field, by_player in growth.items()
        }
    )


def _per_player(by_player: dict[int, int]):
    """What each player's field grows by, for one UPDATE of them all."""
    if len(set(by_player.values())) == 1:
        return Value(next(iter(by_player.values())))
    return Case(
        *(
            When(pk=player_id, then=Value(value))
            for player_id, value in by_player.items()
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


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
