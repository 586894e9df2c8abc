"""Builders for content and quizzes: a valid quiz, a module page, a CMS user."""

from wagtail.models import Locale

from content_cms.models import (
    AgeBand,
    Audience,
    CatalogueIndexPage,
    ModulePage,
    ParentCornerIndexPage,
    Topic,
)
from lms.models import Role
from quizzes.models import Choice, Question, Quiz
from tests.factories import make_staff


def choice(text, *, correct=False, position=None, feedback="Vì sao."):
    return Choice(
        text=text, is_correct=correct, correct_position=position, feedback=feedback
    )


def build_quiz(*, title="Đố vui", locale=None, publish=True) -> Quiz:
    """Create a quiz with one question of each type; publish it unless told not."""
    quiz = Quiz(title=title, topic_code="privacy", live=False)
    if locale is not None:
        quiz.locale = locale
    quiz.questions = [
        Question(
            question_type="single_choice",
            prompt="Điều nào cần giữ kín?",
            explanation="Địa chỉ nhà.",
            choices=[choice("Địa chỉ nhà", correct=True), choice("Màu em thích")],
        ),
        Question(
            question_type="true_false",
            prompt="Có thể cho người lạ mật khẩu.",
            choices=[choice("Đúng"), choice("Sai", correct=True)],
        ),
        Question(
            question_type="multiple_select",
            prompt="Em kể với ai?",
            choices=[
                choice("Bố mẹ", correct=True),
                choice("Thầy cô", correct=True),
                choice("Người lạ"),
            ],
        ),
        Question(
            question_type="ordering",
            prompt="Xếp thứ tự",
            choices=[
                choice("Không trả lời", position=1),
                choice("Kể với bố mẹ", position=2),
            ],
        ),
        Question(
            question_type="scenario_choice",
            scenario="Người lạ hỏi địa chỉ.",
            prompt="Em sẽ làm gì?",
            choices=[choice("Kể với bố mẹ", correct=True), choice("Trả lời")],
        ),
    ]
    quiz.save()
    if publish:
        quiz.save_revision().publish()
        quiz.refresh_from_db()
    return quiz


def build_module(
    *,
    title="Bí mật của em",
    audience=Audience.PUPIL,
    summary="Học cách giữ kín thông tin cá nhân.",
    quiz=None,
    slug=None,
    publish=True,
    lessons=None,
) -> ModulePage:
    """Create a module under the Vietnamese index page for its audience."""
    index_model = (
        ParentCornerIndexPage if audience == Audience.PARENT else CatalogueIndexPage
    )
    parent = index_model.objects.get(locale=Locale.get_default())
    page = ModulePage(
        title=title,
        slug=slug
        or title.lower().replace(" ", "-").encode("ascii", "ignore").decode()
        or "module",
        summary=summary,
        audience=audience,
        topic=Topic.objects.get(code="privacy"),
        estimated_minutes=15,
        live=False,
        learning_objectives="Giữ kín địa chỉ\nKể với người lớn",
        quiz=quiz,
        lessons=lessons
        or [
            (
                "section",
                {
                    "title": "Thông tin cá nhân",
                    "content": [("tip", {"message": "Giữ kín địa chỉ nhà."})],
                },
            )
        ],
    )
    page.age_bands = [AgeBand.objects.get(code="g1-2")]
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def make_editor(**kwargs):
    return make_staff(Role.CONTENT_EDITOR, **kwargs)


def make_reviewer(**kwargs):
    return make_staff(Role.CONTENT_REVIEWER, **kwargs)
