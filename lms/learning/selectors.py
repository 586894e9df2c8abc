"""Reads of the learning loop, scoped through ``lms.people.selectors`` like every read.

Who may see a class, a pupil or a module is decided by ``lms.people.selectors`` (school
layer) and ``content_cms.selectors`` (modules); this module only composes them:
the modules a pupil was given, their progress, a class's progress grid, and the
module player's view of a module in the learner's language.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from content_cms.models import AgeBand, Audience, ModulePage
from content_cms.selectors import (
    age_band_for_grade,
    module_live_quiz,
    module_source_for_key,
    modules_localized,
    modules_visible_to,
)
from lms.learning.rollups import REPORTING_TIME_ZONE
from lms.models import (
    DONE_STATUSES,
    Assignment,
    Enrolment,
    ModuleProgress,
    ParentMeeting,
    ProgressStatus,
    ReportingPeriod,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    TeachingSession,
    User,
)
from lms.people.consent import pupil_may_record_learning
from lms.people.organisation import reporting_grace_days
from lms.people.selectors import (
    STAFF_ROLES,
    classes_managed_by,
    parent_meetings_visible_to,
    pupil_current_enrolment,
    schools_administered_by,
    teaching_sessions_changeable_by,
    teaching_sessions_confirmable_by,
    teaching_sessions_visible_to,
    user_has_role,
    user_roles,
)
from lms.rosters.selectors import class_roster
from quizzes.live.models import LivePhase, LivePlayer, LiveSession

DUE_SOON_DAYS = 3
SUGGESTION_LIMIT = 6


def today() -> datetime.date:
    return timezone.localdate()


# --- Classes a teacher acts on ----------


def class_for_assigning(*, user: User, class_id: int) -> SchoolClass | None:
    """Return the class if ``user`` may give it modules; None reads as a 404."""
    if not user.has_perm("lms.assign_modules"):
        return None
    return (
        classes_managed_by(user)
        .select_related("school", "school_year")
        .filter(pk=class_id)
        .first()
    )


def class_for_progress(*, user: User, class_id: int) -> SchoolClass | None:
    """Return the class if ``user`` may follow its pupils' progress."""
    if not user.has_perm("lms.view_class_progress"):
        return None
    return (
        classes_managed_by(user)
        .select_related("school", "school_year")
        .filter(pk=class_id)
        .first()
    )


def class_assignment_get(
    *, school_class: SchoolClass, assignment_id: int
) -> Assignment | None:
    """Return one assignment of a class already scoped by the caller."""
    return (
        Assignment.objects.select_related("school_class")
        .filter(pk=assignment_id, school_class=school_class)
        .first()
    )


def class_enrolments(*, school_class: SchoolClass) -> list[Enrolment]:
    """Return the class's pupils, loaded, in roster order.

    Today's pupils; for a class of a year that has ended, those it had at the end
    of the year (``lms.rosters.selectors.class_roster``), so its progress still
    reads back after the new school year's rollover.
    """
    return list(
        class_roster(school_class=school_class)
        .select_related("pupil")
        .order_by("roster_number", "pupil__display_name", "pk")
    )


def class_pupils_chosen(
    *, school_class: SchoolClass, pupil_ids: list[int]
) -> list[User]:
    """Return those of ``pupil_ids`` actively enrolled in the class (others dropped)."""
    if not pupil_ids:
        return []
    return [
        enrolment.pupil
        for enrolment in Enrolment.objects.filter(
            school_class=school_class, left_on__isnull=True, pupil_id__in=pupil_ids
        ).select_related("pupil")
    ]


def class_assignments(
    *, school_class: SchoolClass, user: User | None = None
) -> list[Assignment]:
    """Return the class's assignments, modules in the active language.

    Each also carries ``live_quiz``: the module's quiz when ``user`` may play it
    live with the class (``content_cms.selectors.module_live_quiz``), else None.
    """
    assignments = list(
        Assignment.objects.filter(school_class=school_class, module__live=True)
        .select_related("module__quiz")
        .prefetch_related("pupils")
        .order_by("-opens_on", "-pk")
    )
    localized = modules_localized([a.module for a in assignments])
    for assignment, page in zip(assignments, localized, strict=True):
        assignment.module_localized = page
        assignment.live_quiz = (
            module_live_quiz(module=assignment.module, user=user) if user else None
        )
    return assignments


@dataclass
class AssignableModules:
    suggested: list[ModulePage]
    others: list[ModulePage]


