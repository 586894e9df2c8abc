"""The generated province's known secrets, computable without Django.

Benchmarks (``bench/capacity.py``, its locustfile) sign generated people in with
these; ``devdata.scale_load`` stores their hashes. Benchmark data only:
``generate_scale`` refuses to run under the production settings.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time

SCALE_CARD_KEY_SALT = b"an-toan-scale-card-key"
# A 20-byte key (hex) for the authenticator app, as django-otp stores it.
SCALE_TOTP_KEY = hashlib.sha256(b"an-toan-scale-officer-totp").hexdigest()[:40]
SCALE_PROVINCE_OFFICER = "scale-so-01"


def scale_card_key(username: str) -> str:
    """Return the login-card key of a generated pupil (32 characters)."""
    digest = hmac.new(SCALE_CARD_KEY_SALT, username.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def scale_totp_code(at: float | None = None) -> str:
    """Return the province officer's six-digit code now (RFC 6238, 30 s steps)."""
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(
        bytes.fromhex(SCALE_TOTP_KEY), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
