"""The certificate as a PDF: A4 landscape, drawn with ReportLab.

A child takes it home, so it should look like something to be proud of: a
coloured double border, stars in the corners, a shield with a star, the title,
the name large, a friendly line about what was achieved, and a QR code that
opens the public verification page for its code. At the foot, as on Vietnamese
school certificates, the province's signature block (``CertificateSignature``,
as kept on the certificate when issued): place and date, the signer's title,
the signature with the seal over it (the one image), and the signer's name.

Text is set in Roboto (embedded, from ``common/fonts/``, registered
by ``common.pdf.register_fonts``) so every Vietnamese diacritic prints on
any machine. The wording follows the learner's language (Vietnamese, or
English when they chose it), not the language of whoever downloads it.

Rendering happens on download, never at issue time; a rendered PDF is cached by
code and language (a certificate never changes: a correction is a new one).
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable

import segno
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from certificates.models import Certificate, RuleKind
from common.pdf import FONT, FONT_BOLD, draw_qr, fit_font_size, register_fonts
from common.site import absolute_url

PAGE = landscape(A4)
BLUE = HexColor("#1d4f91")
SKY = HexColor("#dcebff")
GOLD = HexColor("#e0a400")
RED = HexColor("#b3261e")
INK = HexColor("#1f2933")
MUTED = HexColor("#52606d")
CREAM = HexColor("#fffdf6")
QR_SIZE = 34 * mm
QR_BORDER = 2
CACHE_SECONDS = 24 * 60 * 60


def verification_url(certificate: Certificate) -> str:
    """Return the absolute address of the certificate's public verification page."""
    path = reverse("certificates:verify_code", kwargs={"code": certificate.code})
    return absolute_url(path)


def certificate_qr(certificate: Certificate) -> segno.QRCode:
    """Return the QR code printed on the certificate (error correction M)."""
    return segno.make_qr(verification_url(certificate), error="m")


def certificate_qr_png(certificate: Certificate, *, scale: int = 8) -> bytes:
    """Return the printed QR code as a PNG (for checks and for screens)."""
    out = io.BytesIO()
    certificate_qr(certificate).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def certificate_language(certificate: Certificate) -> str:
    """The learner's language now (their choice may have changed since issue)."""
    user = certificate.user
    language = getattr(user, "preferred_language", "") or certificate.language
    return "en" if language == "en" else "vi"


# --- Drawing ----------


def _star_path(canvas: Canvas, cx: float, cy: float, outer: float, inner=None):
    inner = inner if inner is not None else outer * 0.45
    path = canvas.beginPath()
    for point in range(10):
        radius = outer if point % 2 == 0 else inner
        angle = math.pi / 2 + point * math.pi / 5
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        if point == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    return path


def _star(canvas: Canvas, cx: float, cy: float, outer: float, colour) -> None:
    canvas.setFillColor(colour)
    canvas.drawPath(_star_path(canvas, cx, cy, outer), stroke=0, fill=1)


def _shield(canvas: Canvas, cx: float, top: float, width: float) -> None:
    """A shield with a star: the sign of being safe online."""
    height = width * 1.2
    half = width / 2
    path = canvas.beginPath()
    path.moveTo(cx - half, top)
    path.lineTo(cx + half, top)
    path.lineTo(cx + half, top - height * 0.45)
    path.curveTo(
        cx + half,
        top - height * 0.8,
        cx + half * 0.3,
        top - height * 0.92,
        cx,
        top - height,
    )
    path.curveTo(
        cx - half * 0.3,
        top - height * 0.92,
        cx - half,
        top - height * 0.8,
        cx - half,
        top - height * 0.45,
    )
    path.close()
    canvas.setFillColor(BLUE)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(2.5)
    canvas.drawPath(path, stroke=1, fill=1)
    _star(canvas, cx, top - height * 0.45, width * 0.3, GOLD)


def _border(canvas: Canvas, width: float, height: float) -> None:
    canvas.setFillColor(CREAM)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    margin = 10 * mm
    canvas.setStrokeColor(BLUE)
    canvas.setLineWidth(7)
    canvas.roundRect(margin, margin, width - 2 * margin, height - 2 * margin, 14)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.6)
    inset = margin + 5 * mm
    canvas.roundRect(inset, inset, width - 2 * inset, height - 2 * inset, 10)
    # A soft band of sky blue under the title area.
    canvas.setFillColor(SKY)
    canvas.rect(inset + 1, height - inset - 20 * mm, width - 2 * inset - 2, 3, 0, 1)
    corner = margin + 11 * mm
    for x, y in (
        (corner, corner),
        (width - corner, corner),
        (corner, height - corner),
        (width - corner, height - corner),
    ):
        _star(canvas, x, y, 7 * mm, GOLD)
        _star(canvas, x, y, 2.6 * mm, white)


