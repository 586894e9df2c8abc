"""Curriculum as data: read, check and load module files; write them back.

A module file (``content_cms/curriculum/<age band>/<topic>.yaml``) holds a module,
its lessons and its quiz, with every text in Vietnamese and English side by side.
Loading checks every file first (JSON Schema, then rules the schema cannot say,
such as "exactly one correct choice"), then loads them all in one transaction:
one bad file and nothing is loaded. Loading is idempotent: a module or quiz whose
file has not changed since the last load is left alone (no new revision, no new
quiz version), so editors' later changes in the CMS survive until the file changes.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.blocks import StreamValue
from wagtail.models import Locale

from content_cms.curriculum.pictures import (
    picture_image,
    picture_path,
    picture_problems,
)
from content_cms.curriculum.session_materials import (
    session_material_errors,
    session_materials_value,
)
from content_cms.errors import ContentError
from content_cms.models import (
    AgeBand,
    Audience,
    CatalogueIndexPage,
    FrameworkStrand,
    ModulePage,
    ParentCornerIndexPage,
    StaffCornerIndexPage,
    Topic,
)
from quizzes import validation
from quizzes.models import Choice, Question, Quiz

CURRICULUM_DIR = Path(__file__).resolve().parent
SCHEMA = json.loads((CURRICULUM_DIR / "schema.json").read_text(encoding="utf-8"))
LANGUAGES = ("vi", "en")
DEFAULT_SCENARIO_QUESTION = {"vi": "Em sẽ làm gì?", "en": "What would you do?"}
# Parents and staff are adults: a scenario without its own question asks them as
# adults ("anh/chị"), never with the pupils' "em".
ADULT_SCENARIO_QUESTION = {"vi": "Anh/chị sẽ làm gì?", "en": "What would you do?"}
INDEX_FOR_AUDIENCE = {
    Audience.PUPIL: CatalogueIndexPage,
    Audience.PARENT: ParentCornerIndexPage,
    Audience.TEACHER_STAFF: StaffCornerIndexPage,
}
QUIZ_SETTING_DEFAULTS = {
    "attempts_allowed": 0,
    "shuffle_questions": True,
    "shuffle_choices": True,
    "pool_size": 0,
}


@dataclass
class CurriculumDocument:
    path: Path
    data: dict

    @property
    def key(self) -> str:
        return self.data.get("key", "?")


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def curriculum_files(paths: list[str] | None = None) -> list[Path]:
    """Return the YAML files named (files or folders), or all the repo's files."""
    roots = [Path(p) for p in paths] if paths else [CURRICULUM_DIR]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(root.rglob("*.yaml")))
        else:
            files.append(root)
    return files


