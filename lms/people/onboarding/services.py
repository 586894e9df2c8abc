"""The services of bulk onboarding: ``onboarding_preview``, a dry run of a parsed
file, and ``onboarding_apply``, which writes it all or nothing. Each hands the file
to its kind (``units``, ``schools``, ``staff`` and ``staff_accounts``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import AdministrativeUnit, User
from lms.people.audit import audit_record
from lms.people.onboarding.parsing import ParsedImport
from lms.people.onboarding.plans import ImportKind, ImportPlan, import_kinds_for
from lms.people.onboarding.schools import apply_schools, preview_schools
from lms.people.onboarding.staff import preview_staff
from lms.people.onboarding.staff_accounts import StaffCredentials, apply_staff
from lms.people.onboarding.units import apply_units, preview_units


def _ensure_may_import(actor: User, kind: ImportKind) -> None:
    if kind not in import_kinds_for(actor):
        raise LmsError(
            _("You may not import this kind of list."), code="not_allowed_import"
        )


def onboarding_preview(*, actor: User, parsed: ParsedImport) -> ImportPlan:
    """Return what importing ``parsed`` would do, line by line; nothing is written."""
    kind = ImportKind(parsed.kind)
    _ensure_may_import(actor, kind)
    if kind == ImportKind.UNITS:
        return preview_units(actor, parsed.records())
    if kind == ImportKind.SCHOOLS:
        return preview_schools(actor, parsed.records())
    return preview_staff(actor, parsed.records())


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
            counts = apply_units(plan)
        elif kind == ImportKind.SCHOOLS:
            counts = apply_schools(plan)
        else:
            counts, credentials = apply_staff(plan)
        audit_record(
            actor=actor,
            action=f"onboarding.{kind}",
            target=actor,
            details={**counts, "lines": len(plan.lines)},
        )
    return ImportResult(kind=kind, counts=counts, credentials=tuple(credentials))
