"""Forms of the certificates pages."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from certificates.models import BundleKind, CertificateSignature
from certificates.selectors import signature_provinces_for


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


SIGNATURE_IMAGE_MAX_BYTES = 1024 * 1024


class CertificateSignatureForm(WagtailAdminModelForm):
    """A province's signature block; the province is one the person may set."""

    class Meta:
        model = CertificateSignature
        fields = [
            "province",
            "issuer",
            "place",
            "signer_title",
            "signer_title_en",
            "signer_name",
            "signature_image",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = signature_provinces_for(self.for_user)
        if self.instance.pk:
            # The province of a block does not change: it is what the block is for.
            del self.fields["province"]
        else:
            self.fields["province"].queryset = provinces.filter(
                certificate_signature__isnull=True
            )

    def validate_unique(self):
        pass  # the service says "this province has one already" in its own words

    def clean_signature_image(self):
        image = self.cleaned_data.get("signature_image")
        if not image or not hasattr(image, "content_type"):
            return image  # unchanged, or cleared
        if image.size > SIGNATURE_IMAGE_MAX_BYTES:
            raise forms.ValidationError(_("The image is larger than 1 MB."))
        kind = (getattr(getattr(image, "image", None), "format", "") or "").upper()
        if kind not in {"PNG", "JPEG"}:
            raise forms.ValidationError(_("Upload a PNG or JPEG image."))
        return image
