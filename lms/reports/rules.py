"""The programme rule and the status it gives a school: pure logic, no queries.

Two kinds of rule (docs/reports.md has a worked example):

- **Shares** (a period without required topics, and the documented default): a
  school **met** the target when both thresholds are reached: the share of its
  classes in the covered grades given at least one module during the period,
  and the share of its enrolled pupils who completed at least one module in the
  period.
- **Required topics** (``Rule.topics``, one ``TopicRule`` per age band and
  topic): each class in the covered grades must cover every required topic of
  the band holding its grade. A topic is covered when a teaching session on a
  module of that topic and band was given to the class in the period, or when
  at least the topic's share of the class's pupils completed such a module in
  the period (``TopicRule.covered``). A class whose band requires nothing has
  nothing to cover. The school **met** the target when every such class did.

Either way a school is **not started** when nothing happened (no class given a
module, no pupil completed one, no required topic covered) and **in progress**
otherwise. Shares compare exactly (integers and decimals, never floats), so 80 %
of 10 pupils is met by 8.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from common.numbers import decimal_text


class ProgrammeStatus:
    MET = "met"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    LABELS = {
        MET: pgettext_lazy("programme status", "Met"),
        IN_PROGRESS: pgettext_lazy("programme status", "In progress"),
        NOT_STARTED: pgettext_lazy("programme status", "Not started"),
    }


def _localized(vietnamese: str, english: str) -> str:
    language = (get_language() or "vi").split("-")[0]
    return english if language == "en" and english else vietnamese


@dataclass(frozen=True)
class TopicRule:
    """A topic every class of an age band must cover, and how it counts as covered."""

    band_id: int
    band_code: str
    band_name_vi: str
    band_name_en: str
    first_grade: int
    last_grade: int
    topic_id: int
    topic_code: str
    topic_name_vi: str
    topic_name_en: str
    min_pupil_share: Decimal

    @classmethod
    def from_requirement(cls, requirement) -> TopicRule:
        band, topic = requirement.age_band, requirement.topic
        return cls(
            band_id=band.pk,
            band_code=band.code,
            band_name_vi=band.name,
            band_name_en=band.name_en,
            first_grade=band.min_grade or 0,
            last_grade=band.max_grade or 0,
            topic_id=topic.pk,
            topic_code=topic.code,
            topic_name_vi=topic.name,
            topic_name_en=topic.name_en,
            min_pupil_share=Decimal(requirement.min_pupil_share),
        )

    @property
    def band_name(self) -> str:
        return _localized(self.band_name_vi, self.band_name_en)

    @property
    def topic_name(self) -> str:
        return _localized(self.topic_name_vi, self.topic_name_en)

    @property
    def key(self) -> tuple[int, int]:
        return (self.band_id, self.topic_id)

    @property
    def short_label(self) -> str:
        """The grades and the topic, short enough for a chart's label."""
        return _("Grades %(first)d–%(last)d: %(topic)s") % {
            "first": self.first_grade,
            "last": self.last_grade,
            "topic": self.topic_name,
        }

    def holds(self, grade: int) -> bool:
        return self.first_grade <= grade <= self.last_grade

    def covered(self, *, pupils: int, completed: int, sessions: int) -> bool:
        """Return whether a class covered the topic: a session, or enough pupils.

        ``lms.reports.figures`` applies the same test in SQL to many schools at
        once; ``tests/lms/reports/test_topic_rules.py`` checks that both agree.
        """
        return sessions > 0 or share_reached(
            min(completed, pupils), pupils, self.min_pupil_share
        )

    def as_data(self) -> dict:
        return {
            "band": self.band_code,
            "topic": self.topic_code,
            "min_pupil_share": _number(self.min_pupil_share),
        }


