"""Sign-in hardening: idle session expiry, two-factor sign-in (TOTP), and the
forced change of a one-time password.

Two-factor sign-in is required of province officers and platform administrators
(they reach every school of a province, or the whole platform) and optional for
other staff; whoever has set it up must use it. Pupils never use it: a child
signs in with a login card. Until a person who must verify has done so, every
page redirects to the set-up or verification page (except signing out, the
language switch and static files), so the Wagtail and Django admins are covered
too.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from lms.models import Role, User
from lms.people.selectors import user_has_role, user_roles

TWO_FACTOR_REQUIRED_ROLES = (Role.PROVINCE_OFFICER, Role.PLATFORM_ADMIN)


def two_factor_required(user: User) -> bool:
    """Return whether ``user`` must sign in with a second factor."""
    return user.is_superuser or user_has_role(user, *TWO_FACTOR_REQUIRED_ROLES)


def is_pupil_only(user: User) -> bool:
    return user_roles(user) == {Role.PUPIL}


class SessionIdleExpiryMiddleware:
    """End a session after a period without requests, shorter for pupils.

    Setting the expiry on every request makes it slide: the session is saved with
    a new expiry each time, so only real inactivity ends it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            seconds = (
                settings.PUPIL_SESSION_IDLE_SECONDS
                if is_pupil_only(user)
                else settings.STAFF_SESSION_IDLE_SECONDS
            )
            request.session.set_expiry(seconds)
        return self.get_response(request)


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("lms:two_factor_setup"),
        reverse("lms:two_factor_verify"),
        reverse("lms:logout"),
        "/i18n/",
        settings.STATIC_URL,
        "/healthz",
    )


class TwoFactorRequiredMiddleware:
    """Send people who must verify a second factor to do so before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not is_pupil_only(user)
            and not user.is_verified()
            and not request.path.startswith(_exempt_paths())
        ):
            if user_has_device(user, confirmed=True):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('lms:two_factor_verify')}?{query}")
            if two_factor_required(user):
                return redirect(reverse("lms:two_factor_setup"))
        return self.get_response(request)


def _password_change_exempt_paths() -> tuple[str, ...]:
    return (
        reverse("lms:password_change"),
        reverse("lms:logout"),
        reverse("lms:two_factor_setup"),
        reverse("lms:two_factor_verify"),
        "/i18n/",
        settings.STATIC_URL,
        "/healthz",
    )


class PasswordChangeRequiredMiddleware:
    """Ask people given a one-time password (bulk onboarding) for their own first.

    Until ``User.must_change_password`` is cleared (the password-change page does
    it), every page redirects there and the API answers 403 with a message. Pupils
    never get the flag: their passwords are set by the school.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(_password_change_exempt_paths())
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _(
                            "Change your one-time password on the website first."
                        ),
                        "code": "password_change_required",
                    },
                    status=403,
                )
            return redirect(reverse("lms:password_change"))
        return self.get_response(request)


class SecondFactorTokenAuthentication(TokenAuthentication):
    """API tokens, refused for accounts that must use a second factor.

    The two-factor middleware sees only session sign-ins; a token is read later
    by DRF, so without this a province officer's or administrator's token would
    skip the second factor. Such accounts use the API through a verified session.
    """

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if two_factor_required(user):
            raise AuthenticationFailed(
                _(
                    "This account needs two-step sign-in, so it cannot use an API "
                    "token. Sign in on the website instead."
                )
            )
        if user.must_change_password:
            # The middleware sees only session sign-ins; tokens are refused here.
            raise PermissionDenied(
                _("Change your one-time password on the website first.")
            )
        return user, token
