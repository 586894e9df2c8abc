"""What every websocket consumer of the project shares.

``DirectDispatchMixin`` is the one place where a consumer meets the socket, so it
is also where no message can crash one: whatever a client sends (binary frames,
junk, huge or deeply nested JSON, messages after the server closed the socket)
and whatever a handler raises ends in a clean close code and one log line, never
an unhandled exception in the server. ``JsonWebsocketConsumer`` is the base of
the JSON consumers (the class grid, the live games).
"""

from __future__ import annotations

import contextlib
import logging

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from common import layer_watch
from common.jsonlimits import loads_bounded

logger = logging.getLogger(__name__)

# Close codes of RFC 6455, section 7.4.1.
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_INVALID_PAYLOAD = 1007
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN = 1013  # "try again later": the socket could not be set up
# No message of the project comes near this; a frame above it is refused.
MAX_TEXT_FRAME = 64 * 1024


class DirectDispatchMixin:
    """Run each message's handler without Channels' per-message database trip.

    Channels' own ``dispatch`` first awaits ``aclose_old_connections()``, a trip to
    the process's one database thread, for every message. A broadcast to the
    thousand sockets of a worker (a live quiz in an assembly) then queued a
    thousand trips through that one thread, which was most of the time from
    "question open" to the last phone (docs/performance.md, "Live quiz").
    Consumers using this reach the database only through
    ``database_sync_to_async``, which closes stale connections around each call
    itself, so nothing is lost by not doing it per message.

    It also guards the socket:

    * once the socket is closed (by either side), nothing more is sent (a second
      close, a late broadcast), and client frames that still arrive are ignored;
    * a message of a type no handler knows closes the socket (1003);
    * an exception in a handler is logged in one line and closes the socket
      (1011), rather than escaping into the server.
    """

    socket_closed = False

    async def __call__(self, scope, receive, send):
        async def guarded_send(message):
            if self.socket_closed:
                return
            if message.get("type") == "websocket.close":
                self.socket_closed = True
            await send(message)

        watch = None
        if layer_watch.watched(self.channel_layer_alias):
            watch = layer_watch.watch_for(self.channel_layer_alias)
            watch.add(self)
        try:
            return await super().__call__(scope, receive, guarded_send)
        except Exception as error:  # noqa: BLE001 - the channel layer, at connect
            # Typically Redis away while the socket is being set up (its channel
            # cannot be made): the client is refused and tries again.
            logger.warning(
                "websocket %s could not start: %s: %s",
                type(self).__name__,
                type(error).__name__,
                error,
            )
            with contextlib.suppress(Exception):
                await guarded_send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})
        finally:
            if watch is not None:
                watch.discard(self)

    async def dispatch(self, message):
        kind = message.get("type", "")
        if kind == "websocket.disconnect":
            self.socket_closed = True
        elif kind == "websocket.receive" and self.socket_closed:
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            await self.refuse_frame(CLOSE_UNSUPPORTED_DATA, f"no handler for {kind!r}")
            return
        try:
            await handler(message)
        except StopConsumer:
            raise
        except Exception as error:  # the last guard: never a traceback in the server
            if kind != "websocket.disconnect":
                await self.handler_failed(kind, error)
                return
            # Leaving its groups failed (the channel layer's Redis away): the
            # socket is gone all the same, and so must the consumer be.
            logger.info(
                "websocket %s left without its groups: %s: %s",
                type(self).__name__,
                type(error).__name__,
                error,
            )
            raise StopConsumer() from error

    async def handler_failed(self, kind: str, error: Exception) -> None:
        if isinstance(error, OSError):
            # The phone went away while its message was handled (the server's
            # ClientDisconnected is an OSError): what it sent is already saved,
            # and it sends again after reconnecting. Nothing to close or warn of.
            self.socket_closed = True
            logger.debug(
                "websocket %s gone during %s: %s", type(self).__name__, kind, error
            )
            return
        # The last guard: never a traceback in the server.
        logger.warning(
            "websocket %s closed on %s: %s: %s",
            type(self).__name__,
            kind,
            type(error).__name__,
            error,
        )
        await self.close(code=CLOSE_INTERNAL_ERROR)

    async def refuse_frame(self, code: int, reason: str) -> None:
        """Close the socket with ``code`` and log why, in one line."""
        logger.info("websocket %s closed %s: %s", type(self).__name__, code, reason)
        await self.close(code=code)


class JsonWebsocketConsumer(DirectDispatchMixin, AsyncJsonWebsocketConsumer):
    """A JSON consumer that refuses what is not a JSON text frame of sane size.

    Binary frames close the socket with 1003, frames over ``MAX_TEXT_FRAME``
    characters with 1009, malformed or too deeply nested JSON with 1007
    (``common.jsonlimits``). ``receive_json`` only ever sees parsed JSON.
    """

    async def websocket_receive(self, message):
        await self.receive(
            text_data=message.get("text"), bytes_data=message.get("bytes")
        )

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.refuse_frame(CLOSE_UNSUPPORTED_DATA, "binary frame")
            return
        if len(text_data) > MAX_TEXT_FRAME:
            await self.refuse_frame(CLOSE_MESSAGE_TOO_BIG, f"{len(text_data)} chars")
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError as error:
            await self.refuse_frame(CLOSE_INVALID_PAYLOAD, f"bad JSON: {error}")
            return
        await self.receive_json(content, **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        return loads_bounded(text_data)
