"""Forms of the learning pages: the shape of input here, the rules in services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WHOLE_CLASS = "class"
GROUP = "group"


def module_choices(module_groups) -> list:
    """Return grouped choices of modules, each labelled with its age bands."""
    return [
        (
            label,
            [
                (
                    page.source_id,
                    f"{page.title} · {page.band_label}"
                    if getattr(page, "band_label", "")
                    else page.title,
                )
                for page in pages
            ],
        )
        for label, pages in module_groups
        if pages
    ]


class AssignmentForm(forms.Form):
    """Give one module to the class or to some of its pupils."""

    module = forms.TypedChoiceField(label=_("Module"), coerce=int)
    opens_on = forms.DateField(
        label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        help_text=_("Optional."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    audience = forms.ChoiceField(
        label=_("For"),
        choices=[
            (WHOLE_CLASS, _("The whole class")),
            (GROUP, _("Only the pupils I choose")),
        ],
        initial=WHOLE_CLASS,
        widget=forms.RadioSelect,
    )
    pupils = forms.TypedMultipleChoiceField(
        label=_("Pupils"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, module_groups=(), pupil_choices=(), **kwargs):
        kwargs.setdefault("initial", {"opens_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = module_choices(module_groups)
        self.fields["pupils"].choices = [
            (enrolment.pupil_id, enrolment.pupil.name) for enrolment in pupil_choices
        ]

    def clean(self):
        data = super().clean()
        if data.get("audience") == GROUP and not data.get("pupils"):
            self.add_error("pupils", _("Choose at least one pupil."))
        if data.get("audience") != GROUP:
            data["pupils"] = []
        return data


class TeachingSessionForm(forms.Form):
    """A lesson taught to the class: the shape here, the rules in ``teaching``.

    Everyone on the roster is present unless ticked in ``absent``. The limits of
    the numbers and dates are checked by the service, which says them in words.
    """

    taught_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    module = forms.TypedChoiceField(
        label=_("Module taught"),
        coerce=int,
        error_messages={
            "invalid_choice": _(
                "This module is not a lesson for pupils: choose one of the "
                "pupils' modules."
            )
        },
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    absent = forms.TypedMultipleChoiceField(
        label=_("Absent"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Some of the pupils named are not in this class.")
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Optional."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    live_session = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, module_groups=(), enrolments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [
            ("", _("Choose a module")),
            *module_choices(module_groups),
        ]
        self.fields["absent"].choices = [
            (enrolment.pupil_id, enrolment.pupil.name) for enrolment in enrolments
        ]


class ParentMeetingForm(forms.Form):
    """A school's meeting with parents on online safety."""

    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    parents_count = forms.IntegerField(
        label=_("Number of parents"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )
    module = forms.TypedChoiceField(
        label=_("Module used"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Optional."),
        error_messages={"invalid_choice": _("This module cannot be chosen.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Optional."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, modules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [
            ("", _("No module")),
            *[
                (
                    page.source_id,
                    f"{page.title} · {page.band_label}"
                    if page.band_label
                    else page.title,
                )
                for page in modules
            ],
        ]
