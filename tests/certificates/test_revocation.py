"""Revoking and re-issuing: school administrators of the pupil's school, audited."""

import pytest
from django.urls import reverse

from certificates.errors import CertificateError
from certificates.models import Certificate
from certificates.pdf import certificate_filename
from certificates.services import certificate_reissue, certificate_revoke
from common.errors import NotFound
from lms.models import AuditEntry, Role
from tests.certificates.helpers import demo_like_pupil
from tests.factories import SchoolFactory, make_staff, make_teacher

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_admin(certificate):
    return make_staff(Role.SCHOOL_ADMIN, school=certificate.school_class.school)


def test_revocation_needs_a_reason(certificate, school_admin):
    with pytest.raises(CertificateError):
        certificate_revoke(actor=school_admin, certificate=certificate, reason="  ")
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_revocation_is_recorded_and_audited(certificate, school_admin):
    certificate_revoke(actor=school_admin, certificate=certificate, reason="Sai tên")
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert certificate.revocation_reason == "Sai tên"
    entry = AuditEntry.objects.get(action="certificate.revoke")
    assert entry.actor == school_admin
    assert entry.target_id == str(certificate.pk)
    assert "Sai tên" not in str(entry.details)


def test_reissue_gives_a_new_code_and_marks_the_old_one_replaced(
    certificate, school_admin
):
    pupil = certificate.user
    pupil.display_name = "Nguyễn Thị Ánh Tuyết (sửa)"
    pupil.save()

    new = certificate_reissue(
        actor=school_admin, certificate=certificate, reason="Sai chính tả tên"
    )

    certificate.refresh_from_db()
    assert new.code != certificate.code and new.is_valid
    assert new.reissue_of == certificate
    assert new.learner_name == "Nguyễn Thị Ánh Tuyết (sửa)"
    assert certificate.revocation_reason == "re-issued"
    assert not certificate.is_valid
    assert AuditEntry.objects.filter(action="certificate.reissue").exists()


def test_a_foreign_school_admin_cannot_revoke(certificate, client):
    stranger = make_staff(Role.SCHOOL_ADMIN, school=SchoolFactory())
    with pytest.raises(NotFound):
        certificate_revoke(actor=stranger, certificate=certificate, reason="x")
    client.force_login(stranger)
    url = reverse("certificates:revoke", args=[certificate.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_a_teacher_cannot_revoke(certificate, client):
    teacher = make_teacher(certificate.school_class)
    client.force_login(teacher)
    url = reverse("certificates:revoke", args=[certificate.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_the_page_confirms_then_revokes(certificate, school_admin, client):
    client.force_login(school_admin)
    url = reverse("certificates:revoke", args=[certificate.pk])
    page = client.get(url)
    assert page.status_code == 200
    certificate.refresh_from_db()
    assert certificate.is_valid  # looking at the confirm step changes nothing

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    certificate.refresh_from_db()
    assert certificate.is_valid

    done = client.post(url, {"reason": "Phụ huynh yêu cầu"})
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert not certificate.is_valid


def test_reissue_page(certificate, school_admin, client):
    client.force_login(school_admin)
    url = reverse("certificates:reissue", args=[certificate.pk])
    response = client.post(url, {"reason": "Sai tên"})
    assert response.status_code == 302
    assert Certificate.objects.filter(user=certificate.user).count() == 2


def test_the_pupils_list_shows_the_state_and_downloads_only_valid(
    certificate, school_admin, client
):
    pupil = certificate.user
    client.force_login(pupil)
    page = client.get(reverse("certificates:mine")).content.decode()
    assert reverse("certificates:download", args=[certificate.pk]) in page
    download = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="{certificate_filename(certificate)}"'
    )
    assert download.getvalue().startswith(b"%PDF")

    certificate_revoke(actor=school_admin, certificate=certificate, reason="x")
    response = client.get(reverse("certificates:mine"))
    page = response.content.decode()
    assert reverse("certificates:download", args=[certificate.pk]) not in page
    assert response.context["certificates"][0].status == "revoked"
    assert (
        client.get(reverse("certificates:download", args=[certificate.pk])).status_code
        == 404
    )


def test_another_pupil_cannot_download(certificate, client):
    other = demo_like_pupil(username="khac", display_name="Trần Văn Bình")
    client.force_login(other)
    url = reverse("certificates:download", args=[certificate.pk])
    assert client.get(url).status_code == 404
