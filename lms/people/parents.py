"""Parents and guardians: signing up with a consent slip's code, their children,
consent given online, and the parent training they count for.

A slip's code opens one thing: a link between the parent and the slip's own
child. Nothing a parent types names a child, so a parent can never reach another
family's child; a code that matches no unused slip (guessed, mistyped, already
used or replaced by a newer slip) gets the same refusal. The code is used once:
the slip is marked used when it links. Guessing is slowed where the pages call
these services (``lms.accounts.parent_signup``, django-axes), like sign-in.

A parent holds the role ``parent`` at each linked child's school; that role
reaches no pupil by itself. What a parent sees of a child goes through
``children_of`` and ``parent_child_get`` (a child not linked to them: 404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from common.errors import NotFound
from lms.errors import LmsError
from lms.models import (
    ConsentGiver,
    ConsentMethod,
    ConsentRecord,
    ConsentSlip,
    ModuleProgress,
    ParentLink,
    ParentPhone,
    ReportingPeriod,
    Role,
    RoleAssignment,
    School,
    User,
)
from lms.people.audit import audit_record
from lms.people.consent import privacy_settings_for, slip_code_hash
from lms.people.selectors import pupil_current_enrolment, user_has_role
from lms.people.services import role_assign

# Readable on a phone screen and easy to copy: no 0/o, 1/l/i, 2/z, 5/s, 8/b.
PASSWORD_ALPHABET = "acdefhjkmnpqrtuvwxy34679"
GENERATED_PASSWORD_LENGTH = 12
# Vietnamese numbers as people write them: 0xxxxxxxxx or +84xxxxxxxxx.
PHONE_PATTERN = re.compile(r"^(?:\+84|0)\d{9,10}$")
PARENT_AUDIENCE = "parent"  # content_cms.models.Audience.PARENT


def _slip_refused() -> LmsError:
    # One answer for a code that never existed, was used, or was replaced.
    return LmsError(
        _(
            "This code does not open a slip. Check the letters on the paper, or ask "
            "the class teacher for a new slip."
        ),
        code="slip_code_invalid",
    )


def _usable_slip(code: str) -> ConsentSlip:
    """Return the unused slip with ``code``, locked, with an enrolled pupil."""
    letters = "".join(c for c in (code or "") if c.isalnum())
    if not 6 <= len(letters) <= 20:
        raise _slip_refused()
    slip = (
        ConsentSlip.objects.select_for_update()
        .select_related("pupil")
        .filter(code_hash=slip_code_hash(letters), used_at__isnull=True)
        .first()
    )
    if slip is None or not slip.pupil.is_active:
        raise _slip_refused()
    if pupil_current_enrolment(slip.pupil) is None:
        raise _slip_refused()
    return slip


def phone_normalise(number: str) -> str:
    """Return ``number`` without spaces, dots or dashes; refuse what is not a phone."""
    cleaned = re.sub(r"[\s.\-()]", "", number or "")
    if not PHONE_PATTERN.match(cleaned):
        raise LmsError(
            _("Write a phone number like 0912 345 678, or leave it empty."),
            code="phone_invalid",
        )
    return cleaned


def _link(*, parent: User, slip: ConsentSlip) -> ParentLink:
    pupil = slip.pupil
    school = pupil_current_enrolment(pupil).school_class.school
    link, _created = ParentLink.objects.get_or_create(
        parent=parent, pupil=pupil, defaults={"slip": slip}
    )
    role_assign(user=parent, role=Role.PARENT, school=school)
    slip.used_at = timezone.now()
    slip.save(update_fields=["used_at"])
    parent._role_anchors = None  # roles changed: read them again
    audit_record(
        actor=parent,
        action="parent.link",
        target=link,
        details={"pupil": pupil.pk, "slip": slip.pk},
    )
    return link


@dataclass(frozen=True)
class ParentSignUp:
    parent: User
    link: ParentLink
    # Shown once, on the page after signing up; never stored in plain.
    generated_password: str | None


@transaction.atomic
def parent_sign_up(
    *,
    code: str,
    username: str,
    password: str = "",
    display_name: str = "",
    phone: str = "",
) -> ParentSignUp:
    """Make a parent account from a slip's code and link it to the slip's child.

    No e-mail. An empty ``password`` gets a generated one, returned once. A phone
    number is kept only when given, with its purpose. Refuses a code that opens no
    unused slip (``slip_code_invalid``), a taken username, a weak password.
    """
    slip = _usable_slip(code)
    username = (username or "").strip()
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise LmsError(" ".join(error.messages), code="username_invalid") from error
    if not username or User.objects.filter(username__iexact=username).exists():
        raise LmsError(
            _("This username is taken. Choose another one."), code="username_taken"
        )
    number = phone_normalise(phone) if (phone or "").strip() else ""
    generated = None
    if not password:
        generated = get_random_string(GENERATED_PASSWORD_LENGTH, PASSWORD_ALPHABET)
        password = generated
    parent = User(
        username=username,
        display_name=(display_name or "").strip()[:120],
        preferred_language="vi",
    )
    try:
        validate_password(password, parent)
    except ValidationError as error:
        raise LmsError(" ".join(error.messages), code="password_invalid") from error
    parent.set_password(password)
    try:
        with transaction.atomic():
            parent.save()
    except IntegrityError as error:
        raise LmsError(
            _("This username is taken. Choose another one."), code="username_taken"
        ) from error
    if number:
        ParentPhone.objects.create(user=parent, number=number)
    link = _link(parent=parent, slip=slip)
    return ParentSignUp(parent=parent, link=link, generated_password=generated)


@transaction.atomic
def parent_link_child(*, parent: User, code: str) -> ParentLink:
    """Link a signed-in parent to the child of another slip (a brother, a sister)."""
    if not user_has_role(parent, Role.PARENT):
        raise NotFound(_("There is no such page."))
    return _link(parent=parent, slip=_usable_slip(code))


# --- What a parent sees ----------


def children_of(parent: User) -> QuerySet[User]:
    """Return the children linked to ``parent`` (none for anyone else)."""
    if not parent.is_authenticated or not user_has_role(parent, Role.PARENT):
        return User.objects.none()
    return User.objects.filter(
        parent_links__parent=parent, role_assignments__role=Role.PUPIL
    ).distinct()


def parent_child_get(*, parent: User, pupil_id: int) -> User:
    """Return one linked child of ``parent``; any other id is 404."""
    child = children_of(parent).filter(pk=pupil_id).first()
    if child is None:
        raise NotFound(_("There is no such pupil."))
    return child


def parent_consent_active(*, pupil: User) -> bool:
    return ConsentRecord.objects.filter(
        pupil=pupil, given_by=ConsentGiver.PARENT, withdrawn_at__isnull=True
    ).exists()


@transaction.atomic
def parent_consent_give(*, parent: User, pupil_id: int) -> ConsentRecord | None:
    """Record a parent's consent given online, to the current notice; audited.

    Giving it again while it stands records nothing more (returns None).
    """
    child = parent_child_get(parent=parent, pupil_id=pupil_id)
    if parent_consent_active(pupil=child):
        return None
    enrolment = pupil_current_enrolment(child)
    school = enrolment.school_class.school if enrolment else None
    record = ConsentRecord.objects.create(
        pupil=child,
        given_by=ConsentGiver.PARENT,
        method=ConsentMethod.ONLINE,
        notice_version=privacy_settings_for(school=school).notice_version,
        consented_on=timezone.localdate(),
        recorded_by=parent,
    )
    audit_record(
        actor=parent,
        action="consent.record",
        target=child,
        details={"given_by": ConsentGiver.PARENT, "method": ConsentMethod.ONLINE},
    )
    return record


@transaction.atomic
def parent_consent_withdraw(*, parent: User, pupil_id: int) -> int:
    """Withdraw the parent's consent online; the records stay, dated; audited."""
    child = parent_child_get(parent=parent, pupil_id=pupil_id)
    count = ConsentRecord.objects.filter(
        pupil=child, given_by=ConsentGiver.PARENT, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    audit_record(
        actor=parent,
        action="consent.withdraw",
        target=child,
        details={"records": count, "given_by": ConsentGiver.PARENT, "online": True},
    )
    return count


# --- Parent training, for the school's figures ----------


def parents_trained(*, school: School, period: ReportingPeriod) -> int:
    """Return how many parents of ``school`` completed a parents' module in ``period``.

    A parent counts once, at each school where they have a linked child, on the
    local date they first completed the module.
    """
    parents = RoleAssignment.objects.filter(role=Role.PARENT, school=school).values(
        "user_id"
    )
    return (
        ModuleProgress.objects.filter(
            user_id__in=parents,
            module__audience=PARENT_AUDIENCE,
            completed_at__date__gte=period.starts_on,
            completed_at__date__lte=period.ends_on,
        )
        .values("user_id")
        .distinct()
        .count()
    )
