"""Write modules back to curriculum files (the inverse of the loader).

Blocks that need uploaded files (images uploaded in the CMS, worksheet documents)
have no place in a file and are left out; pictures that came from the curriculum's
own SVG files (image titles ``curriculum:<path>``) are written back as their file
names. Everything else round-trips: loading an exported file changes nothing.
"""

from pathlib import Path

import yaml
from wagtail.models import Locale

from content_cms.curriculum.loader import CURRICULUM_DIR
from content_cms.curriculum.pictures import picture_name_for
from content_cms.errors import ContentError
from content_cms.models import ModulePage
from quizzes.models import Quiz

FILE_BLOCKS = {
    "text",
    "scenario",
    "tip",
    "trusted_adult",
    "discussion",
    "video",
    "image",
    "teacher_script",
    "do_dont",
    "printable_worksheet",
}


def _pair(vi: str, en: str) -> dict:
    return {"vi": vi, "en": en}


def _optional_pair(vi: str, en: str) -> dict | None:
    return _pair(vi, en) if (vi or en) else None


def _items(values: list) -> list:
    """Return a list block's values (stored with or without their item wrappers)."""
    return [v["value"] if isinstance(v, dict) and "value" in v else v for v in values]


def _picture_export(a: dict, b: dict, pictures: dict[int, str]) -> dict | None:
    name = pictures.get(a.get("image"))
    if name is None:
        return None  # an image uploaded in the CMS: no file to name
    block = {"type": "picture", "file": name, "alt": _pair(a["alt"], b["alt"])}
    caption = _optional_pair(a.get("caption", ""), b.get("caption", ""))
    if caption:
        block["caption"] = caption
    return block


def _teaching_block_export(kind: str, a: dict, b: dict, pictures) -> dict:
    if kind == "teacher_script":
        steps = [
            {sa["kind"]: _pair(sa["text"], sb["text"])}
            for sa, sb in zip(_items(a["steps"]), _items(b["steps"]), strict=False)
        ]
        return {"type": kind, "minutes": a["minutes"], "steps": steps}
    if kind == "do_dont":
        return {
            "type": kind,
            **{
                side: [
                    _pair(x, y)
                    for x, y in zip(_items(a[side]), _items(b[side]), strict=False)
                ]
                for side in ("do", "dont")
            },
        }
    tasks = []
    for ta, tb in zip(_items(a["tasks"]), _items(b["tasks"]), strict=False):
        task = {"kind": ta["kind"], "text": _pair(ta["text"], tb["text"])}
        if ta.get("image") in pictures:
            task["picture"] = pictures[ta["image"]]
        options = [
            _pair(x, y)
            for x, y in zip(
                _items(ta.get("options") or []),
                _items(tb.get("options") or []),
                strict=False,
            )
        ]
        if options:
            task["options"] = options
        tasks.append(task)
    return {
        "type": kind,
        "title": _pair(a["title"], b["title"]),
        "intro": _pair(a["intro"], b["intro"]),
        "tasks": tasks,
    }


def _block_export(vi: dict, en: dict, pictures: dict[int, str]) -> dict | None:
    kind, a, b = vi["type"], vi["value"], en["value"]
    if kind not in FILE_BLOCKS:
        return None
    if kind == "image":
        return _picture_export(a, b, pictures)
    if kind in ("teacher_script", "do_dont", "printable_worksheet"):
        return _teaching_block_export(kind, a, b, pictures)
    if kind == "text":
        return {"type": kind, "html": _pair(a, b)}
    if kind == "scenario":
        choices = []
        for choice_vi, choice_en in zip(a["choices"], b["choices"], strict=False):
            cv = choice_vi.get("value", choice_vi)
            ce = choice_en.get("value", choice_en)
            choices.append(
                {
                    "text": _pair(cv["text"], ce["text"]),
                    "good": bool(cv.get("is_good_choice")),
                    "feedback": _pair(cv["feedback"], ce["feedback"]),
                }
            )
        return {
            "type": kind,
            "story": _pair(a["story"], b["story"]),
            "question": _pair(a["question"], b["question"]),
            "choices": choices,
        }
    if kind == "tip":
        return {"type": kind, "message": _pair(a["message"], b["message"])}
    if kind == "trusted_adult":
        return {
            "type": kind,
            "message": _pair(a["message"], b["message"]),
            "show_hotline": bool(a.get("show_hotline")),
        }
    if kind == "discussion":
        block = {"type": kind, "prompt": _pair(a["prompt"], b["prompt"])}
        notes = _optional_pair(a.get("teacher_notes", ""), b.get("teacher_notes", ""))
        if notes:
            block["teacher_notes"] = notes
        return block
    block = {"type": kind, "url": a["video"]}
    for name in ("caption", "transcript"):
        text = _optional_pair(a.get(name, ""), b.get(name, ""))
        if text:
            block[name] = text
    return block


