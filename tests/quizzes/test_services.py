"""Publishing freezes a quiz into versions that editing never changes."""

import copy

import pytest

from quizzes.errors import QuizError
from quizzes.models import Quiz, QuizVersion
from quizzes.selectors import quiz_definition_public, quiz_latest_version
from quizzes.services import quiz_version_publish
from tests.content_cms.factories import build_quiz

pytestmark = pytest.mark.django_db


def test_publishing_creates_version_one_with_the_whole_definition():
    quiz = build_quiz()
    version = quiz_latest_version(quiz=quiz)
    assert version.number == 1
    snapshot = version.snapshot
    assert snapshot["settings"]["pass_mark_percent"] == 70
    assert [q["type"] for q in snapshot["questions"]] == [
        "single_choice",
        "true_false",
        "multiple_select",
        "ordering",
        "scenario_choice",
    ]
    first = snapshot["questions"][0]
    assert first["correct"] == [first["choices"][0]["id"]]
    assert first["choices"][0]["feedback"]


def test_editing_and_republishing_makes_v2_and_leaves_v1_untouched():
    quiz = build_quiz()
    v1 = quiz_latest_version(quiz=quiz)
    v1_snapshot = copy.deepcopy(v1.snapshot)

    quiz = Quiz.objects.get(pk=quiz.pk)
    question = quiz.questions.order_by("sort_order", "pk").first()
    question.prompt = "Câu hỏi đã sửa"
    question.save()
    quiz.title = "Đố vui mới"
    quiz.save_revision().publish()

    v2 = quiz_latest_version(quiz=quiz)
    assert v2.number == 2
    assert v2.snapshot["quiz"]["title"] == "Đố vui mới"
    v1.refresh_from_db()
    assert v1.snapshot == v1_snapshot
    assert v1.snapshot["questions"][0]["prompt"] == "Điều nào cần giữ kín?"
    # Question ids are stable across versions.
    assert [q["id"] for q in v1.snapshot["questions"]] == [
        q["id"] for q in v2.snapshot["questions"]
    ]


def test_publishing_an_unchanged_quiz_creates_no_new_version():
    quiz = build_quiz()
    quiz.save_revision().publish()
    assert quiz_version_publish(quiz=quiz).number == 1
    assert QuizVersion.objects.filter(quiz=quiz).count() == 1


def test_a_version_cannot_be_changed():
    version = quiz_latest_version(quiz=build_quiz())
    version.snapshot = {}
    with pytest.raises(QuizError):
        version.save()


def test_publishing_an_invalid_quiz_is_refused_and_rolled_back():
    quiz = build_quiz(publish=False)
    broken = quiz.questions.order_by("sort_order", "pk").first()
    broken.choices.update(is_correct=True)  # two correct answers in single choice
    with pytest.raises(QuizError) as error:
        quiz.save_revision().publish()
    assert error.value.details[0]["question"] == 0
    assert error.value.details[0]["field"] == "choices"
    assert not QuizVersion.objects.filter(quiz=quiz).exists()
    assert not Quiz.objects.get(pk=quiz.pk).live


def test_public_definition_hides_answers_and_feedback():
    version = quiz_latest_version(quiz=build_quiz())
    public = quiz_definition_public(version=version)
    assert public["question_count"] == 5
    for question in public["questions"]:
        assert "correct" not in question and "explanation" not in question
        for choice in question["choices"]:
            assert set(choice) == {"id", "text"}
