"""Builders for the live-game tests: a host, a session, sockets with a user."""

import uuid

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from lms.models import Role
from quizzes.live.answers import live_answer_submit, live_session_record_attempts
from quizzes.live.routing import websocket_urlpatterns
from quizzes.live.services import (
    live_questions,
    live_session_command,
    live_session_create,
)
from tests.content_cms.factories import build_quiz
from tests.factories import SchoolFactory, make_staff


def make_host(**kwargs):
    return make_staff(Role.TEACHER, school=SchoolFactory(), **kwargs)


def make_session(host=None, quiz=None, **settings):
    options = {
        "scoring": "speed",
        "leaderboard": "top5",
        "seconds_per_question": 20,
    }
    options.update(settings)
    return live_session_create(
        host=host or make_host(), quiz=quiz or build_quiz(), **options
    )


def play_to_the_end(session, answers, *, record=True):
    """Start ``session``, answer question 0 for each ``(player, choice id)``, end.

    With ``record``, signed-in players then get their attempts, as the host's
    end of game does.
    """
    live_session_command(session_id=session.pk, user=session.host, command="start")
    session.refresh_from_db()
    for player, choice_id in answers:
        live_answer_submit(
            session_id=session.pk,
            player_id=player.pk,
            question_index=0,
            client_id=uuid.uuid4(),
            choice_ids=[choice_id],
            received_at=session.question_opened_at,
        )
    live_session_command(session_id=session.pk, user=session.host, command="end")
    if record:
        live_session_record_attempts(session_id=session.pk)
    session.refresh_from_db()
    return session


def application_as(user=None):
    """The websocket routes, with ``scope["user"]`` set as AuthMiddleware would."""
    router = URLRouter(websocket_urlpatterns)

    async def app(scope, receive, send):
        return await router(dict(scope, user=user or AnonymousUser()), receive, send)

    return app


def player_socket(pin, user=None):
    return WebsocketCommunicator(application_as(user), f"/ws/choi/{pin}/")


def host_socket(session_id, user, projector=False):
    path = f"/ws/choi/{session_id}/dieu-khien/"
    if projector:
        path += "?view=projector"
    return WebsocketCommunicator(application_as(user), path)


def right_choice(session, index):
    question = live_questions(session)[index]
    return next(str(c["id"]) for c in question["choices"] if c["is_correct"])


def wrong_choice(session, index):
    question = live_questions(session)[index]
    return next(str(c["id"]) for c in question["choices"] if not c["is_correct"])


def answer_message(index, choice_id, client_id=None):
    return {
        "type": "answer",
        "index": index,
        "choice_ids": [choice_id],
        "client_id": str(client_id or uuid.uuid4()),
    }


async def receive_until(communicator, kind, timeout=3):
    """Return the next message of type ``kind``, skipping others."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message.get("type") == kind:
            return message
