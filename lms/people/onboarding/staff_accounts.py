"""The writes of a staff import: new accounts with one-time passwords, new names
and role assignments, in bulk; and ``StaffCredentials``, the one-time passwords
handed back once for the password sheets.

The passwords are made by ``lms.people.services.one_time_password_generate``, like
those of the staff screen, and hashed with the cheap one-time hasher
(``common.hashers``) when it is configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from lms.models import RoleAssignment, User
from lms.people.onboarding.plans import BATCH, ImportPlan
from lms.people.roles import role_group_name
from lms.people.services import one_time_password_generate

ONE_TIME_HASHER = "pbkdf2_sha256_onetime"


@dataclass(frozen=True)
class StaffCredentials:
    """A new staff member's one-time password, for the password sheet only."""

    place: str  # "s<school id>" or "u<unit id>": which sheet it goes on
    place_name: str
    display_name: str
    role: str
    username: str
    password: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _one_time_hasher() -> str:
    hashers = settings.PASSWORD_HASHERS
    if any(h.endswith(".OneTimePasswordHasher") for h in hashers):
        return ONE_TIME_HASHER
    return "default"


def apply_staff(plan: ImportPlan) -> tuple[dict, list[StaffCredentials]]:
    """Write a staff plan; return the counts and the new one-time passwords."""
    people = plan.work["people"]
    hasher = _one_time_hasher()
    credentials: list[StaffCredentials] = []
    new_users = []
    for person in people:
        if person["user_id"] is not None:
            continue
        password = one_time_password_generate()
        user = User(
            username=person["username"],
            display_name=person["display_name"],
            preferred_language="vi",
            must_change_password=True,
            password=make_password(password, hasher=hasher),
        )
        new_users.append(user)
        for grant in person["grants"] or [{}]:
            credentials.append(
                StaffCredentials(
                    place=grant.get("place", ""),
                    place_name=grant.get("place_name", ""),
                    display_name=person["display_name"],
                    role=grant.get("role", ""),
                    username=person["username"],
                    password=password,
                )
            )
    User.objects.bulk_create(new_users, batch_size=BATCH)
    ids = {
        name.lower(): pk
        for name, pk in _username_ids([u.username for u in new_users]).items()
    }
    renamed = [
        User(pk=p["user_id"], display_name=p["display_name"])
        for p in people
        if p["user_id"] is not None and p.get("rename")
    ]
    User.objects.bulk_update(renamed, ["display_name"], batch_size=BATCH)
    groups = {
        role: Group.objects.get_or_create(name=role_group_name(role))[0].pk
        for role in {g["role"] for p in people for g in p["grants"]}
    }
    assignments, memberships = [], set()
    for person in people:
        user_id = person["user_id"] or ids[person["username"].lower()]
        for grant in person["grants"]:
            assignments.append(
                RoleAssignment(
                    user_id=user_id,
                    role=grant["role"],
                    school_id=grant["school_id"],
                    unit_id=grant["unit_id"],
                )
            )
            memberships.add((user_id, groups[grant["role"]]))
    RoleAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=u, group_id=g) for u, g in sorted(memberships)],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    counts = {
        "created": len(new_users),
        "updated": sum(1 for p in people if p["user_id"] is not None),
        "roles": len(assignments),
    }
    return counts, credentials


def _username_ids(usernames: list[str]) -> dict[str, int]:
    found = {}
    for start in range(0, len(usernames), BATCH):
        found.update(
            User.objects.filter(
                username__in=usernames[start : start + BATCH]
            ).values_list("username", "pk")
        )
    return found
