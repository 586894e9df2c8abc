"""Tests of quizzes.drawing: pure functions, no database."""

import copy

import pytest

from quizzes.drawing import draw_questions, public_question
from quizzes.errors import QuizError
from quizzes.validation import (
    MULTIPLE_SELECT,
    ORDERING,
    SCENARIO_CHOICE,
    SINGLE_CHOICE,
    TRUE_FALSE,
)

# Messages are asserted by their English ids.
pytestmark = pytest.mark.usefixtures("english")

SEEDS = range(200)


def choice(choice_id, text, *, correct=False, position=None):
    return {
        "id": choice_id,
        "text": text,
        "is_correct": correct,
        "correct_position": position,
        "feedback": f"Why {text}",
    }


def question(question_id, kind, choices):
    return {
        "id": question_id,
        "type": kind,
        "prompt": f"Question {question_id}",
        "scenario": "A message arrives." if kind == SCENARIO_CHOICE else "",
        "explanation": "Because.",
        "difficulty": 2,
        "topic_code": "privacy",
        "choices": choices,
    }


def four_choices(prefix):
    return [
        choice(f"{prefix}a", "Right", correct=True),
        choice(f"{prefix}b", "Wrong 1"),
        choice(f"{prefix}c", "Wrong 2"),
        choice(f"{prefix}d", "Wrong 3"),
    ]


def ordering_items(prefix, count):
    return [
        choice(f"{prefix}{position}", f"Step {position}", position=position)
        for position in range(1, count + 1)
    ]


def definition(
    *, pool_size=0, shuffle_questions=True, shuffle_choices=True, questions=None
):
    if questions is None:
        questions = [
            question(1, SINGLE_CHOICE, four_choices("s")),
            question(
                2,
                TRUE_FALSE,
                [choice("t", "True", correct=True), choice("f", "False")],
            ),
            question(3, MULTIPLE_SELECT, four_choices("m")),
            question(4, ORDERING, ordering_items("o", 4)),
            question(5, SCENARIO_CHOICE, four_choices("c")),
            question(6, SINGLE_CHOICE, four_choices("x")),
        ]
    return {
        "settings": {
            "pass_mark": 80,
            "attempts_allowed": 0,
            "shuffle_questions": shuffle_questions,
            "shuffle_choices": shuffle_choices,
            "pool_size": pool_size,
            "mode": "practice",
        },
        "questions": questions,
    }


def ids(questions):
    return [item["id"] for item in questions]


def choice_ids(item):
    return [entry["id"] for entry in item["choices"]]


# --- determinism ------------------------------------------------------------


def test_the_same_seed_draws_the_same_questions_in_the_same_order():
    quiz = definition(pool_size=4)

    first = draw_questions(definition=quiz, seed="attempt-17")
    second = draw_questions(definition=quiz, seed="attempt-17")

    assert first == second


def test_a_seed_is_used_as_a_string():
    quiz = definition(pool_size=4)

    assert draw_questions(definition=quiz, seed=42) == draw_questions(
        definition=quiz, seed="42"
    )


def test_different_seeds_draw_differently():
    quiz = definition(pool_size=3)

    draws = {tuple(ids(draw_questions(definition=quiz, seed=seed))) for seed in SEEDS}

    assert len(draws) > 50


@pytest.mark.parametrize("seed", [None, 1.5, b"bytes", ("a",), True])
def test_a_draw_needs_a_string_or_integer_seed(seed):
    with pytest.raises(QuizError) as caught:
        draw_questions(definition=definition(), seed=seed)

    assert caught.value.code == "seed_invalid"
    assert caught.value.message == "The draw needs a seed."


# --- pools and retakes ------------------------------------------------------


@pytest.mark.parametrize(("pool_size", "drawn"), [(3, 3), (1, 1), (0, 6), (6, 6)])
def test_pool_size_sets_how_many_distinct_questions_are_drawn(pool_size, drawn):
    for seed in range(20):
        result = draw_questions(definition=definition(pool_size=pool_size), seed=seed)

        assert len(result) == drawn
        assert len(set(ids(result))) == drawn
        assert set(ids(result)) <= {1, 2, 3, 4, 5, 6}


def test_a_pool_larger_than_the_quiz_draws_every_question():
    result = draw_questions(definition=definition(pool_size=10), seed=1)

    assert sorted(ids(result)) == [1, 2, 3, 4, 5, 6]


def test_a_retake_draws_exactly_the_unseen_questions_when_there_are_enough():
    quiz = definition(pool_size=3)

    for seed in SEEDS:
        result = draw_questions(definition=quiz, seed=seed, seen_question_ids={1, 2, 3})

        assert sorted(ids(result)) == [4, 5, 6]


def test_seen_ids_are_compared_as_strings():
    result = draw_questions(
        definition=definition(pool_size=3), seed=5, seen_question_ids={"4", "5", "6"}
    )

    assert sorted(ids(result)) == [1, 2, 3]


def test_a_retake_tops_up_with_seen_questions_when_unseen_run_out():
    quiz = definition(pool_size=3)

    for seed in range(50):
        result = draw_questions(
            definition=quiz, seed=seed, seen_question_ids={1, 2, 3, 4, 5}
        )

        assert len(set(ids(result))) == 3
        assert 6 in ids(result)


def test_a_retake_of_a_quiz_without_a_pool_still_shows_everything():
    result = draw_questions(
        definition=definition(pool_size=0), seed=3, seen_question_ids={1, 2, 3}
    )

    assert sorted(ids(result)) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("pool_size", [-1, 2.5, "3", True])
