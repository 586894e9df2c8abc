"""Pupils' card passwords use the cheaper pupil hasher; staff keep the default.

The settings here list the production hashers (the test settings' MD5 alone would
hide the choice): PBKDF2 with a million rounds first, the pupil hasher after it.
"""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.test import RequestFactory, override_settings

from lms.models import User
from lms.rosters.pupil_accounts import pupil_create
from tests.factories import SchoolClassFactory, make_teacher

pytestmark = pytest.mark.django_db

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "common.hashers.OneTimePasswordHasher",
    "common.hashers.PupilPasswordHasher",
]


def sign_in(username, password):
    request = RequestFactory().post("/dang-nhap/", REMOTE_ADDR="203.113.10.7")
    return authenticate(request, username=username, password=password)


@pytest.fixture
def school_class():
    return SchoolClassFactory()


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_new_pupils_password_is_stored_with_the_pupil_hasher(school_class):
    card = pupil_create(
        display_name="Lê Văn An", school_class=school_class, roster_number=1
    )
    stored = User.objects.get(pk=card.pupil_id).password
    assert stored.startswith("pbkdf2_sha256_pupil$100000$")
    assert sign_in(card.username, card.password).pk == card.pupil_id
    # Signing in keeps the pupil hasher: no silent upgrade to a million rounds.
    assert User.objects.get(pk=card.pupil_id).password == stored


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_pupils_million_round_hash_is_rehashed_at_the_next_sign_in(school_class):
    card = pupil_create(
        display_name="Lê Văn Bình", school_class=school_class, roster_number=2
    )
    User.objects.filter(pk=card.pupil_id).update(
        password=make_password(card.password, hasher="pbkdf2_sha256")
    )
    assert sign_in(card.username, "saimatkhau99") is None
    assert User.objects.get(pk=card.pupil_id).password.startswith("pbkdf2_sha256$")
    assert sign_in(card.username, card.password).pk == card.pupil_id
    assert User.objects.get(pk=card.pupil_id).password.startswith(
        "pbkdf2_sha256_pupil$"
    )
    assert sign_in(card.username, card.password).pk == card.pupil_id


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_staff_keep_the_default_hasher_and_are_upgraded_to_it(school_class):
    teacher = make_teacher(school_class, username="co.lan")
    teacher.password = make_password("mat-khau-Dai-123", hasher="pbkdf2_sha256_pupil")
    teacher.save(update_fields=["password"])
    assert sign_in("co.lan", "mat-khau-Dai-123").pk == teacher.pk
    assert User.objects.get(pk=teacher.pk).password.startswith("pbkdf2_sha256$")
