"""A class's certificates in one download, prepared in the background.

``bundle_request`` records a ``CertificateBundle`` and starts building it:

* for a class up to ``CERTIFICATE_BUNDLE_SYNC_LIMIT`` certificates (60 by
  default) right away in the request: 40 certificates take about a second
  (docs/performance.md), less than a queue round trip;
* for a larger class through its background job (``common.jobs``), enqueued
  after the request's transaction commits so the worker sees the row: in the
  worker of the queue in production, in this process in the embedded mode.

Both go through ``bundle_build``, one attempt of the job: a failure is retried,
a run a killed worker left behind is swept, and the row names the file only
when it is complete. The build does not run in one transaction: each step's
progress is committed so the page polling ``bundle_status`` sees it move.
"""

from __future__ import annotations

import contextlib

from django.conf import settings

from certificates.models import BundleKind, Certificate, CertificateBundle
from certificates.pdf import certificates_merged_pdf, certificates_zip
from certificates.selectors import class_certificates, class_for_certificates
from common.jobs import JobKind, JobOutput, job_run
from lms.models import SchoolClass, User

PROGRESS_EVERY = 5

# The bundle's background job (settings TASK_JOBS names it for the sweep).
BUNDLE_JOB = JobKind(
    model=CertificateBundle,
    task_path="certificates.tasks.bundle_build_task",
    argument="bundle_id",
)


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
        # A failure is recorded on the row (retried or failed) and logged.
        with contextlib.suppress(Exception):
            bundle_build(bundle_id=bundle.pk)
        bundle.refresh_from_db()
    else:
        BUNDLE_JOB.enqueue(bundle.pk)
    return bundle


def bundle_build(*, bundle_id: int) -> CertificateBundle:
    """Draw the bundle's certificates into its file, recording progress as it goes.

    One attempt of the bundle's job; a bundle that is not waiting (done, failed,
    or being drawn by another attempt) is returned as it is.
    """
    built = job_run(BUNDLE_JOB, bundle_id, make=_bundle_file, claim_fields={"done": 0})
    return built or CertificateBundle.objects.get(pk=bundle_id)


def _bundle_file(bundle: CertificateBundle) -> JobOutput:
    certificates = _with_rules(
        class_certificates(school_class=bundle.school_class, valid_only=True)
    )
    CertificateBundle.objects.filter(pk=bundle.pk).update(total=len(certificates))

    def progress(count: int) -> None:
        if count % PROGRESS_EVERY == 0:
            CertificateBundle.objects.filter(pk=bundle.pk).update(done=count)

    if bundle.kind == BundleKind.PDF:
        content = certificates_merged_pdf(certificates, on_progress=progress)
        extension = "pdf"
    else:
        content = certificates_zip(certificates, on_progress=progress)
        extension = "zip"
    return JobOutput(
        name=f"chung-nhan-lop-{bundle.school_class.pk}-{bundle.pk}.{extension}",
        content=content,
        fields={"done": len(certificates), "total": len(certificates)},
    )


def _with_rules(certificates: list[Certificate]) -> list[Certificate]:
    """Attach rules and learners in two queries rather than two per certificate."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(certificates, "rule", "user")
    return certificates
