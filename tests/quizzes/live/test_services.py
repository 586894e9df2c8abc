"""Live games without sockets: creation, seats, server clock, scoring, attempts."""

import datetime
import uuid
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lms.models import ModuleProgress
from quizzes.errors import QuizError, QuizPermissionDenied
from quizzes.live.answers import (
    SPEED_MIN_POINTS,
    AnswerRequest,
    live_answer_submit,
    live_answers_submit,
    live_session_record_attempts,
    speed_points,
)
from quizzes.live.models import LiveAnswer, LivePhase, LivePlayer, LiveSession
from quizzes.live.nicknames import ADJECTIVES, ANIMALS
from quizzes.live.seats import live_player_choose_team, live_player_join, token_hash
from quizzes.live.selectors import live_results, live_team_scores, personal_results
from quizzes.live.services import (
    CLOCK_LOST_AFTER,
    CLOCK_RECONNECT_ALLOWANCE,
    live_clock_beat,
    live_clock_recover,
    live_session_command,
)
from quizzes.models import Attempt
from quizzes.signals import attempt_submitted
from tests.content_cms.factories import build_module, build_quiz
from tests.quizzes.attempt_helpers import make_pupil_user
from tests.quizzes.live.helpers import (
    make_host,
    make_session,
    right_choice,
    wrong_choice,
)

pytestmark = pytest.mark.django_db


def _answer(session, player, choice_id, *, at, index=0, client_id=None):
    return live_answer_submit(
        session_id=session.pk,
        player_id=player.pk,
        question_index=index,
        client_id=client_id or uuid.uuid4(),
        choice_ids=[choice_id],
        received_at=at,
    )


def _started(session, now=None):
    now = now or timezone.now()
    live_session_command(
        session_id=session.pk, user=session.host, command="start", now=now
    )
    session.refresh_from_db()
    return now


def test_create_plays_only_one_choice_questions_with_a_random_pin():
    session = make_session()
    assert len(session.pin) == 6 and session.pin.isdigit()
    assert len(session.question_ids) == 3  # multiple select and ordering left out
    assert session.phase == LivePhase.LOBBY
    assert session.version == session.quiz.versions.order_by("-number").first()


def test_pupils_cannot_host():
    with pytest.raises(QuizPermissionDenied):
        make_session(host=make_pupil_user())


def test_team_mode_needs_two_to_six_names():
    with pytest.raises(QuizError):
        make_session(scoring="team", team_names=["Đỏ"])
    session = make_session(scoring="team", team_names=["Đỏ", " Xanh ", "Đỏ", "Vàng"])
    assert session.team_names == ["Đỏ", "Xanh", "Vàng"]


def test_seconds_per_question_are_bounded():
    with pytest.raises(QuizError):
        make_session(seconds_per_question=5)


def test_a_pupil_sits_in_one_seat_by_display_name():
    session = make_session()
    pupil = make_pupil_user(display_name="Lan Anh")
    seat = live_player_join(session=session, user=pupil)
    again = live_player_join(session=session, user=pupil, resume_token="whatever")
    assert seat.player.nickname == "Lan Anh" and seat.token is None
    assert again.player.pk == seat.player.pk and not again.created


def test_guests_get_a_generated_unique_nickname_and_a_hashed_token():
    session = make_session()
    seats = [live_player_join(session=session) for _ in range(30)]
    names = [seat.player.nickname for seat in seats]
    assert len(set(names)) == 30
    for seat in seats:
        animal_and_adjective = seat.player.nickname
        assert any(animal_and_adjective.startswith(a) for a in ANIMALS)
        assert any(a in animal_and_adjective for a in ADJECTIVES)
        assert seat.token and seat.player.resume_token_hash == token_hash(seat.token)
        assert seat.token not in seat.player.resume_token_hash


def test_a_guest_token_resumes_only_its_own_seat_in_its_own_session():
    session, other = make_session(), make_session()
    seat = live_player_join(session=session)
    back = live_player_join(session=session, resume_token=seat.token)
    elsewhere = live_player_join(session=other, resume_token=seat.token)
    pupil_with_it = live_player_join(
        session=session, user=make_pupil_user(), resume_token=seat.token
    )
    assert back.player.pk == seat.player.pk and back.token is None
    assert elsewhere.player.pk != seat.player.pk
    assert pupil_with_it.player.pk != seat.player.pk


