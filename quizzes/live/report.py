"""Files of live games: the join QR code and the XLSX report."""

from io import BytesIO

import segno
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font


def qr_svg(url: str) -> str:
    """Return an inline SVG QR code of ``url`` (no style attributes: CSP-safe)."""
    return segno.make(url, error="m").svg_inline(
        scale=8, border=2, dark="#000", light="#fff", omitsize=True
    )


def report_xlsx(report: dict) -> bytes:
    """Return the post-game report as an XLSX workbook: questions, then players."""
    workbook = Workbook()
    questions = workbook.active
    questions.title = _("Questions")[:31]
    questions.append(
        [
            _("Number"),
            _("Question"),
            _("Answered"),
            _("Right"),
            _("Right (%)"),
            _("Average time (s)"),
            _("Skipped"),
        ]
    )
    for row in report["questions"]:
        questions.append(
            [
                row["number"],
                row["prompt"],
                row["answered"],
                row["correct"],
                row["correct_percent"],
                row["average_seconds"],
                _("yes") if row["skipped"] else "",
            ]
        )
    players = workbook.create_sheet(_("Players")[:31])
    players.append(
        [_("Rank"), _("Name"), _("Team"), _("Points"), _("Right"), _("Answered")]
    )
    for rank, row in enumerate(
        (p for p in report["players"] if not p["is_removed"]), start=1
    ):
        players.append(
            [
                rank,
                row["nickname"],
                row["team"],
                row["score"],
                row["correct_count"],
                row["answered_count"],
            ]
        )
    for sheet in (questions, players):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
