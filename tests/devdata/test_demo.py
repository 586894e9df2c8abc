"""The demo province: complete, idempotent, and the documented logins work."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from devdata.demo import (
    DEMO_LOGINS,
    DEMO_PUPIL,
    PUPIL_PASSWORD,
    STAFF_PASSWORD,
    demo_load,
    school_year_start,
)
from lms.learning.services import assignment_create
from lms.models import (
    AdministrativeUnit,
    ConsentRecord,
    Enrolment,
    ReportingPeriod,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
    User,
)
from lms.people import selectors
from tests.lms.learning_helpers import learning_module

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module, and roll it back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = demo_load(today=TODAY)
        yield summary
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    models = [
        AdministrativeUnit,
        School,
        SchoolYear,
        ReportingPeriod,
        SchoolClass,
        User,
        RoleAssignment,
        Enrolment,
        SchoolClass.teachers.through,
        User.groups.through,
    ]
    return {model._meta.label: model.objects.count() for model in models}


def pupils_with_names():
    return list(
        User.objects.filter(role_assignments__role=Role.PUPIL)
        .order_by("username")
        .values_list("username", "display_name")
    )


def test_loading_twice_changes_nothing(demo):
    counts = table_counts()
    people = list(
        User.objects.order_by("username").values_list(
            "username", "display_name", "password"
        )
    )

    again = demo_load(today=TODAY)

    assert again == demo
    assert table_counts() == counts
    assert (
        list(
            User.objects.order_by("username").values_list(
                "username", "display_name", "password"
            )
        )
        == people
    )


def test_the_demo_is_the_size_the_brief_promises(demo):
    assert demo.units == 9
    assert demo.schools == 30
    assert 150 <= demo.classes <= 200
    assert 1200 <= demo.pupils <= 2500


def test_pupil_names_are_the_same_on_a_fresh_database(demo):
    first = pupils_with_names()
    # Load on an empty database: throw the module's demo away inside this test.
    with transaction.atomic():
        # Consent records outlive an account on purpose (PROTECT).
        ConsentRecord.objects.all().delete()
        User.objects.all().delete()
        School.objects.all().delete()
        demo_load(today=TODAY)
        second = pupils_with_names()
        transaction.set_rollback(True)
    assert len(first) == demo.pupils
    assert second == first


def test_demo_pupil_signs_in_with_the_documented_password(demo, client):
    response = client.post(
        reverse("lms:login"), {"username": "hs.demo", "password": PUPIL_PASSWORD}
    )

    assert response.status_code == 302
    pupil = User.objects.get(username="hs.demo")
    assert client.session["_auth_user_id"] == str(pupil.pk)
    enrolment = selectors.pupil_current_enrolment(pupil)
    assert enrolment.school_class.name == "5A"
    assert enrolment.school_class.school.name == "Trường Tiểu học Kim Đồng"
    assert enrolment.school_class.school_year.name == "2026-2027"
    # The bulk path gives the same role and permissions as
    # lms.people.services.role_assign.
    assert pupil.groups.filter(name="role:pupil").exists()
    assert pupil.has_perm("lms.take_modules")


def test_every_documented_login_works_and_holds_its_role(demo):
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(login.password), login.username
        assert login.role in selectors.user_roles(user), login.username
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="gv.demo").check_password(STAFF_PASSWORD)


def test_every_pupil_has_a_role_a_group_and_one_class(demo):
    pupils = User.objects.filter(role_assignments__role=Role.PUPIL)
    pupil_group = Group.objects.get(name="role:pupil")
    assert pupils.count() == demo.pupils
    assert pupil_group.user_set.count() == demo.pupils
    assert Enrolment.objects.count() == demo.pupils
    # Each pupil's role is held at the school of their class.
    mismatched = RoleAssignment.objects.filter(role=Role.PUPIL).exclude(
        school=F("user__enrolments__school_class__school")
    )
    assert not mismatched.exists()


def test_every_kind_of_school_is_there_with_contacts(demo):
    schools = School.objects.all()
    assert set(schools.values_list("school_type", flat=True)) == set(SchoolType.values)
    care = schools.filter(school_type=SchoolType.CARE_FACILITY)
    assert care.count() >= 1
    assert all(
        school.name.startswith(("Trung tâm Bảo trợ", "Cơ sở bảo trợ"))
        for school in care
    )
    assert not schools.filter(contact_name="").exists()
    assert not schools.filter(contact_phone="").exists()
    # Every class is led by a teacher of its school who also teaches it.
    for school_class in SchoolClass.objects.select_related("homeroom_teacher"):
        teacher = school_class.homeroom_teacher
        assert teacher is not None
        assert school_class.teachers.filter(pk=teacher.pk).exists()
        assert school_class.school_id in selectors.user_school_ids(
            teacher, Role.TEACHER
        )


def test_current_and_previous_school_years_with_their_terms(demo):
    current = SchoolYear.objects.get(name="2026-2027")
    assert (current.starts_on, current.ends_on) == (
        datetime.date(2026, 9, 5),
        datetime.date(2027, 5, 31),
    )
    terms = list(current.periods.values_list("name", "starts_on", "ends_on"))
    assert terms == [
        ("Học kỳ I", datetime.date(2026, 9, 5), datetime.date(2027, 1, 15)),
        ("Học kỳ II", datetime.date(2027, 1, 16), datetime.date(2027, 5, 31)),
    ]
    previous = SchoolYear.objects.get(name="2025-2026")
    assert previous.periods.count() == 2
    assert not SchoolClass.objects.exclude(school_year=current).exists()


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (datetime.date(2026, 9, 4), 2025),
        (datetime.date(2026, 9, 5), 2026),
        (datetime.date(2027, 5, 31), 2026),
        (datetime.date(2027, 7, 15), 2026),  # summer: the year just ended
    ],
)
def test_school_year_start(today, start):
    assert school_year_start(today) == start


def test_province_officer_sees_every_demo_school(demo):
    officer = User.objects.get(username="cb.tinh")
    assert set(selectors.schools_visible_to(officer)) == set(School.objects.all())


def test_commune_officer_sees_only_their_communes_schools(demo):
    officer = User.objects.get(username="cb.xa")
    ward = AdministrativeUnit.objects.get(name="Phường Tân Ninh")

    visible = set(selectors.schools_visible_to(officer))

    assert visible == set(School.objects.filter(unit=ward))
    assert len(visible) == 4
    assert School.objects.get(name="Trường Tiểu học Kim Đồng") in visible


def test_demo_teacher_manages_the_demo_class(demo):
    teacher = User.objects.get(username="gv.demo")
    managed = set(
        selectors.classes_managed_by(teacher).values_list("school__code", "name")
    )
    assert managed == {("72000101", "5A"), ("72000101", "5B")}
    assert (
        SchoolClass.objects.get(school__code="72000101", name="5A").homeroom_teacher
        == teacher
    )


def test_commands_print_a_summary_and_the_logins(demo):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert f"{demo.schools}" in out.getvalue()
    assert f"{demo.pupils}" in out.getvalue()

    out = StringIO()
    call_command("demo_logins", stdout=out)
    printed = out.getvalue()
    assert "http://127.0.0.1:8000/dang-nhap/" in printed
    for login in DEMO_LOGINS:
        assert login.username in printed
        assert login.password in printed


def test_the_printed_logins_say_who_must_set_up_an_authenticator_app(demo):
    """cb.tinh and admin meet a QR code at their first sign-in: say so beforehand."""
    out = StringIO()
    call_command("demo_logins", stdout=out)
    (line,) = [text for text in out.getvalue().splitlines() if "cb.tinh, admin" in text]
    assert "xác thực" in line.lower() or "authenticator" in line.lower()
    assert "10" in line


def test_demo_pupil_may_take_quizzes_and_some_pupils_lack_consent(demo):
    from lms.models import ConsentRecord, User
    from lms.people.consent import pupil_may_record_learning

    pupil = User.objects.get(username=DEMO_PUPIL)
    assert pupil_may_record_learning(pupil=pupil)
    without = User.objects.filter(role_assignments__role=Role.PUPIL).exclude(
        pk__in=ConsentRecord.objects.values("pupil")
    )
    # The consent overview has someone to show, but most pupils have consent.
    assert 0 < without.count() < ConsentRecord.objects.values("pupil").count()


def test_the_two_nguyen_minh_an_of_5a_are_told_apart(demo, client):
    school_class = SchoolClass.objects.get(school__code="72000101", name="5A")
    namesakes = Enrolment.objects.filter(
        school_class=school_class, pupil__display_name="Nguyễn Minh An"
    )
    assert namesakes.count() == 2
    teacher = User.objects.get(username="gv.demo")
    assignment_create(
        actor=teacher,
        school_class=school_class,
        module=learning_module(),
        opens_on=TODAY,
    )
    client.force_login(teacher)
    for page in ("lms:class_detail", "lms:class_progress"):
        html = client.get(
            reverse(page, kwargs={"class_id": school_class.pk})
        ).content.decode()
        for (number,) in namesakes.values_list("roster_number"):
            tagged = (
                f'Nguyễn Minh An <span class="muted name-tag">(STT {number})</span>'
            )
            assert tagged in html
        assert html.count("name-tag") == 2
    # What the live grid announces ("… has just completed …") names them apart too.
    grid = client.get(
        reverse("lms:class_progress", kwargs={"class_id": school_class.pk})
    ).content.decode()
    for (number,) in namesakes.values_list("roster_number"):
        assert f'data-name="Nguyễn Minh An (STT {number})"' in grid


def test_the_demo_pupil_has_work_to_do_at_first_sign_in(demo, client):
    """With the curriculum loaded (make run loads it first), the demo class has
    been given a module of its band, so the pupil's first page is not empty."""
    module = learning_module(title="Mật khẩu mạnh", slug="mat-khau-demo")
    demo_load(today=TODAY)  # the second run completes what the first could not
    school_class = SchoolClass.objects.get(school__code="72000101", name="5A")
    (assignment,) = school_class.assignments.all()
    assert assignment.module == module
    assert assignment.due_on > assignment.opens_on
    client.post(
        reverse("lms:login"), {"username": DEMO_PUPIL, "password": PUPIL_PASSWORD}
    )
    home = client.get(reverse("lms:home"))
    assert home.context["pupil_home"].has_assignments
    assert "Mật khẩu mạnh" in home.content.decode()
    demo_load(today=TODAY)  # and a third run gives nothing more
    assert school_class.assignments.count() == 1


def test_demo_logins_print_the_port_make_run_serves(demo):
    """``make run PORT=8101`` must not send people to :8000."""
    out = StringIO()
    call_command("demo_logins", "--address", "http://127.0.0.1:8101", stdout=out)
    assert "http://127.0.0.1:8101/dang-nhap/" in out.getvalue()
