"""Writes of the learning loop: assignments, section progress and quiz results.

Progress is always keyed by the Vietnamese (source) module page. Every write that
can complete a module takes the learner's row lock first (then the progress row,
then the rollups), so one learner's completions are serialised and the rollups,
updated in the same transaction, never count a pupil twice.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale

from content_cms.locales import default_locale
from content_cms.models import Audience, ModulePage
from content_cms.selectors import module_outside_age_band, modules_visible_to
from lms.errors import LmsError
from lms.learning.rollups import rollups_record_completion
from lms.models import (
    Assignment,
    CountedAttempt,
    Enrolment,
    ModuleProgress,
    ProgressStatus,
    SchoolClass,
    User,
)
from lms.people.selectors import classes_managed_by
from lms.signals import module_completed
from quizzes.live.models import LIVE_CONTEXT_PREFIX  # attempts of live games

# The longest a learner can be credited for reading one section in one request,
# and for one quiz attempt: a page left open overnight is not learning time.
MAX_SECTION_SECONDS = 15 * 60
MAX_QUIZ_SECONDS = 2 * 60 * 60
MODULE_CONTEXT_PREFIX = "module:"


def module_context_key(module: ModulePage) -> str:
    """Return the quiz attempt context of a module (its source page id)."""
    return f"{MODULE_CONTEXT_PREFIX}{module.pk}"


def module_id_from_context(context_key: str) -> int | None:
    """Return the module id of an attempt context (``"module:42"``), else None."""
    value = (context_key or "").removeprefix(MODULE_CONTEXT_PREFIX)
    return int(value) if value != context_key and value.isdigit() else None


def module_section_count(module: ModulePage) -> int:
    return len(module.lessons)


# --- Assignments ----------


def _check_manages(actor: User, school_class: SchoolClass) -> None:
    if not actor.has_perm("lms.assign_modules") or not (
        classes_managed_by(actor).filter(pk=school_class.pk).exists()
    ):
        raise LmsError(
            _("You cannot give modules to this class."), code="class_not_managed"
        )


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    school_class: SchoolClass,
    module: ModulePage,
    opens_on: datetime.date,
    due_on: datetime.date | None = None,
    pupils: list[User] | None = None,
) -> Assignment:
    """Give ``module`` to ``school_class``, or to the chosen ``pupils`` of it.

    The actor must manage the class and hold ``lms.assign_modules``; the module
    must be a live Vietnamese page written for pupils; chosen pupils must be
    enrolled in the class now.
    """
    _check_manages(actor, school_class)
    assignable = modules_visible_to(actor).filter(pk=module.pk, audience=Audience.PUPIL)
    if not assignable.exists():
        raise LmsError(
            _("This module cannot be given to pupils."), code="module_not_assignable"
        )
    if due_on is not None and due_on < opens_on:
        raise LmsError(
            _("The due date cannot be before the opening date."),
            code="due_before_open",
        )
    chosen = {pupil.pk for pupil in pupils or []}
    if chosen:
        enrolled = set(
            Enrolment.objects.filter(
                school_class=school_class, left_on__isnull=True, pupil_id__in=chosen
            ).values_list("pupil_id", flat=True)
        )
        if enrolled != chosen:
            raise LmsError(
                _("Some of the chosen pupils are not in this class."),
                code="pupil_not_in_class",
            )
    assignment = Assignment(
        school_class=school_class,
        module=module,
        opens_on=opens_on,
        due_on=due_on,
        assigned_by=actor,
    )
    assignment.full_clean()
    assignment.save()
    if chosen:
        assignment.pupils.set(chosen)
    return assignment


@transaction.atomic
def assignment_delete(*, actor: User, assignment: Assignment) -> None:
    """Take a module back from a class; the pupils' progress stays theirs."""
    _check_manages(actor, assignment.school_class)
    assignment.delete()


# --- Progress ----------


def _progress_locked(*, user: User, module: ModulePage) -> ModuleProgress:
    """Lock the learner, then return their progress row in ``module``, locked."""
    # NO KEY UPDATE, as the quiz engine does: it serialises this learner's
    # writers without blocking inserts of rows that merely reference the user.
    list(
        User.objects.select_for_update(no_key=True)
        .filter(pk=user.pk)
        .values_list("pk", flat=True)
    )
    progress, _created = ModuleProgress.objects.select_for_update().get_or_create(
        user=user, module=module
    )
    return progress


def _start(progress: ModuleProgress, now: datetime.datetime) -> None:
    if progress.status == ProgressStatus.NOT_STARTED:
        progress.status = ProgressStatus.IN_PROGRESS
    if progress.started_at is None:
        progress.started_at = now
    progress.last_activity_at = now


def _all_sections_read(progress: ModuleProgress, module: ModulePage) -> bool:
    return set(range(module_section_count(module))) <= set(progress.sections_completed)


def _finish(
    *,
    progress: ModuleProgress,
    module: ModulePage,
    attempt,
    newly_completed: bool,
    newly_passed: bool,
) -> None:
    """Update the rollups, then tell listeners, inside the completing transaction."""
    rollups_record_completion(
        progress=progress, newly_completed=newly_completed, newly_passed=newly_passed
    )
    if progress.is_done:
        module_completed.send(
            sender=ModuleProgress,
            user=progress.user,
            module=module,
            progress=progress,
            attempt=attempt,
            newly_completed=newly_completed,
            newly_passed=newly_passed,
        )


def _check_source(module: ModulePage) -> None:
    if module.locale_id != default_locale().pk:
        raise LmsError(
            _("Progress is kept on the Vietnamese module."), code="not_source_module"
        )


