"""Pupil accounts: readable usernames, short passwords, card keys, resets."""

import re

import pytest

from lms.accounts.card_keys import card_key_hash, pupil_for_login_card
from lms.errors import LmsError
from lms.models import Role, User
from lms.rosters.pupil_accounts import (
    UsernameAllocator,
    class_login_cards_reissue,
    password_generate,
    pupil_create,
    pupil_password_reset,
    username_base,
)
from tests.factories import (
    SchoolClassFactory,
    UserFactory,
    make_pupil,
    make_staff,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class():
    return SchoolClassFactory(name="3B")


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


def test_username_is_the_given_name_then_the_family_name_without_diacritics():
    assert username_base("Nguyễn Thị Ánh Tuyết") == "tuyet.nguyen"
    assert username_base("Đặng Văn Đức (B)") == "duc.dang"
    assert username_base("H'Hen Niê") == "nie.h"
    assert username_base("Mai") == "mai"
    assert username_base("Nguyễn Hoàng Bảo Khánh Vânnnnnnnnnn") == "vannnnnnnn.nguyen"
    assert username_base("(B)") == "hs"


def test_allocator_never_hands_out_a_taken_username():
    UserFactory(username="an.nguyen23")
    allocator = UsernameAllocator()
    names = [allocator.allocate("Nguyễn Văn An") for _ in range(70)]
    assert len(set(names)) == 70
    assert "an.nguyen23" not in names
    assert all(re.fullmatch(r"an\.nguyen[2-9]{2,}", name) for name in names)
    # 64 two-digit suffixes exist; the 65th name and later grow a third digit.
    assert any(len(name) == len("an.nguyen") + 3 for name in names)


def test_passwords_are_two_words_and_two_clear_digits():
    passwords = {password_generate() for _ in range(200)}
    assert len(passwords) > 150
    for password in passwords:
        assert re.fullmatch(r"[a-z]{3,12}[2-9]{2}", password)


def test_pupil_create_exempts_the_short_password_from_staff_validators(
    school_class, monkeypatch
):
    # The shortest password the generator can make ("gado22") would fail the
    # staff rule of ten characters; a pupil account must still be created.
    monkeypatch.setattr(
        "lms.rosters.pupil_accounts.password_generate", lambda: "gado22"
    )
    credentials = pupil_create(
        display_name="Võ Thị Sáu", school_class=school_class, roster_number=12
    )
    pupil = User.objects.get(pk=credentials.pupil_id)
    assert credentials.password == "gado22"
    assert pupil.check_password("gado22")
    assert pupil.enrolments.get().roster_number == 12


def test_reset_changes_the_password_and_the_card_key(school_class, teacher):
    first = pupil_create(
        display_name="Lê Văn Tám", school_class=school_class, roster_number=1
    )
    pupil = User.objects.get(pk=first.pupil_id)
    second = pupil_password_reset(pupil=pupil, school_class=school_class, actor=teacher)
    pupil.refresh_from_db()
    assert second.username == first.username
    assert not pupil.check_password(first.password)
    assert pupil.check_password(second.password)
    assert pupil_for_login_card(card_key=first.card_key) is None
    assert pupil_for_login_card(card_key=second.card_key) == pupil


def test_reset_is_refused_for_a_foreign_class_or_a_non_pupil(school_class, teacher):
    other_class = SchoolClassFactory(school=school_class.school)
    outsider = make_pupil(other_class)
    colleague = make_teacher(school_class)
    own_pupil = make_pupil(school_class)
    with pytest.raises(LmsError) as caught:
        pupil_password_reset(pupil=outsider, school_class=school_class, actor=teacher)
    assert caught.value.code == "not_a_pupil_of_class"
    with pytest.raises(LmsError):
        pupil_password_reset(pupil=colleague, school_class=school_class, actor=teacher)
    with pytest.raises(LmsError) as caught:
        pupil_password_reset(
            pupil=own_pupil, school_class=school_class, actor=make_teacher(other_class)
        )
    assert caught.value.code == "not_manager"


def test_reissuing_cards_rotates_every_pupil_in_roster_order(school_class, teacher):
    created = [
        pupil_create(display_name=name, school_class=school_class, roster_number=n)
        for name, n in [("Bùi Chí", 2), ("An Khang", 3), ("Cao Duy", 1)]
    ]
    issued = class_login_cards_reissue(school_class=school_class, actor=teacher)
    assert [c.display_name for c in issued] == ["Cao Duy", "Bùi Chí", "An Khang"]
    for old in created:
        assert pupil_for_login_card(card_key=old.card_key) is None
    for new in issued:
        pupil = pupil_for_login_card(card_key=new.card_key)
        assert pupil.pk == new.pupil_id
        assert pupil.check_password(new.password)
    only_one = class_login_cards_reissue(
        school_class=school_class, actor=teacher, pupil_ids=[created[0].pupil_id, 999]
    )
    assert [c.pupil_id for c in only_one] == [created[0].pupil_id]


def test_a_card_key_signs_in_active_pupils_only(school_class):
    credentials = pupil_create(
        display_name="Kim Đồng", school_class=school_class, roster_number=None
    )
    assert pupil_for_login_card(card_key=credentials.card_key).pk == (
        credentials.pupil_id
    )
    assert pupil_for_login_card(card_key="not-a-real-key") is None
    assert pupil_for_login_card(card_key="") is None
    staff = make_staff(Role.TEACHER, school=school_class.school)
    staff.login_card_key_hash = card_key_hash("staff-key")
    staff.save()
    assert pupil_for_login_card(card_key="staff-key") is None
    pupil = User.objects.get(pk=credentials.pupil_id)
    pupil.is_active = False
    pupil.save()
    assert pupil_for_login_card(card_key=credentials.card_key) is None