def assignable_modules(*, user: User, school_class: SchoolClass) -> AssignableModules:
    """Return the pupils' modules ``user`` may assign, the class's age band first.

    Each page carries ``source_id`` and ``band_label`` (the bands it is written
    for), so the form can say which modules are for another age.
    """
    modules = list(
        modules_visible_to(user)
        .filter(audience=Audience.PUPIL)
        .prefetch_related("age_bands")
        .order_by("title")
    )
    band = age_band_for_grade(school_class.grade)
    localized = modules_localized(modules)
    suggested, others = [], []
    for source, page in zip(modules, localized, strict=True):
        page.source_id = source.pk
        page.band_label = band_label(source)
        in_band = band is not None and any(
            b.pk == band.pk for b in source.age_bands.all()
        )
        (suggested if in_band else others).append(page)
    return AssignableModules(suggested=suggested, others=others)


def module_source_for(*, user: User, module_id: int) -> ModulePage | None:
    """Return the Vietnamese page of module ``module_id`` (any language), if visible.

    Raises ``content_cms.errors.ModuleOutsideAgeBand`` (403) when it is a pupils'
    module of another age band than the pupil's (``module_access_rule``).
    """
    if not 0 < module_id < 2**31:
        return None  # no such page; a larger id would overflow the database column
    translation_key = (
        ModulePage.objects.live()
        .filter(pk=module_id)
        .values_list("translation_key", flat=True)
        .first()
    )
    if translation_key is None:
        return None
    return module_source_for_key(user=user, translation_key=translation_key)


# --- Which pupils' modules a pupil may open ----------


def module_access_rule(*, user: User) -> Q | None:
    """``MODULE_ACCESS_RULE``: the pupils' modules a pupil may open; None for adults.

    A pupil opens the modules of the age band holding their class's grade (from
    ``min_grade`` to ``max_grade``; a care facility's group has a grade too) and
    every module given to them (to their class or their group, once opened),
    whatever its band. Anyone holding another role than pupil has no limit. The
    condition is built from subqueries: no query runs here (the roles are read
    once per request).
    """
    roles = user_roles(user)
    if Role.PUPIL not in roles or roles - {Role.PUPIL}:
        return None
    in_band = ModulePage.age_bands.through.objects.filter(
        Exists(
            Enrolment.objects.filter(
                pupil_id=user.pk,
                left_on__isnull=True,
                school_class__grade__gte=OuterRef("ageband__min_grade"),
                school_class__grade__lte=OuterRef("ageband__max_grade"),
            )
        )
    ).values("modulepage_id")
    given = _assignments_of(user, today()).values("module_id")
    return Q(pk__in=in_band) | Q(pk__in=given)


def class_age_bands(*, school_class: SchoolClass) -> list[AgeBand]:
    """Return the age bands holding the class's grade (normally one)."""
    return list(
        AgeBand.objects.filter(
            min_grade__lte=school_class.grade, max_grade__gte=school_class.grade
        )
    )


def _grade_bands(module: ModulePage) -> list[AgeBand]:
    return [band for band in module.age_bands.all() if band.min_grade is not None]


def band_label(module: ModulePage) -> str:
    """Return the school age bands a module is written for, as one label."""
    return ", ".join(band.localized_name for band in _grade_bands(module))


def module_fits_class(*, module: ModulePage, school_class: SchoolClass) -> bool:
    """Return whether a module is written for the age band of the class's grade.

    A module tagged with no school band (written for everyone) fits every class.
    """
    bands = _grade_bands(module)
    return not bands or any(
        band.min_grade <= school_class.grade <= (band.max_grade or band.min_grade)
        for band in bands
    )


def module_band_warning(*, module: ModulePage, school_class: SchoolClass) -> str | None:
    """Return the warning for a module outside the class's age band, else None."""
    if module_fits_class(module=module, school_class=school_class):
        return None
    return _(
        "%(module)s is written for %(bands)s; class %(class)s is in grade "
        "%(grade)s. Check that it suits the class."
    ) % {
        "module": module.title,
        "bands": band_label(module),
        "class": school_class.name,
        "grade": school_class.grade,
    }


# --- The module player ----------


@dataclass
class PlayerModule:
    """A module as the player shows it: the source page and its translation.

    ``sections`` follows the source page's sections (progress is counted on
    them); each is the translated section where one exists, else the source's.
    """

    source: ModulePage
    page: ModulePage
    sections: list

    @property
    def section_count(self) -> int:
        return len(self.sections)

    @property
    def has_quiz(self) -> bool:
        return self.source.quiz_id is not None


