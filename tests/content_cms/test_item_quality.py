"""The item-quality gate over the question bank, one test per band.

A quiz whose key leaks through its form (the longest option, "Sai", the only
option naming an adult) measures test-wiseness, not safety. The rules and limits
live in ``content_cms.curriculum.quality``; docs/curriculum.md shows the same
figures (``manage.py curriculum_report --write``). Run with ``-s`` to see them.
"""

import pytest
import yaml

from content_cms.curriculum.loader import CURRICULUM_DIR, curriculum_normalize
from content_cms.curriculum.quality import (
    MIN_ITEMS_IN_BANK,
    band_figures,
    item_findings,
    names_help,
    quality_markdown,
)
from quizzes.drawing import draw_questions

FIGURES = band_figures()
# Bands another helper of issue 23 rewrites; their marks go when that work merges.
NOT_YET_REWRITTEN = {
    "g1-2": "23b",
    "g3-5": "23b",
    "parents": "adult items: not rewritten in 23a",
    "staff": "adult items: not rewritten in 23a",
}


def _band_param(band):
    reason = NOT_YET_REWRITTEN.get(band)
    marks = [pytest.mark.xfail(strict=False, reason=reason)] if reason else []
    return pytest.param(band, marks=marks, id=band)


@pytest.mark.parametrize("band", [_band_param(band) for band in sorted(FIGURES)])
def test_band_passes_the_item_quality_gate(band):
    figure = FIGURES[band]
    print(quality_markdown({band: figure}))
    assert figure.problems() == []


def test_the_bank_is_large_enough_for_retakes():
    total = sum(figure.items for figure in FIGURES.values())
    if total < MIN_ITEMS_IN_BANK:
        pytest.xfail(f"{total} items; 23b and 23c add the rest")
    assert total >= MIN_ITEMS_IN_BANK


# --- the rules themselves, on small made-up items ------------------------------


def _text(vi, en=None):
    return {"vi": vi, "en": en or vi}


def _module(*questions, lessons_html="<p>Bài học.</p>"):
    return {
        "key": "sample",
        "age_bands": ["g6-9"],
        "audience": "pupil",
        "lessons": [{"blocks": [{"type": "text", "html": _text(lessons_html)}]}],
        "quiz": {"questions": list(questions)},
    }


def _choice(vi, *, correct=False, position=None, feedback=None):
    choice = {"text": _text(vi), "feedback": _text(feedback or f"Vì: {vi}")}
    if correct:
        choice["correct"] = True
    if position:
        choice["position"] = position
    return choice


def test_a_correct_option_much_longer_than_the_others_counts_as_longest():
    long_key = {
        "type": "single_choice",
        "choices": [
            _choice("Dừng lại, kiểm tra nguồn tin rồi mới chia sẻ", correct=True),
            _choice("Chia sẻ ngay"),
            _choice("Bỏ qua"),
        ],
    }
    comparable = {
        "type": "single_choice",
        "choices": [
            _choice("Kiểm tra nguồn tin", correct=True),
            _choice("Chia sẻ cho cả lớp"),
            _choice("Hỏi lại người đăng"),
        ],
    }
    first, second = item_findings(_module(long_key, comparable))
    assert first.longest == {"vi": True, "en": True}
    assert second.longest == {"vi": False, "en": False}


def test_only_the_key_naming_an_adult_is_a_cue_but_a_shared_mention_is_not():
    cue = {
        "type": "scenario_choice",
        "choices": [
            _choice("Kể với thầy cô", correct=True),
            _choice("Trả lời lại"),
        ],
    }
    shared = {
        "type": "scenario_choice",
        "choices": [
            _choice("Chụp màn hình rồi kể với thầy cô", correct=True),
            _choice("Kể với bố mẹ rồi trả lời lại cho hả giận"),
        ],
    }
    assert [f.only_help for f in item_findings(_module(cue, shared))] == [
        True,
        False,
    ]
    assert names_help("Gọi 111", "vi") and not names_help("Tắt máy", "vi")


def test_help_last_in_an_ordering_item_is_allowed_only_when_the_lesson_says_so():
    ordering = {
        "type": "ordering",
        "choices": [
            _choice("Dừng trả lời", position=1),
            _choice("Chụp màn hình", position=2),
            _choice("Kể với người lớn em tin tưởng", position=3),
        ],
    }
    assert item_findings(_module(ordering))[0].help_last is True
    taught = (
        "<ol><li>Dừng trả lời</li><li>Chụp màn hình</li><li>Kể với người lớn</li></ol>"
    )
    assert item_findings(_module(ordering, lessons_html=taught))[0].help_last is False


def test_options_sharing_one_feedback_have_no_feedback_of_their_own():
    shared = {
        "type": "single_choice",
        "choices": [
            _choice("A", correct=True, feedback="Xem lại bài."),
            _choice("B", feedback="Xem lại bài."),
        ],
    }
    assert item_findings(_module(shared))[0].missing_feedback is True


def test_a_band_keyed_false_too_often_fails():
    false_key = {
        "type": "true_false",
        "choices": [_choice("Đúng"), _choice("Sai", correct=True)],
    }
    from content_cms.curriculum.quality import BandFigures

    figure = BandFigures(band="g6-9", true_false=4, keyed_false=4)
    assert any("true_false" in problem for problem in figure.problems())
    assert item_findings(_module(false_key))[0].keyed_false is True


# --- retakes draw different questions ----------------------------------------


def _snapshot(path) -> dict:
    """Return a module's quiz in the snapshot shape ``draw_questions`` reads."""
    data = curriculum_normalize(yaml.safe_load(path.read_text(encoding="utf-8")))
    quiz = data["quiz"]
    return {
        "settings": quiz["settings"],
        "questions": [
            {
                "id": index,
                "type": question["type"],
                "choices": [
                    {
                        "id": f"{index}-{c_index}",
                        "is_correct": choice["correct"],
                        "correct_position": choice["position"],
                    }
                    for c_index, choice in enumerate(question["choices"])
                ],
            }
            for index, question in enumerate(quiz["questions"])
        ],
    }


REWRITTEN_PUPIL_FILES = sorted(
    [
        *(CURRICULUM_DIR / "g6-9").glob("*.yaml"),
        *(CURRICULUM_DIR / "g10-12").glob("*.yaml"),
        # New g3-5 modules written to the gate from the start (issue 23f).
        *(
            CURRICULUM_DIR / "g3-5" / name
            for name in ("ai.yaml", "learning-apps.yaml", "misinformation.yaml")
        ),
    ]
)


@pytest.mark.parametrize(
    "path", REWRITTEN_PUPIL_FILES, ids=lambda p: p.stem + "@" + p.parent.name
)
def test_a_retake_of_a_module_quiz_shows_only_questions_not_seen_before(path):
    snapshot = _snapshot(path)
    for seed in range(20):
        first = draw_questions(definition=snapshot, seed=f"a{seed}")
        retake = draw_questions(
            definition=snapshot,
            seed=f"b{seed}",
            seen_question_ids={question["id"] for question in first},
        )
        assert len(first) == len(retake) >= 6
        assert not {q["id"] for q in first} & {q["id"] for q in retake}
