"""Dashboards: figures, scoping (foreign unit, school, class: 404), query counts."""

import pytest

from lms.models import Role, School, SchoolType
from lms.reports.dashboards.school import school_dashboard
from lms.reports.dashboards.unit import unit_dashboard
from lms.reports.rules import ProgrammeStatus
from tests.factories import login_verified
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)
from tests.lms.report_helpers import (
    build_province,
    give,
    officer,
    school_admin,
    school_with_classes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Commune A: a school that met the target, one in progress, one not started,
    a care facility; commune B: one school (foreign to commune A's officer)."""
    allow_learning_records()
    org = build_province()
    module = learning_module()
    met, [(met_class, met_teacher, met_pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=5, name="Trường Tiểu học Kim Đồng"
    )
    give(module, met_class, met_teacher)
    for pupil in met_pupils[:4]:  # 4 of 5 = 80 %: exactly the threshold
        take_quiz(pupil, module)
    busy, busy_classes = school_with_classes(
        org.commune_a, org.year, classes=2, pupils=2, name="Trường Tiểu học Lê Lợi"
    )
    give(module, busy_classes[0][0], busy_classes[0][1])
    idle, _ = school_with_classes(
        org.commune_a, org.year, name="Trường Tiểu học Hòa Bình"
    )
    care, [(care_class, care_teacher, care_pupils)] = school_with_classes(
        org.commune_a,
        org.year,
        pupils=2,
        school_type=SchoolType.CARE_FACILITY,
        name="Cơ sở bảo trợ Hoa Sen",
    )
    give(module, care_class, care_teacher)
    take_quiz(care_pupils[0], module)
    take_quiz(care_pupils[1], module)
    foreign, _ = school_with_classes(
        org.commune_b, org.year, name="Trường Tiểu học Bên Kia"
    )
    return {
        "org": org,
        "module": module,
        "met": met,
        "met_class": met_class,
        "met_teacher": met_teacher,
        "met_pupils": met_pupils,
        "busy": busy,
        "idle": idle,
        "care": care,
        "foreign": foreign,
    }


def test_unit_dashboard_counts_statuses_per_unit_and_type(world):
    org = world["org"]
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    dashboard = unit_dashboard(user=chief, unit=org.province, period=org.period)
    statuses = {row.pk: row.status for row in dashboard.schools}
    assert statuses == {
        world["met"].pk: ProgrammeStatus.MET,
        world["busy"].pk: ProgrammeStatus.IN_PROGRESS,
        world["idle"].pk: ProgrammeStatus.NOT_STARTED,
        world["care"].pk: ProgrammeStatus.MET,
        world["foreign"].pk: ProgrammeStatus.NOT_STARTED,
    }
    commune_a = next(g for g in dashboard.by_unit if g.unit_id == org.commune_a.pk)
    assert (commune_a.schools, commune_a.schools_met) == (3, 1)
    assert (commune_a.care_facilities, commune_a.care_facilities_met) == (1, 1)
    assert (commune_a.pupils, commune_a.pupils_completed) == (5 + 4 + 2 + 2, 6)
    assert dashboard.total.schools == 4
    behind = {row.pk for row in dashboard.schools_behind}
    assert behind == {world["busy"].pk, world["idle"].pk, world["foreign"].pk}
    assert dashboard.trend[-1].period == org.period


def test_school_dashboard_lists_classes_without_modules_and_teachers(world):
    org = world["org"]
    busy = world["busy"]
    admin = school_admin(busy)
    dashboard = school_dashboard(user=admin, school=busy, period=org.period)
    assert dashboard.figures.status == ProgrammeStatus.IN_PROGRESS
    assert "1 of 2 classes" in dashboard.figures.reason or dashboard.figures.reason
    assert [row.name for row in dashboard.classes_without_assignment] == ["5A2"]
    assert sorted(t.assignments for t in dashboard.teachers) == [0, 1]
    assert all(row.may_open_grid for row in dashboard.classes)


def test_unit_officer_sees_own_unit_and_gets_404_elsewhere(client, world, english):
    org = world["org"]
    client.force_login(officer(Role.UNIT_OFFICER, org.commune_a))
    page = client.get(f"/bao-cao/?ky={org.period.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Trường Tiểu học Lê Lợi" in body
    assert "Bên Kia" not in body
    assert client.get(f"/bao-cao/?don-vi={org.commune_b.pk}").status_code == 404
    assert client.get(f"/bao-cao/?don-vi={org.province.pk}").status_code == 404
    assert client.get(f"/truong/{world['foreign'].pk}/bao-cao/").status_code == 404
    assert client.get(f"/truong/{world['busy'].pk}/bao-cao/").status_code == 200
    api = client.get(f"/api/reports/units/{org.commune_b.pk}/")
    assert api.status_code == 404
    assert client.get(f"/api/reports/schools/{world['foreign'].pk}/").status_code == 404
    own = client.get(f"/api/reports/units/{org.commune_a.pk}/?period={org.period.pk}")
    assert own.status_code == 200
    assert {s["name"] for s in own.json()["schools"]} >= {"Trường Tiểu học Lê Lợi"}
    assert "Bên Kia" not in own.content.decode()


def test_officers_see_counts_but_never_pupil_names(client, world):
    org = world["org"]
    client.force_login(officer(Role.UNIT_OFFICER, org.commune_a))
    body = client.get(f"/truong/{world['met'].pk}/bao-cao/").content.decode()
    for pupil in world["met_pupils"]:
        assert pupil.display_name not in body
    # The class name is there, but not as a link to the pupils' grid.
    assert f"/lop/{world['met_class'].pk}/tien-do/" not in body
    assert client.get(f"/lop/{world['met_class'].pk}/tien-do/").status_code == 404
    api = client.get(f"/api/reports/schools/{world['met'].pk}/").json()
    assert api["status"] == "met"
    assert api["class_rows"][0]["pupils"] == 5


def test_school_admin_sees_own_school_only(client, world):
    admin = school_admin(world["busy"])
    client.force_login(admin)
    assert client.get(f"/truong/{world['busy'].pk}/bao-cao/").status_code == 200
    assert client.get(f"/truong/{world['met'].pk}/bao-cao/").status_code == 404
    assert client.get("/bao-cao/").status_code == 404  # no unit to report on
    home = client.get("/app/").content.decode()
    assert f"/truong/{world['busy'].pk}/bao-cao/" in home


def test_teacher_sees_only_own_class_grid(client, world):
    org = world["org"]
    client.force_login(world["met_teacher"])
    grid = client.get(f"/lop/{world['met_class'].pk}/tien-do/")
    assert grid.status_code == 200
    body = grid.content.decode()
    for pupil in world["met_pupils"]:
        assert pupil.display_name in body
    fragment = client.get(f"/lop/{world['met_class'].pk}/tien-do/?fragment=1")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    other_class = world["busy"].classes.first()
    assert client.get(f"/lop/{other_class.pk}/tien-do/").status_code == 404
    assert client.get(f"/api/classes/{other_class.pk}/progress/").status_code == 404
    home = client.get("/app/").content.decode()
    assert f"/lop/{world['met_class'].pk}/tien-do/" in home
    assert client.get(f"/bao-cao/?ky={org.period.pk}").status_code == 404


def test_province_home_links_the_programme_dashboard(client, world):
    chief = officer(Role.PROVINCE_OFFICER, world["org"].province)
    login_verified(client, chief)
    assert "/bao-cao/" in client.get("/app/").content.decode()
    page = client.get("/bao-cao/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'role="img"' in body and "<svg" in body
    assert "0276 3812 345" in body  # the contact of a school behind


def _add_schools(org, count, module):
    for number in range(count):
        school, [(school_class, teacher, pupils)] = school_with_classes(
            org.commune_a if number % 2 else org.commune_b, org.year, pupils=2
        )
        give(module, school_class, teacher)
        take_quiz(pupils[0], module)


def test_dashboard_queries_do_not_grow_with_schools(
    client, world, django_assert_num_queries
):
    org = world["org"]
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    login_verified(client, chief)
    client.get(f"/bao-cao/?ky={org.period.pk}")  # warm the session and caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = [
        f"/bao-cao/?ky={org.period.pk}",
        f"/truong/{world['met'].pk}/bao-cao/?ky={org.period.pk}",
        f"/api/reports/units/{org.province.pk}/?period={org.period.pk}",
    ]
    before = [count(url) for url in urls]
    _add_schools(org, School.objects.count(), world["module"])  # twice the schools
    after = [count(url) for url in urls]
    assert after == before
    assert before[0] <= 30


def test_report_views_stay_within_a_query_budget(
    client, world, django_assert_max_num_queries
):
    org = world["org"]
    client.force_login(world["met_teacher"])
    client.get(f"/lop/{world['met_class'].pk}/tien-do/")
    with django_assert_max_num_queries(20):
        client.get(f"/lop/{world['met_class'].pk}/tien-do/")
    admin = school_admin(world["met"])
    client.force_login(admin)
    client.get(f"/truong/{world['met'].pk}/bao-cao/?ky={org.period.pk}")
    # The school page also counts its teaching sessions, pupils reached, staff
    # trained and parents' meetings (four queries more than before).
    with django_assert_max_num_queries(30):
        client.get(f"/truong/{world['met'].pk}/bao-cao/?ky={org.period.pk}")
