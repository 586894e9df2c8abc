"""The province's certificate signature block in the Wagtail admin (/cms/).

Province officers set their province's (the place and date line, the signer's
title and name, the signature with the seal); platform administrators any
province's. The screen reads through ``certificates.selectors`` (a foreign
province's block answers 404, like every organisation screen of
``lms.people.admin.scoped``) and writes through
``certificates.services.certificate_signature_save`` (audit-logged). Nothing is
deleted here: a block is changed, and certificates keep the one they were issued
with.
"""

from django.utils.translation import gettext_lazy
from wagtail import hooks

from certificates import selectors, services
from certificates.errors import CertificateError
from certificates.forms import CertificateSignatureForm
from certificates.models import CertificateSignature
from lms.people.admin.scoped import ScopedCreateView, ScopedEditView, ScopedModelViewSet


class SignatureFormMixin:
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except CertificateError as error:
            form.add_error(None, str(error.message))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class SignatureCreateView(SignatureFormMixin, ScopedCreateView):
    def save_through_service(self, data):
        return services.certificate_signature_save(actor=self.request.user, data=data)


class SignatureEditView(SignatureFormMixin, ScopedEditView):
    def save_through_service(self, data):
        return services.certificate_signature_save(
            actor=self.request.user, data=data, signature=self.stored
        )


class CertificateSignatureViewSet(ScopedModelViewSet):
    model = CertificateSignature
    url_prefix = "certificates/signatures"
    url_namespace = "certificate_signatures"
    menu_name = "certificate-signatures"
    icon = "doc-full"
    menu_label = gettext_lazy("Certificate signature")
    menu_order = 900
    add_to_admin_menu = True
    list_scope = staticmethod(selectors.signatures_managed_by)
    change_scope = staticmethod(selectors.signatures_managed_by)
    list_select_related = ("province",)
    form_class = CertificateSignatureForm
    add_view_class = SignatureCreateView
    edit_view_class = SignatureEditView
    list_display = ["province", "signer_title", "signer_name", "place"]
    search_fields = None
    ordering = ["province__name"]
    inspect_view_fields = [
        "province",
        "issuer",
        "place",
        "signer_title",
        "signer_title_en",
        "signer_name",
        "signature_image",
    ]


@hooks.register("register_admin_viewset")
def register_certificate_signature_admin():
    return CertificateSignatureViewSet()
