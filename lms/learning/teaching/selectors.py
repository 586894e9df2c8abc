"""Reads of the teaching evidence: lessons taught, parents' meetings, staff trained.

Scoped through ``lms.people.selectors`` like every read (who may record, change or
confirm a lesson; who sees a school's parents' meetings). The reports count
staff trained and parents' meetings per school through the two ``*_by_school``
functions here, one implementation each.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from content_cms.models import Audience, ModulePage
from content_cms.selectors import (
    modules_localized,
    modules_visible_to,
)
from lms.learning.catalogue import module_fits_class
from lms.learning.rollups import REPORTING_TIME_ZONE
from lms.learning.selectors import today
from lms.models import (
    DONE_STATUSES,
    ModuleProgress,
    ParentMeeting,
    ReportingPeriod,
    RoleAssignment,
    School,
    SchoolClass,
    TeachingSession,
    User,
)
from lms.people.organisation import reporting_grace_days
from lms.people.selectors import (
    STAFF_ROLES,
    classes_managed_by,
    parent_meetings_visible_to,
    schools_administered_by,
    teaching_sessions_changeable_by,
    teaching_sessions_confirmable_by,
    teaching_sessions_visible_to,
)
from lms.rosters.selectors import class_roster
from quizzes.live.models import LivePhase, LivePlayer, LiveSession

# --- Lessons taught to a class ----------


def class_for_teaching(*, user: User, class_id: int) -> SchoolClass | None:
    """Return the class if ``user`` may record its lessons; None reads as a 404."""
    if not user.has_perm("lms.add_teachingsession"):
        return None
    return (
        classes_managed_by(user)
        .select_related("school", "school_year")
        .filter(pk=class_id)
        .first()
    )


def _closed_periods(on: datetime.date) -> list[ReportingPeriod]:
    last_open_end = on - datetime.timedelta(days=reporting_grace_days() + 1)
    return list(ReportingPeriod.objects.filter(ends_on__lte=last_open_end))


def _in_closed_period(day: datetime.date, closed: list[ReportingPeriod]) -> bool:
    return any(period.starts_on <= day <= period.ends_on for period in closed)


def _with_attendance_counts(queryset):
    return queryset.annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True)),
        pupils_count=Count("attendance"),
    )


def _sessions_dressed(sessions: list[TeachingSession], user: User) -> None:
    """Give each lesson its module in the active language and what ``user`` may do.

    ``module_localized``, ``band_fits`` (the module is of the class's band),
    ``is_closed`` (its period is closed), ``may_change`` and ``may_confirm``.
    """
    if not sessions:
        return
    ids = [session.pk for session in sessions]
    changeable = set(
        teaching_sessions_changeable_by(user)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    confirmable = set(
        teaching_sessions_confirmable_by(user)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    may_confirm = user.has_perm("lms.change_teachingsession")
    closed = _closed_periods(today())
    localized = modules_localized([session.module for session in sessions])
    for session, page in zip(sessions, localized, strict=True):
        session.module_localized = page
        session.band_fits = module_fits_class(
            module=session.module, school_class=session.school_class
        )
        session.is_closed = _in_closed_period(session.taught_on, closed)
        session.may_change = session.pk in changeable and not session.is_closed
        session.may_confirm = may_confirm and session.pk in confirmable


def class_teaching_sessions(
    *,
    user: User,
    school_class: SchoolClass,
    limit: int | None = None,
    with_attendance: bool = False,
) -> list[TeachingSession]:
    """Return the lessons taught to a class that ``user`` may see, newest first.

    Each carries ``present_count`` and ``pupils_count`` and what
    ``_sessions_dressed`` adds (and its attendance rows, prefetched, if asked).
    A bounded number of queries.
    """
    queryset = _with_attendance_counts(
        teaching_sessions_visible_to(user)
        .filter(school_class=school_class)
        .select_related("module", "recorded_by", "confirmed_by", "school_class")
        .prefetch_related("module__age_bands")
        .order_by("-taught_on", "-recorded_at", "-pk")
    )
    if with_attendance:
        queryset = queryset.prefetch_related("attendance")
    sessions = list(queryset[:limit] if limit else queryset)
    _sessions_dressed(sessions, user)
    return sessions


def class_teaching_session(
    *, user: User, school_class: SchoolClass, teaching_id: int
) -> TeachingSession | None:
    """Return one lesson of the class that ``user`` may see, dressed, else None."""
    session = (
        _with_attendance_counts(
            teaching_sessions_visible_to(user).filter(
                pk=teaching_id, school_class=school_class
            )
        )
        .select_related("module", "school_class")
        .prefetch_related("module__age_bands", "attendance")
        .first()
    )
    if session is not None:
        _sessions_dressed([session], user)
    return session


def live_session_of_host(*, user: User, live_session_id: int) -> LiveSession | None:
    """Return a live game ``user`` hosted, else None (the service checks the rest)."""
    if not 0 < live_session_id < 2**63:
        return None
    return (
        LiveSession.objects.select_related("quiz")
        .filter(pk=live_session_id, host_id=user.pk)
        .first()
    )


def teaching_session_for_change(
    *, user: User, class_id: int, teaching_id: int
) -> TeachingSession | None:
    """Return a lesson of the class that ``user`` may change; None reads as a 404."""
    session = (
        teaching_sessions_changeable_by(user)
        .filter(pk=teaching_id, school_class_id=class_id)
        .select_related("module", "school_class__school", "school_class__school_year")
        .prefetch_related("module__age_bands")
        .first()
    )
    if session is not None:
        _sessions_dressed([session], user)
    return session


def session_absent_pupil_ids(*, session: TeachingSession) -> list[int]:
    """Return the pupils marked absent from a lesson."""
    return list(
        session.attendance.filter(present=False).values_list("pupil_id", flat=True)
    )


@dataclass
class LiveGameOption:
    """A live game the teacher played today, offered to fill a lesson's attendance."""

    session: LiveSession
    module: ModulePage  # in the active language; ``source_id`` on it
    players: int  # pupils of the class who played with their account

    @property
    def ended_at(self):
        return self.session.ended_at


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(
        day, datetime.time.min, tzinfo=REPORTING_TIME_ZONE
    )
    return start, start + datetime.timedelta(days=1)


def live_games_for_class(
    *, user: User, school_class: SchoolClass, on: datetime.date
) -> list[LiveGameOption]:
    """Return ``user``'s live games that ended on ``on`` and pupils of the class played.

    Only games of a pupils' module's quiz (the module of the class's band
    first when several share it); latest first. Four queries.
    """
    start, end = _day_bounds(on)
    games = list(
        LiveSession.objects.filter(
            host_id=user.pk,
            phase=LivePhase.ENDED,
            ended_at__gte=start,
            ended_at__lt=end,
        )
        .select_related("quiz")
        .order_by("-ended_at")
    )
    if not games:
        return []
    roster = class_roster(school_class=school_class).values("pupil_id")
    players = dict(
        LivePlayer.objects.filter(
            session__in=[game.pk for game in games],
            user_id__in=roster,
            is_removed=False,
        )
        .values_list("session_id")
        .annotate(count=Count("pk"))
    )
    modules: dict = {}
    for module in (
        modules_visible_to(user)
        .filter(
            audience=Audience.PUPIL,
            quiz__translation_key__in={game.quiz.translation_key for game in games},
        )
        .select_related("quiz")
        .prefetch_related("age_bands")
        .order_by("title", "pk")
    ):
        key = module.quiz.translation_key
        kept = modules.get(key)
        if kept is None or (
            module_fits_class(module=module, school_class=school_class)
            and not module_fits_class(module=kept, school_class=school_class)
        ):
            modules[key] = module
    options = [
        (game, modules[game.quiz.translation_key])
        for game in games
        if players.get(game.pk) and game.quiz.translation_key in modules
    ]
    localized = modules_localized([module for _game, module in options])
    result = []
    for (game, source), page in zip(options, localized, strict=True):
        page.source_id = source.pk
        result.append(
            LiveGameOption(session=game, module=page, players=players[game.pk])
        )
    return result


def live_game_for_teaching(
    *, user: User, school_class: SchoolClass, live_session_id: int, on: datetime.date
) -> LiveGameOption | None:
    """Return one of ``live_games_for_class`` by the game's id, else None."""
    return next(
        (
            option
            for option in live_games_for_class(
                user=user, school_class=school_class, on=on
            )
            if option.session.pk == live_session_id
        ),
        None,
    )


# --- A school's lessons and parents' meetings (its administrators) ----------


def school_for_teaching(*, user: User, school_id: int) -> School | None:
    """Return the school if ``user`` runs it (confirms lessons, keeps meetings)."""
    return schools_administered_by(user).filter(pk=school_id).first()


def school_teaching_sessions(*, user: User, school: School, unconfirmed: bool = False):
    """Return the school's lessons ``user`` may see, newest first, as a queryset.

    For a page of them, ``teaching_sessions_dressed`` adds the module in the
    active language and what the user may do.
    """
    queryset = (
        teaching_sessions_visible_to(user)
        .filter(school_class__school=school)
        .select_related("module", "recorded_by", "confirmed_by", "school_class")
        .prefetch_related("module__age_bands")
        .order_by("-taught_on", "school_class__name", "-pk")
    )
    if unconfirmed:
        queryset = queryset.filter(confirmed_at__isnull=True)
    return _with_attendance_counts(queryset)


def teaching_sessions_dressed(
    *, user: User, sessions: list[TeachingSession]
) -> list[TeachingSession]:
    """Return ``sessions`` with their modules localized and the user's rights."""
    sessions = list(sessions)
    _sessions_dressed(sessions, user)
    return sessions


def school_teaching_session(
    *, user: User, school: School, teaching_id: int
) -> TeachingSession | None:
    """Return a lesson of the school that ``user`` may confirm, else None."""
    return (
        teaching_sessions_confirmable_by(user)
        .filter(pk=teaching_id, school_class__school=school)
        .first()
    )


def school_parent_meetings(*, user: User, school: School) -> list[ParentMeeting]:
    """Return the school's parents' meetings, newest first, modules localized."""
    meetings = list(
        parent_meetings_visible_to(user)
        .filter(school=school)
        .select_related("module", "recorded_by")
        .order_by("-held_on", "-pk")
    )
    closed = _closed_periods(today())
    with_module = [meeting for meeting in meetings if meeting.module is not None]
    localized = modules_localized([meeting.module for meeting in with_module])
    for meeting, page in zip(with_module, localized, strict=True):
        meeting.module_localized = page
    for meeting in meetings:
        meeting.is_closed = _in_closed_period(meeting.held_on, closed)
    return meetings


def parent_meeting_for_change(
    *, user: User, school: School, meeting_id: int
) -> ParentMeeting | None:
    return (
        parent_meetings_visible_to(user)
        .filter(pk=meeting_id, school=school)
        .select_related("school")
        .first()
    )


def meeting_modules(*, user: User) -> list[ModulePage]:
    """Return the modules a parents' meeting may have used: parents' first."""
    order = {Audience.PARENT: 0, Audience.TEACHER_STAFF: 1, Audience.PUPIL: 2}
    modules = list(
        modules_visible_to(user).prefetch_related("age_bands").order_by("title")
    )
    modules.sort(key=lambda module: order.get(module.audience, 3))
    localized = modules_localized(modules)
    for source, page in zip(modules, localized, strict=True):
        page.source_id = source.pk
        page.band_label = ", ".join(b.localized_name for b in source.age_bands.all())
    return localized


# --- Adults reached, for the reports (lms/reports) ----------


def _period_moments(period: ReportingPeriod):
    start, _end = _day_bounds(period.starts_on)
    _start, end = _day_bounds(period.ends_on)
    return start, end


def staff_trained_by_school(*, schools, period: ReportingPeriod) -> dict[int, int]:
    """Return school id -> how many of its staff completed a staff module in ``period``.

    Staff: active accounts holding a teacher, counsellor or school administrator
    role at the school (one person counts once per school). Completed: a
    ``ModuleProgress`` of a staff module (audience "teachers and staff") with
    a done status whose ``completed_at`` falls on a day of the period, in Viet
    Nam. One query whatever the number of schools; schools with nobody trained
    are left out.
    """
    start, end = _period_moments(period)
    # The staff modules first (a handful), so the database reads only their
    # progress rows (index on module and status), not every pupil's.
    modules = list(
        ModulePage.objects.filter(audience=Audience.TEACHER_STAFF).values_list(
            "pk", flat=True
        )
    )
    trained = ModuleProgress.objects.filter(
        module_id__in=modules,
        status__in=DONE_STATUSES,
        completed_at__gte=start,
        completed_at__lt=end,
    ).values("user_id")
    return dict(
        RoleAssignment.objects.filter(
            school__in=schools,
            role__in=STAFF_ROLES,
            user__is_active=True,
            user_id__in=trained,
        )
        .values_list("school_id")
        .annotate(count=Count("user_id", distinct=True))
        .order_by()
    )


def staff_trained(*, school: School, period: ReportingPeriod) -> int:
    """Return how many of the school's staff completed a staff module in ``period``."""
    return staff_trained_by_school(schools=[school.pk], period=period).get(school.pk, 0)


def parent_meetings(*, school: School, period: ReportingPeriod) -> list[ParentMeeting]:
    """Return the school's parents' meetings held in ``period``, oldest first."""
    return list(
        ParentMeeting.objects.filter(
            school=school,
            held_on__gte=period.starts_on,
            held_on__lte=period.ends_on,
        )
        .select_related("module")
        .order_by("held_on", "pk")
    )


@dataclass(frozen=True)
class ParentMeetingTotals:
    meetings: int
    parents: int


def parent_meeting_totals_by_school(
    *, schools, period: ReportingPeriod
) -> dict[int, ParentMeetingTotals]:
    """Return school id -> meetings held in ``period`` and parents who came.

    One query whatever the number of schools; schools without a meeting are
    left out.
    """
    return {
        school_id: ParentMeetingTotals(meetings=meetings, parents=parents or 0)
        for school_id, meetings, parents in ParentMeeting.objects.filter(
            school__in=schools,
            held_on__gte=period.starts_on,
            held_on__lte=period.ends_on,
        )
        .values_list("school_id")
        .annotate(meetings=Count("pk"), parents=Sum("parents_count"))
    }
