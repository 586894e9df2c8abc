"""Two-factor sign-in pages and the staff password change.

Set-up shows a QR code (segno, as an inline data URI, so the strict Content
Security Policy allows it) and the key in letters for apps that cannot scan.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.accounts.security import is_pupil_only, two_factor_required
from lms.people.audit import audit_record


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse_lazy("lms:home")


@login_required
def two_factor_setup(request):
    """Add an authenticator app: scan, type one code, done."""
    user = request.user
    if is_pupil_only(user):
        raise Http404
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=_("Authenticator app"), confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(actor=user, action="two_factor.enable", target=device)
            otp_login(request, device)
            messages.success(request, _("Two-step sign-in is on."))
            return redirect("lms:home")
        form.add_error("token", _("That code did not match. Try the newest one."))
    import segno

    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "lms/security/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5),
            "secret": device.config_url.split("secret=")[1].split("&")[0],
            "required": two_factor_required(user),
        },
    )


@login_required
def two_factor_verify(request):
    """Ask for the code from the authenticator app, once per sign-in."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", _("That code did not match. Try the newest one."))
    return render(
        request,
        "lms/security/two_factor_verify.html",
        {"form": form, "next": _safe_next(request)},
    )


class StaffPasswordChangeView(auth_views.PasswordChangeView):
    """Staff change their own password; the strong-password validators apply.

    Pupils' passwords are set by the school with their login cards, so a pupil
    cannot change it here (a forgotten new password would lock a child out).
    """

    template_name = "lms/security/password_change.html"
    success_url = reverse_lazy("lms:home")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_pupil_only(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)
