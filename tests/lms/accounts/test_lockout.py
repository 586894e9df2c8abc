"""Sign-in throttling: a username pauses quickly, a school's address only much later."""

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


def test_five_wrong_passwords_lock_the_username(client, pupil):
    first_four = fail(client, "hs.an", 4)
    assert [response.status_code for response in first_four] == [200] * 4

    fifth = fail(client, "hs.an", 1)[0]
    assert fifth.status_code == 429

    # Now even the right password is refused, from the school or from home.
    assert sign_in(client, "hs.an", PASSWORD).status_code == 429
    assert sign_in(client, "hs.an", PASSWORD, HOME_ADDRESS).status_code == 429
    assert signed_in_user_id(client) is None


def test_classmate_behind_the_same_address_can_still_sign_in(client, pupil, classmate):
    fail(client, "hs.an", 5)

    response = sign_in(client, "hs.binh", PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(classmate.pk)


def test_address_locks_after_its_own_higher_limit(client, settings, pupil, classmate):
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    # Four children each mistype twice: no username reaches 5, the address reaches 8.
    responses = []
    for username in ["hs.an", "hs.binh", "hs.chi", "hs.dung"]:
        responses += fail(client, username, 2)
    assert [response.status_code for response in responses] == [200] * 7 + [429]

    # Nobody signs in from that address for now, whatever the password...
    assert sign_in(client, "hs.binh", PASSWORD).status_code == 429
    assert signed_in_user_id(client) is None
    # ...but the same pupil can from another address: the username is not locked.
    assert sign_in(client, "hs.binh", PASSWORD, HOME_ADDRESS).status_code == 302


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


def test_address_is_part_of_axes_lockout_parameters():
    # axes.W006 warns when an address can try without limit across usernames.
    assert "axes.W006" not in {message.id for message in checks.run_checks()}
