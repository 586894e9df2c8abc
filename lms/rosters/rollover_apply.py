"""Applying a school-year rollover: one school, or a whole province.

The plan (what moves where, and why) is ``lms.rosters.rollover``; this module
writes it, in one transaction per school, with a fixed number of queries per
school (classes and enrolments by ``bulk_create``, leavers by one ``UPDATE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import (
    Enrolment,
    ProgrammeTarget,
    ReportingPeriod,
    School,
    SchoolClass,
    SchoolYear,
    User,
)
from lms.people import selectors
from lms.people.audit import audit_record
from lms.rosters.rollover import (
    ENROLMENT_BATCH_SIZE,
    ClassAction,
    RolloverPlan,
    RolloverResult,
    leaving_day,
    rollover_periods_plan,
    rollover_plan,
    rollover_years_check,
)

# --- Apply ---------------------------------------------------------------------------


def ensure_manages_school(actor: User | None, school: School) -> None:
    """Refuse unless ``actor`` runs ``school`` (its administrator, or the platform's).

    ``actor`` None is the province command run by the operator on the server.
    """
    if actor is None:
        return
    if not selectors.schools_administered_by(actor).filter(pk=school.pk).exists():
        raise LmsError(
            _("You may not change the classes of this school."), code="not_manager"
        )


@transaction.atomic
def rollover_periods_apply(*, from_year: SchoolYear, to_year: SchoolYear) -> int:
    """Create B's periods (and their programme rules) from A's if B has none.

    B's row is locked first, so two schools rolling over at the same moment create
    the periods once. Returns how many periods were created.
    """
    SchoolYear.objects.select_for_update().filter(pk=to_year.pk).first()
    steps = rollover_periods_plan(from_year=from_year, to_year=to_year)
    created = 0
    for step in steps:
        period = ReportingPeriod(
            school_year=to_year,
            name=step.name,
            starts_on=step.starts_on,
            ends_on=step.ends_on,
        )
        period.full_clean()
        period.save()
        created += 1
        for target in ProgrammeTarget.objects.filter(period_id=step.source_id):
            copy = ProgrammeTarget(
                period=period,
                school_type=target.school_type,
                min_class_share=target.min_class_share,
                min_pupil_share=target.min_pupil_share,
                grade_from=target.grade_from,
                grade_to=target.grade_to,
            )
            copy.full_clean()
            copy.save()
    return created


@transaction.atomic
def rollover_apply(
    *,
    school: School,
    from_year: SchoolYear,
    to_year: SchoolYear,
    actor: User | None,
    homeroom_teachers: dict[int, int | None] | None = None,
    fingerprint: str | None = None,
    periods: bool = True,
) -> RolloverResult:
    """Roll ``school`` over from ``from_year`` to ``to_year`` in one transaction.

    The plan is recomputed here with the school's row locked, so two confirmations
    (a double click, two administrators) roll over once; with ``fingerprint`` (the
    preview's) a plan that changed since it was shown is refused. ``periods=False``
    leaves B's periods to the caller (the province command creates them once).
    """
    ensure_manages_school(actor, school)
    School.objects.select_for_update().filter(pk=school.pk).first()
    plan = rollover_plan(
        school=school,
        from_year=from_year,
        to_year=to_year,
        homeroom_teachers=homeroom_teachers,
        periods=(),
    )
    if fingerprint is not None and fingerprint != plan.fingerprint:
        raise LmsError(
            _("The classes changed since you looked at the plan. Check it again."),
            code="plan_changed",
        )
    periods_created = (
        rollover_periods_apply(from_year=from_year, to_year=to_year) if periods else 0
    )

    new_classes = [
        SchoolClass(
            school=school,
            school_year=to_year,
            name=step.new_name,
            grade=step.new_grade,
            previous_class_id=step.old_id,
            homeroom_teacher_id=step.homeroom_teacher_id,
        )
        for step in plan.to_create
    ]
    # No full_clean() per class (it would cost a query per class for the grade
    # check): the plan made the grade (g + 1 below the last grade, at most 12) and
    # the name (its length and its uniqueness in B are plan conflicts) valid.
    SchoolClass.objects.bulk_create(new_classes)
    # A hand-made class of B is linked to the old class; its teachers, chosen by
    # whoever made it, stay.
    adopted = [
        SchoolClass(pk=step.target_id, previous_class_id=step.old_id)
        for step in plan.classes
        if step.action == ClassAction.EXISTING and step.adopt
    ]
    if adopted:
        SchoolClass.objects.bulk_update(adopted, ["previous_class"])
    # One read maps each old class to its class of B (bulk_create may not return
    # primary keys on every database).
    target_of = dict(
        SchoolClass.objects.filter(
            school=school, school_year=to_year, previous_class__isnull=False
        ).values_list("previous_class_id", "pk")
    )
    enrolments = [
        Enrolment(
            pupil_id=pupil_id,
            school_class_id=target_of[step.old_id],
            roster_number=plan.roster_numbers.get(pupil_id),
        )
        for step in plan.classes
        if step.action in (ClassAction.CREATE, ClassAction.EXISTING)
        for pupil_id in step.pupils
    ]
    Enrolment.objects.bulk_create(enrolments, batch_size=ENROLMENT_BATCH_SIZE)
    if enrolments:
        # ``enrolled_on`` is set to today on insert (auto_now_add); the pupils are
        # in the new class from the first day of B, not from the day of the
        # rollover, which may fall inside A: then a completion of A would move to
        # the new class when the rollups are rebuilt.
        Enrolment.objects.filter(
            school_class_id__in=set(target_of.values()),
            pupil_id__in=[enrolment.pupil_id for enrolment in enrolments],
        ).update(enrolled_on=to_year.starts_on)
    leaving_classes = [step.old_id for step in plan.leaving]
    pupils_left = 0
    if leaving_classes:
        pupils_left = Enrolment.objects.filter(
            school_class_id__in=leaving_classes, left_on__isnull=True
        ).update(left_on=leaving_day(from_year))
    result = RolloverResult(
        plan=plan,
        classes_created=len(new_classes),
        pupils_carried=len(enrolments),
        pupils_left=pupils_left,
        periods_created=periods_created,
    )
    if not plan.is_empty or periods_created:
        audit_record(
            actor=actor,
            action="school_year_rollover",
            target=school,
            details={
                "from_year": from_year.pk,
                "to_year": to_year.pk,
                "classes_created": result.classes_created,
                "pupils_carried": result.pupils_carried,
                "pupils_left": result.pupils_left,
                "periods_created": result.periods_created,
                "conflicts": [step.old_id for step in plan.conflicts],
            },
        )
    return result


# --- Many schools --------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolRollover:
    """One school's line in a province rollover: its plan, and what was written."""

    school: School
    plan: RolloverPlan
    result: RolloverResult | None


def rollover_schools(
    *,
    schools: QuerySet[School],
    from_year: SchoolYear,
    to_year: SchoolYear,
    apply: bool,
) -> Iterator[SchoolRollover]:
    """Plan (and with ``apply`` roll over) each school, one transaction per school.

    For the operator's province command: B's periods are created once, first;
    then each school is planned and applied on its own, so an interruption leaves
    whole schools done and running again finishes the rest. Yields each school as
    it is done.
    """
    rollover_years_check(from_year, to_year)
    periods = rollover_periods_plan(from_year=from_year, to_year=to_year)
    if apply and periods:
        rollover_periods_apply(from_year=from_year, to_year=to_year)
    for school in schools.order_by("code").iterator(chunk_size=500):
        if not apply:
            plan = rollover_plan(
                school=school, from_year=from_year, to_year=to_year, periods=()
            )
            yield SchoolRollover(school=school, plan=plan, result=None)
            continue
        result = rollover_apply(
            school=school,
            from_year=from_year,
            to_year=to_year,
            actor=None,
            periods=False,
        )
        yield SchoolRollover(school=school, plan=result.plan, result=result)
