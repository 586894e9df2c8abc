"""Draw the questions of one attempt from a frozen quiz definition.

The draw is a pure function of the definition, a seed and the questions the pupil
has already seen, so an attempt can store its seed and be drawn again, identically,
in any process (nothing here depends on module state or on hash randomisation:
``random.Random`` seeds a string through SHA-512). The seed is used as a string,
so ``42`` and ``"42"`` draw the same questions.

Rules:

- ``pool_size`` N of M questions (0, or anything from M up, means all of them).
- On a retake, questions the pupil has not seen come first: the draw takes as
  many unseen questions as it can and tops up with seen ones only if needed.
- ``shuffle_questions`` shuffles the drawn questions; otherwise they keep the
  definition's order.
- ``shuffle_choices`` shuffles each question's choices, except true/false, which
  keeps the definition's order (true before false) so pupils are never tricked
  by position.
- Ordering questions always shuffle their items (whatever ``shuffle_choices``
  says), and never show them in the correct order when there are two or more:
  a list already in order asks nothing.

``public_question`` then strips what a client must not see before answering.
"""

import copy
import random
from collections.abc import Mapping

from django.utils.translation import gettext as _

from quizzes.errors import QuizError
from quizzes.scoring import correct_sequence
from quizzes.validation import ORDERING, TRUE_FALSE

# What a client may see before answering. A list of what to keep (rather than of
# what to remove) means a field added to the snapshot later stays hidden until
# someone decides it is safe to show.
PUBLIC_QUESTION_FIELDS = (
    "id",
    "type",
    "prompt",
    "scenario",
    "difficulty",
    "topic_code",
)
PUBLIC_CHOICE_FIELDS = ("id", "text")


def _definition_error(message: str, code: str) -> QuizError:
    return QuizError(message, code=code)


def _pool_size(settings: Mapping, question_count: int) -> int:
    pool_size = settings.get("pool_size") or 0
    if not isinstance(pool_size, int) or isinstance(pool_size, bool) or pool_size < 0:
        raise _definition_error(
            _("The number of questions to draw must be a whole number, 0 or more."),
            "pool_size_invalid",
        )
    # Validation refuses a pool larger than the quiz; should an old snapshot have
    # one, drawing everything is the fair reading, not an error for the pupil.
    if pool_size == 0 or pool_size > question_count:
        return question_count
    return pool_size


def _shuffled_items(question: dict, rng: random.Random) -> list[dict]:
    """Shuffle an ordering question's items so they are never already in order."""
    items = list(question.get("choices") or [])
    if len(items) < 2:
        return items
    correct_sequence(items)  # refuses items without distinct positions
    correct = sorted(range(len(items)), key=lambda i: items[i]["correct_position"])
    # Rejection sampling keeps every wrong order equally likely. Items are told
    # apart by index, so a wrong order always exists and the loop ends (at least
    # half of all orders are wrong, so it rarely runs twice).
    order = list(range(len(items)))
    while True:
        rng.shuffle(order)
        if order != correct:
            return [items[i] for i in order]


def draw_questions(
    *, definition: dict, seed: str | int, seen_question_ids=frozenset()
) -> list[dict]:
    """Return the questions of one attempt, as copies, in the order shown.

    Deterministic for a given seed; ``seen_question_ids`` (compared as strings)
    are drawn only when there are not enough unseen questions. The definition is
    never changed.
    """
    if not isinstance(seed, str | int) or isinstance(seed, bool):
        # A missing seed would make random.Random seed from the clock: the draw
        # could not be repeated, so refuse it.
        raise _definition_error(_("The draw needs a seed."), "seed_invalid")
    if not isinstance(definition, Mapping):
        raise _definition_error(_("The quiz has no questions."), "quiz_empty")
    questions = definition.get("questions")
    if not isinstance(questions, list | tuple) or not questions:
        raise _definition_error(_("The quiz has no questions."), "quiz_empty")
    if not all(isinstance(question, Mapping) for question in questions):
        raise _definition_error(
            _("This quiz is not set up correctly."), "question_invalid"
        )
    settings = definition.get("settings") or {}
    if not isinstance(settings, Mapping):
        settings = {}

    rng = random.Random(str(seed))
    count = _pool_size(settings, len(questions))
    seen = {str(question_id) for question_id in seen_question_ids}
    indexes = list(range(len(questions)))
    if count < len(questions):
        unseen = [i for i in indexes if str(questions[i].get("id")) not in seen]
        already_seen = [i for i in indexes if str(questions[i].get("id")) in seen]
        drawn = rng.sample(unseen, min(count, len(unseen)))
        if len(drawn) < count:
            drawn += rng.sample(already_seen, count - len(drawn))
    else:
        drawn = indexes
    if settings.get("shuffle_questions"):
        rng.shuffle(drawn)
    else:
        drawn.sort()

    shuffle_choices = bool(settings.get("shuffle_choices"))
    result = []
    for index in drawn:
        question = copy.deepcopy(dict(questions[index]))
        kind = question.get("type")
        if kind == ORDERING:
            question["choices"] = _shuffled_items(question, rng)
        elif shuffle_choices and kind != TRUE_FALSE:
            choices = list(question.get("choices") or [])
            rng.shuffle(choices)
            question["choices"] = choices
        result.append(question)
    return result


def public_question(question: dict) -> dict:
    """Return what a client may see of a question before answering it.

    Keeps ids, texts, type, scenario, difficulty and topic; drops ``is_correct``,
    ``correct_position``, ``feedback`` and ``explanation`` (and any field not
    known to be safe). The order of the choices is kept, so a drawn question
    stays shuffled.
    """
    public = {
        name: copy.deepcopy(question[name])
        for name in PUBLIC_QUESTION_FIELDS
        if name in question
    }
    public["choices"] = [
        {name: choice[name] for name in PUBLIC_CHOICE_FIELDS if name in choice}
        for choice in question.get("choices") or []
    ]
    return public
