"""A parent signs up, or links another child, with the code on a consent slip.

Guessing a code is slowed like guessing a password, by django-axes through the
sign-in throttle (``lms.accounts.lockout``): each code that opens no slip is a
failed sign-in counted under a bucket of the address (``slip_bucket``), so after
``LOGIN_FAILURES_PER_USERNAME`` wrong codes from one address within the cool-off
the form is paused there, and the failures count toward the address's own limit
too. A paused form checks no code at all, right or wrong.
"""

from __future__ import annotations

import math
from http import HTTPStatus

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from common.errors import DomainError
from lms.models import Role
from lms.people import parents as parent_services
from lms.people.selectors import user_has_role

# A bucket can never be someone's username: usernames have no colon.
SLIP_BUCKET_PREFIX = "consent-slip:"
BACKEND = "lms.accounts.backends.PasswordBackend"


def slip_bucket(request) -> str:
    """Return the name the wrong slip codes typed from this address count under."""
    AxesProxyHandler.update_request(request)
    return SLIP_BUCKET_PREFIX + str(request.axes_ip_address or "")


def _credentials(request) -> dict:
    return {"username": slip_bucket(request)}


def slip_tries_allowed(request) -> bool:
    return AxesProxyHandler.is_allowed(request, _credentials(request))


def slip_try_failed(request) -> None:
    """Count a code that opened no slip as a failed sign-in (axes)."""
    user_login_failed.send(
        sender=__name__, credentials=_credentials(request), request=request
    )


class SlipCodeField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=gettext_lazy("Code on the consent slip"),
            help_text=gettext_lazy("10 letters and digits, like K7MXR-T9ACD."),
            max_length=24,
            widget=forms.TextInput(
                attrs={"autocomplete": "off", "autocapitalize": "characters"}
            ),
            **kwargs,
        )


class ParentSignUpForm(forms.Form):
    code = SlipCodeField()
    display_name = forms.CharField(
        label=gettext_lazy("Your name"),
        help_text=gettext_lazy("How the school will see you, e.g. Nguyễn Thị Hoa."),
        max_length=120,
        required=False,
    )
    username = forms.CharField(
        label=gettext_lazy("Choose a username"),
        help_text=gettext_lazy("Letters and digits, no spaces. You sign in with it."),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        help_text=gettext_lazy(
            "At least 8 characters. Leave it empty and we will make one for you."
        ),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number (if you want)"),
        help_text=gettext_lazy(
            "Only so the school can call you about your child. You do not have to "
            "give it."
        ),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class LinkChildForm(forms.Form):
    code = SlipCodeField()


def _paused(request):
    """Say kindly that codes cannot be tried from here for a while (429)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "lms/parents/slip_paused.html",
        {"minutes": minutes},
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )


@never_cache
def parent_sign_up(request):
    """Sign up as a parent with the slip's code; a made password is shown once."""
    if request.user.is_authenticated:
        if user_has_role(request.user, Role.PARENT):
            return redirect("lms:parent_home")
        raise Http404
    form = ParentSignUpForm(request.POST or None)
    if request.method == "POST":
        if not slip_tries_allowed(request):
            return _paused(request)
        if form.is_valid():
            try:
                result = parent_services.parent_sign_up(**form.cleaned_data)
            except DomainError as error:
                if error.code == "slip_code_invalid":
                    slip_try_failed(request)
                    if getattr(request, "axes_locked_out", False):
                        return _paused(request)
                form.add_error(None, error.message)
            else:
                login(request, result.parent, backend=BACKEND)
                return render(
                    request,
                    "lms/parents/welcome.html",
                    {
                        "parent": result.parent,
                        "child": result.link.pupil,
                        "generated_password": result.generated_password,
                    },
                )
    return render(request, "lms/parents/sign_up.html", {"form": form})


@never_cache
@login_required
def parent_add_child(request):
    """A signed-in parent links another child with that child's slip."""
    if not user_has_role(request.user, Role.PARENT):
        raise Http404
    form = LinkChildForm(request.POST or None)
    if request.method == "POST":
        if not slip_tries_allowed(request):
            return _paused(request)
        if form.is_valid():
            try:
                link = parent_services.parent_link_child(
                    parent=request.user, code=form.cleaned_data["code"]
                )
            except DomainError as error:
                if error.code == "slip_code_invalid":
                    slip_try_failed(request)
                    if getattr(request, "axes_locked_out", False):
                        return _paused(request)
                form.add_error(None, error.message)
            else:
                return redirect("lms:parent_child", pupil_id=link.pupil_id)
    return render(request, "lms/parents/add_child.html", {"form": form})
