"""The organisation's writes: units, schools, the calendar, classes and staff accounts.

Each service checks the actor's reach through lms.people.selectors and refuses bad
input with a message, writing nothing.
"""

import datetime

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    AuditEntry,
    Enrolment,
    ReportingPeriod,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    User,
)
from lms.people import organisation, selectors, services
from tests.factories import (
    ReportingPeriodFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    UnitFactory,
    UserFactory,
    make_pupil,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two provinces, a commune and a school in each, and the people who run them."""
    province = UnitFactory(name="Tây Ninh", code="TN")
    commune = UnitFactory(parent=province, name="Phường Tân Ninh", code="TN-01")
    other_commune = UnitFactory(
        parent=province, name="Xã Dương Minh Châu", code="TN-02"
    )
    school = SchoolFactory(unit=commune, code="TH-001")
    foreign_province = UnitFactory(name="Đồng Nai", code="DN")
    foreign_commune = UnitFactory(parent=foreign_province, code="DN-01")
    foreign_school = SchoolFactory(unit=foreign_commune, code="TH-900")

    class World:
        pass

    w = World()
    w.province, w.commune, w.other_commune = province, commune, other_commune
    w.school = school
    w.foreign_province, w.foreign_commune = foreign_province, foreign_commune
    w.foreign_school = foreign_school
    w.platform_admin = make_staff(Role.PLATFORM_ADMIN)
    w.officer = make_staff(Role.PROVINCE_OFFICER, unit=province)
    w.unit_officer = make_staff(Role.UNIT_OFFICER, unit=commune)
    w.school_admin = make_staff(Role.SCHOOL_ADMIN, school=school)
    w.teacher = make_staff(Role.TEACHER, school=school)
    w.foreign_teacher = make_staff(Role.TEACHER, school=foreign_school)
    return w


# --- Units ----------


def test_officer_adds_a_commune_under_their_province(world):
    unit = organisation.unit_create(
        actor=world.officer,
        name="Xã Hòa Thành",
        code="TN-03",
        level="commune",
        parent=world.province,
    )
    assert unit.get_parent() == world.province
    assert unit in selectors.units_managed_by(world.officer)


def test_only_the_platform_admin_adds_a_province(world):
    with pytest.raises(LmsError):
        organisation.unit_create(
            actor=world.officer, name="Bình Dương", code="BD", level="province"
        )
    unit = organisation.unit_create(
        actor=world.platform_admin, name="Bình Dương", code="BD", level="province"
    )
    assert unit.is_root()


@pytest.mark.parametrize("code", ["TN-01", "tn-01"])
def test_a_duplicate_unit_code_is_refused(world, code):
    count = AdministrativeUnit.objects.count()
    with pytest.raises(LmsError) as error:
        organisation.unit_create(
            actor=world.officer,
            name="Trùng",
            code=code,
            level="commune",
            parent=world.province,
        )
    assert error.value.code == "unit_code_taken"
    assert AdministrativeUnit.objects.count() == count


def test_officer_cannot_add_under_another_province(world):
    with pytest.raises(LmsError):
        organisation.unit_create(
            actor=world.officer,
            name="Lạ",
            code="X-1",
            level="commune",
            parent=world.foreign_province,
        )
    assert not AdministrativeUnit.objects.filter(code="X-1").exists()


def test_unit_officer_only_reads(world):
    with pytest.raises(LmsError):
        organisation.unit_create(
            actor=world.unit_officer,
            name="Ấp",
            code="TN-01-1",
            level="hamlet",
            parent=world.commune,
        )


def test_moving_a_unit_moves_its_schools_with_it(world):
    organisation.unit_update(
        actor=world.officer,
        unit=world.commune,
        name=world.commune.name,
        code=world.commune.code,
        level="ward",
        parent=world.other_commune,
    )
    world.commune.refresh_from_db()
    assert world.commune.get_parent() == world.other_commune
    assert world.school in School.objects.filter(
        unit__path__startswith=world.other_commune.path
    )
    assert AuditEntry.objects.filter(action="unit_move").exists()


def test_a_unit_cannot_move_under_itself(world):
    child = UnitFactory(parent=world.commune, code="TN-01-A")
    with pytest.raises(LmsError) as error:
        organisation.unit_update(
            actor=world.officer,
            unit=world.commune,
            name="Đổi tên",
            code=world.commune.code,
            level="commune",
            parent=child,
        )
    assert error.value.code == "unit_move_into_itself"
    world.commune.refresh_from_db()
    assert world.commune.name == "Phường Tân Ninh"  # nothing written


# --- Schools ----------


def school_fields(**overrides):
    fields = {
        "name": "Trường THCS Lê Lợi",
        "code": "THCS-01",
        "school_type": "lower_secondary",
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    fields.update(overrides)
    return fields


def test_officer_creates_a_school_in_their_province(world):
    school = organisation.school_create(
        actor=world.officer, unit=world.commune, **school_fields()
    )
    assert school.unit == world.commune
    assert AuditEntry.objects.filter(
        action="school_create", target_id=str(school.pk)
    ).exists()


@pytest.mark.parametrize("code", ["TH-001", "th-001", "TH-900"])
def test_a_duplicate_school_code_is_refused(world, code):
    with pytest.raises(LmsError) as error:
        organisation.school_create(
            actor=world.officer, unit=world.commune, **school_fields(code=code)
        )
    assert error.value.code == "school_code_taken"
    assert School.objects.filter(code__iexact=code).count() == 1


def test_a_school_outside_the_officers_province_is_refused(world):
    with pytest.raises(LmsError) as error:
        organisation.school_create(
            actor=world.officer, unit=world.foreign_commune, **school_fields()
        )
    assert error.value.code == "unit_not_found"
    assert not School.objects.filter(code="THCS-01").exists()


def test_officer_cannot_edit_another_provinces_school(world):
    with pytest.raises(LmsError):
        organisation.school_update(
            actor=world.officer,
            school=world.foreign_school,
            code="TH-900",
            name="Đổi",
        )
    world.foreign_school.refresh_from_db()
    assert world.foreign_school.name != "Đổi"


def test_moving_a_school_keeps_its_classes_pupils_and_writes_an_audit_entry(world):
    school_class = SchoolClassFactory(school=world.school)
    pupil = make_pupil(school_class)
    organisation.school_update(
        actor=world.officer,
        school=world.school,
        code=world.school.code,
        unit=world.other_commune,
        name="Trường mới tên",
    )
    world.school.refresh_from_db()
    assert world.school.unit == world.other_commune
    assert world.school.name == "Trường mới tên"
    assert SchoolClass.objects.get(pk=school_class.pk).school == world.school
    assert Enrolment.objects.filter(pupil=pupil, school_class=school_class).exists()
    entry = AuditEntry.objects.get(action="school_move")
    assert entry.actor == world.officer
    assert entry.details["from_unit"] == world.commune.pk
    assert entry.details["to_unit"] == world.other_commune.pk


def test_a_school_cannot_move_to_another_province(world):
    with pytest.raises(LmsError):
        organisation.school_move(
            actor=world.officer, school=world.school, unit=world.foreign_commune
        )
    world.school.refresh_from_db()
    assert world.school.unit == world.commune
    assert not AuditEntry.objects.filter(action="school_move").exists()


# --- School years and reporting periods ----------


def test_a_new_school_year_copies_last_years_terms_a_year_later(world):
    last = SchoolYearFactory(
        name="2025-2026",
        starts_on=datetime.date(2025, 9, 5),
        ends_on=datetime.date(2026, 5, 31),
    )
    ReportingPeriodFactory(
        school_year=last,
        name="Học kỳ I",
        starts_on=datetime.date(2025, 9, 5),
        ends_on=datetime.date(2026, 1, 15),
    )
    ReportingPeriodFactory(
        school_year=last,
        name="Học kỳ II",
        starts_on=datetime.date(2026, 1, 19),
        ends_on=datetime.date(2026, 5, 31),
    )
    year = organisation.school_year_create(
        actor=world.officer,
        name="2026-2027",
        starts_on=datetime.date(2026, 9, 5),
        ends_on=datetime.date(2027, 5, 31),
        copy_periods=True,
    )
    periods = list(year.periods.order_by("starts_on"))
    assert [p.name for p in periods] == ["Học kỳ I", "Học kỳ II"]
    assert periods[0].starts_on == datetime.date(2026, 9, 5)
    assert periods[1].ends_on == datetime.date(2027, 5, 31)
    assert last.periods.count() == 2  # last year's are untouched


def test_a_school_year_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(ValidationError):
        organisation.school_year_create(
            actor=world.officer,
            name="2027-2028",
            starts_on=datetime.date(2027, 9, 5),
            ends_on=datetime.date(2027, 5, 31),
        )
    assert not SchoolYear.objects.filter(name="2027-2028").exists()


def test_a_duplicate_school_year_name_is_refused(world):
    SchoolYearFactory(name="2026-2027")
    with pytest.raises(LmsError):
        organisation.school_year_create(
            actor=world.platform_admin,
            name="2026-2027",
            starts_on=datetime.date(2026, 9, 1),
            ends_on=datetime.date(2027, 5, 1),
        )


@pytest.mark.parametrize("who", ["unit_officer", "school_admin", "teacher"])
def test_only_province_officers_and_the_platform_admin_keep_the_calendar(world, who):
    with pytest.raises(LmsError):
        organisation.school_year_create(
            actor=getattr(world, who),
            name="2030-2031",
            starts_on=datetime.date(2030, 9, 1),
            ends_on=datetime.date(2031, 5, 1),
        )


def test_a_period_outside_its_year_is_refused(world):
    year = SchoolYearFactory()
    with pytest.raises(LmsError) as error:
        organisation.reporting_period_create(
            actor=world.officer,
            school_year=year,
            name="Hè",
            starts_on=datetime.date(2027, 6, 1),
            ends_on=datetime.date(2027, 8, 1),
        )
    assert error.value.code == "period_outside_year"
    assert not ReportingPeriod.objects.filter(name="Hè").exists()


# --- Classes ----------


def test_school_admin_opens_a_class_with_their_schools_teachers(world):
    year = SchoolYearFactory()
    homeroom = make_staff(Role.TEACHER, school=world.school)
    school_class = organisation.class_create(
        actor=world.school_admin,
        school=world.school,
        school_year=year,
        name=" 6A1 ",
        grade=6,
        homeroom_teacher=homeroom,
        teachers=[world.teacher],
    )
    assert school_class.name == "6A1"
    assert list(school_class.teachers.all()) == [world.teacher]
    assert school_class in selectors.classes_managed_by(world.teacher)


def test_a_class_in_another_school_is_refused(world):
    with pytest.raises(LmsError):
        organisation.class_create(
            actor=world.school_admin,
            school=world.foreign_school,
            school_year=SchoolYearFactory(),
            name="6A1",
            grade=6,
        )
    assert not SchoolClass.objects.exists()


def test_a_teacher_of_another_school_is_refused(world):
    with pytest.raises(LmsError) as error:
        organisation.class_create(
            actor=world.school_admin,
            school=world.school,
            school_year=SchoolYearFactory(),
            name="6A1",
            grade=6,
            homeroom_teacher=world.foreign_teacher,
        )
    assert error.value.code == "teacher_not_at_school"
    assert not SchoolClass.objects.exists()


@pytest.mark.parametrize("name", ["6A1", "6a1"])
def test_a_class_name_used_twice_in_a_year_is_refused(world, name):
    year = SchoolYearFactory()
    SchoolClassFactory(school=world.school, school_year=year, name="6A1", grade=6)
    with pytest.raises(LmsError) as error:
        organisation.class_create(
            actor=world.school_admin,
            school=world.school,
            school_year=year,
            name=name,
            grade=6,
        )
    assert error.value.code == "class_name_taken"
    assert SchoolClass.objects.count() == 1


def test_renaming_a_class_onto_another_is_refused(world):
    year = SchoolYearFactory()
    SchoolClassFactory(school=world.school, school_year=year, name="6A1", grade=6)
    other = SchoolClassFactory(school=world.school, school_year=year, name="6A2")
    with pytest.raises(LmsError):
        organisation.class_update(
            actor=world.school_admin,
            school_class=other,
            school_year=year,
            name="6A1",
            grade=6,
        )
    other.refresh_from_db()
    assert other.name == "6A2"


def test_a_grade_outside_1_to_12_is_refused(world):
    with pytest.raises(ValidationError):
        organisation.class_create(
            actor=world.school_admin,
            school=world.school,
            school_year=SchoolYearFactory(),
            name="13A",
            grade=13,
        )


# --- Staff accounts ----------


def test_school_admin_creates_a_teacher_with_a_one_time_password(world):
    user, password = services.school_staff_create(
        actor=world.school_admin,
        school=world.school,
        role=Role.TEACHER,
        username="co.hoa",
        display_name="Cô Hoa",
    )
    assert user.must_change_password
    assert (
        ModelBackend().authenticate(None, username="co.hoa", password=password) == user
    )
    assert RoleAssignment.objects.filter(
        user=user, role=Role.TEACHER, school=world.school
    ).exists()
    assert user in selectors.staff_of_school(world.school)


def test_a_colliding_username_is_refused(world):
    UserFactory(username="co.hoa")
    with pytest.raises(LmsError) as error:
        services.school_staff_create(
            actor=world.school_admin,
            school=world.school,
            role=Role.TEACHER,
            username="Co.Hoa",
            display_name="Cô Hoa",
        )
    assert error.value.code == "username_taken"
    assert User.objects.filter(username__iexact="co.hoa").count() == 1


@pytest.mark.parametrize("role", [Role.PROVINCE_OFFICER, Role.PUPIL])
def test_only_staff_roles_are_given(world, role):
    with pytest.raises(LmsError):
        services.school_staff_create(
            actor=world.school_admin,
            school=world.school,
            role=role,
            username="ai.do",
            display_name="Ai đó",
        )
    assert not User.objects.filter(username="ai.do").exists()


def test_staff_of_another_school_is_refused(world):
    with pytest.raises(LmsError):
        services.school_staff_create(
            actor=world.school_admin,
            school=world.foreign_school,
            role=Role.TEACHER,
            username="ai.do",
            display_name="Ai đó",
        )
    assert not User.objects.filter(username="ai.do").exists()


def test_province_officer_appoints_a_new_schools_first_admin(world):
    school = SchoolFactory(unit=world.other_commune)
    user, _ = services.school_staff_create(
        actor=world.officer,
        school=school,
        role=Role.SCHOOL_ADMIN,
        username="thay.nam",
        display_name="Thầy Nam",
    )
    assert school in selectors.schools_administered_by(user)


def test_password_reset_gives_a_new_one_time_password(world):
    world.teacher.must_change_password = False
    world.teacher.save()
    password = services.staff_password_reset(
        actor=world.school_admin, account=world.teacher
    )
    world.teacher.refresh_from_db()
    assert world.teacher.must_change_password
    assert world.teacher.check_password(password)
    assert AuditEntry.objects.filter(action="staff_password_reset").exists()


def test_school_admin_cannot_reset_an_officer_who_also_teaches(world):
    # The officer also holds a teacher role at the school: resetting their password
    # would hand the school administrator a province's reach.
    services.role_assign(user=world.officer, role=Role.TEACHER, school=world.school)
    before = world.officer.password
    with pytest.raises(LmsError):
        services.staff_password_reset(actor=world.school_admin, account=world.officer)
    world.officer.refresh_from_db()
    assert world.officer.password == before


def test_school_admin_cannot_reset_another_schools_teacher(world):
    with pytest.raises(LmsError):
        services.staff_password_reset(
            actor=world.school_admin, account=world.foreign_teacher
        )


def test_deactivated_staff_cannot_sign_in_and_leave_the_class_choices(world):
    services.staff_deactivate(actor=world.school_admin, account=world.teacher)
    world.teacher.refresh_from_db()
    assert not world.teacher.is_active
    assert world.teacher not in selectors.staff_of_school(world.school)
    assert (
        ModelBackend().authenticate(
            None, username=world.teacher.username, password="mat-khau-Dai-123"
        )
        is None
    )


def test_school_admin_cannot_close_their_own_account(world):
    with pytest.raises(LmsError):
        services.staff_deactivate(actor=world.school_admin, account=world.school_admin)


def test_changing_a_staff_role(world):
    assignment = RoleAssignment.objects.get(user=world.teacher)
    new = services.staff_role_change(
        actor=world.school_admin, assignment=assignment, role=Role.COUNSELLOR
    )
    assert new.role == Role.COUNSELLOR
    assert list(
        RoleAssignment.objects.filter(user=world.teacher).values_list("role", flat=True)
    ) == [Role.COUNSELLOR]
