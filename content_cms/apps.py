from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentCmsConfig(AppConfig):
    """What is taught: Wagtail pages for modules and lessons, age bands, topics."""

    name = "content_cms"
    verbose_name = _("Content")
