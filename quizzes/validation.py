"""The rules a quiz definition must follow before it can be published.

They work on plain dictionaries (the shape of a version snapshot) so that the admin
form, the publish service and the curriculum loader apply exactly the same rules.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

SINGLE_CHOICE = "single_choice"
MULTIPLE_SELECT = "multiple_select"
TRUE_FALSE = "true_false"
ORDERING = "ordering"
SCENARIO_CHOICE = "scenario_choice"


@dataclass(frozen=True)
class QuizProblem:
    """One broken rule: which question (0-based, None for the quiz), which field."""

    question_index: int | None
    field: str
    message: str

    def describe(self) -> str:
        if self.question_index is None:
            return f"{self.field}: {self.message}"
        return _("question %(number)s") % {"number": self.question_index + 1} + (
            f" ({self.field}): {self.message}"
        )


def question_problems(index: int, question: dict) -> list[QuizProblem]:
    """Return the broken rules of one question given as a snapshot-shaped dict."""
    problems: list[QuizProblem] = []
    kind = question.get("type")
    choices = question.get("choices") or []
    correct = [c for c in choices if c.get("is_correct")]

    def add(field: str, message: str) -> None:
        problems.append(QuizProblem(index, field, message))

    if not (question.get("prompt") or "").strip():
        add("prompt", _("The question has no text."))
    if kind == SCENARIO_CHOICE and not (question.get("scenario") or "").strip():
        add("scenario", _("A scenario question needs its scenario text."))
    if kind in (SINGLE_CHOICE, SCENARIO_CHOICE):
        if len(choices) < 2:
            add("choices", _("The question needs at least two choices."))
        if len(correct) != 1:
            add("choices", _("This question needs exactly one correct choice."))
    elif kind == TRUE_FALSE:
        if len(choices) != 2 or len(correct) != 1:
            add(
                "choices",
                _("A true/false question needs exactly two choices, one correct."),
            )
    elif kind == MULTIPLE_SELECT:
        if len(choices) < 2:
            add("choices", _("The question needs at least two choices."))
        if not correct:
            add("choices", _("A multiple-select question needs a correct choice."))
    elif kind == ORDERING:
        positions = [c.get("correct_position") for c in choices]
        if len(choices) < 2:
            add("choices", _("An ordering question needs at least two items."))
        if any(p is None for p in positions) or len(set(positions)) != len(positions):
            add(
                "choices",
                _("Every item of an ordering question needs its own position."),
            )
    else:
        add("type", _("Unknown question type."))
    for choice in choices:
        if not (choice.get("text") or "").strip():
            add("choices", _("Every choice needs its text."))
            break
    for choice in choices:
        if not (choice.get("feedback") or "").strip():
            add("choices", _("Every choice needs feedback that explains it."))
            break
    return problems


def definition_problems(definition: dict) -> list[QuizProblem]:
    """Return every broken rule of a snapshot-shaped quiz definition."""
    problems: list[QuizProblem] = []
    questions = definition.get("questions") or []
    settings = definition.get("settings") or {}
    if not questions:
        problems.append(QuizProblem(None, "questions", _("The quiz has no questions.")))
    pool = settings.get("pool_size") or 0
    if pool > len(questions):
        problems.append(
            QuizProblem(
                None,
                "pool_size",
                _("The pool size is larger than the number of questions."),
            )
        )
    for index, question in enumerate(questions):
        problems.extend(question_problems(index, question))
    return problems
