"""Enrolled pupils per school and period: kept between views, never out of date.

On PostgreSQL ``pupils_enrolled`` keeps its counts (migration 0005) and must
count again whatever changes a school's enrolments; on SQLite it counts every
time. The same assertions hold for both.
"""

import datetime

import pytest
from django.db import connection

from lms.models import Enrolment, ReportingPeriod, School, SchoolClass
from lms.reports.figures import pupils_enrolled
from tests.factories import SchoolClassFactory, make_pupil
from tests.lms.report_helpers import build_province, school_with_classes

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_province()


def counts(*periods) -> dict:
    found = pupils_enrolled(school_ids=School.objects.values("pk"), periods=periods)
    return {key: value for key, value in found.items() if value}


def test_counts_follow_every_change_to_the_enrolments(org):
    period = org.period
    school, [(class_a, _teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=3
    )
    other, [(class_b, _teacher_b, _others)] = school_with_classes(
        org.commune_b, org.year, pupils=2
    )
    assert counts(period) == {(school.pk, period.pk): 3, (other.pk, period.pk): 2}
    assert counts(period) == {(school.pk, period.pk): 3, (other.pk, period.pk): 2}

    # A new pupil, then one who left before the period began.
    make_pupil(class_a)
    assert counts(period)[(school.pk, period.pk)] == 4
    Enrolment.objects.filter(pupil=pupils[0]).update(
        left_on=period.starts_on - datetime.timedelta(days=1)
    )
    assert counts(period)[(school.pk, period.pk)] == 3

    # Moving class inside the school during the period: still one pupil.
    second = SchoolClassFactory(school=school, school_year=org.year, name="5B")
    Enrolment.objects.filter(pupil=pupils[1]).update(left_on=datetime.date.today())
    Enrolment.objects.create(pupil=pupils[1], school_class=second)
    assert counts(period)[(school.pk, period.pk)] == 3

    # A class handed to another school takes its pupils along.
    SchoolClass.objects.filter(pk=second.pk).update(school=other)
    assert counts(period) == {(school.pk, period.pk): 3, (other.pk, period.pk): 3}

    # Deleting a class (and its enrolments) and deleting an enrolment.
    class_b.delete()
    assert counts(period) == {(school.pk, period.pk): 3, (other.pk, period.pk): 1}
    Enrolment.objects.filter(pupil=pupils[2]).delete()
    assert counts(period) == {(school.pk, period.pk): 2, (other.pk, period.pk): 1}


def test_counts_follow_the_period_dates(org):
    period = org.period
    school, [(school_class, _teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=2
    )
    Enrolment.objects.filter(pupil=pupils[0]).update(
        left_on=period.starts_on + datetime.timedelta(days=5)
    )
    assert counts(period) == {(school.pk, period.pk): 2}

    ReportingPeriod.objects.filter(pk=period.pk).update(
        starts_on=period.starts_on + datetime.timedelta(days=10)
    )
    period.refresh_from_db()
    assert counts(period) == {(school.pk, period.pk): 1}


def test_a_school_without_pupils_counts_none(org):
    school, _built = school_with_classes(org.commune_a, org.year, pupils=0)
    assert counts(org.period) == {}
    assert (
        pupils_enrolled(
            school_ids=School.objects.filter(pk=school.pk).values("pk"),
            periods=[org.period],
        ).get((school.pk, org.period.pk), 0)
        == 0
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL keeps the counts"
)
def test_postgresql_keeps_the_counts_and_counts_again_only_changed_schools(org):
    school, [(class_a, _teacher, _pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=2
    )
    other, _built = school_with_classes(org.commune_b, org.year, pupils=1)
    counts(org.period)

    def kept():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT school_id, roster_version, pupils FROM lms_school_period_pupils"
            )
            return {row[0]: row[1:] for row in cursor}

    before = kept()
    assert {school_id: row[1] for school_id, row in before.items()} == {
        school.pk: 2,
        other.pk: 1,
    }
    make_pupil(class_a)
    assert counts(org.period)[(school.pk, org.period.pk)] == 3
    after = kept()
    assert after[other.pk] == before[other.pk]
    assert after[school.pk][0] != before[school.pk][0]
