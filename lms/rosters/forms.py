"""Forms of the roster pages: they check the shape of input, the services the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Class list file"),
        help_text=_(
            "An Excel file (.xlsx) or a CSV file with a column “Họ và tên”. "
            "Other columns, such as birth dates or phone numbers, are not read."
        ),
    )


class RosterConfirmForm(forms.Form):
    """The digest of the preview the teacher saw, to notice a stale preview."""

    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)


class PupilSelectionForm(forms.Form):
    """Some pupils of a class, by id; the service ignores any outside the class."""

    pupil = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, pupil_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].choices = [(str(pk), str(pk)) for pk in pupil_ids]


class PupilIdsField(forms.MultipleChoiceField):
    """Pupil ids as posted; which of them belong to the class is the service's rule.

    (A choice list would turn a foreign id into a form error; the service answers
    it with a 404 and writes nothing, like any other foreign object.)
    """

    def valid_value(self, value) -> bool:
        return str(value).isdigit()

    def clean(self, value) -> list[int]:
        return [int(pk) for pk in super().clean(value)]


class ReturnedSlipsForm(forms.Form):
    """Which signed consent slips came back, who signed them, and the date on them."""

    parent = PupilIdsField(required=False, widget=forms.CheckboxSelectMultiple)
    child = PupilIdsField(required=False, widget=forms.CheckboxSelectMultiple)
    consented_on = forms.DateField(
        label=_("Date on the slips"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RolloverYearsForm(forms.Form):
    """The school year to leave and the one to start (GET: ``tu``, ``den``)."""

    tu = forms.ModelChoiceField(queryset=None, label=_("From school year"))
    den = forms.ModelChoiceField(queryset=None, label=_("To school year"))

    def __init__(self, *args, years=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tu"].queryset = years
        self.fields["den"].queryset = years

    def clean(self):
        cleaned = super().clean()
        source, target = cleaned.get("tu"), cleaned.get("den")
        if source and target and target.starts_on <= source.ends_on:
            raise forms.ValidationError(
                _("The new school year (%(to)s) must start after the old one ends."),
                params={"to": target.name},
                code="years_overlap",
            )
        return cleaned


class RolloverConfirmForm(forms.Form):
    """The preview's digest, and an optional homeroom teacher for each new class."""

    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, steps=(), teachers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose later"))] + [
            (str(teacher.pk), teacher.name) for teacher in teachers
        ]
        for step in steps:
            field = forms.TypedChoiceField(
                label=step.new_name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"teacher_{step.old_id}"] = field

    def homeroom_teachers(self) -> dict[int, int | None]:
        return {
            int(name.removeprefix("teacher_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("teacher_")
        }


class PupilMoveForm(forms.Form):
    """The class of the same school and year a pupil moves to."""

    lop = forms.ModelChoiceField(queryset=None, label=_("New class"))

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lop"].queryset = classes
        self.fields["lop"].label_from_instance = lambda school_class: school_class.name
