"""Password sheets: one PDF per school (or unit) with its new staff's one-time
passwords, for the importer to hand out.

Each line shows the person's name, role, username and one-time password; the
header gives the sign-in address (``settings.SITE_URL``) and says the password
must be changed at the first sign-in. Always in Vietnamese, the staff's language.
The passwords exist in plain only in the importer's session until this download.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from common.pdf import FONT, FONT_BOLD, fit_font_size, register_fonts
from lms.models import Role
from lms.people.onboarding.staff_accounts import StaffCredentials

MARGIN = 15 * mm
ROW_HEIGHT = 9 * mm
MUTED = Color(0.29, 0.33, 0.4)
RULE = Color(0.8, 0.8, 0.8)
SHEET_LANGUAGE = "vi"
# Column starts, as fractions of the text width: name, role, username, password.
COLUMNS = (0.0, 0.36, 0.56, 0.8)


def sign_in_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("lms:login")


def password_sheet_pdf(
    *, place_name: str, credentials: Sequence[StaffCredentials]
) -> bytes:
    """Return the A4 password sheet of one school or unit."""
    register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    width, height = A4
    text_width = width - 2 * MARGIN
    with translation.override(SHEET_LANGUAGE):
        canvas.setTitle(_("One-time passwords: %(place)s") % {"place": place_name})
        roles = dict(Role.choices)
        headings = (_("Full name"), _("Role"), _("Username"), _("One-time password"))

        def page_header() -> float:
            y = height - MARGIN
            canvas.setFont(
                FONT_BOLD, fit_font_size(place_name, FONT_BOLD, 15, text_width, 9)
            )
            canvas.drawString(MARGIN, y - 12, place_name)
            canvas.setFont(FONT, 10)
            y -= 30
            for text in (
                _("Sign in at: %(url)s") % {"url": sign_in_url()},
                _(
                    "Each password works once: at the first sign-in you will be "
                    "asked to choose your own password."
                ),
                _("Keep this sheet safe and hand each line only to its owner."),
            ):
                canvas.setFillColor(MUTED)
                canvas.setFont(FONT, fit_font_size(text, FONT, 10, text_width, 6))
                canvas.drawString(MARGIN, y, text)
                y -= 14
            canvas.setFillColor(Color(0, 0, 0))
            y -= 8
            canvas.setFont(FONT_BOLD, 10)
            for start, heading in zip(COLUMNS, headings, strict=True):
                canvas.drawString(MARGIN + start * text_width, y, heading)
            return y - ROW_HEIGHT

        y = page_header()
        for item in sorted(credentials, key=lambda c: (c.display_name, c.role)):
            if y < MARGIN + ROW_HEIGHT:
                canvas.showPage()
                y = page_header()
            cells = (
                (item.display_name, FONT, 10),
                (str(roles.get(item.role, item.role)), FONT, 9),
                (item.username, FONT_BOLD, 10),
                (item.password, FONT_BOLD, 11),
            )
            for index, (text, font, size) in enumerate(cells):
                end = COLUMNS[index + 1] if index + 1 < len(COLUMNS) else 1.0
                column_width = (end - COLUMNS[index]) * text_width - 2 * mm
                canvas.setFont(font, fit_font_size(text, font, size, column_width, 6))
                canvas.drawString(MARGIN + COLUMNS[index] * text_width, y, text)
            canvas.setStrokeColor(RULE)
            canvas.line(MARGIN, y - 3 * mm, width - MARGIN, y - 3 * mm)
            y -= ROW_HEIGHT
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            MARGIN,
            MARGIN / 2,
            _("Printed %(date)s") % {"date": timezone.localdate().strftime("%d/%m/%Y")},
        )
        canvas.showPage()
    canvas.save()
    return out.getvalue()
