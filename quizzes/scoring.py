"""Score a pupil's answers against a frozen quiz definition, without the database.

The functions work on the snapshot-shaped dicts of a ``QuizVersion`` (see
``quizzes.validation``), so an attempt pinned to a version is scored the same way
forever. Question and choice ids are opaque: they are compared as strings, so
``7`` and ``"7"`` name the same choice (a JSON round trip must not change a score).

Response shapes (anything else raises ``QuizError`` with a translated message):

- single choice, true/false, scenario choice: ``{"choice_ids": [id]}``, exactly one;
- multiple select: ``{"choice_ids": [id, ...]}``, at least one, no repeats;
- ordering: ``{"order": [id, ...]}``, every item of the question exactly once.

Credit per question is a number from 0 to 1:

- single choice, true/false, scenario choice: 1 for the correct choice, else 0.
- multiple select: ``max(0, (correct ticked - wrong ticked) / number correct)``.
  Each wrong tick cancels a right one, so ticking everything earns 0 whenever a
  question has at least as many wrong choices as right ones (3 right and 1 wrong:
  ticking all four keeps 2/3). Only exactly the correct set counts as correct.
- ordering: the share of item pairs the pupil put in the right relative order
  (a Kendall-style score). Moving one item by one place breaks only one pair, so
  it still earns most of the points; a reversed list earns 0; only the exact
  order counts as correct.

An attempt's points are the sum of its credits, out of one point per question
drawn; unanswered questions earn 0. ``percent`` is rounded half up to one
decimal and the pass mark is compared with that rounded figure, so the pupil never
sees "80.0%" next to "not passed" for a pass mark of 80. docs/scoring.md has
worked examples.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from quizzes.errors import QuizError
from quizzes.validation import (
    MULTIPLE_SELECT,
    ORDERING,
    SCENARIO_CHOICE,
    SINGLE_CHOICE,
    TRUE_FALSE,
)

ONE_CHOICE_TYPES = frozenset({SINGLE_CHOICE, TRUE_FALSE, SCENARIO_CHOICE})
QUESTION_TYPES = ONE_CHOICE_TYPES | {MULTIPLE_SELECT, ORDERING}


@dataclass(frozen=True)
class AnswerScore:
    """The score of one answer, with what the pupil needs to review it.

    ``feedback`` holds ``{"choice_id", "text"}`` for each chosen choice that has
    feedback, in the pupil's order (for ordering questions: every item).
    ``correct_choice_ids`` lists the correct choices (for ordering questions:
    every item); ``correct_order`` is the right order of an ordering question
    and empty for the other types. Ids keep the type the definition gave them.
    """

    credit: float
    is_correct: bool
    feedback: tuple[dict, ...] = ()
    correct_choice_ids: tuple = ()
    correct_order: tuple = ()

    def as_dict(self) -> dict:
        """Return a JSON-ready dict, for storing the score beside the answer."""
        return {
            "credit": self.credit,
            "is_correct": self.is_correct,
            "feedback": [dict(item) for item in self.feedback],
            "correct_choice_ids": list(self.correct_choice_ids),
            "correct_order": list(self.correct_order),
        }


@dataclass(frozen=True)
class AttemptScore:
    """The score of a whole attempt.

    ``answers`` maps each drawn question's id (as a string, in the order drawn)
    to its ``AnswerScore``, or to ``None`` when the pupil left it unanswered.
    """

    points: float
    max_points: int
    percent: float
    passed: bool
    pass_mark: int
    answers: dict[str, AnswerScore | None] = field(default_factory=dict)

    @property
    def answered_count(self) -> int:
        return sum(1 for answer in self.answers.values() if answer is not None)


def _answer_error(message: str, code: str = "answer_invalid") -> QuizError:
    return QuizError(message, code=code)


def _broken_question() -> QuizError:
    # Published versions are validated, so this means a corrupt snapshot: refuse
    # to score rather than guess, and say so without exposing internals.
    return QuizError(
        _("This question cannot be scored because it is not set up correctly."),
        code="question_invalid",
    )


def _key(value) -> str:
    """Return the comparable form of an id: ids are opaque, compared as strings."""
    return str(value)


def _is_id(value) -> bool:
    # bool is an int subclass, but True is never a meaningful choice id.
    return isinstance(value, str | int) and not isinstance(value, bool)


def _question_choices(question) -> list[dict]:
    """Return the question's choices, refusing a definition we cannot score."""
    if not isinstance(question, Mapping):
        raise _broken_question()
    choices = question.get("choices")
    if not isinstance(choices, list | tuple) or not choices:
        raise _broken_question()
    keys = set()
    for choice in choices:
        if not isinstance(choice, Mapping) or not _is_id(choice.get("id")):
            raise _broken_question()
        keys.add(_key(choice["id"]))
    if len(keys) != len(choices):
        raise _broken_question()
    return list(choices)


