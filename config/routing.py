"""Websocket routes of every app, gathered in one place."""

from django.urls import path  # noqa: E402

from lms.consumers import ClassProgressConsumer  # noqa: E402

websocket_urlpatterns: list = []

# Live class progress grid (lms/consumers.py, lms/progress_live.py).
websocket_urlpatterns.append(
    path("ws/lop/<int:class_id>/tien-do/", ClassProgressConsumer.as_asgi())
)

# Live classroom quizzes (quizzes/live_consumers.py, quizzes/live_routing.py).
from quizzes.live_routing import websocket_urlpatterns as live_quiz_routes  # noqa: E402

websocket_urlpatterns += live_quiz_routes
