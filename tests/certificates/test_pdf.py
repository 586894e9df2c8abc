"""The PDF: name with every diacritic, the code, the QR code to the check page."""

import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from certificates.models import Certificate, RuleKind
from certificates.pdf import certificate_pdf, certificate_qr_png, verification_url
from common.site import site_url
from tests.certificates.helpers import PUPIL_NAME, demo_like_pupil, only_rules
from tests.lms.learning_helpers import learning_module, take_quiz

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_is_one_landscape_page_with_name_code_and_words(certificate):
    pdf = certificate_pdf(certificate)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape
    text = pdf_text(pdf)
    assert PUPIL_NAME in text
    assert certificate.display_code in text
    assert "Bí mật của em" in text
    assert "Trường Tiểu học Kim Đồng" in text
    assert "Sở Giáo dục và Đào tạo tỉnh Tây Ninh" in text


def test_the_pdf_embeds_roboto(certificate):
    reader = PdfReader(io.BytesIO(certificate_pdf(certificate)))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Roboto" in font for font in fonts)


def test_the_qr_code_decodes_to_the_verification_url(certificate, settings):
    png = certificate_qr_png(certificate)
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [result.text for result in results] == [verification_url(certificate)]
    assert verification_url(certificate) == (
        site_url() + f"/chung-nhan/kiem-tra/{certificate.code}/"
    )


def test_an_english_learner_gets_an_english_certificate():
    only_rules(RuleKind.MODULE_PASSED)
    pupil = demo_like_pupil(preferred_language="en")
    take_quiz(pupil, learning_module(title="Bí mật của em"))
    text = pdf_text(certificate_pdf(Certificate.objects.get(user=pupil)))
    assert "CERTIFICATE" in text
    assert PUPIL_NAME in text


def test_a_vietnamese_certificate_is_in_vietnamese(certificate):
    from django.utils import translation

    with translation.override("vi"):
        from django.utils.translation import gettext

        title = gettext("CERTIFICATE OF ACHIEVEMENT")
    assert title in pdf_text(certificate_pdf(certificate))
