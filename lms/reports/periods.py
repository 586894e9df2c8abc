"""Reporting periods a report can show, and the programme rule stated for each.

The dashboards, the API, the exports and the target form all pick a period the
same way (``period_get``: the one asked for, else the shortest period holding
today) and read its rules from ``ProgrammeTarget`` rows (``rules_for``): one per
period, plus optional rows per school type; without a row the documented
``DEFAULT_RULE`` applies. What a rule *means* for a school is pure logic in
``lms.reports.rules``; this module only finds periods and rules.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch

from lms.models import AuditEntry, ProgrammeTarget, ReportingPeriod, TopicRequirement
from lms.people.selectors import period_current
from lms.reports.rules import DEFAULT_RULE, Rule, TopicRule

TREND_PERIODS = 6
YEAR_LONG_DAYS = 200


# --- Periods ----------


def period_default(*, on: datetime.date | None = None) -> ReportingPeriod | None:
    """Return the shortest period holding ``on`` (today), else the latest started."""
    return period_current(on=on)


def period_get(*, period_id: str | int | None) -> ReportingPeriod | None:
    """Return period ``period_id``, or the default one when none is given."""
    if period_id in (None, ""):
        return period_default()
    try:
        period_id = int(period_id)
    except (TypeError, ValueError):
        return None
    return (
        ReportingPeriod.objects.select_related("school_year")
        .filter(pk=period_id)
        .first()
    )


def periods_all() -> list[ReportingPeriod]:
    return list(
        ReportingPeriod.objects.select_related("school_year").order_by("-starts_on")
    )


def _is_year_long(period: ReportingPeriod) -> bool:
    return (period.ends_on - period.starts_on).days > YEAR_LONG_DAYS


def periods_trend(
    *, period: ReportingPeriod, count: int = TREND_PERIODS
) -> list[ReportingPeriod]:
    """Return the last ``count`` periods of the same kind (term, year), oldest first."""
    kind = _is_year_long(period)
    same_kind = [
        candidate
        for candidate in ReportingPeriod.objects.select_related("school_year")
        .filter(starts_on__lte=period.starts_on)
        .order_by("-starts_on")
        if _is_year_long(candidate) == kind
    ]
    return list(reversed(same_kind[:count]))


# --- Rules ----------


def rules_for(periods: list[ReportingPeriod]) -> dict[tuple[int, str], Rule]:
    """Return the stored rules of ``periods`` by (period id, school type or "").

    Two queries: the targets, and their required topics with bands and topics.
    """
    requirements = TopicRequirement.objects.select_related("age_band", "topic")
    return {
        (target.period_id, target.school_type): Rule.from_target(
            target,
            topics=tuple(
                TopicRule.from_requirement(requirement)
                for requirement in target.topic_requirements.all()
            ),
        )
        for target in ProgrammeTarget.objects.filter(period__in=periods)
        .order_by("pk")
        .prefetch_related(Prefetch("topic_requirements", queryset=requirements))
    }


def rule_applying(
    rules: dict[tuple[int, str], Rule], period_id: int, school_type: str
) -> Rule:
    """Return a school type's rule in a period: its own, the general, the default."""
    return (
        rules.get((period_id, school_type))
        or rules.get((period_id, ""))
        or DEFAULT_RULE
    )


def rules_stated(period: ReportingPeriod) -> list[Rule]:
    """Return the rules a report of ``period`` states: the general one, then by type."""
    rules = rules_for([period])
    general = rules.get((period.pk, "")) or DEFAULT_RULE
    by_type = [rule for (_period, kind), rule in sorted(rules.items()) if kind]
    return [general, *by_type]


def programme_target_get(
    *, period: ReportingPeriod, school_type: str = ""
) -> ProgrammeTarget | None:
    return ProgrammeTarget.objects.filter(
        period=period, school_type=school_type
    ).first()


def required_topics_initial(target: ProgrammeTarget | None) -> list[dict]:
    """Return a rule's required topics as the rule form's initial rows."""
    if target is None:
        return []
    return [
        {
            "age_band": requirement.age_band_id,
            "topic": requirement.topic_id,
            "min_pupil_share": requirement.min_pupil_share,
        }
        for requirement in target.topic_requirements.all()
    ]


def programme_target_history(target: ProgrammeTarget | None, *, limit: int = 20):
    """Return the saved versions of a rule, newest first: who, when, what."""
    if target is None:
        return []
    return list(
        AuditEntry.objects.filter(
            action="programme_target.save",
            target_type=ProgrammeTarget._meta.label_lower,
            target_id=str(target.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
