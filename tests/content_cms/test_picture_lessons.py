"""Teacher-led picture lessons: pictures, the teacher's script, cards, worksheets.

A grade 1-2 module carries the project's own SVG pictures (loaded once into Wagtail
images), a script the teacher reads from (never shown to a pupil), "do / don't"
cards and a worksheet printed as a PDF at ``<module>/phieu-hoc-tap.pdf`` for
exactly those who may open the module. A grade 3-5 module, which a teacher leads
too, carries the same script, cards and worksheet, and some of the same pictures.
"""

import io
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils.html import escape
from django.utils.translation import override
from pypdf import PdfReader
from wagtail.images import get_image_model

from content_cms.curriculum.export import module_export
from content_cms.curriculum.loader import (
    CURRICULUM_DIR,
    curriculum_normalize,
)
from content_cms.curriculum.pictures import picture_problems, svg_problems
from content_cms.models import ModulePage
from tests.factories import SchoolClassFactory, make_pupil, make_teacher

pytestmark = pytest.mark.django_db

FOOTPRINT = CURRICULUM_DIR / "g1-2" / "footprint.yaml"
PICTURES = CURRICULUM_DIR / "g1-2" / "pictures"
GRADES_3_5 = sorted((CURRICULUM_DIR / "g3-5").glob("*.yaml"))
URL = "/bai-hoc/g1-2-footprint/"


@pytest.fixture
def footprint():
    call_command("load_curriculum", str(FOOTPRINT))


def _pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def test_pictures_load_once_as_images_and_show_with_alt_text(footprint, client):
    images = get_image_model().objects.filter(title__startswith="curriculum:")
    names = {image.title for image in images}
    assert "curriculum:g1-2/pictures/footprints-sand.svg" in names
    count = images.count()
    call_command("load_curriculum", str(FOOTPRINT))
    assert images.count() == count, "reloading adds no image"

    client.force_login(make_teacher(SchoolClassFactory(grade=1)))
    body = client.get(URL).content.decode()
    tags = re.findall(r"<img [^>]*>", body)
    svg_tags = [tag for tag in tags if ".svg" in tag]
    assert len(svg_tags) == 4
    assert all('alt=""' not in tag and "alt=" in tag for tag in svg_tags)
    assert "Bãi cát vàng có một hàng dấu chân" in body


def test_a_module_file_kept_elsewhere_shows_its_bands_pictures(footprint, tmp_path):
    images = get_image_model().objects.filter(title__startswith="curriculum:")
    count = images.count()
    data = yaml.safe_load(FOOTPRINT.read_text(encoding="utf-8"))
    data["title"]["vi"] = "Dấu chân của em (bản nháp)"
    draft = tmp_path / "footprint.yaml"
    draft.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    call_command("load_curriculum", str(draft))
    assert images.count() == count, "the draft reuses the band's pictures"
    page = ModulePage.objects.get(
        curriculum_key="g1-2-footprint", locale__language_code="vi"
    )
    assert page.title == "Dấu chân của em (bản nháp)"


def test_the_teachers_script_is_kept_from_pupils_and_shown_to_teachers(
    footprint, client
):
    script = "Trò chơi: cả lớp đứng lên"
    school_class = SchoolClassFactory(grade=1)
    client.force_login(make_teacher(school_class))
    teacher_page = client.get(URL).content.decode()
    assert script in teacher_page
    assert "Kịch bản cho giáo viên" in teacher_page or "Teacher" in teacher_page

    client.force_login(make_pupil(school_class))
    pupil_page = client.get(URL).content.decode()
    assert script not in pupil_page
    # The cards and the read-aloud text are the pupils' part of the lesson.
    assert "Hỏi bạn: “Tớ đăng ảnh này được không?”" in pupil_page
    assert "data-read-aloud" in pupil_page