def _where(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _json_path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(file)"


def curriculum_read(path: Path) -> tuple[CurriculumDocument | None, list[str]]:
    """Parse one file and check it against the schema; return it and its errors."""
    where = _where(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        return None, [f"{where}: {_('not readable YAML')}: {error}"]
    if not isinstance(data, dict):
        return None, [f"{where}: {_('a module file must be a mapping')}"]
    document = CurriculumDocument(path=path, data=data)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        errors.append(
            f"{where}: module {document.key}: {_json_path(error.absolute_path)}: "
            f"{error.message}"
        )
    return document, errors


def _quiz_definition_for_checks(quiz: dict, language: str = "vi") -> dict:
    """Return a quiz file section in the snapshot shape the quiz rules read."""
    return {
        "settings": {"pool_size": quiz["settings"].get("pool_size", 0)},
        "questions": [
            {
                "type": q["type"],
                "prompt": q["prompt"][language],
                "scenario": (q.get("scenario") or {}).get(language, ""),
                "choices": [
                    {
                        "text": c["text"][language],
                        "is_correct": bool(c.get("correct")),
                        "correct_position": c.get("position"),
                        "feedback": c["feedback"][language],
                    }
                    for c in q["choices"]
                ],
            }
            for q in quiz["questions"]
        ],
    }


def curriculum_check_rules(document: CurriculumDocument) -> list[str]:
    """Return the errors the schema cannot see: answers, references to snippets."""
    data, key = document.data, document.key
    where = f"{_where(document.path)}: module {key}"
    errors = []
    known_bands = set(AgeBand.objects.values_list("code", flat=True))
    for index, code in enumerate(data["age_bands"]):
        if code not in known_bands:
            errors.append(
                f"{where}: age_bands[{index}]: {_('unknown age band')} {code}"
            )
    if not Topic.objects.filter(code=data["topic"]).exists():
        errors.append(f"{where}: topic: {_('unknown topic')} {data['topic']}")
    known_strands = {s.reference for s in FrameworkStrand.objects.all()}
    for index, reference in enumerate(data.get("frameworks", [])):
        if reference not in known_strands:
            errors.append(
                f"{where}: frameworks[{index}]: {_('unknown framework strand')} "
                f"{reference}"
            )
    for l_index, lesson in enumerate(data["lessons"]):
        for b_index, block in enumerate(lesson["blocks"]):
            if block["type"] == "scenario" and not any(
                c["good"] for c in block["choices"]
            ):
                errors.append(
                    f"{where}: lessons[{l_index}].blocks[{b_index}].choices: "
                    f"{_('a scenario needs at least one good choice')}"
                )
    errors.extend(session_material_errors(data, where))
    band = data["age_bands"][0]
    for name, field_path in _picture_names(data):
        path = picture_path(document.path, name, band)
        for problem in picture_problems(path):
            errors.append(f"{where}: {field_path}: {name}: {problem}")
    quiz = data.get("quiz")
    if quiz:
        for problem in validation.definition_problems(
            _quiz_definition_for_checks(quiz)
        ):
            item = (
                f"quiz {quiz['key']}"
                if problem.question_index is None
                else f"quiz {quiz['key']} question {problem.question_index + 1}"
            )
            field_path = (
                f"quiz.{problem.field}"
                if problem.question_index is None
                else f"quiz.questions[{problem.question_index}].{problem.field}"
            )
            errors.append(f"{where}: {item}: {field_path}: {problem.message}")
    return errors


def _picture_names(data: dict) -> list[tuple[str, str]]:
    """Return every picture file a module names, with where it names it."""
    names = []
    for l_index, lesson in enumerate(data["lessons"]):
        for b_index, block in enumerate(lesson["blocks"]):
            where = f"lessons[{l_index}].blocks[{b_index}]"
            if block["type"] == "picture":
                names.append((block["file"], f"{where}.file"))
            for t_index, task in enumerate(block.get("tasks") or []):
                if task.get("picture"):
                    names.append((task["picture"], f"{where}.tasks[{t_index}].picture"))
    return names


def curriculum_normalize(data: dict) -> dict:
    """Return a module's data with defaults filled in, as the loader stores it."""
    data = json.loads(json.dumps(data))
    data.setdefault("slug", data["key"])
    data.setdefault("frameworks", [])
    data["frameworks"] = sorted(data["frameworks"])
    default_question = (
        DEFAULT_SCENARIO_QUESTION
        if data["audience"] == "pupil"
        else ADULT_SCENARIO_QUESTION
    )
    for lesson in data["lessons"]:
        for block in lesson["blocks"]:
            if block["type"] == "scenario":
                block.setdefault("question", dict(default_question))
            if block["type"] == "trusted_adult":
                block.setdefault("show_hotline", True)
            if block["type"] == "printable_worksheet":
                for task in block["tasks"]:
                    task.setdefault("options", [])
    quiz = data.get("quiz")
    if quiz:
        quiz.setdefault("topic_code", data["topic"])
        quiz.setdefault("description", {"vi": "", "en": ""})
        for name, value in QUIZ_SETTING_DEFAULTS.items():
            quiz["settings"].setdefault(name, value)
        for question in quiz["questions"]:
            question.setdefault("difficulty", 1)
            question.setdefault("topic_code", "")
            question.setdefault("scenario", {"vi": "", "en": ""})
            question.setdefault("explanation", {"vi": "", "en": ""})
            for choice in question["choices"]:
                choice["correct"] = bool(choice.get("correct", False))
                choice.setdefault("position", None)
    return data


def _digest(data) -> str:
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- Loading ----------------------------------------------------------------------


def _block_raw(block: dict, language: str, pictures: dict) -> dict:
    kind = block["type"]
    if kind == "picture":
        kind = "image"
        value = {
            "image": pictures[block["file"]].pk,
            "alt": block["alt"][language],
            "caption": (block.get("caption") or {}).get(language, ""),
        }
    elif kind == "teacher_script":
        value = {
            "minutes": block["minutes"],
            "steps": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {"kind": step_kind, "text": text[language]},
                }
                for step in block["steps"]
                for step_kind, text in step.items()
            ],
        }
    elif kind == "do_dont":
        value = {
            side: [
                {"type": "item", "id": str(uuid.uuid4()), "value": card[language]}
                for card in block[side]
            ]
            for side in ("do", "dont")
        }
    elif kind == "printable_worksheet":
        value = {
            "title": block["title"][language],
            "intro": block["intro"][language],
            "tasks": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {
                        "kind": task["kind"],
                        "text": task["text"][language],
                        "image": (
                            pictures[task["picture"]].pk
                            if task.get("picture")
                            else None
                        ),
                        "options": [
                            {
                                "type": "item",
                                "id": str(uuid.uuid4()),
                                "value": option[language],
                            }
                            for option in task["options"]
                        ],
                    },
                }
                for task in block["tasks"]
            ],
        }
    elif kind == "text":
        value = block["html"][language]
    elif kind == "scenario":
        value = {
            "story": block["story"][language],
            "question": block["question"][language],
            "choices": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {
                        "text": c["text"][language],
                        "is_good_choice": c["good"],
                        "feedback": c["feedback"][language],
                    },
                }
                for c in block["choices"]
            ],
        }
    elif kind == "tip":
        value = {"message": block["message"][language]}
    elif kind == "trusted_adult":
        value = {
            "message": block["message"][language],
            "show_hotline": block["show_hotline"],
        }
    elif kind == "discussion":
        value = {
            "prompt": block["prompt"][language],
            "teacher_notes": (block.get("teacher_notes") or {}).get(language, ""),
        }
    else:  # video
        value = {
            "video": block["url"],
            "caption": (block.get("caption") or {}).get(language, ""),
            "transcript": (block.get("transcript") or {}).get(language, ""),
        }
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _lessons_value(lessons: list[dict], language: str, pictures: dict) -> StreamValue:
    stream_block = ModulePage._meta.get_field("lessons").stream_block
    raw = [
        {
            "type": "section",
            "id": str(uuid.uuid4()),
            "value": {
                "title": lesson["title"][language],
                "content": [
                    _block_raw(b, language, pictures) for b in lesson["blocks"]
                ],
            },
        }
        for lesson in lessons
    ]
    return StreamValue(stream_block, raw, is_lazy=True)


