"""Adults taking a quiz are spoken to as adults; pupils as pupils ("em")."""

import uuid

import pytest
from django.utils import translation

from quizzes.services import attempt_answer, attempt_start, attempt_submit
from tests.content_cms.factories import build_quiz
from tests.factories import SchoolClassFactory, make_pupil, make_teacher
from tests.quizzes.attempt_helpers import correct_response, snapshot_question

pytestmark = pytest.mark.django_db


def _result_page(client, user) -> str:
    quiz = build_quiz()
    attempt = attempt_start(user=user, quiz=quiz, return_url="/")
    question = snapshot_question(attempt, attempt.question_ids[0])
    attempt_answer(
        attempt=attempt,
        user=user,
        question_id=question["id"],
        client_id=uuid.uuid4(),
        response=correct_response(question),
    )
    client.force_login(user)
    taking = client.get(f"/bai-kiem-tra/{attempt.pk}/").content.decode()
    attempt_submit(attempt=attempt, user=user)
    result = client.get(f"/bai-kiem-tra/{attempt.pk}/ket-qua/").content.decode()
    return taking + result


def test_a_teacher_reads_the_quiz_in_adult_words_a_pupil_in_a_childs(client):
    school_class = SchoolClassFactory(grade=5)
    with translation.override("vi"):
        adult = _result_page(client, make_teacher(school_class))
        child = _result_page(client, make_pupil(school_class))
    assert "Kết quả của anh/chị" in adult and "Kết quả của em" not in adult
    assert "Kết quả của em" in child and "anh/chị" not in child
