"""Login-card keys: how they are stored, and whom a key signs in.

The QR code on a pupil's login card carries a random key (``lms.rosters`` makes it
when it makes the card); only its SHA-256 hash is stored
(``User.login_card_key_hash``), so a copy of the database cannot sign anyone in.
Signing in with a key goes through ``django.contrib.auth.authenticate`` and
``lms.accounts.backends.LoginCardBackend``, which asks ``pupil_for_login_card``.
"""

from __future__ import annotations

import hashlib
import hmac

from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from lms.models import Role, RoleAssignment, User

# Where one request remembers whom its card key opened: django-axes' lockout
# check asks before the backend does, and the answer is the same.
_REMEMBERED = "_login_card_pupil"

# Keys are 32 characters (24 random bytes, URL-safe base64); anything much longer
# is not a key and is not worth hashing.
CARD_KEY_MAX_LENGTH = 200


def card_key_hash(card_key: str) -> str:
    """Return the stored form of a login card's key (SHA-256, hex)."""
    return hashlib.sha256(card_key.encode()).hexdigest()


def pupil_for_login_card(*, card_key: str) -> User | None:
    """Return the active pupil whose login card carries ``card_key``, or None.

    This is the one read of a pupil that no selector scopes: the key itself is the
    credential. Staff accounts never sign in by card, even if a key were set.
    """
    if not card_key or len(card_key) > CARD_KEY_MAX_LENGTH:
        return None
    digest = card_key_hash(card_key)
    is_pupil = RoleAssignment.objects.filter(user=OuterRef("pk"), role=Role.PUPIL)
    user = User.objects.filter(
        Exists(is_pupil), login_card_key_hash=digest, is_active=True
    ).first()
    if user is None or not hmac.compare_digest(user.login_card_key_hash, digest):
        return None
    return user


def pupil_for_login_card_on(
    request: HttpRequest | None, *, card_key: str
) -> User | None:
    """``pupil_for_login_card``, read once per request whoever asks."""
    remembered = getattr(request, _REMEMBERED, None)
    if remembered is not None and remembered[0] == card_key:
        return remembered[1]
    pupil = pupil_for_login_card(card_key=card_key)
    if request is not None:
        setattr(request, _REMEMBERED, (card_key, pupil))
    return pupil
