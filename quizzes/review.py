"""What a learner sees of a submitted attempt: each question, their answer, the key.

``attempt_review`` answers the result page and the API once an attempt is
submitted (owner only); answers are never shown before.
"""

from django.utils.translation import gettext as _

from quizzes import validation
from quizzes.errors import QuizError, QuizNotFound
from quizzes.models import Attempt
from quizzes.scoring import score_answer
from quizzes.selectors import (
    attempt_latest_answers,
)
from quizzes.services import (
    drawn_questions,
)


def attempt_review(*, attempt: Attempt, user) -> dict:
    """Return the submitted attempt question by question, answers revealed.

    Per question, in the order drawn: the question (choices as shown), the
    pupil's latest response, its credit and correctness, the correct choices
    (and order), the feedback of the chosen choices and the explanation. Before
    submit this raises ``QuizError``: answers stay hidden while they count.
    """
    if attempt.user_id != user.pk:
        raise QuizNotFound(_("This quiz attempt was not found."))
    if not attempt.is_submitted:
        raise QuizError(
            _("You can see the answers after you finish the quiz."),
            code="attempt_not_submitted",
        )
    responses = attempt_latest_answers(attempt=attempt)
    questions = []
    for question in drawn_questions(attempt):
        question_id = str(question["id"])
        order = attempt.choice_orders.get(question_id) or []
        choices_by_id = {str(c["id"]): c for c in question["choices"]}
        shown = [choices_by_id[str(c)] for c in order if str(c) in choices_by_id]
        response = responses.get(question_id)
        score = (
            score_answer(question=question, response=response)
            if response is not None
            else None
        )
        reference = score or score_answer(
            question=question, response=_reference_response(question)
        )
        questions.append(
            {
                "id": question_id,
                "type": question["type"],
                "scenario": question.get("scenario", ""),
                "prompt": question["prompt"],
                "explanation": question.get("explanation", ""),
                "choices": [
                    {
                        "id": c["id"],
                        "text": c["text"],
                        "is_correct": bool(c.get("is_correct")),
                        "feedback": c.get("feedback", ""),
                    }
                    for c in shown
                ],
                "response": response,
                "chosen_ids": [
                    c["id"]
                    for c in shown
                    if str(c["id"])
                    in {str(i) for i in (response or {}).get("choice_ids", [])}
                ],
                "answered": response is not None,
                "credit": score.credit if score else 0.0,
                "is_correct": score.is_correct if score else False,
                "feedback": list(score.as_dict()["feedback"]) if score else [],
                "correct_choice_ids": list(reference.correct_choice_ids),
                "correct_order": list(reference.correct_order),
            }
        )
    return {
        "attempt_id": str(attempt.pk),
        "quiz_id": attempt.quiz_id,
        "title": attempt.version.snapshot["quiz"]["title"],
        "points": attempt.points,
        "max_points": attempt.max_points,
        "percent": float(attempt.percent) if attempt.percent is not None else None,
        "passed": attempt.passed,
        "pass_mark_percent": attempt.pass_mark_percent,
        "questions": questions,
    }


def _reference_response(question: dict) -> dict:
    """Return the correct response to ``question`` (to name the right answer)."""
    if question["type"] == validation.ORDERING:
        ordered = sorted(question["choices"], key=lambda c: c["correct_position"])
        return {"order": [c["id"] for c in ordered]}
    return {"choice_ids": [c["id"] for c in question["choices"] if c["is_correct"]]}
