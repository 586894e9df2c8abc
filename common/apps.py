from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared templates (the base page, icons) and static files for every app."""

    name = "common"
    label = "common"
