"""Consent slips: one half-A4 (A5) paper form per pupil, for the family to sign.

A teacher prints the slips of a class's pupils who lack consent, hands them out,
and records the signed ones that come back (``lms.people.consent``). Each slip
says, in Vietnamese (the families' language, whatever the teacher's pages are
in), what the platform keeps about the child and why, for how long, the right to
withdraw and have it deleted, and the law; it has a signature line for the
parent or guardian and one for the child (from age 7), and a code the family can
use online later. The code is printed here only: the database keeps its hash.

Two slips per A4 sheet, one above the other, with a dashed cut line between them.
The PDF embeds Roboto (``common.pdf``) so the diacritics print on any machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from common.pdf import FONT, FONT_BOLD, fit_font_size, register_fonts
from common.site import absolute_url
from lms.models import PrivacySettings, SchoolClass
from lms.people.consent import SlipToPrint, slip_code_format

SLIP_LANGUAGE = "vi"
MARGIN = 12 * mm
CUT_LINE = Color(0.6, 0.6, 0.6)
MUTED = Color(0.29, 0.33, 0.4)
BODY_SIZE = 8.6
MIN_BODY_SIZE = 6.5


def _paragraphs(
    *, school_class: SchoolClass, privacy: PrivacySettings
) -> list[tuple[str, str]]:
    """Return the slip's explanations as (bold lead, text) pairs."""
    return [
        (
            _("What is kept:"),
            _(
                "the child's name, class and roster number, their learning progress, "
                "quiz answers and certificates. No e-mail address, phone number, "
                "birth date, address or photo of the child is ever asked for."
            ),
        ),
        (
            _("Why:"),
            _(
                "to teach your child to stay safe online, and to show that the school "
                "teaches it (the authorities see counts, never children's names)."
            ),
        ),
        (
            _("For how long:"),
            _(
                "while your child learns at the school and %(years)d years after "
                "they leave; then it is deleted."
            )
            % {"years": privacy.learning_records_years},
        ),
        (
            _("Your rights:"),
            _(
                "you may withdraw consent at any time: tell the teacher or the "
                "school, and the child's data is deleted. Without consent the child "
                "can still read the lessons, but their answers are not kept. Asking "
                "for help always works (hotline %(hotline)s)."
            )
            % {"hotline": settings.CHILD_HOTLINE},
        ),
        (
            _("The law:"),
            _(
                "the Personal Data Protection Law 91/2025/QH15 and Decree "
                "356/2025/NĐ-CP (in force since 1 January 2026): processing a "
                "child's personal data needs the consent of a parent or guardian, "
                "and of the child from age 7."
            ),
        ),
    ]


def _wrapped(lead: str, text: str, size: float, width: float) -> list[str]:
    return simpleSplit(f"{lead} {text}", FONT, size, width)


