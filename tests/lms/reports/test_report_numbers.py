"""(Goes with the lms/reports/rules.py patch.) A school's reason and rule speak with
decimal commas in Vietnamese and points in English, like the tables beside them."""

from decimal import Decimal

from django.utils import translation

from lms.reports.rules import Rule, SchoolFigures


def test_the_reason_and_the_rule_write_shares_in_the_language_of_the_page():
    rule = Rule(
        min_class_share=Decimal("92.5"),
        min_pupil_share=Decimal("80"),
        grade_from=1,
        grade_to=5,
    )
    figures = SchoolFigures(
        classes=8, classes_assigned=1, pupils=250, pupils_completed=12, rule=rule
    )
    with translation.override("vi"):
        reason, described = figures.reason, rule.describe()
    assert "12,5" in reason and "4,8" in reason and "92,5" in reason
    assert "12.5" not in reason and "92.5" not in described
    assert "92,5" in described
    with translation.override("en"):
        assert "(12.5%, target 92.5%)" in figures.reason
