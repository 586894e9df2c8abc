"""The audit log's one write: record who looked at or changed what.

Confidential records (help requests, consent, data exports and erasures) call
``audit_record`` on every view and change. Details hold ids and codes, never a
child's name or words, so the log itself needs no erasure.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from lms.models import AuditEntry, User


@transaction.atomic
def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log; entries are never changed afterwards."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        details=details or {},
    )
