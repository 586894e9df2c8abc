from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates: issuing rules, PDF rendering, verification, revocation."""

    name = "certificates"
    verbose_name = _("Certificates")
