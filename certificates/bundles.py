"""A class's certificates in one download, prepared in the background.

``bundle_request`` records a ``CertificateBundle`` and starts building it:

* for a class up to ``CERTIFICATE_BUNDLE_SYNC_LIMIT`` certificates (60 by
  default) right away in the request: 40 certificates take about a second
  (docs/performance.md), less than a queue round trip;
* for a larger class through django-tasks when the project runs a real queue
  (``django_tasks`` in ``INSTALLED_APPS`` and a ``TASKS`` backend other than
  the immediate one), enqueued after the request's transaction commits so the
  worker sees the row;
* otherwise (embedded mode, a large class) in a thread of this process, as the
  embedded mode does its background work.

The build does not run in one transaction: each step's progress is committed so
the page polling ``bundle_status`` sees it move.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, transaction
from django.utils import timezone

from certificates.models import BundleKind, BundleStatus, Certificate, CertificateBundle
from certificates.pdf import certificates_merged_pdf, certificates_zip
from certificates.selectors import class_certificates, class_for_certificates
from lms.models import SchoolClass, User

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 5


def tasks_queue_configured() -> bool:
    """Return whether django-tasks runs tasks in a worker (not in the request)."""
    if "django_tasks" not in settings.INSTALLED_APPS:
        return False
    backend = (getattr(settings, "TASKS", None) or {}).get("default", {})
    return bool(backend) and not backend.get("BACKEND", "").endswith("ImmediateBackend")


def _sync_limit() -> int:
    return getattr(settings, "CERTIFICATE_BUNDLE_SYNC_LIMIT", 60)


def bundle_request(
    *, actor: User, school_class: SchoolClass, kind: str
) -> CertificateBundle:
    """Start preparing every valid certificate of ``school_class`` as one file.

    The actor must manage the class (``classes_managed_by``); a foreign class
    raises ``NotFound``.
    """
    school_class = class_for_certificates(user=actor, class_id=school_class.pk)
    if kind not in BundleKind.values:
        kind = BundleKind.ZIP
    total = len(class_certificates(school_class=school_class, valid_only=True))
    bundle = CertificateBundle.objects.create(
        requested_by=actor, school_class=school_class, kind=kind, total=total
    )
    if total <= _sync_limit():
        bundle_build(bundle_id=bundle.pk)
        bundle.refresh_from_db()
    elif tasks_queue_configured():
        from certificates.tasks import bundle_build_task

        transaction.on_commit(lambda: bundle_build_task.enqueue(bundle_id=bundle.pk))
    else:
        transaction.on_commit(lambda: _build_in_thread(bundle.pk))
    return bundle


def _build_in_thread(bundle_id: int) -> None:
    def run():
        try:
            bundle_build(bundle_id=bundle_id)
        finally:
            close_old_connections()

    threading.Thread(
        target=run, name=f"certificate-bundle-{bundle_id}", daemon=True
    ).start()


def bundle_build(*, bundle_id: int) -> CertificateBundle:
    """Draw the bundle's certificates into its file, recording progress as it goes."""
    bundle = CertificateBundle.objects.select_related("school_class").get(pk=bundle_id)
    if bundle.status == BundleStatus.DONE:
        return bundle
    certificates = _with_rules(
        class_certificates(school_class=bundle.school_class, valid_only=True)
    )
    CertificateBundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.RUNNING, total=len(certificates), done=0
    )

    def progress(count: int) -> None:
        if count % PROGRESS_EVERY == 0:
            CertificateBundle.objects.filter(pk=bundle.pk).update(done=count)

    try:
        if bundle.kind == BundleKind.PDF:
            content = certificates_merged_pdf(certificates, on_progress=progress)
            extension = "pdf"
        else:
            content = certificates_zip(certificates, on_progress=progress)
            extension = "zip"
        name = f"chung-nhan-lop-{bundle.school_class.pk}-{bundle.pk}.{extension}"
        bundle.file.save(name, ContentFile(content), save=False)
        bundle.status = BundleStatus.DONE
        bundle.done = bundle.total = len(certificates)
    except Exception as error:  # recorded for the page; the log keeps the trace
        logger.exception("certificate bundle %s failed", bundle.pk)
        bundle.status = BundleStatus.FAILED
        bundle.error = str(error)[:300]
    bundle.finished_at = timezone.now()
    bundle.save(
        update_fields=["file", "status", "done", "total", "error", "finished_at"]
    )
    return bundle


def _with_rules(certificates: list[Certificate]) -> list[Certificate]:
    """Attach rules and learners in two queries rather than two per certificate."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(certificates, "rule", "user")
    return certificates
