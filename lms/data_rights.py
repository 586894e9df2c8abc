"""A pupil's rights over their data: see everything held (export) and erasure.

Both are open registries so that parts added later bring their own data:

``PUPIL_DATA_EXPORTERS``
    callables ``exporter(*, pupil, requested_by) -> dict``; each returns one or
    more top-level sections (``{"learning_records": [...]}``) that are merged
    into the export. The learning loop and certificates append theirs in their
    ``AppConfig.ready()``: ``PUPIL_DATA_EXPORTERS.append(my_exporter)``. Live
    classroom games are listed here directly: the quiz engine must not import
    the school layer, so its functions are registered from this side.

``PUPIL_DATA_ERASERS``
    callables ``eraser(*, pupil) -> None``, run inside the erasure transaction
    before the account is anonymised. An eraser removes personal data but keeps
    what aggregates need (a rollup keeps its counts; an attempt may keep its
    score against the anonymous tombstone), so school totals never change
    silently.

Erasure keeps the user row as an anonymous tombstone ("Học sinh đã xoá"): its
enrolments still count in the school's figures, nothing identifies the child.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from lms.audit import audit_record
from lms.help_selectors import help_requests_handled_by
from lms.models import ConsentRecord, Enrolment, HelpRequest, HelpRequestAction, User
from quizzes.live_selectors import live_games_played_by
from quizzes.live_services import live_seats_anonymise

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


PUPIL_DATA_EXPORTERS: list[Exporter] = [
    export_account,
    export_enrolments,
    export_consent,
    export_help_requests,
    export_live_games,
]


def pupil_data_export(*, pupil: User, requested_by: User | None = None) -> dict:
    """Return everything held about ``pupil``, section by section.

    ``learning_records`` is always present (empty until the learning loop's
    exporter fills it), so a reader of the export sees the section exists.
    """
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "learning_records": [],
    }
    for exporter in PUPIL_DATA_EXPORTERS:
        data.update(exporter(pupil=pupil, requested_by=requested_by))
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
