"""Pages of the teaching evidence: a lesson taught to a class, parents' meetings.

Thin, like the other learning pages: the class comes from
``teaching_selectors.class_for_teaching`` and the school from
``school_for_teaching`` (any other id is a 404), one service of
``lms.learning.teaching.services`` writes, and a refusal comes back as a message on the
form (answered with 400, nothing written). Recording a lesson is built for a
phone in the classroom: today's date, 45 minutes and everyone present are
already filled in, so choosing the module and tapping the absent pupils is all
there is to do; a live game the teacher just played fills the attendance.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms.errors import LmsError
from lms.learning import catalogue
from lms.learning import selectors as learning_selectors
from lms.learning.forms import ParentMeetingForm, TeachingSessionForm
from lms.learning.teaching import selectors as teaching_selectors
from lms.learning.teaching import services as teaching
from quizzes.live.models import LiveSession

DEFAULT_MINUTES = 45
SESSIONS_PER_PAGE = 50

# Which field of the form a refusal of the service is about.
FIELD_OF_CODE = {
    "date_in_future": "taught_on",
    "date_outside_school_year": "taught_on",
    "date_missing": "taught_on",
    "period_closed": "taught_on",
    "module_not_for_pupils": "module",
    "module_not_usable": "module",
    "duration_out_of_range": "duration_minutes",
    "note_too_long": "note",
    "pupil_not_in_class": "absent",
    "parents_count_invalid": "parents_count",
}


def _add_error(form, error: LmsError, *, date_field: str = "taught_on") -> None:
    field = FIELD_OF_CODE.get(error.code)
    if field == "taught_on":
        field = date_field
    form.add_error(field if field in form.fields else None, error.message)


def _class(request, class_id: int):
    school_class = teaching_selectors.class_for_teaching(
        user=request.user, class_id=class_id
    )
    if school_class is None:
        raise Http404
    return school_class


def _module_groups(request, school_class):
    modules = catalogue.assignable_modules(user=request.user, school_class=school_class)
    bands = ", ".join(
        band.localized_name
        for band in catalogue.class_age_bands(school_class=school_class)
    )
    suggested = (
        _("For this class (%(bands)s)") % {"bands": bands}
        if bands
        else _("Suggested for this grade")
    )
    return [(suggested, modules.suggested), (_("Other age bands"), modules.others)]


def _module(request, module_id: int):
    return learning_selectors.module_source_for(user=request.user, module_id=module_id)


def _live_session(request, live_session_id: int | None) -> LiveSession | None:
    if not live_session_id:
        return None
    return teaching_selectors.live_session_of_host(
        user=request.user, live_session_id=live_session_id
    )


def _recorded_message(request, session, school_class) -> None:
    present = session.attendance.filter(present=True).count()
    total = session.attendance.count()
    messages.success(
        request,
        _("The lesson was recorded: %(present)d of %(total)d pupils present.")
        % {"present": present, "total": total},
    )
    warning = catalogue.module_band_warning(
        module=session.module, school_class=school_class
    )
    if warning:
        messages.warning(request, warning)


def _form_page(
    request, school_class, form, *, enrolments, session=None, status=200, **extra
):
    return render(
        request,
        "lms/learning/teaching_form.html",
        {
            "school_class": school_class,
            "form": form,
            "session": session,
            "enrolments": enrolments,
            "today": teaching.today(),
            **extra,
        },
        status=status,
    )


def _save(request, form, school_class, *, session=None):
    """Call the service with the form's data; return the lesson, or None."""
    data = form.cleaned_data
    try:
        module = _module(request, data["module"])
        if module is None:
            raise LmsError(
                _(
                    "This module is not a lesson for pupils: choose one of the "
                    "pupils' modules."
                ),
                code="module_not_for_pupils",
            )
        live_session = _live_session(request, data.get("live_session"))
        if data.get("live_session") and live_session is None:
            raise LmsError(
                _("This live game cannot fill the attendance."),
                code="live_game_not_usable",
            )
        fields = {
            "module": module,
            "taught_on": data["taught_on"],
            "duration_minutes": data["duration_minutes"],
            "note": data["note"],
            "absent_pupil_ids": data["absent"],
        }
        if session is None:
            return teaching.teaching_session_record(
                actor=request.user,
                school_class=school_class,
                live_session=live_session,
                **fields,
            )
        if live_session is not None:
            fields["live_session"] = live_session
        return teaching.teaching_session_update(
            actor=request.user, session=session, **fields
        )
    except LmsError as error:
        _add_error(form, error)
        return None


