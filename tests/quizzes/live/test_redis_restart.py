"""A live game goes on when the channel layer's Redis is lost and comes back.

Each test runs a Redis server of its own (``redis-server`` on a free port), so it
can stop and start it under the open sockets, as the two-hosts drill does with
whole hosts (``ops/two_hosts_drill.py``, step "redis lost").
"""

import asyncio
import shutil
import socket
import subprocess
import time

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import channel_layers

from common import layer_watch
from tests.quizzes.live.helpers import (
    answer_message,
    host_socket,
    make_session,
    player_socket,
    receive_until,
    right_choice,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio,
    pytest.mark.redis,
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="needs redis-server"
    ),
]


class OwnRedis:
    """A throwaway Redis server that the test may stop and start again."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def own_redis(settings, monkeypatch):
    server = OwnRedis()
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [server.url], "prefix": "asp-restart"},
        }
    }
    monkeypatch.setattr(layer_watch, "WATCH_SECONDS", 0.2)
    channel_layers.backends = {}
    yield server
    server.stop()
    channel_layers.backends = {}


async def _connect(communicator):
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _join(pin, token=None):
    player = await _connect(player_socket(pin))
    await player.send_json_to({"type": "hello", "token": token})
    welcome = await receive_until(player, "welcome")
    await receive_until(player, "sync")
    return player, welcome


async def _closed_with(communicator, timeout=5):
    """The close code the server sent, skipping the messages before it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output = await communicator.receive_output(timeout=deadline - time.monotonic())
        if output["type"] == "websocket.close":
            return output.get("code")
    raise AssertionError("the socket was not closed")


async def _noticed(resets: int, timeout=5):
    """Wait until the watch has started the sockets again ``resets`` times in all
    (a client that reconnects before that is closed once more and reconnects)."""
    watch = layer_watch.watch_for("default")
    deadline = time.monotonic() + timeout
    while watch.resets < resets:
        assert time.monotonic() < deadline, "the watch did not notice"
        await asyncio.sleep(0.05)


async def _game_with_a_question_open():
    session = await sync_to_async(make_session)(seconds_per_question=60)
    host = await _connect(host_socket(session.pk, session.host))
    await receive_until(host, "sync")
    player, welcome = await _join(session.pin)
    await host.send_json_to({"type": "start"})
    await receive_until(player, "question")
    return session, host, player, welcome


async def _after_the_return_the_answer_reveals(session, welcome):
    """Screens that reconnect after Redis returned: the answer counts, and the
    teacher's screen shows the results at once (everyone answered)."""
    host = await _connect(host_socket(session.pk, session.host))
    state = await receive_until(host, "sync")
    assert state["current"]["phase"] == "question"
    player, _again = await _join(session.pin, token=welcome["token"])
    message = answer_message(0, right_choice(session, 0))
    await player.send_json_to(message)
    ack = await receive_until(player, "ack")
    assert ack["client_id"] == message["client_id"]
    results = await receive_until(host, "results", timeout=10)
    assert results["index"] == 0
    await player.disconnect()
    await host.disconnect()


async def test_redis_lost_closes_the_sockets_to_reconnect_and_the_game_goes_on(
    own_redis,
):
    session, host, player, welcome = await _game_with_a_question_open()

    own_redis.stop()
    # Lost: every socket is told "service restart", so its screen says
    # "reconnecting" and tries again instead of waiting on a dead line.
    assert await _closed_with(host) == layer_watch.CLOSE_SERVICE_RESTART
    assert await _closed_with(player) == layer_watch.CLOSE_SERVICE_RESTART

    own_redis.start()
    await _noticed(2)
    await _after_the_return_the_answer_reveals(session, welcome)


async def test_a_redis_restart_between_two_looks_still_restarts_the_sockets(
    own_redis, monkeypatch
):
    """Redis restarted faster than the watch looks (no failed look): its new
    ``run_id`` gives it away, and the sockets that lost their groups with it are
    closed, rather than left open and deaf to the game's broadcasts."""
    monkeypatch.setattr(layer_watch, "WATCH_SECONDS", 1.0)
    session, host, player, welcome = await _game_with_a_question_open()
    await asyncio.sleep(0.1)  # the watch has looked once, and sleeps

    own_redis.stop()
    own_redis.start()
    assert await _closed_with(host) == layer_watch.CLOSE_SERVICE_RESTART
    assert await _closed_with(player) == layer_watch.CLOSE_SERVICE_RESTART
    await _noticed(1)
    await _after_the_return_the_answer_reveals(session, welcome)


async def test_a_socket_asked_for_while_redis_is_away_is_refused_cleanly(own_redis):
    """No traceback, no hung socket: the phone is refused and tries again."""
    session = await sync_to_async(make_session)()
    own_redis.stop()
    player = player_socket(session.pin)
    connected, code = await player.connect(timeout=5)
    assert not connected
    own_redis.start()
    player, _welcome = await _join(session.pin)
    await player.disconnect()
