"""A readable PDF of a pupil's data export, for parents who asked to see it.

Set in Roboto (from ``common/fonts/``) because ReportLab's built-in fonts
have no Vietnamese diacritics. The export is nested (sections holding lists of
records holding lists of answers); each level is indented, fields carry
translated labels, times are shown in local time, and yes/no, empty values and
lists of texts are written out as words rather than as JSON.
"""

from __future__ import annotations

import datetime
import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from common.pdf import FONT, FONT_BOLD, register_fonts
from lms.models import (
    ConsentGiver,
    ConsentMethod,
    HelpCategory,
    HelpStatus,
    HelpWish,
    ProgressStatus,
    Referral,
)
from lms.models.help import HelpActionKind
from quizzes.models import AttemptStatus

SECTION_TITLES = {
    "account": gettext_lazy("Account"),
    "enrolments": gettext_lazy("Classes"),
    "consent_records": gettext_lazy("Consent"),
    "help_requests": gettext_lazy("Help requests"),
    "assignments": gettext_lazy("Modules given to the pupil"),
    "learning_records": gettext_lazy("Learning records"),
    "live_games": gettext_lazy("Live classroom games"),
    "certificates": gettext_lazy("Certificates"),
}

# Field labels, by key; "parent.key" wins over "key" where one key means two
# things (time in a module is reading time, in an attempt answering time).
FIELD_LABELS = {
    # account, classes, consent
    "username": gettext_lazy("Username"),
    "display_name": gettext_lazy("display name"),
    "preferred_language": gettext_lazy("preferred language"),
    "is_active": gettext_lazy("account active"),
    "date_joined": gettext_lazy("date joined"),
    "last_login": gettext_lazy("last sign-in"),
    "has_login_card": gettext_lazy("has a login card"),
    "school": gettext_lazy("school"),
    "class": gettext_lazy("class"),
    "grade": gettext_lazy("grade"),
    "school_year": gettext_lazy("school year"),
    "roster_number": gettext_lazy("roster number"),
    "enrolled_on": gettext_lazy("enrolled on"),
    "left_on": gettext_lazy("left on"),
    "given_by": gettext_lazy("given by"),
    "method": gettext_lazy("method"),
    "notice_version": gettext_lazy("notice version"),
    "consented_on": gettext_lazy("consented on"),
    "withdrawn_at": gettext_lazy("withdrawn at"),
    # help requests
    "category": gettext_lazy("category"),
    "message": gettext_lazy("message"),
    "wants_to_talk_to": gettext_lazy("wants to talk to"),
    "sent_at": gettext_lazy("sent at"),
    "acknowledged_at": gettext_lazy("acknowledged at"),
    "closed_at": gettext_lazy("closed at"),
    "actions": gettext_lazy("actions"),
    "kind": gettext_lazy("kind"),
    "referral": gettext_lazy("Referral"),
    "note": gettext_lazy("note"),
    "at": gettext_lazy("at"),
    # modules given
    "module": gettext_lazy("module"),
    "given_to": gettext_lazy("given to"),
    "opens_on": gettext_lazy("opens on"),
    "due_on": gettext_lazy("due on"),
    "assigned_at": gettext_lazy("given at"),
    # learning records
    "modules": gettext_lazy("modules"),
    "status": gettext_lazy("status"),
    "modules.time_spent_seconds": gettext_lazy("time spent (s)"),
    "time_spent_seconds": gettext_lazy("time spent (seconds)"),
    "best_score_percent": gettext_lazy("best score (%)"),
    "quiz_attempts_counted": gettext_lazy("quiz attempts counted"),
    "started_at": gettext_lazy("started at"),
    "completed_at": gettext_lazy("completed at"),
    "passed_at": gettext_lazy("passed at"),
    "last_activity_at": gettext_lazy("last activity"),
    "sections_read": gettext_lazy("sections read"),
    "number": gettext_lazy("Number"),
    "title": gettext_lazy("title"),
    "quiz_attempts": gettext_lazy("quiz attempts"),
    "quiz": gettext_lazy("quiz"),
    "version": gettext_lazy("version"),
    "context": gettext_lazy("context"),
    "live_game": gettext_lazy("live classroom game"),
    "submitted_at": gettext_lazy("submitted at"),
    "score_percent": gettext_lazy("score (%)"),
    "points": gettext_lazy("points"),
    "max_points": gettext_lazy("maximum points"),
    "passed": gettext_lazy("passed"),
    "answers": gettext_lazy("answers"),
    "question": gettext_lazy("question"),
    "chosen": gettext_lazy("chosen"),
    "order": gettext_lazy("order given"),
    "correct": gettext_lazy("correct"),
    "answered_at": gettext_lazy("answered at"),
    "changed_later": gettext_lazy("changed later"),
    # live classroom games
    "session": gettext_lazy("game"),
    "played_at": gettext_lazy("played at"),
    "nickname": gettext_lazy("nickname"),
    "team": gettext_lazy("team"),
    "score": gettext_lazy("score"),
    "right_answers": gettext_lazy("right answers"),
    "answered": gettext_lazy("questions answered"),
    "removed_by_host": gettext_lazy("removed by the host"),
    "joined_at": gettext_lazy("joined at"),
    "question_index": gettext_lazy("question index"),
    "choice_ids": gettext_lazy("chosen choice ids"),
    # certificates
    "code": gettext_lazy("code"),
    "name": gettext_lazy("name"),
    "achievement": gettext_lazy("Achievement"),
    "achievement_en": gettext_lazy("achievement (English)"),
    "issuer": gettext_lazy("issuer"),
    "issued_at": gettext_lazy("issued at"),
    "revoked_at": gettext_lazy("revoked at"),
}

