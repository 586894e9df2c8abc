from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates: issuing rules, PDF rendering, verification, revocation."""

    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from certificates.services import (
            certificates_erase,
            certificates_export,
            on_module_completed,
        )
        from lms.safeguarding import data_rights
        from lms.signals import module_completed

        # Issue inside the completing transaction (lms sends the event in it).
        module_completed.connect(
            on_module_completed, dispatch_uid="certificates.issue_on_completion"
        )
        # A pupil's export lists their certificates; erasure revokes them and
        # removes the printed name. Guarded so a second ready() adds nothing.
        if certificates_export not in data_rights.PUPIL_DATA_EXPORTERS:
            data_rights.PUPIL_DATA_EXPORTERS.append(certificates_export)
        if certificates_erase not in data_rights.PUPIL_DATA_ERASERS:
            data_rights.PUPIL_DATA_ERASERS.append(certificates_erase)
