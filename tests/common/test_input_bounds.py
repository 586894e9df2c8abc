"""Bad input is a 400 with a message, never a 500: NUL bytes, long usernames,
huge page numbers, deep or huge JSON bodies.

Each case was a 500 on PostgreSQL (``DataError``, ``bigint out of range``, a NUL
in a string literal, ``RecursionError``); run them there too, with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/<database>``.
"""

import json

import pytest
from django.urls import reverse

from tests.factories import SchoolClassFactory, make_pupil, make_teacher

pytestmark = pytest.mark.django_db

LONG_USERNAME = "a" * 300


def test_a_nul_byte_in_the_path_is_a_400(client):
    response = client.get("/dang-nhap/the/%00/")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_byte_in_the_query_string_is_a_400(client):
    response = client.get("/tim-kiem/", {"q": "\x00"})
    assert response.status_code == 400


def test_a_nul_byte_in_a_form_field_is_a_400(client):
    response = client.post(
        reverse("lms:login"), {"username": "hs\x00an", "password": "x\x00"}
    )
    assert response.status_code == 400


def test_a_nul_byte_under_the_api_is_a_json_400(client):
    pupil = make_pupil(SchoolClassFactory())
    client.force_login(pupil)
    response = client.get("/api/my/attempts/", {"limit": "\x00"})
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


@pytest.mark.parametrize("path", ["lms:login", "admin:login"])
def test_an_over_long_username_is_a_form_error(client, path):
    response = client.post(
        reverse(path), {"username": LONG_USERNAME, "password": "sai-mat-khau"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_an_over_long_username_is_bounded_before_axes_stores_it(rf):
    from lms.accounts.lockout import client_username

    request = rf.post("/dang-nhap/", {"username": LONG_USERNAME})
    assert len(client_username(request)) == 150
    assert client_username(request, {"username": "hs\x00an"}) == "hsan"


@pytest.mark.parametrize(
    "query",
    [
        {"offset": "94351330108493179719254016"},
        {"offset": "1000001"},
        {"limit": "abc"},
        {"offset": "-1"},
        {"limit": "-5"},
        {"offset": "1e3"},
    ],
)
def test_page_numbers_out_of_range_or_not_numbers_are_a_400(client, query):
    pupil = make_pupil(SchoolClassFactory())
    client.force_login(pupil)
    response = client.get("/api/my/attempts/", query)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("limit", ["1000", "94351330108493179719254016", "9" * 40])
def test_a_large_limit_is_lowered_to_the_maximum(client, limit):
    teacher = make_teacher(SchoolClassFactory())
    client.force_login(teacher)
    for path in ("/api/catalogue/modules/", "/api/my/attempts/"):
        response = client.get(path, {"limit": limit})
        assert response.status_code == 200, path
    response = client.get("/api/catalogue/modules/", {"limit": limit})
    assert response.json()["count"] >= 0
    assert "limit=200" in (response.json()["next"] or "limit=200")


def test_a_json_body_nested_5000_deep_is_a_400(client):
    pupil = make_pupil(SchoolClassFactory())
    client.force_login(pupil)
    body = '{"quiz": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post("/api/attempts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_json_body_with_a_nul_character_is_a_400(client):
    pupil = make_pupil(SchoolClassFactory())
    client.force_login(pupil)
    body = json.dumps({"quiz_id": 1, "note": "a\x00b"})
    response = client.post("/api/attempts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_json_body_over_the_size_cap_is_a_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    pupil = make_pupil(SchoolClassFactory())
    client.force_login(pupil)
    body = json.dumps({"quiz_id": 1, "pad": "x" * 2000})
    response = client.post("/api/attempts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"


def test_the_schema_forbids_a_nul_inside_an_answers_ids_as_the_server_does():
    """An answer's free-form response is documented in its shapes, so the
    no-NUL rule of every text reaches the ids inside it: a client that follows
    the schema never sends what the server refuses with a 400."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    response = schema["components"]["schemas"]["AttemptAnswerInput"]["properties"][
        "response"
    ]
    shapes = {next(iter(shape["required"])): shape for shape in response["anyOf"]}
    assert set(shapes) == {"choice_ids", "order"}
    for key, shape in shapes.items():
        text_id = shape["properties"][key]["items"]["oneOf"][0]
        assert text_id["type"] == "string"
        assert text_id["pattern"] == "^[^\\u0000]*$"


def test_a_field_the_api_does_not_know_is_refused_by_name(client):
    """The schema says request bodies take only their fields; so does the server."""
    from drf_spectacular.generators import SchemaGenerator

    pupil = make_pupil(SchoolClassFactory())
    client.force_login(pupil)
    body = json.dumps({"quiz_id": 1, "quizid": 2})
    response = client.post("/api/attempts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["quizid"] == [
        "Trường này không thuộc biểu mẫu này."
    ]
    schema = SchemaGenerator().get_schema(request=None, public=True)
    component = schema["components"]["schemas"]["AttemptStartInput"]
    assert component["additionalProperties"] is False
