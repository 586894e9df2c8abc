"""Charts people read at a glance, as server-rendered inline SVG geometry.

No chart library and no script: the templates draw rectangles from these
numbers, label every bar with its value in text, and show the same numbers in a
table right below (``lms/templates/lms/reports/_chart_*.html``).
"""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 22
BAR_GAP = 10
LABEL_WIDTH = 170
PLOT_WIDTH = 260
VALUE_WIDTH = 60
SERIES_HEIGHT = 160
SERIES_BAR_WIDTH = 36
SERIES_GAP = 24


@dataclass
class Bar:
    label: str
    value: float | None
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float

    @property
    def value_text(self) -> str:
        return "—" if self.value is None else f"{self.value:g}%"


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    baseline_y: float = 0
    # Characters of a label that fit left of the bars (the table has them whole).
    label_chars: int = 26
    plot_width: int = PLOT_WIDTH


def horizontal_bars(
    items: list[tuple[str, float | None]], *, label_width: int = LABEL_WIDTH
) -> Chart:
    """Lay out one horizontal bar per item, 0-100 %, label left, value right."""
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = PLOT_WIDTH * max(0.0, min(100.0, value or 0)) / 100
        bars.append(
            Bar(
                label=label,
                value=value,
                x=label_width,
                y=y,
                width=round(width, 1),
                height=BAR_HEIGHT,
                text_x=label_width + round(width, 1) + 6,
                text_y=y + BAR_HEIGHT * 0.7,
            )
        )
    height = max(1, len(items)) * (BAR_HEIGHT + BAR_GAP)
    return Chart(
        width=label_width + PLOT_WIDTH + VALUE_WIDTH,
        height=height,
        bars=bars,
        label_width=label_width,
        label_chars=label_width * 26 // LABEL_WIDTH,
    )


def bar_series(items: list[tuple[str, float | None]]) -> Chart:
    """Lay out one vertical bar per period, 0-100 %, value above, label below."""
    bars = []
    top = 18
    for index, (label, value) in enumerate(items):
        x = SERIES_GAP + index * (SERIES_BAR_WIDTH + SERIES_GAP)
        height = SERIES_HEIGHT * max(0.0, min(100.0, value or 0)) / 100
        y = top + SERIES_HEIGHT - height
        bars.append(
            Bar(
                label=label,
                value=value,
                x=x,
                y=round(y, 1),
                width=SERIES_BAR_WIDTH,
                height=round(height, 1),
                text_x=x + SERIES_BAR_WIDTH / 2,
                text_y=round(y - 4, 1),
            )
        )
    width = SERIES_GAP + max(1, len(items)) * (SERIES_BAR_WIDTH + SERIES_GAP)
    return Chart(
        width=width,
        height=top + SERIES_HEIGHT + 34,
        bars=bars,
        baseline_y=top + SERIES_HEIGHT,
    )