def _centred(canvas, text, font, size, y, width, *, colour=INK, minimum=10) -> None:
    canvas.setFillColor(colour)
    canvas.setFont(font, fit_font_size(text, font, size, width, minimum))
    canvas.drawCentredString(PAGE[0] / 2, y, text)


def _friendly_line(certificate: Certificate) -> str:
    kind = certificate.rule.kind
    if kind == RuleKind.LEARNING_PATH:
        return _("has excellently completed the learning path")
    if kind == RuleKind.STAFF_TRAINING:
        return _("has completed the training")
    return _("has excellently completed the module")


def _draw_certificate(canvas: Canvas, certificate: Certificate) -> None:
    """Draw one certificate on the current page, in the learner's language."""
    language = certificate_language(certificate)
    width, height = PAGE
    text_width = width - 70 * mm
    with translation.override(language):
        _border(canvas, width, height)
        _shield(canvas, width / 2, height - 22 * mm, 17 * mm)
        _centred(
            canvas,
            certificate.issuer.upper(),
            FONT_BOLD,
            11,
            height - 50 * mm,
            text_width,
            colour=BLUE,
        )
        _centred(
            canvas,
            _("CERTIFICATE OF ACHIEVEMENT"),
            FONT_BOLD,
            40,
            height - 67 * mm,
            text_width,
            colour=RED,
        )
        _centred(
            canvas,
            _("This certificate is proudly given to"),
            FONT,
            15,
            height - 80 * mm,
            text_width,
            colour=MUTED,
        )
        name = certificate.learner_name or "—"
        _centred(canvas, name, FONT_BOLD, 38, height - 97 * mm, text_width, colour=BLUE)
        # A gold rule under the name, with a star at each end.
        canvas.setStrokeColor(GOLD)
        canvas.setLineWidth(1.2)
        canvas.line(
            width / 2 - 80 * mm,
            height - 101 * mm,
            width / 2 + 80 * mm,
            height - 101 * mm,
        )
        for x in (width / 2 - 83 * mm, width / 2 + 83 * mm):
            _star(canvas, x, height - 101 * mm, 2.6 * mm, GOLD)
        _centred(
            canvas, _friendly_line(certificate), FONT, 16, height - 112 * mm, text_width
        )
        achievement = certificate.achievement
        if language == "en" and certificate.achievement_en:
            achievement = certificate.achievement_en
        _centred(
            canvas,
            f"“{achievement}”",
            FONT_BOLD,
            22,
            height - 124 * mm,
            text_width,
            colour=INK,
        )
        if certificate.school_name:
            _centred(
                canvas,
                certificate.school_name,
                FONT,
                14,
                height - 134 * mm,
                text_width,
                colour=MUTED,
            )
        _star(canvas, width / 2 - 12 * mm, height - 144 * mm, 3.5 * mm, GOLD)
        _star(canvas, width / 2, height - 145 * mm, 5 * mm, GOLD)
        _star(canvas, width / 2 + 12 * mm, height - 144 * mm, 3.5 * mm, GOLD)
        # Bottom left: QR and code; bottom right: the signature block.
        _signature_block(canvas, certificate, language, centre=width - 78 * mm)
        qr_x = 32 * mm
        qr_y = 22 * mm
        draw_qr(
            canvas, certificate_qr(certificate), qr_x, qr_y, QR_SIZE, border=QR_BORDER
        )
        text_x = qr_x + QR_SIZE + 3 * mm
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 9)
        canvas.drawString(text_x, qr_y + QR_SIZE - 6 * mm, _("Check this certificate:"))
        canvas.drawString(text_x, qr_y + QR_SIZE - 11 * mm, _("scan the code or open"))
        canvas.drawString(
            text_x,
            qr_y + QR_SIZE - 16 * mm,
            verification_url(certificate).split("://", 1)[-1][:60],
        )
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 12)
        canvas.drawString(
            text_x,
            qr_y + 3 * mm,
            _("Code: %(code)s") % {"code": certificate.display_code},
        )
        canvas.setTitle(_("Certificate %(code)s") % {"code": certificate.display_code})


