"""What set-up code run after ``migrate`` shares.

Django sends ``post_migrate`` once for every installed app *that has a models
module*; an app without one (``csp``, ``common``, ``devdata``) gets no signal. Set-up
that needs every app's tables and permissions runs on the last signal of a migrate,
so "last" must be the last app with models, whatever happens to be installed last.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes


def is_last_post_migrate(app_config) -> bool:
    """Tell whether ``app_config``'s ``post_migrate`` is the last of this migrate."""
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    return bool(with_models) and app_config is with_models[-1]


def permissions_ensure(app_labels, *, using: str = "default") -> None:
    """Create the content types and permissions of ``app_labels`` now.

    Each app's own ``post_migrate`` creates them, but receivers run in the order
    they were connected, so on the last signal some may not exist yet.
    """
    for label in app_labels:
        config = apps.get_app_config(label)
        create_contenttypes(config, verbosity=0, using=using)
        create_permissions(config, verbosity=0, using=using)
