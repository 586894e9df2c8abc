"""The school-layer API: wiring and scoping (a foreign class is a 404)."""

import pytest
from rest_framework.test import APIClient

from lms.models import Role
from tests.factories import SchoolClassFactory, make_pupil, make_staff, make_teacher

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_me_lists_roles(api):
    school_class = SchoolClassFactory()
    teacher = make_teacher(school_class, display_name="Cô Trần Thị Mai")
    api.force_authenticate(teacher)
    response = api.get("/api/me/")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Cô Trần Thị Mai"
    assert response.json()["roles"] == ["teacher"]


def test_anonymous_gets_401_or_403(api):
    assert api.get("/api/classes/").status_code in (401, 403)


def test_teacher_lists_own_classes_with_counts(api):
    own = SchoolClassFactory(name="5A1")
    SchoolClassFactory(school=own.school, name="5A2")
    make_pupil(own)
    make_pupil(own)
    teacher = make_teacher(own)
    api.force_authenticate(teacher)
    body = api.get("/api/classes/").json()
    assert [(c["name"], c["pupil_count"]) for c in body] == [("5A1", 2)]


def test_foreign_class_is_404(api):
    own = SchoolClassFactory()
    same_school_other = SchoolClassFactory(school=own.school)
    other_school = SchoolClassFactory()
    teacher = make_teacher(own)
    api.force_authenticate(teacher)
    assert api.get(f"/api/classes/{own.pk}/").status_code == 200
    assert api.get(f"/api/classes/{same_school_other.pk}/").status_code == 404
    assert api.get(f"/api/classes/{other_school.pk}/").status_code == 404


def test_school_list_is_scoped_for_an_admin(api):
    own = SchoolClassFactory()
    SchoolClassFactory()
    admin = make_staff(Role.SCHOOL_ADMIN, school=own.school)
    api.force_authenticate(admin)
    assert [s["code"] for s in api.get("/api/schools/").json()] == [own.school.code]


def test_schema_is_served_and_names_the_product_endpoints(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/classes/{class_id}/" in paths
    assert not any(path.startswith("/cms/") for path in paths)
