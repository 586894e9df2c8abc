"""Importing staff: the preview of a staff file.

A line is matched by its username, else by the name among the staff of the same
school, else gets a new readable username (``lan.nguyen.tn``). A username that
belongs to a pupil, or to someone with roles outside the importer's reach, is
refused. The plan's work lists each person and the roles to grant them; the
writes are in ``lms.people.onboarding.staff_accounts``.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from lms.models import AdministrativeUnit, Role, RoleAssignment, School, User
from lms.models.people import SCHOOL_ROLES, UNIT_ROLES
from lms.people import names, selectors
from lms.people.names import name_key
from lms.people.onboarding.plans import (
    BATCH,
    Action,
    ImportKind,
    ImportPlan,
    PlanLine,
    in_paths,
    label_key,
    managed_paths,
    text_check,
)

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length
USERNAME_PART_MAX = 12

STAFF_ROLES = {
    "giao vien": Role.TEACHER,
    "gv": Role.TEACHER,
    "teacher": Role.TEACHER,
    "tu van": Role.COUNSELLOR,
    "giao vien tu van": Role.COUNSELLOR,
    "tu van vien": Role.COUNSELLOR,
    "counsellor": Role.COUNSELLOR,
    "quan tri truong": Role.SCHOOL_ADMIN,
    "hieu truong": Role.SCHOOL_ADMIN,
    "pho hieu truong": Role.SCHOOL_ADMIN,
    "school admin": Role.SCHOOL_ADMIN,
    "can bo xa": Role.UNIT_OFFICER,
    "can bo phuong": Role.UNIT_OFFICER,
    "unit officer": Role.UNIT_OFFICER,
    "can bo tinh": Role.PROVINCE_OFFICER,
    "province officer": Role.PROVINCE_OFFICER,
    # Cán bộ làm công tác bảo vệ trẻ em cấp xã, and its short forms.
    "can bo lam cong tac bao ve tre em cap xa": Role.COMMUNE_PROTECTION,
    "can bo bao ve tre em cap xa": Role.COMMUNE_PROTECTION,
    "can bo bao ve tre em": Role.COMMUNE_PROTECTION,
    "bao ve tre em": Role.COMMUNE_PROTECTION,
    "commune child protection officer": Role.COMMUNE_PROTECTION,
}


def _users_by_username(usernames: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    names = sorted(usernames)
    for start in range(0, len(names), BATCH):
        chunk = names[start : start + BATCH]
        for user in (
            User.objects.annotate(lower_name=Lower("username"))
            .filter(lower_name__in=chunk)
            .only("pk", "username", "display_name")
        ):
            found[user.username.lower()] = user
    return found


def _assignments_of(user_ids: set[int]) -> dict[int, list[tuple]]:
    """Return each user's role assignments as (role, school id, unit id, unit path)."""
    held: dict[int, list[tuple]] = defaultdict(list)
    ids = sorted(user_ids)
    for start in range(0, len(ids), BATCH):
        for row in RoleAssignment.objects.filter(
            user_id__in=ids[start : start + BATCH]
        ).values_list(
            "user_id",
            "role",
            "school_id",
            "unit_id",
            "school__unit__path",
            "unit__path",
        ):
            user_id, role, school_id, unit_id, school_path, unit_path = row
            held[user_id].append((role, school_id, unit_id, school_path or unit_path))
    return held


