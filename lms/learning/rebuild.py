"""Rebuild the dashboards' rollup tables from the raw facts, and report how they differ.

The same two rules as the live path (``lms.learning.rollups``: ``enrolment_on``,
``periods_holding``) recompute every count; ``rollups_rebuild`` lists each
difference and, with ``fix=True``, writes the expected counts. Used by
``manage.py rebuild_rollups`` (--check in the restore drill, --fix after bulk
writes) and by the data generators.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from content_cms.models import AgeBand, ModulePage
from lms.learning.rollups import (
    enrolment_facts,
    enrolment_on,
    local_day,
    period_facts,
    periods_holding,
)
from lms.models import (
    ClassModuleRollup,
    ClassTopicRollup,
    ModuleProgress,
    SchoolClass,
    SchoolPeriodRollup,
    TeachingSession,
)

# --- Rebuild ----------


@dataclass(frozen=True)
class RollupDifference:
    """One count that differs between a rollup table and the raw facts."""

    table: str
    key: tuple[int, ...]
    field: str
    stored: int
    expected: int

    KEY_NAMES = {
        "class_module": ("class", "module"),
        "school_period": ("school", "period"),
        "class_topic": ("class", "period", "topic", "band"),
    }

    def describe(self) -> str:
        names = self.KEY_NAMES[self.table]
        key = " ".join(
            f"{name}={value}" for name, value in zip(names, self.key, strict=True)
        )
        return (
            f"{self.table} {key}: "
            f"{self.field} stored {self.stored}, expected {self.expected}"
        )


CLASS_FIELDS = ("pupils_completed", "pupils_passed")
SCHOOL_FIELDS = ("pupils_completed_any", "modules_completed", "sessions")
TOPIC_FIELDS = ("pupils_completed", "sessions")


def rollups_expected() -> tuple[dict, dict]:
    """Compute the class and school tables from the raw facts."""
    class_counts, school_counts, _topics = _expected_all()
    return class_counts, school_counts


def topic_rollups_expected() -> dict:
    """Compute ``ClassTopicRollup`` from completions, sessions, enrolments, modules."""
    return _expected_all()[2]


def _module_topic_bands() -> dict[int, tuple[int, list[tuple[int, int, int]]]]:
    """Return each module's topic and its age bands with grades (id, first, last)."""
    bands = {
        pk: (pk, first, last)
        for pk, first, last in AgeBand.objects.filter(
            min_grade__isnull=False, max_grade__isnull=False
        ).values_list("pk", "min_grade", "max_grade")
    }
    through = ModulePage.age_bands.through
    module_bands: dict[int, list] = defaultdict(list)
    for module_id, band_id in through.objects.values_list(
        "modulepage_id", "ageband_id"
    ):
        if band_id in bands:
            module_bands[module_id].append(bands[band_id])
    return {
        module_id: (topic_id, module_bands.get(module_id, []))
        for module_id, topic_id in ModulePage.objects.filter(
            topic__isnull=False
        ).values_list("pk", "topic_id")
    }


def _expected_all() -> tuple[dict, dict, dict]:
    facts = enrolment_facts()
    periods = period_facts()
    modules = _module_topic_bands()
    grades = dict(SchoolClass.objects.values_list("pk", "grade"))
    class_counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    school_pupils: dict[tuple[int, int], set[int]] = defaultdict(set)
    school_modules: dict[tuple[int, int], int] = defaultdict(int)
    topic_pupils: dict[tuple[int, int, int, int], set[int]] = defaultdict(set)
    rows = ModuleProgress.objects.filter(completed_at__isnull=False).values_list(
        "user_id", "module_id", "completed_at", "passed_at"
    )
    for user_id, module_id, completed_at, passed_at in rows.iterator(chunk_size=5000):
        pupil_facts = facts.get(user_id)
        if not pupil_facts:
            continue
        day = local_day(completed_at)
        enrolment = enrolment_on(pupil_facts, day)
        if enrolment is not None:
            class_counts[(enrolment.class_id, module_id)][0] += 1
            topic_id, bands = modules.get(module_id, (None, []))
            grade = grades.get(enrolment.class_id)
            for period in periods_holding(periods, day):
                key = (enrolment.school_id, period.pk)
                school_pupils[key].add(user_id)
                school_modules[key] += 1
                for band_id, first, last in bands:
                    if grade is not None and first <= grade <= last:
                        topic_pupils[
                            (enrolment.class_id, period.pk, topic_id, band_id)
                        ].add(user_id)
        if passed_at is not None:
            passed_in = enrolment_on(pupil_facts, local_day(passed_at))
            if passed_in is not None:
                class_counts[(passed_in.class_id, module_id)][1] += 1
    school_sessions: dict[tuple[int, int], int] = defaultdict(int)
    topic_sessions: dict[tuple[int, int, int, int], int] = defaultdict(int)
    schools = dict(SchoolClass.objects.values_list("pk", "school_id"))
    for class_id, module_id, day in TeachingSession.objects.values_list(
        "school_class_id", "module_id", "taught_on"
    ).iterator(chunk_size=5000):
        topic_id, bands = modules.get(module_id, (None, []))
        grade = grades.get(class_id)
        for period in periods_holding(periods, day):
            school_sessions[(schools[class_id], period.pk)] += 1
            for band_id, first, last in bands:
                if grade is not None and first <= grade <= last:
                    topic_sessions[(class_id, period.pk, topic_id, band_id)] += 1
    school_counts = {
        key: [len(school_pupils.get(key, ())), school_modules.get(key, 0), sessions]
        for key in set(school_modules) | set(school_sessions)
        for sessions in [school_sessions.get(key, 0)]
    }
    topic_counts = {
        key: [len(topic_pupils.get(key, ())), topic_sessions.get(key, 0)]
        for key in set(topic_pupils) | set(topic_sessions)
    }
    return dict(class_counts), school_counts, topic_counts


