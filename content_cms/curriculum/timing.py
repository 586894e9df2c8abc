"""How long a teacher-led lesson really takes: syllables read aloud, then minutes.

Vietnamese writes one syllable per word, so the syllables a teacher reads aloud are
the words of the Vietnamese texts of a section: the lesson text, tips, scenarios
(story, question, choices and their feedback), do/don't cards, the call-out to a
trusted adult, discussion prompts, the worksheet's instructions and the lines of
the teacher's script that are said or asked. A teacher reading to six-year-olds
manages about ``SYLLABLES_PER_MINUTE`` (the same pace is kept for grades 3-5, whose
lessons a teacher leads the same way); every section also needs time to look at
the pictures, talk and do the activity, at least ``ACTIVITY_MINUTES``. The quiz
takes a minute a question when the teacher reads it out.

A section's teacher's script states its minutes, which must cover its reading
and the activity, and a teacher-led lesson (the scripts plus the quiz) fits one
35-minute period. The bands with scripts are ``TEACHER_LED_BANDS``.

What the module's ``estimated_minutes`` (the time printed on it) means depends on
the band. Grades 1-2 are always led by a teacher: it must be the teacher-led
lesson's time, not a wish (those modules used to say 15 minutes for 18-32).
Grades 3-5 pupils also work through a module alone on a phone: there it is the
pupil's own time, which must cover their reading of the text they see (not the
script's lines) at ``PUPIL_SYLLABLES_PER_MINUTE`` plus a minute a quiz question;
the teacher finds the lesson's time in the scripts and in this table.
"""

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

SYLLABLES_PER_MINUTE = 65
ACTIVITY_MINUTES = 2
MAX_TEACHER_LED_MINUTES = 35
TEACHER_LED_BANDS = ("g1-2", "g3-5")
# The bands whose stated time is the teacher-led lesson's (never read alone).
ALWAYS_TEACHER_LED_BANDS = ("g1-2",)
# A pupil of grades 3-5 reading on their own, slowly and with the pictures.
PUPIL_SYLLABLES_PER_MINUTE = 90
TIMING_BEGIN = "<!-- lesson-timing: begin (generated) -->"
TIMING_END = "<!-- lesson-timing: end -->"


def syllables(text: str) -> int:
    """Return the number of spoken syllables (words) in a Vietnamese text or HTML."""
    plain = re.sub(r"<[^>]+>", " ", text)
    return sum(1 for word in plain.split() if re.search(r"\w", word))


def _read_aloud_texts(block: dict) -> list[str]:
    kind = block["type"]
    if kind == "text":
        return [block["html"]["vi"]]
    if kind in ("tip", "trusted_adult"):
        return [block["message"]["vi"]]
    if kind == "discussion":
        return [block["prompt"]["vi"]]
    if kind == "scenario":
        texts = [block["story"]["vi"], (block.get("question") or {}).get("vi", "")]
        for choice in block["choices"]:
            texts += [choice["text"]["vi"], choice["feedback"]["vi"]]
        return texts
    if kind == "do_dont":
        return [card["vi"] for card in block["do"] + block["dont"]]
    if kind == "printable_worksheet":
        return [block["intro"]["vi"]] + [task["text"]["vi"] for task in block["tasks"]]
    if kind == "teacher_script":
        return [
            text["vi"]
            for step in block["steps"]
            for step_kind, text in step.items()
            if step_kind in ("say", "ask")
        ]
    return []


@dataclass
class SectionTiming:
    title: str
    syllables: int
    minutes: int  # stated in the section's teacher's script (0: none)
    pupil_syllables: int = 0  # what a pupil reads alone (not the script's lines)

    @property
    def reading_minutes(self) -> float:
        return self.syllables / SYLLABLES_PER_MINUTE

    @property
    def honest(self) -> bool:
        return self.minutes >= math.ceil(self.reading_minutes) + ACTIVITY_MINUTES