def _draw_slip(
    canvas: Canvas,
    slip: SlipToPrint,
    *,
    school_class: SchoolClass,
    privacy: PrivacySettings,
    top: float,
    height: float,
) -> None:
    page_width = A4[0]
    left = MARGIN
    width = page_width - 2 * MARGIN
    bottom = top - height + MARGIN
    cursor = top - MARGIN

    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 8)
    canvas.drawString(left, cursor, school_class.school.name)
    cursor -= 15
    canvas.setFillColor(black)
    title = _("Consent to keep a child's learning data")
    canvas.setFont(FONT_BOLD, fit_font_size(title, FONT_BOLD, 13, width, 9))
    canvas.drawString(left, cursor, title)
    cursor -= 15
    pupil_line = _("Pupil: %(name)s · Class %(class)s · %(school)s") % {
        "name": slip.display_name,
        "class": school_class.name,
        "school": school_class.school.name,
    }
    canvas.setFont(FONT_BOLD, fit_font_size(pupil_line, FONT_BOLD, 10, width, 7))
    canvas.drawString(left, cursor, pupil_line)
    cursor -= 6

    # The signature block and the code take the bottom 40 mm; the text fits above.
    text_bottom = bottom + 40 * mm
    paragraphs = _paragraphs(school_class=school_class, privacy=privacy)
    size = BODY_SIZE
    while size > MIN_BODY_SIZE:
        lines = sum(len(_wrapped(lead, text, size, width)) for lead, text in paragraphs)
        if cursor - lines * (size + 2.2) - len(paragraphs) * 2 >= text_bottom:
            break
        size -= 0.2
    canvas.setFont(FONT, size)
    for lead, text in paragraphs:
        cursor -= 2
        for index, line in enumerate(_wrapped(lead, text, size, width)):
            cursor -= size + 2.2
            if index == 0 and line.startswith(lead):
                canvas.setFont(FONT_BOLD, size)
                canvas.drawString(left, cursor, lead)
                canvas.setFont(FONT, size)
                lead_width = canvas.stringWidth(lead + " ", FONT_BOLD, size)
                canvas.drawString(left + lead_width, cursor, line[len(lead) + 1 :])
            else:
                canvas.drawString(left, cursor, line)

    # Signatures: the parent or guardian on the left, the child on the right.
    cursor = bottom + 33 * mm
    canvas.setFont(FONT_BOLD, 9)
    canvas.drawString(left, cursor, _("I agree. Date: ...... / ...... / 20......"))
    cursor -= 13
    column = width / 2
    canvas.setFont(FONT, 8.5)
    canvas.drawString(left, cursor, _("Parent or guardian (signature, full name)"))
    child_label = _("The child (from age 7: signature, name)")
    canvas.drawString(left + column, cursor, child_label)
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.5)
    line_y = bottom + 13 * mm
    canvas.line(left, line_y, left + column - 8 * mm, line_y)
    canvas.line(left + column, line_y, left + width, line_y)

    code_line = _("Code for the family to use online later: %(code)s") % {
        "code": slip_code_format(slip.code)
    }
    canvas.setFillColor(black)
    canvas.setFont(FONT_BOLD, 10)
    canvas.drawString(left, bottom + 13, code_line)
    # Where to type it: a code without an address leads a family nowhere.
    address_line = _("Type the code at %(address)s") % {
        "address": absolute_url(reverse("lms:parent_sign_up"))
    }
    canvas.setFont(FONT, fit_font_size(address_line, FONT, 8.5, width * 0.62, 6.5))
    canvas.drawString(left, bottom + 2, address_line)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 7.5)
    canvas.drawRightString(
        left + width,
        bottom + 2,
        _("Return this slip to the class teacher."),
    )
    canvas.setFillColor(black)


def consent_slips_pdf(
    *,
    school_class: SchoolClass,
    slips: Sequence[SlipToPrint],
    privacy: PrivacySettings,
) -> bytes:
    """Return an A4 PDF with one half-page consent slip per pupil, two per sheet."""
    register_fonts()
    page_width, page_height = A4
    half = page_height / 2
    out = io.BytesIO()
    with translation.override(SLIP_LANGUAGE):
        canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=FONT)
        canvas.setTitle(
            _("Consent slips – class %(name)s") % {"name": school_class.name}
        )
        canvas.setAuthor(school_class.school.name)
        for start in range(0, max(len(slips), 1), 2):
            canvas.setStrokeColor(CUT_LINE)
            canvas.setLineWidth(0.5)
            canvas.setDash(4, 3)
            canvas.line(MARGIN / 2, half, page_width - MARGIN / 2, half)
            canvas.setDash()
            for index, slip in enumerate(slips[start : start + 2]):
                _draw_slip(
                    canvas,
                    slip,
                    school_class=school_class,
                    privacy=privacy,
                    top=page_height - index * half,
                    height=half,
                )
            canvas.showPage()
        canvas.save()
    return out.getvalue()
