"""Keep the dashboards' rollup tables true: increment on completion, rebuild on demand.

Three tables: ``ClassModuleRollup`` (pupils of a class who completed and passed
a module), ``SchoolPeriodRollup`` (pupils of a school who completed any module
in a period) and ``ClassTopicRollup`` (pupils of a class who completed, in a
period, a module on a topic written for the class's age band: what the
programme's required topics are checked against). Two rules define every
count, and both the live path and the rebuild use the same functions to apply
them, so they cannot drift apart by construction:

- a completion (``ModuleProgress.completed_at``) and a pass (``passed_at``) count
  in the class and school of the pupil's enrolment active on the local date of
  that moment (Asia/Ho_Chi_Minh): ``enrolment_on``;
- a completion belongs to every reporting period whose dates hold that local
  date: ``periods_holding``.

``completed_at`` and ``passed_at`` are written once (the first time), so a pupil
counts once per module however often they retake the quiz. Users without an
enrolment (teachers, parents) learn too, but count in no rollup.

The live path (``rollups_record_completion``) runs inside the transaction that
completes the module, with the pupil's row locked by the caller, and increments
with ``F()`` so concurrent completions in one class never lose an update. A
teaching session counts the same way, in every period holding its date: saving
or deleting a ``TeachingSession`` (its ``post_save`` / ``post_delete``, connected
in ``lms.apps``) moves its count in the class's topic rows and the school's period
row, in the saving transaction (``rollups_record_session``). Writes that bypass
``save()`` and ``delete()`` (bulk inserts, queryset updates) must be followed by
``manage.py rebuild_rollups --fix``.
``lms.learning.rebuild.rollups_rebuild`` recomputes the tables from the raw
facts and reports (and with ``fix`` repairs) every difference. A module's topic
and age bands are read as they are now, so after an editor re-tags a module
that pupils already completed, ``manage.py rebuild_rollups --fix`` brings the
topic counts in line.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from content_cms.models import AgeBand, ModulePage
from lms.models import (
    ClassModuleRollup,
    ClassTopicRollup,
    Enrolment,
    ModuleProgress,
    ReportingPeriod,
    SchoolClass,
    SchoolPeriodRollup,
    TeachingSession,
)

REPORTING_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


# --- The two rules ----------


@dataclass(frozen=True)
class EnrolmentFact:
    """What the rules need to know about one enrolment."""

    pk: int
    pupil_id: int
    class_id: int
    school_id: int
    year_starts_on: datetime.date
    enrolled_on: datetime.date
    left_on: datetime.date | None


@dataclass(frozen=True)
class PeriodFact:
    pk: int
    starts_on: datetime.date
    ends_on: datetime.date


def local_day(moment: datetime.datetime) -> datetime.date:
    """Return the date in Viet Nam of an aware moment."""
    return timezone.localtime(moment, REPORTING_TIME_ZONE).date()


def enrolment_facts(pupil_ids: Iterable[int] | None = None) -> dict[int, list]:
    """Return each pupil's enrolments as facts, in one query (all pupils if None)."""
    queryset = Enrolment.objects.all()
    if pupil_ids is not None:
        queryset = queryset.filter(pupil_id__in=list(pupil_ids))
    facts: dict[int, list[EnrolmentFact]] = defaultdict(list)
    for row in queryset.values_list(
        "pk",
        "pupil_id",
        "school_class_id",
        "school_class__school_id",
        "school_class__school_year__starts_on",
        "enrolled_on",
        "left_on",
    ).iterator(chunk_size=5000):
        facts[row[1]].append(EnrolmentFact(*row))
    return facts


def enrolment_on(
    facts: list[EnrolmentFact], day: datetime.date
) -> EnrolmentFact | None:
    """Return the enrolment active on ``day``: enrolled by then, not yet left.

    ``left_on`` is the first day the pupil is no longer in the class. Should two
    overlap (a roster mistake), the latest school year, then the latest
    enrolment, wins.
    """
    active = [
        fact
        for fact in facts
        if fact.enrolled_on <= day and (fact.left_on is None or fact.left_on > day)
    ]
    return max(
        active,
        key=lambda fact: (fact.year_starts_on, fact.enrolled_on, fact.pk),
        default=None,
    )


def period_facts() -> list[PeriodFact]:
    return [
        PeriodFact(*row)
        for row in ReportingPeriod.objects.values_list("pk", "starts_on", "ends_on")
    ]


