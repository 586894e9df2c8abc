"""The demo province: Tây Ninh, with schools, classes, pupils, staff and officers.

``demo_load`` builds a believable province for ``make run`` and for trying the
platform out: eight communes and wards, thirty schools of every kind (primary,
lower and upper secondary, a multi-level school and two child care facilities),
this school year and the last with their terms, classes, pupils with common
Vietnamese names, and one account for every role with a fixed, documented password
(``DEMO_LOGINS``; ``manage.py demo_logins`` prints them).

Everything is keyed by an official code or a username and created only if missing,
so running it again changes nothing. Names come from a random generator with a fixed
seed, drawn in the same order on every run, so the demo pupils keep their names.
The school names, codes and phone numbers are invented; since 1 July 2025 Tây Ninh
(merged with Long An) has communes and wards directly under the province.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from content_cms.models import Audience, ModulePage
from content_cms.selectors import age_band_for_grade
from devdata.bulk import PlannedPupil, pupils_bulk_create
from lms.learning.services import assignment_create
from lms.models import (
    AdministrativeUnit,
    ConsentGiver,
    ConsentMethod,
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
from lms.people.consent import consent_record_bulk
from lms.people.services import role_assign

DEMO_SEED = 2026
STAFF_PASSWORD = "demo-Tayninh-2026"
PUPIL_PASSWORD = "meo-xanh-24"

# --- Calendar -------------------------------------------------------------------------

SCHOOL_YEAR_STARTS = (9, 5)  # 5 September
FIRST_TERM_ENDS = (1, 15)  # 15 January of the next calendar year
SCHOOL_YEAR_ENDS = (5, 31)  # 31 May of the next calendar year


def school_year_start(today: datetime.date) -> int:
    """Return the calendar year in which the current school year began.

    Over the summer holidays this is the year that has just ended: its classes
    and reports are the latest there are.
    """
    if today >= datetime.date(today.year, *SCHOOL_YEAR_STARTS):
        return today.year
    return today.year - 1


def school_year_ensure(*, start_year: int) -> SchoolYear:
    """Create the school year starting in ``start_year`` and its two terms."""
    end_year = start_year + 1
    school_year, _created = SchoolYear.objects.get_or_create(
        name=f"{start_year}-{end_year}",
        defaults={
            "starts_on": datetime.date(start_year, *SCHOOL_YEAR_STARTS),
            "ends_on": datetime.date(end_year, *SCHOOL_YEAR_ENDS),
        },
    )
    first_term_ends = datetime.date(end_year, *FIRST_TERM_ENDS)
    terms = [
        ("Học kỳ I", school_year.starts_on, first_term_ends),
        (
            "Học kỳ II",
            first_term_ends + datetime.timedelta(days=1),
            school_year.ends_on,
        ),
    ]
    for name, starts_on, ends_on in terms:
        ReportingPeriod.objects.get_or_create(
            school_year=school_year,
            name=name,
            defaults={"starts_on": starts_on, "ends_on": ends_on},
        )
    return school_year


def school_years_ensure(*, today: datetime.date) -> tuple[SchoolYear, SchoolYear]:
    """Create the current and the previous school year with their terms if missing."""
    start_year = school_year_start(today)
    return (
        school_year_ensure(start_year=start_year),
        school_year_ensure(start_year=start_year - 1),
    )


# --- Names --------------------------------------------------------------------------

FAMILY_NAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan",
    "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
]  # fmt: skip
# Most children carry "Nguyễn", "Trần" or "Lê"; the weights keep that feel.
FAMILY_WEIGHTS = [38, 11, 10, 7, 5, 4, 4, 4, 3, 3, 3, 2, 2, 2, 2]
MIDDLE_NAMES_FEMALE = ["Thị", "Ngọc", "Thanh", "Hoài", "Bảo", "Gia", "Minh", "Khánh"]
MIDDLE_NAMES_MALE = ["Văn", "Minh", "Gia", "Bảo", "Đức", "Thanh", "Hoài", "Quốc"]
GIVEN_NAMES_FEMALE = [
    "Chi", "Hà", "Hân", "Linh", "My", "Ngân", "Thảo", "Trâm", "Vy", "Yến",
    "Lan", "Mai", "Nhi", "Hương", "Trang", "Tâm", "An", "Tú",
]  # fmt: skip
GIVEN_NAMES_MALE = [
    "An", "Bình", "Dũng", "Huy", "Khoa", "Nam", "Phúc", "Quân", "Tâm", "Tú",
    "Khang", "Long", "Thịnh", "Đạt", "Hiếu", "Kiên", "Sơn", "Vinh",
]  # fmt: skip


def vietnamese_name(rng: random.Random) -> tuple[str, bool]:
    """Return a plausible full name (family, middle, given) and if it is a girl's."""
    female = rng.random() < 0.5
    family = rng.choices(FAMILY_NAMES, weights=FAMILY_WEIGHTS)[0]
    if female:
        middle = rng.choice(MIDDLE_NAMES_FEMALE)
        given = rng.choice(GIVEN_NAMES_FEMALE)
    else:
        middle = rng.choice(MIDDLE_NAMES_MALE)
        given = rng.choice(GIVEN_NAMES_MALE)
    return f"{family} {middle} {given}", female


