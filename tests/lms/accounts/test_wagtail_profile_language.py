"""One language per person: the product's choice also drives Wagtail's admin and its
e-mails, and a language chosen in Wagtail's account page is the person's choice."""

import pytest
from django.utils import translation
from wagtail.users.models import UserProfile

from lms.models import User
from tests.content_cms.factories import build_module, make_editor, make_reviewer

pytestmark = pytest.mark.django_db


def test_a_reviewer_who_speaks_english_is_emailed_in_english(mailoutbox):
    editor = make_editor()
    reviewer = make_reviewer(email="hoa@example.com", preferred_language="en")
    page = build_module(title="Bí mật của em", slug="bi-mat", publish=False)
    page.save_revision(user=editor)
    with translation.override("vi"):  # the editor works in Vietnamese
        page.get_workflow().start(page, editor)
    [email] = [email for email in mailoutbox if email.to == [reviewer.email]]
    assert email.subject.startswith('The page "Bí mật của em" has been submitted')
    assert "Xin chào" not in email.body


def test_a_new_wagtail_profile_starts_in_the_persons_language():
    reviewer = make_reviewer(preferred_language="en")
    assert UserProfile.get_for_user(reviewer).get_preferred_language() == "en"


def test_changing_language_in_the_product_changes_it_in_the_admin():
    editor = make_editor(preferred_language="vi")
    profile = UserProfile.get_for_user(editor)
    editor.preferred_language = "en"
    editor.save(update_fields=["preferred_language"])
    profile.refresh_from_db()
    assert profile.preferred_language == "en"
    # A sign-in saving last_login leaves the languages alone.
    editor.preferred_language = "vi"
    editor.save(update_fields=["last_login"])
    profile.refresh_from_db()
    assert profile.preferred_language == "en"


def test_a_language_chosen_in_wagtails_account_page_is_the_persons(client):
    editor = make_editor(preferred_language="vi")
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "en"
    profile.save()
    assert User.objects.get(pk=editor.pk).preferred_language == "en"


def test_the_admins_language_list_offers_the_products_two(client):
    client.force_login(make_editor())
    response = client.get("/cms/account/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="en"' in body and 'value="vi"' in body
    assert 'value="de"' not in body and 'value="fr"' not in body
