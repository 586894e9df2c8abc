"""Rollups: incremented once per pupil and module, and equal to a rebuild from facts."""

import datetime
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lms.learning import rebuild, rollups
from lms.learning import services as learning_services
from lms.models import (
    ClassModuleRollup,
    Enrolment,
    ModuleProgress,
    ReportingPeriod,
    Role,
    SchoolPeriodRollup,
)
from quizzes.services import attempt_submit
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    make_pupil,
    make_staff,
)
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def periods():
    """A term around today and the school year holding it (periods may overlap)."""
    today = timezone.localdate()
    year = SchoolYearFactory(
        name="this-year",
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=100),
    )
    term = ReportingPeriod.objects.create(
        school_year=year,
        name="Học kỳ",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=10),
    )
    whole_year = ReportingPeriod.objects.create(
        school_year=year, name="Cả năm", starts_on=year.starts_on, ends_on=year.ends_on
    )
    ReportingPeriod.objects.create(
        school_year=year,
        name="Đã qua",
        starts_on=today - datetime.timedelta(days=99),
        ends_on=today - datetime.timedelta(days=50),
    )
    allow_learning_records()
    return {"year": year, "term": term, "whole_year": whole_year}


def read_all(user, module):
    for index in range(len(module.lessons)):
        learning_services.progress_section_complete(
            user=user, module=module, section_index=index, seconds=30
        )


def test_a_pass_counts_in_the_class_and_in_every_period_holding_it(periods):
    school_class = SchoolClassFactory(school_year=periods["year"])
    pupil = make_pupil(school_class)
    module = learning_module()
    read_all(pupil, module)
    take_quiz(pupil, module, correct=True)
    rollup = ClassModuleRollup.objects.get(school_class=school_class, module=module)
    assert (rollup.pupils_completed, rollup.pupils_passed) == (1, 1)
    counted = {
        row.period.name: (row.pupils_completed_any, row.modules_completed)
        for row in SchoolPeriodRollup.objects.select_related("period")
    }
    assert counted == {"Học kỳ": (1, 1), "Cả năm": (1, 1)}


def test_a_pupil_counts_once_per_period_however_many_modules(periods):
    school_class = SchoolClassFactory(school_year=periods["year"])
    pupil = make_pupil(school_class)
    first = learning_module(title="Một", slug="mot")
    second = learning_module(title="Hai", slug="hai")
    for module in (first, second):
        read_all(pupil, module)
        take_quiz(pupil, module, correct=False)
        take_quiz(pupil, module, correct=True)
    row = SchoolPeriodRollup.objects.get(period=periods["term"])
    assert (row.pupils_completed_any, row.modules_completed) == (1, 2)
    rollup = ClassModuleRollup.objects.get(module=first)
    assert (rollup.pupils_completed, rollup.pupils_passed) == (1, 1)
    assert rebuild.rollups_rebuild() == []


def test_completion_and_pass_count_once_each_across_retakes(periods):
    school_class = SchoolClassFactory(school_year=periods["year"])
    pupils = [make_pupil(school_class) for _ in range(3)]
    module = learning_module()
    for pupil in pupils:
        read_all(pupil, module)
        take_quiz(pupil, module, correct=False)
    take_quiz(pupils[0], module, correct=True)
    take_quiz(pupils[0], module, correct=True)
    rollup = ClassModuleRollup.objects.get(module=module)
    assert (rollup.pupils_completed, rollup.pupils_passed) == (3, 1)


def test_enrolment_on_a_day_follows_joining_and_leaving():
    day = datetime.date(2026, 11, 2)
    year_start = datetime.date(2026, 9, 5)
    old = rollups.EnrolmentFact(
        1, 9, 100, 10, year_start, datetime.date(2026, 9, 5), day
    )
    new = rollups.EnrolmentFact(2, 9, 200, 20, year_start, day, None)
    assert rollups.enrolment_on([old, new], day - datetime.timedelta(days=1)) == old
    # ``left_on`` is the first day away: that day counts in the new class.
    assert rollups.enrolment_on([old, new], day) == new
    assert rollups.enrolment_on([old, new], datetime.date(2026, 9, 1)) is None