@dataclass
class ModuleTiming:
    key: str
    stated_minutes: int
    sections: list[SectionTiming]
    quiz_minutes: int
    always_led: bool = True  # the stated time is the teacher-led lesson's

    @property
    def syllables(self) -> int:
        return sum(section.syllables for section in self.sections)

    @property
    def pupil_minutes(self) -> int:
        """A pupil's own time through the module: their reading and the quiz."""
        read = sum(section.pupil_syllables for section in self.sections)
        return math.ceil(read / PUPIL_SYLLABLES_PER_MINUTE) + self.quiz_minutes

    @property
    def total_minutes(self) -> int:
        return sum(section.minutes for section in self.sections) + self.quiz_minutes

    def problems(self) -> list[str]:
        """Return why the stated time is not the time the lesson takes."""
        problems = []
        for section in self.sections:
            if not section.minutes:
                problems.append(f"{self.key}: “{section.title}” has no script")
            elif not section.honest:
                problems.append(
                    f"{self.key}: “{section.title}” states {section.minutes} min for "
                    f"{section.syllables} syllables ({section.reading_minutes:.1f} min "
                    f"reading + {ACTIVITY_MINUTES} min activity)"
                )
        if self.always_led and self.stated_minutes != self.total_minutes:
            problems.append(
                f"{self.key}: says {self.stated_minutes} min, sections and quiz take "
                f"{self.total_minutes}"
            )
        if not self.always_led and self.stated_minutes < self.pupil_minutes:
            problems.append(
                f"{self.key}: says {self.stated_minutes} min, a pupil alone takes "
                f"{self.pupil_minutes} (reading and quiz)"
            )
        if self.total_minutes > MAX_TEACHER_LED_MINUTES:
            problems.append(
                f"{self.key}: {self.total_minutes} min, more than "
                f"{MAX_TEACHER_LED_MINUTES} for a teacher-led lesson"
            )
        return problems


def module_timing(data: dict) -> ModuleTiming:
    """Return the timing of one module file's data."""
    sections = []
    for lesson in data["lessons"]:
        minutes = sum(
            block["minutes"]
            for block in lesson["blocks"]
            if block["type"] == "teacher_script"
        )
        count = sum(
            syllables(text)
            for block in lesson["blocks"]
            for text in _read_aloud_texts(block)
        )
        pupil_count = sum(
            syllables(text)
            for block in lesson["blocks"]
            if block["type"] != "teacher_script"
            for text in _read_aloud_texts(block)
        )
        sections.append(
            SectionTiming(lesson["title"]["vi"], count, minutes, pupil_count)
        )
    quiz = data.get("quiz") or {}
    drawn = (quiz.get("settings") or {}).get("pool_size") or len(
        quiz.get("questions", [])
    )
    always_led = any(
        band in ALWAYS_TEACHER_LED_BANDS for band in data.get("age_bands", [])
    )
    return ModuleTiming(
        data["key"], data["estimated_minutes"], sections, drawn, always_led
    )


def teacher_led_timings(folder: Path) -> list[ModuleTiming]:
    """Return the timings of the modules in one band's folder."""
    return [
        module_timing(yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.yaml"))
    ]


def teacher_led_band_timings(curriculum_dir: Path) -> list[ModuleTiming]:
    """Return the timings of every teacher-led band's modules, band by band."""
    return [
        timing
        for band in TEACHER_LED_BANDS
        for timing in teacher_led_timings(curriculum_dir / band)
    ]


def timing_markdown(timings: list[ModuleTiming]) -> str:
    """Return the lesson-timing section of docs/curriculum.md, between markers."""
    lines = [
        TIMING_BEGIN,
        "## Grades 1-5: teacher-led lessons, timed",
        "",
        "Checked by `tests/content_cms/test_lesson_timing.py`; the rules are in "
        "`content_cms/curriculum/timing.py`. Syllables are the Vietnamese words the "
        "teacher reads aloud (lesson text, cards, scenarios with their feedback, the "
        "call-out, the worksheet's instructions, the script's *say* and *ask* lines); "
        f"reading at {SYLLABLES_PER_MINUTE} syllables a minute, plus at least "
        f"{ACTIVITY_MINUTES} minutes of pictures, talk and activity per section, plus "
        "a minute per quiz question drawn. At most "
        f"{MAX_TEACHER_LED_MINUTES} minutes. The time printed on a grades 1-2 module "
        "is the lesson's total; on a grades 3-5 module it is a pupil's own time "
        f"alone (reading what they see at {PUPIL_SYLLABLES_PER_MINUTE} syllables a "
        "minute, plus the quiz), since they also work through it on a phone.",
        "",
        "| module | syllables read aloud | reading (min) | sections (min) | quiz (min) "
        "| total, teacher-led (min) | printed (min) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for timing in timings:
        reading = sum(section.reading_minutes for section in timing.sections)
        parts = " + ".join(str(section.minutes) for section in timing.sections)
        lines.append(
            f"| {timing.key} | {timing.syllables:,} | {reading:.1f} | {parts} | "
            f"{timing.quiz_minutes} | {timing.total_minutes} | "
            f"{timing.stated_minutes} |"
        )
    lines.append(TIMING_END)
    return "\n".join(lines) + "\n"
