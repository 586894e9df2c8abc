"""The programme rule and the status it gives a school: pure logic, no queries.

A school **met** the target in a period when both thresholds are reached: the
share of its classes in the covered grades given at least one module during the
period, and the share of its enrolled pupils who completed at least one module
in the period. It is **not started** when no class was given a module and no
pupil completed one; otherwise it is **in progress**. Shares compare exactly
(integers and decimals, never floats), so 80 % of 10 pupils is met by 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy


class ProgrammeStatus:
    MET = "met"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    LABELS = {
        MET: pgettext_lazy("programme status", "Met"),
        IN_PROGRESS: pgettext_lazy("programme status", "In progress"),
        NOT_STARTED: pgettext_lazy("programme status", "Not started"),
    }


@dataclass(frozen=True)
class Rule:
    """What a school must reach in a period; ``is_default`` when no row exists."""

    min_class_share: Decimal
    min_pupil_share: Decimal
    grade_from: int
    grade_to: int
    is_default: bool = False
    school_type: str = ""

    @classmethod
    def from_target(cls, target) -> Rule:
        return cls(
            min_class_share=Decimal(target.min_class_share),
            min_pupil_share=Decimal(target.min_pupil_share),
            grade_from=target.grade_from,
            grade_to=target.grade_to,
            school_type=target.school_type,
        )

    def covers(self, grade: int) -> bool:
        return self.grade_from <= grade <= self.grade_to

    def describe(self) -> str:
        """Return the rule in words, as every dashboard and export states it."""
        return _(
            "Target: %(classes)s%% of classes in grades %(first)d–%(last)d given at "
            "least 1 module; ≥ %(pupils)s%% of pupils completed at least 1 module"
        ) % {
            "classes": _number(self.min_class_share),
            "first": self.grade_from,
            "last": self.grade_to,
            "pupils": _number(self.min_pupil_share),
        }

    def as_data(self) -> dict:
        return {
            "min_class_share": _number(self.min_class_share),
            "min_pupil_share": _number(self.min_pupil_share),
            "grade_from": self.grade_from,
            "grade_to": self.grade_to,
            "school_type": self.school_type,
            "default": self.is_default,
        }


# The documented rule when an officer has set none for a period (docs/operations.md).
DEFAULT_RULE = Rule(
    min_class_share=Decimal("100"),
    min_pupil_share=Decimal("80"),
    grade_from=1,
    grade_to=12,
    is_default=True,
)


def _number(value: Decimal) -> str:
    value = Decimal(value)
    return (
        str(value.quantize(Decimal(1)))
        if value == value.to_integral()
        else str(value.normalize())
    )


def share_reached(part: int, whole: int, minimum: Decimal) -> bool:
    """Return whether ``part / whole`` is at least ``minimum`` percent, exactly."""
    if whole <= 0:
        return False
    return Decimal(part) * 100 >= Decimal(minimum) * whole


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class SchoolFigures:
    """One school's counts in one period, and the status the rule gives them."""

    classes: int = 0
    classes_assigned: int = 0
    pupils: int = 0
    pupils_completed: int = 0
    modules_completed: int = 0
    rule: Rule = DEFAULT_RULE

    @property
    def class_share(self) -> float | None:
        return percent(self.classes_assigned, self.classes)

    @property
    def pupil_share(self) -> float | None:
        return percent(min(self.pupils_completed, self.pupils), self.pupils)

    @property
    def classes_ok(self) -> bool:
        return share_reached(
            self.classes_assigned, self.classes, self.rule.min_class_share
        )

    @property
    def pupils_ok(self) -> bool:
        return share_reached(
            min(self.pupils_completed, self.pupils),
            self.pupils,
            self.rule.min_pupil_share,
        )

    @property
    def status(self) -> str:
        if self.classes_ok and self.pupils_ok:
            return ProgrammeStatus.MET
        if self.classes_assigned == 0 and self.pupils_completed == 0:
            return ProgrammeStatus.NOT_STARTED
        return ProgrammeStatus.IN_PROGRESS

    @property
    def status_label(self) -> str:
        return str(ProgrammeStatus.LABELS[self.status])

    @property
    def reason(self) -> str:
        """Say in words why the school has its status."""
        if self.classes == 0:
            classes = _("no class in grades %(first)d–%(last)d") % {
                "first": self.rule.grade_from,
                "last": self.rule.grade_to,
            }
        else:
            classes = _(
                "%(done)d of %(total)d classes given a module (%(share)s%%, "
                "target %(target)s%%)"
            ) % {
                "done": self.classes_assigned,
                "total": self.classes,
                "share": self.class_share,
                "target": _number(self.rule.min_class_share),
            }
        if self.pupils == 0:
            pupils = _("no enrolled pupils")
        else:
            pupils = _(
                "%(done)d of %(total)d pupils completed a module (%(share)s%%, "
                "target %(target)s%%)"
            ) % {
                "done": min(self.pupils_completed, self.pupils),
                "total": self.pupils,
                "share": self.pupil_share,
                "target": _number(self.rule.min_pupil_share),
            }
        return f"{classes}; {pupils}"
