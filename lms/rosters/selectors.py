"""Reads of the rosters area that cross relations: a school's teachers and years.

Which school or class the user may reach is decided by ``lms.people.selectors``;
these take an object already found through it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from lms.models import Enrolment, Role, School, SchoolClass, SchoolYear, User


def school_teachers(*, school: School) -> QuerySet[User]:
    """Return the school's teachers (and administrators), by name."""
    return (
        User.objects.filter(
            role_assignments__school=school,
            role_assignments__role__in=[Role.TEACHER, Role.SCHOOL_ADMIN],
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "last_name", "first_name", "username")
    )


def rollover_default_years(
    *, school: School
) -> tuple[SchoolYear | None, SchoolYear | None]:
    """Return the years a rollover most likely means: the school's latest, the next.

    The year to leave is the latest school year with classes in the school that
    has a later year; the year to start is the first one starting after it ends.
    """
    years = list(SchoolYear.objects.order_by("starts_on"))
    with_classes = set(
        SchoolClass.objects.filter(school=school).values_list(
            "school_year_id", flat=True
        )
    )
    for source in reversed(years):
        if source.pk not in with_classes:
            continue
        later = [year for year in years if year.starts_on > source.ends_on]
        if later:
            return source, later[0]
    return None, None


def class_roster(*, school_class: SchoolClass) -> QuerySet[Enrolment]:
    """Return the class's pupils: today's, or for a past year, those at its end.

    ``left_on`` is the first day a pupil is no longer in the class, so a pupil
    whose ``left_on`` is still ahead (the rollover dates the last grade's leaving
    to the end of the year) is in the class until then; a class of a year that has
    ended keeps listing the pupils it had on its last day, so its page reads back
    as it was.
    """
    cutoff = min(timezone.localdate(), school_class.school_year.ends_on)
    return Enrolment.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=cutoff), school_class=school_class
    )
