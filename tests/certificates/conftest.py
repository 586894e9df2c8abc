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


@pytest.fixture
def certificate():
    """A pupil's certificate for passing one module (the only rule in force)."""
    from certificates.models import Certificate, RuleKind
    from tests.certificates.helpers import demo_like_pupil, only_rules
    from tests.lms.learning_helpers import learning_module, take_quiz

    only_rules(RuleKind.MODULE_PASSED)
    pupil = demo_like_pupil()
    take_quiz(pupil, learning_module(title="Bí mật của em"))
    return Certificate.objects.get(user=pupil)