def _lesson_form(
    request,
    school_class,
    *,
    enrolments,
    initial: dict,
    announce,
    session=None,
    page_extra: dict | None = None,
):
    """Show the lesson form, or save it and go back to the class.

    One path for recording and correcting a lesson: a form that does not pass its
    own checks or the service's comes back with the reasons (400, nothing written);
    a saved one is announced by ``announce(request, saved)``.
    """
    form = TeachingSessionForm(
        request.POST or None,
        initial=initial,
        module_groups=_module_groups(request, school_class),
        enrolments=enrolments,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, school_class, session=session)
        if saved is not None:
            announce(request, saved)
            return redirect("lms:class_detail", class_id=school_class.pk)
    return _form_page(
        request,
        school_class,
        form,
        enrolments=enrolments,
        session=session,
        status=400 if request.method == "POST" else 200,
        **(page_extra or {}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def class_teaching_record(request, class_id: int):
    """Record a lesson taught to the class: date, module, minutes, who was absent."""
    school_class = _class(request, class_id)
    on = teaching.today()
    enrolments = learning_selectors.class_enrolments(school_class=school_class)
    live_games = teaching_selectors.live_games_for_class(
        user=request.user, school_class=school_class, on=on
    )
    initial = {"taught_on": on, "duration_minutes": DEFAULT_MINUTES}
    chosen_game = None
    if request.method == "GET" and request.GET.get("live", "").isdigit():
        chosen_game = next(
            (g for g in live_games if g.session.pk == int(request.GET["live"])), None
        )
        if chosen_game is not None:
            roster = [enrolment.pupil_id for enrolment in enrolments]
            played = teaching.live_game_player_ids(chosen_game.session, set(roster))
            initial.update(
                module=chosen_game.module.source_id,
                absent=[pupil_id for pupil_id in roster if pupil_id not in played],
                live_session=chosen_game.session.pk,
            )
    return _lesson_form(
        request,
        school_class,
        enrolments=enrolments,
        initial=initial,
        announce=lambda request, saved: _recorded_message(request, saved, school_class),
        page_extra={"live_games": live_games, "chosen_game": chosen_game},
    )


def _session_for_change(request, class_id: int, teaching_id: int):
    session = teaching_selectors.teaching_session_for_change(
        user=request.user, class_id=class_id, teaching_id=teaching_id
    )
    if session is None:
        raise Http404
    return session


@login_required
@require_http_methods(["GET", "POST"])
def class_teaching_edit(request, class_id: int, teaching_id: int):
    """Correct a lesson (its recorder or the school's administrator, period open)."""
    school_class = _class(request, class_id)
    session = _session_for_change(request, school_class.pk, teaching_id)
    return _lesson_form(
        request,
        school_class,
        enrolments=learning_selectors.class_enrolments(school_class=school_class),
        initial={
            "taught_on": session.taught_on,
            "module": session.module_id,
            "duration_minutes": session.duration_minutes,
            "note": session.note,
            "absent": teaching_selectors.session_absent_pupil_ids(session=session),
        },
        announce=lambda request, saved: messages.success(
            request, _("The lesson was changed.")
        ),
        session=session,
    )


@login_required
@require_POST
def class_teaching_delete(request, class_id: int, teaching_id: int):
    """Delete a lesson recorded by mistake."""
    school_class = _class(request, class_id)
    session = _session_for_change(request, school_class.pk, teaching_id)
    try:
        teaching.teaching_session_delete(actor=request.user, session=session)
    except LmsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The lesson was deleted."))
    return redirect("lms:class_detail", class_id=school_class.pk)


# --- The school's lessons and parents' meetings (its administrators) ----------


def _school(request, school_id: int):
    school = teaching_selectors.school_for_teaching(
        user=request.user, school_id=school_id
    )
    if school is None:
        raise Http404
    return school


@login_required
def school_teaching(request, school_id: int):
    """Every lesson recorded in the school, newest first, to confirm."""
    school = _school(request, school_id)
    waiting = request.GET.get("cho") == "1"
    sessions = teaching_selectors.school_teaching_sessions(
        user=request.user, school=school, unconfirmed=waiting
    )
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "lms/learning/school_teaching.html",
        {
            "school": school,
            "page": page,
            "sessions": teaching_selectors.teaching_sessions_dressed(
                user=request.user, sessions=page.object_list
            ),
            "waiting": waiting,
        },
    )


@login_required
@require_POST
def school_teaching_confirm(request, school_id: int, teaching_id: int):
    """Confirm one lesson of the school."""
    school = _school(request, school_id)
    session = teaching_selectors.school_teaching_session(
        user=request.user, school=school, teaching_id=teaching_id
    )
    if session is None:
        raise Http404
    try:
        teaching.teaching_session_confirm(actor=request.user, session=session)
    except LmsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The lesson was confirmed."))
    query = "?cho=1" if request.POST.get("cho") == "1" else ""
    return redirect(reverse("lms:school_teaching", args=[school.pk]) + query)


@login_required
@require_http_methods(["GET", "POST"])
def school_parent_meetings(request, school_id: int):
    """Record the school's meetings with parents on online safety; list them."""
    school = _school(request, school_id)
    if not request.user.has_perm("lms.add_parentmeeting"):
        raise Http404
    form = ParentMeetingForm(
        request.POST or None,
        initial={"held_on": teaching.today()},
        modules=teaching_selectors.meeting_modules(user=request.user),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                module = None
                if data["module"] is not None:
                    module = _module(request, data["module"])
                    if module is None:
                        raise LmsError(
                            _("This module cannot be chosen."),
                            code="module_not_usable",
                        )
                teaching.parent_meeting_record(
                    actor=request.user,
                    school=school,
                    held_on=data["held_on"],
                    parents_count=data["parents_count"],
                    module=module,
                    note=data["note"],
                )
            except LmsError as error:
                _add_error(form, error, date_field="held_on")
            else:
                messages.success(request, _("The parents' meeting was recorded."))
                return redirect("lms:school_parent_meetings", school_id=school.pk)
        status = 400
    return render(
        request,
        "lms/learning/parent_meetings.html",
        {
            "school": school,
            "form": form,
            "meetings": teaching_selectors.school_parent_meetings(
                user=request.user, school=school
            ),
            "today": teaching.today(),
        },
        status=status,
    )


@login_required
@require_POST
def school_parent_meeting_delete(request, school_id: int, meeting_id: int):
    """Delete a parents' meeting recorded by mistake."""
    school = _school(request, school_id)
    meeting = teaching_selectors.parent_meeting_for_change(
        user=request.user, school=school, meeting_id=meeting_id
    )
    if meeting is None:
        raise Http404
    try:
        teaching.parent_meeting_delete(actor=request.user, meeting=meeting)
    except LmsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The parents' meeting was deleted."))
    return redirect("lms:school_parent_meetings", school_id=school.pk)
