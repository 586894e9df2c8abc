"""Adults' modules: the session guide and take-home sheet load and print as PDFs."""

import copy
import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext

from content_cms.curriculum.loader import (
    CURRICULUM_DIR,
    CurriculumDocument,
    curriculum_check_rules,
)
from content_cms.curriculum.session_materials import (
    session_materials_value as _materials_value,
)
from content_cms.models import ModulePage
from content_cms.session_pdf import session_guide_pdf, take_home_pdf
from tests.factories import SchoolClassFactory, login_verified, make_pupil, make_teacher

pytestmark = pytest.mark.django_db

CAREGIVERS = CURRICULUM_DIR / "staff" / "care-facility-caregivers.yaml"
PUPIL_MODULE = CURRICULUM_DIR / "g6-9" / "ai.yaml"


def _page(key: str, language: str = "vi") -> ModulePage:
    return ModulePage.objects.get(curriculum_key=key, locale__language_code=language)


@pytest.fixture
def loaded():
    call_command("load_curriculum", str(CAREGIVERS), str(PUPIL_MODULE))


def test_the_guide_and_sheet_load_in_both_languages(loaded):
    vi = _page("staff-care-facility-caregivers", "vi").session_materials
    en = _page("staff-care-facility-caregivers", "en").session_materials
    assert vi["guide"]["minutes"] == 50
    assert sum(step["minutes"] for step in vi["guide"]["steps"]) == 50
    assert "111" in " ".join(vi["take_home"]["contacts"])
    assert en["take_home"]["title"].startswith("Keeping children safe online")


def test_staff_get_both_pdfs(client, loaded):
    teacher = make_teacher(SchoolClassFactory())
    login_verified(client, teacher)
    page = _page("staff-care-facility-caregivers")
    for name in ("content_cms:session_guide_pdf", "content_cms:take_home_pdf"):
        response = client.get(reverse(name, args=[page.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.getvalue().startswith(b"%PDF")
    page_html = client.get(page.url)
    assert reverse("content_cms:session_guide_pdf", args=[page.pk]) in (
        page_html.content.decode()
    )


def test_the_pdfs_follow_the_module_page_rule(client, loaded):
    page = _page("staff-care-facility-caregivers")
    url = reverse("content_cms:session_guide_pdf", args=[page.pk])
    assert client.get(url).status_code == 404  # staff modules need a sign-in
    pupil = make_pupil(SchoolClassFactory(grade=7))
    client.force_login(pupil)
    assert client.get(url).status_code == client.get(page.url).status_code
    pupil_page = _page("g6-9-ai")
    teacher = make_teacher(SchoolClassFactory())
    login_verified(client, teacher)
    assert (
        client.get(
            reverse("content_cms:take_home_pdf", args=[pupil_page.pk])
        ).status_code
        == 404
    )


def test_steps_that_do_not_add_up_are_refused():
    data = yaml.safe_load(CAREGIVERS.read_text(encoding="utf-8"))
    wrong = copy.deepcopy(data)
    wrong["session_guide"]["steps"][0]["minutes"] += 5
    errors = curriculum_check_rules(CurriculumDocument(path=CAREGIVERS, data=wrong))
    expected = gettext("the steps add up to %(planned)s minutes, not %(minutes)s") % {
        "planned": 55,
        "minutes": 50,
    }
    assert any(expected in error for error in errors)


def test_a_pupil_module_may_not_carry_a_session_guide():
    data = yaml.safe_load(PUPIL_MODULE.read_text(encoding="utf-8"))
    caregivers = yaml.safe_load(CAREGIVERS.read_text(encoding="utf-8"))
    data["session_guide"] = caregivers["session_guide"]
    data["take_home"] = caregivers["take_home"]
    errors = curriculum_check_rules(CurriculumDocument(path=PUPIL_MODULE, data=data))
    expected = gettext(
        "only adults' modules have a session guide and a take-home sheet"
    )
    assert any(expected in error for error in errors)


ADULT_FILES = sorted(
    [
        *(CURRICULUM_DIR / "parents").glob("*.yaml"),
        *(CURRICULUM_DIR / "staff").glob("*.yaml"),
    ]
)


@pytest.mark.parametrize(
    "path", ADULT_FILES, ids=lambda p: p.stem + "@" + p.parent.name
)
def test_every_adult_module_has_a_timed_guide_and_a_one_page_sheet(path):
    """Whoever runs a session needs a plan that fits 45-60 minutes, and every
    family goes home with one page naming 111."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    guide, sheet = data.get("session_guide"), data.get("take_home")
    assert guide and sheet, "an adults' module needs a session guide and a sheet"
    assert 45 <= guide["minutes"] <= 60
    assert sum(step["minutes"] for step in guide["steps"]) == guide["minutes"]
    assert any("111" in contact["vi"] for contact in sheet["contacts"])
    for language in ("vi", "en"):
        values = _materials_value(data, language)
        page = ModulePage(
            title=data["title"][language],
            summary=data["summary"][language],
            session_materials=values,
        )
        pdf = take_home_pdf(module=page)
        assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 1, (
            f"the {language} take-home sheet runs over one A4 page"
        )
        assert session_guide_pdf(module=page).startswith(b"%PDF")
