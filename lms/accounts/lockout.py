"""Sign-in throttling: slow guessing without locking a school out.

A whole school usually reaches the platform through one NAT address. One pupil (or
one script) behind that address must not be able to stop the other children from
signing in, yet guessing must stay slow. The rules, each over the last
``AXES_COOLOFF_TIME`` (15 minutes):

* **A username at an address** pauses after ``LOGIN_FAILURES_PER_USERNAME`` (5)
  wrong passwords from that address: someone guessing a classmate's password gets
  five tries, and the classmate can still sign in from home.
* **A username anywhere** pauses after ``LOGIN_FAILURES_PER_USERNAME_ANYWHERE``
  (20) wrong passwords from all addresses together: guessing one account from
  many addresses stays slow.
* **An address** pauses after ``LOGIN_FAILURES_PER_ADDRESS`` (200) failures, but
  only for sign-ins that cannot be a pupil of that school: usernames that belong
  to no active account, and login-card keys that open no card. A correct
  username keeps its own counts above, and a valid card always opens: card keys
  are random 128-bit values, so nobody finds one by guessing, and letting a valid
  one through tells a guesser nothing. So one script spraying made-up usernames
  or keys is refused after 200 tries, while the forty children behind the same
  address still sign in with their passwords and their cards.

django-axes does the work: it records every failure (one row per username, address
and browser), filters them by each lockout parameter
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username",
"ip_address"]``), refuses a locked request in its authentication backend, and turns
the lockout into a response in its middleware. What axes cannot do is give each
parameter its own limit: it compares one number, ``get_failures()``, with one
limit, ``AXES_FAILURE_LIMIT``. ``LoginThrottleHandler`` therefore changes only the
count it hands axes (see ``get_failures``) and what a successful sign-in forgets
(see ``reset_user_attempts``); everything else is axes' own.

A login card's QR code signs in through ``authenticate(request, card_key=...)``
(``lms.accounts.backends.LoginCardBackend``), with no username. Its failures are
counted under the key's own bucket instead of a username (``client_username``,
axes' ``AXES_USERNAME_CALLABLE``): one child re-scanning an old card pauses that
card, not the whole school.

Usernames reach axes bounded: ``client_username`` cuts them to
``USERNAME_MAX_LENGTH`` characters and drops NUL bytes, so an over-long or
malformed username is refused by the form, never written into axes' 255-character
column.
"""

from __future__ import annotations

import math
from http import HTTPStatus

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lms.accounts.card_keys import card_key_hash, pupil_for_login_card_on
from lms.models import User

USERNAME = "username"
ADDRESS = "ip_address"
USERNAME_AT_ADDRESS = "username+ip_address"
# Django's own username length; the sign-in form refuses longer ones.
USERNAME_MAX_LENGTH = 150
# The credential ``LoginCardBackend`` takes, as ``authenticate`` passes it on.
CARD_KEY = "card_key"
# A bucket can never be someone's username: usernames have no colon.
CARD_BUCKET_PREFIX = "login-card:"
# What ``django.contrib.auth.authenticate`` puts in place of a credential whose name
# sounds secret ("key", "password", ...) before it sends ``user_login_failed``.
CLEANSED_CREDENTIAL = "********************"
_CARD_BUCKET_ATTRIBUTE = "login_card_bucket"
_CARD_VALID_ATTRIBUTE = "login_card_valid"


def bounded_username(username) -> str | None:
    """Return ``username`` as axes may store it: a string, no NUL, 150 at most."""
    if username is None:
        return None
    return str(username).replace("\x00", "")[:USERNAME_MAX_LENGTH]


def login_card_bucket(card_key: str) -> str:
    """Return the name a card key's failures are counted under (never the key)."""
    return CARD_BUCKET_PREFIX + card_key_hash(card_key)[:12]


def client_username(request: HttpRequest, credentials: dict | None = None):
    """Return the username axes counts a sign-in under (``AXES_USERNAME_CALLABLE``).

    A password sign-in is counted under its username, read as axes itself would.
    A card sign-in is counted under ``login_card_bucket(key)``. Axes asks twice in
    one sign-in: its backend first, with the key itself, then its
    ``user_login_failed`` receiver and lockout page, which get the credentials as
    ``authenticate`` cleansed them (the key replaced by asterisks). The bucket
    found the first time is kept on the request for those.
    """
    if credentials and CARD_KEY in credentials:
        card_key = credentials[CARD_KEY]
        remembered = getattr(request, _CARD_BUCKET_ATTRIBUTE, None)
        if card_key == CLEANSED_CREDENTIAL and remembered is not None:
            return remembered
        bucket = login_card_bucket(str(card_key or ""))
        setattr(request, _CARD_BUCKET_ATTRIBUTE, bucket)
        return bucket
    if credentials:
        return bounded_username(credentials.get(settings.AXES_USERNAME_FORM_FIELD))
    data = getattr(request, "data", request.POST)
    return bounded_username(data.get(settings.AXES_USERNAME_FORM_FIELD))


