"""Bulk onboarding: a province's administrative units, schools and staff from
spreadsheets.

The same contract as the class-roster import (``lms.rosters.services``):

1. ``onboarding_parse`` reads an uploaded XLSX or CSV file (``common.sheets``:
   title rows, merged headings, Vietnamese headings with or without diacritics,
   Windows-1258) into plain rows with their line numbers; the file is not kept.
   The rows wait in the importer's session between preview and confirmation.
2. ``onboarding_preview`` is a dry run: every line will create, update or leave
   unchanged a record, or has an error with its line number and the reason.
3. ``onboarding_apply`` recomputes the plan inside one transaction and writes it,
   all or nothing; any error refuses the whole file.

Re-importing a file updates by code (units, schools) or username (staff) and
never duplicates. Staff without a username are matched by name at the same
school, else get a readable generated username (``lan.nguyen.tn``). New staff get
a random one-time password, returned once by ``onboarding_apply`` for the password
sheets and never stored in plain; ``User.must_change_password`` makes the first
sign-in ask for a new one. An existing account's password is never reset here.

Who may import what is decided by ``selectors.units_managed_by`` and
``selectors.schools_staffed_by``: a platform administrator anything, a province
officer their province's units, schools and staff, a school administrator the
staff of their own school.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.sheets import SheetError, ascii_fold, fold_heading, table_read
from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    Role,
    RoleAssignment,
    School,
    SchoolType,
    User,
)
from lms.models.people import SCHOOL_ROLES, UNIT_ROLES
from lms.people import selectors
from lms.people.audit import audit_record
from lms.people.roles import role_group_name

BATCH = 1000
ONE_TIME_HASHER = "pbkdf2_sha256_onetime"
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
PASSWORD_LENGTH = 12
USERNAME_PART_MAX = 12


class ImportKind(StrEnum):
    UNITS = "units"
    SCHOOLS = "schools"
    STAFF = "staff"


KIND_LABELS = {
    ImportKind.UNITS: gettext_lazy("Administrative units"),
    ImportKind.SCHOOLS: gettext_lazy("Schools and care facilities"),
    ImportKind.STAFF: gettext_lazy("Staff"),
}

# Accepted headings (compared without diacritics, case or punctuation) -> field.
HEADINGS: dict[ImportKind, dict[str, str]] = {
    ImportKind.UNITS: {
        "mã": "code",
        "mã đơn vị": "code",
        "mã đơn vị hành chính": "code",
        "mã xã": "code",
        "code": "code",
        "tên": "name",
        "tên đơn vị": "name",
        "tên đơn vị hành chính": "name",
        "name": "name",
        "cấp": "level",
        "cấp đơn vị": "level",
        "cấp hành chính": "level",
        "level": "level",
        "mã cấp trên": "parent_code",
        "mã đơn vị cấp trên": "parent_code",
        "mã đơn vị cha": "parent_code",
        "đơn vị cấp trên": "parent_code",
        "parent code": "parent_code",
    },
    ImportKind.SCHOOLS: {
        "mã trường": "code",
        "mã cơ sở": "code",
        "mã": "code",
        "school code": "code",
        "code": "code",
        "tên trường": "name",
        "tên cơ sở": "name",
        "tên": "name",
        "name": "name",
        "loại hình": "type",
        "loại trường": "type",
        "cấp học": "type",
        "loại": "type",
        "type": "type",
        "mã xã": "unit_code",
        "mã đơn vị": "unit_code",
        "mã đơn vị hành chính": "unit_code",
        "mã xã phường": "unit_code",
        "unit code": "unit_code",
        "địa chỉ": "address",
        "address": "address",
    },
    ImportKind.STAFF: {
        "họ và tên": "full_name",
        "họ tên": "full_name",
        "full name": "full_name",
        "name": "full_name",
        "mã trường": "school_code",
        "mã cơ sở": "school_code",
        "school code": "school_code",
        "vai trò": "role",
        "chức vụ": "role",
        "role": "role",
        "tên đăng nhập": "username",
        "tài khoản": "username",
        "username": "username",
        "mã đơn vị": "unit_code",
        "mã xã": "unit_code",
        "mã tỉnh": "unit_code",
        "unit code": "unit_code",
    },
}
FIELDS: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.UNITS: ("code", "name", "level", "parent_code"),
    ImportKind.SCHOOLS: ("code", "name", "type", "unit_code", "address"),
    ImportKind.STAFF: ("full_name", "school_code", "role", "username", "unit_code"),
}
REQUIRED = {
    ImportKind.UNITS: ("code", "name", "level"),
    ImportKind.SCHOOLS: ("code", "name", "type", "unit_code"),
    ImportKind.STAFF: ("full_name", "role"),
}
MISSING_HEADINGS = {
    ImportKind.UNITS: gettext_lazy(
        "No headings “Mã”, “Tên” and “Cấp” were found in the first 30 lines."
    ),
    ImportKind.SCHOOLS: gettext_lazy(
        "No headings “Mã trường”, “Tên trường”, “Loại hình” and “Mã xã” were "
        "found in the first 30 lines."
    ),
    ImportKind.STAFF: gettext_lazy(
        "No headings “Họ và tên” and “Vai trò” were found in the first 30 lines."
    ),
}

UNIT_LEVELS = {
    "tinh": "province",
    "thanh pho truc thuoc trung uong": "province",
    "province": "province",
    "huyen": "district",
    "district": "district",
    "xa": "commune",
    "commune": "commune",
    "phuong": "ward",
    "ward": "ward",
    "dac khu": "special_zone",
    "special zone": "special_zone",
}
SCHOOL_TYPES = {
    "tieu hoc": SchoolType.PRIMARY,
    "truong tieu hoc": SchoolType.PRIMARY,
    "th": SchoolType.PRIMARY,
    "primary": SchoolType.PRIMARY,
    "trung hoc co so": SchoolType.LOWER_SECONDARY,
    "thcs": SchoolType.LOWER_SECONDARY,
    "truong thcs": SchoolType.LOWER_SECONDARY,
    "lower secondary": SchoolType.LOWER_SECONDARY,
    "trung hoc pho thong": SchoolType.UPPER_SECONDARY,
    "thpt": SchoolType.UPPER_SECONDARY,
    "truong thpt": SchoolType.UPPER_SECONDARY,
    "upper secondary": SchoolType.UPPER_SECONDARY,
    "lien cap": SchoolType.MULTI_LEVEL,
    "nhieu cap": SchoolType.MULTI_LEVEL,
    "nhieu cap hoc": SchoolType.MULTI_LEVEL,
    "truong nhieu cap hoc": SchoolType.MULTI_LEVEL,
    "th thcs": SchoolType.MULTI_LEVEL,
    "thcs thpt": SchoolType.MULTI_LEVEL,
    "multi level": SchoolType.MULTI_LEVEL,
    "co so bao ve tre em": SchoolType.CARE_FACILITY,
    "co so tro giup": SchoolType.CARE_FACILITY,
    "co so tro giup xa hoi": SchoolType.CARE_FACILITY,
    "co so bao tro xa hoi": SchoolType.CARE_FACILITY,
    "care facility": SchoolType.CARE_FACILITY,
}
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
}


def _label_key(text: str) -> str:
    return fold_heading(text.replace("-", " ").replace("/", " "))


def name_key(name: str) -> str:
    """Return the form two names are compared in: case and spacing do not count."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


