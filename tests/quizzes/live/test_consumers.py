"""Live games over websockets, on the in-memory layer and (marked) on real Redis."""

import asyncio
import datetime
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from quizzes.live import services as live_services
from quizzes.live.models import LiveAnswer, LivePhase, LivePlayer, LiveSession
from quizzes.models import Attempt
from tests.quizzes.attempt_helpers import make_pupil_user
from tests.quizzes.live.helpers import (
    answer_message,
    host_socket,
    make_host,
    make_session,
    player_socket,
    receive_until,
    right_choice,
    wrong_choice,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _connect(communicator):
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _join(pin, user=None, token=None):
    socket = await _connect(player_socket(pin, user))
    await socket.send_json_to({"type": "hello", "token": token})
    welcome = await receive_until(socket, "welcome")
    sync = await receive_until(socket, "sync")
    return socket, welcome, sync


async def _host(session):
    socket = await _connect(host_socket(session.pk, session.host))
    await receive_until(socket, "sync")
    return socket


async def test_a_pupil_joins_by_pin_and_a_guest_gets_a_nickname(layer):
    session = await sync_to_async(make_session)()
    pupil = await sync_to_async(make_pupil_user)(display_name="Minh")
    pupil_socket, welcome, sync = await _join(session.pin, pupil)
    guest_socket, guest_welcome, _sync = await _join(session.pin)
    assert welcome["player"]["nickname"] == "Minh" and "token" not in welcome
    assert guest_welcome["token"] and guest_welcome["player"]["nickname"]
    assert sync["phase"] == "lobby" and sync["you"]["score"] == 0
    await pupil_socket.disconnect()
    await guest_socket.disconnect()


async def test_a_bad_pin_is_closed(layer):
    socket = player_socket("999999")
    connected, _ = await socket.connect()
    assert connected
    closed = await socket.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4404}


async def test_answers_are_acknowledged_once_and_late_ones_refused(layer):
    session = await sync_to_async(make_session)()
    host = await _host(session)
    player, _welcome, _sync = await _join(session.pin)
    await host.send_json_to({"type": "start"})
    question = await receive_until(player, "question")
    assert question["seq"] == 1 and question["question"]["index"] == 0
    assert "is_correct" not in str(question)
    message = answer_message(0, right_choice(session, 0))
    await player.send_json_to(message)
    ack = await receive_until(player, "ack")
    await player.send_json_to(message)
    again = await receive_until(player, "ack")
    assert not ack["duplicate"] and again["duplicate"]
    assert await sync_to_async(LiveAnswer.objects.count)() == 1
    # A second player answers after the server's deadline (plus grace): refused.
    late, _w, _s = await _join(session.pin)
    await sync_to_async(LiveSession.objects.filter(pk=session.pk).update)(
        question_deadline=timezone.now() - datetime.timedelta(seconds=1)
    )
    late_message = answer_message(0, right_choice(session, 0))
    await late.send_json_to(late_message)
    refused = await receive_until(late, "refused")
    assert refused["code"] == "live_question_closed"
    assert refused["client_id"] == late_message["client_id"]
    for socket in (host, player, late):
        await socket.disconnect()


async def test_reconnecting_with_the_token_resumes_the_same_seat(layer):
    session = await sync_to_async(make_session)()
    host = await _host(session)
    player, welcome, _sync = await _join(session.pin)
    await host.send_json_to({"type": "start"})
    await receive_until(player, "question")
    await player.send_json_to(answer_message(0, right_choice(session, 0)))
    await receive_until(player, "ack")
    await player.disconnect()
    again, rewelcome, sync = await _join(session.pin, token=welcome["token"])
    assert rewelcome["resumed"] and "token" not in rewelcome
    assert rewelcome["player"]["id"] == welcome["player"]["id"]
    assert sync["you"]["score"] > 0 and sync["you"]["answered_current"]
    assert sync["current"]["type"] == "question" and sync["seq"] == 1
    assert await sync_to_async(LivePlayer.objects.count)() == 1
    await again.disconnect()
    await host.disconnect()


async def test_sequence_numbers_increase_and_sync_returns_the_full_state(layer):
    session = await sync_to_async(make_session)()
    host = await _host(session)
    player, _welcome, _sync = await _join(session.pin)
    seqs = []
    for command, kind in (("start", "question"), ("reveal", "results")):
        await host.send_json_to({"type": command})
        seqs.append((await receive_until(player, kind))["seq"])
    await host.send_json_to({"type": "next"})
    seqs.append((await receive_until(player, "question"))["seq"])
    assert seqs == [1, 2, 3]
    await player.send_json_to({"type": "sync"})
    sync = await receive_until(player, "sync")
    assert sync["seq"] == 3 and sync["current"]["question"]["index"] == 1
    assert sync["question_count"] == 3
    await player.disconnect()
    await host.disconnect()


