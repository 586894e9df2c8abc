import importlib

import pytest


@pytest.fixture(autouse=True)
def default_issuing_rules(request):
    """Put back the seeded issuing rules a transactional test's flush removed.

    The seed migration runs once per test database; another worker's
    ``transaction=True`` test empties the tables afterwards. Production never
    re-creates a rule an administrator removed, so this stays a test fixture.
    """
    if "db" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    from django.apps import apps

    request.getfixturevalue("db")
    seed = importlib.import_module("certificates.migrations.0002_default_rules")
    seed.create_default_rules(apps, None)
