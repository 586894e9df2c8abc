"""A readable PDF of a pupil's data export, for parents who asked to see it.

Set in Roboto (from the font_roboto package) because ReportLab's built-in fonts
have no Vietnamese diacritics.
"""

from __future__ import annotations

import io
import json
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from lms.pdf import FONT, FONT_BOLD, register_fonts

SECTION_TITLES = {
    "account": gettext_lazy("Account"),
    "enrolments": gettext_lazy("Classes"),
    "consent_records": gettext_lazy("Consent"),
    "help_requests": gettext_lazy("Help requests"),
    "learning_records": gettext_lazy("Learning records"),
    "live_games": gettext_lazy("Live classroom games"),
}


def _lines(value: Any, indent: int = 0) -> list[str]:
    prefix = "    " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{prefix}{key}:")
                lines.extend(_lines(item, indent + 1))
            else:
                lines.append(f"{prefix}{key}: {'' if item is None else item}")
        return lines
    if isinstance(value, list):
        if not value:
            return [f"{prefix}—"]
        lines = []
        for number, item in enumerate(value, start=1):
            lines.append(f"{prefix}#{number}")
            lines.extend(_lines(item, indent + 1))
        return lines
    return [f"{prefix}{json.dumps(value, ensure_ascii=False)}"]


def pupil_data_pdf(*, data: dict[str, Any], title: str) -> bytes:
    """Render an export (``pupil_data_export``'s dict) as a PDF, section by section."""
    register_fonts()
    styles = getSampleStyleSheet()
    body = styles["BodyText"].clone("body", fontName=FONT, fontSize=10, leading=13)
    heading = styles["Heading2"].clone("heading", fontName=FONT_BOLD)
    big = styles["Title"].clone("title", fontName=FONT_BOLD)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm
    )
    story = [Paragraph(escape(title), big)]
    for key, value in data.items():
        if key == "exported_at":
            story.append(Paragraph(escape(f"{_('Exported at')}: {value}"), body))
            continue
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(escape(str(SECTION_TITLES.get(key, key))), heading))
        for line in _lines(value):
            indent = (len(line) - len(line.lstrip(" "))) // 4
            style = body.clone(f"body{indent}", leftIndent=indent * 5 * mm)
            story.append(Paragraph(escape(line.strip()), style))
    document.build(story)
    return buffer.getvalue()
