"""Item analysis of a class's answers in a module, on a small known dataset."""

import pytest

from lms.learning.services import module_context_key
from quizzes.item_statistics import attempts_in_context, item_statistics
from quizzes.services import attempt_answer, attempt_start, attempt_submit
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)
from tests.lms.report_helpers import build_province, give, school_with_classes
from tests.quizzes.attempt_helpers import snapshot_question, wrong_response

pytestmark = pytest.mark.django_db


def take_missing_first(user, module):
    """Answer every question right except the first single-choice one."""
    import uuid

    from tests.quizzes.attempt_helpers import correct_response

    attempt = attempt_start(
        user=user, quiz=module.quiz, context_key=module_context_key(module)
    )
    for question_id in attempt.question_ids:
        question = snapshot_question(attempt, question_id)
        wrong = question["type"] == "single_choice" and question["prompt"].startswith(
            "Điều nào cần giữ kín"
        )
        attempt_answer(
            attempt=attempt,
            user=user,
            question_id=question_id,
            client_id=uuid.uuid4(),
            response=(wrong_response if wrong else correct_response)(question),
        )
    return attempt_submit(attempt=attempt, user=user)


@pytest.fixture
def setting():
    allow_learning_records()
    org = build_province()
    module = learning_module()
    school, [(school_class, teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=4
    )
    give(module, school_class, teacher)
    take_quiz(pupils[0], module)
    take_quiz(pupils[1], module)
    take_missing_first(pupils[2], module)
    take_missing_first(pupils[3], module)
    # Someone outside the class, in the same module: never counted.
    outsider_school, [(_c, _t, outsiders)] = school_with_classes(
        org.commune_b, org.year, pupils=1
    )
    take_missing_first(outsiders[0], module)
    return module, school_class, teacher, pupils


def test_item_statistics_finds_the_most_missed_question(setting):
    module, school_class, _teacher, pupils = setting
    stats = item_statistics(
        attempts_queryset=attempts_in_context(
            context_key=module_context_key(module),
            user_ids=[pupil.pk for pupil in pupils],
        )
    )
    assert stats.learners == 4
    first = stats.items[0]
    assert first.prompt.startswith("Điều nào cần giữ kín")
    assert (first.answered, first.correct, first.correct_share) == (4, 2, 50.0)
    assert first.top_wrong.text == "Màu em thích"
    assert first.top_wrong.share == 50.0
    assert all(item.correct_share == 100.0 for item in stats.items[1:])


def test_a_retake_replaces_the_pupils_earlier_attempt(setting):
    module, _class, _teacher, pupils = setting
    module.quiz.attempts_allowed = 0
    take_quiz(pupils[2], module)  # now right everywhere
    stats = item_statistics(
        attempts_queryset=attempts_in_context(
            context_key=module_context_key(module),
            user_ids=[pupil.pk for pupil in pupils],
        )
    )
    assert stats.items[0].correct == 3


def test_item_analysis_page_is_for_the_class_teacher_only(client, setting):
    module, school_class, teacher, _pupils = setting
    client.force_login(teacher)
    page = client.get(f"/lop/{school_class.pk}/phan-tich/{module.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Màu em thích" in body and "(2/4)" in body
    other_module = learning_module(title="Bài khác", slug="bai-khac")
    assert (
        client.get(f"/lop/{school_class.pk}/phan-tich/{other_module.pk}/").status_code
        == 404
    )
    from tests.factories import SchoolClassFactory, make_teacher

    stranger = make_teacher(SchoolClassFactory())
    client.force_login(stranger)
    assert (
        client.get(f"/lop/{school_class.pk}/phan-tich/{module.pk}/").status_code == 404
    )
