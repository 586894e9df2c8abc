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
