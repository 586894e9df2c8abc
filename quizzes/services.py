"""Writes of the quiz engine: freezing a published quiz into a version."""

import hashlib
import json

from django.db import transaction
from django.utils.translation import gettext as _

from quizzes import validation
from quizzes.errors import QuizError
from quizzes.models import Quiz, QuizVersion

SNAPSHOT_FORMAT = 1


def quiz_definition_build(*, quiz: Quiz) -> dict:
    """Return the whole definition of ``quiz`` as plain data, answers included.

    Works on unsaved drafts too (previews): it reads the cluster's in-memory
    children, never the database directly. Ids are the question and choice rows'
    ids, which editing keeps stable.
    """
    questions = []
    for question in quiz.questions.all().order_by("sort_order"):
        choices = [
            {
                "id": choice.pk,
                "text": choice.text,
                "is_correct": bool(choice.is_correct),
                "correct_position": choice.correct_position,
                "feedback": choice.feedback,
            }
            for choice in question.choices.all().order_by("sort_order")
        ]
        if question.question_type == validation.ORDERING:
            ordered = sorted(choices, key=lambda c: c["correct_position"] or 0)
            correct = [c["id"] for c in ordered]
        else:
            correct = [c["id"] for c in choices if c["is_correct"]]
        questions.append(
            {
                "id": question.pk,
                "type": question.question_type,
                "scenario": question.scenario,
                "prompt": question.prompt,
                "explanation": question.explanation,
                "difficulty": question.difficulty,
                "topic_code": question.topic_code or quiz.topic_code,
                "choices": choices,
                "correct": correct,
            }
        )
    return {
        "format": SNAPSHOT_FORMAT,
        "quiz": {
            "id": quiz.pk,
            "translation_key": str(quiz.translation_key),
            "locale": quiz.locale.language_code if quiz.locale_id else None,
            "title": quiz.title,
            "description": quiz.description,
            "topic_code": quiz.topic_code,
        },
        "settings": {
            "pass_mark_percent": quiz.pass_mark_percent,
            "attempts_allowed": quiz.attempts_allowed,
            "shuffle_questions": quiz.shuffle_questions,
            "shuffle_choices": quiz.shuffle_choices,
            "pool_size": quiz.pool_size,
            "mode": quiz.mode,
        },
        "questions": questions,
    }


def quiz_definition_digest(definition: dict) -> str:
    """Return a fingerprint of a definition: equal definitions, equal digests."""
    encoded = json.dumps(definition, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def quiz_definition_check(*, definition: dict) -> None:
    """Raise ``QuizError`` listing every rule the definition breaks."""
    problems = validation.definition_problems(definition)
    if problems:
        raise QuizError(
            _("The quiz cannot be published: %(problems)s")
            % {"problems": "; ".join(p.describe() for p in problems)},
            details=[
                {
                    "question": p.question_index,
                    "field": p.field,
                    "message": p.message,
                }
                for p in problems
            ],
        )


@transaction.atomic
def quiz_version_publish(*, quiz: Quiz, user=None) -> QuizVersion:
    """Freeze the live definition of ``quiz`` into a new version, if it changed.

    Idempotent: when the live definition equals the latest version's, that version
    is returned and nothing is written. Called whenever a quiz is published.
    """
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    definition = quiz_definition_build(quiz=quiz)
    quiz_definition_check(definition=definition)
    digest = quiz_definition_digest(definition)
    latest = quiz.versions.order_by("-number").first()
    if latest is not None and latest.digest == digest:
        return latest
    version = QuizVersion(
        quiz=quiz,
        number=(latest.number + 1) if latest else 1,
        snapshot=definition,
        digest=digest,
        published_by=user,
    )
    version.full_clean()
    version.save()
    return version