def test_the_server_clock_scores_speed_and_refuses_late_answers():
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    fast, slow, late, graced = (
        live_player_join(session=session).player for _ in range(4)
    )
    right = right_choice(session, 0)
    first = _answer(session, fast, right, at=opened)
    half = _answer(session, slow, right, at=opened + datetime.timedelta(seconds=10))
    in_grace = _answer(
        session, graced, right, at=opened + datetime.timedelta(seconds=20.4)
    )
    assert (first.answer.points, half.answer.points) == (1000, 750)
    assert in_grace.answer.points == 500
    with pytest.raises(QuizError) as error:
        _answer(session, late, right, at=opened + datetime.timedelta(seconds=21))
    assert error.value.code == "live_question_closed"
    assert speed_points(elapsed_ms=30_000, duration_ms=20_000) == 500


def test_a_repeated_answer_changes_nothing():
    session = make_session()
    opened = _started(session)
    player = live_player_join(session=session).player
    client_id = uuid.uuid4()
    right = right_choice(session, 0)
    one = _answer(session, player, right, at=opened, client_id=client_id)
    again = _answer(session, player, right, at=opened, client_id=client_id)
    other = _answer(session, player, wrong_choice(session, 0), at=opened)
    player.refresh_from_db()
    assert one.created and not again.created and not other.created
    assert other.answer.pk == one.answer.pk
    assert player.score == 1000 and LiveAnswer.objects.count() == 1


def test_accuracy_mode_gives_one_point_per_right_answer():
    session = make_session(scoring="accuracy")
    opened = _started(session)
    player, other = (live_player_join(session=session).player for _ in range(2))
    _answer(session, player, right_choice(session, 0), at=opened)
    _answer(session, other, wrong_choice(session, 0), at=opened)
    player.refresh_from_db()
    other.refresh_from_db()
    assert (player.score, other.score) == (1, 0)


def test_team_mode_averages_team_points():
    session = make_session(scoring="team", team_names=["Đỏ", "Xanh"])
    opened = _started(session)
    red = [live_player_join(session=session).player for _ in range(2)]
    blue = live_player_join(session=session).player
    for player, team in ((red[0], "Đỏ"), (red[1], "Đỏ"), (blue, "Xanh")):
        LivePlayer.objects.filter(pk=player.pk).update(team=team)
    _answer(session, red[0], right_choice(session, 0), at=opened)
    _answer(session, red[1], wrong_choice(session, 0), at=opened)
    _answer(session, blue, right_choice(session, 0), at=opened)
    scores = {t["team"]: t["score"] for t in live_team_scores(session=session)}
    assert scores == {"Đỏ": 500, "Xanh": 1000}
    with pytest.raises(QuizError):
        live_player_choose_team(player_id=blue.pk, team="Tím")


def test_pause_keeps_the_remaining_time_and_refuses_answers():
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    player = live_player_join(session=session).player
    live_session_command(
        session_id=session.pk,
        user=session.host,
        command="pause",
        now=opened + datetime.timedelta(seconds=5),
    )
    session.refresh_from_db()
    assert session.paused_remaining_ms == 15_000
    with pytest.raises(QuizError) as refused:
        _answer(
            session,
            player,
            right_choice(session, 0),
            at=opened + datetime.timedelta(seconds=10),
        )
    assert refused.value.code == "live_paused"
    resumed = opened + datetime.timedelta(seconds=60)
    live_session_command(
        session_id=session.pk, user=session.host, command="resume", now=resumed
    )
    outcome = _answer(session, player, right_choice(session, 0), at=resumed)
    assert outcome.answer.elapsed_ms == 5_000 and outcome.answer.points == 875


def test_skip_voids_the_question_and_opens_the_next():
    session = make_session()
    opened = _started(session)
    player = live_player_join(session=session).player
    _answer(session, player, right_choice(session, 0), at=opened)
    live_session_command(session_id=session.pk, user=session.host, command="skip")
    session.refresh_from_db()
    player.refresh_from_db()
    assert (session.current_index, session.phase) == (1, LivePhase.QUESTION)
    assert player.score == 0 and session.skipped_indexes == [0]


