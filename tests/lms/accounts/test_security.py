"""Sign-in hardening: two-factor, session expiry, CSP, passwords, deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.errors import LmsError
from lms.models import Role
from lms.people.services import staff_create
from tests.factories import (
    SchoolClassFactory,
    UnitFactory,
    login_verified,
    make_pupil,
    make_staff,
    make_teacher,
    make_totp_device,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


# --- Two-factor sign-in ----------


def test_province_officer_is_sent_to_set_up_two_factor(client, settings):
    # A wrong code makes django-otp pause further tries; the test does not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    officer = make_staff(Role.PROVINCE_OFFICER, unit=UnitFactory())
    client.force_login(officer)
    for url in (reverse("lms:home"), reverse("lms:help_counts"), "/cms/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("lms:two_factor_setup")

    setup = client.get(reverse("lms:two_factor_setup"))
    assert setup.status_code == 200
    assert "data:image/svg+xml" in setup.content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    wrong = client.post(reverse("lms:two_factor_setup"), {"token": "000000"})
    assert wrong.status_code == 200
    client.post(reverse("lms:two_factor_setup"), {"token": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("lms:home")).status_code == 200


def test_officer_with_a_device_must_verify_on_each_sign_in(client):
    officer = make_staff(Role.PROVINCE_OFFICER, unit=UnitFactory())
    device = make_totp_device(officer)
    client.force_login(officer)
    response = client.get(reverse("lms:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("lms:two_factor_verify"))
    verify = client.post(
        reverse("lms:two_factor_verify"),
        {"token": current_code(device), "next": reverse("lms:home")},
    )
    assert verify["Location"] == reverse("lms:home")
    assert client.get(reverse("lms:home")).status_code == 200


def test_verify_refuses_an_outside_next_url(client):
    officer = make_staff(Role.PROVINCE_OFFICER, unit=UnitFactory())
    device = make_totp_device(officer)
    client.force_login(officer)
    response = client.post(
        reverse("lms:two_factor_verify"),
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("lms:home")


def test_platform_admin_needs_two_factor_for_the_django_admin(client):
    admin = make_staff(Role.PLATFORM_ADMIN)
    client.force_login(admin)
    assert client.get("/django-admin/").status_code == 302
    login_verified(client, admin)
    assert client.get(reverse("lms:home")).status_code == 200


def test_two_factor_is_optional_for_a_teacher(client):
    teacher = make_teacher(SchoolClassFactory())
    client.force_login(teacher)
    assert client.get(reverse("lms:home")).status_code == 200
    assert client.get(reverse("lms:two_factor_setup")).status_code == 200


def test_a_teacher_who_turned_it_on_must_use_it(client):
    teacher = make_teacher(SchoolClassFactory())
    make_totp_device(teacher)
    client.force_login(teacher)
    assert client.get(reverse("lms:home")).status_code == 302


def test_pupils_never_see_two_factor(client):
    pupil = make_pupil(SchoolClassFactory())
    client.force_login(pupil)
    assert client.get(reverse("lms:home")).status_code == 200
    assert client.get(reverse("lms:two_factor_setup")).status_code == 404


# --- Sessions ----------


def test_sessions_expire_sooner_for_pupils(client, settings):
    pupil = make_pupil(SchoolClassFactory())
    client.force_login(pupil)
    client.get(reverse("lms:home"))
    assert client.session.get_expiry_age() == settings.PUPIL_SESSION_IDLE_SECONDS
    teacher = make_teacher(SchoolClassFactory())
    client.force_login(teacher)
    client.get(reverse("lms:home"))
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_SECONDS
    assert settings.PUPIL_SESSION_IDLE_SECONDS < settings.STAFF_SESSION_IDLE_SECONDS


def test_an_active_session_is_saved_with_its_new_expiry_at_most_once_a_minute(
    client, monkeypatch
):
    """A pupil reading a lesson requests a page every few seconds; the session's
    expiry still slides, but it is written again only once a minute."""
    from lms.accounts import security

    clock = [1_800_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    client.force_login(make_pupil(SchoolClassFactory()))
    renewals = []
    for seconds_later in (0, 20, 59, 61, 90, 125):
        clock[0] = 1_800_000_000.0 + seconds_later
        client.get(reverse("lms:home"))
        renewals.append(client.session["_idle_renewed_at"] - 1_800_000_000)
    assert renewals == [0, 0, 0, 61, 61, 125]
    assert client.session.get_expiry_age() == settings.PUPIL_SESSION_IDLE_SECONDS
    clock[0] -= 3600  # a clock set back renews at once rather than never
    client.get(reverse("lms:home"))
    assert client.session["_idle_renewed_at"] == int(clock[0])


# --- Passwords ----------


def test_staff_accounts_need_a_strong_password():
    with pytest.raises(LmsError):
        staff_create(username="co.hoa", password="123456", display_name="Cô Hoa")
    user = staff_create(
        username="co.hoa", password="Rừng-dừa-Bến-Tre-2026", display_name="Cô Hoa"
    )
    assert user.check_password("Rừng-dừa-Bến-Tre-2026")


def test_staff_password_change_goes_through_the_validators(client):
    teacher = make_teacher(SchoolClassFactory())
    client.force_login(teacher)
    url = reverse("lms:password_change")
    weak = client.post(
        url,
        {
            "old_password": "mat-khau-Dai-123",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert weak.status_code == 200
    teacher.refresh_from_db()
    assert teacher.check_password("mat-khau-Dai-123")
    strong = client.post(
        url,
        {
            "old_password": "mat-khau-Dai-123",
            "new_password1": "Sông-Vàm-Cỏ-Đông-9",
            "new_password2": "Sông-Vàm-Cỏ-Đông-9",
        },
    )
    assert strong.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("Sông-Vàm-Cỏ-Đông-9")


def test_pupils_cannot_change_their_card_password(client):
    client.force_login(make_pupil(SchoolClassFactory()))
    assert client.get(reverse("lms:password_change")).status_code == 404


# --- Content Security Policy ----------


def test_csp_header_on_product_pages(client):
    response = client.get(reverse("lms:help"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_cms_admin_is_left_out_of_the_strict_policy(client):
    editor = make_staff(Role.CONTENT_EDITOR)
    client.force_login(editor)
    response = client.get("/cms/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    # Wagtail's admin runs inline scripts; they still reach the browser.
    assert "<script" in response.content.decode()


# --- Deployment check ----------


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_api_token_cannot_skip_two_step_sign_in():
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    officer = make_staff(Role.PROVINCE_OFFICER, unit=UnitFactory())
    teacher = make_teacher(SchoolClassFactory())
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer)}")
    refused = api.get("/api/me/")
    assert refused.status_code in (401, 403)
    assert "đăng nhập hai bước" in refused.json()["detail"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=teacher)}")
    assert api.get("/api/me/").json()["roles"] == ["teacher"]


def test_a_wrong_or_retired_api_token_is_refused_in_the_users_language():
    """The token is read with its user and roles in one query; what DRF refused
    before is refused still, with a message in Vietnamese."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    teacher = make_teacher(SchoolClassFactory())
    token = Token.objects.create(user=teacher)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    wrong = api.get("/api/me/")
    assert wrong.status_code in (401, 403)
    assert wrong.json()["detail"] == "Mã truy cập không hợp lệ."
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    retired = api.get("/api/me/")
    assert retired.status_code in (401, 403)
    assert retired.json()["detail"] == "Tài khoản đã bị khóa hoặc xóa."
