"""Writes of the help flow: a pupil asks, the school's adults answer.

Every service that reads or changes a request writes an audit entry. Handlers
reach a request only through ``lms.safeguarding.selectors.help_requests_handled_by``;
a request outside it raises ``NotFound`` (404), never "forbidden", so nobody
learns that a request exists.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import NotFound
from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    HelpCategory,
    HelpDeadlines,
    HelpOutcome,
    HelpRequest,
    HelpRequestAction,
    HelpSource,
    HelpStatus,
    HelpWish,
    Referral,
    Role,
    School,
    User,
)
from lms.models.help import (
    ACTION_KINDS,
    MESSAGE_MAX_LENGTH,
    SERIOUS_CATEGORIES,
    HelpActionKind,
)
from lms.people.audit import audit_record
from lms.people.parents import parent_child_get
from lms.people.selectors import user_has_role
from lms.safeguarding.selectors import (
    help_deadlines_of_school,
    help_deadlines_of_unit,
    help_deadlines_units_managed_by,
    help_requests_handled_by,
    pupil_help_school,
)


def help_request_due_dates(
    *, school: School, category: str, received_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return (acknowledge by, escalate to the commune at) for a new request.

    The province's deadline for the category, counted from when the request
    arrived; the commune step comes one more deadline after the first.
    """
    deadlines = help_deadlines_of_school(school)
    serious = category in SERIOUS_CATEGORIES
    ack_due = deadlines.due_after(received_at, serious=serious)
    return ack_due, deadlines.due_after(ack_due, serious=serious)


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
    if wants_to_talk_to not in HelpWish.values:
        wants_to_talk_to = HelpWish.EITHER
    return _help_request_to_school(
        pupil=pupil,
        category=category,
        message=_concern_checked(category, message),
        wants_to_talk_to=wants_to_talk_to,
        actor=pupil,
        no_school=_("Your account is not in a school yet. Please call 111."),
        now=now,
    )


