"""The offline bundle: pages to keep, routes of forms sent offline, pinned quiz."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from lms.learning import services as learning_services
from quizzes.models import Attempt, AttemptStatus
from quizzes.selectors import attempts_using_tries
from quizzes.services import attempt_answer
from tests.factories import SchoolClassFactory, make_pupil, make_teacher
from tests.lms.learning_helpers import allow_learning_records, learning_module
from tests.quizzes.attempt_helpers import correct_response, republish

pytestmark = pytest.mark.django_db

URL = "/api/my/offline/"


@pytest.fixture
def school_class():
    allow_learning_records()
    return SchoolClassFactory(grade=4)


@pytest.fixture
def pupil(school_class):
    return make_pupil(school_class)


@pytest.fixture
def module(school_class):
    page = learning_module(sections=2)
    learning_services.assignment_create(
        actor=make_teacher(school_class),
        school_class=school_class,
        module=page,
        opens_on=timezone.localdate(),
    )
    return page


_clients: dict = {}


@pytest.fixture(autouse=True)
def _new_phones():
    _clients.clear()


def bundle(pupil):
    # One phone per pupil: a new sign-in changes every version (form tokens).
    client = _clients.get(pupil.pk)
    if client is None:
        client = _clients[pupil.pk] = Client()
        client.force_login(pupil)
    response = client.post(URL, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    return response.json()


def test_the_bundle_lists_every_page_of_a_given_module_and_starts_its_quiz(
    pupil, module
):
    data = bundle(pupil)
    assert data["user"] == pupil.pk
    assert data["pages"] == ["/app/"]
    [item] = data["modules"]
    attempt = Attempt.objects.get(user=pupil)
    assert item["pages"] == [
        f"/hoc/{module.pk}/phan/0/",
        f"/hoc/{module.pk}/phan/1/",
        f"/hoc/{module.pk}/bai-kiem-tra/",
        f"/bai-kiem-tra/{attempt.pk}/",
    ]
    posts = data["routes"]["posts"]
    assert posts[f"/hoc/{module.pk}/phan/0/"] == {
        "next": f"/hoc/{module.pk}/phan/1/",
        "replay": f"/api/my/progress/{module.pk}/sections/0/",
        "body": {},
    }
    assert (
        posts[f"/hoc/{module.pk}/phan/1/"]["next"] == f"/hoc/{module.pk}/bai-kiem-tra/"
    )
    assert posts[f"/hoc/{module.pk}/bai-kiem-tra/"] == {
        "next": f"/bai-kiem-tra/{attempt.pk}/"
    }
    assert data["routes"]["aliases"] == {
        f"/hoc/{module.pk}/": f"/hoc/{module.pk}/phan/0/"
    }


def test_asking_again_resumes_the_same_attempt_and_keeps_the_version(pupil, module):
    first = bundle(pupil)
    second = bundle(pupil)
    assert Attempt.objects.filter(user=pupil).count() == 1
    assert first["modules"][0]["version"] == second["modules"][0]["version"]


def test_a_republished_quiz_reaches_the_phone_on_its_next_connection(pupil, module):
    first = bundle(pupil)
    old = Attempt.objects.get(user=pupil)
    republish(module.quiz, title="Đố vui mới")
    second = bundle(pupil)
    new = Attempt.objects.get(user=pupil, status=AttemptStatus.IN_PROGRESS)
    assert new.pk != old.pk and new.version_id != old.version_id
    assert first["modules"][0]["version"] != second["modules"][0]["version"]
    assert f"/bai-kiem-tra/{new.pk}/" in second["modules"][0]["pages"]
    # The untouched attempt is set aside, not deleted, and uses up no try.
    old.refresh_from_db()
    assert old.status == AttemptStatus.REPLACED
    assert attempts_using_tries(user=pupil, quiz=module.quiz).get() == new


def _send_answer(client, attempt, question_id, question):
    return client.post(
        f"/api/attempts/{attempt.pk}/answers/",
        {
            "client_id": str(uuid.uuid4()),
            "question_id": question_id,
            "response": correct_response(question),
        },
        content_type="application/json",
    )


def test_answers_waiting_on_one_phone_survive_a_republish_seen_by_another(
    pupil, module
):
    """Phone A stores the quiz and is answered offline; meanwhile the quiz is
    republished and phone B, online, refreshes its copy (a new attempt of the
    new version). When phone A's answers arrive they are kept with the version
    phone A showed, that attempt is the pupil's again, and it scores."""
    bundle(pupil)  # phone A
    shown = Attempt.objects.get(user=pupil)
    republish(module.quiz, title="Đố vui mới")
    phone_b = Client()
    phone_b.force_login(pupil)
    assert phone_b.post(URL, content_type="application/json").status_code == 200
    newer = Attempt.objects.get(user=pupil, status=AttemptStatus.IN_PROGRESS)
    assert newer.pk != shown.pk

    phone_a = _clients[pupil.pk]
    for question_id in shown.question_ids:
        question = next(
            q
            for q in shown.version.snapshot["questions"]
            if str(q["id"]) == question_id
        )
        sent = _send_answer(phone_a, shown, question_id, question)
        assert sent.status_code == 201, sent.content
    submitted = phone_a.post(f"/api/attempts/{shown.pk}/submit/")
    assert submitted.status_code == 200, submitted.content

    shown.refresh_from_db()
    newer.refresh_from_db()
    assert shown.status == AttemptStatus.SUBMITTED and shown.passed
    assert shown.answers.count() == len(shown.question_ids)
    assert newer.status == AttemptStatus.REPLACED  # untouched: set aside in turn
    assert list(attempts_using_tries(user=pupil, quiz=module.quiz)) == [shown]