def correct_sequence(choices: list[dict]) -> list[dict]:
    """Return an ordering question's items in their correct order.

    Items are sorted by ``correct_position``; positions must be distinct whole
    numbers. Raises ``QuizError`` for a definition that breaks this.
    """
    positions = [choice.get("correct_position") for choice in choices]
    if any(
        not isinstance(position, int) or isinstance(position, bool)
        for position in positions
    ) or len(set(positions)) != len(positions):
        raise _broken_question()
    return sorted(choices, key=lambda choice: choice["correct_position"])


def _response_ids(response, key: str) -> list[str]:
    """Return the ids listed under ``key``, as strings, checking their form."""
    if not isinstance(response, Mapping):
        raise _answer_error(_("The answer is not in the expected form."))
    ids = response.get(key)
    if not isinstance(ids, list | tuple) or not all(_is_id(value) for value in ids):
        raise _answer_error(_("The answer is not in the expected form."))
    keys = [_key(value) for value in ids]
    if len(set(keys)) != len(keys):
        raise _answer_error(_("The answer names the same choice more than once."))
    return keys


def _check_known(keys: list[str], choices_by_key: dict[str, dict]) -> None:
    if any(key not in choices_by_key for key in keys):
        raise _answer_error(
            _("The answer names a choice that is not part of this question.")
        )


def _feedback(chosen: list[dict]) -> tuple[dict, ...]:
    return tuple(
        {"choice_id": choice["id"], "text": choice["feedback"]}
        for choice in chosen
        if isinstance(choice.get("feedback"), str) and choice["feedback"].strip()
    )


def multiple_select_credit(*, selected: int, wrong: int, correct_total: int) -> float:
    """Return ``max(0, (selected - wrong) / correct_total)`` (see module docs)."""
    if correct_total <= 0:
        raise _broken_question()
    return max(0.0, (selected - wrong) / correct_total)


def ordering_credit(*, ranks: list[int]) -> float:
    """Return the share of pairs in the right relative order.

    ``ranks`` holds, in the pupil's order, each item's correct rank. A single item
    (no pairs) is trivially in order.
    """
    count = len(ranks)
    pairs = count * (count - 1) // 2
    if pairs == 0:
        return 1.0
    in_order = sum(
        1
        for first in range(count)
        for second in range(first + 1, count)
        if ranks[first] < ranks[second]
    )
    return in_order / pairs


