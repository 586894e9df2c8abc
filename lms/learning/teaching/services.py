"""Writes of the teaching evidence: lessons taught to a class, parents' meetings.

A teacher records that a module was taught to the whole class (from the
projector, a talk, a live class game): the date, the module, how long, who was
there. Each write is one transaction with its attendance rows, its audit entry
and the ``lms.signals`` event the reports listen to, so a status the lesson
changes is written with it. Bad input is refused with a message and nothing is
written:

* a date in the future, outside the class's school year, or in a closed
  reporting period (``lms.people.organisation.closed_period_holding``);
* a module that is not a live pupils' module;
* a duration outside 5-240 minutes, a note longer than 500 characters;
* attendance naming a pupil who is not on the class's roster;
* a live game that is not the recorder's, not ended on that day, or not of the
  module's quiz.

A lesson in a closed period can no longer be changed or deleted; confirming it
(the school administrator's check) stays possible. Who may do what is
``lms.people.selectors``' answer (``teaching_sessions_changeable_by``,
``teaching_sessions_confirmable_by``, ``parent_meetings_visible_to``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale

from content_cms.models import Audience, ModulePage
from content_cms.selectors import modules_visible_to
from lms.errors import LmsError
from lms.learning.rollups import local_day
from lms.models import (
    ParentMeeting,
    School,
    SchoolClass,
    TeachingAttendance,
    TeachingSession,
    User,
)
from lms.people import selectors as people_selectors
from lms.people.audit import audit_record
from lms.people.organisation import closed_period_holding, period_closes_on
from lms.rosters.selectors import class_roster
from lms.signals import parent_meeting_changed, teaching_session_changed
from quizzes.live.models import LivePhase, LivePlayer, LiveSession

MIN_MINUTES, MAX_MINUTES = 5, 240
NOTE_MAX_LENGTH = 500
MAX_PARENTS = 10_000


def today() -> datetime.date:
    """Return today's date where the schools are (tests replace it)."""
    return timezone.localdate()


# --- Checks shared by sessions and meetings ----------


def _check_not_future(day: datetime.date, *, on: datetime.date) -> None:
    if day > on:
        raise LmsError(
            _("The date %(date)s is in the future: record it once it has happened.")
            % {"date": day.strftime("%d/%m/%Y")},
            code="date_in_future",
        )


def _check_period_open(day: datetime.date, *, on: datetime.date) -> None:
    closed = closed_period_holding(day, today=on)
    if closed is not None:
        raise LmsError(
            _(
                "The reporting period %(period)s closed on %(closed)s: what "
                "happened in it can no longer be recorded, changed or deleted."
            )
            % {
                "period": str(closed),
                "closed": period_closes_on(closed).strftime("%d/%m/%Y"),
            },
            code="period_closed",
        )


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise LmsError(
            _("The note is too long (at most %(count)d characters).")
            % {"count": NOTE_MAX_LENGTH},
            code="note_too_long",
        )
    return note


def _check_pupil_module(actor: User, module: ModulePage) -> None:
    usable = modules_visible_to(actor).filter(pk=module.pk, audience=Audience.PUPIL)
    if module.locale_id != Locale.get_default().pk or not usable.exists():
        raise LmsError(
            _(
                "This module is not a lesson for pupils: choose one of the "
                "pupils' modules."
            ),
            code="module_not_for_pupils",
        )


def _check_module_usable(actor: User, module: ModulePage) -> None:
    usable = modules_visible_to(actor).filter(pk=module.pk)
    if module.locale_id != Locale.get_default().pk or not usable.exists():
        raise LmsError(_("This module cannot be chosen."), code="module_not_usable")


# --- Lessons taught to a class ----------


def _check_may_record(actor: User, school_class: SchoolClass) -> None:
    if not actor.has_perm("lms.add_teachingsession") or not (
        people_selectors.classes_managed_by(actor).filter(pk=school_class.pk).exists()
    ):
        raise LmsError(
            _("You cannot record lessons for this class."), code="class_not_managed"
        )


