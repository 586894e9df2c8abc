"""Pages of the certificates app: verification, downloads, revocation, class files.

Thin: each page finds its object through ``certificates.selectors`` (a foreign
certificate, class or bundle is a 404), calls one service and renders.

The verification page is public and answers for anyone holding a code, so it is
rate-limited per address, kept out of search engines (``noindex`` in a meta tag
and in the ``X-Robots-Tag`` header) and shows only what is printed on the
certificate plus its status.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certificates import bundles, selectors, services
from certificates.errors import CertificateError
from certificates.forms import BundleForm, RevokeForm, VerifyForm
from certificates.models import BundleStatus
from certificates.pdf import certificate_filename, certificate_pdf
from certificates.ratelimit import verification_allowed
from common.errors import not_found_as_404
from common.jobs import file_not_ready, job_message
from lms.models import Role
from lms.people.selectors import user_has_role

NOINDEX = "noindex, nofollow"


def _verify_response(request, *, form, code=None):
    status = 200
    context = {"form": form, "code": code}
    if code is not None:
        if not verification_allowed(request):
            status = 429
            context["rate_limited"] = True
        else:
            verification = selectors.certificate_verification(code=code)
            context["verification"] = verification
            if verification is None:
                status = 404
                context["not_found"] = True
    response = render(request, "certificates/verify.html", context, status=status)
    response["X-Robots-Tag"] = NOINDEX
    if status == 429:
        response["Retry-After"] = "600"
    return response


@never_cache
@require_GET
def verify(request):
    """The public form: type a code (``?code=``) to check a certificate."""
    if "code" in request.GET:
        form = VerifyForm(request.GET)
        if form.is_valid():
            return _verify_response(request, form=form, code=form.cleaned_data["code"])
        return _verify_response(request, form=form)
    return _verify_response(request, form=VerifyForm())


@never_cache
@require_GET
def verify_code(request, code: str):
    """The page a certificate's QR code opens."""
    return _verify_response(request, form=VerifyForm(initial={"code": code}), code=code)


@login_required
@require_GET
def my_certificates(request):
    """My certificates, each with its state and a download for valid ones."""
    return render(
        request,
        "certificates/mine.html",
        {"certificates": selectors.certificates_of_user(user=request.user)},
    )


@login_required
@require_GET
@not_found_as_404
def certificate_download(request, certificate_id: int):
    """Download one valid certificate: the learner's own, or a pupil's (teachers)."""
    certificate = selectors.certificate_for_download(
        user=request.user, certificate_id=certificate_id
    )
    response = FileResponse(
        io.BytesIO(certificate_pdf(certificate)),
        as_attachment=True,
        filename=certificate_filename(certificate),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _revoke_or_reissue(request, certificate_id: int, *, reissue: bool):
    certificate = selectors.certificate_for_revoking(
        user=request.user, certificate_id=certificate_id
    )
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and certificate.is_valid:
        service = (
            services.certificate_reissue if reissue else services.certificate_revoke
        )
        try:
            result = service(
                actor=request.user,
                certificate=certificate,
                reason=form.cleaned_data["reason"],
            )
        except CertificateError as error:
            form.add_error(None, error.message)
        else:
            if reissue:
                messages.success(
                    request,
                    _("A new certificate was issued with the code %(code)s.")
                    % {"code": result.display_code},
                )
            else:
                messages.success(request, _("The certificate was revoked."))
            if certificate.school_class_id:
                return redirect(
                    "certificates:class", class_id=certificate.school_class_id
                )
            return redirect("lms:home")
    return render(
        request,
        "certificates/revoke.html",
        {"certificate": certificate, "form": form, "reissue": reissue},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def certificate_revoke(request, certificate_id: int):
    """Revoke a certificate (school administrators): a reason, then confirm."""
    return _revoke_or_reissue(request, certificate_id, reissue=False)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def certificate_reissue(request, certificate_id: int):
    """Replace a certificate with a new one (school administrators)."""
    return _revoke_or_reissue(request, certificate_id, reissue=True)


@login_required
@require_GET
@not_found_as_404
def class_certificates(request, class_id: int):
    """A class's pupils and their certificates, with the whole-class downloads."""
    school_class = selectors.class_for_certificates(
        user=request.user, class_id=class_id
    )
    rows = selectors.class_pupils_with_certificates(
        user=request.user, school_class=school_class
    )
    valid_count = sum(
        1 for _enrolment, certificates in rows for c in certificates if c.is_valid
    )
    return render(
        request,
        "certificates/class.html",
        {
            "school_class": school_class,
            "rows": rows,
            "valid_count": valid_count,
            "can_revoke": user_has_role(
                request.user, Role.SCHOOL_ADMIN, Role.PLATFORM_ADMIN
            ),
        },
    )


@login_required
@require_POST
@not_found_as_404
def class_bundle_create(request, class_id: int):
    """Start preparing the class's certificates as one ZIP or one merged PDF."""
    school_class = selectors.class_for_certificates(
        user=request.user, class_id=class_id
    )
    form = BundleForm(request.POST)
    if not form.is_valid():
        raise Http404
    bundle = bundles.bundle_request(
        actor=request.user, school_class=school_class, kind=form.cleaned_data["kind"]
    )
    return redirect("certificates:bundle", bundle_id=bundle.pk)


@login_required
@require_GET
@not_found_as_404
def bundle_detail(request, bundle_id: int):
    """The download page: a progress bar until the file is ready, then a link."""
    bundle = selectors.bundle_for(user=request.user, bundle_id=bundle_id)
    return render(
        request,
        "certificates/bundle.html",
        {"bundle": bundle, "message": job_message(bundle)},
    )


def _bundle_json(bundle) -> dict:
    ready = bundle.status == BundleStatus.DONE
    return {
        "status": bundle.status,
        "status_label": str(bundle.get_status_display()),
        "done": bundle.done,
        "total": bundle.total,
        "percent": bundle.percent,
        "message": job_message(bundle),
        "download_url": (
            reverse("certificates:bundle_file", kwargs={"bundle_id": bundle.pk})
            if ready
            else None
        ),
    }


@login_required
@never_cache
@require_GET
@not_found_as_404
def bundle_status(request, bundle_id: int):
    """The JSON the download page polls: status, progress, and the file's address."""
    bundle = selectors.bundle_for(user=request.user, bundle_id=bundle_id)
    return JsonResponse(_bundle_json(bundle))


@login_required
@require_GET
@not_found_as_404
def bundle_file(request, bundle_id: int):
    """Download a prepared bundle."""
    bundle = selectors.bundle_for(user=request.user, bundle_id=bundle_id)
    if bundle.status != BundleStatus.DONE or not bundle.file:
        return file_not_ready(
            request,
            bundle,
            back_url=reverse("certificates:bundle", kwargs={"bundle_id": bundle.pk}),
        )
    extension = "pdf" if bundle.kind == "pdf" else "zip"
    filename = f"chung-nhan-{bundle.school_class.name}.{extension}".replace(" ", "-")
    return FileResponse(
        bundle.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf" if extension == "pdf" else "application/zip",
    )
