"""The second factor holds on every door: pages, the API and every websocket.

The sockets are opened through the application the server runs
(``config.asgi.application``: origin check, session cookie, Channels' session and
user, the second-factor middleware, the routes), with a session made by the test
client, as a browser's would be.
"""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.authtoken.models import Token

from config.asgi import application
from lms.models import Role
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    UnitFactory,
    login_verified,
    make_pupil,
    make_staff,
    make_teacher,
    make_totp_device,
)
from tests.quizzes.live.helpers import make_session

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(user, *, verified: bool) -> str:
    """Sign ``user`` in as the sign-in page would; return the session cookie."""
    client = Client()
    if verified:
        login_verified(client, user)
    else:
        client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


ORIGIN = (b"origin", b"http://localhost")


def socket(path: str, cookie: str | None = None) -> WebsocketCommunicator:
    headers = [ORIGIN]
    if cookie:
        header = f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()
        headers.append((b"cookie", header))
    return WebsocketCommunicator(application, path, headers=headers)


@database_sync_to_async
def doors():
    """Every websocket of the project, with someone entitled to open each."""
    admin = make_staff(Role.PLATFORM_ADMIN)
    school_class = SchoolClassFactory()
    teacher = make_teacher(school_class)
    host = make_staff(Role.TEACHER, school=SchoolFactory())
    for user in (teacher, host):  # who turned two-step sign-in on must use it
        make_totp_device(user)
    live = make_session(host=host)
    return [
        (teacher, f"/ws/lop/{school_class.pk}/tien-do/"),
        (host, f"/ws/choi/{live.pk}/dieu-khien/"),
        (host, f"/ws/choi/{live.pk}/dieu-khien/?view=projector"),
        (admin, f"/ws/choi/{live.pk}/dieu-khien/?view=projector"),
        (host, f"/ws/choi/{live.pin}/"),
        (admin, f"/ws/choi/{live.pin}/"),
    ]


@pytest.mark.asyncio
async def test_every_websocket_refuses_a_session_that_owes_its_second_factor(layer):
    for user, path in await doors():
        cookie = await database_sync_to_async(session_cookie)(user, verified=False)
        connected, code = await socket(path, cookie).connect()
        assert (connected, code) == (False, 4403), path


@pytest.mark.asyncio
async def test_the_same_sockets_open_once_the_session_is_verified(layer):
    school_class = await database_sync_to_async(SchoolClassFactory)()
    teacher = await database_sync_to_async(make_teacher)(school_class)
    cookie = await database_sync_to_async(session_cookie)(teacher, verified=True)
    grid = socket(f"/ws/lop/{school_class.pk}/tien-do/", cookie)
    connected, _ = await grid.connect()
    assert connected
    await grid.disconnect()

    host = await database_sync_to_async(make_host_with_device)()
    live = await database_sync_to_async(make_session)(host=host)
    cookie = await database_sync_to_async(session_cookie)(host, verified=True)
    control = socket(f"/ws/choi/{live.pk}/dieu-khien/", cookie)
    connected, _ = await control.connect()
    assert connected
    message = await control.receive_json_from(timeout=3)
    assert message["type"] == "sync"
    await control.disconnect()


@pytest.mark.asyncio
async def test_every_websocket_refuses_a_session_with_a_one_time_password(layer):
    """Staff made by a bulk import must choose their own password before any
    page opens; no websocket opens either (the same door)."""

    @database_sync_to_async
    def imported_staff():
        school_class = SchoolClassFactory()
        teacher = make_teacher(school_class, must_change_password=True)
        live = make_session(host=teacher)
        return teacher, [
            f"/ws/lop/{school_class.pk}/tien-do/",
            f"/ws/choi/{live.pk}/dieu-khien/",
            f"/ws/choi/{live.pin}/",
        ]

    teacher, paths = await imported_staff()
    cookie = await database_sync_to_async(session_cookie)(teacher, verified=False)
    for path in paths:
        connected, code = await socket(path, cookie).connect()
        assert (connected, code) == (False, 4403), path


def make_host_with_device():
    host = make_staff(Role.TEACHER, school=SchoolFactory())
    make_totp_device(host)
    return host


@pytest.mark.asyncio
async def test_pupils_and_teachers_without_a_device_owe_nothing_on_sockets(layer):
    @database_sync_to_async
    def people():
        school_class = SchoolClassFactory()
        live = make_session()
        return make_pupil(school_class), make_teacher(school_class), live

    pupil, teacher, live = await people()
    for user in (pupil, teacher):
        cookie = await database_sync_to_async(session_cookie)(user, verified=False)
        player = socket(f"/ws/choi/{live.pin}/", cookie)
        connected, _ = await player.connect()
        assert connected
        await player.disconnect()


@pytest.mark.asyncio
async def test_anonymous_guests_still_join_a_game(layer):
    live = await database_sync_to_async(make_session)()
    player = socket(f"/ws/choi/{live.pin}/")
    connected, _ = await player.connect()
    assert connected
    await player.disconnect()


# --- The one rule ----------


def test_a_device_of_someone_else_does_not_verify_a_session():
    from lms.accounts.security import second_factor_owed

    officer = make_staff(Role.PROVINCE_OFFICER, unit=UnitFactory())
    other = make_staff(Role.PROVINCE_OFFICER, unit=UnitFactory())
    others_device = make_totp_device(other)
    session = {DEVICE_ID_SESSION_KEY: others_device.persistent_id}
    assert second_factor_owed(officer, session)
    own = make_totp_device(officer)
    assert not second_factor_owed(officer, {DEVICE_ID_SESSION_KEY: own.persistent_id})
    own.confirmed = False
    own.save()
    assert second_factor_owed(officer, {DEVICE_ID_SESSION_KEY: own.persistent_id})


def test_the_api_answers_json_403_to_a_session_that_owes_its_second_factor(client):
    admin = make_staff(Role.PLATFORM_ADMIN)
    client.force_login(admin)
    response = client.get(reverse("lms-api:me"))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "second_factor_required"
    login_verified(client, admin)
    assert client.get(reverse("lms-api:me")).status_code == 200


def test_an_api_token_of_a_teacher_who_turned_on_two_factor_is_refused(client):
    teacher = make_teacher(SchoolClassFactory())
    token = Token.objects.create(user=teacher)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get(reverse("lms-api:me"), **auth).status_code == 200
    make_totp_device(teacher)
    assert client.get(reverse("lms-api:me"), **auth).status_code in (401, 403)
