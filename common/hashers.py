"""A password hasher for one-time passwords handed out in bulk.

Bulk onboarding gives thousands of staff a random one-time password at once
(``lms.people.onboarding.staff_accounts``). With the default hasher (PBKDF2, a
million rounds) 20,000 of them would take hours. These passwords are 12 random
characters from a 31-letter alphabet, in three groups of four
(``lms.people.services.one_time_password_generate``, about 59 bits), not something
a person chose, so stretching adds little: what protects them is their
randomness, and they live only until the first sign-in, which re-hashes the
password with the default hasher (Django upgrades a password whose hasher is not
the first one) and then forces a new one.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_onetime"
    iterations = 1_000


class PupilPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with 100,000 rounds, for the passwords printed on pupils' cards.

    Chosen by measurement (docs/performance.md, "Sign-in storm"): on the 2-core
    machine a million rounds cost 0.27 s of CPU, so a class of 40 signing in at
    once took 11 s of a core, and 1,000 pupils in five minutes (3.3 a second)
    needed a whole core for hashing alone; 100,000 rounds cost 26 ms. A pupil's
    password is two easy words and two digits (about 17 bits): an attacker with
    a copy of the hashes tries all 131,000 of them in an hour of one core at
    100,000 rounds and in ten hours at a million, so no affordable stretching
    protects it. What does is the online throttle (django-axes: five failures per
    username and address, twenty anywhere) and the card's QR key, which is random
    and long (192 bits, stored as a SHA-256: lms/accounts/card_keys.py). Staff
    keep the default hasher. ``lms.models.User.check_password`` re-hashes a
    pupil's older million-round hash with this one at the next sign-in.
    """

    algorithm = "pbkdf2_sha256_pupil"
    iterations = 100_000


def pupil_password_hasher() -> str:
    """Return the hasher for pupils' passwords: ``PupilPasswordHasher`` if the
    settings list it (production, development), else the default (the test
    settings' fast one)."""
    from django.contrib.auth.hashers import get_hashers_by_algorithm

    algorithm = PupilPasswordHasher.algorithm
    return algorithm if algorithm in get_hashers_by_algorithm() else "default"
