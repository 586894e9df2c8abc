"""Login cards: one A4 sheet holds eight cards a teacher cuts out and hands round.

Each card shows the school, the class, the pupil's name (with the roster number
when another card of the batch has the same name), the username and the
password in large type, and a QR code that signs the pupil in without typing. The
QR code encodes the site's address (``common.site``) +
``/dang-nhap/the/<card key>/``; the key is shown only here (the database keeps
its hash), so a card is as secret as a password.

The PDF embeds Roboto (``common/fonts/``), so Vietnamese diacritics
print the same on any machine; the cards are always in Vietnamese, the pupils'
language, whatever language the teacher's pages are in.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from common.pdf import FONT, FONT_BOLD, draw_qr, fit_font_size, register_fonts
from common.site import absolute_url
from lms.models import SchoolClass
from lms.people.names import colliding_name_keys, name_collides, name_disambiguator
from lms.rosters.pupil_accounts import PupilCredentials

COLUMNS, ROWS = 2, 4
PAGE_MARGIN = 10 * mm
CARD_PADDING = 5 * mm
QR_SIZE = 36 * mm
CUT_LINE = Color(0.6, 0.6, 0.6)
MUTED = Color(0.29, 0.33, 0.4)
HOTLINE_RED = Color(0.7, 0.15, 0.12)
CARD_LANGUAGE = "vi"


def login_card_url(card_key: str) -> str:
    """Return the absolute address a card's QR code opens: it signs the pupil in."""
    path = reverse("lms:login_card", kwargs={"card_key": card_key})
    return absolute_url(path)


def login_card_qr(card_key: str) -> segno.QRCode:
    """Return the QR code of a login card (error correction M or better: creases)."""
    return segno.make_qr(login_card_url(card_key), error="m")


def login_card_qr_png(card_key: str, *, scale: int = 8) -> bytes:
    """Return the card's QR code as a PNG, as drawn on the card."""
    out = io.BytesIO()
    login_card_qr(card_key).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def _draw_line(canvas, text, font, size, x, y, width, *, minimum=6.0) -> None:
    canvas.setFont(font, fit_font_size(text, font, size, width, minimum))
    canvas.drawString(x, y, text)


def _draw_card(
    canvas: Canvas,
    credentials: PupilCredentials,
    *,
    school_class: SchoolClass,
    x: float,
    y: float,
    width: float,
    height: float,
    same_names: frozenset[str] = frozenset(),
) -> None:
    left = x + CARD_PADDING
    top = y + height - CARD_PADDING
    text_width = width - 2 * CARD_PADDING - QR_SIZE - 3 * mm

    qr_x = x + width - CARD_PADDING - QR_SIZE
    qr_y = top - QR_SIZE
    draw_qr(canvas, login_card_qr(credentials.card_key), qr_x, qr_y, QR_SIZE)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 7.5)
    canvas.drawCentredString(
        qr_x + QR_SIZE / 2, qr_y - 3.2 * mm, _("Scan the code to sign in")
    )

    canvas.setFillColor(MUTED)
    cursor = top - 8
    _draw_line(canvas, school_class.school.name, FONT, 8, left, cursor, text_width)
    cursor -= 11
    class_line = _("Class %(name)s") % {"name": school_class.name}
    _draw_line(canvas, class_line, FONT, 9, left, cursor, text_width)

    canvas.setFillColor(black)
    cursor -= 17
    name = credentials.display_name
    if credentials.roster_number is not None and name_collides(name, same_names):
        # A namesake's card is in the same pile: the roster number tells them
        # apart (the username, printed below, differs anyway).
        tag = name_disambiguator(roster_number=credentials.roster_number)
        name = f"{name} ({tag})"
    name_size = fit_font_size(name, FONT_BOLD, 13, text_width, 11)
    name_lines = simpleSplit(name, FONT_BOLD, name_size, text_width)
    canvas.setFont(FONT_BOLD, name_size)
    for name_line in name_lines[:2]:
        canvas.drawString(left, cursor, name_line)
        cursor -= name_size + 2

    for label, value in (
        (_("Username"), credentials.username),
        (_("Password"), credentials.password),
    ):
        cursor -= 8
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 8)
        canvas.drawString(left, cursor, label)
        cursor -= 17
        canvas.setFillColor(black)
        _draw_line(canvas, value, FONT_BOLD, 15, left, cursor, text_width, minimum=9)
        cursor -= 8

    bottom = y + CARD_PADDING
    full_width = width - 2 * CARD_PADDING
    sign_in = absolute_url(reverse("lms:login"))
    canvas.setFillColor(MUTED)
    _draw_line(
        canvas,
        _("Or sign in at %(address)s") % {"address": sign_in},
        FONT,
        7.5,
        left,
        bottom + 11,
        full_width,
    )
    canvas.setFillColor(HOTLINE_RED)
    _draw_line(
        canvas,
        _("Call %(hotline)s if you need help – free, 24/7")
        % {"hotline": settings.CHILD_HOTLINE},
        FONT_BOLD,
        8.5,
        left,
        bottom,
        full_width,
    )


def _draw_cut_lines(canvas: Canvas, card_width: float, card_height: float) -> None:
    page_width, page_height = A4
    canvas.setStrokeColor(CUT_LINE)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    for column in range(COLUMNS + 1):
        x = PAGE_MARGIN + column * card_width
        canvas.line(x, PAGE_MARGIN, x, page_height - PAGE_MARGIN)
    for row in range(ROWS + 1):
        y = PAGE_MARGIN + row * card_height
        canvas.line(PAGE_MARGIN, y, page_width - PAGE_MARGIN, y)
    canvas.setDash()


def login_cards_pdf(
    *, school_class: SchoolClass, credentials: Sequence[PupilCredentials]
) -> bytes:
    """Return an A4 PDF of login cards, eight to a page, with dashed cut lines."""
    register_fonts()
    page_width, page_height = A4
    card_width = (page_width - 2 * PAGE_MARGIN) / COLUMNS
    card_height = (page_height - 2 * PAGE_MARGIN) / ROWS
    per_page = COLUMNS * ROWS
    same_names = colliding_name_keys(card.display_name for card in credentials)
    out = io.BytesIO()
    with translation.override(CARD_LANGUAGE):
        # Roboto from the start, so not even an unused Helvetica is referenced.
        canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=FONT)
        canvas.setTitle(_("Login cards – class %(name)s") % {"name": school_class.name})
        canvas.setAuthor(school_class.school.name)
        for start in range(0, max(len(credentials), 1), per_page):
            _draw_cut_lines(canvas, card_width, card_height)
            for index, card in enumerate(credentials[start : start + per_page]):
                column, row = index % COLUMNS, index // COLUMNS
                _draw_card(
                    canvas,
                    card,
                    school_class=school_class,
                    x=PAGE_MARGIN + column * card_width,
                    y=page_height - PAGE_MARGIN - (row + 1) * card_height,
                    width=card_width,
                    height=card_height,
                    same_names=same_names,
                )
            canvas.showPage()
        canvas.save()
    return out.getvalue()
