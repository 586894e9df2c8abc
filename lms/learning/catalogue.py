"""The age-appropriate catalogue: what a teacher may give, what a pupil may open.

A pupil opens their band's pupils' modules and anything given to them
(``module_access_rule``, asked by ``content_cms`` through the
``MODULE_ACCESS_RULE`` setting); a teacher sees every band, labelled, and is
warned when a module is outside the class's band (``module_band_warning``).
Only modules of the class's band count toward it (``module_fits_class``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from content_cms.models import AgeBand, Audience, ModulePage
from content_cms.selectors import (
    ModuleAccessRule,
    age_band_for_grade,
    modules_localized,
    modules_visible_to,
)
from lms.learning.selectors import assignments_open_to, module_open_to, today
from lms.models import (
    Enrolment,
    Role,
    SchoolClass,
    User,
)
from lms.people.selectors import user_roles


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


# --- Which pupils' modules a pupil may open ----------


def module_access_rule(*, user: User) -> ModuleAccessRule | None:
    """``MODULE_ACCESS_RULE``: the pupils' modules a pupil may open; None for adults.

    A pupil opens the modules of the age band holding their class's grade (from
    ``min_grade`` to ``max_grade``; a care facility's group has a grade too) and
    every module given to them (to their class or their group, once opened),
    whatever its band. Anyone holding another role than pupil has no limit (the
    roles are read once per request).
    """
    roles = user_roles(user)
    if Role.PUPIL not in roles or roles - {Role.PUPIL}:
        return None
    return PupilModuleAccess(user)


class PupilModuleAccess(ModuleAccessRule):
    """A pupil's limit: their class's age band, and what was given to them."""

    def __init__(self, pupil: User):
        self.pupil = pupil

    def _given(self):
        return assignments_open_to(self.pupil, today()).values("module_id")

    @cached_property
    def condition(self) -> Q:
        """Subqueries only: no query runs until the caller's does."""
        in_band = ModulePage.age_bands.through.objects.filter(
            Exists(
                Enrolment.objects.filter(
                    pupil_id=self.pupil.pk,
                    left_on__isnull=True,
                    school_class__grade__gte=OuterRef("ageband__min_grade"),
                    school_class__grade__lte=OuterRef("ageband__max_grade"),
                )
            )
        ).values("modulepage_id")
        return Q(pk__in=in_band) | Q(pk__in=self._given())

    def allows(self, module: ModulePage) -> bool:
        """The pupil's grades (one query); for a module outside them, one more."""
        grades = list(
            Enrolment.objects.filter(
                pupil_id=self.pupil.pk, left_on__isnull=True
            ).values_list("school_class__grade", flat=True)
        )
        if any(
            band.min_grade is not None
            and band.max_grade is not None
            and band.min_grade <= grade <= band.max_grade
            for band in module.age_bands.all()
            for grade in grades
        ):
            return True
        return module_open_to(self.pupil, module.pk, today())


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
