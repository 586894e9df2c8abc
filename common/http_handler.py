"""Django's ASGI handler with the page's work done in one trip to a thread.

Every view and nearly every middleware of the product is synchronous (the ORM,
templates). Django's own ASGI handler runs the middleware chain in async mode, so
each middleware that can also run async (Django's ``MiddlewareMixin`` can) hands
its ``process_request`` and ``process_response`` to a thread one by one, and the
view is one more hand-over: about thirty trips to a thread per request with our
twenty middleware, each a context copy and a wake-up.

``OneTripASGIHandler`` loads the same chain in its synchronous form, the form
the test client and WSGI run (the one every test exercises), and runs it, view
included, in a single ``sync_to_async`` call. The thread is the request's
thread-sensitive one, as Django's handler uses, so the connection the view used is
closed by ``request_finished`` in the same thread. Asynchronous views (``/healthz``)
still work: Django wraps them for the synchronous chain, and asgiref runs them on
the server's event loop. What is measured: docs/performance.md, "Capacity of a
school day".
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneTripASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
