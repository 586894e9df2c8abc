"""Who may see what: the one place that scopes every read of the school layer.

Each role contributes what it reaches, as a query condition, through one function
per role and kind of object (``_schools_reached_by_<role>``). The public selectors
(``schools_visible_to``, ``classes_visible_to``, ``pupils_visible_to``,
``units_visible_to``) OR together the conditions of every role the user holds.
Pages, the API, exports and websockets all call these; none filters by hand.

Officers reach schools and classes (for aggregates) but never individual pupils:
reports above the school show counts, not children's names.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from lms.models import (
    AdministrativeUnit,
    Enrolment,
    ParentMeeting,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    TeachingSession,
    User,
)

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Anchor:
    """One role held at one node: the facts the scoping conditions need."""

    role: str
    school_id: int | None
    unit_path: str | None


# The user's role assignments as one JSON array, beside the user's own row. Raw
# SQL on purpose: every request reads it, and Django building the same query
# from expressions costs more CPU than the round trip it saves (measured on
# PostgreSQL: 1.3 ms of the app's CPU for the ORM's one query, 0.9 ms for two
# plain ones, 0.25 ms for this; docs/performance.md, "Pages a pupil opens most").
_ANCHORS = {
    "postgresql": "JSONB_AGG(JSONB_BUILD_OBJECT("
    "'role', r.role, 'school_id', r.school_id, 'unit_path', a.path))",
    "sqlite": "JSON_GROUP_ARRAY(JSON_OBJECT("
    "'role', r.role, 'school_id', r.school_id, 'unit_path', a.path))",
}
_USER_WITH_ANCHORS = """
    SELECT u.*, (
        SELECT {anchors} FROM lms_roleassignment r
        LEFT JOIN lms_administrativeunit a ON a.id = r.unit_id
        WHERE r.user_id = u.id
    ) AS role_anchor_rows
    FROM lms_user u {where}"""
_BY_ID = "WHERE u.id = %s"
_BY_TOKEN = "JOIN authtoken_token t ON t.user_id = u.id WHERE t.key = %s"


def _user_with_anchors_sql(where: str) -> str:
    return _USER_WITH_ANCHORS.format(anchors=_ANCHORS[connection.vendor], where=where)


def _anchors_kept(user: User) -> User:
    rows = user.role_anchor_rows
    if isinstance(rows, str):  # the database hands JSON back as text
        rows = json.loads(rows)
    user._role_anchors = [
        Anchor(role=row["role"], school_id=row["school_id"], unit_path=row["unit_path"])
        for row in rows or []
    ]
    return user


def user_with_anchors(user_id) -> User | None:
    """Return the user ``user_id`` with their role assignments, in one query.

    Every request asks for the signed-in user's roles (the door policy, the
    session's idle time), so the sign-in backends (``lms.accounts.backends``)
    read them with the user: one round trip instead of two on every page.
    """
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    found = list(User._default_manager.raw(_user_with_anchors_sql(_BY_ID), [user_id]))
    return _anchors_kept(found[0]) if found else None


def token_with_anchors(key: str) -> Token | None:
    """Return the API token ``key`` with its user and their roles, in one query.

    What DRF's ``TokenAuthentication`` reads (the token and its user), plus the
    roles every API request asks for (``user_with_anchors``); None if no token.
    """
    found = list(
        User._default_manager.raw(_user_with_anchors_sql(_BY_TOKEN), [str(key)])
    )
    if not found:
        return None
    user = _anchors_kept(found[0])
    token = Token(key=key, user_id=user.pk)
    token.user = user
    return token


def user_anchors(user: User) -> list[Anchor]:
    """Return the user's role assignments, read once per request and cached."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_role_anchors", None)
    if cached is None:
        cached = [
            Anchor(role=role, school_id=school_id, unit_path=unit_path)
            for role, school_id, unit_path in RoleAssignment.objects.filter(
                user=user
            ).values_list("role", "school_id", "unit__path")
        ]
        user._role_anchors = cached
    return cached