@dataclass(frozen=True)
class Rule:
    """What a school must reach in a period; ``is_default`` when no row exists.

    ``topics`` (possibly empty) are the required topics per age band; with any,
    the class and pupil shares give way to topic coverage. ``target_id`` is the
    ``ProgrammeTarget`` row the rule was read from (None for the default).
    """

    min_class_share: Decimal
    min_pupil_share: Decimal
    grade_from: int
    grade_to: int
    is_default: bool = False
    school_type: str = ""
    topics: tuple[TopicRule, ...] = ()
    target_id: int | None = None

    @classmethod
    def from_target(cls, target, topics: tuple[TopicRule, ...] = ()) -> Rule:
        return cls(
            min_class_share=Decimal(target.min_class_share),
            min_pupil_share=Decimal(target.min_pupil_share),
            grade_from=target.grade_from,
            grade_to=target.grade_to,
            school_type=target.school_type,
            topics=tuple(topics),
            target_id=target.pk,
        )

    def covers(self, grade: int) -> bool:
        return self.grade_from <= grade <= self.grade_to

    @property
    def has_topics(self) -> bool:
        return bool(self.topics)

    def topics_for(self, grade: int) -> list[TopicRule]:
        """Return the topics a class of ``grade`` must cover (none outside the rule)."""
        if not self.covers(grade):
            return []
        return [topic for topic in self.topics if topic.holds(grade)]

    def topics_by_band(self) -> list[tuple[str, list[TopicRule]]]:
        """Return the required topics grouped by age band, in the rule's order."""
        bands: dict[int, tuple[str, list[TopicRule]]] = {}
        for topic in self.topics:
            bands.setdefault(topic.band_id, (topic.band_name, []))[1].append(topic)
        return list(bands.values())

    def describe(self) -> str:
        """Return the rule in words, as every dashboard and export states it."""
        if self.topics:
            return _(
                "Target: every class in grades %(first)d–%(last)d covers each "
                "required topic of its age band (%(count)d topics): a teaching "
                "session on the topic, or enough of the class's pupils completed a "
                "module on it"
            ) % {
                "first": self.grade_from,
                "last": self.grade_to,
                "count": len(self.topics),
            }
        return _(
            "Target: %(classes)s%% of classes in grades %(first)d–%(last)d given at "
            "least 1 module; ≥ %(pupils)s%% of pupils completed at least 1 module"
        ) % {
            "classes": decimal_text(self.min_class_share),
            "first": self.grade_from,
            "last": self.grade_to,
            "pupils": decimal_text(self.min_pupil_share),
        }

    def describe_topics(self) -> list[str]:
        """Return one line per age band: its required topics and their shares."""
        lines = []
        for band, topics in self.topics_by_band():
            shares = {topic.min_pupil_share for topic in topics}
            if len(shares) == 1:
                text = _("%(topics)s (each: ≥ %(share)s%% of pupils, or a session)") % {
                    "topics": ", ".join(topic.topic_name for topic in topics),
                    "share": _number(shares.pop()),
                }
            else:
                text = ", ".join(
                    _("%(topic)s (≥ %(share)s%% of pupils, or a session)")
                    % {
                        "topic": topic.topic_name,
                        "share": _number(topic.min_pupil_share),
                    }
                    for topic in topics
                )
            lines.append(_("%(band)s: %(topics)s") % {"band": band, "topics": text})
        return lines

    def as_data(self) -> dict:
        data = {
            "min_class_share": _number(self.min_class_share),
            "min_pupil_share": _number(self.min_pupil_share),
            "grade_from": self.grade_from,
            "grade_to": self.grade_to,
            "school_type": self.school_type,
            "default": self.is_default,
        }
        if self.topics:
            data["topics"] = [topic.as_data() for topic in self.topics]
        return data


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
class TopicCell:
    """One required topic of one class: what the class did toward it."""

    topic: TopicRule
    pupils: int = 0
    completed: int = 0
    sessions: int = 0

    @property
    def covered(self) -> bool:
        return self.topic.covered(
            pupils=self.pupils, completed=self.completed, sessions=self.sessions
        )

    @property
    def completed_share(self) -> float | None:
        return percent(min(self.completed, self.pupils), self.pupils)


@dataclass
class ClassCoverage:
    """A class's required topics in a period and whether each is covered."""

    class_id: int
    name: str
    grade: int
    pupils: int
    cells: list[TopicCell] = field(default_factory=list)
    is_group: bool = False

    @property
    def met(self) -> bool:
        return all(cell.covered for cell in self.cells)

    @property
    def missing(self) -> list[TopicCell]:
        return [cell for cell in self.cells if not cell.covered]

    @property
    def covered_count(self) -> int:
        return sum(cell.covered for cell in self.cells)

    def missing_texts(self) -> list[str]:
        """Say what the class has not covered: one line, its topics in rule order.

        A care facility's groups are named as they are ("Nhóm Sơn Ca"), a
        school's classes as "Class 5A".
        """
        missing = self.missing
        if not missing:
            return []
        names = {
            "class": self.name,
            "topic": ", ".join(cell.topic.topic_name for cell in missing),
        }
        if self.is_group:
            return [
                ngettext(
                    "%(class)s: topic %(topic)s not yet covered",
                    "%(class)s: topics %(topic)s not yet covered",
                    len(missing),
                )
                % names
            ]
        return [
            ngettext(
                "Class %(class)s: topic %(topic)s not yet covered",
                "Class %(class)s: topics %(topic)s not yet covered",
                len(missing),
            )
            % names
        ]


