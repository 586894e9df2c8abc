"""The organisation admin in Wagtail (/cms/organisation/...), role by role.

Which screens each role opens, which objects it lists, and that a foreign object
answers 404 in every view and is never offered in a form; bad input comes back as
a form error with nothing written, never a 500.
"""

import datetime
import json
import re

import pytest
from django.urls import reverse

from lms.models import (
    AdministrativeUnit,
    AuditEntry,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    User,
)
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    UnitFactory,
    UserFactory,
    login_verified,
    make_pupil,
    make_staff,
)

pytestmark = pytest.mark.django_db

SCREENS = {
    "units": "organisation_units",
    "schools": "organisation_schools",
    "years": "organisation_school_years",
    "periods": "organisation_periods",
    "classes": "organisation_classes",
    "staff": "organisation_staff",
}


class World:
    """Two provinces, each with a commune and a school, and the people of the first."""

    def __init__(self):
        self.province = UnitFactory(name="Tây Ninh", code="TN")
        self.commune = UnitFactory(parent=self.province, name="Phường A", code="TN-1")
        self.other_commune = UnitFactory(parent=self.province, name="Xã B", code="TN-2")
        self.school = SchoolFactory(unit=self.commune, name="TH Kim Đồng", code="S-1")
        self.foreign_province = UnitFactory(name="Đồng Nai", code="DN")
        self.foreign_commune = UnitFactory(
            parent=self.foreign_province, name="Phường Lạ", code="DN-1"
        )
        self.foreign_school = SchoolFactory(
            unit=self.foreign_commune, name="TH Nơi Khác", code="S-9"
        )
        self.year = SchoolYearFactory()
        self.school_class = SchoolClassFactory(
            school=self.school, school_year=self.year, name="5A1"
        )
        self.foreign_class = SchoolClassFactory(
            school=self.foreign_school, school_year=self.year, name="5B9"
        )
        self.people = {
            "platform_admin": make_staff(Role.PLATFORM_ADMIN),
            "province_officer": make_staff(Role.PROVINCE_OFFICER, unit=self.province),
            "unit_officer": make_staff(Role.UNIT_OFFICER, unit=self.commune),
            "school_admin": make_staff(Role.SCHOOL_ADMIN, school=self.school),
            "teacher": make_staff(Role.TEACHER, school=self.school),
            "counsellor": make_staff(Role.COUNSELLOR, school=self.school),
            "pupil": make_pupil(self.school_class),
        }
        self.teacher = self.people["teacher"]
        self.foreign_teacher = make_staff(
            Role.TEACHER, school=self.foreign_school, username="thay.la"
        )


@pytest.fixture
def world():
    return World()


def sign_in(client, world, who):
    user = world.people[who]
    if who in ("platform_admin", "province_officer"):
        login_verified(client, user)  # they must pass the second factor first
    else:
        client.force_login(user)
    return user


def url(screen, view="index", *args):
    return reverse(f"{SCREENS[screen]}:{view}", args=args)


def opens(response) -> bool:
    return response.status_code == 200


def refused(response) -> bool:
    """Wagtail turns a permission refusal (403) into a message and the admin home."""
    return response.status_code == 403 or (
        response.status_code == 302
        and response["Location"] == reverse("wagtailadmin_home")
    )


# --- Which screens each role opens ----------

CAN_LIST = {
    "platform_admin": {"units", "schools", "years", "periods", "classes", "staff"},
    "province_officer": {"units", "schools", "years", "periods", "staff"},
    "unit_officer": {"units", "schools", "years", "periods"},
    "school_admin": {"classes", "staff"},
    "teacher": set(),
    "counsellor": set(),
    "pupil": set(),
}
CAN_ADD = {
    "platform_admin": {"units", "schools", "years", "periods", "classes", "staff"},
    "province_officer": {"units", "schools", "years", "periods", "staff"},
    "unit_officer": set(),
    "school_admin": {"classes", "staff"},
    "teacher": set(),
    "counsellor": set(),
    "pupil": set(),
}


