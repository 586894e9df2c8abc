from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared templates (the base page, icons) and static files for every app."""

    name = "common"
    label = "common"

    def ready(self) -> None:
        # The connection budget's system checks (common/checks.py).
        from common import checks  # noqa: F401
