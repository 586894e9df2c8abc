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