# --- Parsing -------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedImport:
    """What a file says, as plain data that can wait in the session."""

    kind: str
    header_line: int
    ignored_columns: tuple[str, ...]
    rows: tuple[tuple, ...]  # (line, value of each of FIELDS[kind] ...)

    def to_data(self) -> dict:
        return {
            "kind": self.kind,
            "header_line": self.header_line,
            "ignored_columns": list(self.ignored_columns),
            "rows": [list(row) for row in self.rows],
        }

    @classmethod
    def from_data(cls, data: dict) -> ParsedImport:
        return cls(
            kind=data["kind"],
            header_line=data["header_line"],
            ignored_columns=tuple(data["ignored_columns"]),
            rows=tuple(tuple(row) for row in data["rows"]),
        )

    def records(self) -> list[dict]:
        names = FIELDS[ImportKind(self.kind)]
        return [
            {"line": row[0], **dict(zip(names, row[1:], strict=True))}
            for row in self.rows
        ]


def onboarding_parse(*, kind: str, file: UploadedFile) -> ParsedImport:
    """Read an uploaded XLSX or CSV file of units, schools or staff."""
    kind = ImportKind(kind)
    limit = settings.ONBOARDING_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise _too_large(limit)
    file.seek(0)
    content = file.read(limit + 1)
    if len(content) > limit:
        raise _too_large(limit)
    try:
        table = table_read(
            content,
            headings=HEADINGS[kind],
            required=REQUIRED[kind],
            max_rows=settings.ONBOARDING_MAX_ROWS,
            max_unpacked_bytes=20 * limit,
            missing_message=str(MISSING_HEADINGS[kind]),
        )
    except SheetError as error:
        raise LmsError(error.message, code=error.code)
    if not table.rows:
        raise LmsError(_("The file has headings but no lines under them."), "no_rows")
    names = FIELDS[kind]
    rows = tuple(
        (row.line, *(row.values.get(name, "") for name in names)) for row in table.rows
    )
    return ParsedImport(
        kind=kind,
        header_line=table.header_line,
        ignored_columns=table.ignored_columns,
        rows=rows,
    )


