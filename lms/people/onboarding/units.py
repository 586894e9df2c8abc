"""Importing administrative units: the preview of a units file and its writes.

Units are matched by code; an existing unit is renamed or given another level but
never moved (the admin's unit screen moves units). A unit's parent must exist or
come on an earlier line of the file.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lms.models import AdministrativeUnit, User
from lms.people.onboarding.plans import (
    Action,
    ImportKind,
    ImportPlan,
    PlanLine,
    in_paths,
    label_key,
    managed_paths,
    mark_duplicates,
    text_check,
)

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


def preview_units(actor: User, records: list[dict]) -> ImportPlan:
    """Return the plan of a units file; nothing is written."""
    paths = managed_paths(actor)
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
    mark_duplicates(
        lines,
        lambda line: line.key.casefold(),
        _("This code is also on line(s) %(lines)s."),
    )
    seen_codes: set[str] = set()
    work = []
    for record, line in zip(records, lines, strict=True):
        code, name, parent_code = record["code"], record["name"], record["parent_code"]
        level = UNIT_LEVELS.get(label_key(record["level"]))
        text_check(
            line,
            code,
            AdministrativeUnit,
            "code",
            empty=_("The code is empty."),
            long=_("The code is too long."),
        )
        text_check(
            line,
            name,
            AdministrativeUnit,
            "name",
            empty=_("The name is empty."),
            long=_("The name is too long."),
        )
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
        if parent is not None and not in_paths(parent.path, paths):
            line.refuse(
                _("The unit above, %(code)s, is not in your area.")
                % {"code": parent_code}
            )
        if not parent_code and paths is not None:
            line.refuse(_("Only a platform administrator may add a province."))
        unit = existing.get(code)
        if unit is not None and not in_paths(unit.path, paths):
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


def apply_units(plan: ImportPlan) -> dict:
    """Write a units plan in the order of the file; return the counts."""
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
