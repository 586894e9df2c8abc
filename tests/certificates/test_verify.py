"""The public verification page: valid, revoked, unknown, limited, not indexed."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from certificates.services import certificate_revoke
from lms.models import Role
from tests.certificates.helpers import PUPIL_NAME
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_qr_address_shows_the_printed_fields_and_valid(client, certificate):
    response = client.get(f"/chung-nhan/kiem-tra/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        PUPIL_NAME,
        "Bí mật của em",
        "Trường Tiểu học Kim Đồng",
        "Sở Giáo dục và Đào tạo tỉnh Tây Ninh",
        certificate.display_code,
    ):
        assert text in page
    assert response.context["verification"].status == "valid"


def test_codes_are_case_insensitive_and_forgive_spaces_and_dashes(client, certificate):
    typed = " " + certificate.display_code.lower().replace("-", " - ") + " "
    response = client.get(reverse("certificates:verify"), {"code": typed})
    assert response.status_code == 200
    assert response.context["verification"].code == certificate.display_code


def test_after_revocation_the_page_says_revoked_with_date_not_reason(
    client, certificate
):
    admin = make_staff(Role.SCHOOL_ADMIN, school=certificate.school_class.school)
    certificate_revoke(
        actor=admin,
        certificate=certificate,
        reason="Bố mẹ báo sai tên: chuyện gia đình",
    )
    response = client.get(f"/chung-nhan/kiem-tra/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    verification = response.context["verification"]
    assert verification.status == "revoked"
    assert verification.revoked_on == timezone.localdate()
    assert date_format(timezone.localdate(), "DATE_FORMAT") in page
    assert "chuyện gia đình" not in page


def test_the_revocation_date_reads_as_part_of_the_sentence(client, certificate):
    """ "… bị thu hồi vào ngày 07 tháng 12 năm 2026", never "vào Ngày 07"."""
    admin = make_staff(Role.SCHOOL_ADMIN, school=certificate.school_class.school)
    certificate_revoke(actor=admin, certificate=certificate, reason="Sai tên")
    certificate.refresh_from_db()
    revoked_on = timezone.localtime(certificate.revoked_at).date()
    with translation.override("vi"):
        page = client.get(f"/chung-nhan/kiem-tra/{certificate.code}/").content
    expected = (
        f"bị thu hồi vào ngày {revoked_on.day:02d} tháng {revoked_on.month} "
        f"năm {revoked_on.year}"
    )
    assert expected in page.decode()
    assert "Ngày" not in page.decode().split("thu hồi vào", 1)[1][:10]


def test_an_unknown_code_is_a_404_with_a_clear_message(client):
    response = client.get("/chung-nhan/kiem-tra/ABCD-EFGH-JKMN/")
    assert response.status_code == 404
    # "Không tìm thấy giấy chứng nhận với mã này." once the catalogue is merged.
    with translation.override("vi"):
        message = gettext("No certificate was found with this code.")
    assert message in response.content.decode()


def test_lookups_are_rate_limited_per_address(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE = (3, 600)
    for _ in range(3):
        assert (
            client.get(f"/chung-nhan/kiem-tra/{certificate.code}/").status_code == 200
        )
    response = client.get(f"/chung-nhan/kiem-tra/{certificate.code}/")
    assert response.status_code == 429
    assert "verification" not in response.context
    # Another address still gets answers.
    other = client.get(
        f"/chung-nhan/kiem-tra/{certificate.code}/", REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 200


def test_the_page_is_not_indexed(client, certificate):
    for url in ("/chung-nhan/kiem-tra/", f"/chung-nhan/kiem-tra/{certificate.code}/"):
        response = client.get(url)
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex, nofollow">' in (
            response.content.decode()
        )


def test_the_empty_form_needs_no_sign_in_and_counts_nothing(client, settings):
    settings.CERTIFICATE_VERIFY_RATE = (1, 600)
    for _ in range(3):
        assert client.get("/chung-nhan/kiem-tra/").status_code == 200
