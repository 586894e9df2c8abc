"""Sign-in pages (password, login card), two-factor pages, staff password change.

Both ways of signing in go through ``django.contrib.auth.authenticate``: the
password form through Django's ``LoginView``, the login card's QR code through
``lms.accounts.backends.LoginCardBackend``. So django-axes throttles both
(``lms.accounts.lockout``) and both fire ``user_logged_in`` / ``user_login_failed``.

Two-factor set-up shows a QR code (segno, as an inline data URI, so the strict
Content Security Policy allows it) and the key in letters for apps that cannot scan.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.accounts import recovery
from lms.accounts.security import is_pupil_only, two_factor_required
from lms.people.audit import audit_record


class SignInView(auth_views.LoginView):
    """Sign in with a username and password (pupils read theirs off a login card)."""

    template_name = "lms/login.html"
    redirect_authenticated_user = True


@never_cache
@require_GET
def login_card_sign_in(request, card_key: str):
    """Sign a pupil in from the QR code on their login card.

    A wrong, old or staff key gets the same 404 page, whatever the reason. Each
    failure is a failed sign-in for django-axes like a wrong password, so it counts
    against this address's sign-in limit; the key's own bucket (a hash prefix, never
    the key: ``lockout.client_username``) keeps one child re-scanning an old card
    from pausing the whole school. A username paused after wrong passwords can
    still use its card: the card's 192-bit key is not something a classmate can
    guess.
    """
    pupil = authenticate(request, card_key=card_key)
    if pupil is None:
        if getattr(request, "axes_locked_out", False):
            # Axes' middleware turns this into the usual "wait a few minutes" page.
            return render(request, "lms/login_card_invalid.html", status=429)
        return render(request, "lms/login_card_invalid.html", status=404)
    login(request, pupil)
    return redirect("lms:home")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )


class VerifyTokenForm(forms.Form):
    """The app's 6-digit code, or one of the recovery codes (letters and digits)."""

    token = forms.CharField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        help_text=gettext_lazy(
            "Lost your phone? Type one of your recovery codes here instead."
        ),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}
        ),
    )

    def clean_token(self) -> str:
        return recovery.token_normalize(self.cleaned_data["token"])


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
            # The recovery codes, shown once, in this answer (never stored to show).
            return _recovery_codes_page(
                request, codes=recovery.recovery_codes_new(user=user)
            )
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
    """Ask for the code from the authenticator app (or a recovery code), once per
    sign-in."""
    form = VerifyTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    recovery.recovery_code_used(user=request.user, device=device),
                )
            return redirect(_safe_next(request))
        form.add_error("token", _("That code did not match. Try the newest one."))
    return render(
        request,
        "lms/security/two_factor_verify.html",
        {"form": form, "next": _safe_next(request)},
    )


def _recovery_codes_page(request, *, codes: list[str] | None):
    return render(
        request,
        "lms/security/recovery_codes.html",
        {
            "codes": codes,
            "left": recovery.recovery_codes_left(request.user),
            "has_app": TOTPDevice.objects.filter(
                user=request.user, confirmed=True
            ).exists(),
        },
    )


@login_required
@never_cache
def recovery_codes(request):
    """How many recovery codes are left; make new ones (shown once)."""
    if is_pupil_only(request.user):
        raise Http404
    if request.method == "POST":
        if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect("lms:two_factor_setup")
        return _recovery_codes_page(
            request, codes=recovery.recovery_codes_new(user=request.user)
        )
    return _recovery_codes_page(request, codes=None)


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
        # A one-time password (bulk onboarding) is replaced: the pages open again.
        form.user.must_change_password = False
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)
