"""The printable worksheet of a lesson: A4 PDF drawn from the lesson's own block.

A module's ``printable_worksheet`` block (title, instructions, up to six tasks, each
perhaps with one of the lesson's pictures) is drawn on request in the page's
language, so the sheet always matches the lesson. Big type and big boxes: the
sheet is for six- and seven-year-olds with a pencil; the teacher reads each task
aloud. The pictures are the curriculum's own SVGs, drawn as vector shapes.
"""

from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from common.pdf import FONT, FONT_BOLD, register_fonts
from content_cms.curriculum.pictures import picture_draw

MARGIN = 16 * mm
TEXT_SIZE = 15
LEADING = 20
INK = HexColor("#1f2a37")
GREEN = HexColor("#1b7f3b")
ORANGE = HexColor("#b45309")
FACE_FILL = HexColor("#fff4c2")


def worksheet_block(page):
    """Return the value of the module's printable worksheet block, or None."""
    for section in page.lessons:
        for child in section.value["content"]:
            if child.block_type == "printable_worksheet":
                return child.value
    return None


class _Sheet:
    """A canvas with a cursor that moves down the page and starts a new one."""

    def __init__(self, canvas: Canvas, footer: str):
        self.canvas = canvas
        self.footer = footer
        self.width, self.height = A4
        self.inner = self.width - 2 * MARGIN
        self.top()

    def top(self):
        self.y = self.height - MARGIN

    def need(self, height: float):
        if self.y - height < MARGIN + 10 * mm:
            self.finish_page()
            self.canvas.showPage()
            self.top()

    def finish_page(self):
        self.canvas.setFont(FONT, 10)
        self.canvas.setFillColor(INK)
        self.canvas.drawString(MARGIN, MARGIN - 4 * mm, self.footer)

    def lines(self, text: str, *, font=FONT, size=TEXT_SIZE, indent=0.0):
        wrapped = simpleSplit(text, font, size, self.inner - indent)
        self.need(len(wrapped) * (size + 5))
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(INK)
        for line in wrapped:
            self.y -= size + 5
            self.canvas.drawString(MARGIN + indent, self.y, line)


def _face(canvas: Canvas, x: float, y: float, radius: float, happy: bool):
    """Draw a smiling or a sad face (no words needed to tell them apart)."""
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(2)
    canvas.setFillColor(FACE_FILL)
    canvas.circle(x, y, radius, stroke=1, fill=1)
    canvas.setFillColor(INK)
    for dx in (-radius * 0.35, radius * 0.35):
        canvas.circle(x + dx, y + radius * 0.25, radius * 0.09, stroke=0, fill=1)
    path = canvas.beginPath()
    left, right = x - radius * 0.45, x + radius * 0.45
    if happy:
        path.moveTo(left, y - radius * 0.2)
        path.curveTo(
            left, y - radius * 0.65, right, y - radius * 0.65, right, y - radius * 0.2
        )
    else:
        path.moveTo(left, y - radius * 0.5)
        path.curveTo(
            left, y - radius * 0.1, right, y - radius * 0.1, right, y - radius * 0.5
        )
    canvas.drawPath(path, stroke=1, fill=0)


def _task(sheet: _Sheet, number: int, task) -> None:
    canvas = sheet.canvas
    picture = task.get("image")
    kind = task["kind"]
    body = {"faces": 44 * mm, "tick": 0, "draw": 62 * mm}[kind]
    options = list(task.get("options") or [])
    body += len(options) * 12 * mm
    sheet.need(2 * LEADING + body)
    sheet.y -= 4 * mm
    sheet.lines(f"{number}. {task['text']}", font=FONT_BOLD)
    sheet.y -= 3 * mm
    if kind == "faces":
        box = 40 * mm
        if picture is not None:
            with picture.open_file() as file:
                picture_draw(canvas, file.read(), MARGIN, sheet.y - box, box * 1.4, box)
            canvas.setStrokeColor(INK)
            canvas.setLineWidth(1)
            canvas.roundRect(MARGIN, sheet.y - box, box * 1.4, box, 6, stroke=1, fill=0)
        middle = sheet.y - box / 2
        for offset, happy, label, colour in (
            (0, True, _("Do this"), GREEN),
            (38 * mm, False, _("Do not do this"), ORANGE),
        ):
            x = MARGIN + box * 1.4 + 22 * mm + offset
            _face(canvas, x, middle + 4 * mm, 13 * mm, happy)
            canvas.setFont(FONT_BOLD, 12)
            canvas.setFillColor(colour)
            canvas.drawCentredString(x, middle - 14 * mm, label)
        sheet.y -= box + 4 * mm
    elif kind == "draw":
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1.5)
        canvas.setFillColor(white)
        canvas.roundRect(MARGIN, sheet.y - 60 * mm, sheet.inner, 60 * mm, 8, 1, 0)
        sheet.y -= 62 * mm
    for option in options:
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1.5)
        canvas.rect(MARGIN + 4 * mm, sheet.y - 9 * mm, 7 * mm, 7 * mm, stroke=1)
        canvas.setFont(FONT, TEXT_SIZE)
        canvas.setFillColor(black)
        canvas.drawString(MARGIN + 15 * mm, sheet.y - 7.5 * mm, option)
        sheet.y -= 12 * mm


def worksheet_pdf(*, page, sheet_value) -> bytes:
    """Return the worksheet PDF of a module page, in the page's language."""
    register_fonts()
    buffer = BytesIO()
    with translation.override(page.locale.language_code):
        canvas = Canvas(buffer, pagesize=A4)
        canvas.setTitle(f"{sheet_value['title']} · {page.title}")
        footer = _(
            "Worried or scared? Tell an adult who looks after you, or call "
            "%(hotline)s (free, day and night)."
        ) % {"hotline": getattr(settings, "CHILD_HOTLINE", "111")}
        sheet = _Sheet(canvas, footer)
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 22)
        sheet.y -= 22
        canvas.drawString(MARGIN, sheet.y, sheet_value["title"])
        sheet.lines(page.title, size=12)
        sheet.y -= 6 * mm
        canvas.setFont(FONT, 13)
        canvas.drawString(MARGIN, sheet.y, _("Name") + ": " + "." * 60)
        canvas.drawString(
            MARGIN + sheet.inner * 0.72, sheet.y, _("Class") + ": " + "." * 12
        )
        sheet.y -= 4 * mm
        sheet.lines(sheet_value["intro"])
        for number, task in enumerate(sheet_value["tasks"], start=1):
            _task(sheet, number, task)
        sheet.finish_page()
        canvas.save()
    return buffer.getvalue()