async def test_a_player_cannot_command_the_game(layer):
    session = await sync_to_async(make_session)()
    player, _welcome, _sync = await _join(session.pin)
    await player.send_json_to({"type": "start"})
    refused = await receive_until(player, "refused")
    assert refused["code"] == "forbidden"
    phase = await sync_to_async(lambda: LiveSession.objects.get(pk=session.pk).phase)()
    assert phase == LivePhase.LOBBY
    await player.disconnect()


async def test_only_the_owner_opens_the_host_socket(layer):
    session = await sync_to_async(make_session)()
    for user in (await sync_to_async(make_host)(), None):
        socket = host_socket(session.pk, user)
        await socket.connect()
        assert await socket.receive_output(timeout=2) == {
            "type": "websocket.close",
            "code": 4403,
        }
    projector = await _connect(host_socket(session.pk, session.host, projector=True))
    await receive_until(projector, "sync")
    await projector.send_json_to({"type": "start"})
    assert (await receive_until(projector, "refused"))["type"] == "refused"
    await projector.disconnect()


async def test_a_seat_comes_from_the_socket_never_from_the_message(layer):
    session = await sync_to_async(make_session)()
    host = await _host(session)
    victim, victim_welcome, _s = await _join(session.pin)
    pupil = await sync_to_async(make_pupil_user)()
    # A signed-in pupil presenting the guest's token gets their own seat.
    thief, thief_welcome, _s = await _join(session.pin, pupil, victim_welcome["token"])
    assert thief_welcome["player"]["id"] != victim_welcome["player"]["id"]
    await host.send_json_to({"type": "start"})
    await receive_until(thief, "question")
    message = answer_message(0, wrong_choice(session, 0))
    message["player_id"] = victim_welcome["player"]["id"]
    await thief.send_json_to(message)
    await receive_until(thief, "ack")
    answer = await sync_to_async(LiveAnswer.objects.get)()
    assert answer.player_id == thief_welcome["player"]["id"]
    for socket in (host, victim, thief):
        await socket.disconnect()


async def test_the_host_gets_few_aggregates_for_many_answers(layer):
    session = await sync_to_async(make_session)(seconds_per_question=60)
    host = await _host(session)
    players = [(await _join(session.pin))[0] for _ in range(6)]
    await host.send_json_to({"type": "start"})
    for player in players:
        await receive_until(player, "question")
    for player in players[:5]:
        await player.send_json_to(answer_message(0, right_choice(session, 0)))
    for player in players[:5]:
        await receive_until(player, "ack")
    await asyncio.sleep(1.5)
    aggregates = []
    while not await host.receive_nothing(timeout=0.2):
        message = await host.receive_json_from()
        if message["type"] == "aggregate":
            aggregates.append(message)
    assert 1 <= len(aggregates) <= 3
    assert aggregates[-1]["answered"] == 5 and aggregates[-1]["players"] == 6
    for socket in (host, *players):
        await socket.disconnect()


async def test_everyone_answered_reveals_and_removal_closes_the_seat(layer):
    session = await sync_to_async(make_session)(seconds_per_question=60)
    host = await _host(session)
    one, one_welcome, _s = await _join(session.pin)
    two, two_welcome, _s = await _join(session.pin)
    removal = {"type": "remove", "player_id": two_welcome["player"]["id"]}
    await host.send_json_to(removal)
    assert (await receive_until(two, "removed"))["type"] == "removed"
    await host.send_json_to({"type": "start"})
    await receive_until(one, "question")
    await one.send_json_to(answer_message(0, right_choice(session, 0)))
    results = await receive_until(one, "results", timeout=4)
    assert results["you"]["correct"] is True and results["you"]["rank"] == 1
    assert "standings" not in results
    await one.disconnect()
    await host.disconnect()


