"""Forms of the certificates pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.models import BundleKind


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Certificate code"),
        max_length=40,
        help_text=_("The 12 letters and digits printed under the QR code."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_(
            "Kept for the school and the audit log; the public page shows only "
            "that the certificate was revoked, and when."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BundleForm(forms.Form):
    kind = forms.ChoiceField(choices=BundleKind.choices)
