"""Writes of the content app: the site's skeleton, its workflow and permissions.

``cms_setup`` is idempotent: it creates what is missing and leaves what exists
(editors' text, extra pages) alone. It runs after every migrate, from
``manage.py setup_cms`` and from ``manage.py load_curriculum``.
"""

import importlib
import logging

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)

from content_cms import site_content
from content_cms.curriculum.competences import COMPETENCES
from content_cms.curriculum.competences import FRAMEWORK as COMPETENCE_FRAMEWORK
from content_cms.models import (
    AgeBand,
    CatalogueIndexPage,
    FrameworkStrand,
    GetHelpPage,
    HomePage,
    ParentCornerIndexPage,
    PrivacyPage,
    StaffCornerIndexPage,
    Topic,
)
from quizzes.models import Quiz

logger = logging.getLogger(__name__)

SOURCE_LANGUAGE = "vi"
TRANSLATION_LANGUAGES = ["en"]
WORKFLOW_NAME = "Duyệt nội dung"
REVIEW_TASK_NAME = "Chuyên gia duyệt nội dung"

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page"]
REVIEWER_PAGE_PERMISSIONS = [
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
]
COLLECTION_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.choose_document",
]

# key in site_content.PAGES -> page model, in the order they appear under home.
SECTION_PAGES = [
    ("catalogue", CatalogueIndexPage),
    ("parents", ParentCornerIndexPage),
    ("staff", StaffCornerIndexPage),
    ("help", GetHelpPage),
    ("privacy", PrivacyPage),
]


def _permission(name: str) -> Permission | None:
    app_label, codename = name.split(".", 1)
    return Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()


def locales_ensure() -> dict[str, Locale]:
    """Make sure the Vietnamese and English locales exist."""
    return {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code in [SOURCE_LANGUAGE, *TRANSLATION_LANGUAGES]
    }


def _page_fields(key: str, language: str) -> dict:
    text = site_content.PAGES[key][language]
    fields = {"title": text["title"]}
    if key == "help":
        steps = site_content.APP_REPORTING[language]
        fields["intro"] = text["intro"]
        fields["body"] = [
            ("text", text["tell"]),
            *[
                ("app_report", {"app": app, "steps": app_steps})
                for app, app_steps in steps
            ],
            ("tip", {"message": text["tip"]}),
        ]
    elif key == "privacy":
        fields["body"] = text["body"]
    else:
        fields["intro"] = text["intro"]
    return fields


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _home_ensure(locale: Locale) -> HomePage:
    home = HomePage.objects.filter(locale=locale, depth=2).first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    if root is None:
        # A flushed database (TransactionTestCase) has lost the tree root that
        # Wagtail's first migration made; make it again.
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    # Wagtail's first migration leaves a placeholder "Welcome" page; replace it.
    for placeholder in root.get_children().filter(
        content_type=ContentType.objects.get_for_model(Page), slug="home"
    ):
        if placeholder.numchild == 0:
            placeholder.delete()
    root.refresh_from_db()
    home = HomePage(
        slug=site_content.PAGES["home"]["slug"],
        locale=locale,
        **_page_fields("home", SOURCE_LANGUAGE),
    )
    root.add_child(instance=home)
    _publish(home)
    return home


def _site_point_to(home: HomePage) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="An toàn trên mạng",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()


def _sections_ensure(home: HomePage) -> list[Page]:
    pages = []
    for key, model in SECTION_PAGES:
        page = model.objects.child_of(home).first()
        if page is None:
            page = model(
                slug=site_content.PAGES[key]["slug"],
                locale=home.locale,
                **_page_fields(key, SOURCE_LANGUAGE),
            )
            home.add_child(instance=page)
            _publish(page)
        pages.append(page)
    return pages


def _translation_ensure(page: Page, key: str, locale: Locale) -> Page:
    translation = page.get_translation_or_none(locale)
    if translation is not None:
        return translation.specific
    translation = page.copy_for_translation(locale).specific
    for name, value in _page_fields(key, locale.language_code).items():
        setattr(translation, name, value)
    _publish(translation)
    return translation


