"""Recovery codes for two-step sign-in: a way in when the phone is lost.

django-otp's static tokens (``django_otp.plugins.otp_static``): one
``StaticDevice`` per person, holding ``RECOVERY_CODE_COUNT`` one-time codes. Each
code is accepted once in place of the authenticator app's 6-digit code (the
verification page asks every device of the person, ``django_otp.match_token``)
and is then gone. The codes are shown once, right after they are made; making new
ones replaces them all. Making and using them is audit-logged.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from lms.models import User
from lms.people.audit import audit_record

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "recovery"


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=DEVICE_NAME).first()


def recovery_codes_left(user: User) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device is not None else 0


@transaction.atomic
def recovery_codes_new(*, user: User) -> list[str]:
    """Make ``RECOVERY_CODE_COUNT`` new codes for ``user``; the old ones stop working.

    Returns the codes to show once; only django-otp's table keeps them after.
    """
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=DEVICE_NAME, defaults={"confirmed": True}
    )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=code) for code in codes]
    )
    audit_record(
        actor=user, action="two_factor.recovery_codes", target=device, details={}
    )
    return codes


def recovery_code_used(*, user: User, device) -> str:
    """Record that a recovery code opened a session; return what to tell the person."""
    audit_record(actor=user, action="two_factor.recovery_code_used", target=device)
    left = device.token_set.count()
    return _(
        "You signed in with a recovery code; %(left)d left. If your phone is lost, "
        "set up the authenticator app again and make new recovery codes."
    ) % {"left": left}


def token_normalize(token: str) -> str:
    """A code as typed from paper: spaces and dashes out, any case."""
    return "".join(token.split()).replace("-", "").lower()
