"""A pupil's export lists their certificates; erasure revokes them, drops the name."""

import pytest

from certificates.services import certificates_erase, certificates_export
from lms.safeguarding import data_rights
from tests.certificates.helpers import PUPIL_NAME

pytestmark = pytest.mark.django_db


def test_the_registries_hold_the_certificates_functions():
    assert certificates_export in data_rights.PUPIL_DATA_EXPORTERS
    assert certificates_erase in data_rights.PUPIL_DATA_ERASERS
    assert data_rights.PUPIL_DATA_EXPORTERS.count(certificates_export) == 1


def test_the_export_includes_the_certificates(certificate):
    data = data_rights.pupil_data_export(pupil=certificate.user)
    assert data["certificates"] == [
        {
            "code": certificate.display_code,
            "name": PUPIL_NAME,
            "achievement": "Bí mật của em",
            "achievement_en": "",
            "school": "Trường Tiểu học Kim Đồng",
            "issuer": "Sở Giáo dục và Đào tạo tỉnh Tây Ninh",
            "issued_at": certificate.issued_at.isoformat(),
            "revoked_at": None,
        }
    ]


def test_erasure_revokes_and_removes_the_name(certificate, client):
    data_rights.pupil_erase(
        pupil=certificate.user, actor=None, reason="Phụ huynh yêu cầu"
    )
    certificate.refresh_from_db()
    assert not certificate.is_valid
    assert certificate.learner_name == "" and certificate.school_name == ""
    response = client.get(f"/chung-nhan/kiem-tra/{certificate.code}/")
    assert PUPIL_NAME not in response.content.decode()
    assert response.context["verification"].status == "revoked"