async def test_each_player_hears_only_their_own_result(layer):
    # The standings of every player reach each process once; every socket
    # must still pick its own row, and no device sees the others' rows.
    session = await sync_to_async(make_session)(seconds_per_question=60)
    host = await _host(session)
    right, _w, _s = await _join(session.pin)
    wrong, _w, _s = await _join(session.pin)
    await host.send_json_to({"type": "start"})
    for player in (right, wrong):
        await receive_until(player, "question")
    await right.send_json_to(answer_message(0, right_choice(session, 0)))
    await wrong.send_json_to(answer_message(0, wrong_choice(session, 0)))
    heard_right = await receive_until(right, "results", timeout=4)
    heard_wrong = await receive_until(wrong, "results", timeout=4)
    assert heard_right["you"]["correct"] is True and heard_right["you"]["rank"] == 1
    assert heard_wrong["you"]["correct"] is False and heard_wrong["you"]["score"] == 0
    heard_host = await receive_until(host, "results", timeout=4)
    for message in (heard_right, heard_wrong, heard_host):
        assert "standings" not in message
    for socket in (host, right, wrong):
        await socket.disconnect()


async def test_flooding_a_socket_closes_it(layer):
    session = await sync_to_async(make_session)()
    socket = await _connect(player_socket(session.pin))
    for _ in range(40):
        await socket.send_json_to({"type": "ping"})
    closed = None
    for _ in range(45):
        output = await socket.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            closed = output
            break
    assert closed == {"type": "websocket.close", "code": 4429}


async def test_ending_turns_pupils_results_into_attempts(layer):
    session = await sync_to_async(make_session)()
    host = await _host(session)
    pupil = await sync_to_async(make_pupil_user)()
    player, _w, _s = await _join(session.pin, pupil)
    await host.send_json_to({"type": "start"})
    await receive_until(player, "question")
    await player.send_json_to(answer_message(0, right_choice(session, 0)))
    await receive_until(player, "ack")
    await host.send_json_to({"type": "end"})
    ended = await receive_until(player, "ended")
    assert ended["you"]["score"] == ended["you"]["gained"] > 500
    finalised = await receive_until(host, "finalised", timeout=5)
    assert finalised["attempts"] == 1
    attempt = await sync_to_async(Attempt.objects.get)(user=pupil)
    assert attempt.context_key == f"live:{session.pk}" and attempt.points == 1
    await player.disconnect()
    await host.disconnect()


async def test_broadcasts_reach_players_without_a_database_trip_per_socket(
    layer, monkeypatch
):
    """A broadcast to a thousand sockets must not queue a thousand trips through
    the process's one database thread (Channels' default ``dispatch`` makes one
    per message); the players still get every phase change, in order."""
    import channels.consumer

    trips = []

    async def counted_trip():
        trips.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted_trip)
    session = await sync_to_async(make_session)()
    host = await _host(session)
    players = [(await _join(session.pin))[0] for _ in range(3)]
    for command, kind in (("start", "question"), ("reveal", "results")):
        await host.send_json_to({"type": command})
        for player in players:
            assert (await receive_until(player, kind))["type"] == kind
    assert trips == []
    for socket in (*players, host):
        await socket.disconnect()


async def test_an_answer_noticed_while_the_host_counts_still_reveals(
    layer, monkeypatch
):
    """The last answer of a question can arrive while the host socket is reading
    the count of the one before; it must still be counted and the question
    revealed at once, not when the timer runs out."""
    from quizzes.live import socket_calls

    session = await sync_to_async(make_session)(seconds_per_question=60)
    host = await _host(session)
    one, _w, _s = await _join(session.pin)
    two, _w, _s = await _join(session.pin)
    await host.send_json_to({"type": "start"})
    for player in (one, two):
        await receive_until(player, "question")
    counted = socket_calls.aggregate
    calls = []

    async def count_then_let_the_last_answer_in(session_id):
        aggregate = await counted(session_id)
        calls.append(aggregate["answered"])
        if len(calls) == 1:  # the second answer lands during the first count
            await two.send_json_to(answer_message(0, right_choice(session, 0)))
            await receive_until(two, "ack")
            await asyncio.sleep(0.3)  # the host socket hears of it meanwhile
        return aggregate

    monkeypatch.setattr(socket_calls, "aggregate", count_then_let_the_last_answer_in)
    await one.send_json_to(answer_message(0, right_choice(session, 0)))
    results = await receive_until(one, "results", timeout=4)
    assert results["index"] == 0 and calls[0] == 1 and calls[-1] == 2
    for socket in (one, two, host):
        await socket.disconnect()


