"""Item quality of the question bank: the figures, the limits and the rule breaks.

Reads the curriculum files only (no database). The same figures feed the gate
(``tests/content_cms/test_item_quality.py``, one test per band) and the section of
docs/curriculum.md that ``manage.py curriculum_report --write`` regenerates, so
the page always shows the numbers the gate judged.

Why these rules: a pupil who has learnt nothing can still pass a quiz whose key
leaks through its form. The issue found the correct option was the longest one in
74 % of single-choice items, "Sai" keyed in 72 % of true/false items, and the
correct option the only one naming an adult or 111 in 48 % of items. Each rule
below closes one of those leaks; the limits are written in ``LIMITS`` and in the
page, and the rules for what counts as "longest" or "naming help" are here:

- **Longest**: the correct option of a single-choice or scenario item counts as
  the longest when it has more than ``LONGER_BY`` (15 %) more characters than the
  longest wrong option, in Vietnamese or in English. Options within 15 % of each
  other are "comparable"; a reader cannot tell them apart by length.
- **Naming help**: an option names help when it mentions a trusted adult (parent,
  carer, teacher, counsellor), 111/113/156/5656, the police, or reporting
  (``HELP_WORDS``). The cue leaks when the correct option names help and no wrong
  option does.
- **True/false balance**: the share of true/false items keyed "Sai" (False).
- **Own feedback**: every option has a non-empty feedback of its own (no two
  options of one item share the same feedback text).
- **Ordering and help**: in an ordering item, a step that turns to a person for
  help (a trusted adult, 111, the police: ``names_a_helper``; reporting inside an
  app is a step of its own) is not put last, unless the lesson teaches it last:
  one of the module's numbered lists (``<ol>``) in the lessons ends with such a
  step. Telling a trusted adult is taught early in every threat sequence (stop,
  tell, keep evidence, report and block), so an item that puts it last by habit
  teaches the wrong order.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from content_cms.curriculum.loader import curriculum_files

BANDS = ["g1-2", "g3-5", "g6-9", "g10-12", "parents", "staff"]
PUPIL_BANDS = ["g1-2", "g3-5", "g6-9", "g10-12"]
CHOICE_TYPES = ("single_choice", "scenario_choice")
LONGER_BY = 0.15
MIN_ITEMS_PER_PUPIL_MODULE = 12
MIN_ITEMS_IN_BANK = 500
LIMITS = {
    "longest": 0.35,  # at most, per band and type
    "false_key_low": 0.40,  # true/false keyed "Sai": from ...
    "false_key_high": 0.60,  # ... to, per band
    "only_help": 0.25,  # at most, per band and type
}
HELP_WORDS = {
    "vi": (
        "người lớn",
        "bố mẹ",
        "cha mẹ",
        "bố hoặc mẹ",
        "ba mẹ",
        "phụ huynh",
        "người chăm sóc",
        "thầy cô",
        "giáo viên",
        "cô giáo",
        "thầy giáo",
        "giáo viên chủ nhiệm",
        "tư vấn",
        "công an",
        "111",
        "113",
        "156",
        "5656",
        "báo cáo",
        "tố cáo",
        "trình báo",
        "kể với",
        "kể cho",
        "nói với",
        "nhờ",
    ),
    "en": (
        "adult",
        "parent",
        "mum",
        "dad",
        "carer",
        "guardian",
        "teacher",
        "counsellor",
        "police",
        "111",
        "113",
        "156",
        "5656",
        "report",
        "tell ",
        "ask for help",
    ),
}
# In an ordering item "getting help" means turning to a person: reporting inside
# an app is a step of its own that often, rightly, comes last.
REPORTING_WORDS = {
    "vi": ("báo cáo", "tố cáo", "trình báo"),
    "en": ("report",),
}
FALSE_WORDS = {"sai", "false"}


def names_help(text: str, language: str) -> bool:
    """Say whether an option's text names a trusted adult, a hotline or reporting."""
    lowered = f" {text.lower()} "
    return any(word in lowered for word in HELP_WORDS[language])


def names_a_helper(text: str, language: str) -> bool:
    """Say whether a step turns to a person for help: an adult, 111, the police."""
    lowered = f" {text.lower()} "
    return any(
        word in lowered
        for word in HELP_WORDS[language]
        if word not in REPORTING_WORDS[language]
    )


@dataclass
class ItemFinding:
    """What the gate saw in one item, and which rules it breaks."""

    module: str
    band: str
    number: int  # 1-based, as editors count
    kind: str
    longest: dict = field(default_factory=dict)  # language -> bool
    only_help: bool = False
    keyed_false: bool | None = None
    missing_feedback: bool = False
    help_last: bool = False

    @property
    def where(self) -> str:
        return f"{self.module} question {self.number} ({self.kind})"