def _module_fill(
    page: ModulePage,
    data: dict,
    language: str,
    quiz: Quiz | None,
    pictures: dict,
):
    page.title = data["title"][language]
    page.summary = data["summary"][language]
    page.audience = data["audience"]
    page.topic = Topic.objects.get(code=data["topic"])
    page.estimated_minutes = data["estimated_minutes"]
    page.learning_objectives = "\n".join(o[language] for o in data["objectives"])
    page.lessons = _lessons_value(data["lessons"], language, pictures)
    page.quiz = quiz
    page.curriculum_key = data["key"]
    page.age_bands = list(AgeBand.objects.filter(code__in=data["age_bands"]))
    strands = [
        s for s in FrameworkStrand.objects.all() if s.reference in data["frameworks"]
    ]
    page.framework_strands = strands
    page.session_materials = session_materials_value(data, language)


def _quiz_fill(quiz: Quiz, data: dict, language: str) -> None:
    settings = data["settings"]
    quiz.title = data["title"][language]
    quiz.description = data["description"][language]
    quiz.topic_code = data["topic_code"]
    quiz.pass_mark_percent = settings["pass_mark"]
    quiz.attempts_allowed = settings["attempts_allowed"]
    quiz.shuffle_questions = settings["shuffle_questions"]
    quiz.shuffle_choices = settings["shuffle_choices"]
    quiz.pool_size = settings["pool_size"]
    quiz.mode = settings["mode"]
    quiz.curriculum_key = data["key"]
    # Reuse rows by position so question and choice ids stay stable across loads.
    existing = (
        list(quiz.questions.all().order_by("sort_order", "pk")) if quiz.pk else []
    )
    questions = []
    for index, item in enumerate(data["questions"]):
        question = existing[index] if index < len(existing) else Question()
        question.sort_order = index
        question.question_type = item["type"]
        question.difficulty = item["difficulty"]
        question.topic_code = item["topic_code"]
        question.scenario = item["scenario"][language]
        question.prompt = item["prompt"][language]
        question.explanation = item["explanation"][language]
        old_choices = (
            list(question.choices.all().order_by("sort_order", "pk"))
            if question.pk
            else []
        )
        choices = []
        for c_index, c_item in enumerate(item["choices"]):
            choice = old_choices[c_index] if c_index < len(old_choices) else Choice()
            choice.sort_order = c_index
            choice.text = c_item["text"][language]
            choice.is_correct = c_item["correct"]
            choice.correct_position = c_item["position"]
            choice.feedback = c_item["feedback"][language]
            choices.append(choice)
        question.choices = choices
        questions.append(question)
    quiz.questions = questions