def periods_holding(periods: list[PeriodFact], day: datetime.date) -> list:
    """Return the periods whose dates (both ends included) hold ``day``."""
    return [period for period in periods if period.starts_on <= day <= period.ends_on]


def _period_bounds(period: PeriodFact) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(
        period.starts_on, datetime.time.min, tzinfo=REPORTING_TIME_ZONE
    )
    end = datetime.datetime.combine(
        period.ends_on + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=REPORTING_TIME_ZONE,
    )
    return start, end


# --- The live path ----------


def _class_rollup_add(
    *, class_id: int, module_id: int, completed: int, passed: int
) -> None:
    row, _created = ClassModuleRollup.objects.get_or_create(
        school_class_id=class_id, module_id=module_id
    )
    ClassModuleRollup.objects.filter(pk=row.pk).update(
        pupils_completed=F("pupils_completed") + completed,
        pupils_passed=F("pupils_passed") + passed,
        updated_at=timezone.now(),
    )


def _school_rollup_add(*, school_id: int, period_id: int, pupils: int) -> None:
    row, _created = SchoolPeriodRollup.objects.get_or_create(
        school_id=school_id, period_id=period_id
    )
    SchoolPeriodRollup.objects.filter(pk=row.pk).update(
        pupils_completed_any=F("pupils_completed_any") + pupils,
        modules_completed=F("modules_completed") + 1,
        updated_at=timezone.now(),
    )


def _completed_elsewhere_in(
    *,
    progress: ModuleProgress,
    period: PeriodFact,
    school_id: int,
    facts: list[EnrolmentFact],
) -> bool:
    """Return whether the pupil already counts at ``school_id`` in ``period``."""
    start, end = _period_bounds(period)
    others = (
        ModuleProgress.objects.filter(
            user_id=progress.user_id, completed_at__gte=start, completed_at__lt=end
        )
        .exclude(pk=progress.pk)
        .values_list("completed_at", flat=True)
    )
    for completed_at in others:
        enrolment = enrolment_on(facts, local_day(completed_at))
        if enrolment is not None and enrolment.school_id == school_id:
            return True
    return False


def _topic_rollup_add(
    *, class_id: int, period_id: int, topic_id: int, band_id: int
) -> None:
    row, _created = ClassTopicRollup.objects.get_or_create(
        school_class_id=class_id,
        period_id=period_id,
        topic_id=topic_id,
        age_band_id=band_id,
    )
    ClassTopicRollup.objects.filter(pk=row.pk).update(
        pupils_completed=F("pupils_completed") + 1, updated_at=timezone.now()
    )


def _class_bands_of(module_id: int, class_id: int) -> tuple[int | None, list[int]]:
    """Return the module's topic, and its age bands that hold the class's grade."""
    topic_id = (
        ModulePage.objects.filter(pk=module_id)
        .values_list("topic_id", flat=True)
        .first()
    )
    if topic_id is None:
        return None, []
    grade = SchoolClass.objects.values_list("grade", flat=True).get(pk=class_id)
    bands = AgeBand.objects.filter(
        modules=module_id, min_grade__lte=grade, max_grade__gte=grade
    ).values_list("pk", flat=True)
    return topic_id, list(bands)


def _topic_counted_already(
    *,
    progress: ModuleProgress,
    topic_id: int,
    band_id: int,
    period: PeriodFact,
    class_id: int,
    facts: list[EnrolmentFact],
) -> bool:
    """Return whether the pupil already counts for this topic, band, class, period."""
    start, end = _period_bounds(period)
    others = (
        ModuleProgress.objects.filter(
            user_id=progress.user_id,
            completed_at__gte=start,
            completed_at__lt=end,
            module__topic_id=topic_id,
            module__age_bands=band_id,
        )
        .exclude(pk=progress.pk)
        .values_list("completed_at", flat=True)
    )
    for completed_at in others:
        enrolment = enrolment_on(facts, local_day(completed_at))
        if enrolment is not None and enrolment.class_id == class_id:
            return True
    return False


def _topic_rollups_record(
    *,
    progress: ModuleProgress,
    enrolment: EnrolmentFact,
    periods: list[PeriodFact],
    facts: list[EnrolmentFact],
) -> None:
    if not periods:
        return
    topic_id, bands = _class_bands_of(progress.module_id, enrolment.class_id)
    for period in periods:
        for band_id in bands:
            if not _topic_counted_already(
                progress=progress,
                topic_id=topic_id,
                band_id=band_id,
                period=period,
                class_id=enrolment.class_id,
                facts=facts,
            ):
                _topic_rollup_add(
                    class_id=enrolment.class_id,
                    period_id=period.pk,
                    topic_id=topic_id,
                    band_id=band_id,
                )


