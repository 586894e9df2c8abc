"""Forms of the reports: the programme rule of a period and its required topics."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from content_cms.models import AgeBand, Topic
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


class _NamedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.localized_name


class RequiredTopicForm(forms.Form):
    """One required topic: the age band, the topic, the share of pupils.

    A row left without band and topic is no row (it is left out, as a removed
    one); a row with only one of them is an error.
    """

    age_band = _NamedChoice(
        label=_("Age band"),
        queryset=AgeBand.objects.filter(
            min_grade__isnull=False, max_grade__isnull=False
        ),
        empty_label=_("Choose a band"),
        required=False,
    )
    topic = _NamedChoice(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        empty_label=_("Choose a topic"),
        required=False,
    )
    min_pupil_share = forms.DecimalField(
        label=_("Pupils who completed a module on it (minimum %)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(80),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        band, topic = cleaned.get("age_band"), cleaned.get("topic")
        if bool(band) != bool(topic):
            raise forms.ValidationError(_("Choose both the age band and the topic."))
        if band and cleaned.get("min_pupil_share") is None:
            cleaned["min_pupil_share"] = Decimal(80)
        return cleaned


class _RequiredTopicFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """Return the filled-in rows (blank and removed rows left out)."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("age_band") and not form.cleaned_data.get("DELETE")
        ]


RequiredTopicFormSet = forms.formset_factory(
    RequiredTopicForm,
    formset=_RequiredTopicFormSet,
    extra=3,
    can_delete=True,
    max_num=60,
    validate_max=True,
)
