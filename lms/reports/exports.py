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
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from common.numbers import decimal_text, percent_text
from common.pdf import FONT, FONT_BOLD, register_fonts
from common.spreadsheets import csv_bytes, xlsx_bytes
from lms.learning.rollups import REPORTING_TIME_ZONE
from lms.models import ProgressStatus
from lms.people.names import colliding_name_keys, name_collides, name_disambiguator
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
    """Return headings and rows of a class's progress grid (one row per pupil).

    "No." is the pupil's roster number (STT), as on the class page; two pupils
    with one name carry it beside the name too, as the grid shows them
    (``lms.people.names``).
    """
    headers = [_("No."), _("Pupil")]
    for module in grid.modules:
        headers += [module.title, _("Score (%)")]
    same_names = colliding_name_keys(row.pupil.display_name for row in grid.rows)
    rows = []
    for row in grid.rows:
        name = row.pupil.display_name
        if name_collides(name, same_names):
            tag = name_disambiguator(
                roster_number=row.roster_number, username=row.pupil.username
            )
            name = f"{name} ({tag})"
        number = "" if row.roster_number is None else row.roster_number
        line = [number, name]
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


def _or_dash(value) -> object:
    return "—" if value is None else value


def unit_tables(data: dict) -> dict[str, tuple[list[str], list[list]]]:
    """Return the unit report's tables: per unit, per school, per required topic."""
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
        _("Classes that covered every topic"),
        _("Teaching sessions"),
        _("Staff trained"),
        _("Parents' meetings"),
        _("Parents at the meetings"),
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
            f"{group.get('topic_classes_covered', 0)}/{group.get('topic_classes', 0)}",
            group.get("sessions", 0),
            group.get("staff_trained", 0),
            group.get("parent_meetings", 0),
            group.get("parents", 0),
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
        _("Classes that covered every topic"),
        _("Teaching sessions"),
        _("Pupils reached"),
        _("Staff trained"),
        _("Parents' meetings"),
        _("Status"),
        _("Reason"),
        _("What is missing"),
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
            f"{school['classes_covered']}/{school['classes']}"
            if school.get("topics_required")
            else "—",
            school.get("sessions", 0),
            _or_dash(school.get("pupils_reached")),
            school.get("staff_trained", 0),
            school.get("parent_meetings", 0),
            _status_text(school["status"]),
            school.get("reason", ""),
            "\n".join(school.get("missing", [])),
        ]
        for school in data["schools"]
    ]
    topic_headers = [
        _("Age band and topic"),
        _("Classes that must cover it"),
        _("Classes that covered it"),
        _("Classes still missing it"),
    ]
    topic_rows = [
        [
            item.get("label") or f"{item['band']}: {item['topic']}",
            item["required"],
            item["covered"],
            item["required"] - item["covered"],
        ]
        for item in data.get("topics", [])
    ]
    return {
        "units": (unit_headers, unit_rows),
        "schools": (school_headers, school_rows),
        "topics": (topic_headers, topic_rows),
        "help": help_table(data),
    }


def _help_row(label: str, help: dict) -> list:
    share = help["share_acknowledged_in_time"]
    seconds = help["median_seconds_to_first_action"]
    return [
        label,
        help["requests"],
        help["serious"],
        "—"
        if share is None
        else f"{percent_text(share)} ({help['acknowledged_in_time']}/{help['due']})",
        "—" if seconds is None else decimal_text(seconds / 3600),
        help["referred"],
        help["closed_with_outcome"],
        help["open_past_deadline"],
    ]


def help_table(data: dict) -> tuple[list[str], list[list]]:
    """Return target 2's table: each child unit, the total, then each school.

    Counts and times only (``lms.people.help_measures``); empty for figures
    made before the measures were reported (version 1 and 2).
    """
    if "help" not in data["total"]:
        return [], []
    headers = [
        _("Unit or school"),
        _("Requests for help"),
        _("Serious"),
        _("Acknowledged within the deadline"),
        _("Median time to first action (hours)"),
        _("Referred"),
        _("Closed with an outcome"),
        _("Open past the deadline"),
    ]
    rows = [_help_row(group["label"], group["help"]) for group in data["units"]]
    rows.append(
        _help_row(f"{_('Total')}: {data['unit']['name']}", data["total"]["help"])
    )
    rows += [_help_row(school["name"], school["help"]) for school in data["schools"]]
    return headers, rows


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
    sheets = [
        (_("Units"), *tables["units"]),
        (_("Schools"), *tables["schools"]),
    ]
    if tables["topics"][1]:
        sheets.append((_("Required topics"), *tables["topics"]))
    return xlsx_bytes(
        [
            *sheets,
            (
                _("Report"),
                [_("Item"), _("Value")],
                [row + [""] * (2 - len(row)) for row in info],
            ),
            # Last, so the sheets of files made before it keep their places.
            *([(_("Help for children"), *tables["help"])] if tables["help"][1] else []),
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
    # The schools' table without the words of what is missing (its own table).
    headers, rows = tables["schools"]
    tables["schools"] = (headers[:-1], [row[:-1] for row in rows])
    tables["missing"] = (
        [_("School"), _("What is missing")],
        [
            [escape(school["name"]), "<br/>".join(map(escape, school["missing"]))]
            for school in data["schools"]
            if school.get("missing")
        ],
    )
    help_title = [
        Paragraph(_("Help for children who ask (target 2)"), styles["body"]),
        Paragraph(
            _(
                "Requests received in the period up to the moment the export "
                "was asked for; counts only, never a child's name or words."
            ),
            styles["small"],
        ),
        Spacer(1, 2 * mm),
    ]
    for key, widths in (
        ("units", None),
        ("help", [80, 22, 20, 40, 32, 20, 30, 29]),
        ("topics", [110, 50, 50, 50]),
        ("schools", [14, 38, 26, 13, 15, 13, 16, 17, 15, 15, 13, 15, 18, 45]),
        ("missing", [70, 203]),
    ):
        headers, rows = tables[key]
        if not rows:
            continue
        if key == "help":
            story += help_title
        table_rows = [[Paragraph(str(h), styles["head"]) for h in headers]] + [
            [
                Paragraph(
                    value if key == "missing" else escape(str(value)), styles["cell"]
                )
                for value in row
            ]
            for row in rows
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
            on_progress(
                {"units": 55, "help": 58, "topics": 62, "schools": 75}.get(key, 85)
            )

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(
            12 * mm, 6 * mm, f"SHA-256: {content_hash} · {_('Page')} {doc.page}"
        )
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
