"""The host sees only the controls that make sense at this point of the game:
start in the lobby; pause, results, skip and end while a question is open; resume
when paused; next after the results, and after the last question's results one
button that finishes the game. The others are hidden, not just greyed out."""

import json
import re

import pytest
from django.urls import reverse

from quizzes.live.selectors import HOST_CONTROLS, LAST_RESULTS_CONTROLS
from quizzes.live.services import live_session_command
from tests.quizzes.live.helpers import make_session

pytestmark = pytest.mark.django_db

BUTTON = re.compile(
    r'<button[^>]*data-command="(?P<command>\w+)"(?P<rest>[^>]*)>(?P<label>[^<]*)<'
)


def controls_shown(client, session) -> dict[str, str]:
    """The control page's buttons a host can see, with their labels."""
    html = client.get(
        reverse("quizzes:live_control", args=[session.pk])
    ).content.decode()
    return {
        match["command"]: match["label"].strip()
        for match in BUTTON.finditer(html)
        if "hidden" not in match["rest"]
    }


def command(session, name):
    live_session_command(session_id=session.pk, user=session.host, command=name)


@pytest.fixture
def game(client):
    session = make_session()
    client.force_login(session.host)
    return session


def test_the_lobby_shows_start_and_end_only(client, game):
    assert set(controls_shown(client, game)) == {"start", "end"}


def test_an_open_question_shows_pause_results_skip_and_end(client, game):
    command(game, "start")
    assert set(controls_shown(client, game)) == {"pause", "reveal", "skip", "end"}
    command(game, "pause")
    assert set(controls_shown(client, game)) == {"resume", "reveal", "skip", "end"}


def test_after_the_results_next_and_at_the_end_one_finishing_button(client, game):
    command(game, "start")
    command(game, "reveal")
    shown = controls_shown(client, game)
    assert shown == {"next": "Câu tiếp theo", "end": "Kết thúc trò chơi"}
    game.refresh_from_db()
    for _ in range(len(game.question_ids) - 1):
        command(game, "next")
        command(game, "reveal")
    shown = controls_shown(client, game)
    # "next" after the last question ends the game: it says so, and is alone.
    assert shown == {"next": "Xem kết quả cuối cùng"}
    command(game, "next")
    game.refresh_from_db()
    assert game.phase == "ended"
    assert controls_shown(client, game) == {}


def test_the_script_follows_the_same_table_as_the_page(client, game):
    html = client.get(reverse("quizzes:live_control", args=[game.pk])).content.decode()
    state = json.loads(
        re.search(
            r'<script id="live-state" type="application/json">(.*?)</script>', html
        )[1]
    )
    assert state["controls"] == {k: list(v) for k, v in HOST_CONTROLS.items()}
    assert state["lastControls"] == list(LAST_RESULTS_CONTROLS)
    # Every command the table names has its button on the page (the browser
    # journeys click [data-command=start] and [data-command=next]).
    named = {c for commands in HOST_CONTROLS.values() for c in commands}
    assert named <= set(re.findall(r'data-command="(\w+)"', html))
