"""Writes of the organisation: units, schools, the calendar and classes.

Each write takes the ``actor`` and checks, through the selectors of
``lms.people.selectors``, that the object and every object it points to are in the
actor's reach: the admin screens narrow their choices the same way, so this is the
second lock, the one that holds whatever screen or script calls in. Roles and staff
accounts are written by ``lms.people.services``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    User,
)
from lms.people import selectors
from lms.people.audit import audit_record

# --- The organisation: units and schools ----------


def _refuse_unless(allowed: bool) -> None:
    # The screens never offer a foreign object; reaching here with one means a
    # forged request, answered as if the object did not exist.
    if not allowed:
        raise LmsError(
            _("You cannot change this part of the organisation."), code="out_of_scope"
        )


def _unit_code_refuse_duplicate(code: str, *, exclude_pk: int | None = None) -> None:
    if (
        AdministrativeUnit.objects.filter(code__iexact=code)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        raise LmsError(
            _("An administrative unit with the code %(code)s already exists.")
            % {"code": code},
            code="unit_code_taken",
        )


def _school_code_refuse_duplicate(code: str, *, exclude_pk: int | None = None) -> None:
    if School.objects.filter(code__iexact=code).exclude(pk=exclude_pk).exists():
        raise LmsError(
            _("A school with the code %(code)s already exists.") % {"code": code},
            code="school_code_taken",
        )


def _unit_refuse_unless_managed(actor: User, unit: AdministrativeUnit | None) -> None:
    if (
        unit is None
        or not selectors.units_managed_by(actor).filter(pk=unit.pk).exists()
    ):
        raise LmsError(
            _("Choose an administrative unit of your province."), code="unit_not_found"
        )


@transaction.atomic
def unit_create(
    *,
    actor: User,
    name: str,
    code: str,
    level: str,
    parent: AdministrativeUnit | None = None,
) -> AdministrativeUnit:
    """Add a unit under ``parent``, or a new province when there is no parent.

    Only the platform administrator adds provinces; a province officer adds
    communes and wards inside their province.
    """
    if parent is None:
        _refuse_unless(selectors.user_has_role(actor, Role.PLATFORM_ADMIN))
    else:
        _unit_refuse_unless_managed(actor, parent)
    _unit_code_refuse_duplicate(code)
    unit = AdministrativeUnit(name=name, code=code, level=level)
    # Treebeard computes path and depth when it inserts; check the rest first.
    unit.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return AdministrativeUnit.add_root(instance=unit)
    return parent.add_child(instance=unit)


@transaction.atomic
def unit_update(
    *,
    actor: User,
    unit: AdministrativeUnit,
    name: str,
    code: str,
    level: str,
    parent: AdministrativeUnit | None = None,
) -> AdministrativeUnit:
    """Rename a unit and, when ``parent`` differs, move it with its subtree.

    Its schools move with it: they hang from the unit, and a report over a unit
    reads the schools under its path at the time of the report.
    """
    _unit_refuse_unless_managed(actor, unit)
    _unit_code_refuse_duplicate(code, exclude_pk=unit.pk)
    unit.name, unit.code, unit.level = name, code, level
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit.save()
    old_parent = unit.get_parent()
    if (parent and parent.pk) != (old_parent and old_parent.pk):
        if parent is None:
            # Becoming a province of its own is the platform administrator's call.
            _refuse_unless(selectors.user_has_role(actor, Role.PLATFORM_ADMIN))
        else:
            _unit_refuse_unless_managed(actor, parent)
            if parent.path.startswith(unit.path):
                raise LmsError(
                    _("A unit cannot be moved under itself or one of its own units."),
                    code="unit_move_into_itself",
                )
        if parent is None:
            unit.move(AdministrativeUnit.get_last_root_node(), pos="sorted-sibling")
        else:
            unit.move(parent, pos="sorted-child")
        unit.refresh_from_db()
        audit_record(
            actor=actor,
            action="unit_move",
            target=unit,
            details={
                "from_parent": old_parent.pk if old_parent else None,
                "to_parent": parent.pk if parent else None,
            },
        )
    return unit


SCHOOL_FIELDS = (
    "name",
    "school_type",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
)


@transaction.atomic
def school_create(
    *,
    actor: User,
    name: str,
    code: str,
    school_type: str,
    unit: AdministrativeUnit,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> School:
    """Add a school or care facility under a unit of the actor's province."""
    _unit_refuse_unless_managed(actor, unit)
    _school_code_refuse_duplicate(code)
    school = School(
        name=name,
        code=code,
        school_type=school_type,
        unit=unit,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
    )
    school.full_clean()
    school.save()
    audit_record(actor=actor, action="school_create", target=school)
    return school


