"""Writes of the school layer that are not roster-specific: roles and people."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import AdministrativeUnit, Role, RoleAssignment, School, User
from lms.models.people import PLATFORM_ROLES, SCHOOL_ROLES, UNIT_ROLES
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
) -> User:
    """Create a staff account (teacher, officer, editor) with a checked password."""
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
