"""Recovery codes: a province officer who loses their phone can still sign in.

Right after the authenticator app is set up, ten one-time codes are shown once;
each opens one sign-in in place of the 6-digit code, then is gone; new ones can
be made (the old ones stop working)."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.accounts.recovery import RECOVERY_CODE_COUNT, recovery_codes_new
from lms.models import AuditEntry, Role
from tests.factories import UnitFactory, login_verified, make_staff, make_totp_device

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<li><code>([a-z2-7]{8})</code></li>")


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


@pytest.fixture
def officer():
    return make_staff(Role.PROVINCE_OFFICER, unit=UnitFactory())


def test_setting_up_the_app_shows_ten_codes_once(client, officer):
    client.force_login(officer)
    client.get(reverse("lms:two_factor_setup"))
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(
        reverse("lms:two_factor_setup"), {"token": current_code(device)}
    )
    assert response.status_code == 200
    codes = CODE.findall(response.content.decode())
    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    # Shown once: the page about them later says how many are left, not which.
    later = client.get(reverse("lms:recovery_codes")).content.decode()
    assert not CODE.findall(later)
    assert "10" in later


def test_a_recovery_code_opens_one_sign_in_then_is_used_up(client, officer):
    make_totp_device(officer)
    client.force_login(officer)
    codes = recovery_codes_new(user=officer)
    typed = f" {codes[0][:4].upper()}-{codes[0][4:]} "  # as read off paper
    response = client.post(
        reverse("lms:two_factor_verify"), {"token": typed, "next": reverse("lms:home")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("lms:home")
    assert client.get(reverse("lms:home")).status_code == 200
    assert AuditEntry.objects.filter(action="two_factor.recovery_code_used").exists()

    client.logout()
    client.force_login(officer)
    again = client.post(reverse("lms:two_factor_verify"), {"token": codes[0]})
    assert again.status_code == 200  # the same code does not work twice
    assert client.get(reverse("lms:home")).status_code == 302


def test_new_codes_replace_the_old_ones(client, officer):
    login_verified(client, officer)
    first = CODE.findall(client.post(reverse("lms:recovery_codes")).content.decode())
    second = CODE.findall(client.post(reverse("lms:recovery_codes")).content.decode())
    assert len(first) == len(second) == 10
    assert not set(first) & set(second)
    tokens = set(
        StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)
    )
    assert tokens == set(second)


def test_the_verify_page_says_a_recovery_code_works_there(client, officer):
    make_totp_device(officer)
    client.force_login(officer)
    page = client.get(reverse("lms:two_factor_verify")).content.decode()
    assert "mã dự phòng" in page