@transaction.atomic
def school_update(
    *,
    actor: User,
    school: School,
    code: str,
    unit: AdministrativeUnit | None = None,
    **fields: str,
) -> School:
    """Change a school's record; a new ``unit`` moves it (see ``school_move``)."""
    _refuse_unless(selectors.schools_managed_by(actor).filter(pk=school.pk).exists())
    unknown = set(fields) - set(SCHOOL_FIELDS)
    if unknown:
        raise TypeError(f"school_update() got unexpected fields {sorted(unknown)}")
    _school_code_refuse_duplicate(code, exclude_pk=school.pk)
    school.code = code
    for name, value in fields.items():
        setattr(school, name, value)
    school.full_clean(exclude=["unit"])
    school.save()
    if unit is not None and unit.pk != school.unit_id:
        school = school_move(actor=actor, school=school, unit=unit)
    return school


@transaction.atomic
def school_move(*, actor: User, school: School, unit: AdministrativeUnit) -> School:
    """Hang a school from another unit, keeping all it holds.

    Classes, pupils, learning records and evidence are keyed by the school, not by
    its unit, so they move with it; reports read the unit at report time. The audit
    log keeps the old and the new unit.
    """
    _refuse_unless(selectors.schools_managed_by(actor).filter(pk=school.pk).exists())
    _unit_refuse_unless_managed(actor, unit)
    old_unit = AdministrativeUnit.objects.get(pk=school.unit_id)
    if old_unit.pk == unit.pk:
        return school
    school.unit = unit
    school.save(update_fields=["unit"])
    audit_record(
        actor=actor,
        action="school_move",
        target=school,
        details={
            "from_unit": old_unit.pk,
            "from_unit_code": old_unit.code,
            "to_unit": unit.pk,
            "to_unit_code": unit.code,
        },
    )
    return school


# --- The calendar: school years and reporting periods ----------


def _calendar_refuse_unless_allowed(actor: User) -> None:
    # School years are shared by the whole platform, so a province officer (or the
    # platform administrator) keeps them; a unit officer only reads them.
    _refuse_unless(
        selectors.user_has_role(actor, Role.PLATFORM_ADMIN, Role.PROVINCE_OFFICER)
    )


def _school_year_name_refuse_duplicate(
    name: str, *, exclude_pk: int | None = None
) -> None:
    if SchoolYear.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise LmsError(
            _("A school year named %(name)s already exists.") % {"name": name},
            code="school_year_name_taken",
        )


def _shift_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def school_year_create(
    *,
    actor: User,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    copy_periods: bool = False,
) -> SchoolYear:
    """Add a school year; ``copy_periods`` copies last year's terms to the new year.

    The terms keep their names and move by as many years as the new year starts
    after the previous one (Học kỳ I 2025-2026 becomes Học kỳ I 2026-2027).
    """
    _calendar_refuse_unless_allowed(actor)
    _school_year_name_refuse_duplicate(name)
    school_year = SchoolYear(name=name, starts_on=starts_on, ends_on=ends_on)
    school_year.full_clean()
    school_year.save()
    if copy_periods:
        previous = (
            SchoolYear.objects.filter(starts_on__lt=starts_on)
            .exclude(pk=school_year.pk)
            .order_by("-starts_on")
            .first()
        )
        if previous is not None:
            years = starts_on.year - previous.starts_on.year
            for period in previous.periods.order_by("starts_on"):
                reporting_period_create(
                    actor=actor,
                    school_year=school_year,
                    name=period.name,
                    starts_on=_shift_years(period.starts_on, years),
                    ends_on=_shift_years(period.ends_on, years),
                )
    return school_year