def player_module(*, user: User, module_id: int) -> PlayerModule | None:
    """Return module ``module_id`` for the player, or None when not visible."""
    source = module_source_for(user=user, module_id=module_id)
    if source is None:
        return None
    page = modules_localized([source])[0]
    source_sections = list(source.lessons)
    translated = list(page.lessons) if page.pk != source.pk else source_sections
    sections = [
        translated[index] if index < len(translated) else section
        for index, section in enumerate(source_sections)
    ]
    return PlayerModule(source=source, page=page, sections=sections)


def learner_may_record_learning(*, user: User) -> bool:
    """Return whether the learning loop may record this user's quiz answers.

    Pupils need consent (``lms.people.consent``), unless their province lets pupils
    without it use everything; adults chose to learn and always may.
    """
    if not user_has_role(user, Role.PUPIL):
        return True
    return pupil_may_record_learning(pupil=user)


def progress_for(*, user: User, module: ModulePage) -> ModuleProgress | None:
    return ModuleProgress.objects.filter(user=user, module=module).first()


def my_progress(*, user: User) -> list[ModuleProgress]:
    """Return the user's progress in every module they opened, modules localized."""
    rows = list(
        ModuleProgress.objects.filter(user=user, module__live=True)
        .select_related("module")
        .order_by("-last_activity_at", "pk")
    )
    for row, page in zip(
        rows, modules_localized([r.module for r in rows]), strict=True
    ):
        row.module_localized = page
    return rows


# --- A pupil's assignments and home ----------


@dataclass
class AssignedModule:
    """One module given to a pupil, with where they are in it."""

    assignment_id: int
    module: ModulePage
    source_id: int
    opens_on: datetime.date
    due_on: datetime.date | None
    status: str
    best_percent: object
    state: str  # "overdue", "due_soon", "todo" or "done"

    @property
    def is_done(self) -> bool:
        return self.state == "done"


def _assignments_of(pupil: User, on: datetime.date):
    enrolled_classes = Enrolment.objects.filter(
        pupil=pupil, left_on__isnull=True
    ).values("school_class_id")
    groups = Assignment.pupils.through.objects.filter(assignment_id=OuterRef("pk"))
    return (
        Assignment.objects.filter(
            school_class_id__in=enrolled_classes,
            opens_on__lte=on,
            module__live=True,
        )
        .filter(Q(~Exists(groups)) | Q(Exists(groups.filter(user=pupil))))
        .select_related("module")
    )


def _state(status: str, due_on: datetime.date | None, on: datetime.date) -> str:
    if status in DONE_STATUSES:
        return "done"
    if due_on is not None and due_on < on:
        return "overdue"
    if due_on is not None and due_on <= on + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "todo"


def _due_order(item: AssignedModule):
    return (item.due_on is None, item.due_on or datetime.date.max, item.module.title)


def _assigned_modules(
    pupil: User, progress: dict[int, ModuleProgress], on: datetime.date
) -> list[AssignedModule]:
    # A module given twice (to the class, then to a group) shows once: the
    # earliest due date wins.
    by_module: dict[int, Assignment] = {}
    for assignment in _assignments_of(pupil, on):
        kept = by_module.get(assignment.module_id)
        if kept is None or (assignment.due_on or datetime.date.max) < (
            kept.due_on or datetime.date.max
        ):
            by_module[assignment.module_id] = assignment
    assignments = list(by_module.values())
    localized = modules_localized([a.module for a in assignments])
    items = []
    for assignment, page in zip(assignments, localized, strict=True):
        row = progress.get(assignment.module_id)
        status = row.status if row else ProgressStatus.NOT_STARTED
        items.append(
            AssignedModule(
                assignment_id=assignment.pk,
                module=page,
                source_id=assignment.module_id,
                opens_on=assignment.opens_on,
                due_on=assignment.due_on,
                status=status,
                best_percent=row.best_percent if row else None,
                state=_state(status, assignment.due_on, on),
            )
        )
    return sorted(items, key=_due_order)


def my_assignments(*, pupil: User) -> list[AssignedModule]:
    """Return the open modules given to ``pupil``, soonest due first."""
    progress = {row.module_id: row for row in ModuleProgress.objects.filter(user=pupil)}
    return _assigned_modules(pupil, progress, today())


