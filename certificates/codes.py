"""Verification codes: twelve unguessable characters, typed back forgivingly."""

from __future__ import annotations

import re
import secrets

from certificates.models import CODE_ALPHABET, CODE_LENGTH

# Typed codes arrive in any case, with spaces, dashes or dots.
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def code_generate() -> str:
    """Return a fresh random code (about 59 bits, from ``secrets``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalize(raw: str) -> str:
    """Return ``raw`` as stored: upper case, without spaces, dashes or dots.

    The alphabet has no O, I, L, 0 or 1, so a code containing one of them
    cannot match; they are kept (not guessed at) and the lookup simply fails.
    """
    return _NOT_CODE.sub("", (raw or "").upper())[: CODE_LENGTH * 2]