# --- The province ---------------------------------------------------------------------


@dataclass(frozen=True)
class CommunePlan:
    code: str
    name: str
    level: str
    area_code: str  # telephone area code: 0276 for former Tây Ninh, 0272 for Long An


@dataclass(frozen=True)
class SchoolPlan:
    code: str
    name: str
    school_type: str
    commune_code: str


PROVINCE_CODE = "72"
PROVINCE_NAME = "Tỉnh Tây Ninh"

COMMUNES = [
    CommunePlan("25459", "Phường Tân Ninh", "phường", "0276"),
    CommunePlan("25480", "Phường Long Hoa", "phường", "0276"),
    CommunePlan("25507", "Phường Trảng Bàng", "phường", "0276"),
    CommunePlan("25531", "Xã Tân Biên", "xã", "0276"),
    CommunePlan("25573", "Xã Dương Minh Châu", "xã", "0276"),
    CommunePlan("25606", "Xã Bến Cầu", "xã", "0276"),
    CommunePlan("27694", "Phường Tân An", "phường", "0272"),
    CommunePlan("27817", "Xã Cần Giuộc", "xã", "0272"),
]

_P = SchoolType.PRIMARY
_L = SchoolType.LOWER_SECONDARY
_U = SchoolType.UPPER_SECONDARY
_M = SchoolType.MULTI_LEVEL
_C = SchoolType.CARE_FACILITY
SCHOOLS = [
    SchoolPlan("72000101", "Trường Tiểu học Kim Đồng", _P, "25459"),
    SchoolPlan("72000102", "Trường THCS Nguyễn Văn Trỗi", _L, "25459"),
    SchoolPlan("72000103", "Trường THPT Hoàng Lê Kha", _U, "25459"),
    SchoolPlan("72000104", "Trung tâm Bảo trợ xã hội Tây Ninh", _C, "25459"),
    SchoolPlan("72000201", "Trường Tiểu học Long Hoa", _P, "25480"),
    SchoolPlan("72000202", "Trường Tiểu học Lê Văn Tám", _P, "25480"),
    SchoolPlan("72000203", "Trường THCS Trần Hưng Đạo", _L, "25480"),
    SchoolPlan("72000204", "Trường THPT Lý Thường Kiệt", _U, "25480"),
    SchoolPlan("72000301", "Trường Tiểu học Võ Thị Sáu", _P, "25507"),
    SchoolPlan("72000302", "Trường Tiểu học An Tịnh", _P, "25507"),
    SchoolPlan("72000303", "Trường THCS Lộc Hưng", _L, "25507"),
    SchoolPlan("72000304", "Trường THPT Trảng Bàng", _U, "25507"),
    SchoolPlan("72000401", "Trường Tiểu học Thạnh Tây", _P, "25531"),
    SchoolPlan("72000402", "Trường Tiểu học Tân Biên", _P, "25531"),
    SchoolPlan("72000403", "Trường THCS Tân Biên", _L, "25531"),
    SchoolPlan("72000404", "Trường THCS và THPT Lê Hồng Phong", _M, "25531"),
    SchoolPlan("72000501", "Trường Tiểu học Suối Đá", _P, "25573"),
    SchoolPlan("72000502", "Trường Tiểu học Phước Minh", _P, "25573"),
    SchoolPlan("72000503", "Trường THCS Chu Văn An", _L, "25573"),
    SchoolPlan("72000504", "Trường THPT Dương Minh Châu", _U, "25573"),
    SchoolPlan("72000601", "Trường Tiểu học Long Thuận", _P, "25606"),
    SchoolPlan("72000602", "Trường THCS Lợi Thuận", _L, "25606"),
    SchoolPlan("72000603", "Cơ sở bảo trợ trẻ em Hoa Hồng", _C, "25606"),
    SchoolPlan("72000701", "Trường Tiểu học Nguyễn Du", _P, "27694"),
    SchoolPlan("72000702", "Trường Tiểu học Phan Bội Châu", _P, "27694"),
    SchoolPlan("72000703", "Trường THCS Lê Quý Đôn", _L, "27694"),
    SchoolPlan("72000704", "Trường THPT Tân An", _U, "27694"),
    SchoolPlan("72000801", "Trường Tiểu học Cần Giuộc", _P, "27817"),
    SchoolPlan("72000802", "Trường THCS Phước Lý", _L, "27817"),
    SchoolPlan("72000803", "Trường THPT Cần Giuộc", _U, "27817"),
]

