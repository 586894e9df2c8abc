"""The player's phone page: a heading that names the game (axe's
``page-has-heading-one`` on every live screen of a pupil), and a read-aloud button
as large as on the lesson and quiz pages."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.content_cms.factories import build_quiz
from tests.quizzes.live.helpers import make_session

pytestmark = pytest.mark.django_db


def test_the_player_page_has_one_heading_naming_the_game(client):
    session = make_session(quiz=build_quiz(title="Đố vui: Giữ bí mật"))
    html = client.get(reverse("quizzes:live_play", args=[session.pin])).content.decode()
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert [h.strip() for h in headings] == ["Đố vui: Giữ bí mật"]


def test_the_read_aloud_button_is_styled_by_the_shared_stylesheet():
    """The live page loads no lesson or quiz stylesheet: the shared one sizes the
    button for a child's finger (44 px at least)."""
    with open(finders.find("common/site.css"), encoding="utf-8") as css:
        rule = re.search(r"\.read-aloud\s*\{([^}]*)\}", css.read())
    assert rule and "min-height: 44px" in rule[1]
