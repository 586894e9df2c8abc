"""Reads of the quiz engine.

Attempt selectors scope every read to the user's own attempts: someone else's
attempt is reported as missing (``QuizNotFound``, a 404).
"""

import uuid

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from common.process_cache import ProcessCache
from quizzes.drawing import public_question
from quizzes.errors import QuizNotFound
from quizzes.live.models import LIVE_CONTEXT_PREFIX
from quizzes.models import Answer, Attempt, AttemptStatus, Quiz, QuizVersion
from quizzes.scoring import score_answer

# What a learner's device may know before answering: no correctness, no positions,
# no feedback, no explanation.
_HIDDEN_CHOICE_KEYS = {"is_correct", "correct_position", "feedback"}
_HIDDEN_QUESTION_KEYS = {"correct", "explanation"}


def quiz_latest_version(*, quiz: Quiz) -> QuizVersion | None:
    """Return the newest published version of ``quiz``, or None if never published."""
    return quiz.versions.order_by("-number").first()


def quiz_definition_public(*, version: QuizVersion) -> dict:
    """Return a version's questions without answers or feedback, for clients.

    Question and choice ids are those of the snapshot, so answers sent back can be
    checked against the same version.
    """
    snapshot = version.snapshot
    settings = snapshot["settings"]
    questions = []
    for question in snapshot["questions"]:
        public = {
            k: v
            for k, v in question.items()
            if k not in _HIDDEN_QUESTION_KEYS and k != "choices"
        }
        public["choices"] = [
            {k: v for k, v in choice.items() if k not in _HIDDEN_CHOICE_KEYS}
            for choice in question["choices"]
        ]
        questions.append(public)
    return {
        "version_id": version.pk,
        "version": version.number,
        "quiz_id": version.quiz_id,
        "title": snapshot["quiz"]["title"],
        "description": snapshot["quiz"]["description"],
        "locale": snapshot["quiz"]["locale"],
        "mode": settings["mode"],
        "pass_mark_percent": settings["pass_mark_percent"],
        "attempts_allowed": settings["attempts_allowed"],
        "question_count": settings["pool_size"] or len(questions),
        "questions": questions,
    }


def attempts_of_user(*, user, quiz: Quiz | None = None) -> QuerySet[Attempt]:
    """Return the user's own attempts, newest first; of ``quiz`` in any language.

    Passing ``quiz`` selects the attempts of that quiz and of its translations
    (same ``translation_key``), live games' attempts included (the attempt limit
    leaves those out: ``attempts_using_tries``).
    """
    attempts = Attempt.objects.filter(user_id=user.pk).select_related("quiz")
    if quiz is not None:
        attempts = attempts.filter(quiz__translation_key=quiz.translation_key)
    return attempts.order_by("-started_at")


def attempts_using_tries(*, user, quiz: Quiz) -> QuerySet[Attempt]:
    """Return the user's attempts that use up one of the tries of ``quiz``.

    The attempt limit counts attempts of the quiz in any language (same
    ``translation_key``), in progress or submitted, in any context but one: the
    attempts a live classroom game records (context ``live:<session id>``). The
    class played together; the pupil's own tries are left untouched. An attempt
    set aside for a newer version before it was answered (``REPLACED``) is no try.
    """
    return (
        Attempt.objects.filter(
            user_id=user.pk, quiz__translation_key=quiz.translation_key
        )
        .exclude(context_key__startswith=LIVE_CONTEXT_PREFIX)
        .exclude(status=AttemptStatus.REPLACED)
    )


def quiz_tries_used(*, user, quiz: Quiz) -> int:
    """Return how many tries of ``quiz`` the user has finished (for "try again").

    An attempt in progress is resumed rather than refused, so only submitted
    attempts are counted here.
    """
    return (
        attempts_using_tries(user=user, quiz=quiz)
        .filter(status=AttemptStatus.SUBMITTED)
        .count()
    )


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _readable_response(question: dict | None, response) -> dict:
    """Return a stored response as the texts the pupil chose (or put in order).

    Texts come from the attempt's pinned snapshot, so they are what the pupil
    saw, whatever editors changed since. An id the snapshot lacks (never, for
    a published version) is shown as the id itself.
    """
    texts = {
        str(choice["id"]): choice["text"]
        for choice in (question or {}).get("choices", [])
    }
    response = response if isinstance(response, dict) else {}
    if "order" in response:
        return {"order": [texts.get(str(i), str(i)) for i in response["order"]]}
    return {
        "chosen": [texts.get(str(i), str(i)) for i in response.get("choice_ids", [])]
    }


