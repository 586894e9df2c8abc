"""Reads of the content app, scoped to what the asking user may see.

One rule decides visibility everywhere (pages, search, API): parents' modules are
public; every other module needs a signed-in user; and the pupils' modules a
signed-in user may open are narrowed by the ``MODULE_ACCESS_RULE`` hook, which
the school layer answers (a pupil: their class's age band and the modules given
to them). A module the hook keeps from someone is refused kindly
(``ModuleOutsideAgeBand``, 403), not hidden as missing. Lists are built from the
Vietnamese (source) pages and shown in the active language where a live
translation exists, falling back to Vietnamese.
"""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from wagtail.models import Locale

from common.errors import NotFound
from content_cms.errors import ModuleOutsideAgeBand
from content_cms.locales import active_locale, default_locale
from content_cms.models import AgeBand, Audience, ModulePage
from content_cms.published import published_cached

PUBLIC_AUDIENCES = {Audience.PARENT}


def _school_age_bands() -> list[AgeBand]:
    """The age bands with grades, in order (reference data, from the shared cache)."""
    return published_cached(
        "school-age-bands",
        (),
        lambda: list(
            AgeBand.objects.filter(
                min_grade__isnull=False, max_grade__isnull=False
            ).order_by("sort_order", "pk")
        ),
    )


def age_band_for_grade(grade: int) -> AgeBand | None:
    """Return the school age band holding ``grade`` (1-12), or None."""
    return next(
        (
            band
            for band in _school_age_bands()
            if band.min_grade <= grade <= band.max_grade
        ),
        None,
    )


class ModuleAccessRule:
    """Which pupils' modules a limited user may open, said two ways that agree.

    ``condition`` filters ``ModulePage`` (the Vietnamese pages) for lists;
    ``allows`` answers for one Vietnamese page whose ``age_bands`` are loaded,
    without building that condition (the player asks it on every section).
    """

    @property
    def condition(self) -> Q:
        raise NotImplementedError

    def allows(self, module: ModulePage) -> bool:
        raise NotImplementedError


def module_access_rule(user) -> ModuleAccessRule | None:
    """Return the limit on the pupils' modules ``user`` may open, or None.

    Asked of the ``MODULE_ACCESS_RULE`` hook (``callable(*, user) ->
    ModuleAccessRule | None``); None means no limit.
    """
    if user is None or not user.is_authenticated:
        return None
    path = getattr(settings, "MODULE_ACCESS_RULE", "")
    return import_string(path)(user=user) if path else None


def _modules_published_for(user) -> QuerySet[ModulePage]:
    """Return the live source modules of the audiences ``user`` may open."""
    queryset = ModulePage.objects.live().public().filter(locale=default_locale())
    if user is None or not user.is_authenticated:
        queryset = queryset.filter(audience__in=PUBLIC_AUDIENCES)
    return queryset


def modules_visible_to(user) -> QuerySet[ModulePage]:
    """Return the live source-language modules ``user`` may open.

    Pupils' modules only as far as the ``MODULE_ACCESS_RULE`` hook allows.
    """
    queryset = _modules_published_for(user)
    rule = module_access_rule(user)
    if rule is not None:
        queryset = queryset.filter(~Q(audience=Audience.PUPIL) | rule.condition)
    return queryset


def module_outside_age_band(*, module: ModulePage, user) -> bool:
    """Return whether ``module`` (any language) is a pupils' module kept from them."""
    if module.audience != Audience.PUPIL:
        return False
    rule = module_access_rule(user)
    if rule is None:
        return False
    sources = ModulePage.objects.filter(
        translation_key=module.translation_key, locale=default_locale()
    )
    return not sources.filter(rule.condition).exists()


def module_age_band_refusal(*, module: ModulePage) -> ModuleOutsideAgeBand:
    """Return the kind refusal of a module written for another age band."""
    bands = [
        band.localized_name
        for band in module.age_bands.all()
        if band.min_grade is not None
    ]
    if bands:
        message = _(
            "This lesson is written for %(bands)s, so it is not open to you. "
            "The lessons for your class are waiting for you in the catalogue."
        ) % {"bands": ", ".join(bands)}
    else:
        message = _(
            "This lesson is not open to you. The lessons for your class are "
            "waiting for you in the catalogue."
        )
    return ModuleOutsideAgeBand(message)


