"""Pages: language choice with fallback, visibility, catalogue filters, search."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.utils.html import escape
from django.utils.translation import gettext

from content_cms import selectors
from content_cms.curriculum.loader import CURRICULUM_DIR
from content_cms.models import Audience
from tests.content_cms.factories import build_module
from tests.factories import SchoolClassFactory, make_pupil, make_teacher

pytestmark = pytest.mark.django_db

# Two complete modules are enough here; loading all of them is tested once.
SAMPLE_MODULES = [
    str(CURRICULUM_DIR / "g1-2" / "privacy.yaml"),
    str(CURRICULUM_DIR / "g6-9" / "scams.yaml"),
]


@pytest.fixture
def curriculum():
    call_command("load_curriculum", *SAMPLE_MODULES)


@pytest.fixture
def pupil_client(client):
    """A pupil of grade 7: the grade 6-9 module is theirs."""
    client.force_login(make_pupil(SchoolClassFactory(grade=7)))
    return client


def test_age_band_for_grade():
    assert selectors.age_band_for_grade(1).code == "g1-2"
    assert selectors.age_band_for_grade(5).code == "g3-5"
    assert selectors.age_band_for_grade(9).code == "g6-9"
    assert selectors.age_band_for_grade(12).code == "g10-12"
    assert selectors.age_band_for_grade(13) is None


def test_english_is_served_with_the_english_cookie(curriculum, pupil_client):
    pupil_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = pupil_client.get("/bai-hoc/g6-9-scams/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Staying sharp: scams and fake news" in body
    assert 'lang="en"' in body
    pupil_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    body = pupil_client.get("/bai-hoc/g6-9-scams/").content.decode()
    assert "Tỉnh táo trước lừa đảo và tin giả" in body


def test_a_page_without_translation_falls_back_to_vietnamese(client):
    build_module(title="Chi tieng Viet", slug="chi-tieng-viet")
    client.force_login(make_pupil(SchoolClassFactory(grade=1)))
    pupil_client = client
    pupil_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = pupil_client.get("/bai-hoc/chi-tieng-viet/")
    assert response.status_code == 200
    assert "Chi tieng Viet" in response.content.decode()


def test_catalogue_needs_sign_in_and_filters_by_age_band(curriculum, client):
    assert client.get("/bai-hoc/").status_code == 302
    client.force_login(make_teacher(SchoolClassFactory()))
    body = client.get("/bai-hoc/?age_band=g6-9").content.decode()
    assert "Tỉnh táo trước lừa đảo" in body
    assert "Bí mật của em" not in body
    body = client.get("/bai-hoc/?topic=privacy").content.decode()
    assert "Bí mật của em" in body and "Tỉnh táo" not in body


def test_help_and_privacy_pages_are_public(client):
    help_page = client.get("/can-giup-do/").content.decode()
    assert "111" in help_page and "Zalo" in help_page and "TikTok" in help_page
    assert client.get("/quyen-rieng-tu/").status_code == 200
    assert client.get("/").status_code == 200


def test_help_and_privacy_pages_name_the_adult_who_looks_after_the_child(client):
    help_page = client.get("/can-giup-do/").content.decode()
    assert "Ở nhà, hãy nói với người lớn chăm sóc em." in help_page
    privacy_notice = client.get("/quyen-rieng-tu/?ban=nho").content.decode()
    ask = gettext("Ask the adult who looks after you or your teacher to help you.")
    assert escape(ask) in privacy_notice
    ask_for_help = client.get("/tro-giup/").content.decode()  # the public page
    assert gettext("The adult who looks after you at home") in ask_for_help
    for page in (help_page, privacy_notice, ask_for_help):
        assert "bố mẹ" not in page.lower()


def test_a_site_set_up_earlier_gets_the_new_wording_and_keeps_an_editors():
    """Migration 0006 rewords the starting sentences only where they are unchanged."""
    import importlib

    from django.apps import apps

    from content_cms.models import GetHelpPage, PrivacyPage

    rewording = importlib.import_module(
        "content_cms.migrations.0006_help_and_privacy_pages_without_bo_me"
    )
    (old_tell, _), _ = rewording.HELP_TELL
    (old_rights, _), _ = rewording.PRIVACY_RIGHTS
    help_page = GetHelpPage.objects.get(locale__language_code="vi")
    body = [dict(block) for block in help_page.body.raw_data]
    body[0]["value"] = "<h3>Ở trường</h3>" + old_tell
    help_page.body = body
    help_page.save_revision().publish()
    privacy_page = PrivacyPage.objects.get(locale__language_code="vi")
    privacy_page.body = old_rights + "<p>Bố mẹ em (câu biên tập viên tự viết).</p>"
    privacy_page.save_revision().publish()

    rewording.pages_reword(apps, None)
    rewording.pages_reword(apps, None)  # a second run changes nothing

    help_page.refresh_from_db()
    assert help_page.body.raw_data[0]["value"] == (
        "<h3>Ở trường</h3><p>Ở nhà, hãy nói với người lớn chăm sóc em.</p>"
    )
    editing = help_page.get_latest_revision_as_object()
    assert "bố mẹ" not in str(editing.body.raw_data)
    privacy_page.refresh_from_db()
    assert old_rights not in privacy_page.body
    assert privacy_page.body.startswith("<p>Em và ba mẹ hoặc người chăm sóc em")
    assert "Bố mẹ em (câu biên tập viên tự viết)." in privacy_page.body
    assert privacy_page.get_latest_revision_as_object().body == privacy_page.body


def test_search_finds_a_module_by_a_word_in_its_summary(curriculum, pupil_client):
    response = pupil_client.get("/tim-kiem/", {"q": "OTP"})
    assert "Tỉnh táo trước lừa đảo" in response.content.decode()


def test_anonymous_search_sees_only_parent_modules(curriculum, client):
    build_module(
        title="Dong hanh cung con",
        slug="dong-hanh",
        audience=Audience.PARENT,
        summary="Cha mẹ cùng con đặt mật khẩu mạnh.",
    )
    assert "Tỉnh táo" not in client.get("/tim-kiem/", {"q": "OTP"}).content.decode()
    body = client.get("/tim-kiem/", {"q": "mật khẩu"}).content.decode()
    assert "Dong hanh cung con" in body


def discussion_lessons(notes: str) -> list:
    prompt = ("discussion", {"prompt": "Em nghi sao?", "teacher_notes": notes})
    return [("section", {"title": "Cung ban", "content": [prompt]})]


def test_notes_for_the_teacher_and_the_help_button_follow_the_role(client):
    """The lms context processor decides; the blocks and base.html only obey."""
    build_module(
        title="Thao luan", slug="thao-luan", lessons=discussion_lessons("Ghi chu GV")
    )
    school_class = SchoolClassFactory(grade=2)
    client.force_login(make_pupil(school_class))
    body = client.get("/bai-hoc/thao-luan/").content.decode()
    assert "Em nghi sao?" in body and "Ghi chu GV" not in body
    assert 'class="help-button"' in body and "has-help-button" in body
    client.force_login(make_teacher(school_class))
    body = client.get("/bai-hoc/thao-luan/").content.decode()
    assert "Ghi chu GV" in body
    assert 'class="help-button"' not in body and "has-help-button" not in body


def test_the_help_button_is_part_of_the_header_never_floating_over_the_page(client):
    """On a 360 px phone a floating button covered a quiz answer, and axe found it
    outside every landmark (``region``): it now sits in the banner, in the flow."""
    build_module(title="Tro giup", slug="tro-giup-nut")
    client.force_login(make_pupil(SchoolClassFactory()))
    body = client.get("/bai-hoc/tro-giup-nut/").content.decode()
    header = body[body.index("<header") : body.index("</header>")]
    assert 'class="help-button"' in header
    assert body.count('class="help-button"') == 1
    stylesheet = finders.find("common/site.css")
    with open(stylesheet, encoding="utf-8") as css:
        rules = re.findall(r"([^{}]*)\{([^}]*)\}", css.read())
    for selector, declarations in rules:
        if ".help-button" in selector:
            assert not re.search(r"position:\s*(fixed|absolute|sticky)", declarations)


def test_parents_reading_a_public_module_see_the_notes(client):
    build_module(
        title="Cha me",
        slug="cha-me",
        audience=Audience.PARENT,
        lessons=discussion_lessons("Ghi chu PH"),
    )
    response = client.get("/goc-phu-huynh/cha-me/")
    assert response.status_code == 200, response.status_code
    assert "Ghi chu PH" in response.content.decode()


def test_the_landing_page_says_the_site_name_once_in_its_title(client):
    """The home page is called what the site is called: one name in the tab."""
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    (title,) = re.findall(r"<title>(.*?)</title>", body, re.S)
    assert title.strip() == "An toàn trên mạng"
    body = client.get("/can-giup-do/").content.decode()
    (title,) = re.findall(r"<title>(.*?)</title>", body, re.S)
    assert title.strip().endswith(" · An toàn trên mạng")
    assert title.count("An toàn trên mạng") == 1