def class_coverage(
    *,
    rule: Rule,
    class_id: int,
    name: str,
    grade: int,
    pupils: int,
    completed: dict[tuple[int, int], int],
    sessions: dict[tuple[int, int], int],
) -> ClassCoverage:
    """Return a class's coverage of the topics ``rule`` requires of its grade.

    ``completed`` and ``sessions`` are keyed by (band id, topic id): the class's
    pupils who completed a module of that topic and band in the period, and the
    teaching sessions on one.
    """
    return ClassCoverage(
        class_id=class_id,
        name=name,
        grade=grade,
        pupils=pupils,
        cells=[
            TopicCell(
                topic=topic,
                pupils=pupils,
                completed=completed.get(topic.key, 0),
                sessions=sessions.get(topic.key, 0),
            )
            for topic in rule.topics_for(grade)
        ],
    )


@dataclass
class TopicTally:
    """Classes of a school that must cover one topic of one band, and those that did."""

    band_id: int
    topic_id: int
    required: int = 0
    covered: int = 0

    @property
    def missing(self) -> int:
        return self.required - self.covered


@dataclass
class SchoolFigures:
    """One school's counts in one period, and the status the rule gives them.

    With a rule of required topics, ``classes_covered`` counts the classes (in
    the covered grades) that covered every topic of their band, and
    ``topics_required`` / ``topics_covered`` the (class, topic) pairs;
    ``coverage`` holds each class's detail where a page asked for it.
    ``sessions`` counts the teaching sessions held; pupils reached and the
    adults' figures are filled only where a page shows them (None otherwise).
    None of these changes a status.
    """

    classes: int = 0
    classes_assigned: int = 0
    pupils: int = 0
    pupils_completed: int = 0
    modules_completed: int = 0
    rule: Rule = DEFAULT_RULE
    classes_covered: int = 0
    topics_required: int = 0
    topics_covered: int = 0
    sessions: int = 0
    coverage: list[ClassCoverage] | None = None
    topic_tallies: list[TopicTally] | None = None
    pupils_reached: int | None = None
    staff_trained: int | None = None
    parent_meetings: int | None = None
    parents: int | None = None

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
    def topics_ok(self) -> bool:
        return self.classes > 0 and self.classes_covered >= self.classes

    @property
    def covered_share(self) -> float | None:
        return percent(min(self.classes_covered, self.classes), self.classes)

    @property
    def progress_share(self) -> float | None:
        """The share a list sorts by: classes covered (topics), else pupils."""
        return self.covered_share if self.rule.has_topics else self.pupil_share

    @property
    def status(self) -> str:
        if self.rule.has_topics:
            if self.topics_ok:
                return ProgrammeStatus.MET
        elif self.classes_ok and self.pupils_ok:
            return ProgrammeStatus.MET
        if (
            self.classes_assigned == 0
            and self.pupils_completed == 0
            and self.topics_covered == 0
        ):
            return ProgrammeStatus.NOT_STARTED
        return ProgrammeStatus.IN_PROGRESS

    def missing_texts(self) -> list[str]:
        """Say what is missing, class by class (needs ``coverage``)."""
        return [text for item in self.coverage or [] for text in item.missing_texts()]

    @property
    def status_label(self) -> str:
        return str(ProgrammeStatus.LABELS[self.status])

    @property
    def reason(self) -> str:
        """Say in words why the school has its status."""
        if self.rule.has_topics:
            return self._topics_reason()
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
                "share": decimal_text(self.class_share),
                "target": decimal_text(self.rule.min_class_share),
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
                "share": decimal_text(self.pupil_share),
                "target": decimal_text(self.rule.min_pupil_share),
            }
        return f"{classes}; {pupils}"

    def _topics_reason(self) -> str:
        if self.classes == 0:
            return _("no class in grades %(first)d–%(last)d") % {
                "first": self.rule.grade_from,
                "last": self.rule.grade_to,
            }
        return _(
            "%(done)d of %(total)d classes covered every required topic of their "
            "age band (%(share)s%%); %(covered)d of %(required)d required topics "
            "covered across classes"
        ) % {
            "done": min(self.classes_covered, self.classes),
            "total": self.classes,
            "share": self.covered_share,
            "covered": self.topics_covered,
            "required": self.topics_required,
        }