def _too_large(limit: int) -> LmsError:
    return LmsError(
        _("The file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)},
        code="too_large",
    )


# --- Plans ---------------------------------------------------------------------------


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class PlanLine:
    line: int
    key: str  # the code or username the line is about
    name: str
    action: Action = Action.UNCHANGED
    detail: str = ""
    problems: list[str] = field(default_factory=list)

    def refuse(self, message: str) -> None:
        self.problems.append(message)
        self.action = Action.ERROR


@dataclass
class ImportPlan:
    kind: str
    lines: list[PlanLine]
    # What the apply step writes, filled by the preview; never sent to a browser.
    work: dict = field(default_factory=dict)

    def with_action(self, action: Action) -> list[PlanLine]:
        return [line for line in self.lines if line.action == action]

    @property
    def errors(self) -> list[PlanLine]:
        return self.with_action(Action.ERROR)

    @property
    def has_errors(self) -> bool:
        return any(line.action == Action.ERROR for line in self.lines)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Action, 0)
        for line in self.lines:
            counts[line.action] += 1
        return {str(action): count for action, count in counts.items()}

    @property
    def fingerprint(self) -> str:
        data = [self.kind] + [
            [line.line, line.key, line.name, line.action, line.detail]
            for line in self.lines
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


def import_kinds_for(user: User) -> list[ImportKind]:
    """Return the imports the user may run."""
    kinds = []
    if user.has_perm("lms.import_organisation"):
        kinds += [ImportKind.UNITS, ImportKind.SCHOOLS]
    if user.has_perm("lms.import_staff"):
        kinds.append(ImportKind.STAFF)
    return kinds


def _ensure_may_import(actor: User, kind: ImportKind) -> None:
    if kind not in import_kinds_for(actor):
        raise LmsError(
            _("You may not import this kind of list."), code="not_allowed_import"
        )


def _mark_duplicates(lines: list[PlanLine], key_of, message: str) -> None:
    seen: dict[str, list[PlanLine]] = defaultdict(list)
    for line in lines:
        key = key_of(line)
        if key:
            seen[key].append(line)
    for same in seen.values():
        if len(same) > 1:
            for line in same:
                others = ", ".join(str(o.line) for o in same if o is not line)
                line.refuse(message % {"lines": others})


def _too_long(value: str, model, field_name: str) -> bool:
    return len(value) > model._meta.get_field(field_name).max_length


def onboarding_preview(*, actor: User, parsed: ParsedImport) -> ImportPlan:
    """Return what importing ``parsed`` would do, line by line; nothing is written."""
    kind = ImportKind(parsed.kind)
    _ensure_may_import(actor, kind)
    if kind == ImportKind.UNITS:
        return _preview_units(actor, parsed.records())
    if kind == ImportKind.SCHOOLS:
        return _preview_schools(actor, parsed.records())
    return _preview_staff(actor, parsed.records())


# --- Units ---------------------------------------------------------------------------


def _in_paths(path: str, paths: list[str] | None) -> bool:
    return paths is None or path.startswith(tuple(paths))


def _managed_paths(actor: User) -> list[str] | None:
    """Return the unit paths the actor manages, or None for everything."""
    if selectors.user_has_role(actor, Role.PLATFORM_ADMIN):
        return None
    return list(selectors.units_managed_by(actor).values_list("path", flat=True))


def _preview_units(actor: User, records: list[dict]) -> ImportPlan:
    paths = _managed_paths(actor)
    codes = {r["code"] for r in records} | {r["parent_code"] for r in records}
    existing = {
        u.code: u for u in AdministrativeUnit.objects.filter(code__in=codes - {""})
    }
    steplen = AdministrativeUnit.steplen
    parent_codes = dict(
        AdministrativeUnit.objects.filter(
            path__in=[u.path[:-steplen] for u in existing.values() if u.depth > 1]
        ).values_list("path", "code")
    )
    lines = [PlanLine(line=r["line"], key=r["code"], name=r["name"]) for r in records]
    _mark_duplicates(
        lines,
        lambda line: line.key.casefold(),
        _("This code is also on line(s) %(lines)s."),
    )
    seen_codes: set[str] = set()
    work = []
    for record, line in zip(records, lines, strict=True):
        code, name, parent_code = record["code"], record["name"], record["parent_code"]
        level = UNIT_LEVELS.get(_label_key(record["level"]))
        if not code:
            line.refuse(_("The code is empty."))
        elif _too_long(code, AdministrativeUnit, "code"):
            line.refuse(_("The code is too long."))
        if not name:
            line.refuse(_("The name is empty."))
        elif _too_long(name, AdministrativeUnit, "name"):
            line.refuse(_("The name is too long."))
        if level is None:
            line.refuse(
                _("The level “%(label)s” is not understood (Tỉnh, Xã, Phường).")
                % {"label": record["level"]}
            )
        parent = existing.get(parent_code) if parent_code else None
        if parent_code and parent is None and parent_code not in seen_codes:
            line.refuse(
                _(
                    "The unit above, %(code)s, does not exist. Put its line above "
                    "this one or import it first."
                )
                % {"code": parent_code}
            )
        if parent is not None and not _in_paths(parent.path, paths):
            line.refuse(
                _("The unit above, %(code)s, is not in your area.")
                % {"code": parent_code}
            )
        if not parent_code and paths is not None:
            line.refuse(_("Only a platform administrator may add a province."))
        unit = existing.get(code)
        if unit is not None and not _in_paths(unit.path, paths):
            line.refuse(_("This code belongs to a unit outside your area."))
        if unit is not None and line.action != Action.ERROR:
            old_parent_code = parent_codes.get(unit.path[:-steplen], "")
            if (old_parent_code or "") != parent_code:
                line.refuse(
                    _(
                        "This unit is under %(old)s, not %(new)s; the import does not "
                        "move units."
                    )
                    % {"old": old_parent_code or "—", "new": parent_code or "—"}
                )
            elif (unit.name, unit.level) != (name, level):
                line.action = Action.UPDATE
            else:
                line.action = Action.UNCHANGED
        elif line.action != Action.ERROR:
            line.action = Action.CREATE
        seen_codes.add(code)
        if line.action in (Action.CREATE, Action.UPDATE):
            work.append(
                {
                    "code": code,
                    "name": name,
                    "level": level,
                    "parent_code": parent_code,
                    "unit_id": unit.pk if unit else None,
                }
            )
    return ImportPlan(kind=ImportKind.UNITS, lines=lines, work={"units": work})


def _apply_units(plan: ImportPlan) -> dict:
    created = updated = 0
    for item in plan.work["units"]:
        if item["unit_id"]:
            AdministrativeUnit.objects.filter(pk=item["unit_id"]).update(
                name=item["name"], level=item["level"]
            )
            updated += 1
            continue
        unit = AdministrativeUnit(
            code=item["code"], name=item["name"], level=item["level"]
        )
        unit.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
        if item["parent_code"]:
            parent = AdministrativeUnit.objects.get(code=item["parent_code"])
            parent.add_child(instance=unit)
        else:
            AdministrativeUnit.add_root(instance=unit)
        created += 1
    return {"created": created, "updated": updated}


# --- Schools -------------------------------------------------------------------------


def _preview_schools(actor: User, records: list[dict]) -> ImportPlan:
    paths = _managed_paths(actor)
    units = {
        code: (pk, path)
        for code, pk, path in AdministrativeUnit.objects.filter(
            code__in={r["unit_code"] for r in records}
        ).values_list("code", "pk", "path")
    }
    codes = {r["code"] for r in records}
    existing = {
        s.code: s for s in School.objects.filter(code__in=codes).select_related("unit")
    }
    lines = [PlanLine(line=r["line"], key=r["code"], name=r["name"]) for r in records]
    _mark_duplicates(
        lines,
        lambda line: line.key.casefold(),
        _("This school code is also on line(s) %(lines)s."),
    )
    creates, updates = [], []
    for record, line in zip(records, lines, strict=True):
        code, name, address = record["code"], record["name"], record["address"]
        school_type = SCHOOL_TYPES.get(_label_key(record["type"]))
        if not code:
            line.refuse(_("The school code is empty."))
        elif _too_long(code, School, "code"):
            line.refuse(_("The school code is too long."))
        if not name:
            line.refuse(_("The name is empty."))
        elif _too_long(name, School, "name"):
            line.refuse(_("The name is too long."))
        if _too_long(address, School, "address"):
            line.refuse(_("The address is too long."))
        if school_type is None:
            line.refuse(
                _(
                    "The type “%(label)s” is not understood (Tiểu học, THCS, THPT, "
                    "Liên cấp, Cơ sở bảo vệ trẻ em)."
                )
                % {"label": record["type"]}
            )
        unit = units.get(record["unit_code"])
        if unit is None:
            line.refuse(
                _("The unit %(code)s does not exist.") % {"code": record["unit_code"]}
            )
        elif not _in_paths(unit[1], paths):
            line.refuse(
                _("The unit %(code)s is not in your area.")
                % {"code": record["unit_code"]}
            )
        school = existing.get(code)
        if school is not None and not _in_paths(school.unit.path, paths):
            line.refuse(_("This school code belongs to a school outside your area."))
        if line.action == Action.ERROR:
            continue
        values = {
            "name": name,
            "school_type": str(school_type),
            "unit_id": unit[0],
            "address": address,
        }
        if school is None:
            line.action = Action.CREATE
            creates.append({"code": code, **values})
        elif any(getattr(school, k) != v for k, v in values.items()):
            line.action = Action.UPDATE
            updates.append({"id": school.pk, **values})
        else:
            line.action = Action.UNCHANGED
    return ImportPlan(
        kind=ImportKind.SCHOOLS,
        lines=lines,
        work={"create": creates, "update": updates},
    )


def _apply_schools(plan: ImportPlan) -> dict:
    new = [School(**item) for item in plan.work["create"]]
    for school in new:
        school.clean_fields(exclude=["unit"])
    School.objects.bulk_create(new, batch_size=BATCH)
    changed = []
    for item in plan.work["update"]:
        school = School(id=item["id"], **{k: v for k, v in item.items() if k != "id"})
        changed.append(school)
    School.objects.bulk_update(
        changed, ["name", "school_type", "unit_id", "address"], batch_size=BATCH
    )
    return {"created": len(new), "updated": len(changed)}


# --- Staff ---------------------------------------------------------------------------


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


def username_base(display_name: str) -> str:
    """Return a staff username's readable part: "Nguyễn Thị Lan" -> "lan.nguyen"."""
    words = re.findall(r"[a-z]+", ascii_fold(display_name))
    if not words:
        return "gv"
    given = words[-1][:USERNAME_PART_MAX]
    if len(words) == 1:
        return given
    return f"{given}.{words[0][:USERNAME_PART_MAX]}"


def one_time_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


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


def _preview_staff(actor: User, records: list[dict]) -> ImportPlan:
    is_admin = selectors.user_has_role(actor, Role.PLATFORM_ADMIN)
    staffed = set(selectors.schools_staffed_by(actor).values_list("pk", flat=True))
    paths = _managed_paths(actor)
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
        base = username_base(display_name)
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
        role = STAFF_ROLES.get(_label_key(record["role"]))
        if not name:
            line.refuse(_("The name is empty."))
        elif _too_long(name, User, "display_name"):
            line.refuse(_("The name is too long."))
        if role is None:
            line.refuse(
                _(
                    "The role “%(label)s” is not understood (Giáo viên, Tư vấn, "
                    "Quản trị trường, Cán bộ xã, Cán bộ tỉnh)."
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
            elif not _in_paths(unit[1], paths):
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
            try:
                validate_username(username)
                if len(username) > 150:
                    raise ValueError
            except Exception:
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


def _one_time_hasher() -> str:
    hashers = settings.PASSWORD_HASHERS
    if any(h.endswith(".OneTimePasswordHasher") for h in hashers):
        return ONE_TIME_HASHER
    return "default"


def _apply_staff(plan: ImportPlan) -> tuple[dict, list[StaffCredentials]]:
    people = plan.work["people"]
    hasher = _one_time_hasher()
    credentials: list[StaffCredentials] = []
    new_users = []
    for person in people:
        if person["user_id"] is not None:
            continue
        password = one_time_password()
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


# --- Apply ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    kind: str
    counts: dict
    credentials: tuple[StaffCredentials, ...] = ()


def onboarding_apply(
    *, actor: User, parsed: ParsedImport, fingerprint: str | None = None
) -> ImportResult:
    """Write what the preview showed, all or nothing.

    The plan is recomputed here, inside the transaction, from the parsed rows kept
    on the server; with any error, or when it differs from the ``fingerprint`` of
    the preview the importer confirmed, nothing is written.
    """
    kind = ImportKind(parsed.kind)
    with transaction.atomic():
        if kind == ImportKind.UNITS:
            # Units are a tree with computed paths: one import at a time.
            list(AdministrativeUnit.objects.select_for_update().filter(depth=1))
        plan = onboarding_preview(actor=actor, parsed=parsed)
        if plan.has_errors:
            raise LmsError(
                _(
                    "%(count)d line(s) have errors; nothing was imported. Correct "
                    "the file and upload it again."
                )
                % {"count": len(plan.errors)},
                code="import_has_errors",
            )
        if fingerprint is not None and fingerprint != plan.fingerprint:
            raise LmsError(
                _("The data changed since the preview. Check it again."),
                code="stale_preview",
            )
        credentials: list[StaffCredentials] = []
        if kind == ImportKind.UNITS:
            counts = _apply_units(plan)
        elif kind == ImportKind.SCHOOLS:
            counts = _apply_schools(plan)
        else:
            counts, credentials = _apply_staff(plan)
        audit_record(
            actor=actor,
            action=f"onboarding.{kind}",
            target=actor,
            details={**counts, "lines": len(plan.lines)},
        )
    return ImportResult(kind=kind, counts=counts, credentials=tuple(credentials))
