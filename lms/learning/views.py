"""Pages of the learning loop: the module player and giving modules to a class.

Thin: each page finds its module through ``learning_selectors.player_module``
(a module the user may not see is a 404) or its class through
``learning_selectors.class_for_assigning`` (a foreign class is a 404), calls one
service and renders. All state lives on the server (``ModuleProgress``), so a
pupil who leaves and comes back on another device resumes where they were.

Reading time is measured here, not reported by the browser: viewing a section
stores the moment in the session, and "Next" credits the time since, capped by
``learning_services.MAX_SECTION_SECONDS``. The session keeps only the latest
view, so replaying an old form credits nothing.
"""

from __future__ import annotations

import time
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from content_cms.errors import ModuleOutsideAgeBand
from content_cms.selectors import module_localized_quiz, module_quiz_summary
from content_cms.views import module_refused
from lms.errors import LmsError
from lms.learning import catalogue
from lms.learning import selectors as learning_selectors
from lms.learning import services as learning_services
from lms.learning.forms import AssignmentForm
from lms.models import ProgressStatus
from quizzes.errors import QuizError
from quizzes.selectors import quiz_tries_used
from quizzes.services import attempt_start

VIEW_SESSION_KEY = "lms_player_view"


# Sent by the phone when it stores a page for offline reading.
OFFLINE_COPY_HEADER = "X-Offline-Copy"


def refused_kindly(view):
    """Answer a pupils' module of another age band with the kind 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ModuleOutsideAgeBand as error:
            return module_refused(request, error)

    return wrapper


def _player(request, module_id: int) -> learning_selectors.PlayerModule:
    player = learning_selectors.player_module(user=request.user, module_id=module_id)
    if player is None:
        raise Http404
    return player


def _section_url(player, index: int) -> str:
    return reverse("lms:module_section", args=[player.source.pk, index])


def _quiz_url(player) -> str:
    return reverse("lms:module_quiz", args=[player.source.pk])


def _result_url(player) -> str:
    return reverse("lms:module_result", args=[player.source.pk])


def _attempt_url(attempt) -> str:
    try:
        return reverse("quizzes:attempt_take", args=[attempt.pk])
    except NoReverseMatch:  # the quiz pages are not mounted (a trimmed set-up)
        return f"/bai-kiem-tra/{attempt.pk}/"


@login_required
@refused_kindly
def module_resume(request, module_id: int):
    """Open a module where the learner left it: a section, the quiz or the result."""
    player = _player(request, module_id)
    progress = learning_selectors.progress_for(user=request.user, module=player.source)
    if progress is not None and progress.is_done:
        return redirect(_result_url(player))
    index = progress.current_section if progress is not None else 0
    if index >= player.section_count:
        return redirect(_quiz_url(player) if player.has_quiz else _result_url(player))
    return redirect(_section_url(player, index))


def _seconds_since_view(request, module_id: int, index: int) -> int:
    viewed = request.session.pop(VIEW_SESSION_KEY, None)
    if not viewed or viewed.get("module") != module_id or viewed.get("index") != index:
        return 0
    return max(0, int(time.time() - float(viewed.get("at", time.time()))))


@login_required
@refused_kindly
@require_http_methods(["GET", "POST"])
def module_section(request, module_id: int, index: int):
    """Show one lesson section; "Next" records it read and moves on."""
    player = _player(request, module_id)
    if not 0 <= index < player.section_count:
        raise Http404
    source = player.source
    if request.method == "POST":
        try:
            learning_services.progress_section_complete(
                user=request.user,
                module=source,
                section_index=index,
                seconds=_seconds_since_view(request, source.pk, index),
            )
        except LmsError as error:
            messages.error(request, error.message)
            return redirect(_section_url(player, index))
        if index + 1 < player.section_count:
            return redirect(_section_url(player, index + 1))
        return redirect(_quiz_url(player) if player.has_quiz else _result_url(player))

    if not request.headers.get(OFFLINE_COPY_HEADER):
        # The pupil opened it (not the phone storing a copy for offline reading,
        # common/static/common/offline.js): where they are, since when.
        learning_services.progress_position_set(
            user=request.user, module=source, section_index=index
        )
        request.session[VIEW_SESSION_KEY] = {
            "module": source.pk,
            "index": index,
            "at": time.time(),
        }
    return render(
        request,
        "lms/learning/section.html",
        {
            "player": player,
            "page": player.page,
            "section": player.sections[index],
            "index": index,
            "number": index + 1,
            "total": player.section_count,
            "is_last": index + 1 == player.section_count,
        },
    )


def _may_take_quiz(request) -> bool:
    return learning_selectors.learner_may_record_learning(user=request.user)


@login_required
@refused_kindly
@require_http_methods(["GET", "POST"])
def module_quiz(request, module_id: int):
    """Introduce the module's quiz; "Take the quiz" starts (or resumes) an attempt."""
    player = _player(request, module_id)
    source = player.source
    quiz = module_localized_quiz(module=source)
    may_record = _may_take_quiz(request)
    if request.method == "POST" and quiz is not None and may_record:
        try:
            attempt = attempt_start(
                user=request.user,
                quiz=quiz,
                context_key=learning_services.module_context_key(source),
                return_url=_result_url(player),
            )
        except QuizError as error:
            messages.error(request, error.message)
        else:
            return redirect(_attempt_url(attempt))
        return redirect(_quiz_url(player))
    if request.method == "GET" and not request.headers.get(OFFLINE_COPY_HEADER):
        learning_services.progress_position_set(
            user=request.user, module=source, section_index=player.section_count
        )
    return render(
        request,
        "lms/learning/quiz_intro.html",
        {
            "player": player,
            "page": player.page,
            "quiz": module_quiz_summary(module=source) if quiz else None,
            "may_record": may_record,
            "total": player.section_count,
        },
    )


