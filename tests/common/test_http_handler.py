"""Pages through the ASGI application as uvicorn serves them: the middleware and
the view run in one trip to a thread (common/http_handler.py), and everything a
person relies on still works that way (sign-in, their own page, our error
pages, the asynchronous health check)."""

import asyncio

import httpx
import pytest
from asgiref.sync import iscoroutinefunction
from django.test import Client

from config import asgi
from tests.factories import SchoolClassFactory, make_pupil

pytestmark = pytest.mark.django_db(transaction=True)


def _get(path: str, cookies: dict | None = None, **kwargs) -> httpx.Response:
    async def call():
        transport = httpx.ASGITransport(app=asgi.application)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver:8000", cookies=cookies
        ) as client:
            if kwargs.get("data") is not None:
                return await client.post(path, **kwargs)
            return await client.get(path)

    return asyncio.run(call())


def test_the_site_serves_pages_with_the_middleware_chain_in_its_synchronous_form():
    handler = asgi.django_asgi_app
    assert not iscoroutinefunction(handler._middleware_chain)


def test_the_sign_in_page_and_our_404_through_the_asgi_application():
    page = _get("/dang-nhap/")
    assert page.status_code == 200
    assert "Đăng nhập" in page.text
    missing = _get("/khong-co-trang-nay/")
    assert missing.status_code == 404
    assert "Không tìm thấy trang này" in missing.text and "111" in missing.text


def test_a_signed_in_pupil_gets_their_own_home_through_the_asgi_application():
    pupil = make_pupil(SchoolClassFactory(), display_name="Nguyễn Minh An")
    browser = Client()
    browser.force_login(pupil)
    session = browser.cookies["sessionid"].value
    home = _get("/app/", cookies={"sessionid": session})
    assert home.status_code == 200
    assert "Nguyễn Minh An" in home.text
    assert _get("/app/").status_code == 302  # without the cookie: the sign-in page


def test_a_failed_csrf_check_through_the_asgi_application_answers_our_page():
    refused = _get("/dang-nhap/", data={"username": "a", "password": "b"})
    assert refused.status_code == 403
    assert "Biểu mẫu này đã hết hạn" in refused.text


def test_the_asynchronous_health_check_answers_through_the_synchronous_chain():
    health = _get("/healthz")
    assert health.status_code == 200
    assert health.json()["database"] == "ok"
