"""Structural rules over every curriculum file, and the coverage the plan asks for.

These read the repository's files, so a new or edited module that breaks a rule,
leaves a band x topic cell empty or drops a translation fails the suite.
"""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from content_cms.curriculum.coverage import (
    COVERAGE_DOCUMENT,
    PUPIL_BANDS,
    QUESTION_TYPES,
    TOPICS,
    coverage_markdown,
    curriculum_summaries,
)
from content_cms.curriculum.loader import (
    curriculum_check_rules,
    curriculum_files,
    curriculum_read,
)

FILES = curriculum_files()


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _translatable_texts(node, where="") -> list[tuple[str, dict]]:
    """Return every {vi, en} mapping in a module, with where it is."""
    found = []
    if isinstance(node, dict):
        if "vi" in node:
            found.append((where, node))
        for key, value in node.items():
            found.extend(_translatable_texts(value, f"{where}.{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_translatable_texts(value, f"{where}[{index}]"))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem + "@" + p.parent.name)
def test_module_file_passes_schema_and_quiz_rules(path):
    document, errors = curriculum_read(path)
    assert errors == []
    assert curriculum_check_rules(document) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem + "@" + p.parent.name)
def test_module_has_both_languages_everywhere(path):
    missing = [
        where
        for where, text in _translatable_texts(_load(path))
        if not str(text.get("vi") or "").strip()
        or not str(text.get("en") or "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem + "@" + p.parent.name)
def test_module_shape_fits_the_plan(path):
    data = _load(path)
    lessons = data["lessons"]
    assert 2 <= len(lessons) <= 4
    assert any(
        block["type"] == "scenario" for lesson in lessons for block in lesson["blocks"]
    ), "every module has at least one scenario"
    questions = data["quiz"]["questions"]
    assert len(questions) >= 6
    for question in questions:
        assert all(choice.get("feedback") for choice in question["choices"])
        correct = [c for c in question["choices"] if c.get("correct")]
        if question["type"] in ("single_choice", "scenario_choice", "true_false"):
            assert len(correct) == 1, question["prompt"]["vi"]
        if question["type"] == "true_false":
            assert len(question["choices"]) == 2
    assert len(data["objectives"]) >= 1


def test_every_pupil_band_and_topic_has_a_module():
    cells = {
        (band, summary.topic)
        for summary in curriculum_summaries()
        if summary.audience == "pupil"
        for band in summary.age_bands
    }
    missing = [
        (band, topic)
        for band in PUPIL_BANDS
        for topic in TOPICS
        if (band, topic) not in cells
    ]
    assert missing == []


def test_adults_have_their_own_modules():
    audiences = Counter(summary.audience for summary in curriculum_summaries())
    assert audiences["parent"] >= 4
    assert audiences["teacher_staff"] >= 4


def test_question_bank_is_large_and_uses_every_type():
    types = Counter()
    for summary in curriculum_summaries():
        types.update(summary.question_types)
    assert sum(types.values()) >= 250
    assert set(QUESTION_TYPES) <= {kind for kind, count in types.items() if count}


def test_keys_are_unique():
    keys = [summary.key for summary in curriculum_summaries()]
    assert len(keys) == len(set(keys))


def test_coverage_document_is_current():
    expected = coverage_markdown(curriculum_summaries())
    assert COVERAGE_DOCUMENT.read_text(encoding="utf-8") == expected, (
        "Run `python manage.py curriculum_report --write` and commit docs/curriculum.md"
    )


# Many children in Tây Ninh do not live with their parents, and "bố mẹ" is the
# northern word besides. Pupil lessons say "người lớn chăm sóc em", "người lớn em
# tin tưởng" or, where a parent is meant, the southern "ba mẹ" (docs/glossary.md);
# the law's "cha mẹ hoặc người giám hộ" is a different phrase and stays.
NORTHERN_PARENTS = re.compile(r"\bbố\s+mẹ\b", re.IGNORECASE)
PUPIL_FILES = [path for path in FILES if _load(path).get("audience") == "pupil"]


def _says_bo_me(data: dict) -> list[str]:
    """Return where a Vietnamese text says "bố mẹ", with the words around it."""
    found = []
    for where, text in _translatable_texts(data):
        vietnamese = text.get("vi")
        if not isinstance(vietnamese, str):
            continue
        for match in NORTHERN_PARENTS.finditer(vietnamese):
            around = vietnamese[max(0, match.start() - 50) : match.end() + 30]
            found.append(f"{where.lstrip('.')}: …{' '.join(around.split())}…")
    return found


def test_the_parent_word_check_finds_folded_and_capitalised_uses():
    data = {
        "summary": {"vi": "Hỏi ba mẹ hoặc người chăm sóc em.", "en": "Ask."},
        "lessons": [
            {"title": {"vi": "Bố mẹ giúp em", "en": "Help"}},
            {"blocks": [{"message": {"vi": "Kể với bố\n  mẹ nhé.", "en": "Tell."}}]},
        ],
    }
    found = _says_bo_me(data)
    assert [entry.split(":")[0] for entry in found] == [
        "lessons[0].title",
        "lessons[1].blocks[0].message",
    ]


@pytest.mark.parametrize(
    "path", PUPIL_FILES, ids=lambda p: p.stem + "@" + p.parent.name
)
def test_pupil_modules_do_not_say_bo_me(path):
    found = _says_bo_me(_load(path))
    assert found == [], (
        f"{path.parent.name}/{path.name} says “bố mẹ” where a child reads it; write "
        "“người lớn chăm sóc em”, “người lớn em tin tưởng” or, where a parent is "
        "meant, “ba mẹ” (docs/glossary.md):\n  " + "\n  ".join(found)
    )
