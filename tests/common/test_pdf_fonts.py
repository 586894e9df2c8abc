"""The PDFs' Roboto comes from the project's own files, not from a PyPI package."""

import subprocess
import sys
from pathlib import Path

from common.pdf import FONTS_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_the_font_files_and_their_licence_are_in_the_repository():
    assert FONTS_DIR == ROOT / "common" / "fonts"
    for name in ("Roboto-Regular.ttf", "Roboto-Bold.ttf"):
        # TrueType files start with the version 1.0 tag.
        assert (FONTS_DIR / name).read_bytes()[:4] == b"\x00\x01\x00\x00"
    licence = (FONTS_DIR / "LICENSE.txt").read_text()
    assert "Apache License" in licence
    assert "Version 2.0" in licence


def test_fonts_register_and_draw_without_the_font_roboto_package():
    """A fresh interpreter where ``import font_roboto`` fails still makes a PDF."""
    script = """
import io, sys
sys.modules["font_roboto"] = None  # any import of it now raises ImportError
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from common.pdf import FONT, FONT_BOLD, register_fonts
register_fonts()
canvas = Canvas(io.BytesIO())
canvas.setFont(FONT_BOLD, 12)
canvas.drawString(10, 10, "Nguyễn Thị Ánh Tuyết")
canvas.save()
print(pdfmetrics.getFont(FONT).face.filename)
print(pdfmetrics.getFont(FONT_BOLD).face.filename)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        str(FONTS_DIR / "Roboto-Regular.ttf"),
        str(FONTS_DIR / "Roboto-Bold.ttf"),
    ]
