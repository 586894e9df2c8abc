"""The host's list of live quizzes, as a teacher needs it (``/choi/tao/``).

The quiz engine lists the quizzes a host may play; it knows no classes, modules or
age bands, so ``settings.LIVE_QUIZ_GROUPS_PROVIDER`` points here and the school
layer groups them:

1. the age bands of the host's classes this school year (a grade-5 teacher's
   "Lớp 3-5" first), with the modules given to those classes at the top of their
   band, marked "Given to 5A";
2. the other pupils' age bands, youngest first;
3. quizzes that belong to no module;
4. last, the quizzes of the modules for staff and for parents, labelled as such.

Each quiz is listed once, named with its module and band ("Module: Người lạ
trong trò chơi và trên mạng · Lớp 3-5 (8-10 tuổi)"), so two quizzes with one
title ("Đố vui: Người lạ trên mạng" of grades 1-2 and of grades 3-5) can be told
apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale

from content_cms.models import AgeBand, Audience, ModulePage
from content_cms.selectors import age_band_for_grade, modules_localized
from lms.models import Assignment, SchoolClass, User
from lms.people.selectors import classes_managed_by
from quizzes.live.selectors import LiveQuizChoice, LiveQuizGroup
from quizzes.models import Quiz


def host_classes(user: User) -> list[SchoolClass]:
    """Return the classes the host teaches this school year (or, for a school
    administrator who teaches none, their school's classes)."""
    today = timezone.localdate()
    current = Q(school_year__starts_on__lte=today, school_year__ends_on__gte=today)
    managed = classes_managed_by(user).filter(current)
    taught = managed.filter(Q(teachers=user) | Q(homeroom_teacher=user)).distinct()
    classes = list(taught.order_by("grade", "name"))
    if not classes and not user.is_superuser:
        classes = list(managed.order_by("grade", "name")[:200])
    return classes


@dataclass
class _Entry:
    quiz: Quiz
    module: ModulePage | None = None
    bands: list[AgeBand] = field(default_factory=list)
    given_to: list[str] = field(default_factory=list)

    @property
    def band_names(self) -> str:
        return ", ".join(band.localized_name for band in self.bands)

    def choice(self) -> LiveQuizChoice:
        if self.module is None:
            return LiveQuizChoice(self.quiz)
        if self.module.audience == Audience.PUPIL and self.bands:
            detail = _("Module: %(module)s · %(band)s") % {
                "module": self.module.title,
                "band": self.band_names,
            }
        else:
            detail = _("Module: %(module)s · %(audience)s") % {
                "module": self.module.title,
                "audience": self.module.get_audience_display(),
            }
        note = ""
        if self.given_to:
            note = _("Given to %(classes)s") % {"classes": ", ".join(self.given_to)}
        return LiveQuizChoice(self.quiz, detail=detail, note=note)


def _modules_by_quiz(
    quizzes: list[Quiz],
) -> dict[int, tuple[ModulePage, list[AgeBand]]]:
    """Return each quiz's module (in the active language) and its age bands.

    A module points at the Vietnamese quiz; an English quiz is its translation
    (the same ``translation_key``).
    """
    default = Locale.get_default()
    source_ids = dict(
        Quiz.objects.filter(
            translation_key__in={quiz.translation_key for quiz in quizzes},
            locale=default,
        ).values_list("translation_key", "pk")
    )
    modules = list(
        ModulePage.objects.live()
        .filter(locale=default, quiz_id__in=source_ids.values())
        .prefetch_related("age_bands")
        .order_by("path")
    )
    by_source: dict[int, tuple[ModulePage, list[AgeBand]]] = {}
    for module, shown in zip(modules, modules_localized(modules), strict=True):
        by_source.setdefault(module.quiz_id, (shown, list(module.age_bands.all())))
    return {
        quiz.pk: by_source[source_ids[quiz.translation_key]]
        for quiz in quizzes
        if source_ids.get(quiz.translation_key) in by_source
    }


def _given_to(classes: list[SchoolClass]) -> dict[str, list[str]]:
    """Return, by module translation key, the names of the host's classes given it."""
    names = {school_class.pk: school_class.name for school_class in classes}
    given: dict[str, list[str]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(school_class_id__in=names)
        .values_list("module__translation_key", "school_class_id")
        .distinct()
        .order_by("school_class__grade", "school_class__name")
    )
    for key, class_id in rows:
        if names[class_id] not in given[key]:
            given[key].append(names[class_id])
    return given


def live_quiz_groups(*, user: User, quizzes: list[Quiz]) -> list[LiveQuizGroup]:
    """Group ``quizzes`` for ``user``: see the module's docstring."""
    classes = host_classes(user)
    modules = _modules_by_quiz(quizzes)
    given = _given_to(classes)
    entries = []
    for quiz in quizzes:
        entry = _Entry(quiz)
        if quiz.pk in modules:
            entry.module, entry.bands = modules[quiz.pk]
            entry.given_to = given.get(entry.module.translation_key, [])
        entries.append(entry)

    # The host's bands first (the order of their classes' grades), then the rest.
    class_bands: dict[int, list[str]] = defaultdict(list)
    band_order: list[AgeBand] = []
    for school_class in classes:
        band = age_band_for_grade(school_class.grade)
        if band is None:
            continue
        if band.pk not in class_bands:
            band_order.append(band)
        class_bands[band.pk].append(school_class.name)
    pupil_bands = AgeBand.objects.filter(min_grade__isnull=False)
    band_order += [band for band in pupil_bands if band.pk not in class_bands]

    placed: set[int] = set()
    groups = []
    for band in band_order:
        members = [
            entry
            for entry in entries
            if entry.quiz.pk not in placed
            and entry.module is not None
            and entry.module.audience == Audience.PUPIL
            and any(b.pk == band.pk for b in entry.bands)
        ]
        if not members:
            continue
        members.sort(key=lambda e: (not e.given_to, e.module.title.casefold()))
        placed.update(entry.quiz.pk for entry in members)
        note = ""
        if class_bands.get(band.pk):
            note = _("Your classes: %(classes)s") % {
                "classes": ", ".join(class_bands[band.pk])
            }
        groups.append(
            LiveQuizGroup(
                title=band.localized_name,
                choices=[entry.choice() for entry in members],
                note=note,
            )
        )
    loose = [
        entry
        for entry in entries
        if entry.quiz.pk not in placed
        and (entry.module is None or entry.module.audience == Audience.PUPIL)
    ]
    if loose:
        placed.update(entry.quiz.pk for entry in loose)
        groups.append(
            LiveQuizGroup(
                title=_("Other quizzes"),
                choices=[entry.choice() for entry in loose],
            )
        )
    adults = [entry for entry in entries if entry.quiz.pk not in placed]
    if adults:
        adults.sort(key=lambda e: (e.module.audience, e.module.title.casefold()))
        groups.append(
            LiveQuizGroup(
                title=_("For teachers, staff and parents"),
                choices=[entry.choice() for entry in adults],
                note=_("Not written for pupils."),
            )
        )
    return groups
