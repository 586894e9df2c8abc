"""The quiz-taking and result pages: first question, size, scope, accessibility."""

import uuid

import pytest
from django.contrib.staticfiles import finders

from quizzes.services import attempt_answer, attempt_start, attempt_submit
from tests.quizzes.attempt_helpers import correct_response, snapshot_question

pytestmark = pytest.mark.django_db

PAGE_BUDGET_BYTES = 150 * 1024


def static_size(path: str) -> int:
    found = finders.find(path)
    assert found, path
    with open(found, "rb") as handle:
        return len(handle.read())


def test_take_page_renders_the_first_question_under_the_budget(client, pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    client.force_login(pupil)
    response = client.get(f"/bai-kiem-tra/{attempt.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    first = snapshot_question(attempt, attempt.question_ids[0])
    assert first["prompt"] in html
    assert f'id="question-{first["id"]}"' in html
    assert "1/5" in html  # "Câu 1/5" once the catalogue is compiled
    assert "<fieldset" in html and "<legend" in html
    assert 'aria-live="polite"' in html
    assert "<noscript>" in html
    assert "common/read_aloud.js" in html and "quizzes/attempt.js" in html
    # Nothing that gives the answers away is on the page.
    assert first["explanation"] not in html or not first["explanation"]
    assert "is_correct" not in html
    total = (
        len(response.content)
        + static_size("common/site.css")
        + static_size("quizzes/attempt.css")
        + static_size("quizzes/attempt.js")
        + static_size("common/read_aloud.js")
    )
    print(f"take page first load: {len(response.content)} B HTML, {total} B total")
    assert total < PAGE_BUDGET_BYTES, total


def test_take_page_restores_saved_answers_in_its_state(client, pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    question = snapshot_question(attempt, attempt.question_ids[0])
    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=uuid.uuid4(),
        response=correct_response(question),
    )
    client.force_login(pupil)
    html = client.get(f"/bai-kiem-tra/{attempt.pk}/").content.decode()
    assert 'id="quiz-state"' in html
    assert f'"{question["id"]}": {{"choice_ids"' in html or str(question["id"]) in html


def test_foreign_and_unknown_attempt_pages_are_404(client, pupil, other_pupil, quiz):
    attempt = attempt_start(user=other_pupil, quiz=quiz)
    client.force_login(pupil)
    for attempt_id in [attempt.pk, uuid.uuid4()]:
        assert client.get(f"/bai-kiem-tra/{attempt_id}/").status_code == 404
        assert client.get(f"/bai-kiem-tra/{attempt_id}/ket-qua/").status_code == 404


def test_pages_need_sign_in(client, pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz)
    response = client.get(f"/bai-kiem-tra/{attempt.pk}/")
    assert response.status_code == 302
    assert "/bai-kiem-tra/" not in response["Location"].split("?")[0]


def test_result_page_shows_score_and_review_after_submit(client, pupil, quiz):
    attempt = attempt_start(user=pupil, quiz=quiz, return_url="/hoc/")
    client.force_login(pupil)
    early = client.get(f"/bai-kiem-tra/{attempt.pk}/ket-qua/")
    assert early.status_code == 302 and early["Location"].endswith(
        f"/bai-kiem-tra/{attempt.pk}/"
    )
    question = snapshot_question(attempt, attempt.question_ids[0])
    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question["id"],
        client_id=uuid.uuid4(),
        response=correct_response(question),
    )
    attempt_submit(attempt=attempt, user=pupil)
    taken = client.get(f"/bai-kiem-tra/{attempt.pk}/")
    assert taken.status_code == 302
    response = client.get(f"/bai-kiem-tra/{attempt.pk}/ket-qua/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "20%" in html
    assert 'href="/hoc/"' in html
    assert question["prompt"] in html
