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
