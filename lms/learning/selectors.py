"""Reads of the learning loop, scoped through ``lms.people.selectors`` like every read.

Who may see a class, a pupil or a module is decided by ``lms.people.selectors`` (school
layer) and ``content_cms.selectors`` (modules); this module only composes them:
the modules a pupil was given, their progress, a class's progress grid, and the
module player's view of a module in the learner's language.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from wagtail.models import Page

from content_cms.locales import default_locale
from content_cms.models import Audience, ModulePage
from content_cms.published import (
    page_frozen,
    page_thawed,
    published_cached,
    published_in_process,
)
from content_cms.selectors import (
    age_band_for_grade,
    module_live_quiz,
    module_published_source,
    module_source_checked,
    modules_localized,
    modules_visible_to,
)
from lms.models import (
    DONE_STATUSES,
    Assignment,
    Enrolment,
    ModuleProgress,
    ProgressStatus,
    Role,
    SchoolClass,
    User,
)
from lms.people.consent import pupil_may_record_learning
from lms.people.selectors import (
    classes_managed_by,
    pupil_current_enrolment,
    user_has_role,
)
from lms.rosters.selectors import class_roster

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


def module_source_for(*, user: User, module_id: int) -> ModulePage | None:
    """Return the Vietnamese page of module ``module_id`` (any language), if visible.

    Raises ``content_cms.errors.ModuleOutsideAgeBand`` (403) when it is a pupils'
    module of another age band than the pupil's (``module_access_rule``).
    """
    player = _published_player(module_id)
    return module_source_checked(
        user=user, source=player.source if player is not None else None
    )


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


def _player_of(source: ModulePage, page: ModulePage) -> PlayerModule:
    source_sections = list(source.lessons)
    translated = list(page.lessons) if page.pk != source.pk else source_sections
    sections = [
        translated[index] if index < len(translated) else section
        for index, section in enumerate(source_sections)
    ]
    return PlayerModule(source=source, page=page, sections=sections)


def _player_frozen(module_id: int) -> tuple | None:
    source = module_published_source(module_id=module_id)
    if source is None:
        return None
    page = modules_localized([source])[0]
    return (
        page_frozen(source),
        page_frozen(page) if page.pk != source.pk else None,
        page.locale,  # the player reads the page's language
    )


def _published_player(module_id: int) -> PlayerModule | None:
    """Module ``module_id`` as published, for anyone: from the shared cache.

    Per module and language (``content_cms.published``): the same for every
    pupil, so a class reads it from the database once, and each process builds
    its pages (lessons parsed, pictures read) once. Who may open it is checked
    on each request (``module_source_checked``).
    """
    if not 0 < module_id < 2**31:
        return None  # no such page; a larger id would overflow the database column
    language = translation.get_language()

    def thawed() -> PlayerModule | None:
        frozen = published_cached(
            "player", (module_id, language), lambda: _player_frozen(module_id)
        )
        if frozen is None:
            return None
        source_frozen, page_frozen_, locale = frozen
        source = page_thawed(source_frozen)
        page = page_thawed(page_frozen_) if page_frozen_ is not None else source
        page.locale = locale
        return _player_of(source, page)

    shared = published_in_process("player", (module_id, language), thawed)
    if shared is None:
        return None
    # Each request gets its own page objects (what it loads through them, such
    # as the quiz, stays its own); the parsed lessons are shared.
    source = copy.copy(shared.source)
    page = source if shared.page is shared.source else copy.copy(shared.page)
    return PlayerModule(source=source, page=page, sections=shared.sections)


def player_module(*, user: User, module_id: int) -> PlayerModule | None:
    """Return module ``module_id`` for the player, or None when not visible."""
    player = _published_player(module_id)
    if player is None or module_source_checked(user=user, source=player.source) is None:
        return None
    return player


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
    has_quiz: bool = False

    @property
    def is_done(self) -> bool:
        return self.state == "done"

    @property
    def quiz_not_passed(self) -> bool:
        """Read to the end, but its quiz not passed yet: no praise, try again.

        The school counts it as completed (``state`` stays "done", as the API
        has always said); the pupil is told the truth.
        """
        return self.has_quiz and self.status == ProgressStatus.COMPLETED


def assignments_open_to(pupil: User, on: datetime.date):
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


# The tables of Assignment, Enrolment, Wagtail's Page and the assignment's group
# (a test checks the names against the models).
_MODULE_OPEN_TO_SQL = (
    "SELECT 1 FROM lms_assignment a "
    "JOIN lms_enrolment e ON e.school_class_id = a.school_class_id "
    "JOIN wagtailcore_page p ON p.id = a.module_id "
    "WHERE a.module_id = %s AND e.pupil_id = %s AND e.left_on IS NULL "
    "AND a.opens_on <= %s AND p.live "
    "AND (NOT EXISTS (SELECT 1 FROM lms_assignment_pupils g "
    "WHERE g.assignment_id = a.id) "
    "OR EXISTS (SELECT 1 FROM lms_assignment_pupils g "
    "WHERE g.assignment_id = a.id AND g.user_id = %s)) LIMIT 1"
)
MODULE_OPEN_TO_TABLES = {
    "lms_assignment": Assignment,
    "lms_enrolment": Enrolment,
    "wagtailcore_page": Page,
    "lms_assignment_pupils": Assignment.pupils.through,
}


def module_open_to(pupil: User, module_id: int, on: datetime.date) -> bool:
    """Whether ``assignments_open_to(pupil, on)`` gives ``module_id``: the same
    rule as one plain statement. The player asks it on every page of a module
    outside the pupil's band, and building the ORM's form of it cost 1.5-2 ms
    of CPU a request (docs/performance.md, "Fourth round"); a test holds the
    two to the same answer."""
    with connection.cursor() as cursor:
        cursor.execute(_MODULE_OPEN_TO_SQL, [module_id, pupil.pk, on, pupil.pk])
        return cursor.fetchone() is not None


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
    # A list shows no lesson: the modules' lessons (their largest column) stay unread.
    for assignment in assignments_open_to(pupil, on).defer(
        "module__lessons", "module__session_materials"
    ):
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
                has_quiz=assignment.module.quiz_id is not None,
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
    has_quiz: bool = False


@dataclass
class PupilHome:
    """What a pupil's home page shows, read in a handful of queries."""

    enrolment: Enrolment | None
    overdue: list[AssignedModule] = field(default_factory=list)
    due_soon: list[AssignedModule] = field(default_factory=list)
    todo: list[AssignedModule] = field(default_factory=list)
    # Read to the end but the quiz not passed yet: told to try again, not praised.
    not_passed: list[AssignedModule] = field(default_factory=list)
    done: list[AssignedModule] = field(default_factory=list)
    continue_module: ModuleCard | None = None
    suggestions: list[ModuleCard] = field(default_factory=list)

    @property
    def has_assignments(self) -> bool:
        return bool(
            self.overdue or self.due_soon or self.todo or self.not_passed or self.done
        )