def module_source_for_key(*, user, translation_key) -> ModulePage | None:
    """Return the Vietnamese page of a module ``user`` may open, by translation key.

    None when there is no such live module for them (read as a 404); raises
    ``ModuleOutsideAgeBand`` when it is a pupils' module of another age band.
    """
    source = modules_visible_to(user).filter(translation_key=translation_key).first()
    if source is not None:
        return source
    hidden = (
        _modules_published_for(user)
        .filter(translation_key=translation_key, audience=Audience.PUPIL)
        .first()
    )
    if hidden is not None and module_access_rule(user) is not None:
        raise module_age_band_refusal(module=hidden)
    return None


def module_published_source(*, module_id: int) -> ModulePage | None:
    """Return the live, unrestricted Vietnamese page of module ``module_id``.

    ``module_id`` may be any language's page of the module. Whoever asks: the
    caller checks the person with ``module_source_checked``. Age bands loaded.
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
    return (
        ModulePage.objects.live()
        .public()
        .filter(locale=default_locale(), translation_key=translation_key)
        .prefetch_related("age_bands")
        .first()
    )


def module_source_checked(*, user, source: ModulePage | None) -> ModulePage | None:
    """Return ``source`` (from ``module_published_source``) if ``user`` may open it.

    The same answer as ``module_source_for_key``: None for a module that is not
    theirs to see (a 404), ``ModuleOutsideAgeBand`` for a pupils' module of
    another age band. For a pupil's module, the hook's ``allows`` (one or two
    small queries), none otherwise.
    """
    if source is None:
        return None
    if user is None or not user.is_authenticated:
        return source if source.audience in PUBLIC_AUDIENCES else None
    if source.audience != Audience.PUPIL:
        return source
    rule = module_access_rule(user)
    if rule is None or rule.allows(source):
        return source
    raise module_age_band_refusal(module=source)


def module_is_visible_to(*, module: ModulePage, user) -> bool:
    """Return whether ``user`` (perhaps anonymous) may open ``module``."""
    if not module.live:
        return False
    if module.audience in PUBLIC_AUDIENCES:
        return True
    if user is None or not user.is_authenticated:
        return False
    return not module_outside_age_band(module=module, user=user)


def modules_localized(modules: list[ModulePage]) -> list[ModulePage]:
    """Swap each source module for its live translation in the active language.

    One query for all of them, rather than ``page.localized`` per page.
    """
    try:
        locale = active_locale()
    except (LookupError, Locale.DoesNotExist):
        return modules
    if not modules or locale.pk == modules[0].locale_id:
        return modules
    translations = {
        page.translation_key: page
        for page in ModulePage.objects.live()
        .filter(locale=locale, translation_key__in=[m.translation_key for m in modules])
        .select_related("topic")
        .prefetch_related("age_bands")
    }
    return [translations.get(m.translation_key, m) for m in modules]


def module_list(
    *,
    user,
    audience: str | None = None,
    age_band_code: str = "",
    topic_code: str = "",
    query: str = "",
) -> list[ModulePage]:
    """Return the modules ``user`` may see, filtered, in the active language."""
    queryset = modules_visible_to(user)
    if audience:
        queryset = queryset.filter(audience=audience)
    if age_band_code:
        queryset = queryset.filter(age_bands__code=age_band_code)
    if topic_code:
        queryset = queryset.filter(topic__code=topic_code)
    queryset = (
        queryset.select_related("topic")
        .prefetch_related("age_bands")
        .order_by("title")
        .distinct()
    )
    if query:
        return module_search(user=user, query=query, base=queryset)
    return modules_localized(list(queryset))


def module_search(
    *, user, query: str, base: QuerySet[ModulePage] | None = None
) -> list[ModulePage]:
    """Search visible modules in both languages; results in the active language.

    Both language trees are searched (a parent may type an English word), then
    each hit is mapped back to its source page so a module appears once.
    """
    if base is None:
        base = modules_visible_to(user)
    keys = set(base.values_list("translation_key", flat=True))
    if not keys or not query.strip():
        return []
    hits = (
        ModulePage.objects.live()
        .public()
        .filter(translation_key__in=keys)
        .search(query, operator="and")
    )
    seen: dict = {}
    for hit in hits:
        seen.setdefault(hit.translation_key, None)
    sources = {
        page.translation_key: page
        for page in base.filter(translation_key__in=list(seen)).select_related("topic")
    }
    ordered = [sources[key] for key in seen if key in sources]
    return modules_localized(ordered)


def module_localized_quiz(*, module: ModulePage):
    """Return the module's quiz in the active language (or Vietnamese), if live."""
    quiz = module.quiz
    if quiz is None:
        return None
    localized = quiz.localized
    return localized if localized.live else (quiz if quiz.live else None)