def workflow_ensure(*, homes: list[HomePage]) -> Workflow:
    """Make sure the review workflow exists and covers pages and quizzes."""
    reviewers, _ = Group.objects.get_or_create(name=settings.CMS_REVIEWER_GROUP)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK_NAME)
    task.groups.add(reviewers)
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0}
    )
    for home in homes:
        WorkflowPage.objects.get_or_create(page=home, defaults={"workflow": workflow})
    WorkflowContentType.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(Quiz, for_concrete_model=False),
        defaults={"workflow": workflow},
    )
    return workflow


def permissions_ensure(*, homes: list[HomePage]) -> None:
    """Give editors and reviewers their pages and collections, and nothing more.

    The two groups are named by ``settings.CMS_EDITOR_GROUP`` and
    ``settings.CMS_REVIEWER_GROUP``; the platform's roles own those names.

    Editors add and change (never publish: their work goes through review);
    reviewers also publish. Their model permissions (quizzes, snippets) are in the
    one table of role permissions, lms.people.roles.ROLE_PERMISSIONS.
    """
    editors, _ = Group.objects.get_or_create(name=settings.CMS_EDITOR_GROUP)
    reviewers, _ = Group.objects.get_or_create(name=settings.CMS_REVIEWER_GROUP)
    grants = [
        (editors, EDITOR_PAGE_PERMISSIONS),
        (reviewers, REVIEWER_PAGE_PERMISSIONS),
    ]
    # Migrations make the media library's root; a flushed database has none.
    root_collection = Collection.get_first_root_node() or Collection.add_root(
        name="Root"
    )
    for group, page_permissions in grants:
        for home in homes:
            for codename in page_permissions:
                permission = _permission(f"wagtailcore.{codename}")
                if permission is not None:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=home, permission=permission
                    )
        for name in COLLECTION_PERMISSIONS:
            permission = _permission(name)
            if permission is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )


def taxonomy_ensure() -> None:
    """Create the seeded age bands, topics and strands that are missing.

    The seed migration creates them once; a test database flushed between
    transactional tests loses them, and this puts them back. Rows that exist are
    left alone, so editors' changes survive.
    """
    seed = importlib.import_module("content_cms.migrations.0002_seed_taxonomy")
    for order, (code, name, name_en, *ranges) in enumerate(seed.AGE_BANDS, 1):
        min_grade, max_grade, min_age, max_age = ranges
        AgeBand.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "min_grade": min_grade,
                "max_grade": max_grade,
                "min_age": min_age,
                "max_age": max_age,
                "sort_order": order,
            },
        )
    extra = importlib.import_module(
        "content_cms.migrations.0003_digital_competences_and_session_materials"
    )
    for order, (code, name, name_en) in enumerate(
        [*seed.TOPICS, *extra.EXTRA_TOPICS], 1
    ):
        Topic.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    # The first seed's "moet_safety" slugs were invented; the circular's own
    # competences replaced them (migration 0003).
    strands = [
        (framework, code, name, name_en)
        for framework, code, name, name_en in seed.STRANDS
        if framework != "moet_safety"
    ]
    strands += [(COMPETENCE_FRAMEWORK, *competence) for competence in COMPETENCES]
    for framework, code, name, name_en in strands:
        FrameworkStrand.objects.get_or_create(
            framework=framework, code=code, defaults={"name": name, "name_en": name_en}
        )


@transaction.atomic
def cms_setup() -> dict:
    """Create what the site needs, once: locales, page tree, workflow, permissions.

    Returns the Vietnamese home page and its translations by language code.
    """
    locales = locales_ensure()
    taxonomy_ensure()
    home = _home_ensure(locales[SOURCE_LANGUAGE])
    _site_point_to(home)
    sections = _sections_ensure(home)
    homes = {SOURCE_LANGUAGE: home}
    for code in TRANSLATION_LANGUAGES:
        homes[code] = _translation_ensure(home, "home", locales[code])
        for (key, _model), page in zip(SECTION_PAGES, sections, strict=True):
            _translation_ensure(page, key, locales[code])
    workflow_ensure(homes=list(homes.values()))
    permissions_ensure(homes=list(homes.values()))
    return homes
