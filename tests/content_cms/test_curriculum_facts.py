"""Facts and law in the curriculum: current, sourced, and where they are taught.

Reads the repository's module files, so a module that cites a decree the register
(``content_cms/curriculum/facts.py``) does not hold, or teaches Decree 13/2023 as
the rule in force, fails the suite before a child or a teacher reads it.
"""

import pytest

from content_cms.curriculum.coverage import curriculum_summaries
from content_cms.curriculum.facts import CITATION, HISTORY_MARKERS, fact_for_citation

SUMMARIES = {summary.key: summary for summary in curriculum_summaries()}


def _texts(summary) -> list[str]:
    return summary.text_vi.split("\n")


@pytest.mark.parametrize("key", sorted(SUMMARIES))
def test_every_cited_instrument_is_in_the_register(key):
    cited = {
        number for text in _texts(SUMMARIES[key]) for number in CITATION.findall(text)
    }
    assert [n for n in sorted(cited) if fact_for_citation(n) is None] == []


@pytest.mark.parametrize("key", sorted(SUMMARIES))
def test_decree_13_2023_is_only_history(key):
    current = [
        text[:120]
        for text in _texts(SUMMARIES[key])
        if "13/2023" in text
        and not any(marker in text.lower() for marker in HISTORY_MARKERS)
    ]
    assert current == []


@pytest.mark.parametrize(
    "key", ["g6-9-scams", "g10-12-scams", "parents-scams-and-reporting"]
)
def test_scam_modules_name_the_reporting_numbers(key):
    text = SUMMARIES[key].text_vi
    assert "156" in text and "5656" in text and "111" in text


@pytest.mark.parametrize(
    "key", ["g6-9-privacy", "g6-9-wellbeing", "parents-guide-by-age"]
)
def test_account_and_game_modules_teach_decree_147(key):
    assert "147/2024" in SUMMARIES[key].text_vi


def test_no_module_uses_the_made_up_competence_slugs():
    slugs = [
        (summary.key, ref)
        for summary in SUMMARIES.values()
        for ref in summary.frameworks
        if ref.startswith("moet_safety:")
    ]
    assert slugs == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_help_page_keeps_evidence_before_blocking_in_every_app(language):
    """Block first and the messages are gone: every app's steps save them first."""
    from content_cms.site_content import APP_REPORTING

    evidence = ("Chụp màn hình", "Ghi lại") if language == "vi" else ("Take", "Note")
    block = "Chặn" if language == "vi" else "Block"
    for app, steps in APP_REPORTING[language]:
        kept = next(i for i, step in enumerate(steps) if step.startswith(evidence))
        blocked = next(i for i, step in enumerate(steps) if block in step)
        assert kept < blocked, (app, steps)
