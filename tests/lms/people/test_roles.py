"""Roles: anchored at the right node, with the permissions of lms/people/roles.py."""

import pytest
from django.db import IntegrityError, transaction

from common.errors import DomainError
from lms.models import Role, RoleAssignment
from lms.people.services import role_assign, role_revoke
from tests.factories import SchoolFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_teacher_role_grants_roster_permission_not_reports():
    user = UserFactory()
    role_assign(user=user, role=Role.TEACHER, school=SchoolFactory())
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("lms.manage_roster")
    assert not user.has_perm("lms.view_unit_reports")


def test_revoking_the_last_assignment_removes_the_permissions():
    user = UserFactory()
    assignment = role_assign(user=user, role=Role.SCHOOL_ADMIN, school=SchoolFactory())
    role_revoke(assignment=assignment)
    user = type(user).objects.get(pk=user.pk)
    assert not user.has_perm("lms.view_school_reports")


def test_platform_admin_may_use_the_django_admin_others_may_not():
    admin = UserFactory()
    role_assign(user=admin, role=Role.PLATFORM_ADMIN)
    officer = UserFactory()
    role_assign(user=officer, role=Role.PROVINCE_OFFICER, unit=UnitFactory())
    admin.refresh_from_db()
    officer.refresh_from_db()
    assert admin.is_staff
    assert not officer.is_staff


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.TEACHER, "unit"),
        (Role.UNIT_OFFICER, "school"),
        (Role.CONTENT_EDITOR, "school"),
    ],
)
def test_role_at_the_wrong_kind_of_node_is_refused(role, where):
    user = UserFactory()
    node = {"school": SchoolFactory()} if where == "school" else {"unit": UnitFactory()}
    with pytest.raises(DomainError):
        role_assign(user=user, role=role, **node)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_database_refuses_an_unanchored_school_role():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=UserFactory(), role=Role.TEACHER)


def test_assigning_twice_is_idempotent():
    user = UserFactory()
    school = SchoolFactory()
    first = role_assign(user=user, role=Role.COUNSELLOR, school=school)
    second = role_assign(user=user, role=Role.COUNSELLOR, school=school)
    assert first.pk == second.pk


@pytest.mark.parametrize("app_without_models_last", [False, True])
def test_role_groups_resync_after_migrate_whatever_app_is_installed_last(
    monkeypatch, app_without_models_last
):
    """A stale role group is mended by the next migrate's ``post_migrate``.

    Django sends no ``post_migrate`` to an app without a models module, so with
    one installed last a sync keyed to "the last installed app" would never run.
    """
    from django.apps import AppConfig, apps
    from django.contrib.auth.models import Group
    from django.core.management.sql import emit_post_migrate_signal

    from lms.people.roles import role_group_name

    if app_without_models_last:
        installed = apps.get_app_configs()
        last = AppConfig.create("django.contrib.humanize")
        assert last.models_module is None
        monkeypatch.setattr(apps, "get_app_configs", lambda: [*installed, last])
    group = Group.objects.get(name=role_group_name(Role.TEACHER))
    group.permissions.clear()
    Group.objects.filter(name=role_group_name(Role.COUNSELLOR)).delete()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    teacher = UserFactory()
    role_assign(user=teacher, role=Role.TEACHER, school=SchoolFactory())
    teacher = type(teacher).objects.get(pk=teacher.pk)
    assert teacher.has_perm("lms.manage_roster")
    assert Group.objects.filter(name=role_group_name(Role.COUNSELLOR)).exists()
