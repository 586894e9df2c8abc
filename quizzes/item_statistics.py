"""Item analysis: how a group of learners answered each question of a quiz.

The quiz engine knows nothing of classes or schools: the caller passes a queryset
of attempts already scoped to the group it reports on (``lms`` passes the
attempts of a class's pupils in a module), and this selector reads their answers.

It keeps the latest submitted attempt of each learner in the latest quiz version
the group answered, and in each attempt the latest answer to each question (the
one with the highest ``sequence``, as scoring does). A question's figures: how
many learners answered it, how many got it right, and the wrong choice picked
most often with how many picked it. Questions come back most missed first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet

from quizzes.models import Answer, Attempt, AttemptStatus, QuizVersion


@dataclass
class WrongChoice:
    choice_id: int
    text: str
    count: int
    share: float


@dataclass
class ItemStatistic:
    question_id: str
    prompt: str
    position: int
    answered: int = 0
    correct: int = 0
    wrong_choices: Counter = field(default_factory=Counter)
    top_wrong: WrongChoice | None = None

    @property
    def correct_share(self) -> float | None:
        return round(100 * self.correct / self.answered, 1) if self.answered else None

    @property
    def missed(self) -> int:
        return self.answered - self.correct


@dataclass
class ItemStatistics:
    version: QuizVersion | None
    learners: int
    items: list[ItemStatistic]


def item_statistics(*, attempts_queryset: QuerySet[Attempt]) -> ItemStatistics:
    """Return per-question figures of the learners behind ``attempts_queryset``.

    Three queries whatever the group's size: the attempts (latest per learner in
    the latest version), the version, their answers.
    """
    submitted = attempts_queryset.filter(status=AttemptStatus.SUBMITTED)
    rows = list(
        submitted.order_by("user_id", "-submitted_at").values_list(
            "pk", "user_id", "version_id", "version__number"
        )
    )
    if not rows:
        return ItemStatistics(version=None, learners=0, items=[])
    latest_number = max(row[3] for row in rows)
    latest_by_user: dict[int, object] = {}
    version_id = None
    for attempt_id, user_id, row_version_id, number in rows:
        if number == latest_number and user_id not in latest_by_user:
            latest_by_user[user_id] = attempt_id
            version_id = row_version_id
    version = QuizVersion.objects.get(pk=version_id)
    questions = version.snapshot.get("questions", [])
    items = {
        str(question["id"]): ItemStatistic(
            question_id=str(question["id"]),
            prompt=question.get("prompt", ""),
            position=index + 1,
        )
        for index, question in enumerate(questions)
    }
    choice_texts = {
        str(question["id"]): {
            str(choice["id"]): choice.get("text", "") for choice in question["choices"]
        }
        for question in questions
    }
    correct_ids = {
        str(question["id"]): {str(c) for c in question.get("correct", [])}
        for question in questions
    }
    latest: dict[tuple, tuple] = {}
    for attempt_id, question_id, response, is_correct in (
        Answer.objects.filter(attempt_id__in=list(latest_by_user.values()))
        .order_by("attempt_id", "question_id", "sequence")
        .values_list("attempt_id", "question_id", "response", "is_correct")
    ):
        latest[(attempt_id, question_id)] = (response, is_correct)
    for (_attempt_id, question_id), (response, is_correct) in latest.items():
        item = items.get(str(question_id))
        if item is None:
            continue
        item.answered += 1
        if is_correct:
            item.correct += 1
            continue
        chosen = (response or {}).get("choice_ids") or []
        for choice_id in chosen:
            if str(choice_id) not in correct_ids[item.question_id]:
                item.wrong_choices[str(choice_id)] += 1
    for item in items.values():
        if item.wrong_choices:
            choice_id, count = min(
                item.wrong_choices.items(), key=lambda pair: (-pair[1], pair[0])
            )
            item.top_wrong = WrongChoice(
                choice_id=int(choice_id),
                text=choice_texts[item.question_id].get(choice_id, ""),
                count=count,
                share=round(100 * count / item.answered, 1),
            )
    ordered = sorted(
        items.values(),
        key=lambda item: (
            item.correct_share if item.correct_share is not None else 101,
            item.position,
        ),
    )
    return ItemStatistics(version=version, learners=len(latest_by_user), items=ordered)


def attempts_in_context(*, context_key: str, user_ids) -> QuerySet[Attempt]:
    """Return the attempts of ``user_ids`` made in ``context_key`` (their group)."""
    return Attempt.objects.filter(context_key=context_key, user_id__in=user_ids)
