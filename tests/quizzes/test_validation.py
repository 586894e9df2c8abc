"""The quiz rules that must hold before a quiz is published."""

from quizzes import validation


def _question(kind, choices, **extra):
    return {"type": kind, "prompt": "Câu hỏi", "choices": choices, **extra}


def _c(correct=False, position=None, feedback="Vì sao", text="Lựa chọn"):
    return {
        "text": text,
        "is_correct": correct,
        "correct_position": position,
        "feedback": feedback,
    }


def _fields(question):
    return [(p.field, p.message) for p in validation.question_problems(0, question)]


def test_single_choice_needs_exactly_one_correct_choice():
    assert _fields(_question("single_choice", [_c(True), _c()])) == []
    assert _fields(_question("single_choice", [_c(True), _c(True)]))
    assert _fields(_question("single_choice", [_c(), _c()]))


def test_scenario_choice_needs_its_scenario_and_one_correct_choice():
    good = _question("scenario_choice", [_c(True), _c()], scenario="Chuyện")
    assert _fields(good) == []
    problems = _fields(_question("scenario_choice", [_c(True), _c()]))
    assert [field for field, _ in problems] == ["scenario"]


def test_true_false_needs_two_choices_one_correct():
    assert _fields(_question("true_false", [_c(True), _c()])) == []
    assert _fields(_question("true_false", [_c(True), _c(), _c()]))
    assert _fields(_question("true_false", [_c(True), _c(True)]))


def test_multiple_select_needs_a_correct_choice():
    assert _fields(_question("multiple_select", [_c(True), _c(True), _c()])) == []
    assert _fields(_question("multiple_select", [_c(), _c()]))


def test_ordering_needs_distinct_positions():
    assert _fields(_question("ordering", [_c(position=1), _c(position=2)])) == []
    assert _fields(_question("ordering", [_c(position=1), _c(position=1)]))
    assert _fields(_question("ordering", [_c(position=1), _c()]))
    assert _fields(_question("ordering", [_c(position=1)]))


def test_every_choice_needs_feedback():
    problems = _fields(_question("single_choice", [_c(True), _c(feedback="")]))
    assert [field for field, _ in problems] == ["choices"]


def test_messages_are_translated_to_vietnamese():
    from django.utils import translation

    with translation.override("vi"):
        problems = validation.question_problems(
            0, _question("single_choice", [_c(), _c()])
        )
    # Falls back to the English msgid until the .po file is compiled.
    assert problems and problems[0].message


def test_pool_larger_than_the_quiz_is_refused():
    definition = {
        "settings": {"pool_size": 3},
        "questions": [_question("single_choice", [_c(True), _c()])],
    }
    assert [p.field for p in validation.definition_problems(definition)] == [
        "pool_size"
    ]
