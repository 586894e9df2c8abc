"""Pupil accounts: generated usernames and passwords, login-card keys, resets.

A pupil signs in with what is printed on their login card: a short username, a short
password, or the card's QR code. The QR code carries a random key; only its SHA-256
hash is stored (``User.login_card_key_hash``, made by ``lms.accounts.card_keys``,
which also finds the pupil a key signs in), so a copy of the database cannot sign
anyone in. Every write that produces new secrets (creating a pupil, a teacher's
reset, printing new cards for a class) returns them once as ``PupilCredentials`` and
keeps no plain copy: the caller puts them on a login card straight away.

Pupils' passwords skip the staff password validators on purpose: a seven-year-old
cannot type a ten-character password. They are two easy unaccented Vietnamese words
and two digits (about 17 bits), which is enough only because sign-in is throttled
per username (django-axes); the card's QR key is the strong secret (192 bits).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass, replace

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from common.hashers import pupil_password_hasher
from lms.accounts.card_keys import card_key_hash
from lms.errors import LmsError
from lms.models import Enrolment, Role, SchoolClass, User
from lms.people import names, selectors
from lms.people.services import role_assign

# Kid-friendly words a child can read and type, without diacritics. Nouns first,
# then a describing word, as Vietnamese says it: "mèo vàng" -> "meovang".
PASSWORD_NOUNS = (
    "meo", "ga", "vit", "ca", "bo", "de", "voi", "gau", "tho", "khi",
    "chim", "rua", "ong", "buom", "nai", "cong", "sao", "trang", "may", "mua",
    "hoa", "la", "cay", "nui", "song", "bien", "thuyen", "banh", "keo", "tao",
    "cam", "chuoi", "dua", "xoai", "na", "buoi", "but", "sach", "vo", "thuoc",
    "den", "xe", "tau", "dieu", "bong", "trong", "dan", "nha", "cua", "ghe",
    "ban", "mu", "ao", "giay", "ngua", "cuu", "sen", "lua", "gio", "cat",
)  # fmt: skip
PASSWORD_ADJECTIVES = (
    "do", "xanh", "vang", "tim", "hong", "nau", "vui", "nho", "to", "xinh",
    "ngoan", "nhanh", "dep", "tron", "cao", "moi", "thom", "ngot", "sang", "hien",
    "khoe", "gioi", "hay", "bac", "mat", "am", "ngon", "tuoi", "sach", "lanh",
)  # fmt: skip
# 0 and 1 look like O and l on a printed card.
CLEAR_DIGITS = "23456789"
USERNAME_PART_MAX = 10
CARD_KEY_BYTES = 24


@dataclass(frozen=True)
class PupilCredentials:
    """The secrets of one login card, handed out once and never stored in plain."""

    pupil_id: int
    display_name: str
    username: str
    password: str
    card_key: str
    # The roster number (STT), printed beside the name when two cards share it.
    roster_number: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PupilCredentials:
        # ``get``: a batch kept in a session before a field was added still loads.
        return cls(
            **{
                field: data[field]
                for field in cls.__dataclass_fields__
                if field in data
            }
        )


def username_base(display_name: str) -> str:
    """Return the readable part of a pupil's username: given name, dot, family name.

    Vietnamese names run family name first and given name last, and a child is
    called by the given name, so "Nguyễn Văn An" gives "an.nguyen". A part in
    brackets (a nickname a teacher added) is left out. Two namesakes share the
    base and differ by the digits ``UsernameAllocator`` adds.
    """
    without_brackets = re.sub(r"\([^)]*\)", " ", display_name)
    return names.username_base(
        without_brackets,
        part_max=USERNAME_PART_MAX,
        fallback="hs",  # học sinh
    )


class UsernameAllocator:
    """Hand out unused usernames ``<base><digits>`` for a batch of new pupils.

    The digits come from 2-9 only. The usernames already taken under one base are
    read once per base, so a class of forty costs a few queries, not forty.
    """

    def __init__(self) -> None:
        self._taken: dict[str, set[str]] = {}

    def _taken_under(self, base: str) -> set[str]:
        if base not in self._taken:
            self._taken[base] = {
                username.lower()
                for username in User.objects.filter(
                    username__istartswith=base
                ).values_list("username", flat=True)
            }
        return self._taken[base]

    def allocate(self, display_name: str) -> str:
        base = username_base(display_name)
        taken = self._taken_under(base)
        digits = 2
        while True:
            for _attempt in range(40):
                suffix = "".join(secrets.choice(CLEAR_DIGITS) for _ in range(digits))
                candidate = f"{base}{suffix}"
                if candidate not in taken:
                    taken.add(candidate)
                    return candidate
            digits += 1


def password_generate() -> str:
    """Return a new pupil password such as ``meovang47``."""
    noun = secrets.choice(PASSWORD_NOUNS)
    adjective = secrets.choice(PASSWORD_ADJECTIVES)
    number = "".join(secrets.choice(CLEAR_DIGITS) for _ in range(2))
    return f"{noun}{adjective}{number}"


def _new_secrets(pupil: User) -> PupilCredentials:
    """Give ``pupil`` a new password and card key (not saved yet); return them."""
    password = password_generate()
    card_key = secrets.token_urlsafe(CARD_KEY_BYTES)
    # A cheaper hasher than staff have (common/hashers.py says why).
    pupil.password = make_password(password, hasher=pupil_password_hasher())
    pupil.login_card_key_hash = card_key_hash(card_key)
    return PupilCredentials(
        pupil_id=pupil.pk,
        display_name=pupil.display_name,
        username=pupil.username,
        password=password,
        card_key=card_key,
    )


def pupil_create(
    *,
    display_name: str,
    school_class: SchoolClass,
    roster_number: int | None,
    allocator: UsernameAllocator | None = None,
) -> PupilCredentials:
    """Create a pupil account enrolled in ``school_class``; return its first secrets.

    The account holds the display name and the language only: no email, no birth
    date, no contact. The display name is kept exactly as given, even when a
    classmate has the same name: the generated username tells them apart.
    Callers that create many pupils share one ``allocator``.
    """
    allocator = allocator or UsernameAllocator()
    pupil = User(
        username=allocator.allocate(display_name),
        display_name=display_name,
        preferred_language="vi",
    )
    credentials = _new_secrets(pupil)
    pupil.full_clean(exclude=["password"])
    pupil.save()
    role_assign(user=pupil, role=Role.PUPIL, school=school_class.school)
    Enrolment.objects.create(
        pupil=pupil, school_class=school_class, roster_number=roster_number
    )
    # The primary key exists only now.
    return PupilCredentials(
        **{
            **credentials.as_dict(),
            "pupil_id": pupil.pk,
            "roster_number": roster_number,
        }
    )


def ensure_manages_class(actor: User, school_class: SchoolClass) -> None:
    """Refuse unless ``actor`` may manage the pupils of ``school_class``."""
    manages = (
        actor.has_perm("lms.manage_roster")
        and selectors.classes_managed_by(actor).filter(pk=school_class.pk).exists()
    )
    if not manages:
        raise LmsError(
            _("You may not manage the pupils of this class."), code="not_manager"
        )


def _active_pupils(school_class: SchoolClass):
    return User.objects.filter(
        enrolments__school_class=school_class,
        enrolments__left_on__isnull=True,
        role_assignments__role=Role.PUPIL,
    ).distinct()


@transaction.atomic
def pupil_password_reset(
    *, pupil: User, school_class: SchoolClass, actor: User
) -> PupilCredentials:
    """Give one pupil of ``school_class`` a new password and a new login card key.

    The old password and the old card's QR code stop working at once.
    """
    ensure_manages_class(actor, school_class)
    if not _active_pupils(school_class).filter(pk=pupil.pk).exists():
        raise LmsError(
            _("Only the password of a pupil in this class can be reset here."),
            code="not_a_pupil_of_class",
        )
    pupil = User.objects.select_for_update().get(pk=pupil.pk)
    credentials = _new_secrets(pupil)
    pupil.save(update_fields=["password", "login_card_key_hash"])
    number = (
        Enrolment.objects.filter(
            school_class=school_class, pupil=pupil, left_on__isnull=True
        )
        .values_list("roster_number", flat=True)
        .first()
    )
    return replace(credentials, roster_number=number)


@transaction.atomic
def class_login_cards_reissue(
    *, school_class: SchoolClass, actor: User, pupil_ids: list[int] | None = None
) -> list[PupilCredentials]:
    """Set new passwords and card keys for the class's pupils, for new login cards.

    Printing cards is the only moment a password is readable, so new cards mean new
    passwords: the cards printed before stop working. ``pupil_ids`` narrows it to
    some pupils (those just imported); pupils outside the class are ignored.
    """
    ensure_manages_class(actor, school_class)
    pupils = _active_pupils(school_class)
    if pupil_ids is not None:
        pupils = pupils.filter(pk__in=pupil_ids)
    pupils = list(
        User.objects.select_for_update()
        .filter(pk__in=pupils.values("pk"))
        .order_by("display_name", "pk")
    )
    issued = [_new_secrets(pupil) for pupil in pupils]
    User.objects.bulk_update(pupils, ["password", "login_card_key_hash"])
    numbers = dict(
        Enrolment.objects.filter(
            school_class=school_class, pupil_id__in=[p.pk for p in pupils]
        ).values_list("pupil_id", "roster_number")
    )
    issued = [replace(c, roster_number=numbers.get(c.pupil_id)) for c in issued]
    # Cards come out in roster order, the order of the class list on the wall.
    return sorted(
        issued,
        key=lambda c: (c.roster_number is None, c.roster_number or 0),
    )