async def test_answers_arriving_together_are_written_together(layer, monkeypatch):
    """While one answer is being written, the answers that arrive meanwhile wait
    and go to the database in one batch; each socket still hears "saved" only
    once its answer is stored, with its own points."""
    from quizzes.live import socket_calls

    session = await sync_to_async(make_session)(seconds_per_question=60)
    host = await _host(session)
    players = [(await _join(session.pin))[0] for _ in range(8)]
    await host.send_json_to({"type": "start"})
    for player in players:
        await receive_until(player, "question")
    write = socket_calls.answers
    batches = []
    first_may_go = asyncio.Event()

    async def held_first(requests):
        batches.append(len(requests))
        if len(batches) == 1:  # the database is slow with the first answer
            await first_may_go.wait()
        return await write(requests)

    monkeypatch.setattr(socket_calls, "answers", held_first)
    right, wrong = right_choice(session, 0), wrong_choice(session, 0)
    await players[0].send_json_to(answer_message(0, right))
    for _ in range(1000):  # a loaded machine: up to 10 s
        if batches:
            break
        await asyncio.sleep(0.01)
    for number, player in enumerate(players[1:]):
        await player.send_json_to(answer_message(0, wrong if number % 2 else right))
    waiting = socket_calls._BATCHES[asyncio.get_running_loop()].waiting
    for _ in range(1000):
        if len(waiting) == 7:
            break
        await asyncio.sleep(0.01)
    assert len(waiting) == 7 and batches == [1], batches
    assert await sync_to_async(LiveAnswer.objects.count)() == 0
    first_may_go.set()
    acks = [await receive_until(player, "ack") for player in players]
    assert batches == [1, 7]
    assert not any(ack["duplicate"] for ack in acks)
    stored = await sync_to_async(
        lambda: sorted(
            LivePlayer.objects.values_list("answered_count", "correct_count")
        )
    )()
    assert stored == [(1, 0)] * 3 + [(1, 1)] * 5
    for socket in (*players, host):
        await socket.disconnect()


async def test_an_answer_whose_notice_was_lost_still_reveals_soon(layer, monkeypatch):
    """A Redis restart loses the "someone answered" notices sent meanwhile (they
    travel once); the host's screen counts again by itself while the question is
    open, so everyone having answered still reveals, long before the timer."""
    from quizzes.live import answers as live_answers
    from quizzes.live import consumers

    monkeypatch.setattr(consumers, "RECOUNT_SECONDS", 0.2)
    session = await sync_to_async(make_session)(seconds_per_question=60)
    host = await _host(session)
    player, welcome, _sync = await _join(session.pin)
    await host.send_json_to({"type": "start"})
    await receive_until(player, "question")
    # Stored as the socket would store it, but no notice reaches the host.
    await sync_to_async(live_answers.live_answer_submit)(
        session_id=session.pk,
        player_id=welcome["player"]["id"],
        question_index=0,
        client_id=str(uuid.uuid4()),
        choice_ids=[right_choice(session, 0)],
        received_at=timezone.now(),
    )
    results = await receive_until(player, "results", timeout=3)
    assert results["index"] == 0
    for socket in (player, host):
        await socket.disconnect()


async def test_every_open_socket_keeps_the_games_clock_alive(layer, monkeypatch):
    monkeypatch.setattr(live_services, "CLOCK_BEAT_SECONDS", 0.05)
    session = await sync_to_async(make_session)()
    host = await _host(session)
    player, _welcome, _sync = await _join(session.pin)
    await host.send_json_to({"type": "start"})
    await receive_until(player, "question")
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    await sync_to_async(LiveSession.objects.filter(pk=session.pk).update)(
        clock_seen_at=long_ago
    )
    await asyncio.sleep(0.3)
    beaten = await sync_to_async(
        LiveSession.objects.values_list("clock_seen_at", flat=True).get
    )(pk=session.pk)
    assert timezone.now() - beaten < datetime.timedelta(seconds=5)
    await player.disconnect()
    await host.disconnect()


