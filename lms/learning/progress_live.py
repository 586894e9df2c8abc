"""Live class progress: tell a class's progress grid when a pupil moves on.

A completion (``lms.signals.module_completed``) or any other change of a pupil's
``ModuleProgress`` is sent, after the transaction commits, to the group of every
class the pupil is enrolled in (``class-progress-<id>``), as a small message:
``{"type", "pupil_id", "module_id", "status", "best_percent", "seq"}``. ``seq``
counts the messages of each group (a cache counter, shared by every worker
through Redis in production), so a grid that sees a gap reloads its fragment.
Nothing is sent for a transaction that rolls back.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import transaction

from lms.models import DONE_STATUSES, Enrolment, ModuleProgress, ProgressStatus

SEQUENCE_KEY = "class-progress-seq:{class_id}"


def class_progress_group(class_id: int) -> str:
    return f"class-progress-{class_id}"


def class_progress_sequence(class_id: int) -> int:
    """Return the number of the last message sent to a class's group (0: none)."""
    return int(cache.get(SEQUENCE_KEY.format(class_id=class_id)) or 0)


def _next_sequence(class_id: int) -> int:
    key = SEQUENCE_KEY.format(class_id=class_id)
    cache.add(key, 0, timeout=None)
    try:
        return cache.incr(key)
    except ValueError:  # Evicted between add and incr: start again.
        cache.set(key, 1, timeout=None)
        return 1


def _send(pupil_id: int, module_id: int, status: str, best_percent) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    class_ids = list(
        Enrolment.objects.filter(pupil_id=pupil_id, left_on__isnull=True).values_list(
            "school_class_id", flat=True
        )
    )
    for class_id in class_ids:
        async_to_sync(layer.group_send)(
            class_progress_group(class_id),
            {
                "type": "progress.changed",
                "pupil_id": pupil_id,
                "module_id": module_id,
                "status": status,
                "best_percent": None if best_percent is None else str(best_percent),
                "seq": _next_sequence(class_id),
            },
        )


def progress_broadcast_on_commit(progress: ModuleProgress) -> None:
    """Send ``progress`` to its pupil's class grids once the transaction commits."""
    pupil_id, module_id = progress.user_id, progress.module_id
    status, best = progress.status, progress.best_percent
    transaction.on_commit(lambda: _send(pupil_id, module_id, status, best))


def on_module_completed(sender, *, progress, **kwargs) -> None:
    """Receive ``module_completed``: a pupil completed or passed a module."""
    progress_broadcast_on_commit(progress)


def on_progress_saved(sender, *, instance, created, update_fields, **kwargs) -> None:
    """Receive ``post_save`` of progress: a pupil started or moved on in a module.

    Completions are sent by ``on_module_completed`` (with the final score), so
    saves of a done module are left to it; a row just created (not started) is
    no news.
    """
    if (
        instance.status in DONE_STATUSES
        or instance.status == ProgressStatus.NOT_STARTED
    ):
        return
    if update_fields is not None and "status" not in update_fields and not created:
        return
    progress_broadcast_on_commit(instance)