def test_when_both_phones_answered_both_attempts_keep_their_answers(pupil, module):
    bundle(pupil)  # phone A
    shown = Attempt.objects.get(user=pupil)
    republish(module.quiz, title="Đố vui mới")
    phone_b = Client()
    phone_b.force_login(pupil)
    phone_b.post(URL, content_type="application/json")
    newer = Attempt.objects.get(user=pupil, status=AttemptStatus.IN_PROGRESS)
    question_id = newer.question_ids[0]
    question = next(
        q for q in newer.version.snapshot["questions"] if str(q["id"]) == question_id
    )
    assert _send_answer(phone_b, newer, question_id, question).status_code == 201

    question_id = shown.question_ids[0]
    question = next(
        q for q in shown.version.snapshot["questions"] if str(q["id"]) == question_id
    )
    late = _send_answer(_clients[pupil.pk], shown, question_id, question)
    assert late.status_code == 201, late.content
    shown.refresh_from_db()
    newer.refresh_from_db()
    # Phone B's work stays the one in progress; phone A's answer is kept all the same.
    assert newer.status == AttemptStatus.IN_PROGRESS
    assert shown.status == AttemptStatus.REPLACED
    assert shown.answers.count() == 1 and newer.answers.count() == 1


def test_answers_given_to_the_old_version_stay_with_it(pupil, module):
    import uuid

    bundle(pupil)
    attempt = Attempt.objects.get(user=pupil)
    question_id = attempt.question_ids[0]
    question = next(
        q for q in attempt.version.snapshot["questions"] if str(q["id"]) == question_id
    )
    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=question_id,
        client_id=uuid.uuid4(),
        response=correct_response(question),  # whatever the drawn question's type
    )
    republish(module.quiz, title="Đố vui mới")
    data = bundle(pupil)
    kept = Attempt.objects.get(user=pupil)
    assert kept.pk == attempt.pk and kept.version_id == attempt.version_id
    assert f"/bai-kiem-tra/{attempt.pk}/" in data["modules"][0]["pages"]


