"""Run the idempotent CMS setup after every migrate."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import connection

# Apps whose permissions the setup grants; their own post_migrate may not have run
# yet when ours does (INSTALLED_APPS order), so they are created here first.
_PERMISSION_APPS = [
    "contenttypes",
    "content_cms",
    "quizzes",
    "wagtailcore",
    "wagtailimages",
    "wagtaildocs",
    "simple_translation",
]


def cms_setup_after_migrate(sender, using="default", **kwargs) -> None:
    """Set up the CMS once per migrate, on the last app's signal."""
    if sender is not list(apps.get_app_configs())[-1]:
        return
    from content_cms.models import HomePage
    from content_cms.services import cms_setup
    from quizzes.models import Quiz

    tables = set(connection.introspection.table_names())
    if HomePage._meta.db_table not in tables or Quiz._meta.db_table not in tables:
        return  # migrated backwards or partially: nothing to set up yet
    from wagtail.snippets.models import create_extra_permissions

    for label in _PERMISSION_APPS:
        config = apps.get_app_config(label)
        create_contenttypes(config, verbosity=0, using=using)
        create_permissions(config, verbosity=0, using=using)
    create_extra_permissions(apps.get_app_config("quizzes"), using=using)
    cms_setup()