@transaction.atomic
def progress_section_complete(
    *, user: User, module: ModulePage, section_index: int, seconds: int
) -> ModuleProgress:
    """Record that ``user`` read section ``section_index`` of ``module``.

    ``seconds`` (the reading time) is capped at ``MAX_SECTION_SECONDS``. The
    learner resumes at the next section. A module without a quiz is completed by
    reading its last section.
    """
    _check_source(module)
    count = module_section_count(module)
    if not 0 <= section_index < count:
        raise LmsError(_("This module has no such section."), code="no_such_section")
    progress = _progress_locked(user=user, module=module)
    now = timezone.now()
    _start(progress, now)
    progress.sections_completed = sorted(
        set(progress.sections_completed) | {section_index}
    )
    progress.current_section = min(section_index + 1, count)
    progress.time_spent_seconds += max(0, min(int(seconds), MAX_SECTION_SECONDS))
    newly_completed = False
    if (
        module.quiz_id is None
        and not progress.is_done
        and _all_sections_read(progress, module)
    ):
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = progress.completed_at or now
        newly_completed = True
    progress.save()
    if newly_completed:
        _finish(
            progress=progress,
            module=module,
            attempt=None,
            newly_completed=True,
            newly_passed=False,
        )
    return progress


@transaction.atomic
def progress_position_set(
    *, user: User, module: ModulePage, section_index: int
) -> ModuleProgress:
    """Remember the section ``user`` is looking at, so any device resumes there.

    ``section_index`` equal to the number of sections means the quiz.
    """
    _check_source(module)
    count = module_section_count(module)
    section_index = max(0, min(section_index, count))
    progress, _created = ModuleProgress.objects.get_or_create(user=user, module=module)
    if progress.current_section == section_index and progress.started_at:
        return progress
    progress.current_section = section_index
    _start(progress, timezone.now())
    progress.save(
        update_fields=["current_section", "status", "started_at", "last_activity_at"]
    )
    return progress


def _percent(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))


@transaction.atomic
def progress_record_attempt(*, attempt, module: ModulePage) -> ModuleProgress | None:
    """Fold a submitted quiz attempt into the learner's progress in ``module``.

    Idempotent: an attempt is counted once (``CountedAttempt``); reporting it
    again changes nothing and sends nothing. A pass completes and passes the
    module; a submit after every section was read completes it.
    """
    if getattr(attempt, "status", "submitted") != "submitted":
        return None
    progress = _progress_locked(user=attempt.user, module=module)
    _counted, created = CountedAttempt.objects.get_or_create(
        attempt_id=attempt.pk, defaults={"progress": progress}
    )
    if not created:
        return progress
    now = attempt.submitted_at or timezone.now()
    was_done = progress.is_done
    was_passed = progress.status == ProgressStatus.PASSED
    _start(progress, now)
    if attempt.started_at and attempt.started_at < progress.started_at:
        progress.started_at = attempt.started_at
    progress.attempts_count += 1
    percent = _percent(attempt.percent)
    if percent is not None and (
        progress.best_percent is None or percent > progress.best_percent
    ):
        progress.best_percent = percent
    progress.time_spent_seconds += max(
        0, min(int(attempt.time_spent_seconds or 0), MAX_QUIZ_SECONDS)
    )
    if attempt.passed:
        progress.status = ProgressStatus.PASSED
        progress.passed_at = progress.passed_at or now
        progress.completed_at = progress.completed_at or now
    elif not was_done and _all_sections_read(progress, module):
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = progress.completed_at or now
    progress.current_section = max(
        progress.current_section, module_section_count(module)
    )
    progress.save()
    _finish(
        progress=progress,
        module=module,
        attempt=attempt,
        newly_completed=progress.is_done and not was_done,
        newly_passed=progress.status == ProgressStatus.PASSED and not was_passed,
    )
    return progress


def modules_for_live_attempt(*, attempt) -> list[ModulePage]:
    """Return the source modules a pupil's live-game attempt counts for.

    A live game is not run inside a module, so its attempt (context
    ``"live:<session id>"``) is mapped by its quiz: every live Vietnamese
    (source) module whose quiz is that quiz or one of its translations (same
    ``translation_key``). Only pupils' live attempts count towards progress: a
    teacher trying the game on their phone is not learning the module.
    """
    from lms.models.people import Role
    from lms.people.selectors import user_has_role

    if not user_has_role(attempt.user, Role.PUPIL):
        return []
    return list(
        ModulePage.objects.live()
        .filter(
            locale=Locale.get_default(),
            quiz__translation_key=attempt.quiz.translation_key,
        )
        .order_by("pk")
    )


def on_attempt_submitted(sender, *, attempt, **kwargs) -> None:
    """Receive ``quizzes.signals.attempt_submitted``: count attempts made in a module.

    Runs inside the quiz engine's submit transaction, so progress, rollups and
    the submit commit or roll back together.
    """
    context_key = attempt.context_key or ""
    if context_key.startswith(LIVE_CONTEXT_PREFIX):
        for module in modules_for_live_attempt(attempt=attempt):
            progress_record_attempt(attempt=attempt, module=module)
        return
    module_id = module_id_from_context(context_key)
    if module_id is None:
        return
    module = ModulePage.objects.filter(pk=module_id).first()
    if module is None:
        return
    if module_outside_age_band(module=module, user=attempt.user):
        # Started by hand through the quiz API, past the player's refusal: a
        # module of another age band does not count for this pupil.
        return
    progress_record_attempt(attempt=attempt, module=module)
