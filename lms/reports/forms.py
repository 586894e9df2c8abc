"""Forms of the reports: the programme rule of a period."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.models import SchoolType


class ProgrammeTargetForm(forms.Form):
    """The two thresholds and the covered grades of one period's rule."""

    school_type = forms.ChoiceField(
        label=_("Applies to"),
        required=False,
        choices=[("", _("Every school"))]
        + [(SchoolType.CARE_FACILITY, SchoolType.CARE_FACILITY.label)],
    )
    min_class_share = forms.DecimalField(
        label=_("Classes given at least one module (minimum %)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    min_pupil_share = forms.DecimalField(
        label=_("Pupils who completed at least one module (minimum %)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    grade_from = forms.IntegerField(label=_("From grade"), min_value=1, max_value=12)
    grade_to = forms.IntegerField(label=_("To grade"), min_value=1, max_value=12)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("grade_from"), cleaned.get("grade_to")
        if first is not None and last is not None and first > last:
            self.add_error(
                "grade_to", _("The last grade cannot be before the first grade.")
            )
        return cleaned
