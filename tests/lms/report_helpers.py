"""Builders for the report tests: a province, its communes, schools, a period,
modules on a topic, rules requiring topics, teaching sessions."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from content_cms.models import AgeBand, ModulePage, Topic
from lms.learning.services import assignment_create
from lms.models import (
    ProgrammeTarget,
    ReportingPeriod,
    Role,
    SchoolType,
    SchoolYear,
    TeachingAttendance,
    TeachingSession,
    TopicRequirement,
)
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    UnitFactory,
    make_pupil,
    make_staff,
    make_teacher,
)


def current_year_and_period() -> tuple[SchoolYear, ReportingPeriod]:
    """Return a school year and a term around today (completions land in it)."""
    today = timezone.localdate()
    year, _ = SchoolYear.objects.get_or_create(
        name="Năm thử",
        defaults={
            "starts_on": today - datetime.timedelta(days=120),
            "ends_on": today + datetime.timedelta(days=120),
        },
    )
    period, _ = ReportingPeriod.objects.get_or_create(
        school_year=year,
        name="Học kỳ thử",
        defaults={
            "starts_on": today - datetime.timedelta(days=30),
            "ends_on": today + datetime.timedelta(days=30),
        },
    )
    return year, period


@dataclass
class Province:
    province: object
    commune_a: object
    commune_b: object
    year: object
    period: object


def build_province() -> Province:
    province = UnitFactory(name="Tỉnh Tây Ninh")
    commune_a = UnitFactory(parent=province, name="Xã An Tịnh")
    province.refresh_from_db()
    commune_b = UnitFactory(parent=province, name="Phường Bình Minh")
    year, period = current_year_and_period()
    return Province(province, commune_a, commune_b, year, period)


def school_with_classes(
    unit,
    year,
    *,
    classes: int = 1,
    pupils: int = 2,
    school_type=SchoolType.PRIMARY,
    name=None,
):
    """Create a school of ``classes`` classes (grade 5) with ``pupils`` pupils each."""
    kwargs = {"unit": unit, "school_type": school_type}
    if name:
        kwargs["name"] = name
    school = SchoolFactory(**kwargs)
    built = []
    for number in range(classes):
        school_class = SchoolClassFactory(
            school=school, school_year=year, name=f"5A{number + 1}", grade=5
        )
        teacher = make_teacher(school_class)
        kids = [make_pupil(school_class) for _ in range(pupils)]
        built.append((school_class, teacher, kids))
    return school, built


def give(module, school_class, teacher, *, due_on=None):
    return assignment_create(
        actor=teacher,
        school_class=school_class,
        module=module,
        opens_on=timezone.localdate() - datetime.timedelta(days=1),
        due_on=due_on,
    )


def officer(role, unit, **kwargs):
    return make_staff(role, unit=unit, **kwargs)


def school_admin(school):
    return make_staff(Role.SCHOOL_ADMIN, school=school)


def topic_module(
    topic: str, band: str = "g3-5", *, with_quiz: bool = True, number: int = 1
):
    """Publish a pupils' module on ``topic`` for ``band``."""
    from tests.lms.learning_helpers import learning_module

    page = learning_module(
        title=f"Bài {topic} {band} số {number}",
        slug=f"bai-{topic}-{band}-{number}",
        age_band=band,
        sections=1,
        with_quiz=with_quiz,
    )
    ModulePage.objects.filter(pk=page.pk).update(topic=Topic.objects.get(code=topic))
    page.refresh_from_db()
    return page


def require(period, *items, school_type="", **rule):
    """Store a rule requiring (band code, topic code[, share]) items."""
    target = ProgrammeTarget.objects.create(
        period=period, school_type=school_type, **rule
    )
    for band, topic, *share in items:
        TopicRequirement.objects.create(
            target=target,
            age_band=AgeBand.objects.get(code=band),
            topic=Topic.objects.get(code=topic),
            min_pupil_share=share[0] if share else Decimal(80),
        )
    return target


def session(school_class, module, teacher, *, on=None, present=()):
    taught = TeachingSession.objects.create(
        school_class=school_class,
        module=module,
        taught_on=on or timezone.localdate(),
        duration_minutes=45,
        recorded_by=teacher,
    )
    for pupil in present:
        TeachingAttendance.objects.create(session=taught, pupil=pupil, present=True)
    return taught
