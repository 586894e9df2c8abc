"""The CMS screens editors use open without errors."""

import pytest
from django.urls import reverse
from wagtail.models import Locale

from content_cms.models import CatalogueIndexPage
from tests.content_cms.factories import build_module, build_quiz, make_editor

pytestmark = pytest.mark.django_db


def test_editor_screens_render(client):
    client.force_login(make_editor())
    quiz = build_quiz()
    module = build_module(quiz=quiz, slug="admin-module")
    catalogue = CatalogueIndexPage.objects.get(locale=Locale.get_default())
    urls = [
        reverse("wagtailsnippets_quizzes_quiz:add"),
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk]),
        reverse("wagtailsnippets_quizzes_quiz:list"),
        reverse("wagtailsnippets_content_cms_ageband:list"),
        reverse("wagtailadmin_pages:edit", args=[module.pk]),
        reverse(
            "wagtailadmin_pages:add",
            args=["content_cms", "modulepage", catalogue.pk],
        ),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