def _card_key_opens_a_card(request: HttpRequest, card_key) -> bool:
    """Say whether a card sign-in's key opens a card (remembered on the request).

    The cleansed copy axes gets after a failure stands for a key that failed.
    """
    if card_key == CLEANSED_CREDENTIAL:
        return bool(getattr(request, _CARD_VALID_ATTRIBUTE, False))
    valid = pupil_for_login_card_on(request, card_key=str(card_key or "")) is not None
    setattr(request, _CARD_VALID_ATTRIBUTE, valid)
    return valid


def address_limit_applies(request: HttpRequest, credentials: dict | None) -> bool:
    """Say whether the address's limit counts for this sign-in.

    It does for a username that belongs to no active account and for a card key
    that opens no card; a real username is held by its own limits, and a valid
    card always opens (see the module's notes).
    """
    if credentials and CARD_KEY in credentials:
        return not _card_key_opens_a_card(request, credentials[CARD_KEY])
    username = client_username(request, credentials)
    if not username:
        return True
    return not User._default_manager.filter(
        **{User.USERNAME_FIELD: username, "is_active": True}
    ).exists()


def failures_per_username(request: HttpRequest | None = None, credentials=None) -> int:
    """Return the per-username limit; axes reads it as ``AXES_FAILURE_LIMIT``."""
    return settings.LOGIN_FAILURES_PER_USERNAME


def failures_per_username_anywhere() -> int:
    return settings.LOGIN_FAILURES_PER_USERNAME_ANYWHERE


def failures_per_address() -> int:
    return settings.LOGIN_FAILURES_PER_ADDRESS


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter."""

    def failures_by_parameter(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> dict[str, int]:
        """Return the recent failures of this request's username and of its address."""
        parameters = get_lockout_parameters(request, credentials)
        attempts_per_parameter = self.get_user_attempts(request, credentials)
        counts = {}
        for parameter, attempts in zip(parameters, attempts_per_parameter, strict=True):
            key = parameter if isinstance(parameter, str) else "+".join(parameter)
            total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
            counts[key] = total or 0
        return counts

    def get_failures(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> int:
        """Return the failures axes compares with the per-username limit.

        Axes locks when ``get_failures() >= AXES_FAILURE_LIMIT``, one number for
        every parameter. The count of the username at this address is used as it
        is. The others are shifted down by the difference between their limit and
        that one, which puts them on its scale: ``failures - (limit - per_username)``
        reaches ``per_username`` exactly when ``failures`` reaches ``limit``. So the
        largest of them is at the limit exactly when any key is at its own, and
        axes' backend, signals, failure log and response all behave as if it knew
        several limits. The address's count is left out when its limit does not
        apply to this sign-in (``address_limit_applies``).
        """
        counts = self.failures_by_parameter(request, credentials)
        base = failures_per_username(request, credentials)
        scores = [
            counts.get(USERNAME_AT_ADDRESS, 0),
            counts.get(USERNAME, 0) - (failures_per_username_anywhere() - base),
        ]
        if address_limit_applies(request, credentials):
            scores.append(counts.get(ADDRESS, 0) - (failures_per_address() - base))
        return max(scores)

    def address_is_locked(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> bool:
        """Say whether the address (rather than the username) reached its limit."""
        counts = self.failures_by_parameter(request, credentials)
        return counts.get(ADDRESS, 0) >= failures_per_address() and (
            address_limit_applies(request, credentials)
        )

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> int:
        """After a successful sign-in, forget that username's failures, nothing more.

        Axes would delete every attempt that matches any lockout parameter, the
        address's included: one pupil signing in would wipe the failures of everyone
        behind the school's address, and whoever is guessing a classmate's password
        could clear the count by signing in to their own account between guesses.
        The address's count drops only by the failures of the username that has now
        proved who it is.
        """
        username = get_client_username(request, credentials)
        if username is None:
            return 0
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """Explain the pause kindly (429): when to try again, and whom to ask.

    Axes' middleware calls this (``AXES_LOCKOUT_CALLABLE``). The credentials are
    taken from the request, where axes stores them, because its asynchronous
    middleware passes its arguments in a different order.
    """
    credentials = getattr(request, "axes_credentials", None)
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    context = {
        "minutes": minutes,
        "address_locked": LoginThrottleHandler().address_is_locked(
            request, credentials
        ),
    }
    return render(
        request,
        "lms/locked_out.html",
        context,
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
