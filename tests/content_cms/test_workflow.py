"""The editor path: author, expert review, publish; then who may see it."""

import pytest
from django.conf import settings
from django.test import override_settings
from wagtail.models import GroupPagePermission, Locale, Workflow

from content_cms.models import Audience, CatalogueIndexPage, HomePage, ModulePage
from content_cms.services import WORKFLOW_NAME, cms_setup
from lms.models.people import Role
from lms.people.roles import role_group_name
from quizzes.models import Quiz
from quizzes.selectors import quiz_latest_version
from tests.content_cms.factories import (
    build_module,
    build_quiz,
    make_editor,
    make_reviewer,
)
from tests.factories import SchoolClassFactory, make_pupil

pytestmark = pytest.mark.django_db


def test_setup_builds_the_tree_once():
    cms_setup()
    cms_setup()
    assert HomePage.objects.count() == 2  # Vietnamese and its English translation
    assert CatalogueIndexPage.objects.filter(locale__language_code="en").exists()
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1
    assert Locale.objects.filter(language_code__in=["vi", "en"]).count() == 2


def test_the_cms_groups_are_the_content_roles_groups():
    """content_cms names its groups by setting; the defaults are lms's role groups."""
    assert role_group_name(Role.CONTENT_EDITOR) == settings.CMS_EDITOR_GROUP
    assert role_group_name(Role.CONTENT_REVIEWER) == settings.CMS_REVIEWER_GROUP


@override_settings(CMS_EDITOR_GROUP="cms-editors", CMS_REVIEWER_GROUP="cms-reviewers")
def test_the_cms_groups_follow_the_settings():
    cms_setup()  # gives the groups their pages and the review task

    def granted(group: str, codename: str) -> bool:
        return GroupPagePermission.objects.filter(
            group__name=group, permission__codename=codename
        ).exists()

    assert granted("cms-editors", "change_page")
    assert not granted("cms-editors", "publish_page")
    assert granted("cms-reviewers", "publish_page")
    task = Workflow.objects.get(name=WORKFLOW_NAME).tasks.first().specific
    assert task.groups.filter(name="cms-reviewers").exists()


def test_editor_may_edit_but_not_publish():
    editor = make_editor()
    catalogue = CatalogueIndexPage.objects.get(locale=Locale.get_default())
    permissions = catalogue.permissions_for_user(editor)
    assert permissions.can_add_subpage()
    assert not permissions.can_publish()
    assert editor.has_perm("quizzes.change_quiz")
    assert not editor.has_perm("quizzes.publish_quiz")
    assert not editor.has_perm("lms.manage_roster")
    reviewer = make_reviewer()
    assert catalogue.permissions_for_user(reviewer).can_publish()
    assert reviewer.has_perm("quizzes.publish_quiz")


def test_module_goes_through_review_then_pupils_see_it(client):
    editor, reviewer = make_editor(), make_reviewer()
    quiz = build_quiz(publish=False)
    quiz_workflow = quiz.get_workflow()
    assert quiz_workflow is not None and quiz_workflow.name == WORKFLOW_NAME
    quiz.save_revision(user=editor)
    quiz_workflow.start(quiz, editor)
    quiz_task = quiz.current_workflow_task_state
    quiz_task.task.specific.on_action(quiz_task, reviewer, "approve")
    quiz = Quiz.objects.get(pk=quiz.pk)
    assert quiz.live and quiz_latest_version(quiz=quiz).number == 1

    page = build_module(
        title="Module review", slug="module-review", quiz=quiz, publish=False
    )
    page.save_revision(user=editor)
    workflow = page.get_workflow()
    assert workflow.name == WORKFLOW_NAME
    workflow.start(page, editor)
    page.refresh_from_db()
    assert not page.live
    task_state = page.current_workflow_task_state
    assert reviewer.groups.filter(name="role:content_reviewer").exists()
    assert task_state.task.specific.user_can_access_editor(page, reviewer)
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    page = ModulePage.objects.get(pk=page.pk)
    assert page.live

    anonymous = client.get(page.url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/dang-nhap/")

    pupil = make_pupil(SchoolClassFactory(grade=1))  # the module's band: g1-2
    client.force_login(pupil)
    response = client.get(page.url)
    assert response.status_code == 200
    assert "Module review" in response.content.decode()


def test_parent_module_is_public(client):
    page = build_module(title="Cha me dong hanh", audience=Audience.PARENT)
    response = client.get(page.url)
    assert response.status_code == 200
    assert "Cha me dong hanh" in response.content.decode()