def _check_session_date(
    school_class: SchoolClass, day: datetime.date, *, on: datetime.date
) -> None:
    if not isinstance(day, datetime.date):
        raise LmsError(_("Enter the date of the lesson."), code="date_missing")
    _check_not_future(day, on=on)
    year = school_class.school_year
    if not year.starts_on <= day <= year.ends_on:
        raise LmsError(
            _(
                "The date %(date)s is outside the school year %(year)s of class "
                "%(class)s (%(starts)s to %(ends)s)."
            )
            % {
                "date": day.strftime("%d/%m/%Y"),
                "year": year.name,
                "class": school_class.name,
                "starts": year.starts_on.strftime("%d/%m/%Y"),
                "ends": year.ends_on.strftime("%d/%m/%Y"),
            },
            code="date_outside_school_year",
        )
    _check_period_open(day, on=on)


def _check_duration(minutes) -> int:
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise LmsError(
            _("A lesson lasts from %(min)d to %(max)d minutes.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES},
            code="duration_out_of_range",
        )
    return minutes


def _check_live_game(
    actor: User, live_session: LiveSession, module: ModulePage, day: datetime.date
) -> None:
    quiz = module.quiz
    fits = (
        live_session.host_id == actor.pk
        and live_session.phase == LivePhase.ENDED
        and live_session.ended_at is not None
        and local_day(live_session.ended_at) == day
        and quiz is not None
        and live_session.quiz.translation_key == quiz.translation_key
    )
    if not fits:
        raise LmsError(
            _(
                "This live game cannot fill the attendance: choose one of your "
                "games of this module's quiz that ended on the day of the lesson."
            ),
            code="live_game_not_usable",
        )


def live_game_player_ids(live_session: LiveSession, roster_ids: set[int]) -> set[int]:
    """Return the pupils of a roster who played a live game with their account."""
    return set(
        LivePlayer.objects.filter(
            session=live_session, user_id__in=roster_ids, is_removed=False
        ).values_list("user_id", flat=True)
    )


def _attendance(
    school_class: SchoolClass,
    *,
    absent_pupil_ids: Iterable[int] | None,
    live_session: LiveSession | None,
) -> dict[int, bool]:
    """Return pupil id -> present for every pupil on the class's roster.

    Everyone is present unless named absent; without a list, a live game marks
    present the pupils who played it with their account, and the others absent.
    """
    roster = set(
        class_roster(school_class=school_class).values_list("pupil_id", flat=True)
    )
    if absent_pupil_ids is None:
        if live_session is None:
            return dict.fromkeys(roster, True)
        played = live_game_player_ids(live_session, roster)
        return {pupil_id: pupil_id in played for pupil_id in roster}
    absent = set(absent_pupil_ids)
    if not absent <= roster:
        raise LmsError(
            _("Some of the pupils named are not in class %(class)s.")
            % {"class": school_class.name},
            code="pupil_not_in_class",
        )
    return {pupil_id: pupil_id not in absent for pupil_id in roster}


def _attendance_write(session: TeachingSession, attendance: dict[int, bool]) -> None:
    session.attendance.all().delete()
    TeachingAttendance.objects.bulk_create(
        TeachingAttendance(session=session, pupil_id=pupil_id, present=present)
        for pupil_id, present in sorted(attendance.items())
    )


def _counts(attendance: dict[int, bool]) -> dict[str, int]:
    present = sum(attendance.values())
    return {"present": present, "absent": len(attendance) - present}


def _facts(session: TeachingSession) -> dict:
    return {
        "class": session.school_class_id,
        "module": session.module_id,
        "taught_on": session.taught_on.isoformat(),
    }


@transaction.atomic
def teaching_session_record(
    *,
    actor: User,
    school_class: SchoolClass,
    module: ModulePage,
    taught_on: datetime.date,
    duration_minutes: int,
    note: str = "",
    absent_pupil_ids: Iterable[int] | None = None,
    live_session: LiveSession | None = None,
) -> TeachingSession:
    """Record that ``module`` was taught to ``school_class`` on ``taught_on``.

    Every pupil on the class's roster gets an attendance row: present unless
    named in ``absent_pupil_ids``. With ``live_session`` (the recorder's live
    game of the module's quiz, ended that day) and no list, the pupils who
    played it with their account are present and the others absent.
    """
    on = today()
    _check_may_record(actor, school_class)
    _check_session_date(school_class, taught_on, on=on)
    _check_pupil_module(actor, module)
    minutes = _check_duration(duration_minutes)
    note = _check_note(note)
    if live_session is not None:
        _check_live_game(actor, live_session, module, taught_on)
    attendance = _attendance(
        school_class, absent_pupil_ids=absent_pupil_ids, live_session=live_session
    )
    session = TeachingSession.objects.create(
        school_class=school_class,
        module=module,
        taught_on=taught_on,
        duration_minutes=minutes,
        note=note,
        live_session=live_session,
        recorded_by=actor,
    )
    _attendance_write(session, attendance)
    audit_record(
        actor=actor,
        action="teaching_session_record",
        target=session,
        details={
            **_facts(session),
            **_counts(attendance),
            "minutes": minutes,
            "live_game": live_session.pk if live_session else None,
        },
    )
    teaching_session_changed.send(
        sender=TeachingSession, session=session, action="record", previous=None
    )
    return session


def _check_may_change(actor: User, session: TeachingSession, *, on) -> None:
    if (
        not people_selectors.teaching_sessions_changeable_by(actor)
        .filter(pk=session.pk)
        .exists()
    ):
        raise LmsError(
            _(
                "Only the teacher who recorded this lesson or the school's "
                "administrator can change it."
            ),
            code="session_not_changeable",
        )
    _check_period_open(session.taught_on, on=on)


_KEEP = object()


@transaction.atomic
def teaching_session_update(
    *,
    actor: User,
    session: TeachingSession,
    module: ModulePage,
    taught_on: datetime.date,
    duration_minutes: int,
    note: str = "",
    absent_pupil_ids: Iterable[int] | None = None,
    live_session=_KEEP,
) -> TeachingSession:
    """Correct a lesson while its period is open; the attendance is written anew.

    The old date and the new one must both be open. A confirmed lesson that is
    changed waits for a new confirmation. ``live_session`` is kept unless given.
    """
    on = today()
    session = TeachingSession.objects.select_for_update().get(pk=session.pk)
    _check_may_change(actor, session, on=on)
    school_class = session.school_class
    _check_session_date(school_class, taught_on, on=on)
    if module.pk != session.module_id:
        _check_pupil_module(actor, module)
    minutes = _check_duration(duration_minutes)
    note = _check_note(note)
    if live_session is _KEEP:
        live_session = session.live_session
        if live_session is not None and (
            module.pk != session.module_id or taught_on != session.taught_on
        ):
            live_session = None  # the game no longer describes this lesson
    elif live_session is not None:
        _check_live_game(actor, live_session, module, taught_on)
    attendance = _attendance(
        school_class, absent_pupil_ids=absent_pupil_ids, live_session=live_session
    )
    previous = _facts(session)
    session.module = module
    session.taught_on = taught_on
    session.duration_minutes = minutes
    session.note = note
    session.live_session = live_session
    was_confirmed = session.confirmed_at is not None
    session.confirmed_by = None
    session.confirmed_at = None
    session.save()
    _attendance_write(session, attendance)
    audit_record(
        actor=actor,
        action="teaching_session_update",
        target=session,
        details={
            **_facts(session),
            **_counts(attendance),
            "minutes": minutes,
            "before": previous,
            "confirmation_cleared": was_confirmed,
        },
    )
    teaching_session_changed.send(
        sender=TeachingSession,
        session=session,
        action="update",
        previous={
            "class_id": session.school_class_id,
            "module_id": previous["module"],
            "taught_on": datetime.date.fromisoformat(previous["taught_on"]),
        },
    )
    return session


@transaction.atomic
def teaching_session_delete(*, actor: User, session: TeachingSession) -> None:
    """Delete a lesson recorded by mistake, while its period is open."""
    on = today()
    session = TeachingSession.objects.select_for_update().get(pk=session.pk)
    _check_may_change(actor, session, on=on)
    previous = {
        "class_id": session.school_class_id,
        "module_id": session.module_id,
        "taught_on": session.taught_on,
    }
    audit_record(
        actor=actor,
        action="teaching_session_delete",
        target=session,
        details={
            **_facts(session),
            "recorded_by": session.recorded_by_id,
            "confirmed": session.confirmed_at is not None,
        },
    )
    session.delete()
    teaching_session_changed.send(
        sender=TeachingSession, session=session, action="delete", previous=previous
    )


@transaction.atomic
def teaching_session_confirm(*, actor: User, session: TeachingSession) -> None:
    """Confirm a lesson as the school's administrator (idempotent)."""
    if (
        not actor.has_perm("lms.change_teachingsession")
        or not people_selectors.teaching_sessions_confirmable_by(actor)
        .filter(pk=session.pk)
        .exists()
    ):
        raise LmsError(
            _("Only the school's administrator can confirm lessons."),
            code="confirm_not_allowed",
        )
    session = TeachingSession.objects.select_for_update().get(pk=session.pk)
    if session.confirmed_at is not None:
        return
    session.confirmed_by = actor
    session.confirmed_at = timezone.now()
    session.save(update_fields=["confirmed_by", "confirmed_at"])
    audit_record(
        actor=actor,
        action="teaching_session_confirm",
        target=session,
        details=_facts(session),
    )
    teaching_session_changed.send(
        sender=TeachingSession, session=session, action="confirm", previous=None
    )


# --- Parents' meetings ----------


def _check_may_keep_meetings(actor: User, school: School) -> None:
    if not actor.has_perm("lms.add_parentmeeting") or not (
        people_selectors.schools_administered_by(actor).filter(pk=school.pk).exists()
    ):
        raise LmsError(
            _("Only the school's administrator can record parents' meetings."),
            code="school_not_administered",
        )


@transaction.atomic
def parent_meeting_record(
    *,
    actor: User,
    school: School,
    held_on: datetime.date,
    parents_count: int,
    module: ModulePage | None = None,
    note: str = "",
) -> ParentMeeting:
    """Record a school's meeting with parents on online safety.

    ``module`` (optional) is the module used: one written for parents, staff or
    pupils. The date must not be in the future or in a closed period.
    """
    on = today()
    _check_may_keep_meetings(actor, school)
    if not isinstance(held_on, datetime.date):
        raise LmsError(_("Enter the date of the meeting."), code="date_missing")
    _check_not_future(held_on, on=on)
    _check_period_open(held_on, on=on)
    try:
        parents_count = int(parents_count)
    except (TypeError, ValueError):
        parents_count = 0
    if not 1 <= parents_count <= MAX_PARENTS:
        raise LmsError(
            _("Enter how many parents came: at least 1."),
            code="parents_count_invalid",
        )
    if module is not None:
        _check_module_usable(actor, module)
    meeting = ParentMeeting.objects.create(
        school=school,
        held_on=held_on,
        parents_count=parents_count,
        module=module,
        note=_check_note(note),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="parent_meeting_record",
        target=meeting,
        details={
            "school": school.pk,
            "held_on": held_on.isoformat(),
            "parents": parents_count,
            "module": module.pk if module else None,
        },
    )
    parent_meeting_changed.send(sender=ParentMeeting, meeting=meeting, action="record")
    return meeting


@transaction.atomic
def parent_meeting_delete(*, actor: User, meeting: ParentMeeting) -> None:
    """Delete a meeting recorded by mistake, while its period is open."""
    _check_may_keep_meetings(actor, meeting.school)
    _check_period_open(meeting.held_on, on=today())
    audit_record(
        actor=actor,
        action="parent_meeting_delete",
        target=meeting,
        details={
            "school": meeting.school_id,
            "held_on": meeting.held_on.isoformat(),
            "parents": meeting.parents_count,
        },
    )
    meeting.delete()
    parent_meeting_changed.send(sender=ParentMeeting, meeting=meeting, action="delete")