def attempts_for_export(*, user) -> list[dict]:
    """Return every attempt of ``user``, oldest first, each with every answer.

    For a person's data export (the school layer registers it in
    ``lms.safeguarding.data_rights``): only the user's own attempts, in progress or
    submitted, live games' included (``live_game``; context ``live:<id>``).
    Each answer row is listed, changed answers too (``changed_later``: a later
    answer to the same question replaced it), with the question's prompt and the
    chosen texts from the attempt's pinned version. Three queries whatever the
    number of attempts and answers (attempts, their versions, their answers).
    """
    attempts = (
        Attempt.objects.filter(user_id=user.pk)
        .prefetch_related(
            "version",
            Prefetch("answers", queryset=Answer.objects.order_by("sequence")),
        )
        .order_by("started_at", "pk")
    )
    exported = []
    for attempt in attempts:
        snapshot = attempt.version.snapshot
        questions = {str(q["id"]): q for q in snapshot["questions"]}
        answers = list(attempt.answers.all())
        last_sequence = {answer.question_id: answer.sequence for answer in answers}
        exported.append(
            {
                "quiz": snapshot["quiz"]["title"],
                "version": attempt.version.number,
                "context": attempt.context_key,
                "live_game": attempt.context_key.startswith(LIVE_CONTEXT_PREFIX),
                "status": attempt.status,
                "started_at": _iso(attempt.started_at),
                "submitted_at": _iso(attempt.submitted_at),
                "score_percent": float(attempt.percent)
                if attempt.percent is not None
                else None,
                "points": attempt.points,
                "max_points": attempt.max_points,
                "passed": attempt.passed,
                "time_spent_seconds": attempt.time_spent_seconds,
                "answers": [
                    {
                        "question": questions.get(answer.question_id, {}).get(
                            "prompt", ""
                        ),
                        **_readable_response(
                            questions.get(answer.question_id), answer.response
                        ),
                        "correct": answer.is_correct,
                        "points": answer.credit,
                        "answered_at": _iso(answer.answered_at),
                        "changed_later": answer.sequence
                        != last_sequence[answer.question_id],
                    }
                    for answer in answers
                ],
            }
        )
    return exported


def attempt_id_parsed(attempt_id) -> uuid.UUID | None:
    """Return ``attempt_id`` as a UUID, or None if it is not one."""
    try:
        return (
            attempt_id
            if isinstance(attempt_id, uuid.UUID)
            else uuid.UUID(str(attempt_id))
        )
    except (TypeError, ValueError, AttributeError):
        return None


# Quiz versions read by this process's answers, the most recently used.
PINNED_VERSIONS_KEPT = 256
_pinned_versions = ProcessCache(PINNED_VERSIONS_KEPT)


def version_pinned(*, version_id: int, digest: str) -> QuizVersion:
    """Return the quiz version ``version_id``, read once per process.

    A published version never changes (``digest`` is the hash of its
    definition), and every answer needs its definition to be scored: the
    process keeps the versions its attempts use, so an answer reads only its
    attempt's row. Keyed by the digest as well, so a version id used again (a
    test's rolled-back rows) never returns another definition. Callers only
    read the version: the process's threads share it.
    """
    return _pinned_versions.get_or_build(
        (version_id, digest), lambda: QuizVersion.objects.get(pk=version_id)
    )


def attempts_of_user_by_id(*, user, attempt_id):
    """Return a queryset of the user's attempt ``attempt_id`` (empty if none).

    An id that is not a UUID, or an anonymous user, gives an empty queryset, so
    callers that lock the row (``quizzes.services.attempt_answer_by_id``) and
    callers that only read it answer the same 404.
    """
    attempt_uuid = attempt_id_parsed(attempt_id)
    if attempt_uuid is None or not user.is_authenticated:
        return Attempt.objects.none()
    return Attempt.objects.select_related("version", "quiz").filter(
        pk=attempt_uuid, user_id=user.pk
    )


