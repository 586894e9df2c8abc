"""Class membership kept by the school administrator: moving a pupil, a pupil leaving.

Enrolments are history: a move ends the enrolment in the old class (``left_on``,
the first day the pupil is no longer in it) and starts one in the new class, and a
pupil who leaves keeps their enrolment with an end date. Nothing is deleted, so
progress and reports of the time before stay with the class the pupil was in then
(``lms.learning.rollups.enrolment_on`` takes, on each day, the enrolment active
that day, the latest one if two overlap).

The caller finds the class, the pupil and the target class through
``lms.people.selectors`` (anything else is a 404); the services check again that
the actor runs the school, so a direct call cannot reach another school.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import Enrolment, SchoolClass, User
from lms.people.audit import audit_record
from lms.rosters.rollover_apply import ensure_manages_school


def _active_enrolment(pupil: User, school_class: SchoolClass) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(pupil=pupil, school_class=school_class, left_on__isnull=True)
        .first()
    )
    if enrolment is None:
        raise LmsError(
            _("%(name)s is not in class %(class)s.")
            % {"name": pupil.name, "class": school_class.name},
            code="not_in_class",
        )
    return enrolment


@transaction.atomic
def pupil_move(
    *, actor: User, pupil: User, from_class: SchoolClass, to_class: SchoolClass
) -> Enrolment:
    """Move ``pupil`` from one class to another of the same school and year.

    The enrolment in ``from_class`` ends today and one in ``to_class`` starts
    today, with the next free roster number. A pupil moved back to a class they
    were in earlier gets that enrolment back (one enrolment per pupil and class),
    with its roster number.
    """
    ensure_manages_school(actor, from_class.school)
    if (
        to_class.school_id != from_class.school_id
        or to_class.school_year_id != from_class.school_year_id
    ):
        raise LmsError(
            _("A pupil moves only to another class of the same school and year."),
            code="other_school_or_year",
        )
    if to_class.pk == from_class.pk:
        raise LmsError(
            _("%(name)s is in class %(class)s already.")
            % {"name": pupil.name, "class": to_class.name},
            code="same_class",
        )
    SchoolClass.objects.select_for_update().filter(pk=to_class.pk).first()
    leaving = _active_enrolment(pupil, from_class)
    today = timezone.localdate()
    earlier = Enrolment.objects.filter(pupil=pupil, school_class=to_class).first()
    if earlier is not None and earlier.left_on is None:
        raise LmsError(
            _("%(name)s is in class %(class)s already.")
            % {"name": pupil.name, "class": to_class.name},
            code="same_class",
        )
    leaving.left_on = today
    leaving.save(update_fields=["left_on"])
    if earlier is not None:
        earlier.left_on = None
        earlier.save(update_fields=["left_on"])
        joining = earlier
    else:
        last = to_class.enrolments.aggregate(last=Max("roster_number"))["last"]
        joining = Enrolment(
            pupil=pupil, school_class=to_class, roster_number=(last or 0) + 1
        )
        joining.full_clean(exclude=["pupil", "school_class"])
        joining.save()
    audit_record(
        actor=actor,
        action="pupil_move",
        target=pupil,
        details={"from_class": from_class.pk, "to_class": to_class.pk},
    )
    return joining


@transaction.atomic
def pupil_leave(*, actor: User, pupil: User, school_class: SchoolClass) -> Enrolment:
    """Record that ``pupil`` left ``school_class`` (and the school) today.

    The account and its records stay; the retention rules decide when they go.
    """
    ensure_manages_school(actor, school_class.school)
    enrolment = _active_enrolment(pupil, school_class)
    enrolment.left_on = timezone.localdate()
    enrolment.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        action="pupil_leave",
        target=pupil,
        details={"school_class": school_class.pk},
    )
    return enrolment
