"""The printouts of an adults' module: the facilitator guide and the take-home sheet.

Both are drawn from ``ModulePage.session_materials`` (filled by the curriculum
loader in the page's language), one way for every adults' module: the guide is
the session plan step by step with its minutes, the sheet a single A4 page a
participant can give to a family. Roboto (``common.pdf``) has every Vietnamese
letter.
"""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from common.pdf import FONT, FONT_BOLD, register_fonts
from content_cms.models import ModulePage

MARGIN = 18 * mm
ACCENT = HexColor("#0b5394")


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=15)
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=17, leading=21
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=17,
            spaceBefore=8,
            spaceAfter=4,
            textColor=ACCENT,
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=12),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=FONT_BOLD),
    }


def _text(value: str) -> str:
    return escape(value)


def _document(buffer: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
    )


def _bullets(items: list[str], style: ParagraphStyle) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(_text(item), style), leftIndent=12) for item in items],
        bulletType="bullet",
        start="•",
        leftIndent=12,
    )


def session_guide_pdf(*, module: ModulePage) -> bytes:
    """Return the facilitator guide: the session plan, minute by minute."""
    guide = module.session_materials["guide"]
    styles = _styles()
    buffer = io.BytesIO()
    document = _document(buffer, module.title)
    story = [
        Paragraph(_text(_("Facilitator guide")), styles["heading"]),
        Paragraph(_text(module.title), styles["title"]),
        Spacer(1, 4),
        Paragraph(
            _text(
                _("Session of %(minutes)s minutes. %(summary)s")
                % {"minutes": guide["minutes"], "summary": module.summary}
            ),
            styles["body"],
        ),
        Paragraph(_text(_("What to prepare")), styles["heading"]),
        _bullets(guide["materials"], styles["body"]),
        Paragraph(_text(_("Session plan")), styles["heading"]),
    ]
    rows = [
        [
            Paragraph(_text(_("Minutes")), styles["cell_bold"]),
            Paragraph(_text(_("Step")), styles["cell_bold"]),
            Paragraph(_text(_("What to do and say")), styles["cell_bold"]),
        ]
    ]
    elapsed = 0
    for step in guide["steps"]:
        start, elapsed = elapsed, elapsed + step["minutes"]
        rows.append(
            [
                Paragraph(f"{start}–{elapsed}", styles["body"]),
                Paragraph(_text(step["title"]), styles["cell_bold"]),
                Paragraph(_text(step["activity"]), styles["body"]),
            ]
        )
    width = A4[0] - 2 * MARGIN
    table = Table(rows, colWidths=[20 * mm, 42 * mm, width - 62 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.5, HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e8eef7")),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 8),
        Paragraph(
            _text(
                _(
                    "If anyone in the room is worried about a child now: the "
                    "national child protection hotline 111 is free and open 24/7."
                )
            ),
            styles["small"],
        ),
    ]
    document.build(story)
    return buffer.getvalue()


def take_home_pdf(*, module: ModulePage) -> bytes:
    """Return the take-home sheet: one page for parents and caregivers."""
    sheet = module.session_materials["take_home"]
    styles = _styles()
    buffer = io.BytesIO()
    document = _document(buffer, sheet["title"])
    story = [
        Paragraph(_text(sheet["title"]), styles["title"]),
        Spacer(1, 6),
        _bullets(sheet["points"], styles["body"]),
        Paragraph(_text(_("Who to call")), styles["heading"]),
        _bullets(sheet["contacts"], styles["body"]),
        Spacer(1, 10),
        Paragraph(_text(module.title), styles["small"]),
    ]
    document.build(story)
    return buffer.getvalue()