# Classes of the current school year per kind of school: (grade, name). Two classes
# in each of three grades keeps the demo small; care facilities teach in groups
# by age, recorded at the grade their children are closest to.
CLASSES_BY_TYPE: dict[str, list[tuple[int, str]]] = {
    _P: [(1, "1A"), (1, "1B"), (3, "3A"), (3, "3B"), (5, "5A"), (5, "5B")],
    _L: [(6, "6A1"), (6, "6A2"), (7, "7A1"), (8, "8A1"), (9, "9A1"), (9, "9A2")],
    _U: [(10, "10A1"), (10, "10A2"), (11, "11A1"), (11, "11A2"), (12, "12A1"),
         (12, "12A2")],
    _M: [(6, "6A1"), (8, "8A1"), (9, "9A1"), (10, "10A1"), (11, "11A1"), (12, "12A1")],
    _C: [(3, "Nhóm Sơn Ca"), (6, "Nhóm Họa Mi"), (9, "Nhóm Chim Én")],
}  # fmt: skip

# The first schools (the demo commune's) have full classes; elsewhere fewer pupils
# keep the load quick.
FULL_SCHOOLS = 4
PUPILS_PER_FULL_CLASS = 20
PUPILS_PER_CLASS = 8

# --- The fixed demo accounts ----------------------------------------------------

DEMO_SCHOOL_CODE = "72000101"  # the first primary school
DEMO_COMMUNE_CODE = "25459"  # its ward
DEMO_CLASS_NAME = "5A"
DEMO_PUPIL = "hs.demo"
DEMO_PUPIL_NAME = "Nguyễn Minh An"
DEMO_TEACHER = "gv.demo"
DEMO_SCHOOL_ADMIN = "qt.demo"
DEMO_COUNSELLOR = "tv.demo"


@dataclass(frozen=True)
class DemoLogin:
    """One documented demo account: who it is and what it shows."""

    role: str
    username: str
    password: str
    sees: str


