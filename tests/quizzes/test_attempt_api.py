"""Attempt API: wiring, 404 for foreign attempts, 4xx (never 500) for bad input."""

import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from quizzes.models import Answer
from tests.quizzes.attempt_helpers import (
    build_configured_quiz,
    correct_response,
    wrong_response,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(pupil):
    client = APIClient()
    client.force_login(pupil)
    return client


def start(api, quiz, **extra):
    response = api.post("/api/attempts/", {"quiz_id": quiz.pk, **extra}, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def question(state, kind):
    return next(q for q in state["questions"] if q["type"] == kind)


def snapshot(quiz, question_id):
    version = quiz.versions.order_by("-number").first()
    return next(q for q in version.snapshot["questions"] if str(q["id"]) == question_id)


def answer(api, attempt_id, question_id, response, client_id=None):
    return api.post(
        f"/api/attempts/{attempt_id}/answers/",
        {
            "client_id": str(client_id or uuid.uuid4()),
            "question_id": question_id,
            "response": response,
        },
        format="json",
    )


def test_start_returns_the_attempt_and_resume_restores_answers(api, quiz):
    response = api.post(
        "/api/attempts/",
        {"quiz_id": quiz.pk, "context_key": "module:7", "return_url": "/m/"},
        format="json",
    )
    assert response.status_code == 201
    state = response.json()
    assert state["status"] == "in_progress"
    assert state["mode"] == "practice" and state["pass_mark_percent"] == 70
    assert state["return_url"] == "/m/"
    assert len(state["questions"]) == 5 and state["answers"] == {}
    for item in state["questions"]:
        assert set(item["choices"][0]) == {"id", "text"}
    first = state["questions"][0]
    given = correct_response(snapshot(quiz, first["id"]))
    assert answer(api, state["id"], first["id"], given).status_code == 201

    resumed = api.post(
        "/api/attempts/", {"quiz_id": quiz.pk, "context_key": "module:7"}, format="json"
    )
    assert resumed.status_code == 200
    assert resumed.json()["id"] == state["id"]
    assert resumed.json()["answers"] == {first["id"]: given}
    detail = api.get(f"/api/attempts/{state['id']}/")
    assert detail.status_code == 200
    assert detail.json()["answers"] == {first["id"]: given}


def test_token_authentication_works_for_apps(pupil, quiz):
    client = APIClient()
    token = Token.objects.create(user=pupil)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post("/api/attempts/", {"quiz_id": quiz.pk}, format="json")
    assert response.status_code == 201


def test_anonymous_callers_are_refused(quiz):
    response = APIClient().post("/api/attempts/", {"quiz_id": quiz.pk}, format="json")
    assert response.status_code in (401, 403)


def test_twenty_repeats_of_one_answer_store_one_row(api, quiz):
    state = start(api, quiz)
    first = state["questions"][0]
    client_id = uuid.uuid4()
    given = correct_response(snapshot(quiz, first["id"]))
    codes = [
        answer(api, state["id"], first["id"], given, client_id).status_code
        for _ in range(20)
    ]
    assert codes == [201] + [200] * 19
    assert Answer.objects.filter(client_id=client_id).count() == 1
    assert Answer.objects.filter(attempt_id=state["id"]).count() == 1


@pytest.mark.parametrize(
    ("kind", "respond", "credit"),
    [
        ("single_choice", "right", 1),
        ("single_choice", "wrong", 0),
        ("true_false", "right", 1),
        ("multiple_select", "right", 1),
        ("multiple_select", "one of two", 0.5),
        ("ordering", "right", 1),
        ("ordering", "wrong", 0),
        ("scenario_choice", "right", 1),
    ],
)
def test_each_question_type_is_scored_end_to_end(api, kind, respond, credit):
    quiz = build_configured_quiz(mode="check")
    state = start(api, quiz)
    item = question(state, kind)
    definition = snapshot(quiz, item["id"])
    if respond == "right":
        given = correct_response(definition)
    elif respond == "wrong":
        given = wrong_response(definition)
    else:
        given = {"choice_ids": correct_response(definition)["choice_ids"][:1]}
    saved = answer(api, state["id"], item["id"], given)
    assert saved.status_code == 201
    assert saved.json()["saved"] is True and saved.json()["feedback"] is None
    result = api.post(f"/api/attempts/{state['id']}/submit/").json()
    assert result["status"] == "submitted"
    assert result["result"]["points"] == pytest.approx(credit)
    assert result["result"]["max_points"] == 5
    review = api.get(f"/api/attempts/{state['id']}/review/").json()
    reviewed = next(q for q in review["questions"] if q["id"] == item["id"])
    assert reviewed["credit"] == pytest.approx(credit)


def test_practice_answers_get_feedback_at_once(api, quiz):
    state = start(api, quiz)
    item = question(state, "single_choice")
    body = answer(
        api, state["id"], item["id"], wrong_response(snapshot(quiz, item["id"]))
    ).json()
    assert body["saved"] is True
    assert body["feedback"]["is_correct"] is False
    assert body["feedback"]["explanation"] == "Địa chỉ nhà."


def test_submit_is_idempotent_and_answers_after_it_are_refused(api, quiz):
    state = start(api, quiz)
    item = state["questions"][0]
    given = correct_response(snapshot(quiz, item["id"]))
    client_id = uuid.uuid4()
    answer(api, state["id"], item["id"], given, client_id)
    first = api.post(f"/api/attempts/{state['id']}/submit/")
    second = api.post(f"/api/attempts/{state['id']}/submit/")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    late_repeat = answer(api, state["id"], item["id"], given, client_id)
    assert late_repeat.status_code == 200 and late_repeat.json()["saved"] is True
    late_new = answer(api, state["id"], item["id"], given)
    assert late_new.status_code == 400
    assert late_new.json()["code"] == "attempt_submitted"
    assert late_new.json()["detail"]


def test_review_before_submit_is_a_400_with_a_message(api, quiz):
    state = start(api, quiz)
    response = api.get(f"/api/attempts/{state['id']}/review/")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_another_users_attempt_is_a_404_on_every_endpoint(api, other_pupil, quiz):
    foreign_client = APIClient()
    foreign_client.force_login(other_pupil)
    foreign = start(foreign_client, quiz)
    item = foreign["questions"][0]
    for attempt_id in [foreign["id"], str(uuid.uuid4()), "not-a-uuid"]:
        base = f"/api/attempts/{attempt_id}/"
        responses = [
            api.get(base),
            answer(api, attempt_id, item["id"], {"choice_ids": [1]}),
            api.post(base + "submit/"),
            api.get(base + "review/"),
        ]
        for response in responses:
            assert response.status_code == 404, (attempt_id, response.content)
            assert response.json()["detail"]
    assert not Answer.objects.exists()
    mine = api.get("/api/my/attempts/").json()
    assert mine == []


def test_my_attempts_lists_own_attempts_filtered_by_quiz(api, quiz):
    other_quiz = build_configured_quiz()
    start(api, quiz)
    start(api, other_quiz)
    assert len(api.get("/api/my/attempts/").json()) == 2
    filtered = api.get(f"/api/my/attempts/?quiz_id={quiz.pk}").json()
    assert [row["quiz_id"] for row in filtered] == [quiz.pk]
    assert api.get("/api/my/attempts/?quiz_id=abc").status_code == 400
    assert api.get("/api/my/attempts/?quiz_id=999999").json() == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"client_id": "not-a-uuid", "question_id": "1", "response": {}},
        {"client_id": str(uuid.uuid4()), "question_id": "1"},
        {"client_id": str(uuid.uuid4()), "question_id": "999999", "response": {}},
        {"client_id": str(uuid.uuid4()), "question_id": ["x"], "response": {}},
        {"client_id": 12, "question_id": None, "response": "x"},
        ["not", "an", "object"],
    ],
)
def test_malformed_answers_are_a_400_with_a_message(api, quiz, body):
    state = start(api, quiz)
    response = api.post(f"/api/attempts/{state['id']}/answers/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "response_value",
    [None, [], "x", 5, {"choice_ids": "1"}, {"choice_ids": [True]}, {"order": [1]}],
)
def test_malformed_responses_are_a_400_with_a_message(api, quiz, response_value):
    state = start(api, quiz)
    item = state["questions"][0]
    response = answer(api, state["id"], item["id"], response_value)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]