def attempt_for_user(*, user, attempt_id) -> Attempt:
    """Return the user's attempt ``attempt_id``, or raise ``QuizNotFound``.

    Raises (never returns None) for an id that is not a UUID, does not exist or
    belongs to someone else, all alike, so pages and the API answer 404 without
    telling whether another pupil's attempt exists.
    """
    attempt = attempts_of_user_by_id(user=user, attempt_id=attempt_id).first()
    if attempt is None:
        raise QuizNotFound(_("This quiz attempt was not found."))
    return attempt


def user_best_attempt(*, user, quiz: Quiz) -> Attempt | None:
    """Return the user's best submitted attempt of ``quiz`` (any language).

    Best is the highest percent; between equals, the earliest to be submitted.
    None when the user has not submitted one.
    """
    return (
        attempts_of_user(user=user, quiz=quiz)
        .filter(status=AttemptStatus.SUBMITTED)
        .order_by("-percent", "submitted_at")
        .first()
    )


def attempt_latest_answers(*, attempt: Attempt) -> dict[str, dict]:
    """Return question id -> latest response: what a resumed device restores."""
    latest: dict[str, dict] = {}
    for question_id, response in attempt.answers.order_by("sequence").values_list(
        "question_id", "response"
    ):
        latest[question_id] = response
    return latest


def attempt_questions_public(*, attempt: Attempt) -> list[dict]:
    """Return the attempt's questions as the pupil sees them, without answers.

    In the order drawn, each with its choices in the order shown, through
    ``drawing.public_question`` (no correctness, positions, feedback or
    explanation).
    """
    by_id = {str(q["id"]): q for q in attempt.version.snapshot["questions"]}
    questions = []
    for question_id in attempt.question_ids:
        question = dict(by_id[question_id])
        choices_by_id = {str(c["id"]): c for c in question["choices"]}
        order = attempt.choice_orders.get(question_id) or []
        question["choices"] = [
            choices_by_id[str(c)] for c in order if str(c) in choices_by_id
        ] or question["choices"]
        public = public_question(question)
        public["id"] = question_id  # ids travel as strings, like answers' keys
        questions.append(public)
    return questions


def attempt_state(*, attempt: Attempt) -> dict:
    """Return everything a device needs to show (or restore) an attempt."""
    snapshot = attempt.version.snapshot
    settings = snapshot["settings"]
    return {
        "id": str(attempt.pk),
        "quiz_id": attempt.quiz_id,
        "version": attempt.version.number,
        "title": snapshot["quiz"]["title"],
        "description": snapshot["quiz"].get("description", ""),
        "locale": snapshot["quiz"].get("locale"),
        "context_key": attempt.context_key,
        "status": attempt.status,
        "mode": settings["mode"],
        "pass_mark_percent": settings["pass_mark_percent"],
        "return_url": attempt.return_url,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "questions": attempt_questions_public(attempt=attempt),
        "answers": attempt_latest_answers(attempt=attempt),
        "feedback": attempt_practice_feedback(attempt=attempt),
        "result": attempt_result(attempt=attempt),
    }


def attempt_practice_feedback(*, attempt: Attempt) -> dict[str, dict]:
    """Return question id -> feedback on the latest answer, in practice mode only.

    A device that reloads a practice quiz shows again what it was told; in check
    mode nothing is revealed before submit, so this is empty.
    """
    if attempt.mode != "practice":
        return {}
    by_id = {str(q["id"]): q for q in attempt.version.snapshot["questions"]}
    feedback = {}
    for question_id, response in attempt_latest_answers(attempt=attempt).items():
        question = by_id[question_id]
        score = score_answer(question=question, response=response)
        feedback[question_id] = practice_feedback(question=question, score=score)
    return feedback


def practice_feedback(*, question: dict, score) -> dict:
    """Return what practice mode tells a pupil after one answer.

    Whether it was right, the credit, the chosen choices' feedback and the
    explanation, but not which choice is correct: the pupil may try again.
    """
    return {
        "is_correct": score.is_correct,
        "credit": score.credit,
        "feedback": [dict(item) for item in score.feedback],
        "explanation": question.get("explanation", ""),
    }


def attempt_result(*, attempt: Attempt) -> dict | None:
    """Return the score of a submitted attempt (None while in progress)."""
    if not attempt.is_submitted:
        return None
    return {
        "points": attempt.points,
        "max_points": attempt.max_points,
        "percent": float(attempt.percent) if attempt.percent is not None else None,
        "passed": attempt.passed,
        "pass_mark_percent": attempt.pass_mark_percent,
        "time_spent_seconds": attempt.time_spent_seconds,
    }