def preview_staff(actor: User, records: list[dict]) -> ImportPlan:
    """Return the plan of a staff file; nothing is written."""
    is_admin = selectors.user_has_role(actor, Role.PLATFORM_ADMIN)
    staffed = set(selectors.schools_staffed_by(actor).values_list("pk", flat=True))
    paths = managed_paths(actor)
    may_add_officers = actor.has_perm("lms.import_organisation")
    schools = {
        code: (pk, name)
        for code, pk, name in School.objects.filter(
            code__in={r["school_code"] for r in records if r["school_code"]}
        ).values_list("code", "pk", "name")
    }
    units = {
        code: (pk, path, name)
        for code, pk, path, name in AdministrativeUnit.objects.filter(
            code__in={r["unit_code"] for r in records if r["unit_code"]}
        ).values_list("code", "pk", "path", "name")
    }
    given = {r["username"].strip().lower() for r in records if r["username"].strip()}
    by_username = _users_by_username(given)
    # Staff already at the schools of the file, by name, for lines without a username.
    school_ids = {pk for pk, _name in schools.values()}
    at_school: dict[tuple[int, str], set[int]] = defaultdict(set)
    staff_names: dict[int, tuple[str, str]] = {}
    ids = sorted(school_ids)
    for start in range(0, len(ids), BATCH):
        for user_id, school_id, username, display_name in (
            RoleAssignment.objects.filter(school_id__in=ids[start : start + BATCH])
            .exclude(role=Role.PUPIL)
            .values_list("user_id", "school_id", "user__username", "user__display_name")
        ):
            at_school[(school_id, name_key(display_name))].add(user_id)
            staff_names[user_id] = (username, display_name)
    involved = {u.pk for u in by_username.values()} | set(staff_names)
    held = _assignments_of(involved)
    suffix = settings.ONBOARDING_USERNAME_SUFFIX
    taken = {
        name.lower()
        for name in User.objects.filter(username__iendswith=f".{suffix}").values_list(
            "username", flat=True
        )
    } | given

    def in_scope(assignment: tuple) -> bool:
        role, school_id, _unit_id, path = assignment
        if role == Role.PUPIL:
            return False
        if school_id is not None:
            return school_id in staffed
        return path is not None and paths is not None and path.startswith(tuple(paths))

    def allocate(display_name: str) -> str:
        base = names.username_base(
            display_name, part_max=USERNAME_PART_MAX, fallback="gv"
        )
        candidate, number = f"{base}.{suffix}", 1
        while candidate in taken:
            number += 1
            candidate = f"{base}{number}.{suffix}"
        taken.add(candidate)
        return candidate

    lines: list[PlanLine] = []
    people: dict[str, dict] = {}  # username -> the person the file describes
    generated: dict[tuple[int, str], str] = {}  # (school, name) -> new username
    seen_grants: dict[tuple, int] = {}
    validate_username = UnicodeUsernameValidator()
    for record in records:
        name = record["full_name"]
        line = PlanLine(line=record["line"], key="", name=name)
        lines.append(line)
        role = STAFF_ROLES.get(label_key(record["role"]))
        text_check(
            line,
            name,
            User,
            "display_name",
            empty=_("The name is empty."),
            long=_("The name is too long."),
        )
        if role is None:
            line.refuse(
                _(
                    "The role “%(label)s” is not understood (Giáo viên, Tư vấn, "
                    "Quản trị trường, Cán bộ xã, Cán bộ tỉnh, Cán bộ bảo vệ trẻ em "
                    "cấp xã)."
                )
                % {"label": record["role"]}
            )
        place, place_name, school_id, unit_id = "", "", None, None
        if role in SCHOOL_ROLES:
            school = schools.get(record["school_code"])
            if not record["school_code"]:
                line.refuse(_("The school code is empty."))
            elif school is None:
                line.refuse(
                    _("The school code %(code)s does not exist.")
                    % {"code": record["school_code"]}
                )
            elif school[0] not in staffed:
                line.refuse(
                    _("The school %(code)s is not one whose staff you manage.")
                    % {"code": record["school_code"]}
                )
            else:
                school_id, place_name = school
                place = f"s{school_id}"
        elif role in UNIT_ROLES:
            unit = units.get(record["unit_code"])
            if not may_add_officers:
                line.refuse(_("You may not add officers."))
            elif not record["unit_code"]:
                line.refuse(_("An officer needs a unit code."))
            elif unit is None:
                line.refuse(
                    _("The unit %(code)s does not exist.")
                    % {"code": record["unit_code"]}
                )
            elif not in_paths(unit[1], paths):
                line.refuse(
                    _("The unit %(code)s is not in your area.")
                    % {"code": record["unit_code"]}
                )
            else:
                unit_id, place_name = unit[0], unit[2]
                place = f"u{unit_id}"
        username = record["username"].strip().lower()
        user: User | None = None
        if username:
            if len(username) > USERNAME_MAX_LENGTH:
                line.refuse(
                    _("The username %(username)s is longer than %(max)d characters.")
                    % {"username": username[:40] + "…", "max": USERNAME_MAX_LENGTH}
                )
            else:
                try:
                    validate_username(username)
                except ValidationError:
                    line.refuse(
                        _("The username %(username)s has characters it may not have.")
                        % {"username": username}
                    )
            user = by_username.get(username)
            if user is not None:
                assignments = held.get(user.pk, [])
                if any(a[0] == Role.PUPIL for a in assignments):
                    line.refuse(
                        _("The username %(username)s belongs to a pupil.")
                        % {"username": username}
                    )
                elif not is_admin and (
                    not assignments or not all(in_scope(a) for a in assignments)
                ):
                    line.refuse(
                        _(
                            "The username %(username)s belongs to someone outside "
                            "the schools you manage."
                        )
                        % {"username": username}
                    )
        elif line.action != Action.ERROR:
            anchor = school_id if school_id is not None else -int(unit_id or 0)
            matches = (
                at_school.get((school_id, name_key(name)), set())
                if (school_id is not None)
                else set()
            )
            if len(matches) > 1:
                line.refuse(
                    _(
                        "More than one staff member of this school is called "
                        "%(name)s: give the username."
                    )
                    % {"name": name}
                )
            elif matches:
                user_id = next(iter(matches))
                username = staff_names[user_id][0].lower()
                user = by_username.get(username)
                if user is None:
                    user = User(
                        pk=user_id,
                        username=staff_names[user_id][0],
                        display_name=staff_names[user_id][1],
                    )
                    by_username[username] = user
            else:
                key = (anchor, name_key(name))
                if key not in generated:
                    generated[key] = allocate(name)
                    line.detail = _("New username: %(username)s") % {
                        "username": generated[key]
                    }
                username = generated[key]
        line.key = username
        if line.action == Action.ERROR:
            continue
        person = people.get(username)
        if person is None:
            person = people[username] = {
                "username": user.username if user else username,
                "user_id": user.pk if user else None,
                "display_name": name,
                "grants": [],
                "first_line": line.line,
            }
        elif name_key(person["display_name"]) != name_key(name):
            line.refuse(
                _("Line %(line)d gives this username to %(name)s.")
                % {"line": person["first_line"], "name": person["display_name"]}
            )
            continue
        grant = (role, school_id, unit_id)
        if grant in {(a[0], a[1], a[2]) for a in held.get(person["user_id"], [])}:
            already = True
        else:
            already = False
        grant_key = (username, *grant)
        if grant_key in seen_grants:
            line.refuse(
                _("The same role at the same place is on line %(line)d.")
                % {"line": seen_grants[grant_key]}
            )
            continue
        seen_grants[grant_key] = line.line
        if not already:
            person["grants"].append(
                {
                    "role": str(role),
                    "school_id": school_id,
                    "unit_id": unit_id,
                    "place": place,
                    "place_name": place_name,
                }
            )
        if person["user_id"] is None:
            line.action = Action.CREATE
        elif not already or (user and user.display_name != name):
            line.action = Action.UPDATE
        else:
            line.action = Action.UNCHANGED
    for person in people.values():
        if person["user_id"] is not None:
            current = by_username.get(person["username"].lower())
            person["rename"] = bool(
                current and current.display_name != person["display_name"]
            )
    return ImportPlan(
        kind=ImportKind.STAFF, lines=lines, work={"people": list(people.values())}
    )
