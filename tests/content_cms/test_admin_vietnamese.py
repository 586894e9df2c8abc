"""Wagtail's admin speaks Vietnamese to editors and reviewers (locale_wagtail/).

Wagtail's own Vietnamese catalogue leaves most of the admin in English; the
project's hand-kept catalogue fills the screens content staff use. In English
the admin stays English.
"""

import ast
import gettext
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Locale
from wagtail.users.models import UserProfile

from content_cms.models import CatalogueIndexPage
from content_cms.services import REVIEW_TASK_NAME, WORKFLOW_NAME, cms_setup
from tests.content_cms.factories import build_module, make_editor, make_reviewer
from tests.factories import UserFactory, login_verified

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


# --- Images and documents, notification e-mails, users ----------


@pytest.fixture
def root_collection():
    """The media library, with editors' rights on it. Migrations make them, but a
    transactional test earlier in the same worker empties every table."""
    cms_setup()
    return Collection.get_first_root_node()


@pytest.fixture
def image(monkeypatch, root_collection):
    """A tagged image an editor uploaded to the media library.

    Wagtail renders thumbnails into a SpooledTemporaryFile it never closes; the
    ResourceWarning it raises when collected would fail whichever test is
    running then, so thumbnails are rendered into memory instead.
    """
    monkeypatch.setattr(
        "wagtail.images.models.SpooledTemporaryFile", lambda max_size: io.BytesIO()
    )
    image = get_image_model().objects.create(
        title="Ảnh bìa", file=get_test_image_file(), uploaded_by_user=make_editor()
    )
    image.tags.add("an toàn")
    return image