# Codes written as words, by "parent.key" (the JSON keeps the codes).
VALUE_LABELS = {
    "consent_records.given_by": dict(ConsentGiver.choices),
    "consent_records.method": dict(ConsentMethod.choices),
    "modules.status": dict(ProgressStatus.choices),
    "quiz_attempts.status": dict(AttemptStatus.choices),
    "help_requests.category": dict(HelpCategory.choices),
    "help_requests.status": dict(HelpStatus.choices),
    "help_requests.wants_to_talk_to": dict(HelpWish.choices),
    "actions.kind": dict(HelpActionKind.choices),
    "actions.referral": dict(Referral.choices),
    "assignments.given_to": {
        "class": gettext_lazy("the whole class"),
        "group": gettext_lazy("a group of pupils"),
    },
}

# A record in a list is headed by the first of its fields that is one of these
# (then not repeated among its fields): "2. Bí mật của em" reads better than "#2".
TITLE_KEYS = ("module", "quiz", "question", "achievement", "school")

# Lists whose order is the content (an ordering question's answer): numbered.
NUMBERED_LISTS = {"order"}

# A record of a few plain values fits on one line ("• Number: 2 · Title: ...").
ONE_LINE_FIELDS = 3

EMPTY = "—"


def _label(key: str, parent: str | None) -> str:
    label = FIELD_LABELS.get(f"{parent}.{key}") or FIELD_LABELS.get(key)
    return capfirst(str(label) if label else key.replace("_", " "))


def _moment(key: str, value: str) -> str | None:
    """Return an ISO time or date as people write it, for ``*_at``/``*_on`` keys."""
    try:
        if key.endswith("_at") or key in {"date_joined", "last_login", "at"}:
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%d/%m/%Y %H:%M")
        if key.endswith("_on"):
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return None
    return None


def _scalar(value: Any, key: str = "") -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        return _moment(key, value) or value
    return str(value)


def _field_value(value: Any, key: str, parent: str | None) -> str:
    words = VALUE_LABELS.get(f"{parent}.{key}", {})
    return str(words[value]) if value in words else _scalar(value, key)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


