"""Target 2 in numbers: what schools did with the help requests of a period.

Counts and times only, never a child, a word or a category beyond "serious".
Both ``lms.safeguarding`` (the measures pages of officers and of the commune's
child-protection officer) and ``lms.reports`` (the dashboards and the signed
evidence export) read them, and those two areas may not import each other, so
the read lives here, below both. It needs nothing of the help lifecycle but the
columns of ``HelpRequest``: each request's deadline (``ack_due_at``) is stamped
on it when it is sent, so "acknowledged in time" is a comparison of two columns.

Every measure is taken *as of* a moment: a request counts as acknowledged,
acted on, referred or closed only if that happened by then. Pages measure as of
now; an evidence export stores its moment with the figures, so recomputing them
later (the verification page) gives the same numbers while the past is unchanged,
even though requests of that period go on being handled.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from lms.models import HelpRequest, HelpStatus
from lms.models.help import SERIOUS_CATEGORIES, HelpActionKind, HelpRequestAction

# The counted fields, added up as they are over schools and units.
COUNTS = (
    "requests",
    "serious",
    "due",
    "acknowledged_in_time",
    "with_first_action",
    "referred",
    "referred_to_commune",
    "closed_with_outcome",
    "open_past_deadline",
)


@dataclass
class HelpMeasures:
    """What was done with the requests of one school (or a group of them).

    ``due``: the requests acknowledged, or whose acknowledgement deadline has
    passed (the base of ``share_acknowledged_in_time``; a request still within
    its deadline is not late yet). ``open_past_deadline``: not closed and still
    not acknowledged after the deadline (the flagged ones). ``referred``: with at
    least one referral recorded (commune officer, police, health, ...);
    ``referred_to_commune``: handed to the commune's child-protection officer.
    """

    school_id: int | None = None
    school_name: str = ""
    requests: int = 0
    serious: int = 0
    due: int = 0
    acknowledged_in_time: int = 0
    with_first_action: int = 0
    referred: int = 0
    referred_to_commune: int = 0
    closed_with_outcome: int = 0
    open_past_deadline: int = 0
    waits: tuple[datetime.timedelta, ...] = ()

    @property
    def median_to_first_action(self) -> datetime.timedelta | None:
        if not self.waits:
            return None
        return datetime.timedelta(
            seconds=statistics.median(wait.total_seconds() for wait in self.waits)
        )

    @property
    def share_acknowledged_in_time(self) -> Decimal | None:
        """Percentage, rounded to one decimal; None when nothing was due."""
        if not self.due:
            return None
        share = Decimal(self.acknowledged_in_time * 100) / Decimal(self.due)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def median_hours_to_first_action(self) -> Decimal | None:
        median = self.median_to_first_action
        if median is None:
            return None
        hours = Decimal(median.total_seconds()) / 3600
        return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def add(self, other: HelpMeasures) -> None:
        """Add ``other``'s requests to these (a unit's total over its schools)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.waits = self.waits + other.waits

    def as_evidence(self) -> dict:
        """The measures as plain numbers, for a signed export (no words, no names)."""
        share = self.share_acknowledged_in_time
        median = self.median_to_first_action
        return {
            "school_id": self.school_id,
            **{name: getattr(self, name) for name in COUNTS},
            "share_acknowledged_in_time": None if share is None else str(share),
            "median_seconds_to_first_action": (
                None if median is None else int(median.total_seconds())
            ),
        }


def _received(
    *, starts_on: datetime.date, ends_on: datetime.date, as_of: datetime.datetime
) -> Q:
    return Q(
        created_at__date__gte=starts_on,
        created_at__date__lte=ends_on,
        created_at__lte=as_of,
    )


def help_measures_grouped(
    *,
    requests: QuerySet[HelpRequest],
    starts_on: datetime.date,
    ends_on: datetime.date,
    as_of: datetime.datetime,
) -> dict[int | None, HelpMeasures]:
    """Return the measures of ``requests`` received in the dates, per school id.

    ``requests`` is already scoped (a unit's schools, a commune's referrals);
    requests from the community (no school) are under the key None. Two
    queries whatever the number of schools: one grouped count, and the times to
    first action (a median is not an aggregate every database has).
    """
    received = requests.filter(
        _received(starts_on=starts_on, ends_on=ends_on, as_of=as_of)
    )
    acknowledged = Q(acknowledged_at__lte=as_of)
    closed = Q(status=HelpStatus.CLOSED, closed_at__lte=as_of)
    referral = HelpRequestAction.objects.filter(
        help_request=OuterRef("pk"),
        kind=HelpActionKind.REFERRAL,
        created_at__lte=as_of,
    )
    measures: dict[int | None, HelpMeasures] = {}
    for row in (
        received.values("school_id")
        .annotate(
            requests=Count("pk"),
            serious=Count("pk", filter=Q(category__in=list(SERIOUS_CATEGORIES))),
            due=Count("pk", filter=acknowledged | Q(ack_due_at__lte=as_of)),
            acknowledged_in_time=Count(
                "pk",
                filter=acknowledged
                & (
                    Q(ack_due_at__isnull=True) | Q(acknowledged_at__lte=F("ack_due_at"))
                ),
            ),
            with_first_action=Count("pk", filter=Q(first_action_at__lte=as_of)),
            referred=Count("pk", filter=Q(Exists(referral))),
            referred_to_commune=Count(
                "pk", filter=Q(referred_unit__isnull=False, referred_at__lte=as_of)
            ),
            closed_with_outcome=Count("pk", filter=closed & ~Q(outcome="")),
            open_past_deadline=Count(
                "pk",
                filter=~closed & ~acknowledged & Q(ack_due_at__lte=as_of),
            ),
        )
        .order_by()
    ):
        school_id = row.pop("school_id")
        measures[school_id] = HelpMeasures(school_id=school_id, **row)
    waits: dict[int | None, list[datetime.timedelta]] = {}
    for school_id, created_at, first_action_at in (
        received.filter(first_action_at__lte=as_of)
        .values_list("school_id", "created_at", "first_action_at")
        .order_by()
    ):
        waits.setdefault(school_id, []).append(first_action_at - created_at)
    for school_id, items in waits.items():
        measures[school_id].waits = tuple(items)
    return measures


def help_measures_of_schools(
    *,
    school_ids: QuerySet,
    starts_on: datetime.date,
    ends_on: datetime.date,
    as_of: datetime.datetime,
) -> dict[int, HelpMeasures]:
    """Return the measures of each school of ``school_ids`` that received any.

    A school missing from the answer received none (zeros). Two queries.
    """
    return help_measures_grouped(
        requests=HelpRequest.objects.filter(school_id__in=school_ids),
        starts_on=starts_on,
        ends_on=ends_on,
        as_of=as_of,
    )


def help_measures_total(items, *, name: str = "") -> HelpMeasures:
    """Return the measures of ``items`` together (their sums, their median)."""
    total = HelpMeasures(school_id=None, school_name=name)
    for item in items:
        total.add(item)
    return total