SIGNATURE_WIDTH = 62 * mm
SIGNATURE_HEIGHT = 21 * mm


def _signature_image(name: str) -> ImageReader | None:
    """Return the stored signature-and-seal image, or None if it cannot be read."""
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as stored:
            return ImageReader(io.BytesIO(stored.read()))
    except (OSError, ValueError):
        return None


def _signature_block(
    canvas: Canvas, certificate: Certificate, language: str, *, centre: float
) -> None:
    """The foot of a Vietnamese certificate: "Tây Ninh, ngày …", the signer's
    title, the signature with the seal over it, and the signer's name.

    A certificate issued before its province set the block up prints the place
    and date and the issuer, with no signature.
    """
    issued_on = timezone.localtime(certificate.issued_at).date()
    date = _printed_date(issued_on, language)
    if certificate.place:
        place_line = f"{certificate.place}, {date}"
    else:
        place_line = _("Tay Ninh, %(date)s") % {"date": date}
    column = 80 * mm
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 12)
    canvas.drawCentredString(centre, 58 * mm, _fit(place_line, FONT, 12, column))
    title = certificate.signer_title
    if language == "en" and certificate.signer_title_en:
        title = certificate.signer_title_en
    lines = [line.strip() for line in title.split("/") if line.strip()][:2]
    if not lines:
        lines = [certificate.issuer]
    canvas.setFont(FONT_BOLD, 12)
    for number, line in enumerate(lines):
        canvas.drawCentredString(
            centre, (52 - 5 * number) * mm, _fit(line, FONT_BOLD, 12, column)
        )
    image = _signature_image(certificate.signature_file)
    if image is not None:
        image_width, image_height = image.getSize()
        scale = min(SIGNATURE_WIDTH / image_width, SIGNATURE_HEIGHT / image_height)
        drawn_width, drawn_height = image_width * scale, image_height * scale
        canvas.drawImage(
            image,
            centre - drawn_width / 2,
            24 * mm + (SIGNATURE_HEIGHT - drawn_height) / 2,
            drawn_width,
            drawn_height,
            mask="auto",
        )
    if certificate.signer_name:
        canvas.setFont(FONT_BOLD, 13)
        canvas.drawCentredString(
            centre, 19 * mm, _fit(certificate.signer_name, FONT_BOLD, 13, column)
        )


def _fit(text: str, font: str, size: float, width: float) -> str:
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def _printed_date(day, language: str) -> str:
    """Return the date as certificates print it: "ngày 05 tháng 11 năm 2026"."""
    if language == "vi":
        return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return date_format(day, "j F Y")


def _new_canvas(buffer: io.BytesIO) -> Canvas:
    register_fonts()
    canvas = Canvas(buffer, pagesize=PAGE, pageCompression=1)
    canvas.setAuthor(settings.WAGTAIL_SITE_NAME)
    return canvas


def certificate_pdf(certificate: Certificate) -> bytes:
    """Return the certificate's PDF, drawing it once and caching it for a day."""
    key = f"certificate-pdf:v2:{certificate.code}:{certificate_language(certificate)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer)
    _draw_certificate(canvas, certificate)
    canvas.showPage()
    canvas.save()
    pdf = buffer.getvalue()
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def certificate_filename(certificate: Certificate) -> str:
    """Return ``ten-hoc-sinh-ABCD-EFGH-JKMN.pdf``: sortable by name, unique by code."""
    name = slugify(certificate.learner_name.replace("đ", "d").replace("Đ", "D"))
    return f"{name or 'chung-nhan'}-{certificate.display_code}.pdf"


def certificates_merged_pdf(
    certificates: Iterable[Certificate], *, on_progress=None
) -> bytes:
    """Return one PDF with a page per certificate (fonts embedded once)."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer)
    count = 0
    for count, certificate in enumerate(certificates, start=1):
        _draw_certificate(canvas, certificate)
        canvas.showPage()
        if on_progress is not None:
            on_progress(count)
    if count == 0:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificates_zip(certificates: Iterable[Certificate], *, on_progress=None) -> bytes:
    """Return a ZIP with one PDF per certificate (PDFs are already compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for count, certificate in enumerate(certificates, start=1):
            archive.writestr(
                certificate_filename(certificate), certificate_pdf(certificate)
            )
            if on_progress is not None:
                on_progress(count)
    return buffer.getvalue()
