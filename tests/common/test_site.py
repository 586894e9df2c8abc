"""The printed address: SITE_URL in production, the request's own in development."""

from django.test import RequestFactory

from common.site import DEFAULT_SITE_URL, RequestOriginMiddleware, site_url
from lms.rosters.login_cards import login_card_url


def _served(host: str, settings, *, site_url_setting: str = ""):
    settings.SITE_URL = site_url_setting
    settings.ALLOWED_HOSTS = ["*"]
    request = RequestFactory().get("/lop/1/the/", HTTP_HOST=host)
    return RequestOriginMiddleware(lambda request: login_card_url("KEY123"))(request)


def test_without_site_url_a_card_points_at_the_port_being_served(settings):
    """``make run PORT=8101``: the cards printed there must open :8101."""
    assert _served("127.0.0.1:8101", settings) == (
        "http://127.0.0.1:8101/dang-nhap/the/KEY123/"
    )


def test_site_url_wins_over_the_request_when_set(settings):
    url = _served(
        "127.0.0.1:8101", settings, site_url_setting="https://antoan.tayninh.edu.vn/"
    )
    assert url == "https://antoan.tayninh.edu.vn/dang-nhap/the/KEY123/"


def test_outside_a_request_the_default_address_is_used(settings):
    settings.SITE_URL = ""
    assert site_url() == DEFAULT_SITE_URL