def _differences(
    table: str, stored: dict, expected: dict, fields: tuple[str, ...]
) -> list[RollupDifference]:
    found = []
    zero = [0] * len(fields)
    for key in sorted(set(stored) | set(expected)):
        have = stored.get(key, zero)
        want = expected.get(key, zero)
        for index, field in enumerate(fields):
            if have[index] != want[index]:
                found.append(
                    RollupDifference(table, key, field, have[index], want[index])
                )
    return found


@transaction.atomic
def rollups_rebuild(*, fix: bool = False) -> list[RollupDifference]:
    """Compare the rollup tables with the raw facts; with ``fix``, make them equal.

    Returns every difference found (before fixing). Existing rollup rows are
    locked, so a completion that lands meanwhile waits for the rebuild rather than
    being counted twice; one that creates a brand-new row meanwhile can still show
    as a difference, so run it at a quiet time and run it again if in doubt.
    """
    class_rows = {
        (row.school_class_id, row.module_id): row
        for row in ClassModuleRollup.objects.select_for_update()
    }
    school_rows = {
        (row.school_id, row.period_id): row
        for row in SchoolPeriodRollup.objects.select_for_update()
    }
    topic_rows = {
        (row.school_class_id, row.period_id, row.topic_id, row.age_band_id): row
        for row in ClassTopicRollup.objects.select_for_update()
    }
    expected_class, expected_school, expected_topic = _expected_all()
    differences = (
        _differences(
            "class_module",
            {
                key: [row.pupils_completed, row.pupils_passed]
                for key, row in class_rows.items()
            },
            expected_class,
            CLASS_FIELDS,
        )
        + _differences(
            "school_period",
            {
                key: [row.pupils_completed_any, row.modules_completed, row.sessions]
                for key, row in school_rows.items()
            },
            expected_school,
            SCHOOL_FIELDS,
        )
        + _differences(
            "class_topic",
            {
                key: [row.pupils_completed, row.sessions]
                for key, row in topic_rows.items()
            },
            expected_topic,
            TOPIC_FIELDS,
        )
    )
    if fix:
        _apply(
            ClassModuleRollup,
            ("school_class_id", "module_id"),
            CLASS_FIELDS,
            class_rows,
            expected_class,
        )
        _apply(
            SchoolPeriodRollup,
            ("school_id", "period_id"),
            SCHOOL_FIELDS,
            school_rows,
            expected_school,
        )
        _apply(
            ClassTopicRollup,
            ("school_class_id", "period_id", "topic_id", "age_band_id"),
            TOPIC_FIELDS,
            topic_rows,
            expected_topic,
        )
    return differences


def _apply(model, key_fields, fields, rows: dict, expected: dict) -> None:
    zero = [0] * len(fields)
    new = []
    for key in set(rows) | set(expected):
        want = expected.get(key, zero)
        row = rows.get(key)
        if row is None:
            new.append(
                model(
                    **dict(zip(key_fields, key, strict=True)),
                    **dict(zip(fields, want, strict=True)),
                )
            )
        elif [getattr(row, field) for field in fields] != want:
            model.objects.filter(pk=row.pk).update(
                **dict(zip(fields, want, strict=True)), updated_at=timezone.now()
            )
    model.objects.bulk_create(new, batch_size=2000)
