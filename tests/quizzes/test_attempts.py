"""Attempt services: pinning, resuming, limits, idempotent answers, submitting."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from quizzes.errors import QuizError, QuizNotFound, QuizPermissionDenied
from quizzes.models import Answer, Attempt, Quiz
from quizzes.review import (
    attempt_review,
)
from quizzes.selectors import (
    attempt_for_user,
    attempt_latest_answers,
    attempt_questions_public,
    attempts_of_user,
    user_best_attempt,
)
from quizzes.services import (
    MAX_TIME_SPENT_SECONDS,
    attempt_answer,
    attempt_start,
    attempt_start_or_resume,
    attempt_submit,
)
from quizzes.signals import attempt_submitted
from tests.content_cms.factories import build_quiz
from tests.quizzes.attempt_helpers import (
    build_configured_quiz,
    correct_response,
    make_user_without_roles,
    question_of_type,
    republish,
    snapshot_question,
    wrong_response,
)

pytestmark = pytest.mark.django_db


def answer_all(attempt, user, *, correct=True):
    for question_id in attempt.question_ids:
        question = snapshot_question(attempt, question_id)
        respond = correct_response if correct else wrong_response
        attempt_answer(
            attempt=attempt,
            user=user,
            question_id=question_id,
            client_id=uuid.uuid4(),
            response=respond(question),
        )


# --- Starting -------------------------------------------------------------


def test_start_pins_the_latest_version_and_draws_every_question(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz, context_key="module:42")
    assert attempt.version == quiz.versions.get(number=1)
    assert attempt.status == "in_progress"
    assert attempt.context_key == "module:42"
    assert len(attempt.question_ids) == 5
    assert all(isinstance(question_id, str) for question_id in attempt.question_ids)
    public = attempt_questions_public(attempt=attempt)
    assert [q["id"] for q in public] == attempt.question_ids
    for question in public:
        assert "explanation" not in question
        for choice in question["choices"]:
            assert set(choice) == {"id", "text"}


def test_start_needs_the_take_quiz_permission(quiz):
    with pytest.raises(QuizPermissionDenied):
        attempt_start(user=make_user_without_roles(), quiz=quiz)


def test_an_unpublished_quiz_cannot_be_started(pupil):
    quiz = build_quiz(publish=False)
    with pytest.raises(QuizError) as error:
        attempt_start(user=pupil, quiz=quiz)
    assert error.value.code == "not_published"


def test_resume_returns_the_same_attempt_in_the_same_context(pupil, quiz):
    first, created = attempt_start_or_resume(user=pupil, quiz=quiz, context_key="m:1")
    again, created_again = attempt_start_or_resume(
        user=pupil, quiz=quiz, context_key="m:1"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert again.question_ids == first.question_ids
    other_context = attempt_start(user=pupil, quiz=quiz, context_key="m:2")
    assert other_context.pk != first.pk


def test_a_racing_second_insert_resumes_instead_of_failing(pupil, quiz):
    first = attempt_start(user=pupil, quiz=quiz)
    # The constraint refuses a second in-progress attempt for the same context.
    duplicate = Attempt(
        user=pupil,
        quiz=quiz,
        version=first.version,
        seed="x",
        question_ids=first.question_ids,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)
    assert Attempt.objects.filter(user=pupil, status="in_progress").count() == 1


def test_return_url_keeps_local_paths_only(pupil, quiz):
    local = attempt_start(user=pupil, quiz=quiz, context_key="a", return_url="/m/1/")
    assert local.return_url == "/m/1/"
    for bad in ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]:
        attempt = attempt_start(
            user=pupil, quiz=quiz, context_key=f"b{len(bad)}", return_url=bad
        )
        assert attempt.return_url == ""


def test_attempt_limit_counts_attempts_in_every_language(pupil):
    quiz = build_configured_quiz(attempts_allowed=2)
    for _ in range(2):
        attempt = attempt_start(user=pupil, quiz=quiz)
        attempt_submit(attempt=attempt, user=pupil)
    with pytest.raises(QuizError) as error:
        attempt_start(user=pupil, quiz=quiz)
    assert error.value.code == "attempt_limit_reached"
    assert "2" in str(error.value)


def test_unlimited_attempts_when_zero(pupil, quiz):
    for _ in range(4):
        attempt_submit(attempt=attempt_start(user=pupil, quiz=quiz), user=pupil)
    assert attempts_of_user(user=pupil, quiz=quiz).count() == 4


def test_retake_prefers_questions_not_seen_before(pupil):
    quiz = build_configured_quiz(pool_size=2)
    seen = set()
    for _ in range(2):
        attempt = attempt_start(user=pupil, quiz=quiz)
        assert not seen & set(attempt.question_ids)
        seen |= set(attempt.question_ids)
        attempt_submit(attempt=attempt, user=pupil)
    third = attempt_start(user=pupil, quiz=quiz)
    all_ids = {str(q["id"]) for q in third.version.snapshot["questions"]}
    assert (all_ids - seen) <= set(third.question_ids)


# --- Pinning --------------------------------------------------------------


def test_an_attempt_keeps_scoring_against_its_version(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    question = question_of_type(attempt, "single_choice")
    right = correct_response(question)

    # An editor swaps which choice is correct and publishes v2.
    live = Quiz.objects.get(pk=quiz.pk)
    edited = live.questions.get(pk=question["id"])
    for choice in edited.choices.all():
        choice.is_correct = not choice.is_correct
        choice.save()
    republish(live, pass_mark_percent=10)
    assert live.versions.count() == 2

    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=uuid.uuid4(),
        response=right,
    )
    attempt = attempt_submit(attempt=attempt, user=pupil)
    assert attempt.version.number == 1
    assert attempt.points == 1
    assert attempt.passed is False  # v1's pass mark (70), not v2's (10)
    score_before = (attempt.points, attempt.percent)

    republish(Quiz.objects.get(pk=quiz.pk), title="Lại sửa")
    attempt.refresh_from_db()
    assert (attempt.points, attempt.percent) == score_before
    # A new attempt pins the newest version.
    assert attempt_start(user=pupil, quiz=quiz).version.number == 3


# --- Answering ------------------------------------------------------------


def test_answer_is_idempotent_on_client_id(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    question = snapshot_question(attempt, attempt.question_ids[0])
    client_id = uuid.uuid4()
    first = attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=client_id,
        response=correct_response(question),
    )
    repeat = attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=str(client_id),
        response=wrong_response(question),  # a repeat never changes what is stored
    )
    assert first.created and not repeat.created
    assert repeat.answer.pk == first.answer.pk
    assert repeat.answer.is_correct
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_the_latest_answer_to_a_question_counts(pupil):
    # Check mode: answers are only saved, so a pupil may change their mind.
    quiz = build_configured_quiz(mode="check")
    attempt = attempt_start(user=pupil, quiz=quiz)
    question = snapshot_question(attempt, attempt.question_ids[0])
    for response in [wrong_response(question), correct_response(question)]:
        attempt_answer(
            attempt=attempt,
            user=pupil,
            question_id=question["id"],
            client_id=uuid.uuid4(),
            response=response,
        )
    rows = list(attempt.answers.order_by("sequence"))
    assert [row.sequence for row in rows] == [1, 2]
    assert attempt_latest_answers(attempt=attempt) == {
        str(question["id"]): correct_response(question)
    }
    attempt = attempt_submit(attempt=attempt, user=pupil)
    assert attempt.points == 1


def test_an_answer_to_a_question_not_drawn_is_refused(pupil):
    quiz = build_configured_quiz(pool_size=2)
    attempt = attempt_start(user=pupil, quiz=quiz)
    undrawn = next(
        q
        for q in attempt.version.snapshot["questions"]
        if str(q["id"]) not in attempt.question_ids
    )
    with pytest.raises(QuizError) as error:
        attempt_answer(
            attempt=attempt,
            user=pupil,
            question_id=undrawn["id"],
            client_id=uuid.uuid4(),
            response=correct_response(undrawn),
        )
    assert error.value.code == "question_unknown"


@pytest.mark.parametrize(
    "response",
    [None, [], "x", {"choice_ids": "1"}, {"choice_ids": [999999]}, {"order": []}],
)
def test_a_malformed_response_is_refused_with_a_message(pupil, quiz, response):
    attempt = attempt_start(user=pupil, quiz=quiz)
    with pytest.raises(QuizError) as error:
        attempt_answer(
            attempt=attempt,
            user=pupil,
            question_id=attempt.question_ids[0],
            client_id=uuid.uuid4(),
            response=response,
        )
    assert str(error.value)
    assert not Answer.objects.exists()


def test_a_client_id_cannot_be_reused_for_another_question(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    client_id = uuid.uuid4()
    first_id, second_id = attempt.question_ids[:2]
    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=first_id,
        client_id=client_id,
        response=correct_response(snapshot_question(attempt, first_id)),
    )
    with pytest.raises(QuizError) as error:
        attempt_answer(
            attempt=attempt,
            user=pupil,
            question_id=second_id,
            client_id=client_id,
            response=correct_response(snapshot_question(attempt, second_id)),
        )
    assert error.value.code == "client_id_reused"


def test_answers_after_submit_are_refused_except_repeats(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    question = snapshot_question(attempt, attempt.question_ids[0])
    client_id = uuid.uuid4()
    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=client_id,
        response=correct_response(question),
    )
    attempt_submit(attempt=attempt, user=pupil)
    repeat = attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=client_id,
        response=correct_response(question),
    )
    assert not repeat.created
    with pytest.raises(QuizError) as error:
        attempt_answer(
            attempt=attempt,
            user=pupil,
            question_id=question["id"],
            client_id=uuid.uuid4(),
            response=wrong_response(question),
        )
    assert error.value.code == "attempt_submitted"
    assert str(error.value)  # translated: "This attempt is already submitted."


def test_another_users_attempt_is_not_found(pupil, other_pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    with pytest.raises(QuizNotFound):
        attempt_for_user(user=other_pupil, attempt_id=attempt.pk)
    with pytest.raises(QuizNotFound):
        attempt_for_user(user=pupil, attempt_id="not-a-uuid")
    with pytest.raises(QuizNotFound):
        attempt_answer(
            attempt=attempt,
            user=other_pupil,
            question_id=attempt.question_ids[0],
            client_id=uuid.uuid4(),
            response={"choice_ids": [1]},
        )
    with pytest.raises(QuizNotFound):
        attempt_submit(attempt=attempt, user=other_pupil)
    with pytest.raises(QuizNotFound):
        attempt_review(attempt=attempt, user=other_pupil)


def test_practice_mode_gives_feedback_and_check_mode_only_saves(pupil):
    practice = build_configured_quiz(mode="practice")
    attempt = attempt_start(user=pupil, quiz=practice)
    question = question_of_type(attempt, "single_choice")
    result = attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=uuid.uuid4(),
        response=wrong_response(question),
    )
    assert result.feedback["is_correct"] is False
    assert result.feedback["explanation"] == question["explanation"]
    assert result.feedback["feedback"][0]["text"] == "Vì sao."
    assert "correct_choice_ids" not in result.feedback
    # Having seen the feedback, the pupil cannot swap in the right answer; a
    # repeat of the same answer (a device resending it) is still "saved".
    with pytest.raises(QuizError) as refused:
        attempt_answer(
            attempt=attempt,
            user=pupil,
            question_id=question["id"],
            client_id=uuid.uuid4(),
            response=correct_response(question),
        )
    assert refused.value.code == "answer_checked"
    repeat = attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=result.answer.client_id,
        response=wrong_response(question),
    )
    assert repeat.created is False and repeat.feedback["is_correct"] is False
    assert attempt_submit(attempt=attempt, user=pupil).percent < 100

    check = build_configured_quiz(mode="check")
    attempt = attempt_start(user=pupil, quiz=check)
    question = question_of_type(attempt, "single_choice")
    result = attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=uuid.uuid4(),
        response=correct_response(question),
    )
    assert result.feedback is None


# --- Submitting -----------------------------------------------------------


def test_submit_scores_on_the_server_and_is_idempotent(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    answer_all(attempt, pupil)
    submitted = attempt_submit(attempt=attempt, user=pupil)
    assert submitted.status == "submitted"
    assert (submitted.points, submitted.max_points) == (5, 5)
    assert submitted.percent == Decimal("100.0")
    assert submitted.passed is True
    assert 0 <= submitted.time_spent_seconds <= MAX_TIME_SPENT_SECONDS
    again = attempt_submit(attempt=attempt, user=pupil)
    assert (again.submitted_at, again.points) == (
        submitted.submitted_at,
        submitted.points,
    )


def test_unanswered_questions_earn_nothing(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    submitted = attempt_submit(attempt=attempt, user=pupil)
    assert (submitted.points, submitted.percent, submitted.passed) == (
        0,
        Decimal("0.0"),
        False,
    )


def test_time_spent_is_capped(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - datetime.timedelta(days=2)
    )
    submitted = attempt_submit(attempt=attempt, user=pupil)
    assert submitted.time_spent_seconds == MAX_TIME_SPENT_SECONDS


def test_attempt_submitted_is_sent_once_inside_the_transaction(pupil, quiz):
    received = []

    def receiver(sender, attempt, **kwargs):
        received.append(
            (attempt.pk, attempt.status, transaction.get_connection().in_atomic_block)
        )

    attempt_submitted.connect(receiver)
    try:
        attempt = attempt_start(user=pupil, quiz=quiz)
        attempt_submit(attempt=attempt, user=pupil)
        attempt_submit(attempt=attempt, user=pupil)
    finally:
        attempt_submitted.disconnect(receiver)
    assert received == [(attempt.pk, "submitted", True)]


def test_a_failing_receiver_rolls_the_submit_back(pupil, quiz):
    def receiver(sender, attempt, **kwargs):
        raise RuntimeError("rollup failed")

    attempt = attempt_start(user=pupil, quiz=quiz)
    attempt_submitted.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            attempt_submit(attempt=attempt, user=pupil)
    finally:
        attempt_submitted.disconnect(receiver)
    attempt.refresh_from_db()
    assert attempt.status == "in_progress"


def test_review_reveals_answers_only_after_submit(pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    with pytest.raises(QuizError) as error:
        attempt_review(attempt=attempt, user=pupil)
    assert error.value.code == "attempt_not_submitted"
    ordering = question_of_type(attempt, "ordering")
    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=ordering["id"],
        client_id=uuid.uuid4(),
        response=wrong_response(ordering),
    )
    attempt = attempt_submit(attempt=attempt, user=pupil)
    review = attempt_review(attempt=attempt, user=pupil)
    assert [q["id"] for q in review["questions"]] == attempt.question_ids
    by_id = {q["id"]: q for q in review["questions"]}
    reviewed = by_id[str(ordering["id"])]
    assert reviewed["answered"] and reviewed["credit"] == 0
    assert reviewed["correct_order"] == correct_response(ordering)["order"]
    unanswered = next(q for q in review["questions"] if not q["answered"])
    assert unanswered["correct_choice_ids"]
    assert unanswered["explanation"] is not None


def test_best_attempt_is_the_highest_percent(pupil, quiz):
    low = attempt_submit(attempt=attempt_start(user=pupil, quiz=quiz), user=pupil)
    high = attempt_start(user=pupil, quiz=quiz)
    answer_all(high, pupil)
    high = attempt_submit(attempt=high, user=pupil)
    attempt_submit(attempt=attempt_start(user=pupil, quiz=quiz), user=pupil)
    assert user_best_attempt(user=pupil, quiz=quiz).pk == high.pk
    assert low.pk != high.pk


# --- Live classroom games and the attempt limit ----------


def _play_live(pupil, quiz):
    from quizzes.live.seats import live_player_join
    from tests.quizzes.live.helpers import make_session, play_to_the_end, right_choice

    session = make_session(quiz=quiz)
    seat = live_player_join(session=session, user=pupil).player
    play_to_the_end(session, [(seat, right_choice(session, 0))])
    return Attempt.objects.get(user=pupil, context_key=f"live:{session.pk}")


def test_a_live_game_does_not_use_up_the_pupils_own_try(pupil):
    quiz = build_configured_quiz(attempts_allowed=1, pool_size=2)
    live = _play_live(pupil, quiz)
    assert live.is_submitted

    own = attempt_start(user=pupil, quiz=quiz, context_key="module:1")
    # The class game's questions count as seen: the retake draws the others.
    assert not set(own.question_ids) & set(live.question_ids)
    attempt_submit(attempt=own, user=pupil)
    with pytest.raises(QuizError) as error:
        attempt_start(user=pupil, quiz=quiz, context_key="module:1")
    assert error.value.code == "attempt_limit_reached"
    # Another class game still works and adds to the record, not to the tries.
    _play_live(pupil, quiz)
    assert attempts_of_user(user=pupil, quiz=quiz).count() == 3


# --- The answer path (the API's): the attempt locked, its version kept -------


def test_the_answer_path_scores_against_the_version_the_attempt_pinned(pupil, quiz):
    from quizzes.services import attempt_answer_by_id

    attempt = attempt_start(quiz=quiz, user=pupil)
    question_id = attempt.question_ids[0]
    pinned = snapshot_question(attempt, question_id)
    # The quiz is published again while the pupil answers: a new version.
    republish(quiz, title="Bài kiểm tra, bản mới")
    assert quiz.versions.count() == 2
    later, created = attempt_start_or_resume(quiz=quiz, user=pupil)
    assert later.pk == attempt.pk and not created  # the pupil resumes it
    result = attempt_answer_by_id(
        attempt_id=str(attempt.pk),
        user=pupil,
        question_id=question_id,
        client_id=uuid.uuid4(),
        response=correct_response(pinned),
    )
    assert result.created and result.answer.is_correct
    assert result.answer.sequence == 1
    next_id = attempt.question_ids[1]
    again = attempt_answer_by_id(
        attempt_id=attempt.pk,
        user=pupil,
        question_id=next_id,
        client_id=uuid.uuid4(),
        response=wrong_response(snapshot_question(attempt, next_id)),
    )
    assert again.answer.sequence == 2 and not again.answer.is_correct


def test_the_answer_path_finds_only_the_users_own_attempt(pupil, other_pupil, quiz):
    from quizzes.services import attempt_answer_by_id

    attempt = attempt_start(quiz=quiz, user=pupil)
    question_id = attempt.question_ids[0]
    for user, attempt_id in [
        (other_pupil, attempt.pk),  # someone else's attempt
        (pupil, "not-an-id"),
        (pupil, uuid.uuid4()),
    ]:
        with pytest.raises(QuizNotFound):
            attempt_answer_by_id(
                attempt_id=attempt_id,
                user=user,
                question_id=question_id,
                client_id=uuid.uuid4(),
                response={"choice_ids": []},
            )
    assert not Answer.objects.exists()


def test_a_kept_version_is_never_mistaken_for_another_definition(pupil, quiz):
    from quizzes.selectors import version_pinned

    version = attempt_start(quiz=quiz, user=pupil).version
    kept = version_pinned(version_id=version.pk, digest=version.digest)
    assert version_pinned(version_id=version.pk, digest=version.digest) is kept
    assert kept.snapshot == version.snapshot
    # The same id with another digest (a rolled-back test's id used again, a
    # restored database) is read again, never served from the process.
    other = version_pinned(version_id=version.pk, digest="0" * 64)
    assert other is not kept


# --- Attempts set aside for a newer version ----------------------------------


def test_unanswered_replaced_attempts_go_after_their_period_answered_ones_stay(
    pupil, other_pupil, quiz
):
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from quizzes.models import AttemptStatus
    from quizzes.services import REPLACED_ATTEMPT_KEPT_DAYS

    long_ago = timezone.now() - datetime.timedelta(days=REPLACED_ATTEMPT_KEPT_DAYS + 1)
    stale = attempt_start(quiz=quiz, user=pupil)
    answered = attempt_start(quiz=quiz, user=other_pupil)
    answer_all(answered, other_pupil)
    Attempt.objects.filter(pk__in=[stale.pk, answered.pk]).update(
        status=AttemptStatus.REPLACED, started_at=long_ago
    )
    recent = attempt_start(quiz=quiz, user=pupil, context_key="bai-khac")
    Attempt.objects.filter(pk=recent.pk).update(status=AttemptStatus.REPLACED)
    in_progress = attempt_start(quiz=quiz, user=pupil)
    Attempt.objects.filter(pk=in_progress.pk).update(started_at=long_ago)

    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "replaced by a newer version that would be deleted: 1" in out.getvalue()
    assert Attempt.objects.filter(pk=stale.pk).exists()

    call_command("apply_retention", stdout=io.StringIO())
    assert not Attempt.objects.filter(pk=stale.pk).exists()
    # Answers are a learning record; a recent one may still get answers from a
    # phone that kept it; an attempt in progress is the pupil's.
    assert set(Attempt.objects.values_list("pk", flat=True)) == {
        answered.pk,
        recent.pk,
        in_progress.pk,
    }
    assert Answer.objects.filter(attempt=answered).count() == len(answered.question_ids)
