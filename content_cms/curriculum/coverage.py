"""What the curriculum files cover: counts and the band x topic table.

Reads the YAML files only (no database), so the same figures feed the coverage
document (``manage.py curriculum_report``) and the tests that keep the curriculum
complete and the document current.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from content_cms.curriculum.loader import CURRICULUM_DIR, curriculum_files
from content_cms.curriculum.timing import teacher_led_timings, timing_markdown

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
QUESTION_TYPES = [
    "single_choice",
    "multiple_select",
    "true_false",
    "ordering",
    "scenario_choice",
]
FRAMEWORK_LABELS = {
    "moet_safety": "MOET",
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
    )


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
    cells = {(band, s.topic): s for s in pupils for band in s.age_bands}

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
    for topic in TOPICS:
        row = [topic]
        for band in PUPIL_BANDS:
            summary = cells.get((band, topic))
            row.append(
                f"`{summary.key}` ({_frameworks_cell(summary)})"
                if summary
                else "**missing**"
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
    # The grade 1-2 lessons' timing, generated by its own module (timing.py).
    timing = timing_markdown(teacher_led_timings(CURRICULUM_DIR / "g1-2"))
    return "\n".join(lines) + "\n\n" + timing


COVERAGE_DOCUMENT = CURRICULUM_DIR.parent.parent / "docs" / "curriculum.md"
