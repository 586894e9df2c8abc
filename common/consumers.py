"""What every websocket consumer of the project shares."""

from channels.consumer import get_handler_name


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
    """

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
