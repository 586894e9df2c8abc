"""The signature block of a province's certificates: the place and date, the
signer's title and name, the signature with the seal over it. The province sets it
in the admin; every certificate prints the block it was issued with."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from certificates.models import Certificate, CertificateSignature, RuleKind
from certificates.pdf import certificate_pdf
from lms.models import AuditEntry, Role
from tests.certificates.helpers import PUPIL_NAME, demo_like_pupil, only_rules
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    UnitFactory,
    login_verified,
    make_staff,
)
from tests.lms.learning_helpers import learning_module, take_quiz

pytestmark = pytest.mark.django_db

ADD = "certificate_signatures:add"


def png(colour=(200, 20, 20, 255), size=(240, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, colour).save(out, format="PNG")
    return out.getvalue()


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_images(pdf: bytes) -> int:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    objects = page["/Resources"].get("/XObject", {})
    return sum(1 for x in objects.values() if x.get_object()["/Subtype"] == "/Image")


@pytest.fixture
def province_school():
    province = UnitFactory(name="Tây Ninh", code="TN")
    commune = UnitFactory(parent=province, name="Phường Tân Ninh", code="TN-1")
    return province, SchoolFactory(unit=commune, name="Trường Tiểu học Kim Đồng")


def block_data(province, **overrides) -> dict:
    data = {
        "province": province.pk,
        "issuer": "Sở Giáo dục và Đào tạo tỉnh Tây Ninh",
        "place": "Tây Ninh",
        "signer_title": "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC",
        "signer_title_en": "Deputy Director",
        "signer_name": "Nguyễn Văn Bình",
        "signature_image": SimpleUploadedFile("chu-ky.png", png(), "image/png"),
    }
    data.update(overrides)
    return data


def certificate_at(school) -> Certificate:
    only_rules(RuleKind.MODULE_PASSED)
    pupil = demo_like_pupil(SchoolClassFactory(name="5A", grade=5, school=school))
    take_quiz(pupil, learning_module(title="Bí mật của em"))
    return Certificate.objects.get(user=pupil)


def test_a_province_officer_sets_the_block_and_certificates_print_it(
    client, province_school
):
    province, school = province_school
    officer = make_staff(Role.PROVINCE_OFFICER, unit=province)
    login_verified(client, officer)
    response = client.post(reverse(ADD), block_data(province))
    assert response.status_code == 302, response.context["form"].errors
    block = CertificateSignature.objects.get(province=province)
    assert block.signature_image.name.startswith("certificates/signatures/")
    assert AuditEntry.objects.filter(action="certificate.signature").exists()

    certificate = certificate_at(school)
    pdf = certificate_pdf(certificate)
    text = pdf_text(pdf)
    assert PUPIL_NAME in text
    assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text
    assert "Nguyễn Văn Bình" in text
    assert "Tây Ninh, ngày" in text
    assert pdf_images(pdf) == 1  # the signature with the seal
    # The public check shows who signed, as printed.
    check = client.get(reverse("certificates:verify_code", args=[certificate.code]))
    assert "Nguyễn Văn Bình (KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC)" in check.content.decode()


def test_a_certificate_keeps_the_block_it_was_issued_with(province_school):
    province, school = province_school
    CertificateSignature.objects.create(
        province=province,
        issuer="Sở Giáo dục và Đào tạo tỉnh Tây Ninh",
        place="Tây Ninh",
        signer_title="GIÁM ĐỐC",
        signer_name="Trần Thị Hoa",
    )
    certificate = certificate_at(school)
    CertificateSignature.objects.filter(province=province).update(
        signer_name="Người Kế Nhiệm"
    )
    certificate.refresh_from_db()
    text = pdf_text(certificate_pdf(certificate))
    assert "Trần Thị Hoa" in text and "Người Kế Nhiệm" not in text
    assert "GIÁM ĐỐC" in text


def test_without_a_block_the_certificate_prints_the_issuer_and_no_signature(
    certificate,
):
    pdf = certificate_pdf(certificate)
    assert "Sở Giáo dục và Đào tạo tỉnh Tây Ninh" in pdf_text(pdf)
    assert pdf_images(pdf) == 0


def test_an_officer_cannot_set_or_open_another_provinces_block(client, province_school):
    province, _school = province_school
    foreign = UnitFactory(name="Đồng Nai", code="DN")
    theirs = CertificateSignature.objects.create(
        province=foreign,
        issuer="Sở GD&ĐT Đồng Nai",
        place="Đồng Nai",
        signer_title="GIÁM ĐỐC",
        signer_name="Lê Văn Nam",
    )
    login_verified(client, make_staff(Role.PROVINCE_OFFICER, unit=province))
    response = client.post(reverse(ADD), block_data(foreign))
    assert response.status_code == 200  # the foreign province is not a choice
    assert "province" in response.context["form"].errors
    edit = reverse("certificate_signatures:edit", args=[theirs.pk])
    assert client.get(edit).status_code == 404
    listing = client.get(reverse("certificate_signatures:index")).content.decode()
    assert "Lê Văn Nam" not in listing


def test_a_teacher_has_no_such_screen(client, province_school):
    _province, school = province_school
    client.force_login(make_staff(Role.TEACHER, school=school))
    response = client.get(reverse("certificate_signatures:index"))
    assert response.status_code in (302, 403)


def test_only_a_png_or_jpeg_of_at_most_a_megabyte(client, province_school):
    province, _school = province_school
    login_verified(client, make_staff(Role.PROVINCE_OFFICER, unit=province))
    gif = io.BytesIO()
    Image.new("RGB", (20, 20)).save(gif, format="GIF")
    response = client.post(
        reverse(ADD),
        block_data(
            province,
            signature_image=SimpleUploadedFile("a.gif", gif.getvalue(), "image/gif"),
        ),
    )
    assert "signature_image" in response.context["form"].errors
    assert not CertificateSignature.objects.exists()
