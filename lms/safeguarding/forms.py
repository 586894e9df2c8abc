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


# What a parent or a neighbour reports: about a child, in an adult's words.
CONCERN_CATEGORIES = [
    (HelpCategory.BOTHERED, _("Someone is bothering or bullying a child")),
    (HelpCategory.PHOTOS_OR_MEETING, _("Someone asked a child for photos or to meet")),
    (HelpCategory.UPSETTING, _("A child saw something harmful")),
    (HelpCategory.TRICKED, _("A child was tricked or lost an account")),
    (HelpCategory.OTHER, _("Something else")),
]


class ParentConcernForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What worries you?"),
        choices=CONCERN_CATEGORIES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the one that fits best.")},
    )
    message = forms.CharField(
        label=_("Tell the counsellor more (if you want)"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_LENGTH}),
    )


class CommunityReportForm(forms.Form):
    """The public report: a commune, what happened, the words; and a honeypot.

    ``website`` is hidden from people (and from screen readers); a form that fills
    it is a robot's, and is thanked like anyone else but not kept.
    """

    commune = forms.TypedChoiceField(
        label=_("Commune or ward where the child lives"),
        coerce=int,
        error_messages={"required": _("Choose the commune or ward.")},
    )
    category = forms.ChoiceField(
        label=_("What worries you?"),
        choices=CONCERN_CATEGORIES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the one that fits best.")},
    )
    message = forms.CharField(
        label=_("What did you see or hear?"),
        help_text=_(
            "Where and when, and what could help the child. If you want to be "
            "called back, add your phone number."
        ),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
        error_messages={"required": _("Write what you saw or heard.")},
    )
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "—")] + [
            (unit.pk, unit.name) for unit in communes
        ]
