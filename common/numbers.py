"""Numbers as people read them: one way to write a percentage everywhere.

Vietnamese writes a decimal comma ("12,5%"), English a point ("12.5%"). Pages,
sentences built in Python (a report's reasons and rules) and exports all use
``percent_text`` (or ``decimal_text`` where a translation holds the sign), so a
page never mixes "12.5%" with "4,8%". The language is the active one
(``django.utils.formats``, with the project's formats in ``config/formats/``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

NO_VALUE = "—"


def decimal_text(value, *, decimals: int = 1) -> str:
    """Return ``value`` as "12,5" / "12.5": rounded half up to ``decimals``
    places, trailing zeros dropped ("80", not "80,0"); None is a dash.

    For sentences whose translation writes the percent sign itself
    ("%(share)s%%"); elsewhere ``percent_text``.
    """
    if value is None or value == "":
        return NO_VALUE
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return NO_VALUE
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        places = 0
    else:
        places = max(0, -rounded.normalize().as_tuple().exponent)
    return number_format(rounded, decimal_pos=places, use_l10n=True)


def percent_text(value, *, decimals: int = 1) -> str:
    """Return ``value`` (a percentage: 12.5 for 12.5 %) as "12,5%" / "12.5%"."""
    text = decimal_text(value, decimals=decimals)
    return text if text == NO_VALUE else f"{text}%"
