from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Demo and scale data: ``load_demo``, ``generate_scale``, ``demo_logins``."""

    name = "devdata"
    label = "devdata"
