"""Curriculum files: checked first, loaded in one transaction, idempotent."""

from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision

from content_cms.curriculum.export import module_export
from content_cms.curriculum.loader import (
    CURRICULUM_DIR,
    curriculum_files,
    curriculum_normalize,
)
from content_cms.models import ModulePage
from quizzes.models import Quiz, QuizVersion

pytestmark = pytest.mark.django_db

PRIVACY = CURRICULUM_DIR / "g1-2" / "privacy.yaml"


def _counts():
    return (
        Page.objects.count(),
        Revision.objects.count(),
        QuizVersion.objects.count(),
    )


def test_repo_files_load_in_both_languages_and_reloading_changes_nothing():
    call_command("load_curriculum")
    files = len(curriculum_files())
    modules = ModulePage.objects.exclude(curriculum_key="")
    assert modules.filter(locale__language_code="vi", live=True).count() == files
    assert modules.filter(locale__language_code="en", live=True).count() == files
    quizzes = Quiz.objects.filter(live=True)
    assert quizzes.filter(locale__language_code="vi").count() == files
    assert quizzes.filter(locale__language_code="en").count() == files
    types = {
        question["type"]
        for version in QuizVersion.objects.all()
        for question in version.snapshot["questions"]
    }
    assert types == {
        "single_choice",
        "multiple_select",
        "true_false",
        "ordering",
        "scenario_choice",
    }
    before = _counts()
    call_command("load_curriculum")
    assert _counts() == before


def test_a_changed_file_updates_in_place_with_one_new_version(tmp_path):
    call_command("load_curriculum", str(PRIVACY))
    data = yaml.safe_load(PRIVACY.read_text(encoding="utf-8"))
    data["quiz"]["questions"][0]["prompt"]["vi"] = "Câu hỏi mới?"
    changed = tmp_path / "privacy.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    pages_before = Page.objects.count()
    call_command("load_curriculum", str(changed))
    assert Page.objects.count() == pages_before
    quiz = Quiz.objects.get(
        curriculum_key="g1-2-privacy-quiz", locale__language_code="vi"
    )
    numbers = list(quiz.versions.values_list("number", flat=True))
    assert sorted(numbers) == [1, 2]
    v1 = quiz.versions.get(number=1)
    assert v1.snapshot["questions"][0]["prompt"] != "Câu hỏi mới?"


def test_export_round_trips():
    call_command("load_curriculum", str(PRIVACY))
    page = ModulePage.objects.get(
        curriculum_key="g1-2-privacy", locale__language_code="vi"
    )
    original = yaml.safe_load(PRIVACY.read_text(encoding="utf-8"))
    assert curriculum_normalize(module_export(page=page)) == curriculum_normalize(
        original
    )


def _broken(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(PRIVACY.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _assert_nothing_loaded(paths, *expected):
    before = _counts()
    with pytest.raises(CommandError) as error:
        call_command("load_curriculum", *[str(p) for p in paths])
    message = str(error.value)
    for text in expected:
        assert text in message
    assert _counts() == before
    assert not ModulePage.objects.filter(curriculum_key="g6-9-scams").exists()


def test_missing_field_names_file_item_and_field(tmp_path):
    path = _broken(tmp_path, lambda d: d.pop("summary"))
    scams = CURRICULUM_DIR / "g6-9" / "scams.yaml"
    _assert_nothing_loaded([scams, path], "broken.yaml", "g1-2-privacy", "summary")


def test_two_correct_answers_in_single_choice_are_refused(tmp_path):
    def two_correct(data):
        for choice in data["quiz"]["questions"][0]["choices"]:
            choice["correct"] = True

    path = _broken(tmp_path, two_correct)
    scams = CURRICULUM_DIR / "g6-9" / "scams.yaml"
    _assert_nothing_loaded(
        [scams, path], "broken.yaml", "question 1", "quiz.questions[0].choices"
    )


def test_bad_yaml_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("key: [unclosed\n  title: x", encoding="utf-8")
    scams = CURRICULUM_DIR / "g6-9" / "scams.yaml"
    _assert_nothing_loaded([scams, path], "bad.yaml", "YAML")


def test_unknown_age_band_is_refused(tmp_path):
    path = _broken(tmp_path, lambda d: d.update(age_bands=["g99"]))
    _assert_nothing_loaded([path], "broken.yaml", "age_bands[0]", "g99")
