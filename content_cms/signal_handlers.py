"""Run the idempotent CMS setup after every migrate."""

from django.apps import apps
from django.db import connection

from common.migrate import is_last_post_migrate, permissions_ensure

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
    if not is_last_post_migrate(sender):
        return
    from content_cms.models import HomePage
    from content_cms.services import cms_setup
    from quizzes.models import Quiz

    tables = set(connection.introspection.table_names())
    if HomePage._meta.db_table not in tables or Quiz._meta.db_table not in tables:
        return  # migrated backwards or partially: nothing to set up yet
    from wagtail.snippets.models import create_extra_permissions

    permissions_ensure(_PERMISSION_APPS, using=using)
    create_extra_permissions(apps.get_app_config("quizzes"), using=using)
    cms_setup()
