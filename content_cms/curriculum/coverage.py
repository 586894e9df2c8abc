"""What the curriculum files cover: counts and the band x topic table.

Reads the YAML files only (no database), so the same figures feed the coverage
document (``manage.py curriculum_report``) and the tests that keep the curriculum
complete and the document current.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from content_cms.curriculum.competences import (
    COMPETENCES,
    grades_label,
    levels_for_grades,
)
from content_cms.curriculum.competences import (
    FRAMEWORK as COMPETENCE_FRAMEWORK,
)
from content_cms.curriculum.facts import FACTS
from content_cms.curriculum.loader import CURRICULUM_DIR, curriculum_files
from content_cms.curriculum.quality import band_figures, quality_markdown
from content_cms.curriculum.timing import teacher_led_band_timings, timing_markdown

PUPIL_BANDS = ["g1-2", "g3-5", "g6-9", "g10-12"]
TOPICS = [
    "privacy",
    "passwords",
    "kindness",
    "strangers",
    "scams",
    "wellbeing",
    "help",
    "footprint",
]
# Topics a band may cover beyond the required ones (the plan's gaps).
EXTRA_TOPICS = ["ai"]
BAND_GRADES = {"g1-2": (1, 2), "g3-5": (3, 5), "g6-9": (6, 9), "g10-12": (10, 12)}
QUESTION_TYPES = [
    "single_choice",
    "multiple_select",
    "true_false",
    "ordering",
    "scenario_choice",
]
FRAMEWORK_LABELS = {
    "moet_digital": "MOET",
    "be_internet_awesome": "BIA",
    "common_sense": "CS",
    "connected_world": "EfCW",
}


@dataclass
class ModuleSummary:
    """One module file, reduced to what coverage needs."""

    path: Path
    key: str
    audience: str
    age_bands: list[str]
    topic: str
    title_vi: str
    title_en: str
    frameworks: list[str]
    lessons: int
    scenarios: int
    question_types: Counter = field(default_factory=Counter)
    text_vi: str = ""

    @property
    def questions(self) -> int:
        return sum(self.question_types.values())


def module_summary(path: Path, data: dict) -> ModuleSummary:
    quiz = data.get("quiz") or {}
    return ModuleSummary(
        path=path,
        key=data.get("key", path.stem),
        audience=data.get("audience", ""),
        age_bands=list(data.get("age_bands", [])),
        topic=data.get("topic", ""),
        title_vi=(data.get("title") or {}).get("vi", ""),
        title_en=(data.get("title") or {}).get("en", ""),
        frameworks=sorted(data.get("frameworks", [])),
        lessons=len(data.get("lessons", [])),
        scenarios=sum(
            1
            for lesson in data.get("lessons", [])
            for block in lesson.get("blocks", [])
            if block.get("type") == "scenario"
        ),
        question_types=Counter(q.get("type") for q in quiz.get("questions", [])),
        text_vi="\n".join(_vietnamese_texts(data)),
    )


def _vietnamese_texts(node) -> list[str]:
    """Return every Vietnamese string of a module, in file order."""
    if isinstance(node, dict):
        texts = [node["vi"]] if isinstance(node.get("vi"), str) else []
        for key, value in node.items():
            if key != "vi":
                texts.extend(_vietnamese_texts(value))
        return texts
    if isinstance(node, list):
        return [text for value in node for text in _vietnamese_texts(value)]
    return []


def curriculum_summaries(paths: list[str] | None = None) -> list[ModuleSummary]:
    """Return a summary of every curriculum file, in path order."""
    summaries = []
    for path in curriculum_files(paths):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        summaries.append(module_summary(path, data))
    return summaries


def _frameworks_cell(summary: ModuleSummary) -> str:
    frameworks = sorted(
        {FRAMEWORK_LABELS.get(ref.split(":")[0], ref) for ref in summary.frameworks}
    )
    return ", ".join(frameworks)


def coverage_markdown(summaries: list[ModuleSummary]) -> str:
    """Return docs/curriculum.md: counts, the band x topic table, every module."""
    pupils = [s for s in summaries if s.audience == "pupil"]
    parents = [s for s in summaries if s.audience == "parent"]
    staff = [s for s in summaries if s.audience not in ("pupil", "parent")]
    types = Counter()
    for summary in summaries:
        types.update(summary.question_types)
    cells: dict[tuple[str, str], list[ModuleSummary]] = {}
    for summary in pupils:
        for band in summary.age_bands:
            cells.setdefault((band, summary.topic), []).append(summary)

    lines = [
        "# Curriculum coverage",
        "",
        "Generated from `content_cms/curriculum/` by "
        "`python manage.py curriculum_report --write`; a test fails when this page "
        "and the files disagree. Vietnamese is the source of every module; every "
        "module has an English translation.",
        "",
        "## Counts",
        "",
        f"- Modules: **{len(summaries)}** ({len(pupils)} for pupils, "
        f"{len(parents)} for parents and caregivers, {len(staff)} for teachers "
        "and staff)",
        f"- Lesson sections: **{sum(s.lessons for s in summaries)}**, of which "
        f"scenarios: {sum(s.scenarios for s in summaries)}",
        f"- Quiz questions: **{sum(types.values())}**",
    ]
    for kind in QUESTION_TYPES:
        lines.append(f"  - {kind}: {types.get(kind, 0)}")
    lines += [
        "",
        "## Pupils: age band x topic",
        "",
        "Each cell names the module and the frameworks it maps to (MOET: Circular "
        "02/2025 digital competence, Safety domain; BIA: Be Internet Awesome; CS: "
        "Common Sense Digital Citizenship; EfCW: Education for a Connected World).",
        "",
        "| topic | " + " | ".join(PUPIL_BANDS) + " |",
        "| --- |" + " --- |" * len(PUPIL_BANDS),
    ]
    for topic in TOPICS + EXTRA_TOPICS:
        row = [topic]
        for band in PUPIL_BANDS:
            found = cells.get((band, topic), [])
            missing = "**missing**" if topic in TOPICS else "-"
            row.append(
                "<br>".join(f"`{s.key}` ({_frameworks_cell(s)})" for s in found)
                or missing
            )
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "## Every module",
        "",
        "| module | audience | topic | title | lessons | questions | frameworks |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for summary in sorted(summaries, key=lambda s: (s.audience, s.key)):
        lines.append(
            f"| `{summary.key}` | {summary.audience} | {summary.topic} | "
            f"{summary.title_vi} / {summary.title_en} | {summary.lessons} | "
            f"{summary.questions} | {', '.join(summary.frameworks)} |"
        )
    lines += _competence_lines(pupils) + _fact_lines(summaries)
    # The item-quality figures are read from the same files by the same function
    # the gate uses (quality.py), so the page shows what the gate judged.
    # The teacher-led lessons' timing (grades 1-5), generated by timing.py.
    timing = timing_markdown(teacher_led_band_timings(CURRICULUM_DIR))
    return (
        "\n".join(lines)
        + "\n\n"
        + quality_markdown(band_figures([str(s.path) for s in summaries]))
        + "\n\n"
        + timing
    )


def _competence_lines(pupils: list[ModuleSummary]) -> list[str]:
    """Return the Circular 02/2025 table: each pupil module's codes per grade."""
    names = {code: name_en for code, _name, name_en in COMPETENCES}
    prefix = f"{COMPETENCE_FRAMEWORK}:"
    lines = [
        "",
        "## Digital competences (MOET Circular 02/2025/TT-BGDĐT)",
        "",
        "Pupil modules name the circular's competence codes "
        "(`moet_digital:<code>`); the level follows from the grades of the age "
        "band: CB1 grades 1-3, CB2 grades 4-5, TC1 grades 6-7, TC2 grades 8-9, "
        "NC1 grades 10-12 (MOET Official Letter 3456/BGDĐT-GDPT). Adults' "
        "modules carry no code: the circular is a framework for learners. "
        "Sources are in the table of facts below.",
        "",
        "| module | grades | competences at the grade's level |",
        "| --- | --- | --- |",
    ]
    used = set()
    for summary in sorted(pupils, key=lambda s: s.key):
        codes = [
            ref[len(prefix) :] for ref in summary.frameworks if ref.startswith(prefix)
        ]
        used.update(codes)
        for band in summary.age_bands:
            first, last = BAND_GRADES[band]
            for level, grades in levels_for_grades(first, last):
                tagged = ", ".join(f"{code}.{level}" for code in codes) or "-"
                lines.append(
                    f"| `{summary.key}` | {grades_label(grades, 'en')} | {tagged} |"
                )
    lines += [
        "",
        "Codes used: "
        + "; ".join(f"{code} {names[code]}" for code in sorted(used))
        + ".",
    ]
    return lines


def _fact_lines(summaries: list[ModuleSummary]) -> list[str]:
    """Return the table of every legal or factual claim, its source and modules."""
    lines = [
        "",
        "## Facts and law, with sources",
        "",
        "Every legal or factual claim the modules make "
        "(`content_cms/curriculum/facts.py`); a test fails when a module cites a "
        "law the table does not hold or names Decree 13/2023 as the rule in force.",
        "",
        "| claim | law or instrument | article | date | source | modules |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for fact in FACTS:
        modules = [s.key for s in summaries if fact.matches(s.text_vi)]
        lines.append(
            f"| {fact.claim} | {fact.instrument} | {fact.provision} | {fact.date} | "
            f"{fact.source} | {', '.join(modules) or '-'} |"
        )
    return lines


COVERAGE_DOCUMENT = CURRICULUM_DIR.parent.parent / "docs" / "curriculum.md"