def _publish_quiz(quiz: Quiz) -> None:
    quiz.save()
    quiz.save_revision().publish()


def _quiz_load(data: dict, locales: dict[str, Locale]) -> tuple[Quiz, bool]:
    digest = _digest(data)
    source = Quiz.objects.filter(
        locale=locales["vi"], curriculum_key=data["key"]
    ).first()
    translation = source.get_translation_or_none(locales["en"]) if source else None
    if (
        source is not None
        and source.curriculum_digest == digest
        and source.live
        and translation is not None
        and translation.live
    ):
        return source, False
    if source is None:
        source = Quiz(locale=locales["vi"], live=False)
    _quiz_fill(source, data, "vi")
    source.curriculum_digest = digest
    _publish_quiz(source)
    if translation is None:
        translation = Quiz(
            locale=locales["en"], translation_key=source.translation_key, live=False
        )
    _quiz_fill(translation, data, "en")
    translation.curriculum_digest = digest
    _publish_quiz(translation)
    return source, True


def _module_load(
    document: CurriculumDocument, locales: dict[str, Locale], report: LoadReport
) -> None:
    data = curriculum_normalize(document.data)
    quiz, quiz_changed = (
        _quiz_load(data["quiz"], locales) if data.get("quiz") else (None, False)
    )
    pictures = {
        name: picture_path(document.path, name, data["age_bands"][0])
        for name, _where in _picture_names(data)
    }
    # A redrawn picture reloads the module; a module without pictures keeps the
    # digest it always had.
    digest = (
        _digest([data, {n: _file_digest(p) for n, p in sorted(pictures.items())}])
        if pictures
        else _digest(data)
    )
    page = ModulePage.objects.filter(
        locale=locales["vi"], curriculum_key=data["key"]
    ).first()
    translation = page.get_translation_or_none(locales["en"]) if page else None
    if (
        page is not None
        and page.curriculum_digest == digest
        and page.live
        and translation is not None
        and translation.live
        and not quiz_changed
    ):
        report.unchanged.append(data["key"])
        return
    pictures = {name: picture_image(path) for name, path in pictures.items()}
    created = page is None
    if created:
        parent = (
            INDEX_FOR_AUDIENCE[data["audience"]]
            .objects.filter(locale=locales["vi"])
            .first()
        )
        page = ModulePage(slug=data["slug"], locale=locales["vi"])
        _module_fill(page, data, "vi", quiz, pictures)
        page.curriculum_digest = digest
        parent.add_child(instance=page)
    else:
        page = page.specific
        _module_fill(page, data, "vi", quiz, pictures)
        page.curriculum_digest = digest
    page.save_revision().publish()
    if translation is None:
        translation = page.copy_for_translation(locales["en"])
    translation = translation.specific
    _module_fill(translation, data, "en", quiz, pictures)
    translation.curriculum_digest = digest
    translation.save_revision().publish()
    (report.created if created else report.updated).append(data["key"])


def curriculum_load(*, paths: list[str] | None = None) -> LoadReport:
    """Check every file, then load them all in one transaction.

    Raises ``ContentError`` listing every problem (file, item, field) when any file
    is wrong; nothing is loaded then.
    """
    from content_cms.services import cms_setup

    files = curriculum_files(paths)
    documents, errors = [], []
    for path in files:
        document, file_errors = curriculum_read(path)
        errors.extend(file_errors)
        if document is not None and not file_errors:
            errors.extend(curriculum_check_rules(document))
            documents.append(document)
    seen: dict[str, Path] = {}
    for document in documents:
        if document.key in seen:
            errors.append(
                f"{_where(document.path)}: module {document.key}: key: "
                + _("the same key is used by %(other)s")
                % {"other": _where(seen[document.key])}
            )
        seen[document.key] = document.path
    if errors:
        raise ContentError("\n".join(errors), code="curriculum_invalid")
    report = LoadReport()
    with transaction.atomic():
        cms_setup()
        locales = {code: Locale.objects.get(language_code=code) for code in LANGUAGES}
        for document in documents:
            _module_load(document, locales, report)
    return report