@login_required
@refused_kindly
def module_result(request, module_id: int):
    """Show how the learner did: status, best score, and what to do next."""
    player = _player(request, module_id)
    progress = learning_selectors.progress_for(user=request.user, module=player.source)
    quiz = module_quiz_summary(module=player.source) if player.has_quiz else None
    attempts_allowed = quiz["attempts_allowed"] if quiz else 0
    # The tries the quiz engine counts: a live classroom game used up none. The
    # page shows this number (not ``progress.attempts_count``, which counts live
    # games too), so "N tries so far", the limit and the button's "Take the quiz"
    # or "Try the quiz again" agree.
    tries_used = (
        quiz_tries_used(
            user=request.user, quiz=module_localized_quiz(module=player.source)
        )
        if quiz
        else 0
    )
    return render(
        request,
        "lms/learning/result.html",
        {
            "player": player,
            "page": player.page,
            "progress": progress,
            "quiz": quiz,
            "passed": progress is not None and progress.status == ProgressStatus.PASSED,
            "tries_used": tries_used,
            "may_retake": quiz is not None
            and (not attempts_allowed or tries_used < attempts_allowed),
            "may_record": _may_take_quiz(request),
        },
    )


# --- Giving modules to a class ----------


def _class_for_assigning(request, class_id: int):
    school_class = learning_selectors.class_for_assigning(
        user=request.user, class_id=class_id
    )
    if school_class is None:
        raise Http404
    return school_class


@login_required
@require_http_methods(["GET", "POST"])
def class_assign(request, class_id: int):
    """Give a module to the class or to some of its pupils; list what was given."""
    school_class = _class_for_assigning(request, class_id)
    modules = catalogue.assignable_modules(user=request.user, school_class=school_class)
    enrolments = learning_selectors.class_enrolments(school_class=school_class)
    form = AssignmentForm(
        request.POST or None,
        module_groups=[
            (_("Suggested for this grade"), modules.suggested),
            (_("Other age bands"), modules.others),
        ],
        pupil_choices=enrolments,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        module = learning_selectors.module_source_for(
            user=request.user, module_id=data["module"]
        )
        chosen = {enrolment.pupil_id: enrolment.pupil for enrolment in enrolments}
        try:
            if module is None:
                raise LmsError(_("This module cannot be given to pupils."))
            learning_services.assignment_create(
                actor=request.user,
                school_class=school_class,
                module=module,
                opens_on=data["opens_on"],
                due_on=data["due_on"],
                pupils=[chosen[pk] for pk in data["pupils"] if pk in chosen],
            )
        except LmsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The module was given to the class."))
            warning = catalogue.module_band_warning(
                module=module, school_class=school_class
            )
            if warning:
                messages.warning(request, warning)
            return redirect("lms:class_assign", class_id=school_class.pk)
    return render(
        request,
        "lms/learning/assign.html",
        {
            "school_class": school_class,
            "form": form,
            "has_modules": bool(modules.suggested or modules.others),
            "assignments": learning_selectors.class_assignments(
                school_class=school_class, user=request.user
            ),
        },
    )


@login_required
@require_POST
def class_assignment_delete(request, class_id: int, assignment_id: int):
    """Take a module back from the class."""
    school_class = _class_for_assigning(request, class_id)
    assignment = learning_selectors.class_assignment_get(
        school_class=school_class, assignment_id=assignment_id
    )
    if assignment is None:
        raise Http404
    try:
        learning_services.assignment_delete(actor=request.user, assignment=assignment)
    except LmsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The module was taken back."))
    return redirect("lms:class_assign", class_id=school_class.pk)
