"""A per-address limit on certificate lookups, kept in the Django cache.

Codes are unguessable (about 59 bits), but the verification page is public, so
lookups are limited per address: 30 in 10 minutes by default
(``CERTIFICATE_VERIFY_RATE``). A school's shared address checks a whole class's
certificates well within that. The cache is Redis in production, so the count
is shared by every worker.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

DEFAULT_RATE = (30, 10 * 60)


def verification_allowed(request) -> bool:
    """Count one lookup from the request's address; False once over the limit."""
    limit, window = getattr(settings, "CERTIFICATE_VERIFY_RATE", DEFAULT_RATE)
    address = get_client_ip_address(request) or "unknown"
    key = f"certificate-verify:{address}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
