"""Login-card sign-in goes through authenticate(): axes and the auth signals see it."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.test import RequestFactory
from django.urls import resolve, reverse

from lms.accounts import views as account_views
from lms.accounts.card_keys import card_key_hash
from lms.accounts.lockout import client_username, login_card_bucket
from lms.models import User
from lms.rosters.pupil_accounts import class_login_cards_reissue, pupil_create
from tests.factories import SchoolClassFactory, make_pupil, make_teacher

pytestmark = pytest.mark.django_db

CARD_BACKEND = "lms.accounts.backends.LoginCardBackend"
SCHOOL_ADDRESS = "203.113.10.7"
PASSWORD = "mat-khau-Dai-123"  # the factories' password


@pytest.fixture
def school_class():
    return SchoolClassFactory()


@pytest.fixture
def card(school_class):
    """A new pupil's login-card secrets (the key is in ``card.card_key``)."""
    return pupil_create(
        display_name="Nguyễn Thị Ánh Tuyết", school_class=school_class, roster_number=1
    )


def a_request(address=SCHOOL_ADDRESS):
    return RequestFactory().get("/dang-nhap/the/x/", REMOTE_ADDR=address)


def card_url(card_key):
    return reverse("lms:login_card", args=[card_key])


class Received:
    """Connects to a signal for one test and keeps what each send carried."""

    def __init__(self, signal):
        self.signal = signal
        self.calls = []

    def __call__(self, sender, **kwargs):
        self.calls.append({"sender": sender, **kwargs})

    def __enter__(self):
        self.signal.connect(self, weak=False)
        return self.calls

    def __exit__(self, *exc):
        self.signal.disconnect(self)


def test_authenticate_with_a_card_key_returns_the_pupil(card):
    pupil = authenticate(a_request(), card_key=card.card_key)

    assert pupil is not None
    assert pupil.pk == card.pupil_id
    assert pupil.backend == CARD_BACKEND


def test_authenticate_refuses_staff_inactive_and_unknown_keys(school_class, card):
    teacher = make_teacher(school_class)
    teacher.login_card_key_hash = card_key_hash("teacher-card-key")
    teacher.save()
    assert authenticate(a_request(), card_key="teacher-card-key") is None
    assert authenticate(a_request(), card_key="no-such-key-0123456789") is None

    User.objects.filter(pk=card.pupil_id).update(is_active=False)
    assert authenticate(a_request(), card_key=card.card_key) is None


def test_passwords_never_reach_the_card_backend(school_class):
    pupil = make_pupil(school_class, username="hs.an")

    signed_in = authenticate(a_request(), username="hs.an", password=PASSWORD)

    assert signed_in == pupil
    assert signed_in.backend == "lms.accounts.backends.PasswordBackend"


def test_user_logged_in_sees_the_card_sign_in_with_the_card_backend(client, card):
    with Received(user_logged_in) as calls:
        response = client.get(card_url(card.card_key), REMOTE_ADDR=SCHOOL_ADDRESS)

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("lms:home")
    (call,) = calls
    assert call["user"].pk == card.pupil_id
    assert call["user"].backend == CARD_BACKEND
    assert call["request"].path == card_url(card.card_key)
    assert client.session[BACKEND_SESSION_KEY] == CARD_BACKEND
    # The session made by the card backend keeps the pupil signed in (get_user).
    home = client.get(reverse("lms:home"))
    assert home.status_code == 200
    assert home.context["user"].pk == card.pupil_id


def test_a_wrong_key_fires_user_login_failed_without_the_key(client, card):
    wrong_key = "guess-0123456789-abcdefgh"
    with Received(user_login_failed) as calls:
        response = client.get(card_url(wrong_key), REMOTE_ADDR=SCHOOL_ADDRESS)

    assert response.status_code == 404
    (call,) = calls
    assert call["sender"] == "django.contrib.auth"
    assert set(call["credentials"]) == {"card_key"}
    # authenticate() cleanses it: receivers (and logs) never see the key.
    assert wrong_key not in str(call["credentials"])
    assert call["request"].path == card_url(wrong_key)


def test_authenticate_counts_a_wrong_key_under_its_bucket_never_the_key(card):
    wrong_key = "guess-0123456789-abcdefgh"

    assert authenticate(a_request(), card_key=wrong_key) is None

    attempt = AccessAttempt.objects.get()
    assert attempt.username == login_card_bucket(wrong_key)
    assert attempt.username.startswith("login-card:")
    assert wrong_key not in attempt.username
    assert attempt.ip_address == SCHOOL_ADDRESS
    assert attempt.failures_since_start == 1


def test_an_old_card_rescanned_pauses_itself_not_the_school(client, school_class):
    old = pupil_create(
        display_name="Lò Văn Páo", school_class=school_class, roster_number=2
    )
    classmate = pupil_create(
        display_name="Đặng Quốc Bảo", school_class=school_class, roster_number=3
    )
    teacher = make_teacher(school_class)
    # New cards for this pupil: the printed one in their bag stops working.
    class_login_cards_reissue(
        school_class=school_class, actor=teacher, pupil_ids=[old.pupil_id]
    )

    statuses = [
        client.get(card_url(old.card_key), REMOTE_ADDR=SCHOOL_ADDRESS).status_code
        for _ in range(6)
    ]

    # Five failures pause that old card's bucket (the fifth answers with the pause)...
    assert statuses == [404, 404, 404, 404, 429, 429]
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {
        login_card_bucket(old.card_key)
    }
    # ...while a classmate's card from the same address still signs in.
    response = client.get(card_url(classmate.card_key), REMOTE_ADDR=SCHOOL_ADDRESS)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(classmate.pupil_id)


def test_a_username_paused_by_wrong_passwords_can_still_use_its_card(client, card):
    for _ in range(5):
        client.post(
            reverse("lms:login"),
            {"username": card.username, "password": "sai-mat-khau"},
            REMOTE_ADDR=SCHOOL_ADDRESS,
        )
    paused = client.post(
        reverse("lms:login"),
        {"username": card.username, "password": card.password},
        REMOTE_ADDR=SCHOOL_ADDRESS,
    )
    assert paused.status_code == 429

    response = client.get(card_url(card.card_key), REMOTE_ADDR=SCHOOL_ADDRESS)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(card.pupil_id)


def test_client_username_reads_the_bucket_then_remembers_it_for_cleansed_copies():
    request = a_request()
    key = "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6"

    assert client_username(request, {"username": None, "card_key": key}) == (
        login_card_bucket(key)
    )
    # What authenticate() hands user_login_failed: the key replaced by asterisks.
    assert client_username(request, {"card_key": "*" * 20}) == login_card_bucket(key)
    # Password sign-ins are read as axes reads them.
    assert client_username(request, {"username": "hs.an", "password": "x"}) == "hs.an"
    form = RequestFactory().post("/dang-nhap/", {"username": "hs.binh"})
    assert client_username(form) == "hs.binh"


def test_both_sign_in_pages_live_in_accounts():
    assert resolve(reverse("lms:login")).func.view_class is account_views.SignInView
    assert resolve(card_url("any-key")).func is account_views.login_card_sign_in


def test_a_card_sign_in_reads_the_pupil_once(client, card):
    """Axes' lockout check and the backend ask whom the key opens: one read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(card_url(card.card_key), REMOTE_ADDR=SCHOOL_ADDRESS)
    assert response.status_code == 302
    card_reads = [q["sql"] for q in captured if "login_card_key_hash" in q["sql"]]
    assert len(card_reads) == 1, card_reads
    assert "lms_roleassignment" in card_reads[0]  # the pupil role checked with it
    assert client.get("/app/").status_code == 200
