"""Websocket routes of every app, gathered in one place."""

from channels.routing import URLRouter
from django.urls import path

from config.settings.base import env  # noqa: E402
from lms.learning.consumers import ClassProgressConsumer  # noqa: E402

websocket_urlpatterns: list = []

# Live class progress grid (lms/learning/consumers.py, lms/learning/progress_live.py).
websocket_urlpatterns.append(
    path("ws/lop/<int:class_id>/tien-do/", ClassProgressConsumer.as_asgi())
)

# Live classroom quizzes (quizzes/live/consumers.py, quizzes/live/routing.py).
from quizzes.live.routing import websocket_urlpatterns as live_quiz_routes  # noqa: E402

websocket_urlpatterns += live_quiz_routes

# A bare broadcast socket for bench/live_quiz.py's floor, only when the benchmark
# asks for it (BENCH_ENDPOINTS=1 in the server's environment; docs/performance.md).
if env.bool("BENCH_ENDPOINTS", default=False):
    from devdata.bench_consumers import FloorConsumer  # noqa: E402

    websocket_urlpatterns.append(path("ws/bench/floor/", FloorConsumer.as_asgi()))


def websocket_application():
    """Every websocket route behind the checks every socket must pass.

    Channels' session and user first (``AuthMiddlewareStack``), then the second
    factor (a session that still owes it is closed with 4403 before any consumer
    runs: ``lms.accounts.security``, the same rule as pages and the API), then the
    routes. ``config/asgi.py`` puts the origin check around it. Built here, around
    the whole router, so a new consumer is covered by construction.
    """
    from channels.auth import AuthMiddlewareStack

    from lms.accounts.security import SecondFactorWebsocketMiddleware

    return AuthMiddlewareStack(
        SecondFactorWebsocketMiddleware(URLRouter(websocket_urlpatterns))
    )
