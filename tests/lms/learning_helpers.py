"""Builders for the learning-loop tests: modules with sections, quizzes taken."""

import uuid

from wagtail.models import Locale

from content_cms.models import AgeBand, ModulePage
from lms.models import PrivacySettings, WithoutConsent
from quizzes.services import attempt_answer, attempt_start, attempt_submit
from tests.content_cms.factories import build_module, build_quiz
from tests.quizzes.attempt_helpers import (
    correct_response,
    snapshot_question,
    wrong_response,
)

SECTION_TITLES = ["Thông tin cá nhân", "Mật khẩu", "Người lạ trên mạng"]


def section(title: str, tip: str) -> tuple:
    return ("section", {"title": title, "content": [("tip", {"message": tip})]})


def learning_module(
    *,
    title: str = "Bí mật của em",
    slug: str | None = None,
    sections: int = 3,
    with_quiz: bool = True,
    age_band: str = "g3-5",
    quiz=None,
) -> ModulePage:
    """Publish a pupils' module with ``sections`` sections, grade 3-5 by default."""
    if with_quiz and quiz is None:
        quiz = build_quiz(title=f"Đố vui: {title}")
    page = build_module(title=title, slug=slug, quiz=quiz, publish=False)
    page.lessons = [
        section(SECTION_TITLES[i % 3] + f" {i + 1}", f"Lời khuyên số {i + 1}.")
        for i in range(sections)
    ]
    page.age_bands = [AgeBand.objects.get(code=age_band)]
    page.save()
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def translate_module(
    page: ModulePage, *, title: str, sections: int | None = None
) -> ModulePage:
    """Publish an English translation of ``page`` (fewer sections if told)."""
    english = page.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = title
    english.summary = "Learn to keep personal information private."
    count = len(page.lessons) if sections is None else sections
    english.lessons = [
        section(f"English part {i + 1}", f"Tip number {i + 1}.") for i in range(count)
    ]
    english.save()
    english.save_revision().publish()
    english.refresh_from_db()
    return english


def allow_learning_records() -> None:
    """Let pupils without recorded consent use everything (the province's choice)."""
    PrivacySettings.objects.update_or_create(
        province=None, defaults={"without_consent": WithoutConsent.FULL}
    )


def answer_all(attempt, user, *, correct: bool = True) -> None:
    for question_id in attempt.question_ids:
        question = snapshot_question(attempt, question_id)
        respond = correct_response if correct else wrong_response
        attempt_answer(
            attempt=attempt,
            user=user,
            question_id=question_id,
            client_id=uuid.uuid4(),
            response=respond(question),
        )


def take_quiz(user, module: ModulePage, *, correct: bool = True):
    """Start the module's quiz in its context, answer everything, and submit."""
    attempt = attempt_start(
        user=user,
        quiz=module.quiz,
        context_key=f"module:{module.pk}",
        return_url=f"/hoc/{module.pk}/ket-qua/",
    )
    answer_all(attempt, user, correct=correct)
    return attempt_submit(attempt=attempt, user=user)