def test_the_stored_quiz_page_holds_no_right_answer(pupil, module):
    data = bundle(pupil)
    client = Client()
    client.force_login(pupil)
    response = client.get(data["modules"][0]["pages"][-1])
    body = response.content.decode()
    state = response.context["client_state"]
    assert state["answers"] == {} and state["feedback"] == {}
    for question in response.context["state"]["questions"]:
        assert "correct" not in question and "explanation" not in question
        for choice in question["choices"]:
            assert "is_correct" not in choice and "correct_position" not in choice
    assert "Địa chỉ nhà." not in body  # the explanation comes after answering


def test_another_pupil_gets_only_their_own_modules(pupil, module):
    other = make_pupil(SchoolClassFactory(grade=4))
    data = bundle(other)
    assert data["modules"] == [] and data["routes"]["posts"] == {}
    assert not Attempt.objects.filter(user=other).exists()


def test_the_bundle_needs_a_signed_in_person_and_a_post(client, pupil, module):
    assert client.post(URL).status_code in (401, 403)
    client.force_login(pupil)
    assert client.get(URL).status_code == 405
    assert not Attempt.objects.exists()


def test_the_phone_storing_a_section_does_not_move_the_pupil(pupil, module):
    """Storing every section for offline reading is not the pupil reading them."""
    from django.urls import reverse

    from lms.models import ModuleProgress

    data = bundle(pupil)
    client = _clients[pupil.pk]
    for url in data["modules"][0]["pages"]:
        assert client.get(url, headers={"X-Offline-Copy": "1"}).status_code == 200
    progress = ModuleProgress.objects.filter(user=pupil).first()
    assert progress is None or progress.current_section == 0
    resume = client.get(reverse("lms:module_resume", args=[module.pk]))
    assert resume["Location"].endswith("/phan/0/")


def test_what_a_phone_kept_for_one_pupil_is_refused_under_anothers_session(
    school_class, pupil, module
):
    """Two pupils share a phone: A's waiting items are never recorded as B's."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from lms.models import ModuleProgress

    other = make_pupil(school_class)
    bundle(pupil)
    attempt = Attempt.objects.get(user=pupil)
    phone = Client()
    phone.force_login(other)
    section = reverse("lms-api:my-progress-section", args=[module.pk, 0])
    mine = {"X-Offline-User": str(pupil.pk)}
    refused = phone.post(
        section,
        content_type="application/json",
        headers=mine,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "other_user"
    assert refused.json()["detail"] == gettext(
        "This was saved on this phone by another person. "
        "It is kept for them until they sign in again."
    )
    assert not ModuleProgress.objects.filter(user=other).exists()
    answer = phone.post(
        reverse("quizzes-api:attempt-answer", args=[attempt.pk]),
        {"question_id": attempt.question_ids[0], "client_id": "x", "response": {}},
        content_type="application/json",
        headers=mine,
    )
    assert answer.status_code == 403 and not attempt.answers.exists()
    # Under the pupil's own session (or with no claim at all) it goes through.
    own = _clients[pupil.pk].post(
        section,
        content_type="application/json",
        headers=mine,
    )
    assert own.status_code in (200, 201), own.content
    unclaimed = phone.post(section, content_type="application/json")
    assert unclaimed.status_code != 403 or unclaimed.json()["code"] != "other_user"


def test_a_republished_lesson_reaches_the_phone_and_keeps_the_quiz_attempt(
    pupil, module
):
    """The lesson's text changed: the phone stores it again; the quiz is the same."""
    first = bundle(pupil)
    attempt = Attempt.objects.get(user=pupil)
    page = type(module).objects.get(pk=module.pk)
    page.title = "Bài học đã sửa"
    page.save_revision().publish()
    second = bundle(pupil)
    assert first["modules"][0]["version"] != second["modules"][0]["version"]
    assert Attempt.objects.get(user=pupil).pk == attempt.pk
