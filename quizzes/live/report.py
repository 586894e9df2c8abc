"""Files of live games: the join QR code and the XLSX report."""

import segno
from django.utils.translation import gettext as _

from common.spreadsheets import xlsx_bytes


def qr_svg(url: str) -> str:
    """Return an inline SVG QR code of ``url`` (no style attributes: CSP-safe)."""
    return segno.make(url, error="m").svg_inline(
        scale=8, border=2, dark="#000", light="#fff", omitsize=True
    )


def report_xlsx(report: dict) -> bytes:
    """Return the post-game report as an XLSX workbook: questions, then players."""
    questions = [
        [
            row["number"],
            row["prompt"],
            row["answered"],
            row["correct"],
            row["correct_percent"],
            row["average_seconds"],
            _("yes") if row["skipped"] else "",
        ]
        for row in report["questions"]
    ]
    players = [
        [
            rank,
            row["nickname"],
            row["team"],
            row["score"],
            row["correct_count"],
            row["answered_count"],
        ]
        for rank, row in enumerate(
            (p for p in report["players"] if not p["is_removed"]), start=1
        )
    ]
    return xlsx_bytes(
        [
            (
                _("Questions"),
                [
                    _("Number"),
                    _("Question"),
                    _("Answered"),
                    _("Right"),
                    _("Right (%)"),
                    _("Average time (s)"),
                    _("Skipped"),
                ],
                questions,
            ),
            (
                _("Players"),
                [
                    _("Rank"),
                    _("Name"),
                    _("Team"),
                    _("Points"),
                    _("Right"),
                    _("Answered"),
                ],
                players,
            ),
        ]
    )