@pytest.mark.parametrize("path", GRADES_3_5, ids=lambda p: p.stem)
def test_a_grade_3_5_lesson_shows_every_sections_script_to_teachers_only(path, client):
    """A teacher leads grades 3-5 too: every section's script, never to a pupil."""
    call_command("load_curriculum", str(path))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    url = f"/bai-hoc/{data['key']}/"
    scripts = [
        [escape(text["vi"]) for step in block["steps"] for text in step.values()]
        for lesson in data["lessons"]
        for block in lesson["blocks"]
        if block["type"] == "teacher_script"
    ]
    assert len(scripts) == len(data["lessons"])
    school_class = SchoolClassFactory(grade=4)
    client.force_login(make_teacher(school_class))
    teacher_page = client.get(url).content.decode()
    assert all(step in teacher_page for steps in scripts for step in steps)

    client.force_login(make_pupil(school_class))
    pupil_page = client.get(url).content.decode()
    assert pupil_page.count("data-read-aloud") >= len(data["lessons"])
    assert not [step for steps in scripts for step in steps if step in pupil_page]
    # The pupil may print the lesson's worksheet, in the lesson's words.
    sheet = client.get(url + "phieu-hoc-tap.pdf")
    assert sheet.status_code == 200
    (worksheet,) = [
        block
        for lesson in data["lessons"]
        for block in lesson["blocks"]
        if block["type"] == "printable_worksheet"
    ]
    assert worksheet["title"]["vi"] in _pdf_text(sheet.getvalue())


def test_the_worksheet_is_a_pdf_in_the_pages_language(footprint, client):
    client.force_login(make_pupil(SchoolClassFactory(grade=2)))
    response = client.get(URL + "phieu-hoc-tap.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.getvalue())
    assert "Phiếu học tập: Dấu chân của em" in text
    assert "Hỏi bạn trước khi đăng ảnh có bạn." in text
    assert "111" in text

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(URL + "phieu-hoc-tap.pdf")
    assert english.status_code == 200
    assert "Worksheet: Your footprints" in _pdf_text(english.getvalue())


def test_the_worksheet_is_open_only_to_those_who_may_open_the_module(footprint, client):
    pdf = URL + "phieu-hoc-tap.pdf"
    anonymous = client.get(pdf)
    assert anonymous.status_code == 302
    assert "/dang-nhap/" in anonymous["Location"]

    # A pupil of grade 7: a grade 1-2 lesson is refused kindly, and so is its sheet.
    client.force_login(make_pupil(SchoolClassFactory(grade=7)))
    refused = client.get(pdf)
    assert refused.status_code == 403
    assert "application/pdf" not in refused["Content-Type"]

    client.force_login(make_teacher(SchoolClassFactory(grade=7)))
    assert client.get("/bai-hoc/khong-co-bai-nay/phieu-hoc-tap.pdf").status_code == 404


def test_a_module_without_a_worksheet_answers_404(client):
    call_command("load_curriculum", str(CURRICULUM_DIR / "g6-9" / "scams.yaml"))
    client.force_login(make_teacher(SchoolClassFactory(grade=7)))
    assert client.get("/bai-hoc/g6-9-scams/phieu-hoc-tap.pdf").status_code == 404


def test_picture_lessons_round_trip_through_export(footprint):
    page = ModulePage.objects.get(
        curriculum_key="g1-2-footprint", locale__language_code="vi"
    )
    original = yaml.safe_load(FOOTPRINT.read_text(encoding="utf-8"))
    assert curriculum_normalize(module_export(page=page)) == curriculum_normalize(
        original
    )


@pytest.mark.parametrize(
    "picture", sorted(PICTURES.glob("*.svg")), ids=lambda p: p.stem
)
def test_every_picture_is_safe_flat_svg(picture):
    assert picture_problems(picture) == []


@override("en")
def test_unsafe_or_missing_pictures_are_refused():
    problems = svg_problems(
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<script>alert(1)</script><text x="1" y="5">Hi</text>'
        b'<rect x="0" y="0" width="5" height="5" onclick="x()"/></svg>'
    )
    assert "element <script> is not allowed" in problems
    assert "element <text> is not allowed" in problems
    assert "attribute onclick of <rect> is not allowed" in problems
    assert picture_problems(PICTURES / "no-such-picture.svg") == [
        "no such picture file"
    ]
    assert picture_problems(FOOTPRINT.parents[3] / "manage.py") == [
        "the picture is outside the curriculum folder"
    ]


@override("en")
def test_a_module_naming_a_missing_picture_loads_nothing(tmp_path):
    data = yaml.safe_load(FOOTPRINT.read_text(encoding="utf-8"))
    data["lessons"][0]["blocks"][0]["file"] = "pictures/no-such-picture.svg"
    broken = tmp_path / "footprint.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load_curriculum", str(broken))
    message = str(error.value)
    assert "lessons[0].blocks[0].file" in message
    assert "no such picture file" in message
    assert not ModulePage.objects.filter(curriculum_key__startswith="g1-2").exists()


def test_pictures_are_the_projects_own_with_a_licence():
    licence = (PICTURES / "LICENCE.md").read_text(encoding="utf-8")
    assert "Original drawings made for this project" in licence
    assert Path(PICTURES).is_dir()