async def test_after_a_server_outage_a_resent_answer_counts_and_screens_resume(layer):
    """Every socket drops 5 s into a 20 s question; the server is back 40 s
    later. The player's answer, tapped while the server was away and sent
    again on reconnecting, counts; the host's countdown resumes from 15 s (plus
    the time given for every phone to come back)."""
    session = await sync_to_async(make_session)(seconds_per_question=20)
    host = await _host(session)
    player, welcome, _sync = await _join(session.pin)
    await host.send_json_to({"type": "start"})
    await receive_until(player, "question")
    await player.disconnect()
    await host.disconnect()
    # What the clock looks like 45 s in, after 40 s without any server.
    opened = timezone.now() - datetime.timedelta(seconds=45)
    await sync_to_async(LiveSession.objects.filter(pk=session.pk).update)(
        question_opened_at=opened,
        question_deadline=opened + datetime.timedelta(seconds=20),
        answer_windows={"0": [[int(opened.timestamp() * 1000), None]]},
        clock_seen_at=opened + datetime.timedelta(seconds=5),
    )

    back, _rewelcome, sync = await _join(session.pin, token=welcome["token"])
    assert sync["current"]["type"] == "question"
    allowance = live_services.CLOCK_RECONNECT_ALLOWANCE.total_seconds() * 1000
    assert 14_000 <= sync["current"]["remaining_ms"] - allowance <= 15_000
    message = answer_message(0, right_choice(session, 0))
    await back.send_json_to(message)
    ack = await receive_until(back, "ack")
    assert ack["client_id"] == message["client_id"] and not ack["duplicate"]
    answer = await sync_to_async(LiveAnswer.objects.get)(session=session)
    assert 5_000 <= answer.elapsed_ms <= 6_000 and answer.points > 800

    host_again = await _connect(host_socket(session.pk, session.host))
    state = await receive_until(host_again, "sync")
    assert state["current"]["phase"] == "question"
    assert 13_000 <= state["current"]["remaining_ms"] - allowance <= 15_000
    await back.disconnect()
    await host_again.disconnect()


async def test_a_process_gives_memory_back_once_its_last_game_socket_left(
    layer, monkeypatch
):
    from quizzes.live import consumers as live_consumers

    collected = []
    monkeypatch.setattr(live_consumers, "_CLOCK", live_consumers._ClockKeeper())
    monkeypatch.setattr(live_consumers, "MEMORY_RETURN_DELAY", 0.05)
    monkeypatch.setattr(live_consumers.gc, "collect", lambda: collected.append(1))
    session = await sync_to_async(make_session)()
    host = await _host(session)
    player, _welcome, _sync = await _join(session.pin)
    await player.disconnect()
    await asyncio.sleep(0.2)
    assert collected == []  # the host's socket still holds the game
    await host.disconnect()
    await asyncio.sleep(0.2)
    assert collected == [1]


async def test_a_results_broadcast_stays_small_and_each_process_reads_standings_once(
    layer, monkeypatch
):
    """Every player's row travels once per process, never once per socket.

    At 10,000 players the standings are 320 KB: carried in the broadcast, each
    of 5,000 sockets in a process decoded its own copy (1.6 GB, 4 s of work).
    The broadcast names them; a process that did not reveal (here: this
    process's copy forgotten, the shared cache emptied) reads them once from the
    database for all its sockets, and each player still gets their own row.
    """
    from channels.layers import get_channel_layer
    from django.core.cache import cache

    from quizzes.live import consumers as live_consumers
    from quizzes.live import socket_calls

    session = await sync_to_async(make_session)(seconds_per_question=60)
    host = await _host(session)
    players = [(await _join(session.pin))[0] for _ in range(3)]
    await host.send_json_to({"type": "start"})
    for player in players:
        await receive_until(player, "question")

    sent = []
    channel_layer = get_channel_layer()
    layer_send = channel_layer.group_send

    async def recording_send(group, message):
        sent.append(message)
        if message.get("payload", {}).get("type") == "results":
            # As in a process that did not reveal: nothing kept here, nor shared.
            live_consumers._STANDINGS.clear()
            await sync_to_async(cache.clear)()
        await layer_send(group, message)

    reads = []
    read = socket_calls.standings_read

    async def counted_read(*args):
        reads.append(args)
        return await read(*args)

    monkeypatch.setattr(socket_calls, "standings_read", counted_read)
    monkeypatch.setattr(channel_layer, "group_send", recording_send)
    await players[0].send_json_to(answer_message(0, right_choice(session, 0)))
    for player in players[1:]:
        await player.send_json_to(answer_message(0, wrong_choice(session, 0)))
    heard = [await receive_until(player, "results", timeout=4) for player in players]

    [results] = [m for m in sent if m.get("payload", {}).get("type") == "results"]
    assert "standings" not in results and "standings" not in results["payload"]
    assert len(reads) == 1  # one read for the three sockets of this process
    assert heard[0]["you"]["correct"] is True and heard[0]["you"]["rank"] == 1
    assert [h["you"]["correct"] for h in heard[1:]] == [False, False]
    for socket in (host, *players):
        await socket.disconnect()
