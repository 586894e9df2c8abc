"""``GET /healthz``: is the database reachable, does the channel layer deliver.

A 503 names what is down in ``down``: ``database`` (PostgreSQL), and ``redis``
when the channel layer runs on Redis (``REDIS_URL``; otherwise ``channel_layer``),
so the monitor's alert says which service to look at.
"""

import asyncio
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse

CHECK_TIMEOUT_SECONDS = 2.0


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


async def _channel_layer_ok() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        channel = await asyncio.wait_for(
            layer.new_channel("healthz."), CHECK_TIMEOUT_SECONDS
        )
        token = str(time.monotonic_ns())
        await asyncio.wait_for(
            layer.send(channel, {"type": "health.check", "token": token}),
            CHECK_TIMEOUT_SECONDS,
        )
        message = await asyncio.wait_for(layer.receive(channel), CHECK_TIMEOUT_SECONDS)
        return message.get("token") == token
    except Exception:
        return False


async def healthz(request):
    """Report each dependency; 200 when all are up, 503 when one is down."""
    database = await sync_to_async(_database_ok, thread_sensitive=True)()
    channel_layer = await _channel_layer_ok()
    healthy = database and channel_layer
    down = []
    if not database:
        down.append("database")
    if not channel_layer:
        down.append("redis" if getattr(settings, "REDIS_URL", "") else "channel_layer")
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": "ok" if database else "down",
            "channel_layer": "ok" if channel_layer else "down",
            "down": down,
        },
        status=200 if healthy else 503,
    )
