"""A bare broadcast websocket for benchmarks: the floor of live quiz broadcasts.

Wired at ``/ws/bench/floor/`` only when the environment sets ``BENCH_ENDPOINTS=1``
(see config/routing.py and docs/performance.md); production never exposes it.
Every socket joins one group; a text sent by any socket is stamped with the
server's clock (``sent_at``, epoch ms) and broadcast to the group through the
channel layer. It crosses the same stack as a live quiz (origin check, session
middleware, routing, the channel layer, the same dispatch) but reads no database
and encodes once, so "floor latency / live quiz latency" says what the game itself
adds to a broadcast.
"""

import json
import time

from channels.generic.websocket import AsyncWebsocketConsumer

from common.consumers import DirectDispatchMixin

GROUP = "bench-floor"


class FloorConsumer(DirectDispatchMixin, AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "")
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        message["sent_at"] = time.time() * 1000
        await self.channel_layer.group_send(
            GROUP, {"type": "floor.broadcast", "text": json.dumps(message)}
        )

    async def floor_broadcast(self, event):
        await self.send(text_data=event["text"])