def test_only_the_host_commands_and_wrong_phases_are_refused():
    session = make_session()
    with pytest.raises(QuizError):
        live_session_command(session_id=session.pk, user=make_host(), command="start")
    with pytest.raises(QuizError) as error:
        live_session_command(session_id=session.pk, user=session.host, command="pause")
    assert error.value.code == "live_wrong_phase"


def test_results_show_a_player_their_own_points_and_no_low_rank():
    session = make_session()
    opened = _started(session)
    players = [live_player_join(session=session).player for _ in range(12)]
    for player in players[:11]:
        _answer(session, player, right_choice(session, 0), at=opened)
    live_session_command(session_id=session.pk, user=session.host, command="reveal")
    session.refresh_from_db()
    results = live_results(session=session)
    assert len(results["leaderboard"]) == 5
    last = personal_results(
        results=results, player_id=players[11].pk, leaderboard=session.leaderboard
    )
    first = personal_results(
        results=results, player_id=players[0].pk, leaderboard=session.leaderboard
    )
    assert "standings" not in last and last["you"]["rank"] is None
    assert last["you"]["correct"] is None and first["you"]["rank"] == 1


def _play_to_the_end(session, players_and_choices):
    opened = _started(session)
    for player, choice in players_and_choices:
        _answer(session, player, choice, at=opened)
    live_session_command(session_id=session.pk, user=session.host, command="end")


def test_the_end_gives_signed_in_pupils_a_submitted_attempt():
    quiz = build_quiz()
    module = build_module(quiz=quiz)
    session = make_session(quiz=quiz)
    pupil = make_pupil_user()
    seat = live_player_join(session=session, user=pupil).player
    guest = live_player_join(session=session).player
    sent = []

    def receiver(sender, attempt, **kwargs):
        sent.append(attempt)

    attempt_submitted.connect(receiver)
    try:
        _play_to_the_end(
            session,
            [(seat, right_choice(session, 0)), (guest, right_choice(session, 0))],
        )
        assert live_session_record_attempts(session_id=session.pk) == 1
        assert live_session_record_attempts(session_id=session.pk) == 0
    finally:
        attempt_submitted.disconnect(receiver)
    attempt = Attempt.objects.get(user=pupil)
    assert sent == [attempt]
    assert attempt.context_key == f"live:{session.pk}"
    assert attempt.version_id == session.version_id
    assert attempt.points == 1 and attempt.max_points == 3
    progress = ModuleProgress.objects.get(user=pupil)
    assert progress.module_id == module.pk and progress.attempts_count == 1
    assert Attempt.objects.count() == 1


def test_a_teachers_live_attempt_does_not_count_for_module_progress():
    quiz = build_quiz()
    build_module(quiz=quiz)
    session = make_session(quiz=quiz)
    teacher = make_host()
    seat = live_player_join(session=session, user=teacher).player
    _play_to_the_end(session, [(seat, right_choice(session, 0))])
    live_session_record_attempts(session_id=session.pk)
    assert Attempt.objects.filter(user=teacher).count() == 1
    assert not ModuleProgress.objects.filter(user=teacher).exists()


# --- Pages ----------


def test_the_join_form_refuses_a_bad_pin_and_sends_a_good_one_to_the_game(client):
    session = make_session()
    bad = client.get(reverse("quizzes:live_join"), {"pin": "000000"})
    good = client.get(reverse("quizzes:live_join"), {"pin": session.pin})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.content.decode()
    assert good.status_code == 302
    assert good["Location"] == reverse("quizzes:live_play", args=[session.pin])
    page = client.get(good["Location"])
    assert b"live_player.js" in page.content and b"read_aloud.js" in page.content


