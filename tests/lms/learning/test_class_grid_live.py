"""The live class grid: a pupil completes a module, the teacher's grid hears it."""

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from config.routing import websocket_urlpatterns
from lms.learning.progress_live import class_progress_sequence
from tests.factories import SchoolClassFactory, make_teacher
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)
from tests.lms.report_helpers import build_province, give, school_with_classes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def socket_as(user, class_id):
    router = URLRouter(websocket_urlpatterns)

    async def app(scope, receive, send):
        return await router(dict(scope, user=user or AnonymousUser()), receive, send)

    return WebsocketCommunicator(app, f"/ws/lop/{class_id}/tien-do/")


@database_sync_to_async
def build():
    allow_learning_records()
    org = build_province()
    module = learning_module()
    _school, [(school_class, teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=2
    )
    give(module, school_class, teacher)
    return module, school_class, teacher, pupils


async def test_teacher_hears_a_pupil_complete_a_module(layer):
    module, school_class, teacher, pupils = await build()
    socket = socket_as(teacher, school_class.pk)
    connected, _ = await socket.connect()
    assert connected
    before = await database_sync_to_async(class_progress_sequence)(school_class.pk)

    await database_sync_to_async(take_quiz)(pupils[0], module)

    message = await socket.receive_json_from(timeout=5)
    assert message == {
        "type": "progress",
        "pupil_id": pupils[0].pk,
        "module_id": module.pk,
        "status": "passed",
        "best_percent": "100.0",
        "seq": before + 1,
    }
    await database_sync_to_async(take_quiz)(pupils[1], module, correct=False)
    second = await socket.receive_json_from(timeout=5)
    assert second["pupil_id"] == pupils[1].pk
    assert second["status"] == "in_progress"
    assert second["seq"] == before + 2
    await socket.disconnect()


async def test_foreign_teacher_and_anonymous_are_refused(layer):
    _module, school_class, _teacher, pupils = await build()
    stranger = await database_sync_to_async(
        lambda: make_teacher(SchoolClassFactory())
    )()
    for user in (stranger, None, pupils[0]):
        socket = socket_as(user, school_class.pk)
        connected, code = await socket.connect()
        assert not connected
        assert code == 4403


async def test_nothing_is_sent_when_the_transaction_rolls_back(layer):
    from django.db import transaction

    module, school_class, teacher, pupils = await build()
    socket = socket_as(teacher, school_class.pk)
    assert (await socket.connect())[0]

    def complete_then_fail():
        try:
            with transaction.atomic():
                take_quiz(pupils[0], module)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    await database_sync_to_async(complete_then_fail)()
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