def _correct_longest(choices: list[dict], language: str) -> bool:
    correct = [len(c["text"][language]) for c in choices if c.get("correct")]
    wrong = [len(c["text"][language]) for c in choices if not c.get("correct")]
    if not correct or not wrong:
        return False
    return correct[0] > max(wrong) * (1 + LONGER_BY)


def _only_correct_names_help(choices: list[dict]) -> bool:
    correct = [c for c in choices if c.get("correct")]
    wrong = [c for c in choices if not c.get("correct")]
    if not correct or not wrong:
        return False
    return names_help(correct[0]["text"]["vi"], "vi") and not any(
        names_help(c["text"]["vi"], "vi") for c in wrong
    )


def _lesson_teaches_help_last(data: dict) -> bool:
    """Say whether one of the lessons' numbered lists ends with getting help."""
    for lesson in data.get("lessons", []):
        for block in lesson.get("blocks", []):
            html = (block.get("html") or {}).get("vi", "")
            for numbered in re.findall(r"<ol>(.*?)</ol>", html, flags=re.S):
                steps = re.findall(r"<li>(.*?)</li>", numbered, flags=re.S)
                if steps and names_a_helper(re.sub("<[^>]+>", "", steps[-1]), "vi"):
                    return True
    return False


def item_findings(data: dict) -> list[ItemFinding]:
    """Return the findings for every quiz item of one module file."""
    quiz = data.get("quiz") or {}
    band = (data.get("age_bands") or ["?"])[0]
    help_last_taught = _lesson_teaches_help_last(data)
    findings = []
    for number, question in enumerate(quiz.get("questions", []), start=1):
        choices = question["choices"]
        kind = question["type"]
        finding = ItemFinding(module=data["key"], band=band, number=number, kind=kind)
        feedbacks = [(c.get("feedback") or {}).get("vi", "").strip() for c in choices]
        finding.missing_feedback = not all(feedbacks) or len(set(feedbacks)) < len(
            feedbacks
        )
        if kind in CHOICE_TYPES:
            finding.longest = {
                language: _correct_longest(choices, language)
                for language in ("vi", "en")
            }
            finding.only_help = _only_correct_names_help(choices)
        elif kind == "true_false":
            correct = [c for c in choices if c.get("correct")]
            finding.keyed_false = bool(correct) and (
                correct[0]["text"]["vi"].strip().lower() in FALSE_WORDS
            )
        elif kind == "ordering":
            last = max(choices, key=lambda c: c.get("position") or 0)
            finding.help_last = (
                names_a_helper(last["text"]["vi"], "vi") and not help_last_taught
            )
        findings.append(finding)
    return findings


@dataclass
class BandFigures:
    """The gate's figures for one band, with the rule breaks behind them."""

    band: str
    modules: int = 0
    items: int = 0
    per_type: dict = field(default_factory=lambda: defaultdict(int))
    longest: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    only_help: dict = field(default_factory=lambda: defaultdict(int))
    true_false: int = 0
    keyed_false: int = 0
    missing_feedback: list = field(default_factory=list)
    help_last: list = field(default_factory=list)
    small_pools: list = field(default_factory=list)

    def share(self, count: int, kind: str) -> float:
        total = self.per_type.get(kind, 0)
        return count / total if total else 0.0

    @property
    def false_share(self) -> float:
        return self.keyed_false / self.true_false if self.true_false else 0.0

    def problems(self) -> list[str]:
        """Return every broken limit or rule, in words an editor can act on."""
        problems = []
        for kind in CHOICE_TYPES:
            for index, language in enumerate(("vi", "en")):
                share = self.share(self.longest[kind][index], kind)
                if share > LIMITS["longest"]:
                    problems.append(
                        f"{self.band} {kind}: correct option longest in "
                        f"{share:.0%} ({language}), limit {LIMITS['longest']:.0%}"
                    )
            share = self.share(self.only_help[kind], kind)
            if share > LIMITS["only_help"]:
                problems.append(
                    f"{self.band} {kind}: only the correct option names help in "
                    f"{share:.0%}, limit {LIMITS['only_help']:.0%}"
                )
        if self.true_false and not (
            LIMITS["false_key_low"] <= self.false_share <= LIMITS["false_key_high"]
        ):
            problems.append(
                f"{self.band} true_false: keyed 'Sai' in {self.false_share:.0%}, "
                f"allowed {LIMITS['false_key_low']:.0%}-"
                f"{LIMITS['false_key_high']:.0%}"
            )
        problems += [
            f"{where}: an option has no feedback of its own"
            for where in self.missing_feedback
        ]
        problems += [
            f"{where}: getting help is last, but the lesson does not teach it last"
            for where in self.help_last
        ]
        problems += self.small_pools
        return problems