@transaction.atomic
def school_year_update(
    *,
    actor: User,
    school_year: SchoolYear,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> SchoolYear:
    """Rename a school year or change its dates."""
    _calendar_refuse_unless_allowed(actor)
    _school_year_name_refuse_duplicate(name, exclude_pk=school_year.pk)
    school_year.name, school_year.starts_on, school_year.ends_on = (
        name,
        starts_on,
        ends_on,
    )
    school_year.full_clean()
    school_year.save()
    return school_year


def _period_check(period: ReportingPeriod) -> None:
    period.full_clean()
    year = period.school_year
    if period.starts_on < year.starts_on or period.ends_on > year.ends_on:
        raise LmsError(
            _(
                "A reporting period must lie within its school year "
                "(%(starts)s to %(ends)s)."
            )
            % {"starts": year.starts_on, "ends": year.ends_on},
            code="period_outside_year",
        )


@transaction.atomic
def reporting_period_create(
    *,
    actor: User,
    school_year: SchoolYear,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> ReportingPeriod:
    """Add a term (or other period) to a school year."""
    _calendar_refuse_unless_allowed(actor)
    period = ReportingPeriod(
        school_year=school_year, name=name, starts_on=starts_on, ends_on=ends_on
    )
    _period_check(period)
    period.save()
    return period


@transaction.atomic
def reporting_period_update(
    *,
    actor: User,
    period: ReportingPeriod,
    school_year: SchoolYear,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> ReportingPeriod:
    """Change a reporting period's name, dates or school year."""
    _calendar_refuse_unless_allowed(actor)
    period.school_year, period.name = school_year, name
    period.starts_on, period.ends_on = starts_on, ends_on
    _period_check(period)
    period.save()
    return period


# --- Closed reporting periods ----------
#
# A reporting period closes ``REPORTING_GRACE_DAYS`` days after its last day
# (14 unless the settings say otherwise): until then a school may still record
# what it taught in it; afterwards its evidence is fixed, so the province's
# figures for it stop moving.


def reporting_grace_days() -> int:
    """Return how many days after its last day a reporting period stays open."""
    return int(getattr(settings, "REPORTING_GRACE_DAYS", 14))


def period_closes_on(period: ReportingPeriod) -> datetime.date:
    """Return the first day on which ``period`` is closed."""
    return period.ends_on + datetime.timedelta(days=reporting_grace_days() + 1)


def period_is_closed(period: ReportingPeriod, *, today: datetime.date) -> bool:
    """Return whether ``period`` ended more than the grace days before ``today``."""
    return today >= period_closes_on(period)


def closed_period_holding(
    day: datetime.date, *, today: datetime.date
) -> ReportingPeriod | None:
    """Return a closed reporting period whose dates hold ``day``, if there is one.

    Periods may overlap (a term inside its year): any closed one holding the
    day closes it.
    """
    last_open_end = today - datetime.timedelta(days=reporting_grace_days() + 1)
    return (
        ReportingPeriod.objects.filter(
            starts_on__lte=day, ends_on__gte=day, ends_on__lte=last_open_end
        )
        .select_related("school_year")
        .order_by("ends_on")
        .first()
    )


# --- Classes ----------


def _class_teachers_check(
    school: School, homeroom_teacher: User | None, teachers: Iterable[User]
) -> list[User]:
    teachers = list(teachers)
    staff_ids = set(selectors.staff_of_school(school).values_list("pk", flat=True))
    chosen = [*teachers, *([homeroom_teacher] if homeroom_teacher else [])]
    if any(teacher.pk not in staff_ids for teacher in chosen):
        raise LmsError(
            _("Choose the class's teachers among the staff of %(school)s.")
            % {"school": school.name},
            code="teacher_not_at_school",
        )
    return teachers


def _class_save(school_class: SchoolClass) -> None:
    duplicate = SchoolClass.objects.filter(
        school_id=school_class.school_id,
        school_year_id=school_class.school_year_id,
        name__iexact=school_class.name,
    ).exclude(pk=school_class.pk)
    message = _("%(school)s already has a class named %(name)s in %(year)s.") % {
        "school": school_class.school.name,
        "name": school_class.name,
        "year": school_class.school_year.name,
    }
    if duplicate.exists():
        raise LmsError(message, code="class_name_taken")
    school_class.full_clean(validate_constraints=False)
    try:
        # The constraint still guards against two administrators saving at once.
        with transaction.atomic():
            school_class.save()
    except IntegrityError:
        raise LmsError(message, code="class_name_taken") from None


@transaction.atomic
def class_create(
    *,
    actor: User,
    school: School,
    school_year: SchoolYear,
    name: str,
    grade: int,
    homeroom_teacher: User | None = None,
    teachers: Iterable[User] = (),
) -> SchoolClass:
    """Open a class of one school year, taught by staff of its school."""
    _refuse_unless(
        selectors.schools_administered_by(actor).filter(pk=school.pk).exists()
    )
    teachers = _class_teachers_check(school, homeroom_teacher, teachers)
    school_class = SchoolClass(
        school=school,
        school_year=school_year,
        name=name.strip(),
        grade=grade,
        homeroom_teacher=homeroom_teacher,
    )
    _class_save(school_class)
    school_class.teachers.set(teachers)
    return school_class


@transaction.atomic
def class_update(
    *,
    actor: User,
    school_class: SchoolClass,
    school_year: SchoolYear,
    name: str,
    grade: int,
    homeroom_teacher: User | None = None,
    teachers: Iterable[User] = (),
) -> SchoolClass:
    """Rename a class or change its grade, year and teachers; its pupils stay."""
    _refuse_unless(
        selectors.classes_administered_by(actor).filter(pk=school_class.pk).exists()
    )
    teachers = _class_teachers_check(school_class.school, homeroom_teacher, teachers)
    school_class.school_year = school_year
    school_class.name = name.strip()
    school_class.grade = grade
    school_class.homeroom_teacher = homeroom_teacher
    _class_save(school_class)
    school_class.teachers.set(teachers)
    return school_class
