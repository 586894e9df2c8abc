"""The pages a pupil opens most, in a bounded number of queries.

Home, a module section and the quiz question page are what a class opens every
10-20 s in a lesson (docs/performance.md, "Capacity of a school day"). Counted on
a warm cache, as a lesson sees them: the first pupil of a class fills the shared
caches (published content), the others read them.

Sessions are kept as production keeps them: in the cache (Redis in production,
``SESSION_ENGINE`` cache backend in config/settings/base.py; here the test's
local-memory cache), so reading and saving the session is no database query.
Every other query counts.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import SchoolClassFactory, make_pupil
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    section,
)

pytestmark = pytest.mark.django_db

HOT_PAGE_QUERIES = 5


@pytest.fixture(autouse=True)
def _sessions_in_the_cache(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"


@pytest.fixture
def module():
    return learning_module(sections=3)


@pytest.fixture
def school_class():
    allow_learning_records()
    return SchoolClassFactory(grade=4)


def pupil_client(school_class) -> Client:
    client = Client()
    client.force_login(make_pupil(school_class))
    return client


def queries_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]


def warm(url, school_class):
    """A classmate opens the page first (shared caches are filled)."""
    pupil_client(school_class).get(url)


def quiz_question_url(client, module) -> str:
    """Start the module's quiz as a pupil does; return their question page."""
    started = client.post(f"/hoc/{module.pk}/bai-kiem-tra/")
    assert started.status_code == 302, started.status_code
    assert started.url.startswith("/bai-kiem-tra/"), started.url
    return started.url


@pytest.mark.parametrize("url", ["/app/", "section-1", "section-2"])
def test_home_and_sections_take_at_most_five_queries(url, module, school_class):
    if url.startswith("section"):
        url = f"/hoc/{module.pk}/phan/{url.removeprefix('section-')}/"
    warm(url, school_class)
    client = pupil_client(school_class)
    client.get(url)  # the pupil's own first visit may write progress
    found = queries_of(client, url)
    assert len(found) <= HOT_PAGE_QUERIES, "\n".join(q[:160] for q in found)


def test_the_quiz_question_page_takes_at_most_five_queries(module, school_class):
    classmate = pupil_client(school_class)
    warm(quiz_question_url(classmate, module), school_class)
    client = pupil_client(school_class)
    url = quiz_question_url(client, module)
    client.get(url)
    found = queries_of(client, url)
    assert len(found) <= HOT_PAGE_QUERIES, "\n".join(q[:160] for q in found)


def test_a_new_revision_is_read_on_the_next_request(module, school_class):
    url = f"/hoc/{module.pk}/phan/0/"
    client = pupil_client(school_class)
    assert "Lời khuyên số 1." in client.get(url).content.decode()
    page = module.get_latest_revision_as_object()
    page.lessons = [
        section("Mới", "Điều mới."),
        section("Hai", "Hai."),
        section("Ba", "Ba."),
    ]
    page.save_revision().publish()
    shown = client.get(url).content.decode()
    assert "Điều mới." in shown
    assert "Lời khuyên số 1." not in shown


def test_an_unpublished_module_is_no_longer_served(module, school_class):
    url = f"/hoc/{module.pk}/phan/1/"
    client = pupil_client(school_class)
    assert client.get(url).status_code == 200
    module.unpublish()
    assert client.get(url).status_code == 404
    assert "Bí mật của em" not in client.get("/app/").content.decode()
