"""What a load test needs on top of the scale province (``generate_scale``).

A school day's load (``bench/capacity.py``) signs pupils in with their login cards,
lets them learn an assigned module and take its quiz, and lets officers open their
dashboards. So, beside the schools, classes and accounts of ``devdata.scale``:

- consent: a parent's paper-form consent for every pupil (and the child's own from
  grade 2, as ``consent_record_bulk`` records it), so no page stops a pupil at the
  consent notice;
- an assignment of the first pupils' module with a quiz to every class, open since
  the first of the month (the one ``devdata.scale_learning`` gives; no attempt);
- login cards a benchmark can compute: a pupil's card key is derived from their
  username (``scale_card_key``), and only its SHA-256 is stored, as for real cards;
- officers: a unit officer per commune (``scale-cb-NNN``) and one province officer
  (``scale-so-01``). The province officer must use a second factor; they get an
  authenticator-app device whose key a benchmark knows (``devdata.scale_secrets``),
  so a load test passes the real second-factor check with a real code. Nothing in the
  product skips it; ``generate_scale`` refuses to run under the production settings,
  so such a device is never made in a real database.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from devdata.bulk import batches
from devdata.scale_secrets import (
    SCALE_PROVINCE_OFFICER,
    SCALE_TOTP_KEY,
    scale_card_key,
    scale_totp_code,  # noqa: F401 (re-exported for tests and benchmarks)
)
from lms.accounts.card_keys import card_key_hash
from lms.models import (
    AdministrativeUnit,
    Assignment,
    ConsentGiver,
    ConsentMethod,
    Enrolment,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    User,
)
from lms.people.consent import consent_record_bulk
from lms.people.services import role_assign

SCALE_NOTICE_VERSION = "2026-1"


def scale_load_ready(
    *, school_ids: list[int], communes: list[AdministrativeUnit], batch_size: int
) -> dict[str, int]:
    """Give the scale schools consent, assignments, card keys and officers.

    What exists is kept (a second run writes nothing). Returns what was made.
    """
    return {
        "consents": _consents_ensure(school_ids),
        "assignments": _assignments_ensure(school_ids, batch_size),
        "card_keys": _card_keys_ensure(school_ids, batch_size),
        "officers": _officers_ensure(communes),
    }


def _consents_ensure(school_ids: list[int]) -> int:
    made = 0
    admins = dict(
        RoleAssignment.objects.filter(
            school_id__in=school_ids, role=Role.SCHOOL_ADMIN
        ).values_list("school_id", "user_id")
    )
    for school in School.objects.filter(pk__in=school_ids).order_by("pk"):
        pupil_ids = list(
            Enrolment.objects.filter(school_class__school=school, left_on__isnull=True)
            .exclude(pupil__consent_records__isnull=False)
            .values_list("pupil_id", flat=True)
        )
        if not pupil_ids:
            continue
        with transaction.atomic():
            made += consent_record_bulk(
                recorded_by=User.objects.get(pk=admins[school.pk]),
                school=school,
                pupil_ids=pupil_ids,
                given_by=[ConsentGiver.PARENT, ConsentGiver.CHILD],
                method=ConsentMethod.PAPER,
                consented_on=timezone.localdate(),
                notice_version=SCALE_NOTICE_VERSION,
            )
    return made


def _assignments_ensure(school_ids: list[int], batch_size: int) -> int:
    from devdata.scale_learning import module_and_version

    module, _version = module_and_version()
    if module is None:
        return 0
    class_ids = SchoolClass.objects.filter(school_id__in=school_ids).values_list(
        "pk", flat=True
    )
    assigned = set(
        Assignment.objects.filter(
            school_class_id__in=class_ids, module=module
        ).values_list("school_class_id", flat=True)
    )
    opens_on = timezone.localdate().replace(day=1)
    new = [
        Assignment(school_class_id=class_id, module=module, opens_on=opens_on)
        for class_id in class_ids
        if class_id not in assigned
    ]
    with transaction.atomic():
        Assignment.objects.bulk_create(new, batch_size=batch_size)
    return len(new)


def _card_keys_ensure(school_ids: list[int], batch_size: int) -> int:
    pupils = (
        User.objects.filter(
            login_card_key_hash="",
            role_assignments__role=Role.PUPIL,
            role_assignments__school_id__in=school_ids,
        )
        .only("pk", "username")
        .order_by("pk")
    )
    made = 0
    for batch in batches(list(pupils), batch_size):
        for pupil in batch:
            pupil.login_card_key_hash = card_key_hash(scale_card_key(pupil.username))
        with transaction.atomic():
            User.objects.bulk_update(batch, ["login_card_key_hash"])
        made += len(batch)
    return made


def _officers_ensure(communes: list[AdministrativeUnit]) -> int:
    from django.contrib.auth.hashers import make_password

    from devdata.scale import SCALE_PASSWORD, SCALE_USERNAME_PREFIX

    password_hash = make_password(SCALE_PASSWORD)
    province = communes[0].get_parent() if communes else None
    wanted = [(SCALE_PROVINCE_OFFICER, Role.PROVINCE_OFFICER, province)] + [
        (f"{SCALE_USERNAME_PREFIX}cb-{number:03d}", Role.UNIT_OFFICER, commune)
        for number, commune in enumerate(communes, start=1)
    ]
    made = 0
    for username, role, unit in wanted:
        if unit is None:
            continue
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"display_name": username, "password": password_hash},
            )
            role_assign(user=user, role=role, unit=unit)
            if role == Role.PROVINCE_OFFICER:
                TOTPDevice.objects.get_or_create(
                    user=user,
                    name="benchmark",
                    defaults={"key": SCALE_TOTP_KEY, "confirmed": True},
                )
        made += created
    return made