def _help_request_to_school(
    *,
    pupil: User,
    category: str,
    message: str,
    actor: User,
    no_school: str,
    wants_to_talk_to: str = HelpWish.EITHER,
    source: str = HelpSource.PUPIL,
    now: datetime.datetime | None = None,
) -> HelpRequest:
    """Route a request about ``pupil`` to their school, with the province's
    deadlines, and audit it: the one path of a pupil's and a parent's request."""
    school = pupil_help_school(pupil)
    if school is None:
        raise LmsError(no_school, code="help_no_school")
    now = now or timezone.now()
    ack_due_at, commune_due_at = help_request_due_dates(
        school=school, category=category, received_at=now
    )
    help_request = HelpRequest.objects.create(
        pupil=pupil,
        school=school,
        source=source,
        raised_by=actor if actor != pupil else None,
        category=category,
        message=message,
        wants_to_talk_to=wants_to_talk_to,
        created_at=now,
        ack_due_at=ack_due_at,
        commune_due_at=commune_due_at,
    )
    details = {"category": category, "school": school.pk}
    if source != HelpSource.PUPIL:
        details["source"] = source
    audit_record(
        actor=actor, action="help_request.create", target=help_request, details=details
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
        .select_for_update(of=("self",))
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


def _referral_unit(
    help_request: HelpRequest, unit: AdministrativeUnit | None
) -> AdministrativeUnit:
    """Return the commune a request may be referred to: the school's own only."""
    school_unit = School.objects.select_related("unit").get(pk=help_request.school_id)
    if unit is not None and unit.pk != school_unit.unit_id:
        raise LmsError(
            _(
                "A request can be referred only to the child-protection officer "
                "of the school's own commune."
            ),
            code="help_referral_commune",
        )
    return school_unit.unit


@transaction.atomic
def help_request_record_action(
    *,
    user: User,
    help_request: HelpRequest,
    kind: str = HelpActionKind.NOTE,
    note: str = "",
    referral: str = "",
    unit: AdministrativeUnit | None = None,
    now: datetime.datetime | None = None,
) -> HelpRequestAction:
    """Record what was done (talked with the child, informed the family, a note)
    or who the child was referred to.

    A referral to the commune child-protection officer goes to the officer of the
    school's own commune (``unit``, when given, must be that commune); from then
    on that officer sees the request. The first action is stamped for the measures.
    """
    help_request = _handled(user, help_request)
    note = (note or "").strip()
    kind = kind or HelpActionKind.NOTE
    if referral and referral not in Referral.values:
        raise LmsError(_("Choose a referral from the list."), code="help_referral")
    if kind not in ACTION_KINDS:
        raise LmsError(_("Choose what was done from the list."), code="help_kind")
    if kind == HelpActionKind.NOTE and not note and not referral:
        raise LmsError(_("Write what was done, or choose a referral."), code="empty")
    if help_request.status == HelpStatus.CLOSED:
        raise LmsError(
            _("This request is closed. Reopen it to record more."), code="help_closed"
        )
    now = now or timezone.now()
    if help_request.acknowledged_at is None:
        help_request_acknowledge(user=user, help_request=help_request, now=now)
        help_request.refresh_from_db()
    details: dict = {"kind": kind}
    update_fields = []
    if referral == Referral.COMMUNE:
        commune = _referral_unit(help_request, unit)
        if help_request.referred_unit_id is None:
            help_request.referred_unit = commune
            help_request.referred_at = now
            update_fields += ["referred_unit", "referred_at"]
        details["unit"] = commune.pk
    action = HelpRequestAction.objects.create(
        help_request=help_request,
        author=user,
        kind=HelpActionKind.REFERRAL if referral else kind,
        referral=referral,
        note=note,
        created_at=now,
    )
    if help_request.first_action_at is None:
        help_request.first_action_at = now
        update_fields.append("first_action_at")
    if help_request.status == HelpStatus.ACKNOWLEDGED:
        help_request.status = HelpStatus.IN_PROGRESS
        update_fields.append("status")
    if update_fields:
        help_request.save(update_fields=update_fields)
    if referral:
        details["referral"] = referral
    audit_record(
        actor=user,
        action="help_request.referral" if referral else "help_request.note",
        target=help_request,
        details=details,
    )
    return action


@transaction.atomic
def help_request_set_status(
    *,
    user: User,
    help_request: HelpRequest,
    status: str,
    outcome: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> HelpRequest:
    """Move a request to ``status``; closing needs an outcome and stamps
    ``closed_at``; reopening clears both."""
    help_request = _handled(user, help_request)
    if status not in HelpStatus.values or status == HelpStatus.NEW:
        raise LmsError(_("Choose a status from the list."), code="help_status")
    closing = status == HelpStatus.CLOSED
    if closing and outcome not in HelpOutcome.values:
        raise LmsError(
            _("Choose how the request ended before closing it."), code="help_outcome"
        )
    now = now or timezone.now()
    if help_request.acknowledged_at is None:
        help_request_acknowledge(user=user, help_request=help_request, now=now)
        help_request.refresh_from_db()
    previous = help_request.status
    help_request.status = status
    help_request.closed_at = now if closing else None
    help_request.outcome = outcome if closing else ""
    help_request.save(update_fields=["status", "closed_at", "outcome"])
    HelpRequestAction.objects.create(
        help_request=help_request,
        author=user,
        kind=HelpActionKind.STATUS,
        status=status,
        note=(note or "").strip(),
        created_at=now,
    )
    details = {"from": previous, "to": status}
    if closing:
        details["outcome"] = outcome
    audit_record(
        actor=user, action="help_request.status", target=help_request, details=details
    )
    return help_request


@transaction.atomic
def help_requests_escalate(*, now: datetime.datetime) -> int:
    """Escalate unacknowledged requests past their deadlines; return how many steps.

    First step, at ``ack_due_at``: flagged, and the school administrators see it
    too. Second step, at ``commune_due_at`` (one more deadline later): the
    commune's child-protection officer sees it. Each step happens once
    (idempotent: run it as often as you like), with an action and an audit entry.
    Runs from cron or the task worker (``manage.py help_escalate``) and whenever a
    queue is opened, so escalation shows even where nothing else runs it.
    """
    unacknowledged = Q(acknowledged_at__isnull=True) & ~Q(status=HelpStatus.CLOSED)
    due = list(
        HelpRequest.objects.select_for_update()
        .filter(unacknowledged)
        .filter(
            Q(escalated_at__isnull=True, ack_due_at__lte=now)
            | Q(escalated_to_commune_at__isnull=True, commune_due_at__lte=now)
        )
        .only(
            "pk",
            "school_id",
            "category",
            "ack_due_at",
            "commune_due_at",
            "escalated_at",
            "escalated_to_commune_at",
        )
    )
    steps = 0
    for help_request in due:
        if help_request.escalated_at is None:
            help_request.escalated_at = now
            steps += 1
            HelpRequestAction.objects.create(
                help_request=help_request,
                kind=HelpActionKind.ESCALATED,
                created_at=now,
            )
            audit_record(
                actor=None,
                action="help_request.escalate",
                target=help_request,
                details={"school": help_request.school_id, "to": "school_admin"},
            )
        if (
            help_request.escalated_to_commune_at is None
            and help_request.commune_due_at is not None
            and help_request.commune_due_at <= now
        ):
            help_request.escalated_to_commune_at = now
            steps += 1
            HelpRequestAction.objects.create(
                help_request=help_request,
                kind=HelpActionKind.ESCALATED_COMMUNE,
                created_at=now,
            )
            audit_record(
                actor=None,
                action="help_request.escalate",
                target=help_request,
                details={"school": help_request.school_id, "to": "commune"},
            )
    HelpRequest.objects.bulk_update(due, ["escalated_at", "escalated_to_commune_at"])
    return steps


@transaction.atomic
def help_deadlines_set(
    *,
    user: User,
    unit: AdministrativeUnit,
    serious_hours: int,
    other_school_days: int,
) -> HelpDeadlines:
    """Set a province's deadlines; they apply to requests received from now on."""
    if not help_deadlines_units_managed_by(user).filter(pk=unit.pk).exists():
        raise NotFound(_("There is no such province."))
    deadlines = HelpDeadlines.objects.filter(unit=unit).first() or HelpDeadlines(
        unit=unit
    )
    before = (deadlines.serious_hours, deadlines.other_school_days)
    deadlines.serious_hours = serious_hours
    deadlines.other_school_days = other_school_days
    deadlines.updated_by = user
    try:
        deadlines.full_clean(exclude=["unit", "updated_by"])
    except ValidationError as error:
        raise LmsError(
            " ".join(
                message
                for messages in error.message_dict.values()
                for message in messages
            ),
            code="help_deadlines",
        ) from error
    deadlines.save()
    audit_record(
        actor=user,
        action="help_deadlines.set",
        target=deadlines,
        details={
            "unit": unit.pk,
            "from": list(before),
            "to": [serious_hours, other_school_days],
        },
    )
    return deadlines


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
    return _help_request_to_school(
        pupil=pupil,
        category=category,
        message=_concern_checked(category, message),
        actor=parent,
        source=HelpSource.PARENT,
        no_school=_("Your child is not in a school yet. Please call 111."),
        now=now,
    )


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
    # Already at the commune: its officer acknowledges within the province's
    # deadline, and there is no further step.
    now = now or timezone.now()
    help_request = HelpRequest.objects.create(
        source=HelpSource.COMMUNITY,
        commune=commune,
        category=category,
        message=message,
        created_at=now,
        ack_due_at=help_deadlines_of_unit(commune).due_after(
            now, serious=category in SERIOUS_CATEGORIES
        ),
    )
    audit_record(
        actor=None,
        action="help_request.create",
        target=help_request,
        details={"category": category, "commune": commune.pk, "source": "community"},
    )
    return help_request
