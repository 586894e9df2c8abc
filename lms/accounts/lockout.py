"""Sign-in throttling: a tight limit per username, a loose one per address.

Someone who types a wrong password five times for one username may be guessing it,
so that username pauses (``LOGIN_FAILURES_PER_USERNAME``). A whole school, though,
usually reaches the platform through one NAT address, and thirty children learning
to type their passwords make many honest mistakes; so an address pauses only after
many more failures (``LOGIN_FAILURES_PER_ADDRESS``), which still stops one machine
from trying passwords against every username.

django-axes does the work: it records every failure (one row per username, address
and browser), counts the failures of each lockout parameter separately
(``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``), refuses a locked request
in its authentication backend, and turns the lockout into a response in its
middleware. What axes cannot do is give each parameter its own limit: it compares
the largest of the counts with one number, ``AXES_FAILURE_LIMIT``.
``LoginThrottleHandler`` therefore changes only the count it hands axes (see
``get_failures``) and what a successful sign-in forgets (see
``reset_user_attempts``); everything else is axes' own.

A login card's QR code signs in through ``authenticate(request, card_key=...)``
(``lms.accounts.backends.LoginCardBackend``), with no username. Its failures count
against the address like any other, and against the key's own bucket instead of a
username (``client_username``, axes' ``AXES_USERNAME_CALLABLE``): one child
re-scanning an old card pauses that card, not the whole school.
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

from lms.accounts.card_keys import card_key_hash

USERNAME = "username"
ADDRESS = "ip_address"
# The credential ``LoginCardBackend`` takes, as ``authenticate`` passes it on.
CARD_KEY = "card_key"
# A bucket can never be someone's username: usernames have no colon.
CARD_BUCKET_PREFIX = "login-card:"
# What ``django.contrib.auth.authenticate`` puts in place of a credential whose name
# sounds secret ("key", "password", ...) before it sends ``user_login_failed``.
CLEANSED_CREDENTIAL = "********************"
_CARD_BUCKET_ATTRIBUTE = "login_card_bucket"


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
        return credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    data = getattr(request, "data", request.POST)
    return data.get(settings.AXES_USERNAME_FORM_FIELD)


def failures_per_username(request: HttpRequest | None = None, credentials=None) -> int:
    """Return the per-username limit; axes reads it as ``AXES_FAILURE_LIMIT``."""
    return settings.LOGIN_FAILURES_PER_USERNAME


def failures_per_address() -> int:
    return settings.LOGIN_FAILURES_PER_ADDRESS


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit for addresses."""

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
        every parameter. The username's count is used as it is. The address's count
        is shifted down by the difference between the two limits, which puts it on
        the username's scale: ``failures - (per_address - per_username)`` reaches
        ``per_username`` exactly when ``failures`` reaches ``per_address``. So the
        larger of the two is at the limit exactly when either key is at its own,
        and axes' backend, signals, failure log and response all behave as if it
        knew two limits.
        """
        counts = self.failures_by_parameter(request, credentials)
        headroom = failures_per_address() - failures_per_username(request, credentials)
        return max(counts.get(USERNAME, 0), counts.get(ADDRESS, 0) - headroom)

    def address_is_locked(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> bool:
        """Say whether the address (rather than the username) reached its limit."""
        counts = self.failures_by_parameter(request, credentials)
        return counts.get(ADDRESS, 0) >= failures_per_address()

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
