"""Our own error pages: Vietnamese first, 111 and a way home, never bare text."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_unknown_page_answers_our_404_in_vietnamese_with_111(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang này" in page
    assert "111" in page and 'href="/"' in page
    assert "Not Found" not in page


def test_english_readers_get_the_404_in_english(client):
    client.cookies["django_language"] = "en"
    page = client.get("/khong-co-trang-nay/").content.decode()
    assert "We could not find this page" in page


def test_a_failed_csrf_check_answers_our_page_not_403_forbidden():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/dang-nhap/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Biểu mẫu này đã hết hạn" in page
    assert "111" in page and "Forbidden" not in page


def test_a_server_error_page_needs_no_request(rf, settings):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "111" in page and "Đã có lỗi" in page


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("common/favicon.svg")


def _pool_gives_up(*args, **kwargs):
    """What Django raises when its connection pool waited DB_POOL_TIMEOUT in vain."""
    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    try:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")
    except PoolTimeout as cause:
        raise OperationalError("couldn't get a connection after 10.00 sec") from cause


@pytest.fixture
def busy_database(monkeypatch):
    """A signed-in person's first read of each request finds no connection free."""
    from tests.factories import UserFactory

    user = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="lms.accounts.backends.PasswordBackend")
    monkeypatch.setattr("lms.accounts.backends.user_with_anchors", _pool_gives_up)
    return client


def test_a_busy_database_answers_503_with_retry_after_not_500(busy_database):
    response = busy_database.get("/app/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "đang rất bận" in page
    assert "111" in page and 'href="/"' in page


def test_a_busy_database_answers_the_api_in_its_error_shape(busy_database):
    response = busy_database.post(
        "/api/attempts/", data={}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    body = response.json()
    assert body["code"] == "busy"
    assert "thử lại" in body["detail"]


def test_other_server_errors_stay_500(rf):
    from common.errors import server_error

    try:
        raise RuntimeError("a fault of ours")
    except RuntimeError:
        response = server_error(rf.get("/app/"))
    assert response.status_code == 500
    assert "Retry-After" not in response