def user_roles(user: User) -> set[str]:
    """Return the codes of the roles the user holds anywhere."""
    roles = {anchor.role for anchor in user_anchors(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.PLATFORM_ADMIN)
    return roles


def user_has_role(user: User, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def user_school_ids(user: User, *roles: str) -> set[int]:
    """Return the schools where the user holds one of ``roles`` (any role if none)."""
    return {
        anchor.school_id
        for anchor in user_anchors(user)
        if anchor.school_id is not None and (not roles or anchor.role in roles)
    }


def _unit_paths(user: User) -> list[str]:
    return [
        anchor.unit_path
        for anchor in user_anchors(user)
        if anchor.role in (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER)
    ]


def _under_units(paths: list[str], field: str) -> Q:
    condition = NOTHING
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _is_platform_admin(user: User) -> bool:
    return user_has_role(user, Role.PLATFORM_ADMIN)


# --- Schools ----------


def _schools_reached_by_officers(user: User) -> Q:
    return _under_units(_unit_paths(user), "unit__path")


def _schools_reached_by_school_roles(user: User) -> Q:
    ids = user_school_ids(
        user, Role.SCHOOL_ADMIN, Role.TEACHER, Role.COUNSELLOR, Role.PUPIL
    )
    return Q(pk__in=ids) if ids else NOTHING


def schools_visible_to(user: User) -> QuerySet[School]:
    """Return the schools the user may see: their own, or those under their units."""
    if _is_platform_admin(user):
        return School.objects.all()
    condition = _schools_reached_by_officers(user) | _schools_reached_by_school_roles(
        user
    )
    return School.objects.filter(condition)


def schools_under(user: User, unit: AdministrativeUnit) -> QuerySet[School]:
    """Return the schools under ``unit`` that the user may see.

    Under a unit of the user's own areas (or for a platform administrator)
    every school is theirs: one path condition, not the scope's and the unit's
    both, which PostgreSQL multiplies into an estimate of "one school" and
    answers with loops over every class of a province.
    """
    if _is_platform_admin(user) or any(
        unit.path.startswith(path) for path in _unit_paths(user)
    ):
        return School.objects.filter(unit__path__startswith=unit.path)
    return schools_visible_to(user).filter(unit__path__startswith=unit.path)


def units_visible_to(user: User) -> QuerySet[AdministrativeUnit]:
    """Return the administrative units an officer may report on (their subtrees)."""
    if _is_platform_admin(user):
        return AdministrativeUnit.objects.all()
    return AdministrativeUnit.objects.filter(_under_units(_unit_paths(user), "path"))


# --- Classes ----------


def _classes_reached_by_teacher(user: User) -> Q:
    ids = user_school_ids(user, Role.TEACHER)
    if not ids:
        return NOTHING
    taught = Q(homeroom_teacher=user) | Q(
        pk__in=SchoolClass.teachers.through.objects.filter(user=user).values(
            "schoolclass_id"
        )
    )
    return Q(school_id__in=ids) & taught


def _classes_reached_by_school_admin(user: User) -> Q:
    ids = user_school_ids(user, Role.SCHOOL_ADMIN)
    return Q(school_id__in=ids) if ids else NOTHING


def _classes_reached_by_officers(user: User) -> Q:
    return _under_units(_unit_paths(user), "school__unit__path")


def _classes_reached_by_pupil(user: User) -> Q:
    if not user_has_role(user, Role.PUPIL):
        return NOTHING
    return Q(
        pk__in=Enrolment.objects.filter(pupil=user, left_on__isnull=True).values(
            "school_class_id"
        )
    )


def classes_visible_to(user: User) -> QuerySet[SchoolClass]:
    """Return the classes the user may see.

    A teacher sees the classes they teach or lead, a school administrator every
    class of their school, an officer every class under their units (for counts),
    a pupil their own class.
    """
    if _is_platform_admin(user):
        return SchoolClass.objects.all()
    condition = (
        _classes_reached_by_teacher(user)
        | _classes_reached_by_school_admin(user)
        | _classes_reached_by_officers(user)
        | _classes_reached_by_pupil(user)
    )
    return SchoolClass.objects.filter(condition)


def classes_managed_by(user: User) -> QuerySet[SchoolClass]:
    """Return the classes whose roster and assignments the user may change."""
    if _is_platform_admin(user):
        return SchoolClass.objects.all()
    condition = _classes_reached_by_teacher(user) | _classes_reached_by_school_admin(
        user
    )
    return SchoolClass.objects.filter(condition)


# --- Pupils ----------


def pupils_visible_to(user: User) -> QuerySet[User]:
    """Return the pupils whose names and records the user may see.

    Teachers and school administrators see pupils enrolled in the classes they
    manage; a pupil sees only themself; officers see no individual pupil.
    """
    pupils = User.objects.filter(role_assignments__role=Role.PUPIL)
    if _is_platform_admin(user):
        return pupils.distinct()
    condition = Q(
        pk__in=Enrolment.objects.filter(
            school_class__in=classes_managed_by(user), left_on__isnull=True
        ).values("pupil_id")
    )
    if user_has_role(user, Role.PUPIL):
        condition |= Q(pk=user.pk)
    return User.objects.filter(condition, role_assignments__role=Role.PUPIL).distinct()


def enrolments_visible_to(user: User) -> QuerySet[Enrolment]:
    """Return the active enrolments of the classes the user manages, with pupils."""
    return Enrolment.objects.filter(
        school_class__in=classes_managed_by(user), left_on__isnull=True
    ).select_related("pupil", "school_class")


def pupil_current_enrolment(pupil: User) -> Enrolment | None:
    """Return the pupil's active enrolment in the latest school year, if any."""
    return (
        Enrolment.objects.filter(pupil=pupil, left_on__isnull=True)
        .select_related("school_class__school", "school_class__school_year")
        .order_by("-school_class__school_year__starts_on")
        .first()
    )


# --- Teaching evidence: lessons taught to a class, parents' meetings ----------


def teaching_sessions_visible_to(user: User) -> QuerySet[TeachingSession]:
    """Return the lessons taught that the user may see, with who was there.

    Those of the classes the user manages: a teacher's own classes, every class
    of a school administrator's school. Officers see them only as counts, in
    the reports.
    """
    return TeachingSession.objects.filter(school_class__in=classes_managed_by(user))


def teaching_sessions_changeable_by(user: User) -> QuerySet[TeachingSession]:
    """Return the lessons the user may correct or delete (while the period is open).

    The teacher who recorded one, as long as they still manage its class, and
    the administrators of its school.
    """
    if _is_platform_admin(user):
        return TeachingSession.objects.all()
    recorded = Q(recorded_by_id=user.pk, school_class__in=classes_managed_by(user))
    administered = Q(school_class__school__in=schools_administered_by(user))
    return TeachingSession.objects.filter(recorded | administered)


def teaching_sessions_confirmable_by(user: User) -> QuerySet[TeachingSession]:
    """Return the lessons the user may confirm: those of the schools they run."""
    return TeachingSession.objects.filter(
        school_class__school__in=schools_administered_by(user)
    )


def parent_meetings_visible_to(user: User) -> QuerySet[ParentMeeting]:
    """Return the parents' meetings the user may see and record: their school's.

    School administrators keep them; officers see them as counts in the reports.
    """
    return ParentMeeting.objects.filter(school__in=schools_administered_by(user))


# --- The organisation admin (Wagtail, /cms/) ----------
#
# What a role may *change* in the organisation admin is narrower than what it may
# see: a unit officer reads their subtree, a province officer edits it; a school
# administrator edits their school's classes and staff, never the school record.

STAFF_ROLES = (Role.TEACHER, Role.COUNSELLOR, Role.SCHOOL_ADMIN)


def _province_unit_paths(user: User) -> list[str]:
    return [
        anchor.unit_path
        for anchor in user_anchors(user)
        if anchor.role == Role.PROVINCE_OFFICER
    ]


def units_managed_by(user: User) -> QuerySet[AdministrativeUnit]:
    """Return the units a user may create under, edit and move: a province's tree."""
    if _is_platform_admin(user):
        return AdministrativeUnit.objects.all()
    return AdministrativeUnit.objects.filter(
        _under_units(_province_unit_paths(user), "path")
    )


def schools_managed_by(user: User) -> QuerySet[School]:
    """Return the schools whose record (name, code, unit) the user may change."""
    if _is_platform_admin(user):
        return School.objects.all()
    return School.objects.filter(_under_units(_province_unit_paths(user), "unit__path"))


def schools_administered_by(user: User) -> QuerySet[School]:
    """Return the schools whose classes and rosters the user runs as a whole.

    A school administrator runs their school (setting up classes, the school-year
    rollover, moving pupils between classes); a platform administrator runs every
    school. Teachers manage their own classes only (``classes_managed_by``).
    """
    if _is_platform_admin(user):
        return School.objects.all()
    ids = user_school_ids(user, Role.SCHOOL_ADMIN)
    condition = Q(pk__in=ids) if ids else NOTHING
    return School.objects.filter(condition)


def schools_staffed_by(user: User) -> QuerySet[School]:
    """Return the schools whose staff accounts the user may create and manage.

    A school administrator staffs their own school; a province officer may appoint
    the staff of any school of their province, because someone has to name the
    first school administrator of a new school.
    """
    if _is_platform_admin(user):
        return School.objects.all()
    ids = user_school_ids(user, Role.SCHOOL_ADMIN)
    condition = Q(pk__in=ids) if ids else NOTHING
    condition |= _under_units(_province_unit_paths(user), "unit__path")
    return School.objects.filter(condition)


def classes_administered_by(user: User) -> QuerySet[SchoolClass]:
    """Return the classes a user may create and edit in the organisation admin."""
    if _is_platform_admin(user):
        return SchoolClass.objects.all()
    return SchoolClass.objects.filter(school__in=schools_administered_by(user))


def staff_managed_by(user: User) -> QuerySet[RoleAssignment]:
    """Return the staff roles (teacher, counsellor, school admin) a user manages.

    One row per role held at a school, so a teacher who is also the school's
    administrator shows twice, once per role.
    """
    return RoleAssignment.objects.filter(
        role__in=STAFF_ROLES, school__in=schools_staffed_by(user)
    )


def staff_of_schools(schools) -> QuerySet[User]:
    """Return the active staff of some schools: the people a class may be given to."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__school__in=schools,
            role_assignments__role__in=STAFF_ROLES,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def staff_of_school(school: School) -> QuerySet[User]:
    """Return the active staff of one school."""
    return staff_of_schools([school])


def staff_account_managed_by(user: User, account: User) -> bool:
    """Return whether ``user`` may rename, close or reset the password of ``account``.

    Only when every role the account holds is a staff role at a school the user
    manages: a school administrator must never reset the password of an officer
    or an editor who happens to teach at their school too.
    """
    if _is_platform_admin(user):
        return not account.is_superuser
    if account.pk == user.pk or account.is_superuser:
        return False
    school_ids = set(schools_staffed_by(user).values_list("pk", flat=True))
    roles = list(
        RoleAssignment.objects.filter(user=account).values_list("role", "school_id")
    )
    return bool(roles) and all(
        role in STAFF_ROLES and school_id in school_ids for role, school_id in roles
    )


# --- The calendar ----------


def period_current(*, on: datetime.date | None = None):
    """Return the shortest reporting period holding ``on`` (today), else the
    latest one started: what every page about "this period" opens on."""
    from lms.models import ReportingPeriod

    on = on or timezone.localdate()
    holding = (
        ReportingPeriod.objects.filter(starts_on__lte=on, ends_on__gte=on)
        .select_related("school_year")
        .order_by("ends_on", "-starts_on")
    )
    return holding.first() or (
        ReportingPeriod.objects.filter(starts_on__lte=on)
        .select_related("school_year")
        .order_by("-starts_on")
        .first()
    )
