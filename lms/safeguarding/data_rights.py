"""A pupil's rights over their data: see everything held (export) and erasure.

Both are open registries so that parts added later bring their own data:

``PUPIL_DATA_EXPORTERS``
    callables ``exporter(*, pupil, requested_by) -> dict``; each returns one or
    more top-level sections (``{"learning_records": [...]}``) that are merged
    into the export. The learning loop and certificates append theirs in their
    ``AppConfig.ready()``: ``PUPIL_DATA_EXPORTERS.append(my_exporter)``. The
    learning loop's records (progress, quiz attempts and answers, assignments)
    and live classroom games are listed here directly: the quiz engine must not
    import the school layer, so its functions are registered from this side.

``PUPIL_DATA_ERASERS``
    callables ``eraser(*, pupil) -> None``, run inside the erasure transaction
    before the account is anonymised. An eraser removes personal data but keeps
    what aggregates need (a rollup keeps its counts; an attempt may keep its
    score against the anonymous tombstone), so school totals never change
    silently. Progress, attempts and answers need no eraser: they hold module
    and quiz ids, times, scores and chosen choice ids (the quiz engine stores
    only the scored part of a response, and no question type takes typed
    text), nothing that names the child once the account is anonymised.

Erasure keeps the user row as an anonymous tombstone ("Học sinh đã xoá"): its
enrolments still count in the school's figures, nothing identifies the child.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from lms.learning.selectors import (
    assignments_given_to,
    module_titles,
    progress_of_learner,
)
from lms.learning.services import module_id_from_context
from lms.models import ConsentRecord, Enrolment, HelpRequest, HelpRequestAction, User
from lms.people.audit import audit_record
from lms.safeguarding.selectors import help_requests_handled_by
from quizzes.live.seats import live_seats_anonymise
from quizzes.live.selectors import live_games_played_by
from quizzes.selectors import attempts_for_export

ERASED_DISPLAY_NAME = "Học sinh đã xoá"

Exporter = Callable[..., dict[str, Any]]
Eraser = Callable[..., None]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_account(*, pupil: User, requested_by: User | None) -> dict[str, Any]:
    return {
        "account": {
            "id": pupil.pk,
            "username": pupil.username,
            "display_name": pupil.display_name,
            "preferred_language": pupil.preferred_language,
            "is_active": pupil.is_active,
            "date_joined": _iso(pupil.date_joined),
            "last_login": _iso(pupil.last_login),
            "has_login_card": bool(pupil.login_card_key_hash),
        }
    }


def export_enrolments(*, pupil: User, requested_by: User | None) -> dict[str, Any]:
    enrolments = Enrolment.objects.filter(pupil=pupil).select_related(
        "school_class__school", "school_class__school_year"
    )
    return {
        "enrolments": [
            {
                "school": enrolment.school_class.school.name,
                "class": enrolment.school_class.name,
                "grade": enrolment.school_class.grade,
                "school_year": enrolment.school_class.school_year.name,
                "roster_number": enrolment.roster_number,
                "enrolled_on": _iso(enrolment.enrolled_on),
                "left_on": _iso(enrolment.left_on),
            }
            for enrolment in enrolments
        ]
    }


def export_consent(*, pupil: User, requested_by: User | None) -> dict[str, Any]:
    return {
        "consent_records": [
            {
                "given_by": record.given_by,
                "method": record.method,
                "notice_version": record.notice_version,
                "consented_on": _iso(record.consented_on),
                "withdrawn_at": _iso(record.withdrawn_at),
            }
            for record in ConsentRecord.objects.filter(pupil=pupil)
        ]
    }


def export_help_requests(*, pupil: User, requested_by: User | None) -> dict[str, Any]:
    """Include only the requests the person exporting may see themself."""
    if requested_by is None:
        return {}
    requests = (
        help_requests_handled_by(requested_by)
        .filter(pupil=pupil)
        .prefetch_related("actions")
    )
    return {
        "help_requests": [
            {
                "category": item.category,
                "message": item.message,
                "wants_to_talk_to": item.wants_to_talk_to,
                "status": item.status,
                "sent_at": _iso(item.created_at),
                "acknowledged_at": _iso(item.acknowledged_at),
                "closed_at": _iso(item.closed_at),
                "actions": [
                    {
                        "kind": action.kind,
                        "referral": action.referral,
                        "note": action.note,
                        "at": _iso(action.created_at),
                    }
                    for action in item.actions.all()
                ],
            }
            for item in requests
        ]
    }


def export_live_games(*, pupil: User, requested_by: User | None) -> dict[str, Any]:
    """The live classroom games the pupil played signed in, with their answers.

    The quiz engine sits below the school layer and cannot register itself
    here (``docs/architecture.md``), so the school layer does it for it.
    """
    return {"live_games": live_games_played_by(user=pupil)}


def _section_titles(module) -> list[str]:
    # The raw stream: titles without building every block of every section.
    return [
        (item.get("value") or {}).get("title", "")
        for item in module.lessons.raw_data
        if item
    ]


def export_learning_records(*, pupil: User, requested_by: User | None) -> dict:
    """The pupil's progress in each module and every quiz attempt with its answers.

    ``learning_records`` holds ``modules`` (per module: status, time spent,
    best score, dates, the sections read by number and heading) and
    ``quiz_attempts`` (``quizzes.selectors.attempts_for_export``, with the
    module's title added for attempts taken in a module). Only the pupil's own
    rows; a handful of queries whatever their number.
    """
    progress_rows = progress_of_learner(user=pupil)
    titles = {row.module_id: row.module.title for row in progress_rows}
    modules = []
    for row in progress_rows:
        sections = _section_titles(row.module)
        modules.append(
            {
                "module": row.module.title,
                "status": row.status,
                "time_spent_seconds": row.time_spent_seconds,
                "best_score_percent": float(row.best_percent)
                if row.best_percent is not None
                else None,
                "quiz_attempts_counted": row.attempts_count,
                "started_at": _iso(row.started_at),
                "completed_at": _iso(row.completed_at),
                "passed_at": _iso(row.passed_at),
                "last_activity_at": _iso(row.last_activity_at),
                "sections_read": [
                    {
                        "number": index + 1,
                        "title": sections[index] if 0 <= index < len(sections) else "",
                    }
                    for index in sorted(
                        i for i in row.sections_completed if isinstance(i, int)
                    )
                ],
            }
        )
    attempts = attempts_for_export(user=pupil)
    module_ids = {module_id_from_context(attempt["context"]) for attempt in attempts}
    module_ids.discard(None)
    titles.update(module_titles(module_ids=module_ids - set(titles)))
    quiz_attempts = []
    for attempt in attempts:
        entry: dict[str, Any] = {}
        for key, value in attempt.items():
            entry[key] = value
            if key == "context":  # the module's title right after its key
                entry["module"] = titles.get(module_id_from_context(value))
        quiz_attempts.append(entry)
    return {"learning_records": {"modules": modules, "quiz_attempts": quiz_attempts}}


def export_assignments(*, pupil: User, requested_by: User | None) -> dict:
    """The modules given to the pupil: module, class, dates, class or group."""
    return {
        "assignments": [
            {
                "module": assignment.module.title,
                "class": assignment.school_class.name,
                "school_year": assignment.school_class.school_year.name,
                "given_to": "group" if assignment.for_group else "class",
                "opens_on": _iso(assignment.opens_on),
                "due_on": _iso(assignment.due_on),
                "assigned_at": _iso(assignment.created_at),
            }
            for assignment in assignments_given_to(pupil=pupil)
        ]
    }


PUPIL_DATA_EXPORTERS: list[Exporter] = [
    export_account,
    export_enrolments,
    export_consent,
    export_help_requests,
    export_assignments,
    export_learning_records,
    export_live_games,
]


def pupil_data_export(*, pupil: User, requested_by: User | None = None) -> dict:
    """Return everything held about ``pupil``, section by section.

    ``learning_records`` is always present (``export_learning_records`` fills
    it; empty lists when there is nothing), so a reader of the export sees the
    section exists.
    """
    data: dict[str, Any] = {"exported_at": timezone.now().isoformat()}
    for exporter in PUPIL_DATA_EXPORTERS:
        data.update(exporter(pupil=pupil, requested_by=requested_by))
    data.setdefault("learning_records", {"modules": [], "quiz_attempts": []})
    if requested_by is not None:
        audit_record(actor=requested_by, action="pupil_data.export", target=pupil)
    return data


def erase_help_requests(*, pupil: User) -> None:
    """Remove the child's words and the adults' notes; keep category and dates."""
    now = timezone.now()
    HelpRequest.objects.filter(pupil=pupil).update(message="", redacted_at=now)
    HelpRequestAction.objects.filter(help_request__pupil=pupil).update(note="")


def erase_live_games(*, pupil: User) -> None:
    """Replace the pupil's name in live games; points and answers keep counting."""
    live_seats_anonymise(user=pupil, nickname=ERASED_DISPLAY_NAME)


PUPIL_DATA_ERASERS: list[Eraser] = [erase_help_requests, erase_live_games]


@transaction.atomic
def pupil_erase(*, pupil: User, actor: User | None, reason: str) -> User:
    """Erase a pupil's personal data, keeping an anonymous tombstone for counts.

    Consent records stay as proof of the withdrawal (they hold no name);
    enrolments stay so the school's pupil counts do not change.
    """
    ConsentRecord.objects.filter(pupil=pupil, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    for eraser in PUPIL_DATA_ERASERS:
        eraser(pupil=pupil)
    pupil.display_name = ERASED_DISPLAY_NAME
    pupil.username = f"xoa-{secrets.token_hex(8)}"
    pupil.first_name = pupil.last_name = pupil.email = ""
    pupil.login_card_key_hash = ""
    pupil.is_active = False
    pupil.set_unusable_password()
    pupil.save()
    audit_record(
        actor=actor, action="pupil_data.erase", target=pupil, details={"reason": reason}
    )
    return pupil
