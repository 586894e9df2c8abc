"""Bulk writes for generated people: the demo province and the scale generator.

Rosters and the admin create people one at a time through
``lms.people.services``. Loading a demo or a province-scale database that way
would take hours, so these functions
write the same records (an account, a role assignment with its group membership, an
enrolment) for thousands of pupils in a few statements per batch. They skip what
already exists, so running them again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from django.contrib.auth.models import Group
from django.db import transaction

from lms.models import Enrolment, Role, RoleAssignment, User
from lms.people.roles import role_group_name

BATCH_SIZE = 5000


@dataclass(frozen=True)
class PlannedPupil:
    """One pupil to create: their account, their school and their place in a class."""

    username: str
    display_name: str
    school_id: int
    school_class_id: int
    roster_number: int


def batches(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of ``size`` items (the last one shorter); reads lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def school_roles_bulk_assign(
    *, role: str, user_schools: dict[int, int], batch_size: int = BATCH_SIZE
) -> int:
    """Give each user (id -> school id) ``role`` at that school, like ``role_assign``.

    Writes the assignment and the membership of the role's group; skips both where
    they exist. Returns the number of assignments created.
    """
    group, _created = Group.objects.get_or_create(name=role_group_name(role))
    Membership = User.groups.through
    created = 0
    for user_ids in batches(list(user_schools), batch_size):
        held = set(
            RoleAssignment.objects.filter(role=role, user_id__in=user_ids).values_list(
                "user_id", "school_id"
            )
        )
        new = [
            RoleAssignment(user_id=user_id, role=role, school_id=user_schools[user_id])
            for user_id in user_ids
            if (user_id, user_schools[user_id]) not in held
        ]
        RoleAssignment.objects.bulk_create(new, batch_size=batch_size)
        created += len(new)
        # The (user, group) pair is a plain unique constraint: let the database
        # skip the memberships that exist.
        Membership.objects.bulk_create(
            [Membership(user_id=user_id, group_id=group.pk) for user_id in user_ids],
            batch_size=batch_size,
            ignore_conflicts=True,
        )
    return created


def users_bulk_ensure(
    *, accounts: Sequence[tuple[str, str]], password_hash: str
) -> tuple[dict[str, int], int]:
    """Create the accounts (username, display name) that do not exist yet.

    ``password_hash`` is the result of one ``make_password`` call shared by every
    account: hashing is deliberately slow, and demo or benchmark people need no
    secret of their own. Call it with one batch at a time. Returns the id of every
    username and the number of accounts created.
    """
    usernames = [username for username, _name in accounts]
    user_ids = dict(
        User.objects.filter(username__in=usernames).values_list("username", "id")
    )
    new_users = [
        User(username=username, display_name=display_name, password=password_hash)
        for username, display_name in accounts
        if username not in user_ids
    ]
    User.objects.bulk_create(new_users)
    if new_users and new_users[0].pk is None:
        # A database that cannot return the ids of a bulk insert.
        user_ids = dict(
            User.objects.filter(username__in=usernames).values_list("username", "id")
        )
    else:
        user_ids.update((user.username, user.pk) for user in new_users)
    return user_ids, len(new_users)


def pupils_bulk_create(
    *,
    pupils: Iterable[PlannedPupil],
    password_hash: str,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Create pupils with their pupil role and enrolment, skipping existing ones.

    ``pupils`` may be a generator: it is read one batch at a time, and each batch
    is one transaction. ``on_batch`` is told how many pupils each batch handled
    (for a progress bar). Returns the number of accounts created.
    """
    created = 0
    for batch in batches(pupils, batch_size):
        with transaction.atomic():
            user_ids, batch_created = users_bulk_ensure(
                accounts=[(pupil.username, pupil.display_name) for pupil in batch],
                password_hash=password_hash,
            )
            created += batch_created
            school_roles_bulk_assign(
                role=Role.PUPIL,
                user_schools={
                    user_ids[pupil.username]: pupil.school_id for pupil in batch
                },
                batch_size=batch_size,
            )
            # (pupil, class) is a plain unique constraint: existing ones are skipped.
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        pupil_id=user_ids[pupil.username],
                        school_class_id=pupil.school_class_id,
                        roster_number=pupil.roster_number,
                    )
                    for pupil in batch
                ],
                batch_size=batch_size,
                ignore_conflicts=True,
            )
        if on_batch is not None:
            on_batch(len(batch))
    return created