DEMO_LOGINS = [
    DemoLogin(
        Role.PUPIL,
        DEMO_PUPIL,
        PUPIL_PASSWORD,
        _("Class 5A of Kim Đồng primary school: modules, quizzes, the help button"),
    ),
    DemoLogin(
        Role.TEACHER,
        DEMO_TEACHER,
        STAFF_PASSWORD,
        _("The classes they teach (5A, 5B): roster and progress"),
    ),
    DemoLogin(
        Role.COUNSELLOR,
        DEMO_COUNSELLOR,
        STAFF_PASSWORD,
        _("Pupils' requests for help at Kim Đồng primary school"),
    ),
    DemoLogin(
        Role.SCHOOL_ADMIN,
        DEMO_SCHOOL_ADMIN,
        STAFF_PASSWORD,
        _("Every class of Kim Đồng primary school and the school's reports"),
    ),
    DemoLogin(
        Role.UNIT_OFFICER,
        "cb.xa",
        STAFF_PASSWORD,
        _("The schools of Tân Ninh ward: counts, never pupils' names"),
    ),
    DemoLogin(
        Role.COMMUNE_PROTECTION,
        "bvte.xa",
        STAFF_PASSWORD,
        _("Help requests the schools of Tân Ninh ward referred to the ward"),
    ),
    DemoLogin(
        Role.PROVINCE_OFFICER,
        "cb.tinh",
        STAFF_PASSWORD,
        _("Every school in the province: completion reports"),
    ),
    DemoLogin(
        Role.CONTENT_EDITOR,
        "bientap",
        STAFF_PASSWORD,
        _("The CMS at /cms/: writes modules and lessons"),
    ),
    DemoLogin(
        Role.CONTENT_REVIEWER,
        "duyet",
        STAFF_PASSWORD,
        _("The CMS at /cms/: reviews and publishes modules"),
    ),
    DemoLogin(
        Role.PLATFORM_ADMIN,
        "admin",
        STAFF_PASSWORD,
        _("Everything, including the CMS and the Django admin"),
    ),
]
DEMO_OFFICERS = {
    login.role: login.username
    for login in DEMO_LOGINS
    if login.role in {Role.UNIT_OFFICER, Role.COMMUNE_PROTECTION, Role.PROVINCE_OFFICER}
}
DEMO_PLATFORM_STAFF = {
    login.role: login.username
    for login in DEMO_LOGINS
    if login.role in {Role.CONTENT_EDITOR, Role.CONTENT_REVIEWER, Role.PLATFORM_ADMIN}
}


# --- Loading --------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """What the demo province holds; ``staff`` counts school staff and officers."""

    units: int
    schools: int
    classes: int
    pupils: int
    staff: int


def demo_load(*, today: datetime.date | None = None) -> DemoSummary:
    """Create the demo province, or complete it where something is missing.

    Running it again creates nothing and changes nothing that exists.
    """
    rng = random.Random(DEMO_SEED)
    # Hashing is slow on purpose; hash each demo password once and share it.
    staff_password = make_password(STAFF_PASSWORD)
    pupil_password = make_password(PUPIL_PASSWORD)
    with transaction.atomic():
        school_year, _previous = school_years_ensure(
            today=today or timezone.localdate()
        )
        province, communes = _units_ensure()
        planned_pupils: list[PlannedPupil] = []
        for index, plan in enumerate(SCHOOLS):
            school = _school_ensure(plan, communes[plan.commune_code], rng)
            classes = _classes_ensure(school, school_year)
            _school_staff_ensure(school, classes, rng, staff_password)
            per_class = (
                PUPILS_PER_FULL_CLASS if index < FULL_SCHOOLS else PUPILS_PER_CLASS
            )
            planned_pupils += _pupils_plan(school, classes, per_class, rng)
        pupils_bulk_create(pupils=planned_pupils, password_hash=pupil_password)
        _officers_ensure(province, communes, staff_password)
        _consent_ensure(province)
        _demo_assignment_ensure(today or timezone.localdate())
    return demo_summary(province)


# The demo class has work to do from the first sign-in: its teacher gives it the
# first pupils' module of its age band, due in two weeks (once the curriculum is
# loaded: ``make run`` loads it before the demo).
DEMO_ASSIGNMENT_DAYS = 14


def _demo_assignment_ensure(today: datetime.date) -> None:
    """Give the demo class one module, unless it has been given one already."""
    school_class = SchoolClass.objects.filter(
        school__code=DEMO_SCHOOL_CODE,
        name=DEMO_CLASS_NAME,
        school_year__starts_on__lte=today,
        school_year__ends_on__gte=today,
    ).first()
    if school_class is None or school_class.assignments.exists():
        return
    band = age_band_for_grade(school_class.grade)
    module = (
        ModulePage.objects.live()
        .filter(
            audience=Audience.PUPIL,
            age_bands=band,
            quiz__isnull=False,
            locale__language_code="vi",
        )
        .order_by("path")
        .first()
    )
    if band is None or module is None:
        return  # no curriculum yet
    assignment_create(
        actor=User.objects.get(username=DEMO_TEACHER),
        school_class=school_class,
        module=module,
        opens_on=today,
        due_on=today + datetime.timedelta(days=DEMO_ASSIGNMENT_DAYS),
    )


