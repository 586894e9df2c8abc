"""Writes of the help flow: a pupil asks, the school's adults answer.

Every service that reads or changes a request writes an audit entry. Handlers
reach a request only through ``lms.safeguarding.selectors.help_requests_handled_by``;
a request outside it raises ``NotFound`` (404), never "forbidden", so nobody
learns that a request exists.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import NotFound
from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    HelpCategory,
    HelpRequest,
    HelpRequestAction,
    HelpSource,
    HelpStatus,
    HelpWish,
    Referral,
    Role,
    User,
)
from lms.models.help import MESSAGE_MAX_LENGTH, SERIOUS_CATEGORIES, HelpActionKind
from lms.people.audit import audit_record
from lms.people.parents import parent_child_get
from lms.people.selectors import user_has_role
from lms.safeguarding.selectors import help_requests_handled_by, pupil_help_school


def help_ack_deadline(*, category: str) -> datetime.timedelta:
    """Return how long a request of ``category`` may wait for acknowledgement."""
    hours = (
        settings.HELP_ACK_DEADLINE_SERIOUS_HOURS
        if category in SERIOUS_CATEGORIES
        else settings.HELP_ACK_DEADLINE_HOURS
    )
    return datetime.timedelta(hours=hours)


@transaction.atomic
def help_request_create(
    *,
    pupil: User,
    category: str,
    message: str = "",
    wants_to_talk_to: str = HelpWish.EITHER,
    now: datetime.datetime | None = None,
) -> HelpRequest:
    """Send a pupil's request to the adults of their school.

    Works whatever the pupil's consent: asking for help is a child's right (Law on
    Children art. 54), not a use of the learning platform.
    """
    if not user_has_role(pupil, Role.PUPIL):
        raise LmsError(_("Only pupils can send a help request."), code="not_a_pupil")
    if category not in HelpCategory.values:
        raise LmsError(_("Choose what happened."), code="help_category")
    if wants_to_talk_to not in HelpWish.values:
        wants_to_talk_to = HelpWish.EITHER
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise LmsError(
            _("Please write at most %(count)d characters.")
            % {"count": MESSAGE_MAX_LENGTH},
            code="help_message_too_long",
        )
    school = pupil_help_school(pupil)
    if school is None:
        raise LmsError(
            _("Your account is not in a school yet. Please call 111."),
            code="help_no_school",
        )
    help_request = HelpRequest.objects.create(
        pupil=pupil,
        school=school,
        category=category,
        message=message,
        wants_to_talk_to=wants_to_talk_to,
        created_at=now or timezone.now(),
    )
    audit_record(
        actor=pupil,
        action="help_request.create",
        target=help_request,
        details={"category": category, "school": school.pk},
    )
    return help_request


def help_request_open(*, user: User, request_id: int) -> HelpRequest:
    """Return one request for a handler, and log that they looked at it."""
    help_request = (
        help_requests_handled_by(user)
        .select_related("pupil", "school", "acknowledged_by")
        .filter(pk=request_id)
        .first()
    )
    if help_request is None:
        raise NotFound(_("There is no such request."))
    audit_record(actor=user, action="help_request.view", target=help_request)
    return help_request


def _handled(user: User, help_request: HelpRequest) -> HelpRequest:
    """Re-read the request under a row lock, within the handler's scope."""
    locked = (
        help_requests_handled_by(user)
        .select_for_update()
        .filter(pk=help_request.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("There is no such request."))
    return locked


@transaction.atomic
def help_request_acknowledge(
    *, user: User, help_request: HelpRequest, now: datetime.datetime | None = None
) -> HelpRequest:
    """Mark the request as seen by an adult; the pupil sees "your message arrived"."""
    help_request = _handled(user, help_request)
    if help_request.acknowledged_at is not None:
        return help_request
    now = now or timezone.now()
    help_request.acknowledged_at = now
    help_request.acknowledged_by = user
    if help_request.status == HelpStatus.NEW:
        help_request.status = HelpStatus.ACKNOWLEDGED
    help_request.save(update_fields=["acknowledged_at", "acknowledged_by", "status"])
    HelpRequestAction.objects.create(
        help_request=help_request,
        author=user,
        kind=HelpActionKind.ACKNOWLEDGED,
        status=help_request.status,
        created_at=now,
    )
    audit_record(actor=user, action="help_request.acknowledge", target=help_request)
    return help_request


@transaction.atomic
def help_request_record_action(
    *,
    user: User,
    help_request: HelpRequest,
    note: str = "",
    referral: str = "",
    now: datetime.datetime | None = None,
) -> HelpRequestAction:
    """Record what was done (a note) or who the child was referred to."""
    help_request = _handled(user, help_request)
    note = (note or "").strip()
    if referral and referral not in Referral.values:
        raise LmsError(_("Choose a referral from the list."), code="help_referral")
    if not note and not referral:
        raise LmsError(_("Write what was done, or choose a referral."), code="empty")
    now = now or timezone.now()
    if help_request.acknowledged_at is None:
        help_request_acknowledge(user=user, help_request=help_request, now=now)
        help_request.refresh_from_db()
    action = HelpRequestAction.objects.create(
        help_request=help_request,
        author=user,
        kind=HelpActionKind.REFERRAL if referral else HelpActionKind.NOTE,
        referral=referral,
        note=note,
        created_at=now,
    )
    if help_request.status == HelpStatus.ACKNOWLEDGED:
        help_request.status = HelpStatus.IN_PROGRESS
        help_request.save(update_fields=["status"])
    audit_record(
        actor=user,
        action="help_request.referral" if referral else "help_request.note",
        target=help_request,
        details={"referral": referral} if referral else {},
    )
    return action


@transaction.atomic
def help_request_set_status(
    *,
    user: User,
    help_request: HelpRequest,
    status: str,
    now: datetime.datetime | None = None,
) -> HelpRequest:
    """Move a request to ``status``; closing stamps ``closed_at``, reopening clears."""
    help_request = _handled(user, help_request)
    if status not in HelpStatus.values or status == HelpStatus.NEW:
        raise LmsError(_("Choose a status from the list."), code="help_status")
    now = now or timezone.now()
    if help_request.acknowledged_at is None:
        help_request_acknowledge(user=user, help_request=help_request, now=now)
        help_request.refresh_from_db()
    previous = help_request.status
    help_request.status = status
    help_request.closed_at = now if status == HelpStatus.CLOSED else None
    help_request.save(update_fields=["status", "closed_at"])
    HelpRequestAction.objects.create(
        help_request=help_request,
        author=user,
        kind=HelpActionKind.STATUS,
        status=status,
        created_at=now,
    )
    audit_record(
        actor=user,
        action="help_request.status",
        target=help_request,
        details={"from": previous, "to": status},
    )
    return help_request


@transaction.atomic
def help_requests_escalate(*, now: datetime.datetime) -> int:
    """Flag unacknowledged requests past their deadline; return how many.

    From then on the school administrators see them too (see help_selectors).
    Cheap enough to run whenever a queue is opened, so escalation shows even
    where no cron runs ``escalate_help_requests``.
    """
    serious = list(SERIOUS_CATEGORIES)
    overdue = Q(
        category__in=serious,
        created_at__lte=now - help_ack_deadline(category=serious[0]),
    ) | Q(
        created_at__lte=now - help_ack_deadline(category=HelpCategory.OTHER),
    )
    due = list(
        HelpRequest.objects.select_for_update()
        .filter(
            overdue,
            status=HelpStatus.NEW,
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
        )
        .only("pk", "school_id", "category")
    )
    for help_request in due:
        help_request.escalated_at = now
        HelpRequestAction.objects.create(
            help_request=help_request, kind=HelpActionKind.ESCALATED, created_at=now
        )
        audit_record(
            actor=None,
            action="help_request.escalate",
            target=help_request,
            details={"school": help_request.school_id},
        )
    HelpRequest.objects.bulk_update(due, ["escalated_at"])
    return len(due)


# --- Concerns raised by parents and by the community ----------


def _concern_checked(category: str, message: str) -> str:
    if category not in HelpCategory.values:
        raise LmsError(_("Choose what happened."), code="help_category")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise LmsError(
            _("Please write at most %(count)d characters.")
            % {"count": MESSAGE_MAX_LENGTH},
            code="help_message_too_long",
        )
    return message


@transaction.atomic
def help_request_raise_by_parent(
    *,
    parent: User,
    pupil: User,
    category: str,
    message: str = "",
    now: datetime.datetime | None = None,
) -> HelpRequest:
    """A parent's concern about their linked child: the same flow as the child's.

    Routed to the child's school (its counsellors, else its administrators) and
    handled, deadlined and escalated like a pupil's own request. The child does
    not see it among their requests.
    """
    pupil = parent_child_get(parent=parent, pupil_id=pupil.pk)
    message = _concern_checked(category, message)
    school = pupil_help_school(pupil)
    if school is None:
        raise LmsError(
            _("Your child is not in a school yet. Please call 111."),
            code="help_no_school",
        )
    help_request = HelpRequest.objects.create(
        pupil=pupil,
        school=school,
        source=HelpSource.PARENT,
        raised_by=parent,
        category=category,
        message=message,
        created_at=now or timezone.now(),
    )
    audit_record(
        actor=parent,
        action="help_request.create",
        target=help_request,
        details={"category": category, "school": school.pk, "source": "parent"},
    )
    return help_request


def communes_for_reports() -> QuerySet[AdministrativeUnit]:
    """Return the units a community report may name: the lowest level of the tree."""
    return AdministrativeUnit.objects.filter(depth__gte=2, numchild=0).order_by("path")


@transaction.atomic
def help_request_report_community(
    *,
    commune_id: int,
    category: str,
    message: str,
    now: datetime.datetime | None = None,
) -> HelpRequest:
    """A concern reported from the public page, with no account: for the commune.

    It names no pupil and no school (whatever the words say, nothing is looked
    up), only the commune chosen, for that commune's child-protection officer.
    """
    commune = communes_for_reports().filter(pk=commune_id).first()
    if commune is None:
        raise LmsError(_("Choose the commune or ward."), code="help_commune")
    message = _concern_checked(category, message)
    if not message:
        raise LmsError(_("Write what you saw or heard."), code="help_message_empty")
    help_request = HelpRequest.objects.create(
        source=HelpSource.COMMUNITY,
        commune=commune,
        category=category,
        message=message,
        created_at=now or timezone.now(),
    )
    audit_record(
        actor=None,
        action="help_request.create",
        target=help_request,
        details={"category": category, "commune": commune.pk, "source": "community"},
    )
    return help_request