def _band_modules(band_id: int) -> list[ModulePage]:
    """The live pupils' modules of an age band, by title (Vietnamese pages).

    From the shared cache (``content_cms.published``), built once per process;
    without their lessons, which a home page does not show. Each request gets
    its own copies of the pages.
    """

    def thawed() -> list[ModulePage]:
        frozen = published_cached(
            "band-modules",
            (band_id,),
            lambda: [
                page_frozen(page)
                for page in ModulePage.objects.live()
                .public()
                .filter(
                    locale=default_locale(), audience=Audience.PUPIL, age_bands=band_id
                )
                .defer("lessons", "session_materials")
                .order_by("title")
                .distinct()
            ],
        )
        return [page_thawed(page) for page in frozen]

    return [
        copy.copy(page)
        for page in published_in_process("band-modules", (band_id,), thawed)
    ]


def pupil_home(*, pupil: User) -> PupilHome:
    """Return the pupil's assigned modules by urgency, where to continue, and ideas.

    Suggestions are live pupils' modules of the age band of the pupil's grade
    that were not assigned to them, from the shared cache of published content.
    Nine queries at most whatever the numbers (a test holds it to that); on a
    warm cache, in Vietnamese, three: enrolment, progress, assignments.
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
        getattr(home, "not_passed" if item.quiz_not_passed else item.state).append(item)
    assigned_ids = {item.source_id for item in assigned}

    suggestions: list[ModulePage] = []
    band = age_band_for_grade(enrolment.school_class.grade) if enrolment else None
    if band is not None:
        # The band holds the pupil's grade, so every pupils' module of it is
        # theirs to open (``module_access_rule``): the band's list is shared.
        suggestions = [
            module for module in _band_modules(band.pk) if module.pk not in assigned_ids
        ][:SUGGESTION_LIMIT]
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
            has_quiz=source.quiz_id is not None,
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
