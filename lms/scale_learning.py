"""Learning records for ``generate_scale``: assignments, answers, progress, rollups.

Benchmark data only (``lms.scale.learning_records_generate`` calls this). Every
class of the given schools is given one module (a live pupils' module with a
quiz); each pupil gets one submitted attempt with ``answers_per_pupil`` answers
(bulk-created: the answer volume is what the dashboards must not depend on),
and about 85 % of them a passed ``ModuleProgress``. The rollups are then
rebuilt from those facts with ``lms.rollups.rollups_rebuild``, the same rules
the live path uses. Rows are written in batches; memory stays flat.
"""

from __future__ import annotations

import random
import secrets
import uuid

from django.db import transaction
from django.utils import timezone

from content_cms.models import Audience, ModulePage
from lms.bulk import batches
from lms.models import (
    Assignment,
    Enrolment,
    ModuleProgress,
    ProgressStatus,
    SchoolClass,
)
from lms.rollups import rollups_rebuild
from quizzes.models import Answer, Attempt, AttemptStatus, QuizVersion

PASS_SHARE = 0.85


def _module_and_version() -> tuple[ModulePage, QuizVersion] | tuple[None, None]:
    module = (
        ModulePage.objects.live()
        .filter(audience=Audience.PUPIL, quiz__isnull=False, locale__language_code="vi")
        .order_by("pk")
        .first()
    )
    if module is None:
        return None, None
    version = QuizVersion.objects.filter(quiz_id=module.quiz_id).order_by("-number")
    return module, version.first()


def learning_records_bulk_create(
    *, school_ids: list[int], answers_per_pupil: int, batch_size: int
) -> int:
    """Give the schools' classes a module and their pupils answers and progress."""
    module, version = _module_and_version()
    if module is None or version is None or not answers_per_pupil:
        return 0
    rng = random.Random(2026)
    questions = version.snapshot["questions"]
    now = timezone.now()
    today = timezone.localdate()
    rows = 0
    class_ids = list(
        SchoolClass.objects.filter(school_id__in=school_ids)
        .exclude(assignments__module=module)
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        Assignment.objects.bulk_create(
            [
                Assignment(
                    school_class_id=class_id,
                    module=module,
                    opens_on=today.replace(day=1),
                )
                for class_id in class_ids
            ],
            batch_size=batch_size,
        )
    rows += len(class_ids)
    pupil_ids = list(
        Enrolment.objects.filter(school_class_id__in=class_ids, left_on__isnull=True)
        .order_by("pk")
        .values_list("pupil_id", flat=True)
    )
    for chunk in batches(pupil_ids, max(1, batch_size // max(1, answers_per_pupil))):
        attempts, answers, progress = [], [], []
        for pupil_id in chunk:
            passed = rng.random() < PASS_SHARE
            attempt = Attempt(
                id=uuid.uuid4(),
                user_id=pupil_id,
                quiz_id=version.quiz_id,
                version=version,
                context_key=f"module:{module.pk}",
                status=AttemptStatus.SUBMITTED,
                seed=secrets.token_hex(8),
                question_ids=[str(q["id"]) for q in questions],
                started_at=now,
                submitted_at=now,
                percent=100 if passed else 40,
                passed=passed,
            )
            attempts.append(attempt)
            for sequence in range(1, answers_per_pupil + 1):
                question = questions[(sequence - 1) % len(questions)]
                correct = passed or rng.random() < 0.4
                choice = next(
                    (c for c in question["choices"] if c["is_correct"] == correct),
                    question["choices"][0],
                )
                answers.append(
                    Answer(
                        attempt=attempt,
                        question_id=str(question["id"]),
                        client_id=uuid.uuid4(),
                        response={"choice_ids": [choice["id"]]},
                        credit=1.0 if correct else 0.0,
                        is_correct=correct,
                        sequence=sequence,
                        answered_at=now,
                    )
                )
            progress.append(
                ModuleProgress(
                    user_id=pupil_id,
                    module=module,
                    status=ProgressStatus.PASSED
                    if passed
                    else ProgressStatus.IN_PROGRESS,
                    best_percent=100 if passed else 40,
                    attempts_count=1,
                    started_at=now,
                    completed_at=now if passed else None,
                    passed_at=now if passed else None,
                    last_activity_at=now,
                )
            )
        with transaction.atomic():
            Attempt.objects.bulk_create(attempts, batch_size=batch_size)
            Answer.objects.bulk_create(answers, batch_size=batch_size)
            ModuleProgress.objects.bulk_create(
                progress, batch_size=batch_size, ignore_conflicts=True
            )
        rows += len(attempts) + len(answers) + len(progress)
    rollups_rebuild(fix=True)
    return rows
