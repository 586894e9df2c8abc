"""Importing schools and care facilities: the preview of a schools file and its
writes, matched by school code, in bulk.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lms.models import AdministrativeUnit, School, SchoolType, User
from lms.people.onboarding.plans import (
    BATCH,
    Action,
    ImportKind,
    ImportPlan,
    PlanLine,
    in_paths,
    label_key,
    managed_paths,
    mark_duplicates,
    text_check,
    too_long,
)

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


def preview_schools(actor: User, records: list[dict]) -> ImportPlan:
    """Return the plan of a schools file; nothing is written."""
    paths = managed_paths(actor)
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
    mark_duplicates(
        lines,
        lambda line: line.key.casefold(),
        _("This school code is also on line(s) %(lines)s."),
    )
    creates, updates = [], []
    for record, line in zip(records, lines, strict=True):
        code, name, address = record["code"], record["name"], record["address"]
        school_type = SCHOOL_TYPES.get(label_key(record["type"]))
        text_check(
            line,
            code,
            School,
            "code",
            empty=_("The school code is empty."),
            long=_("The school code is too long."),
        )
        text_check(
            line,
            name,
            School,
            "name",
            empty=_("The name is empty."),
            long=_("The name is too long."),
        )
        if too_long(address, School, "address"):
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
        elif not in_paths(unit[1], paths):
            line.refuse(
                _("The unit %(code)s is not in your area.")
                % {"code": record["unit_code"]}
            )
        school = existing.get(code)
        if school is not None and not in_paths(school.unit.path, paths):
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


def apply_schools(plan: ImportPlan) -> dict:
    """Write a schools plan in bulk; return the counts."""
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