# Every tenth pupil (by roster number) of the full schools is left without consent,
# so the consent overview has someone to show; the demo pupil always has it.
DEMO_WITHOUT_CONSENT_EVERY = 10


def _consent_ensure(province: AdministrativeUnit) -> None:
    """Record paper-form consent for the demo pupils who have none yet."""
    recorder = User.objects.get(username=DEMO_SCHOOL_ADMIN)
    schools = School.objects.filter(unit__path__startswith=province.path)
    for school in schools:
        enrolments = Enrolment.objects.filter(
            school_class__school=school, left_on__isnull=True
        ).exclude(pupil__in=ConsentRecord.objects.values("pupil"))
        pupil_ids = [
            pupil_id
            for pupil_id, number, username in enrolments.values_list(
                "pupil_id", "roster_number", "pupil__username"
            )
            if username == DEMO_PUPIL or (number or 0) % DEMO_WITHOUT_CONSENT_EVERY != 7
        ]
        if pupil_ids:
            consent_record_bulk(
                recorded_by=recorder,
                school=school,
                pupil_ids=pupil_ids,
                given_by=[ConsentGiver.PARENT, ConsentGiver.CHILD],
                method=ConsentMethod.PAPER,
                consented_on=timezone.localdate(),
                notice_version="2026-1",
            )


def demo_summary(province: AdministrativeUnit) -> DemoSummary:
    """Count what the demo province holds."""
    schools = School.objects.filter(unit__path__startswith=province.path)
    staff_assignments = RoleAssignment.objects.filter(
        Q(school__in=schools) | Q(unit__path__startswith=province.path)
    ).exclude(role=Role.PUPIL)
    return DemoSummary(
        units=AdministrativeUnit.objects.filter(path__startswith=province.path).count(),
        schools=schools.count(),
        classes=SchoolClass.objects.filter(school__in=schools).count(),
        pupils=RoleAssignment.objects.filter(
            role=Role.PUPIL, school__in=schools
        ).count(),
        staff=staff_assignments.values("user").distinct().count(),
    )


def _units_ensure() -> tuple[AdministrativeUnit, dict[str, AdministrativeUnit]]:
    province = AdministrativeUnit.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        province = AdministrativeUnit.add_root(
            code=PROVINCE_CODE, name=PROVINCE_NAME, level="tỉnh"
        )
    communes = {}
    for plan in COMMUNES:
        commune = AdministrativeUnit.objects.filter(code=plan.code).first()
        if commune is None:
            # Re-read the province: treebeard keeps its child count in the row.
            province.refresh_from_db()
            commune = province.add_child(
                code=plan.code, name=plan.name, level=plan.level
            )
        communes[plan.code] = commune
    return province, communes


def _school_ensure(
    plan: SchoolPlan, commune: AdministrativeUnit, rng: random.Random
) -> School:
    area_code = next(c.area_code for c in COMMUNES if c.code == plan.commune_code)
    contact, female = vietnamese_name(rng)
    phone = f"{area_code} {rng.randint(3810, 3899)} {rng.randint(100, 999)}"
    school, _created = School.objects.get_or_create(
        code=plan.code,
        defaults={
            "name": plan.name,
            "school_type": plan.school_type,
            "unit": commune,
            "address": f"{commune.name}, {PROVINCE_NAME}",
            "contact_name": f"{'Cô' if female else 'Thầy'} {contact}",
            "contact_phone": phone,
        },
    )
    return school


def _classes_ensure(school: School, school_year: SchoolYear) -> list[SchoolClass]:
    classes = []
    for grade, name in CLASSES_BY_TYPE[school.school_type]:
        school_class, _created = SchoolClass.objects.get_or_create(
            school=school, school_year=school_year, name=name, defaults={"grade": grade}
        )
        classes.append(school_class)
    return classes