def module_quiz_summary(*, module: ModulePage) -> dict | None:
    """Return what a module page says about its quiz: title, size, settings."""
    from quizzes.selectors import quiz_definition_public, quiz_latest_version

    quiz = module_localized_quiz(module=module)
    if quiz is None:
        return None
    version = quiz_latest_version(quiz=quiz)
    if version is None:
        return None
    return quiz_definition_public(version=version)


def module_live_quiz(*, module: ModulePage, user):
    """Return the module's quiz (active language) if ``user`` may play it live.

    "Play live" links on module and class pages show only to the people the
    live pages let in (``quizzes.live.selectors.may_host_live``), never to
    pupils; None also when the module has no published quiz.
    """
    from quizzes.live.selectors import may_host_live
    from quizzes.selectors import quiz_latest_version

    if not may_host_live(user):
        return None
    quiz = module_localized_quiz(module=module)
    if quiz is None or quiz_latest_version(quiz=quiz) is None:
        return None
    return quiz


def module_for_user(*, user, module_id: int) -> ModulePage | None:
    """Return module ``module_id`` (any language) in the active language, if visible.

    Raises ``ModuleOutsideAgeBand`` for a pupils' module of another age band.
    """
    if not 0 < module_id < 2**31:
        return None  # no such page; a larger id would overflow the database column
    page = ModulePage.objects.live().filter(pk=module_id).first()
    if page is None:
        return None
    source = module_source_for_key(user=user, translation_key=page.translation_key)
    if source is None:
        return None
    return modules_localized([source])[0]


def module_for_slug(*, user, slug: str) -> ModulePage | None:
    """Return the module at ``slug`` in the active language, if ``user`` may open it.

    None when there is no such live module for them; raises ``ModuleOutsideAgeBand``
    for a pupils' module of another age band.
    """
    page = (
        ModulePage.objects.live()
        .filter(slug=slug, locale=default_locale())
        .only("translation_key")
        .first()
    )
    if page is None:
        return None
    source = module_source_for_key(user=user, translation_key=page.translation_key)
    return modules_localized([source])[0] if source is not None else None


def age_bands_listed(*, user, audience: str | None = None) -> QuerySet[AgeBand]:
    """Return the age bands that hold a module ``user`` may open (for filters)."""
    modules = modules_visible_to(user)
    if audience:
        modules = modules.filter(audience=audience)
    return AgeBand.objects.filter(modules__in=modules.values("pk")).distinct()


def module_competences(*, module: ModulePage) -> list[dict]:
    """Return the module's Circular 02/2025 competences, each with its levels.

    The level of a competence is the one the circular's guidance sets for each
    grade of the module's age bands (``content_cms.curriculum.competences``);
    adults' bands have no grades, so their modules list the competences alone.
    """
    from content_cms.curriculum.competences import (
        FRAMEWORK,
        grades_label,
        levels_for_grades,
    )

    language = (translation.get_language() or "vi").split("-")[0]
    grade_spans = [
        (band.min_grade, band.max_grade)
        for band in module.age_bands.all()
        if band.min_grade and band.max_grade
    ]
    rows = []
    for strand in module.framework_strands.filter(framework=FRAMEWORK).order_by("code"):
        levels = []
        for first, last in grade_spans:
            for level, grades in levels_for_grades(first, last):
                levels.append(
                    {"level": level, "grades": grades_label(grades, language)}
                )
        rows.append(
            {
                "code": strand.code,
                "name": strand.name_en if language == "en" else strand.name,
                "levels": levels,
            }
        )
    return rows


def module_session_materials_for(*, user, page_id: int) -> ModulePage:
    """Return the adult module ``page_id`` with session materials ``user`` may open.

    Raises ``NotFound`` when there is no such live module, it has no session
    materials, or ``user`` may not see it: the same answer for all three, so an
    id says nothing about modules one may not open.
    """
    module = (
        ModulePage.objects.live()
        .filter(pk=page_id)
        .exclude(audience=Audience.PUPIL)
        .first()
    )
    if (
        module is None
        or not module.session_materials
        or not module_is_visible_to(module=module, user=user)
    ):
        raise NotFound(_("There is no such session guide."))
    return module
