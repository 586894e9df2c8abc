"""The installable app: manifest, worker at the root, offline page, cache headers."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_vietnamese_and_opens_the_pupils_home(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "An toàn trên mạng"
    assert data["lang"] == "vi"
    assert data["start_url"] == "/app/"
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#0b5cad"
    sizes = {icon["sizes"] for icon in data["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in data["icons"])
    for icon in data["icons"]:
        icon_response = client.get(icon["src"])
        assert icon_response.status_code == 200
        icon_response.close()


def test_every_page_links_the_manifest_and_the_worker_script(client):
    body = client.get("/dang-nhap/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in body
    assert 'data-sw="/sw.js"' in body
    assert "common/offline.js" in body
    assert "<script>" not in body  # no inline script: the CSP forbids it


def test_the_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"  # a new version is seen at once
    source = response.content.decode()
    head = source.split("\n", 1)[0]
    assert head.startswith("var OFFLINE_CONFIG = ")
    config = json.loads(head.removeprefix("var OFFLINE_CONFIG = ").rstrip(";"))
    assert "/static/common/site.css" in config["shell"]
    assert "/static/quizzes/attempt.js" in config["shell"]
    assert config["offlinePage"] == "/ngoai-tuyen/"
    assert config["staticPrefixes"] == ["/static/", "/media/"]
    assert 'addEventListener("fetch"' in source


def test_the_worker_version_follows_the_shell_files(client, settings):
    first = client.get("/sw.js").content.decode().split("\n", 1)[0]
    settings.PWA_SHELL_STATIC = [*settings.PWA_SHELL_STATIC, "common/icon-512.png"]
    second = client.get("/sw.js").content.decode().split("\n", 1)[0]
    assert json.loads(first[20:-1])["version"] != json.loads(second[20:-1])["version"]


def test_the_offline_page_is_the_same_for_everyone_and_may_be_kept(client):
    response = client.get("/ngoai-tuyen/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>" in body  # what still works without a network
    assert 'href="/app/"' in body
    assert "csrfmiddlewaretoken" not in body
    assert "public" in response["Cache-Control"]


def test_the_pages_are_served_under_the_strict_content_security_policy(client):
    response = client.get("/dang-nhap/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    # The manifest and the worker are same-origin: default-src / script-src 'self'.
    assert "default-src 'self'" in policy


def test_a_signed_in_persons_pages_are_never_kept_by_a_shared_cache(client):
    from tests.factories import SchoolClassFactory, make_pupil

    pupil = make_pupil(SchoolClassFactory(grade=4))
    client.force_login(pupil)
    response = client.get("/app/")
    assert response.status_code == 200
    control = response["Cache-Control"]
    assert "private" in control and "no-cache" in control
    assert "public" not in control
    assert "Cookie" in response["Vary"]
    api = client.get("/api/me/")
    assert "private" in api["Cache-Control"]


def test_static_files_are_shared_by_a_schools_proxy(client):
    response = client.get("/static/common/site.css")
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
    response.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_waiting_banner_gets_both_plural_forms_of_its_counts(client, language):
    """offline.js says "1 answer" and "2 answers", never "1 answers"."""
    import html

    from django.utils import translation
    from django.utils.translation import ngettext

    from tests.factories import SchoolClassFactory, make_pupil

    client.force_login(make_pupil(SchoolClassFactory(grade=4)))
    client.cookies["django_language"] = language
    body = html.unescape(client.get("/app/").content.decode())
    with translation.override(language):
        for count, form in ((1, "one"), (2, "other")):
            answers = ngettext("%(count)s answer", "%(count)s answers", count)
            steps = ngettext(
                "%(count)s lesson part read", "%(count)s lesson parts read", count
            )
            assert f'data-answers-{form}="{answers}"' in body
            assert f'data-steps-{form}="{steps}"' in body
    if language == "en":
        assert 'data-answers-one="%(count)s answer"' in body
