"""Every socket of a process starts again after the channel layer's Redis is lost.

With the Redis channel layers a socket's place in its groups lives in Redis: the
pub/sub layer (production's) holds one subscription per group on one connection
per process, and the list layer keeps its groups in Redis keys. When Redis
restarts, or the connection to it breaks, those places can be gone while the
sockets stay open: a teacher's control screen then waits, open and silent, for
the results of a question that every phone already shows (the two-hosts drill,
``ops/two_hosts_drill.py``, found exactly that). The maintainers' own advice is
to close the sockets so that the clients reconnect and fetch the whole state
again; every client of this project already does that after any drop.

So one watch per process (per event loop) asks Redis for its ``run_id`` every
``WATCH_SECONDS`` while sockets are open:

* after ``LOST_AFTER`` failed asks in a row, Redis is lost: every socket of the
  process is closed with 1012 ("service restart"), and the clients show
  "reconnecting" and try again until it returns;
* when Redis answers again, or answers with another ``run_id`` (it restarted
  between two asks), the process's pub/sub connection is replaced by a fresh
  one and every socket still open from before is closed with 1012 as well.

The clients then sync from PostgreSQL, where everything a socket wrote is kept.
The in-memory layer (embedded mode, most tests) has nothing to lose: no watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# RFC 6455, 7.4.1: "the server is restarting; a client may reconnect".
CLOSE_SERVICE_RESTART = 1012
WATCH_SECONDS = 1.0
LOST_AFTER = 2
ASK_TIMEOUT_SECONDS = 1.0

_PUBSUB_LAYER = "channels_redis.pubsub.RedisPubSubChannelLayer"
_REDIS_LAYERS = {_PUBSUB_LAYER, "channels_redis.core.RedisChannelLayer"}


def _layer_settings(alias: str) -> dict:
    return settings.CHANNEL_LAYERS.get(alias) or {}


def watched(alias: str) -> bool:
    """Whether the sockets of layer ``alias`` need the watch (a Redis layer)."""
    return _layer_settings(alias).get("BACKEND") in _REDIS_LAYERS


class LayerWatch:
    """The sockets of one event loop on one Redis layer, and the task watching it."""

    def __init__(self, alias: str):
        self.alias = alias
        self.sockets: weakref.WeakSet = weakref.WeakSet()
        self.task: asyncio.Task | None = None
        self.run_id: str | None = None
        self.failures = 0
        self.lost = False
        self.resets = 0  # how many times the sockets were started again

    def add(self, consumer) -> None:
        self.sockets.add(consumer)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self.run())

    def discard(self, consumer) -> None:
        self.sockets.discard(consumer)
        if not self.sockets and self.task is not None:
            self.task.cancel()  # nothing to watch for; the next socket starts it
            self.task = None
            self.failures = 0
            self.lost = False

    async def run(self) -> None:
        config = _layer_settings(self.alias).get("CONFIG") or {}
        host = (config.get("hosts") or ["redis://127.0.0.1:6379"])[0]
        address = host if isinstance(host, str) else host.get("address", "")
        while True:
            await self.check(address)
            await asyncio.sleep(WATCH_SECONDS)

    async def ask_run_id(self, address: str) -> str:
        """Redis's ``run_id``, on a connection of its own (made and closed here,
        so that a watch stopped between two looks leaves nothing open)."""
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(
            address,
            socket_connect_timeout=ASK_TIMEOUT_SECONDS,
            socket_timeout=ASK_TIMEOUT_SECONDS,
        )
        try:
            return (await client.info("server"))["run_id"]
        finally:
            await client.aclose()

    async def check(self, address: str) -> None:
        try:
            run_id = await self.ask_run_id(address)
        except Exception as error:  # noqa: BLE001 - any failure to answer counts
            self.failures += 1
            if self.failures >= LOST_AFTER and not self.lost:
                self.lost = True
                logger.warning(
                    "Channel layer's Redis lost (%s): closing %d sockets; "
                    "their clients reconnect when it returns",
                    error,
                    len(self.sockets),
                )
                await self.close_sockets()
            return
        self.failures = 0
        if self.run_id is not None and (self.lost or run_id != self.run_id):
            logger.warning(
                "Channel layer's Redis is back%s: a fresh connection, and the "
                "%d sockets opened before it reconnect",
                "" if run_id == self.run_id else " (restarted)",
                len(self.sockets),
            )
            await self.reset_layer()
            await self.close_sockets()
        self.lost = False
        self.run_id = run_id

    async def reset_layer(self) -> None:
        """Replace this process's pub/sub connection and subscriptions.

        Only the pub/sub layer: its ``flush`` is local to the process (a new
        connection, no subscriptions). The list layer's ``flush`` would delete
        every process's keys in Redis, so it is left as it is.
        """
        if _layer_settings(self.alias).get("BACKEND") != _PUBSUB_LAYER:
            return
        with contextlib.suppress(Exception):
            await get_channel_layer(self.alias).flush()

    async def close_sockets(self) -> None:
        self.resets += 1
        for consumer in list(self.sockets):
            with contextlib.suppress(Exception):
                await consumer.close(code=CLOSE_SERVICE_RESTART)


# One watch per event loop and layer alias (the tests run several loops).
_WATCHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def watch_for(alias: str) -> LayerWatch:
    """The running loop's watch of layer ``alias``."""
    per_loop = _WATCHES.setdefault(asyncio.get_running_loop(), {})
    if alias not in per_loop:
        per_loop[alias] = LayerWatch(alias)
    return per_loop[alias]
