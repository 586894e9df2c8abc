"""The API always answers JSON, and its schema documents every error it gives."""

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from config.schema import STANDARD_ERRORS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_address_is_a_json_404(client, method):
    response = getattr(client, method)("/api/khong-co/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_csrf_failure_under_the_api_is_json():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/khong-co/", {"a": 1})
    assert response["Content-Type"].startswith("application/json")
    from django.test import RequestFactory

    from common.errors import csrf_failure

    request = RequestFactory().post("/api/me/")
    refused = csrf_failure(request, reason="CSRF cookie not set.")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")
    page = csrf_failure(RequestFactory().post("/dang-nhap/"), reason="x")
    assert page["Content-Type"].startswith("text/html")


def test_every_operation_documents_the_standard_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert set(STANDARD_ERRORS) <= documented, (method, path)


def test_refused_fields_come_in_the_one_error_shape(client):
    response = client.get("/api/catalogue/modules/", {"q": "\x00"})
    assert response.status_code == 400  # the NUL door
    from rest_framework.exceptions import ValidationError

    from common.errors import api_exception_handler

    answer = api_exception_handler(ValidationError({"q": ["Too long."]}), {})
    assert answer.status_code == 400
    assert answer.data["code"] == "invalid"
    assert answer.data["errors"] == {"q": ["Too long."]}
    assert answer.data["detail"]