def json_html(client, url):
    """Return the HTML of a chooser modal (Wagtail sends it inside JSON)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.json()["html"]


def test_the_image_screens_speak_vietnamese(client, image):
    editor = image.uploaded_by_user
    body = get(client, editor, reverse("wagtailimages:index") + "?q=meo")
    assert "Lọc theo tối đa mười thẻ phổ biến nhất." in body  # the tag filter
    assert "Filter by up to ten most popular tags." not in body
    assert 'Không có hình ảnh nào khớp với "<em>meo</em>"' in body
    assert "Sorry, no images match" not in body

    response = client.post(reverse("wagtailimages:add"), {"title": "Ảnh mới"})
    body = response.content.decode()  # no file chosen: the form comes back
    assert "Không tạo được hình ảnh vì có lỗi." in body
    assert "could not be created due to errors" not in body

    body = get(client, editor, reverse("wagtailimages:add_multiple"))
    assert "Kéo và thả hình ảnh vào khung này để tải lên ngay." in body
    assert "Drag and drop" not in body and "Add multiple images" not in body

    body = get(client, editor, reverse("wagtailimages:edit", args=[image.pk]))
    assert "Để chọn vùng quan trọng nhất của hình ảnh" in body  # focal point
    assert "most important region" not in body
    assert "Bỏ vùng tiêu điểm" in body and "Remove focal area" not in body


def test_the_document_upload_speaks_vietnamese(client, root_collection):
    editor = make_editor()
    body = get(client, editor, reverse("wagtaildocs:add_multiple"))
    assert "Kéo và thả tài liệu vào khung này để tải lên ngay." in body
    assert "Drag and drop" not in body

    response = client.post(
        reverse("wagtaildocs:add"),
        {"title": "Nội quy", "file": SimpleUploadedFile("noi-quy.exe", b"MZ")},
    )
    body = response.content.decode()
    assert "Không tạo được tài liệu vì có lỗi." in body
    assert "Không nhận tệp có phần mở rộng “exe”" in body
    assert "is not allowed" not in body


def test_the_choosers_of_the_page_editor_speak_vietnamese(client, image):
    client.force_login(image.uploaded_by_user)
    html = json_html(client, reverse("wagtailimages_chooser:choose"))
    assert "Hình ảnh mới nhất" in html and "Latest images" not in html
    assert "Thẻ phổ biến" in html and "Popular tags" not in html
    url = reverse("wagtailimages_chooser:select_format", args=[image.pk])
    html = json_html(client, url)
    assert "Chèn hình ảnh" in html and "Insert image" not in html
    assert "Chữ thay thế" in html and "Alt text" not in html
    html = json_html(client, reverse("wagtailadmin_choose_page_external_link"))
    assert "Thêm liên kết ra ngoài" in html and "Add an external link" not in html


@pytest.fixture
def submitted(mailoutbox):
    """A module page Lan sent to review, in Vietnamese, while Hoa reviews."""
    editor = make_editor(first_name="Lan", email="lan@example.com")
    reviewer = make_reviewer(first_name="Hoa", email="hoa@example.com")
    page = build_module(title="Bí mật của em", slug="bi-mat", publish=False)
    page.save_revision(user=editor)
    # Unless the recipient picked a language in their Wagtail account settings,
    # Wagtail writes in the language of the request that triggers the e-mail.
    with translation.override("vi"):
        page.get_workflow().start(page, editor)
    return editor, reviewer, page


def test_reviewers_are_emailed_in_vietnamese(submitted, mailoutbox):
    [email] = [email for email in mailoutbox if email.to == ["hoa@example.com"]]
    assert email.subject == (
        f'Trang "Bí mật của em" đã được gửi duyệt ở bước "{REVIEW_TASK_NAME}"'
    )
    assert email.body.startswith("Xin chào Hoa,")
    assert "Xem trước trang tại đây:" in email.body
    assert "Đổi cài đặt nhận thông báo tại đây:" in email.body
    assert "has been submitted" not in email.body and "Hello" not in email.body


def test_the_editor_is_emailed_in_vietnamese_when_changes_are_requested(
    submitted, mailoutbox
):
    _editor, reviewer, page = submitted
    task_state = page.current_workflow_state.current_task_state
    with translation.override("vi"):
        task_state.task.specific.on_action(
            task_state, reviewer, "reject", comment="Thêm một ví dụ."
        )
    [email] = [email for email in mailoutbox if email.to == ["lan@example.com"]]
    assert email.subject == (
        f'Trang "Bí mật của em" đã bị yêu cầu sửa trong quy trình "{WORKFLOW_NAME}".'
    )
    assert (
        f'Hoa đã yêu cầu sửa trang "Bí mật của em" ở bước "{REVIEW_TASK_NAME}"'
    ) in email.body
    assert 'Nhận xét kèm theo: "Thêm một ví dụ."' in email.body
    assert "has been rejected" not in email.body


def test_a_reviewer_who_chose_english_is_emailed_in_english(mailoutbox):
    editor = make_editor()
    reviewer = make_reviewer(email="hoa@example.com")
    profile = UserProfile.get_for_user(reviewer)
    profile.preferred_language = "en"
    profile.save()
    page = build_module(title="Bí mật của em", slug="bi-mat", publish=False)
    page.save_revision(user=editor)
    with translation.override("vi"):
        page.get_workflow().start(page, editor)
    [email] = [email for email in mailoutbox if email.to == ["hoa@example.com"]]
    assert email.subject.startswith('The page "Bí mật của em" has been submitted')
    assert "Xin chào" not in email.body


def test_the_user_screens_and_the_account_speak_vietnamese(client):
    editor = make_editor()
    body = get(client, editor, reverse("wagtailadmin_account"))
    assert "Ngôn ngữ ưa dùng" in body and "Preferred language" not in body
    assert "Múi giờ hiện tại" in body and "Current time zone" not in body
    assert "Họ và tên đệm" in body and "Last Name" not in body

    # Managing users is for superusers, who pass two-factor sign-in first.
    login_verified(client, UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("wagtailusers_users:edit", args=[editor.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vai trò" in body and "Roles" not in body  # the tab with the groups
    assert "Họ và tên đệm" in body and "Last Name" not in body
    assert "Bắt buộc. Chỉ gồm chữ cái, chữ số" in body
    assert "Letters, digits" not in body
    response = client.get(reverse("wagtailusers_users:index"))
    body = response.content.decode()
    assert "Đăng nhập lần cuối" in body and "Last login" not in body
    assert "Mức truy cập" in body and "Access level" not in body


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


def source_keys(package) -> set[tuple[str | None, str]]:
    """Return the (None, msgid) of every ``_("...")`` or ``ngettext`` in a package."""
    keys = set()
    for path in Path(package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") in {"_", "gettext", "ngettext"}
                and node.args
            ):
                for argument in node.args[:2]:
                    if isinstance(argument, ast.Constant) and isinstance(
                        argument.value, str
                    ):
                        keys.add((None, argument.value))
    return keys


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_is_still_one_wagtail_or_django_has(domain):
    """After an upgrade, a msgid Wagtail, Django or REST framework renamed would
    silently show English."""
    import django
    import rest_framework
    import wagtail

    sources = [
        *Path(wagtail.__file__).parent.glob(f"**/locale/en/LC_MESSAGES/{domain}.po"),
        Path(django.__file__).parent / "conf/locale/en/LC_MESSAGES/django.po",
    ]
    known = set().union(*(po_keys(path) for path in sources if path.exists()))
    if domain == "django":  # REST framework's messages, read from its code
        known |= source_keys(Path(rest_framework.__file__).parent)
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


def test_the_api_refuses_in_vietnamese(client):
    """REST framework's own refusals (no sign-in, a malformed body, a wrong
    type) reach a Vietnamese client in Vietnamese."""
    response = client.get("/api/me/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == (
        "Cần đăng nhập (hoặc gửi mã truy cập) để dùng chức năng này."
    )
    with translation.override("vi"):
        from rest_framework import exceptions, fields

        assert str(exceptions.ParseError().detail) == "Yêu cầu bị lỗi định dạng."
        assert fields.IntegerField.default_error_messages["invalid"] == (
            "Cần một số nguyên hợp lệ."
        )