def _pool_problems(data: dict) -> list[str]:
    """Return why a pupil module's quiz cannot give a retake different questions."""
    if data.get("audience") != "pupil":
        return []
    quiz = data.get("quiz") or {}
    count = len(quiz.get("questions", []))
    pool = (quiz.get("settings") or {}).get("pool_size") or 0
    problems = []
    if count < MIN_ITEMS_PER_PUPIL_MODULE:
        problems.append(
            f"{data['key']}: {count} items, a pupil module needs at least "
            f"{MIN_ITEMS_PER_PUPIL_MODULE}"
        )
    if not pool or pool * 2 > count:
        problems.append(
            f"{data['key']}: draws {pool or count} of {count} items; a retake shows "
            "different questions only when the draw is at most half the pool"
        )
    return problems


def band_figures(paths: list[str] | None = None) -> dict[str, BandFigures]:
    """Return the figures of every band found in the curriculum files."""
    figures: dict[str, BandFigures] = {}
    for path in curriculum_files(paths):
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        band = (data.get("age_bands") or ["?"])[0]
        band_figure = figures.setdefault(band, BandFigures(band=band))
        band_figure.modules += 1
        band_figure.small_pools += _pool_problems(data)
        for finding in item_findings(data):
            band_figure.items += 1
            band_figure.per_type[finding.kind] += 1
            if finding.kind in CHOICE_TYPES:
                band_figure.longest[finding.kind][0] += finding.longest["vi"]
                band_figure.longest[finding.kind][1] += finding.longest["en"]
                band_figure.only_help[finding.kind] += finding.only_help
            if finding.keyed_false is not None:
                band_figure.true_false += 1
                band_figure.keyed_false += finding.keyed_false
            if finding.missing_feedback:
                band_figure.missing_feedback.append(finding.where)
            if finding.help_last:
                band_figure.help_last.append(finding.where)
    return figures


def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


QUALITY_BEGIN = "<!-- item-quality: begin (generated) -->"
QUALITY_END = "<!-- item-quality: end -->"


def quality_markdown(figures: dict[str, BandFigures]) -> str:
    """Return the item-quality section of docs/curriculum.md, between markers."""
    ordered = [figures[b] for b in BANDS if b in figures] + [
        f for b, f in sorted(figures.items()) if b not in BANDS
    ]
    lines = [
        QUALITY_BEGIN,
        "## Item quality",
        "",
        "Checked by `tests/content_cms/test_item_quality.py`, one test per band; "
        "the rules are in `content_cms/curriculum/quality.py`.",
        "",
        f"- **Longest**: the correct option of a single-choice or scenario item is "
        f"longer than every wrong option by more than {_percent(LONGER_BY)} of "
        "characters, in Vietnamese or English. At most "
        f"{_percent(LIMITS['longest'])} per band and type.",
        "- **Only help**: the correct option is the only one naming a trusted adult, "
        "111/113/156/5656, the police or reporting. At most "
        f"{_percent(LIMITS['only_help'])} per band and type.",
        f'- **Keyed Sai**: true/false items whose answer is "Sai" (False): '
        f"{_percent(LIMITS['false_key_low'])} to {_percent(LIMITS['false_key_high'])}"
        " per band.",
        "- **Own feedback**: every option has a feedback of its own (none missing, "
        "none shared within an item).",
        "- **Help last**: an ordering item puts a step that turns to a person for "
        "help (a trusted adult, 111, the police) last only when the lesson teaches "
        "it last (a numbered list in the module's lessons ends with it); reporting "
        "inside an app may come last. Why: in a threat (bullying, grooming, "
        "sextortion, scam calls) the lessons teach stop, tell a trusted adult, "
        "keep evidence, report and block; a child who waits to tell until every "
        "other step is done is alone for longest.",
        "- **Pools**: every pupil module has at least "
        f"{MIN_ITEMS_PER_PUPIL_MODULE} items and draws at most half of them, so a "
        "retake shows questions not seen before (the draw prefers unseen "
        "questions, `quizzes/drawing.py`).",
        "",
        "| band | modules | items | longest, single (vi/en) | longest, scenario "
        "(vi/en) | only help, single / scenario | true/false keyed Sai | "
        "own feedback missing | help last | pool problems |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for figure in ordered:
        single, scenario = CHOICE_TYPES

        def longest(kind, figure=figure):
            vi, en = figure.longest[kind]
            return (
                f"{_percent(figure.share(vi, kind))} / "
                f"{_percent(figure.share(en, kind))} of {figure.per_type[kind]}"
            )

        lines.append(
            f"| {figure.band} | {figure.modules} | {figure.items} | "
            f"{longest(single)} | {longest(scenario)} | "
            f"{_percent(figure.share(figure.only_help[single], single))} / "
            f"{_percent(figure.share(figure.only_help[scenario], scenario))} | "
            f"{_percent(figure.false_share)} of {figure.true_false} | "
            f"{len(figure.missing_feedback)} | {len(figure.help_last)} | "
            f"{len(figure.small_pools)} |"
        )
    total = sum(figure.items for figure in ordered)
    lines += [
        "",
        f"Items in the bank: **{total}** (at least {MIN_ITEMS_IN_BANK} wanted).",
        QUALITY_END,
    ]
    return "\n".join(lines) + "\n"