@dataclass
class ModuleCard:
    module: ModulePage
    source_id: int
    status: str
    progress: ModuleProgress | None = None


@dataclass
class PupilHome:
    """What a pupil's home page shows, read in a handful of queries."""

    enrolment: Enrolment | None
    overdue: list[AssignedModule] = field(default_factory=list)
    due_soon: list[AssignedModule] = field(default_factory=list)
    todo: list[AssignedModule] = field(default_factory=list)
    done: list[AssignedModule] = field(default_factory=list)
    continue_module: ModuleCard | None = None
    suggestions: list[ModuleCard] = field(default_factory=list)

    @property
    def has_assignments(self) -> bool:
        return bool(self.overdue or self.due_soon or self.todo or self.done)


def pupil_home(*, pupil: User) -> PupilHome:
    """Return the pupil's assigned modules by urgency, where to continue, and ideas.

    Suggestions are live pupils' modules of the age band of the pupil's grade
    that were not assigned to them. Nine queries whatever the numbers (a test
    holds it to that).
    """
    on = today()
    enrolment = pupil_current_enrolment(pupil)
    home = PupilHome(enrolment=enrolment)
    progress_rows = list(
        ModuleProgress.objects.filter(user=pupil).order_by("-last_activity_at", "pk")
    )
    progress = {row.module_id: row for row in progress_rows}
    assigned = _assigned_modules(pupil, progress, on)
    for item in assigned:
        getattr(home, item.state).append(item)
    assigned_ids = {item.source_id for item in assigned}

    suggestions: list[ModulePage] = []
    band = age_band_for_grade(enrolment.school_class.grade) if enrolment else None
    if band is not None:
        suggestions = list(
            modules_visible_to(pupil)
            .filter(audience=Audience.PUPIL, age_bands=band)
            .exclude(pk__in=assigned_ids)
            .order_by("title")
            .distinct()[:SUGGESTION_LIMIT]
        )
    latest = next(
        (row for row in progress_rows if row.status == ProgressStatus.IN_PROGRESS),
        None,
    )
    continue_source = None
    if latest is not None:
        known = {item.source_id: item.module for item in assigned}
        continue_page = known.get(latest.module_id)
        if continue_page is None:
            continue_source = next(
                (m for m in suggestions if m.pk == latest.module_id), None
            ) or (modules_visible_to(pupil).filter(pk=latest.module_id).first())
    to_localize = suggestions + ([continue_source] if continue_source else [])
    localized = modules_localized(to_localize)
    home.suggestions = [
        ModuleCard(
            module=page,
            source_id=source.pk,
            status=progress[source.pk].status
            if source.pk in progress
            else ProgressStatus.NOT_STARTED,
        )
        for source, page in zip(suggestions, localized, strict=False)
    ]
    if latest is not None:
        page = continue_page if continue_source is None else localized[len(suggestions)]
        if page is not None:
            home.continue_module = ModuleCard(
                module=page,
                source_id=latest.module_id,
                status=latest.status,
                progress=latest,
            )
    return home


# --- A class's progress ----------


@dataclass
class ProgressCell:
    module_id: int
    assigned: bool
    status: str | None
    best_percent: object = None


@dataclass
class PupilProgressRow:
    pupil: User
    cells: list[ProgressCell]
    # Shown beside the name when a classmate has the same name.
    roster_number: int | None = None


@dataclass
class ClassProgress:
    school_class: SchoolClass
    modules: list[ModulePage]  # in the active language; ``source_id`` on each
    rows: list[PupilProgressRow]