Line = tuple[int, str, bool]  # indent, text, bold


def _record_lines(record: dict, indent: int, parent: str | None) -> list[Line]:
    lines: list[Line] = []
    for key, item in record.items():
        label = _label(key, parent)
        if _is_scalar(item) or not item:
            text = _field_value(item, key, parent) if _is_scalar(item) else EMPTY
            lines.append((indent, f"{label}: {text}", False))
        elif isinstance(item, list) and all(_is_scalar(value) for value in item):
            lines.append((indent, f"{label}:", False))
            for number, value in enumerate(item, start=1):
                mark = f"{number}." if key in NUMBERED_LISTS else "•"
                lines.append((indent + 1, f"{mark} {_scalar(value, key)}", False))
        else:
            lines.append((indent, f"{label}:", True))
            lines.extend(_lines(item, indent + 1, key))
    return lines


def _list_item_lines(record: dict, number: int, indent: int, parent) -> list[Line]:
    if len(record) <= ONE_LINE_FIELDS and all(map(_is_scalar, record.values())):
        fields = " · ".join(
            f"{_label(key, parent)}: {_field_value(value, key, parent)}"
            for key, value in record.items()
        )
        return [(indent, f"• {fields}", False)]
    title_key = next(
        (key for key, value in record.items() if key in TITLE_KEYS and value), None
    )
    heading = f"{number}."
    if title_key is not None and _is_scalar(record[title_key]):
        heading = f"{number}. {_scalar(record[title_key], title_key)}"
        record = {key: value for key, value in record.items() if key != title_key}
    return [(indent, heading, True), *_record_lines(record, indent + 1, parent)]


def _lines(value: Any, indent: int = 0, parent: str | None = None) -> list[Line]:
    """Return the lines of one export value, nested values indented."""
    if isinstance(value, dict):
        return (
            _record_lines(value, indent, parent) if value else [(indent, EMPTY, False)]
        )
    if isinstance(value, list):
        if not value:
            return [(indent, EMPTY, False)]
        lines: list[Line] = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, dict):
                lines.extend(_list_item_lines(item, number, indent, parent))
            elif isinstance(item, list):
                lines.append((indent, f"{number}.", True))
                lines.extend(_lines(item, indent + 1, parent))
            else:
                lines.append((indent, f"{number}. {_scalar(item)}", False))
        return lines
    return [(indent, _scalar(value, parent or ""), False)]


def pupil_data_pdf(*, data: dict[str, Any], title: str) -> bytes:
    """Render an export (``pupil_data_export``'s dict) as a PDF, section by section."""
    register_fonts()
    styles = getSampleStyleSheet()
    body = styles["BodyText"].clone("body", fontName=FONT, fontSize=10, leading=13)
    heading = styles["Heading2"].clone("heading", fontName=FONT_BOLD)
    big = styles["Title"].clone("title", fontName=FONT_BOLD)
    line_styles: dict[tuple[int, bool], Any] = {}

    def line_style(indent: int, bold: bool):
        if (indent, bold) not in line_styles:
            line_styles[indent, bold] = body.clone(
                f"body{indent}{'b' if bold else ''}",
                leftIndent=indent * 5 * mm,
                fontName=FONT_BOLD if bold else FONT,
                spaceBefore=1.5 * mm if bold else 0,
            )
        return line_styles[indent, bold]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm
    )
    story = [Paragraph(escape(title), big)]
    for key, value in data.items():
        if key == "exported_at":
            moment = _scalar(value, key)
            story.append(Paragraph(escape(f"{_('Exported at')}: {moment}"), body))
            continue
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(escape(str(SECTION_TITLES.get(key, key))), heading))
        for indent, text, bold in _lines(value, parent=key):
            story.append(Paragraph(escape(text), line_style(indent, bold)))
    document.build(story)
    return buffer.getvalue()
