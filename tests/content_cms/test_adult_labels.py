"""Adult modules speak to adults: no pupil's "em" in the labels of their pages."""

import pytest
import yaml
from django.core.management import call_command

from content_cms.curriculum.loader import CURRICULUM_DIR, curriculum_normalize
from content_cms.models import Audience, ModulePage
from tests.content_cms.factories import build_module
from tests.factories import SchoolClassFactory, make_teacher

pytestmark = pytest.mark.django_db

PUPIL_LABELS = ("Em sẽ làm gì?", "Em sẽ học", "Em hãy nghĩ lại nhé.")


def scenario_lessons():
    scenario = (
        "scenario",
        {
            "story": "Một tin nhắn lạ gửi đến.",
            "question": "Nên làm gì?",
            "choices": [
                {"text": "Bỏ qua", "is_good_choice": False, "feedback": "Chưa ổn."},
                {"text": "Kiểm tra", "is_good_choice": True, "feedback": "Tốt."},
            ],
        },
    )
    return [("section", {"title": "Tình huống", "content": [scenario]})]


def test_a_parents_module_shows_adult_labels_and_a_pupils_module_the_pupils(client):
    build_module(
        title="Cha me tinh huong",
        slug="cha-me-tinh-huong",
        audience=Audience.PARENT,
        lessons=scenario_lessons(),
    )
    build_module(
        title="Hoc sinh tinh huong", slug="hs-tinh-huong", lessons=scenario_lessons()
    )
    response = client.get("/goc-phu-huynh/cha-me-tinh-huong/")
    assert response.status_code == 200, response.status_code
    parents = response.content.decode()
    assert "Một tin nhắn lạ gửi đến." in parents
    for label in PUPIL_LABELS:
        assert label not in parents, label

    client.force_login(make_teacher(SchoolClassFactory(grade=2)))
    pupils = client.get("/bai-hoc/hs-tinh-huong/").content.decode()
    assert "Em sẽ làm gì?" in pupils and "Em sẽ học" in pupils


def test_adult_scenarios_without_a_question_ask_the_adult_not_em():
    path = CURRICULUM_DIR / "staff" / "recognising-harm.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for lesson in data["lessons"]:
        for block in lesson["blocks"]:
            block.pop("question", None)
    normalized = curriculum_normalize(data)
    questions = [
        block["question"]["vi"]
        for lesson in normalized["lessons"]
        for block in lesson["blocks"]
        if block["type"] == "scenario"
    ]
    assert questions and all(not q.startswith("Em ") for q in questions)


def test_loaded_staff_module_page_has_no_pupil_labels(client):
    call_command(
        "load_curriculum", str(CURRICULUM_DIR / "staff" / "recognising-harm.yaml")
    )
    page = ModulePage.objects.get(
        curriculum_key="staff-recognising-harm", locale__language_code="vi"
    )
    client.force_login(make_teacher(SchoolClassFactory(grade=7)))
    response = client.get(page.url)
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    for label in PUPIL_LABELS:
        assert label not in body, label
