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