def test_a_host_lists_quizzes_and_opens_a_lobby(client):
    host = make_host()
    quiz = build_quiz(title="Giữ bí mật")
    client.force_login(host)
    listing = client.get(reverse("quizzes:live_quiz_list"))
    assert "Giữ bí mật" in listing.content.decode()
    created = client.post(
        reverse("quizzes:live_new", args=[quiz.pk]),
        {
            "scoring": "speed",
            "leaderboard": "top5",
            "seconds_per_question": 30,
            "team_names": "",
        },
    )
    session = LiveSession.objects.get()
    assert created["Location"] == reverse("quizzes:live_control", args=[session.pk])
    control = client.get(created["Location"]).content.decode()
    assert session.pin in control and "<svg" in control
    projector = client.get(reverse("quizzes:live_projector", args=[session.pk]))
    assert projector.status_code == 200


def test_host_pages_of_another_host_are_not_found(client):
    session = make_session()
    client.force_login(make_host())
    for name in ("live_control", "live_projector", "live_report", "live_report_xlsx"):
        response = client.get(reverse(f"quizzes:{name}", args=[session.pk]))
        assert response.status_code == 404
    client.force_login(make_pupil_user())
    assert client.get(reverse("quizzes:live_quiz_list")).status_code == 404


def test_the_report_and_its_xlsx(client):
    session = make_session()
    player = live_player_join(session=session).player
    _play_to_the_end(session, [(player, right_choice(session, 0))])
    client.force_login(session.host)
    page = client.get(reverse("quizzes:live_report", args=[session.pk]))
    assert player.nickname in page.content.decode()
    response = client.get(reverse("quizzes:live_report_xlsx", args=[session.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="bao-cao-choi-truc-tiep-{session.pk}.xlsx"'
    )
    workbook = load_workbook(BytesIO(response.getvalue()))
    questions, players = workbook.worksheets
    assert questions.max_row == 4  # heading + three questions
    assert players["B2"].value == player.nickname and players["D2"].value == 1000


# --- Fair by arrival: an answer counts by when the server received it ----------


def _command(session, command, at, **kwargs):
    live_session_command(
        session_id=session.pk, user=session.host, command=command, now=at, **kwargs
    )
    session.refresh_from_db()


def test_an_answer_received_in_time_and_written_after_the_timer_reveal_counts():
    """Received at 4 s of 20, written after the timer's reveal at 20.5 s."""
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    player = live_player_join(session=session).player
    _command(
        session, "reveal", opened + datetime.timedelta(seconds=20.5), expected_index=0
    )
    assert session.phase == LivePhase.RESULTS

    outcome = _answer(
        session,
        player,
        right_choice(session, 0),
        at=opened + datetime.timedelta(seconds=4),
    )
    assert outcome.created
    assert outcome.answer.elapsed_ms == 4_000 and outcome.answer.points == 900
    player.refresh_from_db()
    assert player.score == 900 and player.answered_count == 1


def test_an_answer_received_in_time_counts_after_the_next_question_opened():
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    player = live_player_join(session=session).player
    _command(session, "reveal", opened + datetime.timedelta(seconds=8))
    _command(session, "next", opened + datetime.timedelta(seconds=12))
    assert session.current_index == 1

    late_written = _answer(
        session,
        player,
        right_choice(session, 0),
        at=opened + datetime.timedelta(seconds=7),
        index=0,
    )
    assert late_written.created and late_written.answer.question_index == 0
    assert late_written.answer.elapsed_ms == 7_000
    with pytest.raises(QuizError) as refused:  # received after question 0 closed
        _answer(
            session,
            player,
            right_choice(session, 0),
            at=opened + datetime.timedelta(seconds=10),
            index=0,
        )
    assert refused.value.code == "live_question_closed"


def test_an_answer_received_after_the_deadline_and_its_grace_is_refused():
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    player = live_player_join(session=session).player
    just_in = _answer(
        session,
        player,
        right_choice(session, 0),
        at=opened + datetime.timedelta(seconds=20.4),
    )
    assert just_in.created and just_in.answer.points == SPEED_MIN_POINTS
    other = live_player_join(session=session).player
    with pytest.raises(QuizError) as refused:
        _answer(
            session,
            other,
            right_choice(session, 0),
            at=opened + datetime.timedelta(seconds=20.6),
        )
    assert refused.value.code == "live_question_closed"


def test_an_answer_received_before_a_pause_and_written_during_it_counts():
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    player = live_player_join(session=session).player
    _command(session, "pause", opened + datetime.timedelta(seconds=5))
    outcome = _answer(
        session,
        player,
        right_choice(session, 0),
        at=opened + datetime.timedelta(seconds=3),
    )
    assert outcome.created and outcome.answer.elapsed_ms == 3_000


def test_time_spent_paused_costs_no_points():
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    player = live_player_join(session=session).player
    _command(session, "pause", opened + datetime.timedelta(seconds=5))
    _command(session, "resume", opened + datetime.timedelta(seconds=65))
    outcome = _answer(
        session,
        player,
        right_choice(session, 0),
        at=opened + datetime.timedelta(seconds=67),
    )
    assert outcome.answer.elapsed_ms == 7_000


# --- The clock across a server outage ----------


def test_a_server_outage_gives_the_question_back_its_lost_time():
    """The server dies 5 s into a 20 s question and is back 40 s later: the
    question reopens with the 15 s it had left (and time for every phone to come
    back), the time away costs no points, and an answer resent on reconnecting
    counts."""
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    player = live_player_join(session=session).player
    last_beat = opened + datetime.timedelta(seconds=5)
    live_clock_beat(session_ids=[session.pk], now=last_beat)
    back = last_beat + datetime.timedelta(seconds=40)

    assert live_clock_recover(session_id=session.pk, now=back)
    session.refresh_from_db()
    assert session.phase == LivePhase.QUESTION
    assert session.question_deadline == (
        back + datetime.timedelta(seconds=15) + CLOCK_RECONNECT_ALLOWANCE
    )
    assert session.sequence == 2  # every screen hears the new countdown
    outcome = _answer(
        session,
        player,
        right_choice(session, 0),
        at=back + datetime.timedelta(seconds=1),
    )
    assert outcome.created and outcome.answer.elapsed_ms == 6_000
    # The next socket back changes nothing: the clock is running again.
    assert not live_clock_recover(
        session_id=session.pk, now=back + datetime.timedelta(seconds=2)
    )


def test_a_short_gap_or_a_question_already_over_does_not_reopen():
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    live_clock_beat(session_ids=[session.pk], now=opened)
    busy = opened + CLOCK_LOST_AFTER - datetime.timedelta(seconds=1)
    assert not live_clock_recover(session_id=session.pk, now=busy)
    # The server went away 25 s in, after the 20 s were already up.
    live_clock_beat(
        session_ids=[session.pk], now=opened + datetime.timedelta(seconds=25)
    )
    session.refresh_from_db()
    deadline = session.question_deadline
    assert not live_clock_recover(
        session_id=session.pk, now=opened + datetime.timedelta(seconds=90)
    )
    session.refresh_from_db()
    assert session.question_deadline == deadline and session.sequence == 1


def test_a_paused_game_has_no_clock_to_give_back():
    session = make_session(seconds_per_question=20)
    opened = _started(session)
    _command(session, "pause", opened + datetime.timedelta(seconds=5))
    assert not live_clock_recover(
        session_id=session.pk, now=opened + datetime.timedelta(minutes=5)
    )
    session.refresh_from_db()
    assert session.phase == LivePhase.PAUSED and session.paused_remaining_ms == 15_000


def _requests_of_a_crowded_second(session, opened, players, other_game):
    """One second of a crowded question, as a process's sockets hand it over:
    answers right and wrong, fast and slow, a resend, the same answer id twice,
    a second answer to the same question, a late one, a bad id, another game's
    player, a removed player."""
    right, wrong = right_choice(session, 0), wrong_choice(session, 0)
    resent, reused = uuid.uuid4(), uuid.uuid4()

    def request(player, choice, seconds, client_id=None, session_id=None):
        return AnswerRequest(
            session_id=session_id or session.pk,
            player_id=player.pk,
            question_index=0,
            client_id=client_id or uuid.uuid4(),
            choice_ids=[choice],
            received_at=opened + datetime.timedelta(seconds=seconds),
        )

    return [
        request(players[0], right, 0),
        request(players[1], right, 10),
        request(players[2], wrong, 3),
        request(players[3], right, 5, client_id=resent),
        request(players[3], right, 5, client_id=resent),  # sent again at once
        request(players[4], right, 6, client_id=reused),
        request(players[5], right, 6, client_id=reused),  # someone else's id
        request(players[6], right, 7),
        request(players[6], wrong, 8),  # a second answer to the same question
        request(players[7], right, 25),  # after the time and its grace
        AnswerRequest(session.pk, players[8].pk, 0, "not-an-id", [right], opened),
        request(players[9], right_choice(other_game, 0), 1, session_id=other_game.pk),
        request(players[9], right, 1, session_id=other_game.pk),  # not its choice
        request(players[10], right, 2),  # taken out of the game by the host
    ]


def _outcome_view(outcome):
    if isinstance(outcome, QuizError):
        return (type(outcome).__name__, outcome.code)
    answer = outcome.answer
    return (outcome.created, answer.points, answer.is_correct)


def test_a_batch_of_answers_is_judged_as_each_answer_alone():
    """The sockets of a crowded game hand their answers over together; every
    answer gets the outcome it gets alone and every player the same points."""
    stored = {}
    for batched in (False, True):
        session = make_session(seconds_per_question=20)
        opened = _started(session)
        other_game = make_session()
        _started(other_game, opened)
        players = [live_player_join(session=session).player for _ in range(11)]
        live_session_command(
            session_id=session.pk,
            user=session.host,
            command="remove",
            player_id=players[10].pk,
        )
        requests = _requests_of_a_crowded_second(session, opened, players, other_game)
        if batched:
            outcomes = live_answers_submit(requests)
        else:
            outcomes = []
            for request in requests:
                try:
                    outcomes.append(live_answer_submit(**vars(request)))
                except QuizError as error:
                    outcomes.append(error)
        by_player = {
            players.index(player): (
                player.score,
                player.correct_count,
                player.answered_count,
            )
            for player in LivePlayer.objects.filter(session=session)
        }
        stored[batched] = ([_outcome_view(o) for o in outcomes], by_player)
    assert stored[True] == stored[False]
    outcomes, by_player = stored[True]
    assert [view[0] for view in outcomes] == [
        True,
        True,
        True,
        True,
        False,
        True,
        "QuizError",
        True,
        False,
        "QuizError",
        "QuizError",
        "QuizPermissionDenied",
        "QuizError",
        "QuizPermissionDenied",
    ]
    assert [view[1] for view in outcomes if isinstance(view[0], str)] == [
        "client_id_reused",
        "live_question_closed",
        "client_id_invalid",
        "permission_denied",
        "answer_invalid",
        "permission_denied",
    ]
    assert by_player[0] == (1000, 1, 1) and by_player[1] == (750, 1, 1)
    assert by_player[2] == (0, 0, 1) and by_player[6][2] == 1
    assert by_player[10] == (0, 0, 0)
    assert LiveAnswer.objects.filter(session=session).count() == 6


def test_a_batch_that_meets_a_conflict_it_did_not_read_is_judged_answer_by_answer(
    monkeypatch,
):
    """Another process wrote the same answer between the batch's reads and its
    insert (the database refuses the insert): every answer is judged again,
    alone, and each still gets its own outcome."""
    from django.db import IntegrityError

    from quizzes.live import answers

    session = make_session()
    opened = _started(session)
    players = [live_player_join(session=session).player for _ in range(3)]
    real = answers._answers_store
    calls = []

    def conflict_first(requests):
        calls.append(len(requests))
        if len(calls) in (1, 2):  # the batch, then the first answer alone
            raise IntegrityError("live_answer_once_per_question")
        return real(requests)

    monkeypatch.setattr(answers, "_answers_store", conflict_first)
    requests = [
        AnswerRequest(
            session.pk, player.pk, 0, uuid.uuid4(), [right_choice(session, 0)], opened
        )
        for player in players
    ]
    outcomes = live_answers_submit(requests)
    assert calls == [3, 1, 1, 1, 1]  # the first answer was read a second time
    assert [outcome.created for outcome in outcomes] == [True, True, True]
    assert LiveAnswer.objects.filter(session=session).count() == 3
