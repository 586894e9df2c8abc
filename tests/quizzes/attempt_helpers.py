"""Builders shared by the attempt tests: pupils, configured quizzes, responses."""

from lms.models import Role
from quizzes.models import Quiz
from quizzes.selectors import quiz_latest_version
from tests.content_cms.factories import build_quiz
from tests.factories import SchoolFactory, UserFactory, make_staff


def make_pupil_user(**kwargs):
    """Create a pupil (with ``quizzes.take_quiz`` through the pupil role)."""
    return make_staff(Role.PUPIL, school=SchoolFactory(), **kwargs)


def make_user_without_roles(**kwargs):
    return UserFactory(**kwargs)


def build_configured_quiz(**settings) -> Quiz:
    """Build the five-question quiz and publish it with ``settings`` applied."""
    quiz = build_quiz(publish=False)
    for name, value in settings.items():
        setattr(quiz, name, value)
    quiz.save()
    quiz.save_revision().publish()
    quiz.refresh_from_db()
    return quiz


def republish(quiz: Quiz, **changes) -> Quiz:
    """Change the live quiz and publish it again (a new version)."""
    quiz = Quiz.objects.get(pk=quiz.pk)
    for name, value in changes.items():
        setattr(quiz, name, value)
    quiz.save()
    quiz.save_revision().publish()
    quiz.refresh_from_db()
    return quiz


def snapshot_question(attempt, question_id) -> dict:
    for question in attempt.version.snapshot["questions"]:
        if str(question["id"]) == str(question_id):
            return question
    raise KeyError(question_id)


def correct_response(question: dict) -> dict:
    if question["type"] == "ordering":
        ordered = sorted(question["choices"], key=lambda c: c["correct_position"])
        return {"order": [c["id"] for c in ordered]}
    return {"choice_ids": [c["id"] for c in question["choices"] if c["is_correct"]]}


def wrong_response(question: dict) -> dict:
    if question["type"] == "ordering":
        ordered = sorted(question["choices"], key=lambda c: c["correct_position"])
        return {"order": [c["id"] for c in reversed(ordered)]}
    wrong = [c["id"] for c in question["choices"] if not c["is_correct"]]
    return {"choice_ids": wrong[:1]}


def question_of_type(attempt, kind: str) -> dict:
    for question_id in attempt.question_ids:
        question = snapshot_question(attempt, question_id)
        if question["type"] == kind:
            return question
    raise LookupError(kind)


def quiz_version(quiz):
    return quiz_latest_version(quiz=quiz)
