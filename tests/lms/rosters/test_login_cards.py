"""Login cards: the PDF carries the names in Vietnamese and a QR code that decodes."""

import io

import pypdf
import pytest
import zxingcpp
from django.utils import translation
from PIL import Image, ImageDraw

from common.pdf import draw_qr
from lms.rosters import login_cards
from lms.rosters.login_cards import (
    login_card_qr,
    login_card_qr_png,
    login_card_url,
    login_cards_pdf,
)
from lms.rosters.pupil_accounts import PupilCredentials
from tests.factories import SchoolClassFactory, SchoolFactory

pytestmark = pytest.mark.django_db

KEY = "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6"


@pytest.fixture
def school_class():
    school = SchoolFactory(name="Trường Tiểu học Nguyễn Bỉnh Khiêm")
    return SchoolClassFactory(school=school, name="2A3")


def credentials(count: int) -> list[PupilCredentials]:
    names = ["Nguyễn Thị Ánh Tuyết", "Đặng Quốc Bảo", "Lò Văn Páo"]
    return [
        PupilCredentials(
            pupil_id=index + 1,
            display_name=names[index % len(names)],
            username=f"hocsinh{index}.test",
            password=f"meovang{index + 20}",
            card_key=f"{KEY}{index}",
        )
        for index in range(count)
    ]


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_the_qr_payload_is_the_absolute_sign_in_address(settings):
    settings.SITE_URL = "https://antoan.example.vn/"
    assert login_card_url(KEY) == f"https://antoan.example.vn/dang-nhap/the/{KEY}/"


def test_the_qr_png_decodes_to_the_sign_in_address(settings):
    settings.SITE_URL = "https://antoan.example.vn"
    image = Image.open(io.BytesIO(login_card_qr_png(KEY)))
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert decoded == [f"https://antoan.example.vn/dang-nhap/the/{KEY}/"]


class RecordingCanvas:
    """Stands in for ReportLab's canvas and keeps the filled squares it is given."""

    def __init__(self):
        self.fill = None
        self.dark = []

    def setFillColor(self, color):  # noqa: N802 (ReportLab's name)
        self.fill = color

    def rect(self, x, y, width, height, stroke=0, fill=1):
        if self.fill == login_cards.black:
            self.dark.append((x, y, width, height))


def test_the_qr_drawn_on_the_card_decodes(settings):
    """Rasterise the vector squares the PDF gets and read them back with zxing."""
    settings.SITE_URL = "https://antoan.example.vn"
    canvas = RecordingCanvas()
    size = 400
    draw_qr(canvas, login_card_qr(KEY), 0, 0, size)
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for x, y, width, height in canvas.dark:
        # PDF y grows upwards, image y downwards.
        draw.rectangle([x, size - y - height, x + width - 1, size - y - 1], fill=0)
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert decoded == [f"https://antoan.example.vn/dang-nhap/the/{KEY}/"]


def test_the_pdf_shows_vietnamese_names_usernames_and_passwords(school_class):
    pdf = login_cards_pdf(school_class=school_class, credentials=credentials(3))
    assert pdf.startswith(b"%PDF")
    (page,) = pdf_text(pdf)
    assert "Nguyễn Thị Ánh Tuyết" in page
    assert "Đặng Quốc Bảo" in page
    assert "Trường Tiểu học Nguyễn Bỉnh Khiêm" in page
    for card in credentials(3):
        assert card.username in page
        assert card.password in page
    assert "111" in page
    # The card speaks to the child as every pupil page does: "em", never "con".
    assert "nếu em cần giúp đỡ" in page


def test_the_pdf_embeds_roboto_so_diacritics_print_anywhere(school_class):
    pdf = login_cards_pdf(school_class=school_class, credentials=credentials(1))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    base_fonts = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert any("Roboto" in name for name in base_fonts)
    for font in fonts.values():
        # Embedded font programs, not references to fonts the printer may lack.
        descriptor = font.get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor


def test_eight_cards_fit_on_a_page(school_class):
    pdf = login_cards_pdf(school_class=school_class, credentials=credentials(9))
    pages = pdf_text(pdf)
    assert len(pages) == 2
    assert pages[0].count("hocsinh") == 8
    assert "hocsinh8.test" in pages[1]


def test_cards_are_printed_in_the_same_language_whatever_the_teacher_reads(
    school_class,
):
    cards = credentials(2)
    with translation.override("en"):
        english_page = pdf_text(
            login_cards_pdf(school_class=school_class, credentials=cards)
        )
    with translation.override("vi"):
        vietnamese_page = pdf_text(
            login_cards_pdf(school_class=school_class, credentials=cards)
        )
    assert english_page == vietnamese_page