def class_progress(*, school_class: SchoolClass) -> ClassProgress:
    """Return each active pupil's progress in each module assigned to the class.

    A cell of a module given to a group the pupil is not in has ``assigned``
    False and no status. Five queries whatever the size of the class.
    """
    assignments = list(
        Assignment.objects.filter(school_class=school_class, module__live=True)
        .select_related("module")
        .prefetch_related("pupils")
        .order_by("opens_on", "pk")
    )
    sources: dict[int, ModulePage] = {}
    whole_class: set[int] = set()
    groups: dict[int, set[int]] = {}
    due: dict[int, datetime.date | None] = {}
    for assignment in assignments:
        sources.setdefault(assignment.module_id, assignment.module)
        # A module given twice keeps its earliest due date (as on a pupil's home).
        if assignment.due_on is not None and (
            due.get(assignment.module_id) is None
            or assignment.due_on < due[assignment.module_id]
        ):
            due[assignment.module_id] = assignment.due_on
        members = {pupil.pk for pupil in assignment.pupils.all()}
        if members:
            groups.setdefault(assignment.module_id, set()).update(members)
        else:
            whole_class.add(assignment.module_id)
    modules = modules_localized(list(sources.values()))
    for source, page in zip(sources.values(), modules, strict=True):
        page.source_id = source.pk
        page.due_on = due.get(source.pk)
    enrolments = class_enrolments(school_class=school_class)
    pupil_ids = [enrolment.pupil_id for enrolment in enrolments]
    progress = {
        (row.user_id, row.module_id): row
        for row in ModuleProgress.objects.filter(
            user_id__in=pupil_ids, module_id__in=list(sources)
        )
    }
    rows = []
    for enrolment in enrolments:
        cells = []
        for module_id in sources:
            assigned = module_id in whole_class or enrolment.pupil_id in groups.get(
                module_id, set()
            )
            row = progress.get((enrolment.pupil_id, module_id))
            status = row.status if row else ProgressStatus.NOT_STARTED
            cells.append(
                ProgressCell(
                    module_id=module_id,
                    assigned=assigned,
                    status=status if assigned or row else None,
                    best_percent=row.best_percent if row else None,
                )
            )
        rows.append(
            PupilProgressRow(
                pupil=enrolment.pupil,
                cells=cells,
                roster_number=enrolment.roster_number,
            )
        )
    return ClassProgress(school_class=school_class, modules=modules, rows=rows)


def modules_passed_by(*, user: User):
    """Return the ids of the modules ``user`` passed, as a subquery-ready queryset.

    A module without a quiz counts once completed. Certificates use it to ask
    "has this learner passed every module of X?" in one query.
    """
    return ModuleProgress.objects.filter(
        Q(status=ProgressStatus.PASSED)
        | Q(status=ProgressStatus.COMPLETED, module__quiz__isnull=True),
        user=user,
    ).values("module_id")


# --- A pupil's own records, for their data export ----------


def progress_of_learner(*, user: User) -> list[ModuleProgress]:
    """Return every progress row of ``user``, source modules loaded, oldest first.

    Unpublished modules included: the export lists everything held. One query.
    """
    return list(
        ModuleProgress.objects.filter(user=user)
        .select_related("module")
        .order_by("started_at", "pk")
    )


def module_titles(*, module_ids) -> dict[int, str]:
    """Return module id -> title (the Vietnamese source's), in one query."""
    if not module_ids:
        return {}
    return dict(ModulePage.objects.filter(pk__in=module_ids).values_list("pk", "title"))


def assignments_given_to(*, pupil: User) -> list[Assignment]:
    """Return every module given to ``pupil``, oldest first, for their export.

    In each class they were enrolled in: the whole-class assignments opened
    before they left it, and the group ones that name them (``for_group``
    True). Unlike ``my_assignments``, past enrolments, future opening dates and
    unpublished modules count. Two queries.
    """
    enrolments = list(
        Enrolment.objects.filter(pupil=pupil).values_list("school_class_id", "left_on")
    )
    if not enrolments:
        return []
    while_enrolled = Q()
    for class_id, left_on in enrolments:
        in_class = Q(school_class_id=class_id)
        if left_on is not None:
            in_class &= Q(opens_on__lte=left_on)
        while_enrolled |= in_class
    groups = Assignment.pupils.through.objects.filter(assignment_id=OuterRef("pk"))
    return list(
        Assignment.objects.filter(while_enrolled)
        .annotate(for_group=Exists(groups))
        .filter(Q(for_group=False) | Q(Exists(groups.filter(user=pupil))))
        .select_related("module", "school_class__school_year")
        .order_by("opens_on", "pk")
    )


# --- Live classroom games ----------


def live_team_label(*, user: User, session) -> str | None:
    """Return a player's team in a live game played by teams: their class ("5A").

    ``LIVE_TEAM_LABEL_PROVIDER`` points here, so the quiz engine can seat
    signed-in pupils in their class's team without knowing what a class is. The
    engine uses the label only when the host named a team after the class;
    staff (no enrolment) get None and choose a team, like guests.
    """
    enrolment = pupil_current_enrolment(user)
    return enrolment.school_class.name if enrolment is not None else None


# --- Lessons taught to a class (lms/learning/teaching.py) ----------