def _quiz_export(source: Quiz, translation: Quiz) -> dict:
    questions = []
    en_questions = list(translation.questions.all().order_by("sort_order", "pk"))
    for question, question_en in zip(
        source.questions.all().order_by("sort_order", "pk"), en_questions, strict=False
    ):
        en_choices = list(question_en.choices.all().order_by("sort_order", "pk"))
        choices = []
        source_choices = question.choices.all().order_by("sort_order", "pk")
        for choice, choice_en in zip(source_choices, en_choices, strict=False):
            item = {
                "text": _pair(choice.text, choice_en.text),
                "correct": choice.is_correct,
                "position": choice.correct_position,
                "feedback": _pair(choice.feedback, choice_en.feedback),
            }
            choices.append(item)
        questions.append(
            {
                "type": question.question_type,
                "difficulty": question.difficulty,
                "topic_code": question.topic_code,
                "scenario": _pair(question.scenario, question_en.scenario),
                "prompt": _pair(question.prompt, question_en.prompt),
                "explanation": _pair(question.explanation, question_en.explanation),
                "choices": choices,
            }
        )
    return {
        "key": source.curriculum_key or f"quiz-{source.pk}",
        "title": _pair(source.title, translation.title),
        "description": _pair(source.description, translation.description),
        "topic_code": source.topic_code,
        "settings": {
            "pass_mark": source.pass_mark_percent,
            "attempts_allowed": source.attempts_allowed,
            "shuffle_questions": source.shuffle_questions,
            "shuffle_choices": source.shuffle_choices,
            "pool_size": source.pool_size,
            "mode": source.mode,
        },
        "questions": questions,
    }


def _picture_names(lessons, band: str) -> dict[int, str]:
    """Return the curriculum pictures a module shows: image id -> file name."""
    from wagtail.images import get_image_model

    ids = set()
    for section in lessons:
        for block in section["value"]["content"]:
            value = block["value"]
            if block["type"] == "image":
                ids.add(value.get("image"))
            for task in (
                _items(value.get("tasks") or []) if isinstance(value, dict) else []
            ):
                ids.add(task.get("image"))
    ids.discard(None)
    titles = get_image_model().objects.filter(pk__in=ids).values_list("pk", "title")
    names = {pk: picture_name_for(title, band) for pk, title in titles}
    return {pk: name for pk, name in names.items() if name}


def module_export(*, page: ModulePage) -> dict:
    """Return a module (Vietnamese source and its English translation) as file data.

    Texts missing in English are written with the Vietnamese text, so the file
    stays valid; a translator then replaces them.
    """
    source = page.get_translation_or_none(Locale.get_default()) or page
    source = source.specific
    english = Locale.objects.filter(language_code="en").first()
    translation = (source.get_translation_or_none(english) if english else None) or (
        source
    )
    translation = translation.specific
    vi_lessons = source.lessons.raw_data
    band = source.age_bands.order_by("sort_order").values_list("code", flat=True)
    pictures = _picture_names(vi_lessons, (band.first() or ""))
    en_lessons = translation.lessons.raw_data
    lessons = []
    for section_vi, section_en in zip(vi_lessons, en_lessons, strict=False):
        blocks = [
            exported
            for block_vi, block_en in zip(
                section_vi["value"]["content"],
                section_en["value"]["content"],
                strict=False,
            )
            if (exported := _block_export(block_vi, block_en, pictures)) is not None
        ]
        lessons.append(
            {
                "title": _pair(
                    section_vi["value"]["title"], section_en["value"]["title"]
                ),
                "blocks": blocks,
            }
        )
    data = {
        "format": 1,
        "key": source.curriculum_key or source.slug,
        "slug": source.slug,
        "audience": source.audience,
        "age_bands": [b.code for b in source.age_bands.order_by("sort_order")],
        "topic": source.topic.code if source.topic else "",
        "estimated_minutes": source.estimated_minutes,
        "frameworks": sorted(s.reference for s in source.framework_strands.all()),
        "title": _pair(source.title, translation.title),
        "summary": _pair(source.summary, translation.summary),
        "objectives": [
            _pair(vi, en)
            for vi, en in zip(source.objectives, translation.objectives, strict=False)
        ],
        "lessons": lessons,
    }
    if source.quiz is not None:
        quiz = source.quiz
        quiz_en = (quiz.get_translation_or_none(english) if english else None) or quiz
        data["quiz"] = _quiz_export(quiz, quiz_en)
    return data


def module_export_yaml(*, page: ModulePage) -> str:
    return yaml.safe_dump(
        module_export(page=page), allow_unicode=True, sort_keys=False, width=88
    )


def module_export_path(*, page: ModulePage) -> Path:
    """Return where a module's file lives: <first age band>/<key>.yaml."""
    data = module_export(page=page)
    if not data["age_bands"]:
        raise ContentError("module has no age band")
    return CURRICULUM_DIR / data["age_bands"][0] / f"{data['key']}.yaml"