@transaction.atomic
def rollups_record_completion(
    *, progress: ModuleProgress, newly_completed: bool, newly_passed: bool
) -> None:
    """Count a first completion and/or a first pass of a module in the rollups.

    Call inside the completing transaction, after ``progress`` is saved, with the
    learner's row locked (``select_for_update``) so that two completions of one
    pupil cannot both believe they are the pupil's first in a period.
    """
    if not (newly_completed or newly_passed):
        return
    facts = enrolment_facts([progress.user_id]).get(progress.user_id)
    if not facts:
        return  # Not a pupil: adults learn, but count in no school's figures.
    increments: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if newly_completed and progress.completed_at is not None:
        day = local_day(progress.completed_at)
        enrolment = enrolment_on(facts, day)
        if enrolment is not None:
            increments[enrolment.class_id][0] += 1
            periods = periods_holding(period_facts(), day)
            _topic_rollups_record(
                progress=progress, enrolment=enrolment, periods=periods, facts=facts
            )
            for period in periods:
                first = not _completed_elsewhere_in(
                    progress=progress,
                    period=period,
                    school_id=enrolment.school_id,
                    facts=facts,
                )
                _school_rollup_add(
                    school_id=enrolment.school_id,
                    period_id=period.pk,
                    pupils=1 if first else 0,
                )
    if newly_passed and progress.passed_at is not None:
        enrolment = enrolment_on(facts, local_day(progress.passed_at))
        if enrolment is not None:
            increments[enrolment.class_id][1] += 1
    for class_id, (completed, passed) in increments.items():
        _class_rollup_add(
            class_id=class_id,
            module_id=progress.module_id,
            completed=completed,
            passed=passed,
        )


# --- Teaching sessions ----------

SessionFact = tuple  # (class id, module id, date)


def _session_count(*, fact: SessionFact, delta: int) -> None:
    class_id, module_id, day = fact
    school_id = SchoolClass.objects.values_list("school_id", flat=True).get(pk=class_id)
    topic_id, bands = _class_bands_of(module_id, class_id)
    change = {
        "sessions": Greatest(F("sessions") + delta, 0),
        "updated_at": timezone.now(),
    }
    for period in periods_holding(period_facts(), day):
        row, _created = SchoolPeriodRollup.objects.get_or_create(
            school_id=school_id, period_id=period.pk
        )
        SchoolPeriodRollup.objects.filter(pk=row.pk).update(**change)
        for band_id in bands:
            row, _created = ClassTopicRollup.objects.get_or_create(
                school_class_id=class_id,
                period_id=period.pk,
                topic_id=topic_id,
                age_band_id=band_id,
            )
            ClassTopicRollup.objects.filter(pk=row.pk).update(**change)


@transaction.atomic
def rollups_record_session(
    *, before: SessionFact | None, after: SessionFact | None
) -> None:
    """Move a teaching session's count from ``before`` to ``after``.

    Each is (class id, module id, date), or None for a session created
    (``before``) or deleted (``after``). Call inside the transaction that
    writes the session.
    """
    if before == after:
        return
    if before is not None:
        _session_count(fact=before, delta=-1)
    if after is not None:
        _session_count(fact=after, delta=1)


def _session_fact(session: TeachingSession) -> SessionFact:
    return (session.school_class_id, session.module_id, session.taught_on)


def on_session_pre_save(sender, instance: TeachingSession, **kwargs) -> None:
    """Remember what a saved session was, to move its count (``post_save``)."""
    stored = (
        TeachingSession.objects.filter(pk=instance.pk)
        .values_list("school_class_id", "module_id", "taught_on")
        .first()
        if instance.pk
        else None
    )
    instance._rollup_before = tuple(stored) if stored else None


def on_session_saved(sender, instance: TeachingSession, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures: rebuild_rollups counts them
    rollups_record_session(
        before=getattr(instance, "_rollup_before", None), after=_session_fact(instance)
    )
    instance._rollup_before = _session_fact(instance)


def on_session_deleted(sender, instance: TeachingSession, **kwargs) -> None:
    rollups_record_session(before=_session_fact(instance), after=None)