def test_an_invalid_pool_size_is_refused(pool_size):
    with pytest.raises(QuizError) as caught:
        draw_questions(definition=definition(pool_size=pool_size), seed=1)

    assert caught.value.code == "pool_size_invalid"


@pytest.mark.parametrize(
    "quiz", [{"settings": {}, "questions": []}, {"settings": {}}, None, []]
)
def test_a_quiz_without_questions_is_refused(quiz):
    with pytest.raises(QuizError, match="The quiz has no questions."):
        draw_questions(definition=quiz, seed=1)


# --- question order ---------------------------------------------------------


def test_without_shuffling_questions_keep_the_definition_order():
    quiz = definition(pool_size=4, shuffle_questions=False)

    for seed in range(50):
        result = ids(draw_questions(definition=quiz, seed=seed))

        assert result == sorted(result)


def test_shuffling_questions_changes_their_order():
    quiz = definition(shuffle_questions=True)

    orders = {tuple(ids(draw_questions(definition=quiz, seed=seed))) for seed in SEEDS}

    assert len(orders) > 50
    assert all(sorted(order) == [1, 2, 3, 4, 5, 6] for order in orders)


# --- choice order -----------------------------------------------------------


def by_id(result, question_id):
    return next(item for item in result if item["id"] == question_id)


def test_shuffling_choices_shuffles_choice_questions_but_not_true_false():
    quiz = definition(shuffle_choices=True)
    single_orders = set()

    for seed in SEEDS:
        result = draw_questions(definition=quiz, seed=seed)
        single_orders.add(tuple(choice_ids(by_id(result, 1))))
        assert sorted(choice_ids(by_id(result, 1))) == ["sa", "sb", "sc", "sd"]
        assert choice_ids(by_id(result, 2)) == ["t", "f"]

    assert len(single_orders) > 10


def test_without_shuffling_choices_keep_the_definition_order():
    quiz = definition(shuffle_choices=False)

    for seed in range(50):
        result = draw_questions(definition=quiz, seed=seed)

        assert choice_ids(by_id(result, 1)) == ["sa", "sb", "sc", "sd"]
        assert choice_ids(by_id(result, 3)) == ["ma", "mb", "mc", "md"]
        assert choice_ids(by_id(result, 2)) == ["t", "f"]


@pytest.mark.parametrize("shuffle_choices", [True, False])
@pytest.mark.parametrize("item_count", [2, 3, 4])
def test_ordering_items_are_never_shown_in_the_correct_order(
    shuffle_choices, item_count
):
    items = ordering_items("o", item_count)
    quiz = definition(
        shuffle_choices=shuffle_choices,
        questions=[question("ord", ORDERING, items)],
    )
    correct = choice_ids({"choices": items})
    shown_orders = set()

    for seed in SEEDS:
        shown = choice_ids(draw_questions(definition=quiz, seed=seed)[0])
        assert shown != correct
        assert sorted(shown) == sorted(correct)
        shown_orders.add(tuple(shown))

    # Every wrong order turns up: the shuffle is not just one fixed swap.
    factorial = {2: 2, 3: 6, 4: 24}[item_count]
    assert len(shown_orders) == factorial - 1


def test_ordering_items_listed_out_of_order_are_still_never_shown_in_order():
    items = list(reversed(ordering_items("o", 3)))
    quiz = definition(questions=[question("ord", ORDERING, items)])

    for seed in SEEDS:
        shown = choice_ids(draw_questions(definition=quiz, seed=seed)[0])
        assert shown != ["o1", "o2", "o3"]


def test_an_ordering_question_without_positions_is_refused():
    items = ordering_items("o", 3)
    items[1]["correct_position"] = None
    quiz = definition(questions=[question("ord", ORDERING, items)])

    with pytest.raises(QuizError) as caught:
        draw_questions(definition=quiz, seed=1)

    assert caught.value.code == "question_invalid"


# --- copies -----------------------------------------------------------------


def test_drawing_never_changes_the_definition():
    quiz = definition(pool_size=4)
    before = copy.deepcopy(quiz)

    result = draw_questions(definition=quiz, seed=9, seen_question_ids={1})
    for item in result:
        item["prompt"] = "changed"
        item["choices"][0]["text"] = "changed"
        item["choices"].reverse()

    assert quiz == before


def test_drawing_does_not_change_the_seen_ids():
    seen = {1, 2}

    draw_questions(definition=definition(pool_size=3), seed=1, seen_question_ids=seen)

    assert seen == {1, 2}


# --- what a client may see --------------------------------------------------

HIDDEN_FIELDS = {"is_correct", "correct_position", "feedback", "explanation"}


def all_keys(value):
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in all_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in all_keys(item)}
    return set()


def test_public_question_hides_answers_and_keeps_what_is_needed():
    for item in draw_questions(definition=definition(), seed=4):
        public = public_question(item)

        assert not all_keys(public) & HIDDEN_FIELDS
        assert public["id"] == item["id"]
        assert public["type"] == item["type"]
        assert public["prompt"] == item["prompt"]
        assert public["scenario"] == item["scenario"]
        assert public["choices"] == [
            {"id": entry["id"], "text": entry["text"]} for entry in item["choices"]
        ]


def test_public_question_hides_fields_it_does_not_know():
    item = question(1, SINGLE_CHOICE, four_choices("s"))
    item["answer_key"] = "sa"
    item["choices"][0]["hint"] = "this one"

    public = public_question(item)

    assert "answer_key" not in public
    assert public["choices"][0] == {"id": "sa", "text": "Right"}


def test_public_question_does_not_change_the_question():
    item = question(4, ORDERING, ordering_items("o", 3))
    before = copy.deepcopy(item)

    public = public_question(item)
    public["choices"].clear()

    assert item == before
