"""Catalogue API: audience visibility, language, and no answers for clients."""

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from content_cms.curriculum.loader import CURRICULUM_DIR
from content_cms.models import Audience
from tests.content_cms.factories import build_module
from tests.factories import SchoolClassFactory, make_pupil, make_teacher

pytestmark = pytest.mark.django_db

# Two complete modules are enough here; loading all of them is tested once.
SAMPLE_MODULES = [
    str(CURRICULUM_DIR / "g1-2" / "privacy.yaml"),
    str(CURRICULUM_DIR / "g6-9" / "scams.yaml"),
]


@pytest.fixture
def modules():
    call_command("load_curriculum", *SAMPLE_MODULES)
    build_module(title="Goc phu huynh", slug="goc-ph", audience=Audience.PARENT)


def _titles(response):
    return {item["title"] for item in response.json()["results"]}


def test_anonymous_callers_see_only_parent_modules(client, modules):
    response = client.get("/api/catalogue/modules/")
    assert response.status_code == 200
    assert _titles(response) == {"Goc phu huynh"}


def test_staff_see_all_and_can_filter(client, modules):
    client.force_login(make_teacher(SchoolClassFactory()))
    assert len(_titles(client.get("/api/catalogue/modules/"))) == 3
    filtered = client.get("/api/catalogue/modules/", {"age_band": "g6-9"})
    assert _titles(filtered) == {"Tỉnh táo trước lừa đảo và tin giả"}
    by_audience = client.get("/api/catalogue/modules/", {"audience": "parent"})
    assert _titles(by_audience) == {"Goc phu huynh"}


def test_module_detail_has_lessons_and_a_quiz_without_answers(client, modules):
    client.force_login(make_pupil(SchoolClassFactory(grade=7)))
    listing = client.get("/api/catalogue/modules/", {"topic": "scams"}).json()
    module_id = listing["results"][0]["id"]
    detail = client.get(f"/api/catalogue/modules/{module_id}/").json()
    assert len(detail["lessons"]) == 3
    block_types = {b["type"] for s in detail["lessons"] for b in s["blocks"]}
    assert {"text", "scenario", "tip", "trusted_adult"} <= block_types
    quiz = detail["quiz"]
    # A quiz draws part of its pool, so a retake shows other questions.
    drawn = yaml.safe_load((CURRICULUM_DIR / "g6-9" / "scams.yaml").read_text())
    assert (
        quiz["question_count"]
        == drawn["quiz"]["settings"]["pool_size"]
        < len(drawn["quiz"]["questions"])
    )
    text = str(quiz)
    assert "is_correct" not in text and "feedback" not in text
    assert "correct_position" not in text and "explanation" not in text


def test_hidden_module_detail_is_not_found_for_anonymous(client, modules):
    client.force_login(make_pupil(SchoolClassFactory(grade=7)))
    module_id = client.get("/api/catalogue/modules/", {"topic": "scams"}).json()[
        "results"
    ][0]["id"]
    client.logout()
    assert client.get(f"/api/catalogue/modules/{module_id}/").status_code == 404


def test_english_titles_with_the_english_cookie(client, modules):
    client.force_login(make_pupil(SchoolClassFactory(grade=7)))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    titles = _titles(client.get("/api/catalogue/modules/", {"topic": "scams"}))
    assert titles == {"Staying sharp: scams and fake news"}


def test_schema_documents_the_catalogue(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert "/api/catalogue/modules/{module_id}/" in response.content.decode()
