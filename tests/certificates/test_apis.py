"""API: my certificates (signed in) and verification (public, limited)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from certificates.services import certificate_revoke
from lms.models import Role
from tests.certificates.helpers import PUPIL_NAME, demo_like_pupil
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_mine_lists_my_certificates_only(certificate):
    client = APIClient()
    client.force_authenticate(certificate.user)
    body = client.get("/api/certificates/mine/").json()
    assert [item["code"] for item in body] == [certificate.display_code]
    assert body[0]["status"] == "valid"
    assert body[0]["download_url"] == f"/chung-nhan/{certificate.pk}/tai-ve/"

    other = demo_like_pupil(username="khac", display_name="Trần Văn Bình")
    client.force_authenticate(other)
    assert client.get("/api/certificates/mine/").json() == []


def test_mine_needs_sign_in():
    assert APIClient().get("/api/certificates/mine/").status_code in (401, 403)


def test_verify_is_public_and_shows_printed_fields(certificate):
    response = APIClient().get(f"/api/certificates/verify/{certificate.code.lower()}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == PUPIL_NAME
    assert body["achievement"] == "Bí mật của em"
    assert body["status"] == "valid" and body["revoked_on"] is None
    assert set(body) == {
        "code",
        "status",
        "name",
        "achievement",
        "issued_on",
        "school",
        "issuer",
        "revoked_on",
        "replaced",
    }
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_verify_shows_revoked(certificate):
    admin = make_staff(Role.SCHOOL_ADMIN, school=certificate.school_class.school)
    certificate_revoke(actor=admin, certificate=certificate, reason="Riêng tư")
    body = APIClient().get(f"/api/certificates/verify/{certificate.code}/").json()
    assert body["status"] == "revoked" and body["revoked_on"]
    assert "Riêng tư" not in str(body)


def test_verify_unknown_and_rate_limited(certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE = (2, 600)
    client = APIClient()
    assert client.get("/api/certificates/verify/ABCDEFGHJKMN/").status_code == 404
    assert (
        client.get(f"/api/certificates/verify/{certificate.code}/").status_code == 200
    )
    limited = client.get(f"/api/certificates/verify/{certificate.code}/")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
