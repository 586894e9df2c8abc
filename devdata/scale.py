"""A province-scale database for benchmarks (``manage.py generate_scale``).

Tây Ninh after its 2025 merger has about 1,022 schools and 573,000 pupils, so the
target is 1,000 schools of 600 pupils. Everything is written with bulk inserts in
batches (``devdata.bulk``), every account shares one password hash, and pupils are
generated lazily, one batch at a time, so memory stays flat whatever the size.

What it builds: a province with 96 communes; schools spread over the communes and,
one in twenty of each kind, over the school types in about the province's mix;
classes of about 35 pupils over the grades of each school, each with a homeroom
teacher; a school administrator per school; the pupils, each with the pupil role at
their school and an enrolment in a class of the current school year; and what a load
test needs (``devdata.scale_load``): consent, an assignment per class, login cards a
benchmark can compute, a unit officer per commune and a province officer.

Everything it creates is marked: unit and school codes start with ``SCALE-`` and
usernames with ``scale-``, so it lives beside the demo province and ``scale_reset``
removes exactly it. Every account's password is ``SCALE_PASSWORD``.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from common.hashers import pupil_password_hasher
from devdata.bulk import (
    BATCH_SIZE,
    PlannedPupil,
    batches,
    pupils_bulk_create,
    school_roles_bulk_assign,
    users_bulk_ensure,
)
from devdata.demo import school_years_ensure, vietnamese_name
from devdata.scale_load import scale_load_ready
from lms.models import (
    AdministrativeUnit,
    ConsentRecord,
    Role,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
    User,
)

SCALE_CODE_PREFIX = "SCALE-"
SCALE_USERNAME_PREFIX = "scale-"
SCALE_PROVINCE_CODE = f"{SCALE_CODE_PREFIX}72"
SCALE_PASSWORD = "scale-Tayninh-2026"
SCALE_SEED = 1022
COMMUNES = 96
PUPILS_PER_CLASS = 35

# Ten primary, six lower secondary, two upper secondary, one multi-level school and
# one care facility in every twenty: close to the province's mix.
SCHOOL_TYPE_CYCLE = (
    [SchoolType.PRIMARY] * 10
    + [SchoolType.LOWER_SECONDARY] * 6
    + [SchoolType.UPPER_SECONDARY] * 2
    + [SchoolType.MULTI_LEVEL, SchoolType.CARE_FACILITY]
)
GRADES_BY_TYPE = {
    SchoolType.PRIMARY: list(range(1, 6)),
    SchoolType.LOWER_SECONDARY: list(range(6, 10)),
    SchoolType.UPPER_SECONDARY: list(range(10, 13)),
    SchoolType.MULTI_LEVEL: list(range(6, 13)),
    SchoolType.CARE_FACILITY: list(range(1, 13)),
}
NAME_PREFIX_BY_TYPE = {
    SchoolType.PRIMARY: "Trường Tiểu học",
    SchoolType.LOWER_SECONDARY: "Trường THCS",
    SchoolType.UPPER_SECONDARY: "Trường THPT",
    SchoolType.MULTI_LEVEL: "Trường THCS và THPT",
    SchoolType.CARE_FACILITY: "Cơ sở bảo trợ trẻ em",
}


@dataclass(frozen=True)
class ScaleSchool:
    number: int  # 1-based, as in its code and its people's usernames
    pk: int
    school_type: str


@dataclass(frozen=True)
class ScaleReport:
    schools: int
    classes: int
    staff: int
    pupils: int
    answers: int
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def scale_generate(
    *,
    schools: int,
    pupils_per_school: int,
    answers_per_pupil: int = 0,
    batch_size: int = BATCH_SIZE,
    on_pupils: Callable[[int], None] | None = None,
    today: datetime.date | None = None,
) -> ScaleReport:
    """Fill the database with ``schools`` schools of ``pupils_per_school`` pupils.

    What exists already (same codes, same usernames) is kept, so an interrupted run
    can simply be started again. ``on_pupils`` is told how many pupils each batch
    handled. Returns what was created and how fast.
    """
    started = time.perf_counter()
    rng = random.Random(SCALE_SEED)
    password_hash = make_password(SCALE_PASSWORD)
    with transaction.atomic():
        school_year, _previous = school_years_ensure(
            today=today or timezone.localdate()
        )
        communes = _communes_ensure()
        scale_schools, schools_created = _schools_ensure(schools, communes, batch_size)
        classes, classes_created, staff_created = _classes_and_staff_ensure(
            scale_schools,
            school_year,
            pupils_per_school=pupils_per_school,
            password_hash=password_hash,
            rng=rng,
            batch_size=batch_size,
        )
    pupils_created = pupils_bulk_create(
        pupils=_pupils_plan(scale_schools, classes, pupils_per_school, rng),
        # Pupils' passwords take the pupils' hasher, as real ones do.
        password_hash=make_password(SCALE_PASSWORD, hasher=pupil_password_hasher()),
        batch_size=batch_size,
        on_batch=on_pupils,
    )
    # Consent, assignments, computable card keys and officers: what a load test
    # needs (devdata/scale_load.py).
    load_ready = scale_load_ready(
        school_ids=[school.pk for school in scale_schools],
        communes=communes,
        batch_size=batch_size,
    )
    answers_created = learning_records_generate(
        school_ids=[school.pk for school in scale_schools],
        answers_per_pupil=answers_per_pupil,
        batch_size=batch_size,
    )
    # A pupil is four rows (account, role, group membership, enrolment), a member of
    # staff three, a class two (the class, its teacher link).
    rows = (
        schools_created
        + 2 * classes_created
        + 3 * staff_created
        + 4 * pupils_created
        + answers_created
        + sum(load_ready.values())
    )
    return ScaleReport(
        schools=schools_created,
        classes=classes_created,
        staff=staff_created,
        pupils=pupils_created,
        answers=answers_created,
        rows=rows,
        seconds=time.perf_counter() - started,
    )


def learning_records_generate(
    *, school_ids: list[int], answers_per_pupil: int, batch_size: int = BATCH_SIZE
) -> int:
    """Extension point: give the generated pupils answers and progress.

    Gives every class of ``school_ids`` a module and each pupil a submitted
    attempt with ``answers_per_pupil`` answers, progress and the rollups they
    imply (``devdata.scale_learning``; attempts with fewer answers are topped up),
    and returns the number of rows written: 0 when no pupils' module with a quiz
    is loaded (``manage.py load_curriculum``), no answers were asked for or
    every pupil has them already.
    """
    from devdata.scale_learning import learning_records_bulk_create

    return learning_records_bulk_create(
        school_ids=school_ids,
        answers_per_pupil=answers_per_pupil,
        batch_size=batch_size,
    )


def learning_records_possible() -> bool:
    """Return whether there is a module to give (``manage.py load_curriculum``)."""
    from devdata.scale_learning import module_and_version

    return module_and_version()[1] is not None


def scale_reset(
    *, batch_size: int = BATCH_SIZE, on_users: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Delete everything ``scale_generate`` created; leave everything else alone.

    Accounts go in batches (deleting one cascades to its roles, memberships and
    enrolments), then the schools (their classes), then the units. School years
    are shared with the rest of the database and stay.
    """
    user_ids = list(
        User.objects.filter(username__startswith=SCALE_USERNAME_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for batch in batches(user_ids, batch_size):
        with transaction.atomic():
            # Consent records protect their pupil (privacy law keeps them); these
            # are generated ones, deleted with their generated pupils.
            ConsentRecord.objects.filter(pupil_id__in=batch).delete()
            User.objects.filter(pk__in=batch).delete()
        if on_users is not None:
            on_users(len(batch))
    with transaction.atomic():
        _total, deleted = School.objects.filter(
            code__startswith=SCALE_CODE_PREFIX
        ).delete()
        units = AdministrativeUnit.objects.filter(
            code__startswith=SCALE_CODE_PREFIX
        ).count()
        # Deleting the root deletes its subtree (treebeard's queryset delete).
        AdministrativeUnit.objects.filter(code=SCALE_PROVINCE_CODE).delete()
        AdministrativeUnit.objects.filter(code__startswith=SCALE_CODE_PREFIX).delete()
    schools = deleted.get(School._meta.label, 0)
    return {"users": len(user_ids), "schools": schools, "units": units}


def scale_user_count() -> int:
    return User.objects.filter(username__startswith=SCALE_USERNAME_PREFIX).count()


# --- Steps ----------------------------------------------------------------------------


def _communes_ensure() -> list[AdministrativeUnit]:
    province = AdministrativeUnit.objects.filter(code=SCALE_PROVINCE_CODE).first()
    if province is None:
        province = AdministrativeUnit.add_root(
            code=SCALE_PROVINCE_CODE,
            name="Tỉnh quy mô (dữ liệu thử nghiệm)",
            level="tỉnh",
        )
    existing = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(
            code__startswith=f"{SCALE_PROVINCE_CODE}-"
        )
    }
    planned = []
    for number in range(1, COMMUNES + 1):
        level = "phường" if number % 4 == 0 else "xã"
        name = f"{level.capitalize()} Quy Mô {number:03d}"
        planned.append((f"{SCALE_PROVINCE_CODE}-{number:03d}", name, level))
    # Units keep their children sorted by name: adding in name order appends each
    # one, where adding out of order would renumber the siblings every time.
    for code, name, level in sorted(planned, key=lambda unit: unit[1]):
        if code not in existing:
            # Re-read the province: treebeard keeps its child count in the row.
            province.refresh_from_db()
            existing[code] = province.add_child(code=code, name=name, level=level)
    return [existing[code] for code, _name, _level in planned]


def _schools_ensure(
    count: int, communes: list[AdministrativeUnit], batch_size: int
) -> tuple[list[ScaleSchool], int]:
    codes = [f"{SCALE_CODE_PREFIX}{number:05d}" for number in range(1, count + 1)]
    existing = set(School.objects.filter(code__in=codes).values_list("code", flat=True))
    new = []
    for number, code in enumerate(codes, start=1):
        if code in existing:
            continue
        school_type = SCHOOL_TYPE_CYCLE[(number - 1) % len(SCHOOL_TYPE_CYCLE)]
        commune = communes[(number - 1) % len(communes)]
        new.append(
            School(
                code=code,
                name=f"{NAME_PREFIX_BY_TYPE[school_type]} Quy Mô {number:05d}",
                school_type=school_type,
                unit=commune,
                address=commune.name,
            )
        )
    School.objects.bulk_create(new, batch_size=batch_size)
    schools = [
        ScaleSchool(
            number=int(code.removeprefix(SCALE_CODE_PREFIX)), pk=pk, school_type=kind
        )
        for code, pk, kind in School.objects.filter(code__in=codes)
        .order_by("code")
        .values_list("code", "pk", "school_type")
    ]
    return schools, len(new)


def _class_names(school_type: str, pupils: int) -> list[tuple[int, str]]:
    """Return (grade, name) of each class: about 35 pupils each, over the grades."""
    grades = GRADES_BY_TYPE[school_type]
    count = max(1, math.ceil(pupils / PUPILS_PER_CLASS))
    return [
        (grades[k % len(grades)], f"{grades[k % len(grades)]}A{k // len(grades) + 1}")
        for k in range(count)
    ]


def _classes_and_staff_ensure(
    schools: list[ScaleSchool],
    school_year: SchoolYear,
    *,
    pupils_per_school: int,
    password_hash: str,
    rng: random.Random,
    batch_size: int,
) -> tuple[dict[int, list[int]], int, int]:
    """Create each school's classes, a homeroom teacher per class and an administrator.

    Returns the class ids of each school (in the order pupils are dealt to them),
    and how many classes and staff accounts were created.
    """
    TeacherLink = SchoolClass.teachers.through
    per_school = len(_class_names(SchoolType.PRIMARY, pupils_per_school)) + 1
    classes: dict[int, list[int]] = {}
    classes_created = staff_created = 0
    for chunk in batches(schools, max(1, batch_size // per_school)):
        plans = {
            school.pk: _class_names(school.school_type, pupils_per_school)
            for school in chunk
        }
        admins = {
            f"{SCALE_USERNAME_PREFIX}qt-{school.number:05d}": school.pk
            for school in chunk
        }
        teachers = {
            f"{SCALE_USERNAME_PREFIX}gv-{school.number:05d}-{k + 1:02d}": (
                school.pk,
                name,
            )
            for school in chunk
            for k, (_grade, name) in enumerate(plans[school.pk])
        }
        user_ids, created = users_bulk_ensure(
            accounts=[
                (username, vietnamese_name(rng)[0]) for username in [*admins, *teachers]
            ],
            password_hash=password_hash,
        )
        staff_created += created
        school_roles_bulk_assign(
            role=Role.SCHOOL_ADMIN,
            user_schools={user_ids[username]: pk for username, pk in admins.items()},
            batch_size=batch_size,
        )
        school_roles_bulk_assign(
            role=Role.TEACHER,
            user_schools={
                user_ids[username]: pk for username, (pk, _name) in teachers.items()
            },
            batch_size=batch_size,
        )
        homeroom = {key: user_ids[username] for username, key in teachers.items()}
        existing = set(
            SchoolClass.objects.filter(
                school_id__in=plans, school_year=school_year
            ).values_list("school_id", "name")
        )
        new_classes = [
            SchoolClass(
                school_id=pk,
                school_year=school_year,
                grade=grade,
                name=name,
                homeroom_teacher_id=homeroom[(pk, name)],
            )
            for pk, plan in plans.items()
            for grade, name in plan
            if (pk, name) not in existing
        ]
        SchoolClass.objects.bulk_create(new_classes, batch_size=batch_size)
        classes_created += len(new_classes)
        class_ids = {
            (pk, name): class_pk
            for pk, name, class_pk in SchoolClass.objects.filter(
                school_id__in=plans, school_year=school_year
            ).values_list("school_id", "name", "pk")
        }
        TeacherLink.objects.bulk_create(
            [
                TeacherLink(schoolclass_id=class_ids[key], user_id=teacher_id)
                for key, teacher_id in homeroom.items()
            ],
            batch_size=batch_size,
            ignore_conflicts=True,
        )
        for pk, plan in plans.items():
            classes[pk] = [class_ids[(pk, name)] for _grade, name in plan]
    return classes, classes_created, staff_created


def _pupils_plan(
    schools: list[ScaleSchool],
    classes: dict[int, list[int]],
    pupils_per_school: int,
    rng: random.Random,
) -> Iterator[PlannedPupil]:
    """Yield each school's pupils, dealt round the classes like a roster."""
    for school in schools:
        class_ids = classes[school.pk]
        prefix = f"{SCALE_USERNAME_PREFIX}hs-{school.number:05d}"
        for index in range(pupils_per_school):
            yield PlannedPupil(
                username=f"{prefix}-{index + 1:04d}",
                display_name=vietnamese_name(rng)[0],
                school_id=school.pk,
                school_class_id=class_ids[index % len(class_ids)],
                roster_number=index // len(class_ids) + 1,
            )
