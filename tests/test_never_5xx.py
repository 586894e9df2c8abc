"""Property: no input to a form or an API query parameter makes the server fail.

Hypothesis draws text (NUL bytes, huge numbers, any Unicode, very long strings)
for the fields of the sign-in form, the help request form, the search box, the
roster upload and confirm forms, and the API's query parameters, and asserts the
answer is never a 5xx. The NUL, pagination and size cases that were 500s on
PostgreSQL have their own tests in tests/common/test_input_bounds.py.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import SchoolClassFactory, make_pupil, make_teacher

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text of every kind: NUL and control characters, digits, very long, any script.
anything = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=400),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["\x00", "%00", "-1", "1e9", "NaN", "null", "[]", "{}", " "]),
)


def _ok(response):
    assert response.status_code < 500, (response.status_code, response.content[:300])


@pytest.fixture
def people():
    school_class = SchoolClassFactory()
    return school_class, make_pupil(school_class), make_teacher(school_class)


@EXAMPLES
@given(username=anything, password=anything)
def test_the_sign_in_form_never_fails(username, password):
    client = Client(REMOTE_ADDR="198.51.100.7")
    _ok(client.post(reverse("lms:login"), {"username": username, "password": password}))


@EXAMPLES
@given(q=anything)
def test_search_never_fails(q):
    _ok(Client().get("/tim-kiem/", {"q": q}))


@EXAMPLES
@given(category=anything, message=anything, wish=anything)
def test_the_help_request_form_never_fails(people, category, message, wish):
    _school_class, pupil, _teacher = people
    client = Client()
    client.force_login(pupil)
    response = client.post(
        reverse("lms:help"),
        {"category": category, "message": message, "wants_to_talk_to": wish},
    )
    _ok(response)


@EXAMPLES
@given(name=anything, content=st.binary(max_size=2000), fingerprint=anything)
@example(name=".", content=b"", fingerprint="")
@example(name="..", content=b"x", fingerprint="x")
def test_the_roster_forms_never_fail(people, name, content, fingerprint):
    school_class, _pupil, teacher = people
    client = Client()
    client.force_login(teacher)
    # Any name a file can carry: Django's own upload object refuses to be built
    # with "." or ".." (a browser's multipart body with them reaches the form as
    # no file at all), so those two are sent as "x." and "x..".
    file_name = (name or "x")[:100].replace("/", "_")
    if file_name in {".", ".."}:
        file_name = "x" + file_name
    upload = SimpleUploadedFile(file_name, content)
    _ok(
        client.post(
            reverse("lms:roster_upload", args=[school_class.pk]), {"file": upload}
        )
    )
    _ok(
        client.post(
            reverse("lms:roster_confirm", args=[school_class.pk]),
            {"fingerprint": fingerprint},
        )
    )


API_QUERIES = [
    ("/api/my/attempts/", ["limit", "offset", "quiz_id"]),
    ("/api/catalogue/modules/", ["limit", "offset", "q", "age_band", "topic"]),
    ("/api/my/assignments/", ["limit", "offset"]),
    ("/api/my/progress/", ["limit", "offset"]),
    ("/api/classes/", ["limit", "offset"]),
]


@EXAMPLES
@given(
    which=st.integers(min_value=0, max_value=len(API_QUERIES) - 1),
    values=st.lists(anything, min_size=5, max_size=5),
)
def test_api_query_parameters_never_fail(people, which, values):
    _school_class, pupil, teacher = people
    path, names = API_QUERIES[which]
    for user in (pupil, teacher):
        client = Client()
        client.force_login(user)
        _ok(client.get(path, dict(zip(names, values, strict=False))))
