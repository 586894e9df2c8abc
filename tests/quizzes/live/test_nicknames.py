"""Guests' generated nicknames: free ones, found without reading every seat."""

import pytest

from quizzes.live.models import LivePlayer
from quizzes.live.nicknames import ADJECTIVES, ANIMALS, nickname_candidates
from quizzes.live.seats import live_player_join
from tests.quizzes.live.helpers import make_session

ALL_PAIRS = {f"{animal} {adjective}" for animal in ANIMALS for adjective in ADJECTIVES}


def test_the_game_is_asked_about_a_few_candidates_never_every_seat():
    asked = []

    def taken_of(names):
        asked.append(len(names))
        return set()

    names = nickname_candidates(taken_of=taken_of, count=40)
    assert len(names) == 40 and len(set(names)) == 40
    assert set(names) <= ALL_PAIRS
    assert len(asked) == 1 and asked[0] <= 120  # one question, a few names


def test_when_few_pairs_are_left_the_list_is_filled_with_numbered_names():
    # Many guests joining at once may take the few free pairs first: each still
    # has a full list of names to try.
    free = sorted(ALL_PAIRS)[:3]

    def taken_of(names):
        return {name for name in names if name in ALL_PAIRS and name not in free}

    names = nickname_candidates(taken_of=taken_of, count=40)
    assert len(names) == 40 and len(set(names)) == 40
    assert set(names) - set(free) and all(
        name in free or name.rsplit(" ", 1)[-1].isdigit() for name in names
    )


def test_when_every_pair_is_taken_the_names_are_numbered_past_the_used_ones():
    used = ALL_PAIRS | {f"{pair} {number}" for pair in ALL_PAIRS for number in (2, 3)}

    def taken_of(names):
        return {name for name in names if name in used}

    names = nickname_candidates(taken_of=taken_of, count=5)
    assert len(names) == 5 and not set(names) & used
    base = names[0].rsplit(" ", 1)[0]
    assert base in ALL_PAIRS
    assert names == [f"{base} {number}" for number in range(4, 9)]


@pytest.mark.django_db
def test_guests_in_a_full_game_still_get_unique_names():
    session = make_session()
    LivePlayer.objects.bulk_create(
        LivePlayer(session=session, nickname=pair, resume_token_hash=f"h{number}")
        for number, pair in enumerate(sorted(ALL_PAIRS))
    )
    seats = [live_player_join(session=session) for _ in range(3)]
    names = {seat.player.nickname for seat in seats}
    assert len(names) == 3 and not names & ALL_PAIRS
