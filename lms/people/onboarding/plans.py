"""What an onboarding import is and what it will do: the kinds of import, who may
run them, and the plan a preview makes (``ImportPlan``, one ``PlanLine`` a line of
the file), with the checks and look-ups the kinds share.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy

from common.sheets import fold_heading
from lms.models import Role, User
from lms.people import selectors

BATCH = 1000


class ImportKind(StrEnum):
    UNITS = "units"
    SCHOOLS = "schools"
    STAFF = "staff"


KIND_LABELS = {
    ImportKind.UNITS: gettext_lazy("Administrative units"),
    ImportKind.SCHOOLS: gettext_lazy("Schools and care facilities"),
    ImportKind.STAFF: gettext_lazy("Staff"),
}


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


def mark_duplicates(lines: list[PlanLine], key_of, message: str) -> None:
    """Refuse every line whose key (``key_of``) another line of the file has too."""
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


def too_long(value: str, model, field_name: str) -> bool:
    return len(value) > model._meta.get_field(field_name).max_length


def text_check(
    line: PlanLine, value: str, model, field_name: str, *, empty: str, long: str
) -> None:
    """Refuse ``line`` with ``empty`` when ``value`` is empty, with ``long`` when it
    does not fit the model's field."""
    if not value:
        line.refuse(empty)
    elif too_long(value, model, field_name):
        line.refuse(long)


def label_key(text: str) -> str:
    """Return the form a label of the file (a level, a type, a role) is looked up in."""
    return fold_heading(text.replace("-", " ").replace("/", " "))


def in_paths(path: str, paths: list[str] | None) -> bool:
    return paths is None or path.startswith(tuple(paths))


def managed_paths(actor: User) -> list[str] | None:
    """Return the unit paths the actor manages, or None for everything."""
    if selectors.user_has_role(actor, Role.PLATFORM_ADMIN):
        return None
    return list(selectors.units_managed_by(actor).values_list("path", flat=True))
