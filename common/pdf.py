"""What every PDF of the product shares: the font, fitting text, drawing a QR code.

ReportLab's built-in fonts have no Vietnamese letters; Roboto (its files are kept
in ``common/fonts/``, so a fresh install needs no system fonts) has them all.
Login cards, data exports, evidence reports and certificates all draw with these.
"""

import functools
from pathlib import Path

import segno
from reportlab.lib.colors import black, white
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "Roboto"
FONT_BOLD = "Roboto-Bold"
QR_BORDER_MODULES = 3


@functools.cache
def register_fonts() -> None:
    """Register Roboto (regular and bold) with ReportLab, once per process."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "Roboto-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "Roboto-Bold.ttf")))


def fit_font_size(
    text: str, font: str, size: float, width: float, minimum: float
) -> float:
    """Return the largest font size up to ``size`` at which ``text`` fits ``width``."""
    while size > minimum and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def draw_qr(
    canvas: Canvas,
    qr: segno.QRCode,
    x: float,
    y: float,
    size: float,
    *,
    border: int = QR_BORDER_MODULES,
) -> None:
    """Draw ``qr`` as vector squares with its lower left corner at (x, y)."""
    matrix = [list(row) for row in qr.matrix]
    count = len(matrix) + 2 * border
    module = size / count
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + border + 1) * module
        column = 0
        # One rectangle per run of dark modules keeps the PDF small and crisp.
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            left = x + (start + border) * module
            # A hair of overlap so no white seam shows between modules.
            canvas.rect(
                left, top, (column - start) * module + 0.05, module + 0.05, 0, 1
            )
