"""Percentages are written one way: a decimal comma in Vietnamese, a point in
English, whether a page, a sentence made in Python or an export writes them."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from common.numbers import decimal_text, percent_text


@pytest.mark.parametrize(
    ("value", "vietnamese", "english"),
    [
        (12.5, "12,5%", "12.5%"),
        (4.8, "4,8%", "4.8%"),
        (80.0, "80%", "80%"),
        (Decimal("66.666"), "66,7%", "66.7%"),
        (Decimal("0.05"), "0,1%", "0.1%"),
        (100, "100%", "100%"),
        (None, "—", "—"),
    ],
)
def test_a_percentage_has_a_decimal_comma_in_vietnamese_and_a_point_in_english(
    value, vietnamese, english
):
    with translation.override("vi"):
        assert percent_text(value) == vietnamese
    with translation.override("en"):
        assert percent_text(value) == english


def test_pages_use_the_same_helper_as_python():
    template = Template("{% load common_site %}{{ share|percent }} {{ other|percent }}")
    with translation.override("vi"):
        text = template.render(Context({"share": 12.5, "other": Decimal("4.8")}))
    assert text == "12,5% 4,8%"


def test_a_sentence_that_holds_the_sign_gets_the_same_number():
    with translation.override("vi"):
        assert decimal_text(12.5) == "12,5"
        assert decimal_text(Decimal("92.50")) == "92,5"
        assert decimal_text(80) == "80"
    with translation.override("en"):
        assert decimal_text(12.5) == "12.5"
