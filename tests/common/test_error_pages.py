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
