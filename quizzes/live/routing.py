"""Websocket routes of live games (gathered into config/routing.py)."""

from django.urls import path, re_path

from quizzes.live.consumers import LiveHostConsumer, LivePlayerConsumer

websocket_urlpatterns = [
    path(
        "ws/choi/<int:session_id>/dieu-khien/",
        LiveHostConsumer.as_asgi(),
        name="live-host-ws",
    ),
    re_path(
        r"^ws/choi/(?P<pin>[0-9]{6})/$",
        LivePlayerConsumer.as_asgi(),
        name="live-player-ws",
    ),
]