@pytest.mark.parametrize("who", list(CAN_LIST))
def test_each_role_opens_only_its_screens(client, world, who):
    sign_in(client, world, who)
    listed = {screen for screen in SCREENS if opens(client.get(url(screen)))}
    added = {screen for screen in SCREENS if opens(client.get(url(screen, "add")))}
    assert listed == CAN_LIST[who]
    assert added == CAN_ADD[who]


@pytest.mark.parametrize("who", ["teacher", "counsellor", "pupil"])
def test_teachers_counsellors_and_pupils_are_sent_away_from_the_admin(
    client, world, who
):
    sign_in(client, world, who)
    response = client.get(url("classes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def admin_menu(client) -> set[str]:
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S)
    return set(re.findall(r'"name": "([a-z0-9-]+)"', props.group(1))) or set(
        re.findall(r'"name":"([a-z0-9-]+)"', props.group(1))
    )


def test_school_admin_sees_the_organisation_menu_and_no_page_editing(client, world):
    sign_in(client, world, "school_admin")
    menu = admin_menu(client)
    assert {"organisation", "organisation-classes", "organisation-staff"} <= menu
    assert not menu & {
        "explorer",
        "images",
        "documents",
        "reports",
        "settings",
        "organisation-schools",
        "organisation-units",
    }
    assert json.dumps  # the sidebar props are JSON; parsed by regex above


def test_unit_officer_reads_but_never_edits(client, world):
    sign_in(client, world, "unit_officer")
    assert opens(client.get(url("schools", "inspect", world.school.pk)))
    assert refused(client.get(url("schools", "edit", world.school.pk)))
    response = client.post(
        url("schools", "edit", world.school.pk), {"name": "Đổi", "code": "S-1"}
    )
    assert refused(response)
    assert School.objects.get(pk=world.school.pk).name == "TH Kim Đồng"


# --- Which objects each role lists ----------


def listed_names(response) -> str:
    return response.content.decode()


def test_province_officer_lists_their_province_only(client, world):
    sign_in(client, world, "province_officer")
    schools = listed_names(client.get(url("schools")))
    assert "TH Kim Đồng" in schools and "TH Nơi Khác" not in schools
    units = listed_names(client.get(url("units")))
    assert "Phường A" in units and "Phường Lạ" not in units


def test_unit_officer_lists_their_subtree_only(client, world):
    sign_in(client, world, "unit_officer")
    units = listed_names(client.get(url("units")))
    assert "Phường A" in units
    assert "Xã B" not in units and "Phường Lạ" not in units


def test_school_admin_lists_their_schools_classes_and_staff(client, world):
    sign_in(client, world, "school_admin")
    classes = listed_names(client.get(url("classes")))
    assert "5A1" in classes and "5B9" not in classes
    staff = listed_names(client.get(url("staff")))
    assert world.teacher.username in staff and "thay.la" not in staff


def test_the_school_filter_offers_only_reachable_schools(client, world):
    sign_in(client, world, "province_officer")
    page = listed_names(client.get(url("staff")))
    assert "TH Kim Đồng" in page and "TH Nơi Khác" not in page


def test_search_finds_by_code(client, world):
    sign_in(client, world, "province_officer")
    page = listed_names(client.get(url("schools"), {"q": "S-1"}))
    assert "TH Kim Đồng" in page


# --- Foreign objects answer 404 in every view ----------

FOREIGN = [
    ("province_officer", "schools", "foreign_school"),
    ("province_officer", "units", "foreign_commune"),
    ("unit_officer", "schools", "foreign_school"),
    ("school_admin", "classes", "foreign_class"),
]


@pytest.mark.parametrize(("who", "screen", "target"), FOREIGN)
@pytest.mark.parametrize("view", ["edit", "history", "usage", "inspect"])
def test_a_foreign_object_is_not_found(client, world, who, screen, target, view):
    sign_in(client, world, who)
    if view == "edit" and who == "unit_officer":
        view = "inspect"  # a unit officer has no edit screen at all (403)
    response = client.get(url(screen, view, getattr(world, target).pk))
    assert response.status_code == 404


def test_editing_another_provinces_school_writes_nothing(client, world):
    sign_in(client, world, "province_officer")
    response = client.post(
        url("schools", "edit", world.foreign_school.pk),
        school_data(world, name="Chiếm", code="S-9"),
    )
    assert response.status_code == 404
    assert School.objects.get(pk=world.foreign_school.pk).name == "TH Nơi Khác"


def test_another_schools_staff_is_not_found(client, world):
    sign_in(client, world, "school_admin")
    foreign = RoleAssignment.objects.get(user=world.foreign_teacher)
    for view in ("edit", "reset_password", "active"):
        assert client.get(url("staff", view, foreign.pk)).status_code == 404
        assert client.post(url("staff", view, foreign.pk)).status_code == 404
    world.foreign_teacher.refresh_from_db()
    assert world.foreign_teacher.is_active
    assert not world.foreign_teacher.must_change_password


def test_nothing_is_deleted_from_the_organisation_admin(client, world):
    sign_in(client, world, "platform_admin")
    response = client.post(url("schools", "delete", world.school.pk))
    assert refused(response)
    assert School.objects.filter(pk=world.school.pk).exists()


# --- Forms never offer a foreign object ----------


def choices(response, field) -> set[str]:
    form = response.context["form"]
    return {str(value) for value, _label in form.fields[field].choices if value}


def test_school_form_offers_only_the_officers_units(client, world):
    sign_in(client, world, "province_officer")
    offered = choices(client.get(url("schools", "add")), "unit")
    assert str(world.commune.pk) in offered
    assert str(world.foreign_commune.pk) not in offered


def test_class_form_offers_only_the_schools_staff(client, world):
    sign_in(client, world, "school_admin")
    response = client.get(url("classes", "add"))
    teachers = choices(response, "homeroom_teacher")
    assert str(world.teacher.pk) in teachers
    assert str(world.foreign_teacher.pk) not in teachers
    assert str(world.people["pupil"].pk) not in teachers
    assert choices(response, "school") == {str(world.school.pk)}


# --- Creating and editing, and the bad inputs ----------


def school_data(world, **overrides):
    data = {
        "name": "THCS Lê Lợi",
        "code": "THCS-1",
        "school_type": "lower_secondary",
        "unit": world.commune.pk,
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    data.update(overrides)
    return data


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors


def test_officer_creates_a_school(client, world):
    sign_in(client, world, "province_officer")
    response = client.post(url("schools", "add"), school_data(world))
    assert response.status_code == 302
    school = School.objects.get(code="THCS-1")
    assert school.unit == world.commune


@pytest.mark.parametrize("code", ["S-1", "s-1", "S-9"])
def test_a_duplicate_school_code_is_a_form_error(client, world, code):
    sign_in(client, world, "province_officer")
    errors = form_errors(
        client.post(url("schools", "add"), school_data(world, code=code))
    )
    assert "code" in errors
    assert School.objects.count() == 2


def test_a_school_under_a_foreign_or_missing_unit_is_refused(client, world):
    sign_in(client, world, "province_officer")
    for unit in (world.foreign_commune.pk, 999999):
        errors = form_errors(
            client.post(url("schools", "add"), school_data(world, unit=unit))
        )
        assert "unit" in errors
    assert not School.objects.filter(code="THCS-1").exists()


def test_a_duplicate_unit_code_is_a_form_error(client, world):
    sign_in(client, world, "province_officer")
    data = {
        "name": "Xã C",
        "code": "tn-1",
        "level": "commune",
        "parent": world.province.pk,
    }
    errors = form_errors(client.post(url("units", "add"), data))
    assert "code" in errors
    assert not AdministrativeUnit.objects.filter(name="Xã C").exists()


def test_officer_adds_a_commune(client, world):
    sign_in(client, world, "province_officer")
    data = {
        "name": "Xã C",
        "code": "TN-3",
        "level": "commune",
        "parent": world.province.pk,
    }
    assert client.post(url("units", "add"), data).status_code == 302
    assert AdministrativeUnit.objects.get(code="TN-3").get_parent() == world.province


def test_moving_a_school_in_the_admin_keeps_its_classes_and_is_audited(client, world):
    sign_in(client, world, "province_officer")
    data = school_data(
        world, name="TH Kim Đồng", code="S-1", unit=world.other_commune.pk
    )
    response = client.post(url("schools", "edit", world.school.pk), data)
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert world.school.unit == world.other_commune
    assert world.school_class in SchoolClass.objects.filter(school=world.school)
    entry = AuditEntry.objects.get(action="school_move")
    assert entry.details["from_unit"] == world.commune.pk
    assert entry.details["to_unit"] == world.other_commune.pk


def test_a_school_year_that_ends_before_it_starts_is_a_form_error(client, world):
    sign_in(client, world, "province_officer")
    data = {"name": "2030-2031", "starts_on": "2031-05-31", "ends_on": "2030-09-05"}
    response = client.post(url("years", "add"), data)
    assert form_errors(response)
    assert not SchoolYear.objects.filter(name="2030-2031").exists()


def test_a_new_school_year_copies_the_terms(client, world):
    sign_in(client, world, "province_officer")
    world.year.periods.create(
        name="Học kỳ I",
        starts_on=datetime.date(2026, 9, 5),
        ends_on=datetime.date(2027, 1, 15),
    )
    data = {
        "name": "2027-2028",
        "starts_on": "2027-09-05",
        "ends_on": "2028-05-31",
        "copy_periods": "on",
    }
    assert client.post(url("years", "add"), data).status_code == 302
    year = SchoolYear.objects.get(name="2027-2028")
    assert [(p.name, p.starts_on) for p in year.periods.all()] == [
        ("Học kỳ I", datetime.date(2027, 9, 5))
    ]


def class_data(world, **overrides):
    data = {
        "school": world.school.pk,
        "school_year": world.year.pk,
        "name": "6A1",
        "grade": 6,
        "homeroom_teacher": world.teacher.pk,
        "teachers": [world.teacher.pk],
    }
    data.update(overrides)
    return data


def test_school_admin_creates_a_class(client, world):
    sign_in(client, world, "school_admin")
    assert client.post(url("classes", "add"), class_data(world)).status_code == 302
    school_class = SchoolClass.objects.get(name="6A1")
    assert school_class.homeroom_teacher == world.teacher
    assert list(school_class.teachers.all()) == [world.teacher]


def test_a_class_name_used_twice_in_a_year_is_a_form_error_not_a_500(client, world):
    sign_in(client, world, "school_admin")
    errors = form_errors(
        client.post(url("classes", "add"), class_data(world, name="5a1"))
    )
    assert "name" in errors
    assert SchoolClass.objects.filter(school=world.school).count() == 1


def test_renaming_a_class_onto_another_is_a_form_error(client, world):
    sign_in(client, world, "school_admin")
    other = SchoolClassFactory(school=world.school, school_year=world.year, name="5A2")
    data = class_data(world, name="5A1")
    del data["school"]
    errors = form_errors(client.post(url("classes", "edit", other.pk), data))
    assert "name" in errors
    assert SchoolClass.objects.get(pk=other.pk).name == "5A2"


@pytest.mark.parametrize("field", ["homeroom_teacher", "teachers"])
def test_a_teacher_of_another_school_is_refused(client, world, field):
    sign_in(client, world, "school_admin")
    value = world.foreign_teacher.pk
    data = class_data(world, **{field: [value] if field == "teachers" else value})
    assert field in form_errors(client.post(url("classes", "add"), data))
    assert not SchoolClass.objects.filter(name="6A1").exists()


def test_a_class_in_another_school_is_refused(client, world):
    sign_in(client, world, "school_admin")
    data = class_data(world, school=world.foreign_school.pk, homeroom_teacher="")
    data["teachers"] = []
    assert "school" in form_errors(client.post(url("classes", "add"), data))
    assert not SchoolClass.objects.filter(name="6A1").exists()


# --- Staff accounts ----------


def staff_data(world, **overrides):
    data = {
        "display_name": "Cô Lan",
        "username": "co.lan",
        "email": "",
        "role": Role.TEACHER,
        "school": world.school.pk,
    }
    data.update(overrides)
    return data


def test_creating_staff_shows_a_one_time_password_once(client, world):
    sign_in(client, world, "school_admin")
    response = client.post(url("staff", "add"), staff_data(world))
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="co.lan")
    assert user.check_password(password)
    assert user.must_change_password
    assert RoleAssignment.objects.filter(
        user=user, role=Role.TEACHER, school=world.school
    ).exists()
    # The staff list afterwards does not show it again.
    assert password not in client.get(url("staff")).content.decode()


def test_a_colliding_username_is_a_form_error(client, world):
    sign_in(client, world, "school_admin")
    UserFactory(username="co.lan")
    errors = form_errors(
        client.post(url("staff", "add"), staff_data(world, username="Co.Lan"))
    )
    assert "username" in errors
    assert User.objects.filter(username__iexact="co.lan").count() == 1


@pytest.mark.parametrize(
    "overrides", [{"role": Role.PROVINCE_OFFICER}, {"role": Role.PUPIL}]
)
def test_staff_gets_only_staff_roles(client, world, overrides):
    sign_in(client, world, "school_admin")
    errors = form_errors(
        client.post(url("staff", "add"), staff_data(world, **overrides))
    )
    assert "role" in errors
    assert not User.objects.filter(username="co.lan").exists()


def test_staff_for_another_school_is_refused(client, world):
    sign_in(client, world, "school_admin")
    data = staff_data(world, school=world.foreign_school.pk)
    assert "school" in form_errors(client.post(url("staff", "add"), data))
    assert not User.objects.filter(username="co.lan").exists()


def test_resetting_a_password_shows_the_new_one_once(client, world):
    sign_in(client, world, "school_admin")
    assignment = RoleAssignment.objects.get(user=world.teacher)
    assert opens(client.get(url("staff", "reset_password", assignment.pk)))
    response = client.post(url("staff", "reset_password", assignment.pk))
    assert response.status_code == 200
    world.teacher.refresh_from_db()
    assert world.teacher.check_password(response.context["password"])
    assert world.teacher.must_change_password


def test_closing_and_opening_an_account(client, world):
    sign_in(client, world, "school_admin")
    assignment = RoleAssignment.objects.get(user=world.teacher)
    assert client.post(url("staff", "active", assignment.pk)).status_code == 302
    world.teacher.refresh_from_db()
    assert not world.teacher.is_active
    client.post(url("staff", "active", assignment.pk))
    world.teacher.refresh_from_db()
    assert world.teacher.is_active


def test_school_admin_cannot_reset_an_officer_who_also_teaches_there(client, world):
    officer = world.people["province_officer"]
    teaching = RoleAssignment.objects.create(
        user=officer, role=Role.TEACHER, school=world.school
    )
    before = User.objects.get(pk=officer.pk).password
    sign_in(client, world, "school_admin")
    response = client.post(url("staff", "reset_password", teaching.pk))
    assert response.status_code == 302  # back to the list, with the refusal
    assert User.objects.get(pk=officer.pk).password == before


def test_editing_staff_changes_name_and_role(client, world):
    sign_in(client, world, "school_admin")
    assignment = RoleAssignment.objects.get(user=world.teacher)
    data = {"display_name": "Thầy Minh", "email": "", "role": Role.COUNSELLOR}
    assert client.post(url("staff", "edit", assignment.pk), data).status_code == 302
    world.teacher.refresh_from_db()
    assert world.teacher.display_name == "Thầy Minh"
    assert list(
        RoleAssignment.objects.filter(user=world.teacher).values_list("role", flat=True)
    ) == [Role.COUNSELLOR]


# --- Query counts ----------


def count_queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("screen", "who"),
    [
        ("staff", "school_admin"),
        ("classes", "school_admin"),
        ("schools", "province_officer"),
    ],
)
def test_lists_take_the_same_queries_for_more_rows(client, world, screen, who):
    sign_in(client, world, who)
    count_queries(client, url(screen))  # warm the caches (content types, groups)
    before = count_queries(client, url(screen))
    for number in range(5):
        teacher = make_staff(Role.TEACHER, school=world.school)
        SchoolClassFactory(
            school=world.school,
            school_year=world.year,
            name=f"9A{number}",
            homeroom_teacher=teacher,
        )
        SchoolFactory(unit=world.commune)
    assert count_queries(client, url(screen)) == before