def _staff_ensure(
    *,
    username: str,
    display_name: str,
    password_hash: str,
    role: str,
    school: School | None = None,
    unit: AdministrativeUnit | None = None,
) -> User:
    superuser = role == Role.PLATFORM_ADMIN
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": display_name,
            "password": password_hash,
            "is_superuser": superuser,
            "is_staff": superuser,
        },
    )
    role_assign(user=user, role=role, school=school, unit=unit)
    return user


def _school_staff_ensure(
    school: School, classes: list[SchoolClass], rng: random.Random, password_hash: str
) -> None:
    """A school administrator, a counsellor, and a teacher for every two classes.

    Each teacher leads both their classes (homeroom) and teaches them.
    """
    demo = school.code == DEMO_SCHOOL_CODE
    _staff_ensure(
        username=DEMO_SCHOOL_ADMIN if demo else f"qt.{school.code}",
        display_name=vietnamese_name(rng)[0],
        password_hash=password_hash,
        role=Role.SCHOOL_ADMIN,
        school=school,
    )
    _staff_ensure(
        username=DEMO_COUNSELLOR if demo else f"tv.{school.code}",
        display_name=vietnamese_name(rng)[0],
        password_hash=password_hash,
        role=Role.COUNSELLOR,
        school=school,
    )
    for number, start in enumerate(range(0, len(classes), 2), start=1):
        pair = classes[start : start + 2]
        username = f"gv.{school.code}.{number}"
        if demo and DEMO_CLASS_NAME in {school_class.name for school_class in pair}:
            username = DEMO_TEACHER
        teacher = _staff_ensure(
            username=username,
            display_name=vietnamese_name(rng)[0],
            password_hash=password_hash,
            role=Role.TEACHER,
            school=school,
        )
        for school_class in pair:
            school_class.teachers.add(teacher)
            if school_class.homeroom_teacher_id is None:
                school_class.homeroom_teacher = teacher
                school_class.save(update_fields=["homeroom_teacher"])


def _pupils_plan(
    school: School, classes: list[SchoolClass], per_class: int, rng: random.Random
) -> list[PlannedPupil]:
    pupils = []
    for school_class in classes:
        class_slug = slugify(school_class.name)
        for number in range(1, per_class + 1):
            pupils.append(
                PlannedPupil(
                    username=f"hs.{school.code}.{class_slug}.{number:02d}",
                    display_name=vietnamese_name(rng)[0],
                    school_id=school.pk,
                    school_class_id=school_class.pk,
                    roster_number=number,
                )
            )
        if school.code == DEMO_SCHOOL_CODE and school_class.name == DEMO_CLASS_NAME:
            pupils.append(
                PlannedPupil(
                    username=DEMO_PUPIL,
                    display_name=DEMO_PUPIL_NAME,
                    school_id=school.pk,
                    school_class_id=school_class.pk,
                    roster_number=per_class + 1,
                )
            )
    return pupils


def _officers_ensure(
    province: AdministrativeUnit,
    communes: dict[str, AdministrativeUnit],
    password_hash: str,
) -> None:
    _staff_ensure(
        username=DEMO_OFFICERS[Role.UNIT_OFFICER],
        display_name="Trần Văn Phúc",
        password_hash=password_hash,
        role=Role.UNIT_OFFICER,
        unit=communes[DEMO_COMMUNE_CODE],
    )
    _staff_ensure(
        username=DEMO_OFFICERS[Role.COMMUNE_PROTECTION],
        display_name="Đặng Thị Mai",
        password_hash=password_hash,
        role=Role.COMMUNE_PROTECTION,
        unit=communes[DEMO_COMMUNE_CODE],
    )
    _staff_ensure(
        username=DEMO_OFFICERS[Role.PROVINCE_OFFICER],
        display_name="Lê Thị Thu Hà",
        password_hash=password_hash,
        role=Role.PROVINCE_OFFICER,
        unit=province,
    )
    platform_names = {
        Role.CONTENT_EDITOR: "Phạm Ngọc Trâm",
        Role.CONTENT_REVIEWER: "Võ Minh Khoa",
        Role.PLATFORM_ADMIN: "Quản trị hệ thống",
    }
    for role, username in DEMO_PLATFORM_STAFF.items():
        _staff_ensure(
            username=username,
            display_name=platform_names[role],
            password_hash=password_hash,
            role=role,
        )
