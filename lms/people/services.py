"""Writes of roles and staff accounts: assigning and revoking roles, creating a
staff account, and the staff of a school as the organisation admin manages them
(one-time passwords, role changes, closing and opening accounts).

The writes of the organisation itself (units, schools, school years, classes) are
in ``lms.people.organisation``. The staff writes take the ``actor`` and check,
through the selectors of ``lms.people.selectors``, that the school and the account
are in the actor's reach.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    Role,
    RoleAssignment,
    School,
    User,
)
from lms.models.people import PLATFORM_ROLES, SCHOOL_ROLES, UNIT_ROLES
from lms.people import selectors
from lms.people.audit import audit_record
from lms.people.roles import role_group_name


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: str,
    school: School | None = None,
    unit: AdministrativeUnit | None = None,
) -> RoleAssignment:
    """Give ``user`` the ``role`` at its node, and the permissions that go with it.

    Idempotent: assigning a role the user already holds there returns it.
    """
    if role in SCHOOL_ROLES and (school is None or unit is not None):
        raise LmsError(_("This role is held at a school."), code="role_needs_school")
    if role in UNIT_ROLES and (unit is None or school is not None):
        raise LmsError(
            _("This role is held at an administrative unit."), code="role_needs_unit"
        )
    if role in PLATFORM_ROLES and (school is not None or unit is not None):
        raise LmsError(
            _("This role is held for the whole platform."), code="role_is_global"
        )
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, school=school, unit=unit
    )
    group, _created = Group.objects.get_or_create(name=role_group_name(role))
    user.groups.add(group)
    if role == Role.PLATFORM_ADMIN and not user.is_staff:
        # The Django admin is for platform administrators only.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_anchors", None)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment) -> None:
    """Remove one role assignment; the group goes when no assignment of it is left."""
    user, role = assignment.user, assignment.role
    assignment.delete()
    if not RoleAssignment.objects.filter(user=user, role=role).exists():
        user.groups.remove(*Group.objects.filter(name=role_group_name(role)))
        if role == Role.PLATFORM_ADMIN:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_anchors", None)


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    display_name: str,
    email: str = "",
    language: str = "vi",
    must_change_password: bool = False,
) -> User:
    """Create a staff account (teacher, officer, editor) with a checked password.

    ``must_change_password`` marks a one-time password given by someone else: the
    first sign-in asks for a new one.
    """
    if User.objects.filter(username__iexact=username).exists():
        raise LmsError(
            _("The username %(username)s is taken.") % {"username": username},
            code="username_taken",
        )
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        preferred_language=language,
        must_change_password=must_change_password,
    )
    # Staff passwords meet AUTH_PASSWORD_VALIDATORS; pupils' generated ones are
    # set in lms/rosters/pupil_accounts.py, which skips them on purpose.
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise LmsError(" ".join(error.messages), code="weak_password")
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


# --- Staff accounts of a school ----------

# No 0/O, 1/l/I: the password is read off a screen or a printed password sheet
# and typed on a phone.
ONE_TIME_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password_generate() -> str:
    """Return a one-time staff password such as ``k7mq-x3vp-9rta``.

    The staff screen (``school_staff_create``, ``staff_password_reset``) and bulk
    onboarding (``lms.people.onboarding.staff_accounts``) both use it.
    """
    groups = [
        "".join(secrets.choice(ONE_TIME_PASSWORD_ALPHABET) for _ in range(4))
        for _ in range(3)
    ]
    return "-".join(groups)


def _staff_refuse_unless_school(actor: User, school: School) -> None:
    if not selectors.schools_staffed_by(actor).filter(pk=school.pk).exists():
        raise LmsError(
            _("You cannot add staff to this school."), code="school_not_found"
        )


def _staff_refuse_unless_account(actor: User, account: User) -> None:
    if not selectors.staff_account_managed_by(actor, account):
        raise LmsError(
            _(
                "This account also holds roles outside your school, or is your own: "
                "ask the platform administrator."
            ),
            code="account_out_of_scope",
        )


def _staff_role_check(role: str) -> None:
    if role not in selectors.STAFF_ROLES:
        raise LmsError(
            _("Choose teacher, counsellor or school administrator."),
            code="role_not_staff",
        )


@transaction.atomic
def school_staff_create(
    *,
    actor: User,
    school: School,
    role: str,
    username: str,
    display_name: str,
    email: str = "",
    language: str = "vi",
) -> tuple[User, str]:
    """Create a staff account with a role at ``school``; return it and its password.

    The password is one-time: it is shown once to the person who made the account,
    and the first sign-in asks for a new one.
    """
    _staff_refuse_unless_school(actor, school)
    _staff_role_check(role)
    password = one_time_password_generate()
    user = staff_create(
        username=username.strip(),
        password=password,
        display_name=display_name,
        email=email,
        language=language,
        must_change_password=True,
    )
    assignment = role_assign(user=user, role=role, school=school)
    audit_record(
        actor=actor,
        action="staff_create",
        target=user,
        details={"role": role, "school": school.pk, "assignment": assignment.pk},
    )
    return user, password


@transaction.atomic
def staff_role_add(
    *, actor: User, account: User, school: School, role: str
) -> RoleAssignment:
    """Give an existing staff member of the actor's schools another staff role."""
    _staff_refuse_unless_school(actor, school)
    _staff_refuse_unless_account(actor, account)
    _staff_role_check(role)
    return role_assign(user=account, role=role, school=school)


@transaction.atomic
def staff_role_change(
    *, actor: User, assignment: RoleAssignment, role: str
) -> RoleAssignment:
    """Change the staff role one assignment gives (teacher to counsellor, ...)."""
    _staff_refuse_unless_school(actor, assignment.school)
    _staff_refuse_unless_account(actor, assignment.user)
    _staff_role_check(role)
    if role == assignment.role:
        return assignment
    new_assignment = role_assign(
        user=assignment.user, role=role, school=assignment.school
    )
    role_revoke(assignment=assignment)
    audit_record(
        actor=actor,
        action="staff_role_change",
        target=assignment.user,
        details={
            "school": new_assignment.school_id,
            "from": assignment.role,
            "to": role,
        },
    )
    return new_assignment


@transaction.atomic
def staff_update(
    *, actor: User, account: User, display_name: str, email: str = ""
) -> User:
    """Change a staff member's shown name and email."""
    _staff_refuse_unless_account(actor, account)
    account.display_name, account.email = display_name, email
    account.full_clean()
    account.save(update_fields=["display_name", "email"])
    return account


def _staff_active_set(actor: User, account: User, *, active: bool) -> User:
    _staff_refuse_unless_account(actor, account)
    account.is_active = active
    account.save(update_fields=["is_active"])
    action = "staff_reactivate" if active else "staff_deactivate"
    audit_record(actor=actor, action=action, target=account)
    return account


@transaction.atomic
def staff_deactivate(*, actor: User, account: User) -> User:
    """Close a staff account: it can no longer sign in; its records stay.

    The classes it taught keep their history; a school administrator gives them
    to another teacher in the class screen.
    """
    return _staff_active_set(actor, account, active=False)


@transaction.atomic
def staff_reactivate(*, actor: User, account: User) -> User:
    """Open a closed staff account again."""
    return _staff_active_set(actor, account, active=True)


@transaction.atomic
def staff_password_reset(*, actor: User, account: User) -> str:
    """Give a staff member a new one-time password and return it, to be shown once."""
    _staff_refuse_unless_account(actor, account)
    password = one_time_password_generate()
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action="staff_password_reset", target=account)
    return password
