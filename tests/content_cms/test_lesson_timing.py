"""Grades 1-5 are teacher-led lessons, honestly timed, read aloud throughout.

These read the repository's files: a grade 1-2 or 3-5 module that claims less time
than its reading and activities take, loses a section's teacher's script, its
"do / don't" cards, its worksheet or a read-aloud text, a grade 1-2 module that
loses its pictures, or a passphrase with diacritics fails the suite.
"""

import json
import re

import pytest
import yaml

from content_cms.curriculum.coverage import COVERAGE_DOCUMENT
from content_cms.curriculum.loader import CURRICULUM_DIR
from content_cms.curriculum.timing import (
    MAX_TEACHER_LED_MINUTES,
    TIMING_BEGIN,
    TIMING_END,
    module_timing,
    syllables,
    teacher_led_band_timings,
    timing_markdown,
)

GRADES_1_2 = sorted((CURRICULUM_DIR / "g1-2").glob("*.yaml"))
GRADES_3_5 = sorted((CURRICULUM_DIR / "g3-5").glob("*.yaml"))
TEACHER_LED = GRADES_1_2 + GRADES_3_5
READ_ALOUD_BLOCKS = {"text", "tip", "scenario", "do_dont", "trusted_adult"}


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_syllables_are_the_words_of_the_vietnamese_text():
    assert syllables("<p>Em hỏi <b>người lớn</b> trước.</p>") == 5
    assert syllables("111 , miễn phí") == 3


def _id(path):
    return f"{path.parent.name}-{path.stem}"


@pytest.mark.parametrize("path", TEACHER_LED, ids=_id)
def test_teacher_led_lesson_takes_the_time_it_says(path):
    timing = module_timing(_load(path))
    assert timing.problems() == []
    assert timing.total_minutes <= MAX_TEACHER_LED_MINUTES


def test_a_grade_3_5_module_prints_a_pupils_own_time_and_claiming_less_is_caught():
    """Grades 3-5 pupils also read alone: the printed time is theirs, not the
    teacher-led lesson's (35 minutes would tell a pupil on a phone the wrong
    thing), and it may not be less than their reading and quiz take."""
    data = _load(CURRICULUM_DIR / "g3-5" / "help.yaml")
    timing = module_timing(data)
    assert not timing.always_led
    assert timing.pupil_minutes <= timing.stated_minutes < timing.total_minutes
    data["estimated_minutes"] = timing.pupil_minutes - 1
    assert any("a pupil alone takes" in p for p in module_timing(data).problems())


def test_a_lesson_claiming_too_little_time_is_caught():
    data = _load(CURRICULUM_DIR / "g1-2" / "footprint.yaml")
    data["estimated_minutes"] = 15
    for lesson in data["lessons"]:
        for block in lesson["blocks"]:
            if block["type"] == "teacher_script":
                block["minutes"] = 1
    problems = module_timing(data).problems()
    assert any("says 15 min" in problem for problem in problems)
    assert any("syllables" in problem for problem in problems)


@pytest.mark.parametrize("path", TEACHER_LED, ids=_id)
def test_teacher_led_lesson_is_read_aloud_with_a_script_cards_and_a_sheet(path):
    data = _load(path)
    kinds_per_section = [
        {block["type"] for block in lesson["blocks"]} for lesson in data["lessons"]
    ]
    for kinds in kinds_per_section:
        assert kinds & READ_ALOUD_BLOCKS, "every section has text read aloud"
        assert "teacher_script" in kinds, "every section has a teacher's script"
    if path in GRADES_1_2:
        assert sum("picture" in kinds for kinds in kinds_per_section) >= 2
    assert any("do_dont" in kinds for kinds in kinds_per_section)
    assert sum("printable_worksheet" in kinds for kinds in kinds_per_section) == 1
    pictures = [
        block
        for lesson in data["lessons"]
        for block in lesson["blocks"]
        if block["type"] == "picture"
    ]
    assert all(len(p["alt"]["vi"]) >= 30 and p["alt"]["en"] for p in pictures)


def test_passphrase_examples_have_no_diacritics_and_the_double_negative_is_gone():
    for path in TEACHER_LED:
        text = path.read_text(encoding="utf-8")
        for example in re.findall(r"<b>([^<\s]+-[^<\s]+)</b>", text):
            assert example.isascii(), f"{path.name}: passphrase {example}"
        assert "không phải là không trung thực" not in text


def test_children_in_any_family_are_named_in_every_grade_1_2_module():
    for path in GRADES_1_2:
        texts = json.dumps(_load(path), ensure_ascii=False)
        assert "người lớn chăm sóc em" in texts, path.name


def test_timing_table_in_the_docs_is_current():
    expected = timing_markdown(teacher_led_band_timings(CURRICULUM_DIR))
    assert "g3-5-help |" in expected
    document = COVERAGE_DOCUMENT.read_text(encoding="utf-8")
    assert TIMING_BEGIN in document and TIMING_END in document
    start = document.index(TIMING_BEGIN)
    end = document.index(TIMING_END) + len(TIMING_END) + 1
    assert document[start:end] == expected, (
        "regenerate the lesson-timing table: "
        "content_cms.curriculum.timing.timing_markdown"
    )
