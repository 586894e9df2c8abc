"""Authentication backends of the platform's own (settings.AUTHENTICATION_BACKENDS).

Next to axes' backend (first: it refuses a paused username or address before any
check) and ``PasswordBackend`` (Django's username and password), ``LoginCardBackend``
signs a pupil in with the key in their login card's QR code. Going through
``django.contrib.auth.authenticate`` means a card sign-in is seen like any other:
axes counts a wrong key as a failed sign-in (``lms.accounts.lockout``), and
``user_logged_in`` / ``user_login_failed`` fire with this backend's path.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.http import HttpRequest

from lms.accounts.card_keys import pupil_for_login_card_on
from lms.models import User
from lms.people.selectors import user_with_anchors


class PasswordBackend(ModelBackend):
    """Django's username-and-password sign-in; a session's user read with their roles.

    Signing in is ``ModelBackend``'s own. Reading the signed-in user on each
    request (``get_user``) also reads their role assignments in the same query
    (``lms.people.selectors.user_with_anchors``): every page asks for them.
    """

    def get_user(self, user_id) -> User | None:
        user = user_with_anchors(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class LoginCardBackend(BaseBackend):
    """Sign in the active pupil whose stored card-key hash matches ``card_key``.

    It takes only ``card_key``, so ``authenticate(request, username=...,
    password=...)`` never reaches it; it grants no permissions of its own (those
    come from ``PasswordBackend``, which Django asks for every user).
    """

    def authenticate(
        self, request: HttpRequest | None, *, card_key: str | None = None
    ) -> User | None:
        if card_key is None:
            return None
        return pupil_for_login_card_on(request, card_key=card_key)

    def get_user(self, user_id) -> User | None:
        """Return the signed-in user of a session made by this backend, with roles."""
        user = user_with_anchors(user_id)
        if user is None or not user.is_active:
            return None
        return user
