"""Wagtail's admin speaks Vietnamese to editors and reviewers (locale_wagtail/).

Wagtail's own Vietnamese catalogue leaves most of the admin in English; the
project's hand-kept catalogue fills the screens content staff use. In English
the admin stays English.
"""

import ast
import gettext
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import Locale

from content_cms.models import CatalogueIndexPage
from tests.content_cms.factories import build_module, make_editor, make_reviewer

pytestmark = pytest.mark.django_db


def add_module_url():
    catalogue = CatalogueIndexPage.objects.get(locale=Locale.get_default())
    return reverse(
        "wagtailadmin_pages:add", args=["content_cms", "modulepage", catalogue.pk]
    )


@pytest.fixture
def in_review():
    """A module page the editor sent to the review workflow."""
    editor, reviewer = make_editor(), make_reviewer()
    page = build_module(title="Bí mật của em", slug="bi-mat", publish=False)
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    return editor, reviewer, page


def get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_catalogue_is_a_locale_path_after_the_projects_own():
    paths = [str(path) for path in settings.LOCALE_PATHS]
    assert paths[0].endswith("/locale") and paths[1].endswith("/locale_wagtail")


def test_the_editor_adds_a_module_in_vietnamese(client):
    body = get(client, make_editor(), add_module_url())
    assert "Lưu bản nháp" in body and "Save draft" not in body  # footer
    assert "Gửi vào quy trình Duyệt nội dung" in body  # submit to the workflow
    assert "Mới: Học phần" in body  # "New: Module"
    assert "Đường dẫn và SEO" in body and ">Promote<" not in body  # the tab
    assert "Tiêu đề trang như bạn muốn người xem nhìn thấy" in body
    assert "Toggle side panel" not in body


def test_the_dashboards_speak_vietnamese(client, in_review):
    editor, reviewer, _page = in_review
    body = get(client, reviewer, reverse("wagtailadmin_home"))
    assert "Chờ bạn duyệt" in body and "Awaiting your review" not in body
    assert "Tìm trong mọi trang…" in body and "Search all pages" not in body
    assert "Tổng quan trang web" in body and "Site summary" not in body

    body = get(client, editor, reverse("wagtailadmin_home"))
    assert "Trang và mục của bạn đang trong quy trình duyệt" in body
    assert "Your pages and snippets in a workflow" not in body


def test_the_reviewer_sees_the_workflow_actions_in_vietnamese(client, in_review):
    _editor, reviewer, page = in_review
    body = get(client, reviewer, reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert "Yêu cầu sửa" in body and "Request changes" not in body
    assert "Duyệt kèm nhận xét và xuất bản" in body
    assert "Approve with comment" not in body
    assert "Đang duyệt" in body and "In Moderation" not in body  # status panel


def test_messages_and_the_explorer_speak_vietnamese(client):
    page = build_module(title="Bí mật của em", slug="bi-mat")
    editor = make_editor()
    explorer = reverse("wagtailadmin_explore", args=[page.get_parent().pk])
    body = get(client, editor, explorer)
    assert "Đang xem" in body and "Exploring" not in body
    assert "đã xuất bản" in body.lower()

    client.post(reverse("wagtailadmin_pages:lock", args=[page.pk]))
    response = client.post(
        reverse("wagtailadmin_pages:unlock", args=[page.pk]), follow=True
    )
    [message] = [str(message) for message in response.context["messages"]]
    assert message.startswith("Đã mở khoá trang &#x27;Bí mật của em&#x27;.")


def test_the_javascript_strings_speak_vietnamese(client):
    body = get(client, make_editor(), reverse("wagtailadmin_javascript_catalog"))
    for english, vietnamese in [
        ("Insert a block", "Chèn một khối"),
        ("Move up", "Chuyển lên"),
        ("Duplicate", "Nhân bản"),
        ("Add a comment", "Thêm nhận xét"),
    ]:
        assert f"{json.dumps(english)}: {json.dumps(vietnamese)}" in body


def test_in_english_the_admin_stays_english(client, english, in_review):
    editor, reviewer, page = in_review
    body = get(client, editor, add_module_url())
    assert "Save draft" in body and "Lưu bản nháp" not in body
    body = get(client, reviewer, reverse("wagtailadmin_home"))
    assert "Awaiting your review" in body and "Chờ bạn duyệt" not in body
    body = get(client, reviewer, reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert "Request changes" in body and "Yêu cầu sửa" not in body
    body = get(client, editor, reverse("wagtailadmin_javascript_catalog"))
    assert "Chèn một khối" not in body and "Ch\\u00e8n" not in body


# --- The catalogue itself ----------

CATALOGUE = settings.BASE_DIR / "locale_wagtail" / "vi" / "LC_MESSAGES"


def po_keys(path) -> set[tuple[str | None, str]]:
    """Return the (msgctxt, msgid) of every entry of a .po file."""
    keys, entry, field = set(), {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid", "msgid_plural"} or keyword.startswith(
            "msgstr"
        ):
            field = keyword
            entry[field] = ast.literal_eval(rest)
        elif line.startswith('"') and field:
            entry[field] += ast.literal_eval(line)
        elif not line.strip():
            if entry.get("msgid"):
                keys.add((entry.get("msgctxt"), entry["msgid"]))
            entry, field = {}, None
    return keys


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_is_still_one_wagtail_or_django_has(domain):
    """After an upgrade, a msgid Wagtail renamed would silently show English."""
    import django
    import wagtail

    sources = [
        *Path(wagtail.__file__).parent.glob(f"**/locale/en/LC_MESSAGES/{domain}.po"),
        Path(django.__file__).parent / "conf/locale/en/LC_MESSAGES/django.po",
    ]
    known = set().union(*(po_keys(path) for path in sources if path.exists()))
    ours = po_keys(CATALOGUE / f"{domain}.po")
    assert len(ours) > (500 if domain == "django" else 80)
    assert ours - known == set()


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogue_matches_its_source(domain, tmp_path):
    """The committed .mo holds exactly what the .po says (run `make messages`)."""
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext is not installed")
    fresh = tmp_path / f"{domain}.mo"
    subprocess.run(
        ["msgfmt", "-c", "-o", fresh, CATALOGUE / f"{domain}.po"], check=True
    )

    def catalog(path):
        with open(path, "rb") as handle:
            return gettext.GNUTranslations(handle)._catalog

    assert catalog(CATALOGUE / f"{domain}.mo") == catalog(fresh)
