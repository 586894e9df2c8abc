"""Sign-in hardening: idle session expiry, two-factor sign-in (TOTP), and the
forced change of a one-time password.

Two-factor sign-in is required of province officers and platform administrators
(they reach every school of a province, or the whole platform) and optional for
other staff; whoever has set it up must use it. Pupils never use it: a child
signs in with a login card. Until a person who must verify has done so, every
page redirects to the set-up or verification page (except signing out, the
language switch and static files), so the Wagtail and Django admins are covered
too.

Whether a session may open anything is decided in ONE place,
``second_factor_owed(user, session)``, which reads the session's verified device
the way django-otp's ``OTPMiddleware`` does. Three doors use it: the page
middleware (``TwoFactorRequiredMiddleware``), the API's authentication classes
(``SecondFactorSessionAuthentication``, ``SecondFactorTokenAuthentication``) and
the websocket middleware around every websocket route
(``SecondFactorWebsocketMiddleware``, applied in ``config/routing.py``), so a
consumer added later is covered without doing anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from channels.db import database_sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.models import Device
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from common.middleware import is_api_request
from lms.models import Role, User
from lms.people.selectors import token_with_anchors, user_has_role, user_roles

logger = logging.getLogger(__name__)

TWO_FACTOR_REQUIRED_ROLES = (Role.PROVINCE_OFFICER, Role.PLATFORM_ADMIN)
# The close code of a websocket refused before it opened (as the consumers' 4403).
WEBSOCKET_CLOSE_FORBIDDEN = 4403


def two_factor_required(user: User) -> bool:
    """Return whether ``user`` must sign in with a second factor."""
    return user.is_superuser or user_has_role(user, *TWO_FACTOR_REQUIRED_ROLES)


def is_pupil_only(user: User) -> bool:
    return user_roles(user) == {Role.PUPIL}


def session_verified_device(user: User, session: Mapping | None) -> Device | None:
    """Return the confirmed device of ``user`` that verified ``session``, or None.

    django-otp's ``django_otp.login`` stores the device's persistent id in the
    session under ``DEVICE_ID_SESSION_KEY``; ``OTPMiddleware`` accepts it only if
    the device exists, is confirmed and belongs to the session's user. The same
    rules here, for connections that do not pass through that middleware
    (websockets) as well as for those that do.
    """
    if session is None:
        return None
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id or not isinstance(persistent_id, str):
        return None
    if persistent_id.count(".") > 1:  # a legacy full import path, as django-otp
        parts = persistent_id.split(".")
        persistent_id = ".".join((parts[-3], parts[-1]))
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def second_factor_owed(user, session: Mapping | None) -> bool:
    """Return whether ``user``, on ``session``, still owes their second factor.

    The one rule for pages, the API and websockets. ``session`` is the session
    the request or socket came with, or None for a credential that carries no
    session (an API token), which can never have been verified. Anonymous
    visitors and pupils owe nothing; anyone who has a confirmed device, or whose
    roles require one (``two_factor_required``), owes it until the session holds
    a verification by one of their own confirmed devices.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_pupil_only(user):
        return False
    if session_verified_device(user, session) is not None:
        return False
    return two_factor_required(user) or user_has_device(user, confirmed=True)


# An active session's expiry is renewed at most this often: each renewal saves
# the session (a write to Redis or the database), and a pupil reading a lesson
# makes a request every few seconds.
IDLE_RENEW_SECONDS = 60
_RENEWED_AT = "_idle_renewed_at"


class SessionIdleExpiryMiddleware:
    """End a session after a period without requests, shorter for pupils.

    Renewing the expiry as people use the site makes it slide, so only real
    inactivity ends it. The session is saved with its new expiry at most once
    a minute (``IDLE_RENEW_SECONDS``): it ends between the idle period and a
    minute less after the last request.
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
            session = request.session
            now = int(time.time())
            renewed_at = session.get(_RENEWED_AT)
            if (
                session.get_expiry_age() != seconds
                or not isinstance(renewed_at, int)
                or not 0 <= now - renewed_at < IDLE_RENEW_SECONDS
            ):
                session.set_expiry(seconds)
                session[_RENEWED_AT] = now
        return self.get_response(request)


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("lms:two_factor_setup"),
        reverse("lms:two_factor_verify"),
        reverse("lms:logout"),
        "/i18n/",
        settings.STATIC_URL,
        "/healthz",
        # The API answers for itself, in JSON (SecondFactorSessionAuthentication).
        "/api/",
    )


class TwoFactorRequiredMiddleware:
    """Send people who must verify a second factor to do so before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not request.path.startswith(_exempt_paths()) and second_factor_owed(
            user, request.session
        ):
            if user_has_device(user, confirmed=True):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('lms:two_factor_verify')}?{query}")
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
            if is_api_request(request):
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


def _second_factor_refusal() -> AuthenticationFailed:
    return AuthenticationFailed(
        _(
            "This account needs two-step sign-in. Finish it on the website "
            "first, then try again."
        ),
        code="second_factor_required",
    )


class SecondFactorSessionAuthentication(SessionAuthentication):
    """DRF's session sign-in, refused while the session owes its second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and second_factor_owed(
            result[0], getattr(request, "session", None)
        ):
            raise _second_factor_refusal()
        return result


class SecondFactorTokenAuthentication(TokenAuthentication):
    """API tokens, refused for accounts that must use a second factor.

    The two-factor middleware sees only session sign-ins; a token is read later
    by DRF, so without this a province officer's or administrator's token would
    skip the second factor. A token carries no session, so it can never have
    been verified: accounts that owe a second factor use the API through a
    verified session.
    """

    def authenticate_credentials(self, key):
        # DRF's lookup (the token with its user), the user's roles in the same
        # query: the answer path asks for them on every answer.
        token = token_with_anchors(key)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        user = token.user
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if second_factor_owed(user, None):
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


@database_sync_to_async
def _socket_refusal(scope) -> str:
    """Why this socket's session may not open a websocket yet ("" if it may)."""
    user = scope.get("user")
    if second_factor_owed(user, scope.get("session")):
        return "second factor owed"
    if getattr(user, "is_authenticated", False) and user.must_change_password:
        return "one-time password not changed"
    return ""


class SecondFactorWebsocketMiddleware:
    """Refuse every websocket of a session that may not open pages yet: one that
    still owes its second factor, or still holds a one-time password.

    ASGI middleware around the whole websocket router (``config/routing.py``),
    inside Channels' ``AuthMiddlewareStack`` (which puts the session and the
    user in the scope). A refused socket is closed with 4403 before it is
    accepted, so no consumer runs at all.
    """

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        refusal = await _socket_refusal(scope) if scope["type"] == "websocket" else ""
        if refusal:
            logger.info(
                "websocket refused: %s (user %s, path %s)",
                refusal,
                getattr(scope.get("user"), "pk", None),
                scope.get("path"),
            )
            message = await receive()
            if message.get("type") == "websocket.connect":
                await send(
                    {"type": "websocket.close", "code": WEBSOCKET_CLOSE_FORBIDDEN}
                )
            return None
        return await self.inner(scope, receive, send)
