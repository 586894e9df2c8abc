"""Files of the reports: class results and the programme evidence (XLSX, CSV, PDF).

Spreadsheets use Vietnamese headings (the report's language is the reader's);
CSV starts with a UTF-8 byte order mark so Excel shows the diacritics. The PDF
for the Department of Information and Communications is set in Roboto (through
``common.pdf.register_fonts``) and prints the rule applied, the time it was
made (Asia/Ho_Chi_Minh) and the SHA-256 of the canonical JSON of its figures,
which ``/bao-cao/kiem-tra/`` checks.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from common.pdf import FONT, FONT_BOLD, register_fonts
from common.spreadsheets import csv_bytes, xlsx_bytes
from lms.learning.rollups import REPORTING_TIME_ZONE
from lms.models import ProgressStatus
from lms.reports.rules import ProgrammeStatus


def canonical_json(figures: dict) -> str:
    """Return the figures as canonical JSON: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(
        figures, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def figures_hash(figures: dict) -> str:
    return hashlib.sha256(canonical_json(figures).encode("utf-8")).hexdigest()


# --- Class results ----------


def _status_label(status: str | None) -> str:
    if status is None:
        return "—"
    return str(dict(ProgressStatus.choices).get(status, status))


def class_results_table(grid) -> tuple[list[str], list[list]]:
    """Return headings and rows of a class's progress grid (one row per pupil)."""
    headers = [_("No."), _("Pupil")]
    for module in grid.modules:
        headers += [module.title, _("Score (%)")]
    rows = []
    for number, row in enumerate(grid.rows, start=1):
        line = [number, row.pupil.display_name]
        for cell in row.cells:
            line.append(_status_label(cell.status) if cell.assigned else _("Not given"))
            line.append("" if cell.best_percent is None else float(cell.best_percent))
        rows.append(line)
    return headers, rows


def class_results_xlsx(grid) -> bytes:
    headers, rows = class_results_table(grid)
    return xlsx_bytes([(grid.school_class.name, headers, rows)])


def class_results_csv(grid) -> bytes:
    headers, rows = class_results_table(grid)
    return csv_bytes(headers, rows)


# --- The programme evidence ----------


def _status_text(status: str) -> str:
    return str(ProgrammeStatus.LABELS.get(status, status))


def unit_tables(data: dict) -> dict[str, tuple[list[str], list[list]]]:
    """Return the unit report's tables: per unit and per school, with headings."""
    unit_headers = [
        _("Unit"),
        _("Schools"),
        _("Schools met"),
        _("Care facilities"),
        _("Care facilities met"),
        pgettext("programme status", "In progress"),
        pgettext("programme status", "Not started"),
        _("Pupils"),
        _("Pupils who completed a module"),
    ]
    unit_rows = [
        [
            group["label"],
            group["schools"],
            group["schools_met"],
            group["care_facilities"],
            group["care_facilities_met"],
            group["in_progress"],
            group["not_started"],
            group["pupils"],
            group["pupils_completed"],
        ]
        for group in [*data["units"], {**data["total"], "label": _("Total")}]
    ]
    school_headers = [
        _("Code"),
        _("School"),
        _("Unit"),
        _("Classes"),
        _("Classes given a module"),
        _("Pupils"),
        _("Pupils who completed a module"),
        _("Status"),
        _("Reason"),
    ]
    school_rows = [
        [
            school["code"],
            school["name"],
            school["unit"],
            school["classes"],
            school["classes_assigned"],
            school["pupils"],
            school["pupils_completed"],
            _status_text(school["status"]),
            school.get("reason", ""),
        ]
        for school in data["schools"]
    ]
    return {
        "units": (unit_headers, unit_rows),
        "schools": (school_headers, school_rows),
    }


def _preamble(data: dict, rule_texts: list[str], content_hash: str, made_at) -> list:
    return [
        [_("Online-safety programme report")],
        [_("Period"), data["period"]["name"]],
        [_("Unit"), data["unit"]["name"]],
        *[[_("Rule applied"), text] for text in rule_texts],
        [_("Generated at"), made_at],
        [_("Content hash (SHA-256)"), content_hash],
    ]


def _made_at_text(moment) -> str:
    local = timezone.localtime(moment or timezone.now(), REPORTING_TIME_ZONE)
    return local.strftime("%d/%m/%Y %H:%M") + " (Asia/Ho_Chi_Minh)"


def unit_report_xlsx(
    data: dict, *, rule_texts: list[str], content_hash: str, made_at=None
) -> bytes:
    tables = unit_tables(data)
    info = _preamble(data, rule_texts, content_hash, _made_at_text(made_at))
    return xlsx_bytes(
        [
            (_("Units"), *tables["units"]),
            (_("Schools"), *tables["schools"]),
            (
                _("Report"),
                [_("Item"), _("Value")],
                [row + [""] * (2 - len(row)) for row in info],
            ),
        ]
    )


def unit_report_csv(
    data: dict, *, rule_texts: list[str], content_hash: str, made_at=None
) -> bytes:
    tables = unit_tables(data)
    info = _preamble(data, rule_texts, content_hash, _made_at_text(made_at))
    headers, rows = tables["schools"]
    unit_headers, unit_rows = tables["units"]
    preamble = [*info, [], unit_headers, *unit_rows, []]
    return csv_bytes(headers, rows, preamble=preamble)


def unit_report_pdf(
    data: dict,
    *,
    rule_texts: list[str],
    content_hash: str,
    made_at=None,
    on_progress: Callable[[int], None] | None = None,
) -> bytes:
    """Return the printable evidence report: period, unit, rule, figures, hash."""
    register_fonts()
    styles = {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=7.5, leading=9),
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Online-safety programme report"),
    )
    story = [
        Paragraph(_("Online-safety programme report"), styles["title"]),
        Spacer(1, 3 * mm),
        Paragraph(f"{_('Period')}: {data['period']['name']}", styles["body"]),
        Paragraph(f"{_('Unit')}: {data['unit']['name']}", styles["body"]),
        *[
            Paragraph(f"{_('Rule applied')}: {text}", styles["body"])
            for text in rule_texts
        ],
        Paragraph(f"{_('Generated at')}: {_made_at_text(made_at)}", styles["body"]),
        Paragraph(f"{_('Content hash (SHA-256)')}: {content_hash}", styles["small"]),
        Spacer(1, 4 * mm),
    ]
    tables = unit_tables(data)
    for key, widths in (
        ("units", None),
        ("schools", [18, 60, 38, 16, 20, 16, 20, 22, 63]),
    ):
        headers, rows = tables[key]
        table_rows = [[Paragraph(str(h), styles["head"]) for h in headers]] + [
            [Paragraph(str(value), styles["cell"]) for value in row] for row in rows
        ]
        table = Table(
            table_rows,
            repeatRows=1,
            colWidths=[w * mm for w in widths] if widths else None,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.93, 0.97)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [table, Spacer(1, 5 * mm)]
        if on_progress is not None:
            on_progress(60 if key == "units" else 80)

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(
            12 * mm, 6 * mm, f"SHA-256: {content_hash} · {_('Page')} {doc.page}"
        )
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