def score_answer(*, question: dict, response: dict) -> AnswerScore:
    """Score one response to one question; raise ``QuizError`` if it is invalid."""
    choices = _question_choices(question)
    kind = question.get("type")
    if kind not in QUESTION_TYPES:
        raise _broken_question()
    choices_by_key = {_key(choice["id"]): choice for choice in choices}

    if kind == ORDERING:
        return _score_ordering(choices, choices_by_key, response)

    correct = [choice for choice in choices if choice.get("is_correct")]
    correct_ids = tuple(choice["id"] for choice in correct)
    correct_keys = {_key(choice_id) for choice_id in correct_ids}
    keys = _response_ids(response, "choice_ids")
    _check_known(keys, choices_by_key)
    chosen = [choices_by_key[key] for key in keys]

    if kind in ONE_CHOICE_TYPES:
        if len(correct) != 1:
            raise _broken_question()
        if len(keys) != 1:
            raise _answer_error(_("Choose exactly one answer."))
        is_correct = keys[0] in correct_keys
        credit = 1.0 if is_correct else 0.0
    else:
        if not correct:
            raise _broken_question()
        if not keys:
            raise _answer_error(_("Choose at least one answer."))
        selected_right = sum(1 for key in keys if key in correct_keys)
        credit = multiple_select_credit(
            selected=selected_right,
            wrong=len(keys) - selected_right,
            correct_total=len(correct_keys),
        )
        is_correct = set(keys) == correct_keys

    return AnswerScore(
        credit=credit,
        is_correct=is_correct,
        feedback=_feedback(chosen),
        correct_choice_ids=correct_ids,
    )


def _score_ordering(choices, choices_by_key, response) -> AnswerScore:
    sequence = correct_sequence(choices)
    rank = {_key(choice["id"]): index for index, choice in enumerate(sequence)}
    keys = _response_ids(response, "order")
    _check_known(keys, choices_by_key)
    if len(keys) != len(choices):
        raise _answer_error(_("Put every item in order, each exactly once."))
    credit = ordering_credit(ranks=[rank[key] for key in keys])
    correct_order = tuple(choice["id"] for choice in sequence)
    return AnswerScore(
        credit=credit,
        is_correct=keys == [_key(choice_id) for choice_id in correct_order],
        feedback=_feedback([choices_by_key[key] for key in keys]),
        correct_choice_ids=correct_order,
        correct_order=correct_order,
    )


def _percent(points: float, max_points: int) -> float:
    """Return ``points`` of ``max_points`` as a percentage, rounded half up to 0.1.

    ``round()`` works on the binary value, so 79.95 (stored as 79.9499...) would
    show as 79.9; going through the shortest decimal form rounds it as people do.
    """
    value = Decimal(repr(points * 100 / max_points))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def score_attempt(
    *, questions: list[dict], responses: dict, pass_mark: int
) -> AttemptScore:
    """Score every drawn question of an attempt; unanswered questions earn 0.

    ``responses`` maps question ids to responses; a missing id or ``None`` means
    unanswered. A response to a question that was not drawn is refused: it
    means the client and the attempt disagree, and guessing would hide that.
    """
    if (
        not isinstance(pass_mark, int)
        or isinstance(pass_mark, bool)
        or not 0 <= pass_mark <= 100
    ):
        raise QuizError(
            _("The pass mark must be a whole number from 0 to 100."),
            code="pass_mark_invalid",
        )
    if not isinstance(questions, list | tuple) or not questions:
        raise QuizError(_("The attempt has no questions."), code="attempt_empty")
    if not isinstance(responses, Mapping):
        raise _answer_error(_("The answer is not in the expected form."))
    responses_by_key: dict[str, object] = {}
    for question_id, response in responses.items():
        key = _key(question_id)
        if key in responses_by_key:
            raise _answer_error(_("The same question was answered more than once."))
        responses_by_key[key] = response

    answers: dict[str, AnswerScore | None] = {}
    for question in questions:
        if not isinstance(question, Mapping) or not _is_id(question.get("id")):
            raise _broken_question()
        key = _key(question["id"])
        if key in answers:
            raise _broken_question()
        response = responses_by_key.pop(key, None)
        answers[key] = (
            None
            if response is None
            else score_answer(question=question, response=response)
        )
    if responses_by_key:
        raise _answer_error(
            _("An answer is for a question that is not part of this attempt.")
        )

    # fsum adds the credits exactly, so 0.1 + 0.2 style noise cannot tip a
    # percentage over a rounding edge.
    points = math.fsum(answer.credit for answer in answers.values() if answer)
    max_points = len(answers)
    percent = _percent(points, max_points)
    return AttemptScore(
        points=round(points, 4),
        max_points=max_points,
        percent=percent,
        passed=percent >= pass_mark,
        pass_mark=pass_mark,
        answers=answers,
    )