def test_local_day_is_taken_in_viet_nam():
    late_evening_utc = datetime.datetime(2026, 11, 1, 18, 30, tzinfo=datetime.UTC)
    assert rollups.local_day(late_evening_utc) == datetime.date(2026, 11, 2)


def test_rebuild_reports_and_fixes_every_difference(periods):
    school_class = SchoolClassFactory(school_year=periods["year"])
    pupil = make_pupil(school_class)
    module = learning_module()
    read_all(pupil, module)
    take_quiz(pupil, module, correct=True)
    ClassModuleRollup.objects.update(pupils_passed=5)
    SchoolPeriodRollup.objects.filter(period=periods["term"]).delete()

    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    report = out.getvalue()
    assert "pupils_passed stored 5, expected 1" in report
    assert "pupils_completed_any stored 0, expected 1" in report
    assert "3 difference(s) found" in report
    assert ClassModuleRollup.objects.get().pupils_passed == 5  # reported, not fixed

    call_command("rebuild_rollups", "--fix", stdout=StringIO())
    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "Rollups match the raw facts." in out.getvalue()


def test_rebuild_check_fails_on_drift_and_writes_nothing(periods):
    """``--check`` (the restore drill) exits non-zero listing every difference."""
    school_class = SchoolClassFactory(school_year=periods["year"])
    pupil = make_pupil(school_class)
    module = learning_module()
    read_all(pupil, module)
    take_quiz(pupil, module, correct=True)

    out = StringIO()
    call_command("rebuild_rollups", "--check", stdout=out)
    assert "Rollups match the raw facts." in out.getvalue()

    ClassModuleRollup.objects.update(pupils_passed=5)
    out = StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("rebuild_rollups", "--check", stdout=out)
    assert "pupils_passed stored 5, expected 1" in out.getvalue()
    assert ClassModuleRollup.objects.get().pupils_passed == 5


def test_rebuild_after_a_random_workload_finds_no_difference(periods):
    """40 pupils in 3 classes of 2 schools, 3 modules, retakes and resubmits."""
    rng = random.Random(20261127)
    school_a, school_b = SchoolFactory(), SchoolFactory()
    classes = [
        SchoolClassFactory(school=school_a, school_year=periods["year"]),
        SchoolClassFactory(school=school_a, school_year=periods["year"]),
        SchoolClassFactory(school=school_b, school_year=periods["year"]),
    ]
    pupils = [make_pupil(classes[i % 3]) for i in range(40)]
    teacher = make_staff(Role.TEACHER, school=school_a)
    modules = [
        learning_module(title=f"Bài {n}", slug=f"bai-{n}", sections=2) for n in range(3)
    ]
    for user in [*pupils, teacher]:
        for module in rng.sample(modules, rng.randint(0, 3)):
            if rng.random() < 0.8:
                read_all(user, module)
            for _try in range(rng.randint(0, 3)):
                attempt = take_quiz(user, module, correct=rng.random() < 0.5)
                if rng.random() < 0.3:  # a double click, a retried request
                    attempt_submit(attempt=attempt, user=user)
                    learning_services.on_attempt_submitted(sender=None, attempt=attempt)
    # A pupil who left keeps counting where they completed.
    Enrolment.objects.filter(pupil=pupils[0]).update(
        left_on=timezone.localdate() + datetime.timedelta(days=1)
    )

    assert rebuild.rollups_rebuild() == []
    done = ModuleProgress.objects.filter(
        completed_at__isnull=False, user__in=pupils
    ).count()
    assert done > 10  # the workload really completed things
    assert sum(r.pupils_completed for r in ClassModuleRollup.objects.all()) == done
    term = SchoolPeriodRollup.objects.filter(period=periods["term"])
    assert sum(r.modules_completed for r in term) == done