def class_for_teaching(*, user: User, class_id: int) -> SchoolClass | None:
    """Return the class if ``user`` may record its lessons; None reads as a 404."""
    if not user.has_perm("lms.add_teachingsession"):
        return None
    return (
        classes_managed_by(user)
        .select_related("school", "school_year")
        .filter(pk=class_id)
        .first()
    )


def _closed_periods(on: datetime.date) -> list[ReportingPeriod]:
    last_open_end = on - datetime.timedelta(days=reporting_grace_days() + 1)
    return list(ReportingPeriod.objects.filter(ends_on__lte=last_open_end))


def _in_closed_period(day: datetime.date, closed: list[ReportingPeriod]) -> bool:
    return any(period.starts_on <= day <= period.ends_on for period in closed)


def _with_attendance_counts(queryset):
    return queryset.annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True)),
        pupils_count=Count("attendance"),
    )


def _sessions_dressed(sessions: list[TeachingSession], user: User) -> None:
    """Give each lesson its module in the active language and what ``user`` may do.

    ``module_localized``, ``band_fits`` (the module is of the class's band),
    ``is_closed`` (its period is closed), ``may_change`` and ``may_confirm``.
    """
    if not sessions:
        return
    ids = [session.pk for session in sessions]
    changeable = set(
        teaching_sessions_changeable_by(user)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    confirmable = set(
        teaching_sessions_confirmable_by(user)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    may_confirm = user.has_perm("lms.change_teachingsession")
    closed = _closed_periods(today())
    localized = modules_localized([session.module for session in sessions])
    for session, page in zip(sessions, localized, strict=True):
        session.module_localized = page
        session.band_fits = module_fits_class(
            module=session.module, school_class=session.school_class
        )
        session.is_closed = _in_closed_period(session.taught_on, closed)
        session.may_change = session.pk in changeable and not session.is_closed
        session.may_confirm = may_confirm and session.pk in confirmable


def class_teaching_sessions(
    *,
    user: User,
    school_class: SchoolClass,
    limit: int | None = None,
    with_attendance: bool = False,
) -> list[TeachingSession]:
    """Return the lessons taught to a class that ``user`` may see, newest first.

    Each carries ``present_count`` and ``pupils_count`` and what
    ``_sessions_dressed`` adds (and its attendance rows, prefetched, if asked).
    A bounded number of queries.
    """
    queryset = _with_attendance_counts(
        teaching_sessions_visible_to(user)
        .filter(school_class=school_class)
        .select_related("module", "recorded_by", "confirmed_by", "school_class")
        .prefetch_related("module__age_bands")
        .order_by("-taught_on", "-recorded_at", "-pk")
    )
    if with_attendance:
        queryset = queryset.prefetch_related("attendance")
    sessions = list(queryset[:limit] if limit else queryset)
    _sessions_dressed(sessions, user)
    return sessions


def class_teaching_session(
    *, user: User, school_class: SchoolClass, teaching_id: int
) -> TeachingSession | None:
    """Return one lesson of the class that ``user`` may see, dressed, else None."""
    session = (
        _with_attendance_counts(
            teaching_sessions_visible_to(user).filter(
                pk=teaching_id, school_class=school_class
            )
        )
        .select_related("module", "school_class")
        .prefetch_related("module__age_bands", "attendance")
        .first()
    )
    if session is not None:
        _sessions_dressed([session], user)
    return session


def live_session_of_host(*, user: User, live_session_id: int) -> LiveSession | None:
    """Return a live game ``user`` hosted, else None (the service checks the rest)."""
    if not 0 < live_session_id < 2**63:
        return None
    return (
        LiveSession.objects.select_related("quiz")
        .filter(pk=live_session_id, host_id=user.pk)
        .first()
    )


def teaching_session_for_change(
    *, user: User, class_id: int, teaching_id: int
) -> TeachingSession | None:
    """Return a lesson of the class that ``user`` may change; None reads as a 404."""
    session = (
        teaching_sessions_changeable_by(user)
        .filter(pk=teaching_id, school_class_id=class_id)
        .select_related("module", "school_class__school", "school_class__school_year")
        .prefetch_related("module__age_bands")
        .first()
    )
    if session is not None:
        _sessions_dressed([session], user)
    return session


def session_absent_pupil_ids(*, session: TeachingSession) -> list[int]:
    """Return the pupils marked absent from a lesson."""
    return list(
        session.attendance.filter(present=False).values_list("pupil_id", flat=True)
    )


@dataclass
class LiveGameOption:
    """A live game the teacher played today, offered to fill a lesson's attendance."""

    session: LiveSession
    module: ModulePage  # in the active language; ``source_id`` on it
    players: int  # pupils of the class who played with their account

    @property
    def ended_at(self):
        return self.session.ended_at


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(
        day, datetime.time.min, tzinfo=REPORTING_TIME_ZONE
    )
    return start, start + datetime.timedelta(days=1)


def live_games_for_class(
    *, user: User, school_class: SchoolClass, on: datetime.date
) -> list[LiveGameOption]:
    """Return ``user``'s live games that ended on ``on`` and pupils of the class played.

    Only games of a pupils' module's quiz (the module of the class's band
    first when several share it); latest first. Four queries.
    """
    start, end = _day_bounds(on)
    games = list(
        LiveSession.objects.filter(
            host_id=user.pk,
            phase=LivePhase.ENDED,
            ended_at__gte=start,
            ended_at__lt=end,
        )
        .select_related("quiz")
        .order_by("-ended_at")
    )
    if not games:
        return []
    roster = class_roster(school_class=school_class).values("pupil_id")
    players = dict(
        LivePlayer.objects.filter(
            session__in=[game.pk for game in games],
            user_id__in=roster,
            is_removed=False,
        )
        .values_list("session_id")
        .annotate(count=Count("pk"))
    )
    modules: dict = {}
    for module in (
        modules_visible_to(user)
        .filter(
            audience=Audience.PUPIL,
            quiz__translation_key__in={game.quiz.translation_key for game in games},
        )
        .select_related("quiz")
        .prefetch_related("age_bands")
        .order_by("title", "pk")
    ):
        key = module.quiz.translation_key
        kept = modules.get(key)
        if kept is None or (
            module_fits_class(module=module, school_class=school_class)
            and not module_fits_class(module=kept, school_class=school_class)
        ):
            modules[key] = module
    options = [
        (game, modules[game.quiz.translation_key])
        for game in games
        if players.get(game.pk) and game.quiz.translation_key in modules
    ]
    localized = modules_localized([module for _game, module in options])
    result = []
    for (game, source), page in zip(options, localized, strict=True):
        page.source_id = source.pk
        result.append(
            LiveGameOption(session=game, module=page, players=players[game.pk])
        )
    return result


def live_game_for_teaching(
    *, user: User, school_class: SchoolClass, live_session_id: int, on: datetime.date
) -> LiveGameOption | None:
    """Return one of ``live_games_for_class`` by the game's id, else None."""
    return next(
        (
            option
            for option in live_games_for_class(
                user=user, school_class=school_class, on=on
            )
            if option.session.pk == live_session_id
        ),
        None,
    )


# --- A school's lessons and parents' meetings (its administrators) ----------


def school_for_teaching(*, user: User, school_id: int) -> School | None:
    """Return the school if ``user`` runs it (confirms lessons, keeps meetings)."""
    return schools_administered_by(user).filter(pk=school_id).first()


def school_teaching_sessions(*, user: User, school: School, unconfirmed: bool = False):
    """Return the school's lessons ``user`` may see, newest first, as a queryset.

    For a page of them, ``teaching_sessions_dressed`` adds the module in the
    active language and what the user may do.
    """
    queryset = (
        teaching_sessions_visible_to(user)
        .filter(school_class__school=school)
        .select_related("module", "recorded_by", "confirmed_by", "school_class")
        .prefetch_related("module__age_bands")
        .order_by("-taught_on", "school_class__name", "-pk")
    )
    if unconfirmed:
        queryset = queryset.filter(confirmed_at__isnull=True)
    return _with_attendance_counts(queryset)


def teaching_sessions_dressed(
    *, user: User, sessions: list[TeachingSession]
) -> list[TeachingSession]:
    """Return ``sessions`` with their modules localized and the user's rights."""
    sessions = list(sessions)
    _sessions_dressed(sessions, user)
    return sessions


def school_teaching_session(
    *, user: User, school: School, teaching_id: int
) -> TeachingSession | None:
    """Return a lesson of the school that ``user`` may confirm, else None."""
    return (
        teaching_sessions_confirmable_by(user)
        .filter(pk=teaching_id, school_class__school=school)
        .first()
    )


def school_parent_meetings(*, user: User, school: School) -> list[ParentMeeting]:
    """Return the school's parents' meetings, newest first, modules localized."""
    meetings = list(
        parent_meetings_visible_to(user)
        .filter(school=school)
        .select_related("module", "recorded_by")
        .order_by("-held_on", "-pk")
    )
    closed = _closed_periods(today())
    with_module = [meeting for meeting in meetings if meeting.module is not None]
    localized = modules_localized([meeting.module for meeting in with_module])
    for meeting, page in zip(with_module, localized, strict=True):
        meeting.module_localized = page
    for meeting in meetings:
        meeting.is_closed = _in_closed_period(meeting.held_on, closed)
    return meetings


def parent_meeting_for_change(
    *, user: User, school: School, meeting_id: int
) -> ParentMeeting | None:
    return (
        parent_meetings_visible_to(user)
        .filter(pk=meeting_id, school=school)
        .select_related("school")
        .first()
    )


def meeting_modules(*, user: User) -> list[ModulePage]:
    """Return the modules a parents' meeting may have used: parents' first."""
    order = {Audience.PARENT: 0, Audience.TEACHER_STAFF: 1, Audience.PUPIL: 2}
    modules = list(
        modules_visible_to(user).prefetch_related("age_bands").order_by("title")
    )
    modules.sort(key=lambda module: order.get(module.audience, 3))
    localized = modules_localized(modules)
    for source, page in zip(modules, localized, strict=True):
        page.source_id = source.pk
        page.band_label = ", ".join(b.localized_name for b in source.age_bands.all())
    return localized


# --- Adults reached, for the reports (lms/reports) ----------


def _period_moments(period: ReportingPeriod):
    start, _end = _day_bounds(period.starts_on)
    _start, end = _day_bounds(period.ends_on)
    return start, end


def staff_trained_by_school(*, schools, period: ReportingPeriod) -> dict[int, int]:
    """Return school id -> how many of its staff completed a staff module in ``period``.

    Staff: active accounts holding a teacher, counsellor or school administrator
    role at the school (one person counts once per school). Completed: a
    ``ModuleProgress`` of a staff module (audience "teachers and staff") with
    a done status whose ``completed_at`` falls on a day of the period, in Viet
    Nam. One query whatever the number of schools; schools with nobody trained
    are left out.
    """
    start, end = _period_moments(period)
    # The staff modules first (a handful), so the database reads only their
    # progress rows (index on module and status), not every pupil's.
    modules = list(
        ModulePage.objects.filter(audience=Audience.TEACHER_STAFF).values_list(
            "pk", flat=True
        )
    )
    trained = ModuleProgress.objects.filter(
        module_id__in=modules,
        status__in=DONE_STATUSES,
        completed_at__gte=start,
        completed_at__lt=end,
    ).values("user_id")
    return dict(
        RoleAssignment.objects.filter(
            school__in=schools,
            role__in=STAFF_ROLES,
            user__is_active=True,
            user_id__in=trained,
        )
        .values_list("school_id")
        .annotate(count=Count("user_id", distinct=True))
        .order_by()
    )


def staff_trained(*, school: School, period: ReportingPeriod) -> int:
    """Return how many of the school's staff completed a staff module in ``period``."""
    return staff_trained_by_school(schools=[school.pk], period=period).get(school.pk, 0)


def parent_meetings(*, school: School, period: ReportingPeriod) -> list[ParentMeeting]:
    """Return the school's parents' meetings held in ``period``, oldest first."""
    return list(
        ParentMeeting.objects.filter(
            school=school,
            held_on__gte=period.starts_on,
            held_on__lte=period.ends_on,
        )
        .select_related("module")
        .order_by("held_on", "pk")
    )


@dataclass(frozen=True)
class ParentMeetingTotals:
    meetings: int
    parents: int


def parent_meeting_totals_by_school(
    *, schools, period: ReportingPeriod
) -> dict[int, ParentMeetingTotals]:
    """Return school id -> meetings held in ``period`` and parents who came.

    One query whatever the number of schools; schools without a meeting are
    left out.
    """
    return {
        school_id: ParentMeetingTotals(meetings=meetings, parents=parents or 0)
        for school_id, meetings, parents in ParentMeeting.objects.filter(
            school__in=schools,
            held_on__gte=period.starts_on,
            held_on__lte=period.ends_on,
        )
        .values_list("school_id")
        .annotate(meetings=Count("pk"), parents=Sum("parents_count"))
    }
