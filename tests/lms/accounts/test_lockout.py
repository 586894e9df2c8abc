"""Sign-in throttling: guessing slows, a school behind one address keeps signing in."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core import checks
from django.urls import reverse
from django.utils import timezone

from tests.factories import SchoolClassFactory, make_pupil

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-Dai-123"  # the factories' password
SCHOOL_ADDRESS = "203.113.10.7"  # one NAT address for a whole school
HOME_ADDRESS = "14.161.2.99"


@pytest.fixture
def school_class():
    return SchoolClassFactory()


@pytest.fixture
def pupil(school_class):
    return make_pupil(school_class, username="hs.an")


@pytest.fixture
def classmate(school_class):
    return make_pupil(school_class, username="hs.binh")


def sign_in(client, username, password, address=SCHOOL_ADDRESS):
    return client.post(
        reverse("lms:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def fail(client, username, times, address=SCHOOL_ADDRESS):
    return [sign_in(client, username, "sai-mat-khau", address) for _ in range(times)]


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_five_wrong_passwords_pause_the_username_at_that_address(client, pupil):
    first_four = fail(client, "hs.an", 4)
    assert [response.status_code for response in first_four] == [200] * 4

    fifth = fail(client, "hs.an", 1)[0]
    assert fifth.status_code == 429

    # Now even the right password is refused from that address...
    assert sign_in(client, "hs.an", PASSWORD).status_code == 429
    assert signed_in_user_id(client) is None
    # ...but not from home: the guesser cannot lock the child out everywhere.
    assert sign_in(client, "hs.an", PASSWORD, HOME_ADDRESS).status_code == 302


def test_a_username_guessed_from_many_addresses_pauses_everywhere(
    client, settings, pupil
):
    settings.LOGIN_FAILURES_PER_USERNAME_ANYWHERE = 8
    for n in range(4):  # four failures from each of two addresses, none at 5
        fail(client, "hs.an", 2, f"10.0.0.{n}")
    assert sign_in(client, "hs.an", PASSWORD, HOME_ADDRESS).status_code == 429


def test_classmate_behind_the_same_address_can_still_sign_in(client, pupil, classmate):
    fail(client, "hs.an", 5)

    response = sign_in(client, "hs.binh", PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(classmate.pk)


def test_address_pauses_unknown_usernames_after_its_own_higher_limit(
    client, settings, pupil, classmate
):
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    # Four children each mistype twice: no username reaches 5, the address reaches 8.
    responses = []
    for username in ["hs.an", "hs.binh", "hs.chi", "hs.dung"]:
        responses += fail(client, username, 2)
    # The eighth was for a username nobody has ("hs.dung"): that one pauses.
    assert [response.status_code for response in responses] == [200] * 7 + [429]
    assert sign_in(client, "hs.khach", "doan-mo").status_code == 429

    # Children with real accounts still sign in from that address.
    assert sign_in(client, "hs.binh", PASSWORD).status_code == 302
    assert signed_in_user_id(client) == str(classmate.pk)


def test_success_resets_the_usernames_counter(client, pupil):
    fail(client, "hs.an", 4)
    assert sign_in(client, "hs.an", PASSWORD).status_code == 302
    client.logout()

    after_reset = fail(client, "hs.an", 4)

    assert [response.status_code for response in after_reset] == [200] * 4
    assert sign_in(client, "hs.an", PASSWORD).status_code == 302


def test_a_classmates_success_does_not_forgive_someone_elses_failures(
    client, pupil, classmate
):
    fail(client, "hs.an", 4)
    assert sign_in(client, "hs.binh", PASSWORD).status_code == 302
    client.logout()

    # A classmate signing in from the school's address does not clear hs.an's count.
    assert fail(client, "hs.an", 1)[0].status_code == 429


def test_the_pause_ends_after_the_cool_off(client, settings, pupil):
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    fail(client, "hs.an", 5)
    sixteen_minutes_ago = timezone.now() - datetime.timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=sixteen_minutes_ago)

    assert sign_in(client, "hs.an", PASSWORD).status_code == 302


def test_tries_during_a_pause_do_not_make_it_longer(client, pupil):
    fail(client, "hs.an", 5)
    locked = AccessAttempt.objects.get()

    fail(client, "hs.an", 3)
    sign_in(client, "hs.an", PASSWORD)

    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 5
    assert attempt.attempt_time == locked.attempt_time


def test_lockout_page_says_in_vietnamese_what_to_do(client, settings, pupil):
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    response = fail(client, "hs.an", 5)[-1]

    assert response.status_code == 429
    page = response.content.decode()
    assert "Tạm dừng đăng nhập" in page
    assert "Hãy thử lại sau 15 phút." in page
    assert "nhờ thầy cô đặt lại mật khẩu" in page
    assert reverse("lms:login") in page


def test_address_lockout_page_speaks_of_the_network(client, settings, pupil):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    response = fail(client, "hs.khach", 3)[-1]

    assert response.status_code == 429
    assert "từ mạng này" in response.content.decode()


def test_address_and_username_at_address_are_axes_lockout_parameters(settings):
    assert ["username", "ip_address"] in settings.AXES_LOCKOUT_PARAMETERS
    # axes.W006 warns when an address can try without limit across usernames.
    assert "ip_address" in settings.AXES_LOCKOUT_PARAMETERS
    assert "axes.W006" not in {message.id for message in checks.run_checks()}


# --- A school behind one address ----------


def test_forty_pupils_sign_in_while_an_attacker_behind_their_address_is_refused(
    school_class,
):
    """One NAT address: an attacker's hundreds of tries, forty children signing in."""
    from django.test import Client

    from lms.rosters.pupil_accounts import pupil_create

    pupils = [
        pupil_create(
            display_name=f"Học sinh {n}", school_class=school_class, roster_number=n
        )
        for n in range(1, 41)
    ]
    victim = pupils[0]
    attacker = Client()

    # Guessing one classmate's password: five tries, then that username pauses.
    guesses = fail(attacker, victim.username, 8)
    assert [r.status_code for r in guesses] == [200] * 4 + [429] * 4
    # Spraying made-up usernames and made-up card keys: 300 tries in all.
    sprayed = [
        sign_in(attacker, f"hs.doan{n}", "doan-mo").status_code for n in range(200)
    ]
    sprayed += [
        attacker.get(
            reverse("lms:login_card", args=[f"doan-the-{n:020d}"]),
            REMOTE_ADDR=SCHOOL_ADDRESS,
        ).status_code
        for n in range(100)
    ]
    # The address's limit (200 failures) stops the spray...
    assert sprayed.count(429) >= 100
    assert sprayed[-50:] == [429] * 50
    assert AccessAttempt.objects.filter(ip_address=SCHOOL_ADDRESS).count() < 220

    # ...while every child behind the same address signs in, by password and card.
    for credentials in pupils[1:]:
        child = Client()
        response = sign_in(child, credentials.username, credentials.password)
        assert response.status_code == 302, credentials.username
        assert signed_in_user_id(child) == str(credentials.pupil_id)
        card = Client()
        response = card.get(
            reverse("lms:login_card", args=[credentials.card_key]),
            REMOTE_ADDR=SCHOOL_ADDRESS,
        )
        assert response.status_code == 302, credentials.username
        assert signed_in_user_id(card) == str(credentials.pupil_id)
    # The guessed classmate uses their card (the password waits out the pause).
    card = Client()
    response = card.get(
        reverse("lms:login_card", args=[victim.card_key]), REMOTE_ADDR=SCHOOL_ADDRESS
    )
    assert response.status_code == 302
