from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentCmsConfig(AppConfig):
    """What is taught: Wagtail pages for modules and lessons, age bands, topics."""

    name = "content_cms"
    verbose_name = _("Content")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from content_cms.signal_handlers import cms_setup_after_migrate

        # The page tree, the review workflow and Wagtail's page permissions are
        # set up (idempotently) after every migrate.
        post_migrate.connect(
            cms_setup_after_migrate, dispatch_uid="content_cms.cms_setup_after_migrate"
        )
        # Published content kept in the shared cache is forgotten when it changes.
        from content_cms.published import connect_signals

        connect_signals()
