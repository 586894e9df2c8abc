"""The learning API: wiring, scoping (foreign objects are 404) and 4xx messages."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from lms.learning import services as learning_services
from lms.models import Assignment, ModuleProgress
from tests.factories import SchoolClassFactory, make_pupil, make_teacher
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class():
    allow_learning_records()
    return SchoolClassFactory(grade=4)


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


@pytest.fixture
def pupil(school_class):
    return make_pupil(school_class)


@pytest.fixture
def module():
    return learning_module()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_my_assignments_lists_status_and_due(teacher, pupil, school_class, module):
    today = timezone.localdate()
    learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=module,
        opens_on=today,
        due_on=today + datetime.timedelta(days=2),
    )
    data = api_as(pupil).get("/api/my/assignments/").json()
    assert data == [
        {
            "assignment_id": Assignment.objects.get().pk,
            "module_id": module.pk,
            "title": module.title,
            "opens_on": today.isoformat(),
            "due_on": (today + datetime.timedelta(days=2)).isoformat(),
            "status": "not_started",
            "state": "due_soon",
            "best_percent": None,
        }
    ]


def test_recording_a_section_and_reading_my_progress(pupil, module):
    client = api_as(pupil)
    response = client.post(
        f"/api/my/progress/{module.pk}/sections/0/", {"seconds": 5000}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["sections_completed"] == [0]
    assert response.json()["time_spent_seconds"] == 15 * 60
    listing = client.get("/api/my/progress/").json()
    assert [(row["module_id"], row["status"]) for row in listing] == [
        (module.pk, "in_progress")
    ]


def test_a_section_out_of_range_is_a_400_with_a_message(pupil, module):
    response = api_as(pupil).post(f"/api/my/progress/{module.pk}/sections/9/")
    assert response.status_code == 400
    assert response.json()["code"] == "no_such_section"
    assert response.json()["detail"]


def test_a_hidden_module_is_a_404(pupil):
    draft = learning_module(title="Nhap", slug="nhap-api", with_quiz=False)
    draft.unpublish()
    client = api_as(pupil)
    assert client.post(f"/api/my/progress/{draft.pk}/sections/0/").status_code == 404
    assert client.post("/api/my/progress/999999/sections/0/").status_code == 404
    assert not ModuleProgress.objects.exists()


def test_a_teacher_sees_the_class_progress_grid(teacher, school_class, module):
    pupils = [make_pupil(school_class) for _ in range(2)]
    today = timezone.localdate()
    learning_services.assignment_create(
        actor=teacher, school_class=school_class, module=module, opens_on=today
    )
    group_module = learning_module(title="Nhom", slug="nhom")
    learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=group_module,
        opens_on=today,
        pupils=[pupils[0]],
    )
    for index in range(3):
        learning_services.progress_section_complete(
            user=pupils[0], module=module, section_index=index, seconds=1
        )
    take_quiz(pupils[0], module, correct=True)

    data = api_as(teacher).get(f"/api/classes/{school_class.pk}/progress/").json()
    assert [m["id"] for m in data["modules"]] == [module.pk, group_module.pk]
    by_pupil = {row["id"]: row["modules"] for row in data["pupils"]}
    assert by_pupil[pupils[0].pk][0]["status"] == "passed"
    assert by_pupil[pupils[0].pk][0]["best_percent"] == "100.0"
    assert by_pupil[pupils[1].pk][0]["status"] == "not_started"
    assert by_pupil[pupils[1].pk][1] == {
        "module_id": group_module.pk,
        "assigned": False,
        "status": None,
        "best_percent": None,
    }


def test_class_endpoints_hide_foreign_classes(teacher, pupil, module):
    other_class = SchoolClassFactory()
    for user in (teacher, pupil):
        client = api_as(user)
        assert client.get(f"/api/classes/{other_class.pk}/progress/").status_code == 404
        response = client.post(
            f"/api/classes/{other_class.pk}/assignments/",
            {"module_id": module.pk, "opens_on": "2026-11-27"},
            format="json",
        )
        assert response.status_code == 404
    # A pupil does not reach their own class's teacher endpoints either.
    own = pupil.enrolments.get().school_class_id
    assert api_as(pupil).get(f"/api/classes/{own}/progress/").status_code == 404


def test_creating_an_assignment(teacher, pupil, school_class, module):
    response = api_as(teacher).post(
        f"/api/classes/{school_class.pk}/assignments/",
        {
            "module_id": module.pk,
            "opens_on": "2026-11-27",
            "due_on": "2026-12-01",
            "pupil_ids": [pupil.pk],
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["pupil_ids"] == [pupil.pk]
    assert Assignment.objects.get().due_on == datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"opens_on": "2026-11-27", "due_on": "2026-11-01"}, "due_before_open"),
        ({"opens_on": "2026-11-27", "pupil_ids": ["stranger"]}, "pupil_not_in_class"),
        ({"opens_on": "2026-11-27", "module_id": 999999}, "module_not_assignable"),
        ({"opens_on": "not a date"}, None),
    ],
)
def test_invalid_assignments_are_400_with_a_message(
    teacher, school_class, module, payload, code
):
    stranger = make_pupil(SchoolClassFactory())
    payload = {"module_id": module.pk, **payload}
    if payload.get("pupil_ids") == ["stranger"]:
        payload["pupil_ids"] = [stranger.pk]
    response = api_as(teacher).post(
        f"/api/classes/{school_class.pk}/assignments/", payload, format="json"
    )
    assert response.status_code == 400
    if code:
        assert response.json()["code"] == code
        assert response.json()["detail"]
    assert not Assignment.objects.exists()


def test_the_schema_documents_the_learning_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/my/assignments/",
        "/api/my/progress/",
        "/api/my/progress/{module_id}/sections/{index}/",
        "/api/classes/{class_id}/progress/",
        "/api/classes/{class_id}/assignments/",
    ):
        assert path in schema


def test_the_class_grid_reads_in_a_bounded_number_of_queries(
    teacher, school_class, django_assert_max_num_queries
):
    today = timezone.localdate()
    modules = [learning_module(title=f"Bai {n}", slug=f"bai-api-{n}") for n in range(3)]
    pupils = [make_pupil(school_class) for _ in range(12)]
    for module in modules:
        learning_services.assignment_create(
            actor=teacher,
            school_class=school_class,
            module=module,
            opens_on=today,
            pupils=pupils[:4] if module is modules[2] else None,
        )
        for pupil in pupils[:5]:
            learning_services.progress_section_complete(
                user=pupil, module=module, section_index=0, seconds=1
            )
    client = api_as(teacher)
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/classes/{school_class.pk}/progress/")
    assert response.status_code == 200
    assert len(response.json()["pupils"]) == 12