def test_malformed_json_and_bad_start_bodies_are_400s(api, quiz):
    broken = api.post(
        "/api/attempts/", data="{not json", content_type="application/json"
    )
    assert broken.status_code == 400 and broken.json()["detail"]
    for body in [{}, {"quiz_id": "abc"}, {"quiz_id": -1}, {"quiz_id": [1]}]:
        response = api.post("/api/attempts/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["detail"]
    missing = api.post("/api/attempts/", {"quiz_id": 999999}, format="json")
    assert missing.status_code == 404
    state = start(api, quiz)
    broken_answer = api.post(
        f"/api/attempts/{state['id']}/answers/",
        data="[[[",
        content_type="application/json",
    )
    assert broken_answer.status_code == 400


def test_attempt_limit_is_a_400_with_a_message(api):
    quiz = build_configured_quiz(attempts_allowed=1)
    state = start(api, quiz)
    api.post(f"/api/attempts/{state['id']}/submit/")
    response = api.post("/api/attempts/", {"quiz_id": quiz.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "attempt_limit_reached"


def test_saving_an_answer_takes_a_fixed_handful_of_queries(pupil, quiz):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = APIClient()
    token = Token.objects.create(user=pupil)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    state = start(client, quiz)
    first, second = state["questions"][:2]
    given = correct_response(snapshot(quiz, first["id"]))
    with CaptureQueriesContext(connection) as queries:
        assert answer(client, state["id"], first["id"], given).status_code == 201
    versions_read = [q["sql"] for q in queries if "quizzes_quizversion" in q["sql"]]
    # The process reads the quiz's version for its first answer (with the
    # attempt: only its digest), then keeps it.
    assert len(versions_read) == 2, versions_read
    given = correct_response(snapshot(quiz, second["id"]))
    with CaptureQueriesContext(connection) as queries:
        assert answer(client, state["id"], second["id"], given).status_code == 201
    # token, user and the user's roles (does the token owe a second factor?) in
    # one read; the attempt read and locked with its version's digest; the repeat
    # check, sequence and earlier-answer count in one read; the insert. It was 7.
    round_trips = [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]
    assert len(round_trips) == 4, "\n".join(q[:120] for q in round_trips)


def test_a_repeated_answer_costs_one_read_more_and_stores_nothing(pupil, quiz):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = APIClient()
    token = Token.objects.create(user=pupil)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    state = start(client, quiz)
    item = state["questions"][0]
    given = correct_response(snapshot(quiz, item["id"]))
    client_id = str(uuid.uuid4())
    first = answer(client, state["id"], item["id"], given, client_id=client_id)
    assert first.status_code == 201
    with CaptureQueriesContext(connection) as queries:
        again = answer(client, state["id"], item["id"], given, client_id=client_id)
    assert again.status_code == 200
    assert again.json()["sequence"] == first.json()["sequence"]
    assert Answer.objects.filter(client_id=client_id).count() == 1
    round_trips = [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]
    # token, user and roles; the locked attempt; the combined read; the stored
    # answer (a repeat returns what was stored).
    assert len(round_trips) == 4, "\n".join(q[:120] for q in round_trips)
