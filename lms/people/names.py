"""Pupils' names on lists: when two children share a name, tell them apart.

Vietnamese classes often hold two children with the same full name ("Nguyễn Minh
An"), and a pupil's display name is exactly the child's name, never "An (B)". A
list that shows names (the class page, the progress grid, login cards,
certificates) therefore marks the names that collide *within that list* with the
roster number (STT) or, lacking one, the username; names that occur once stay
bare, so the mark draws the eye only where it is needed. Every such list asks
this module which names collide, so they all agree on what "the same name" is.

It also makes the readable part of a generated username from a name
(``username_base``), for pupils' accounts (``lms.rosters.pupil_accounts``) and for
staff from bulk onboarding (``lms.people.onboarding.staff``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from django.utils.translation import gettext as _

from common.sheets import ascii_fold


def name_key(name: str) -> str:
    """Return the form two names are compared in: case and spacing do not count."""
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())


def colliding_name_keys(names: Iterable[str]) -> frozenset[str]:
    """Return the keys (``name_key``) of the names that occur more than once."""
    counts = Counter(name_key(name) for name in names if name)
    return frozenset(key for key, count in counts.items() if count > 1)


def name_collides(name: str, colliding: frozenset[str]) -> bool:
    """Return whether ``name`` is one of the colliding names of its list."""
    return bool(name) and name_key(name) in colliding


def name_disambiguator(*, roster_number: int | None, username: str = "") -> str:
    """Return what tells a pupil from a namesake: "STT 12", else the username."""
    if roster_number is not None:
        return f"{_('No.')} {roster_number}"
    return username


def username_base(display_name: str, *, part_max: int, fallback: str) -> str:
    """Return a username's readable part: given name, dot, family name.

    Vietnamese names run family name first and given name last, and a person is
    called by the given name, so "Nguyễn Thị Lan" gives "lan.nguyen". Each part is
    cut to ``part_max`` letters; a name without a letter gives ``fallback``.
    """
    words = re.findall(r"[a-z]+", ascii_fold(display_name))
    if not words:
        return fallback
    given = words[-1][:part_max]
    if len(words) == 1:
        return given
    return f"{given}.{words[0][:part_max]}"
