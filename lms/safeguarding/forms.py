"""Forms of the help flow: validate input, nothing else (services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.models import (
    HelpCategory,
    HelpDeadlines,
    HelpOutcome,
    HelpStatus,
    HelpWish,
    Referral,
)
from lms.models.help import ACTION_KINDS, MESSAGE_MAX_LENGTH, HelpActionKind


class HelpRequestForm(forms.Form):
    """What a pupil tells: what happened, optional words, who to talk to."""

    category = forms.ChoiceField(
        label=_("What happened?"),
        choices=HelpCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the one that fits best.")},
    )
    message = forms.CharField(
        label=_("Do you want to tell us more?"),
        help_text=_("You don't have to write anything. A few words are enough."),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_LENGTH}),
    )
    wants_to_talk_to = forms.ChoiceField(
        label=_("Who would you like to talk to?"),
        choices=HelpWish.choices,
        initial=HelpWish.EITHER,
        required=False,
        widget=forms.RadioSelect,
    )


class HelpActionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What was done"),
        choices=[(kind.value, kind.label) for kind in ACTION_KINDS],
        initial=HelpActionKind.TALKED,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    referral = forms.ChoiceField(
        label=_("Referred to"),
        required=False,
        choices=[("", "—"), *Referral.choices],
    )


class HelpStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(v, label) for v, label in HelpStatus.choices if v != HelpStatus.NEW],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome (needed to close)"),
        required=False,
        choices=[("", "—"), *HelpOutcome.choices],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HelpDeadlinesForm(forms.ModelForm):
    """A province's deadlines; the model's validators bound them."""

    class Meta:
        model = HelpDeadlines
        fields = ["serious_hours", "other_school_days"]
