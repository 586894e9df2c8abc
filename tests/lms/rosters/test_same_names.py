"""Same-name pupils: two children called "Nguyễn Minh An" in one class.

Both get an account with the exact name and their own username; a re-import
matches by roster number (STT) and name; every list that shows names marks the
names that collide in it (with the roster number), and only those.
"""

import datetime
import io
import re

import pypdf
import pytest
from django.urls import reverse

from lms.errors import LmsError
from lms.learning.services import assignment_create
from lms.models import Enrolment, User
from lms.people.names import colliding_name_keys, name_collides
from lms.rosters.pupil_accounts import pupil_create
from lms.rosters.services import RowAction, roster_apply, roster_parse, roster_preview
from tests.factories import SchoolClassFactory, SchoolFactory, make_teacher
from tests.lms.learning_helpers import learning_module
from tests.lms.roster_helpers import xlsx_upload

pytestmark = pytest.mark.django_db

AN = "Nguyễn Minh An"
HEADING = ["STT", "Họ và tên", "Ngày sinh"]


@pytest.fixture
def school_class():
    school = SchoolFactory(name="Trường Tiểu học Kim Đồng")
    return SchoolClassFactory(school=school, name="5A")


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class, preferred_language="en")


def _plan(school_class, rows):
    parsed = roster_parse(file=xlsx_upload([HEADING, *rows]))
    return roster_preview(school_class=school_class, parsed=parsed)


def _enrol(school_class, name, number):
    credentials = pupil_create(
        display_name=name, school_class=school_class, roster_number=number
    )
    return User.objects.get(pk=credentials.pupil_id)


# --- The helper ----------


def test_colliding_names_ignore_case_and_spacing_and_skip_unique_names():
    same = colliding_name_keys([AN, "Trần Văn Bình", "nguyễn  minh an", ""])
    assert name_collides(AN, same)
    assert not name_collides("Trần Văn Bình", same)
    assert not name_collides("", same)


# --- Import ----------


def test_two_same_name_pupils_in_one_file_are_both_created(school_class, teacher):
    rows = [[3, AN, "01/02/2016"], [4, "Trần Văn Bình", ""], [7, AN, "09/10/2016"]]
    plan = _plan(school_class, rows)
    assert not plan.has_errors
    assert [row.action for row in plan.rows] == [RowAction.CREATE] * 3

    result = roster_apply(school_class=school_class, plan=plan, actor=teacher)

    ans = [c for c in result.created if c.display_name == AN]
    assert len(ans) == 2
    assert ans[0].username != ans[1].username
    assert all(re.fullmatch(r"an\.nguyen\d+", c.username) for c in ans)
    pupils = User.objects.filter(enrolments__school_class=school_class)
    # The exact name, no "(B)" or suffix of any kind.
    assert sorted(pupils.values_list("display_name", flat=True)) == [
        AN,
        AN,
        "Trần Văn Bình",
    ]
    assert sorted(
        Enrolment.objects.filter(
            school_class=school_class, pupil__display_name=AN
        ).values_list("roster_number", flat=True)
    ) == [3, 7]


def test_reimport_matches_by_number_and_name_and_says_whom(school_class, teacher):
    rows = [[3, AN, ""], [7, AN, ""]]
    roster_apply(
        school_class=school_class, plan=_plan(school_class, rows), actor=teacher
    )
    first = User.objects.get(enrolments__roster_number=3)
    users = User.objects.count()

    plan = _plan(school_class, rows)

    assert [row.action for row in plan.rows] == [RowAction.UNCHANGED] * 2
    assert [row.matched.roster_number for row in plan.rows] == [3, 7]
    assert plan.rows[0].matched.pupil_id == first.pk
    assert plan.rows[0].matched.description == (
        f"Đã có trong lớp: STT 3 {AN} (tên đăng nhập {first.username})"
    )
    result = roster_apply(school_class=school_class, plan=plan, actor=teacher)
    assert result.created == ()
    assert User.objects.count() == users


def test_same_name_under_another_number_is_a_new_pupil(school_class, teacher):
    existing = _enrol(school_class, AN, 3)
    plan = _plan(school_class, [[3, AN, ""], [12, AN, ""]])
    assert [row.action for row in plan.rows] == [
        RowAction.UNCHANGED,
        RowAction.CREATE,
    ]
    result = roster_apply(school_class=school_class, plan=plan, actor=teacher)
    assert [c.display_name for c in result.created] == [AN]
    assert result.created[0].username != existing.username
    assert User.objects.filter(display_name=AN).count() == 2


def test_same_number_under_another_name_is_a_conflict(school_class, teacher):
    existing = _enrol(school_class, AN, 12)
    users = User.objects.count()
    plan = _plan(school_class, [[12, "Lê Thu Hà", ""]])
    (row,) = plan.rows
    assert row.action == RowAction.ERROR
    assert [problem.code for problem in row.problems] == ["number_taken"]
    message = row.problems[0].message
    assert AN in message and existing.username in message and "Lê Thu Hà" in message
    with pytest.raises(LmsError):
        roster_apply(school_class=school_class, plan=plan, actor=teacher)
    assert User.objects.count() == users


def test_a_number_given_twice_in_the_file_is_an_error(school_class):
    plan = _plan(school_class, [[5, AN, ""], [5, "Lê Thu Hà", ""]])
    assert {code for row in plan.rows for code in (p.code for p in row.problems)} == {
        "duplicate_number"
    }


def test_a_list_without_numbers_matches_each_namesake_once(school_class, teacher):
    heading_only_names = ["Họ và tên"]
    parsed = roster_parse(file=xlsx_upload([heading_only_names, [AN], [AN]]))
    plan = roster_preview(school_class=school_class, parsed=parsed)
    roster_apply(school_class=school_class, plan=plan, actor=teacher)
    assert User.objects.filter(display_name=AN).count() == 2

    again = roster_preview(school_class=school_class, parsed=parsed)
    assert [row.action for row in again.rows] == [RowAction.UNCHANGED] * 2
    assert len({row.matched.pupil_id for row in again.rows}) == 2
    # A third An on the list is a third pupil.
    parsed = roster_parse(file=xlsx_upload([heading_only_names, [AN], [AN], [AN]]))
    third = roster_preview(school_class=school_class, parsed=parsed)
    assert [row.action for row in third.rows].count(RowAction.CREATE) == 1


def test_preview_page_names_the_pupil_matched(client, school_class, teacher):
    pupil = _enrol(school_class, AN, 12)
    client.force_login(teacher)
    upload = xlsx_upload([HEADING, [12, AN, ""], [13, AN, ""]])
    client.post(
        reverse("lms:roster_upload", kwargs={"class_id": school_class.pk}),
        {"file": upload},
    )
    html = client.get(
        reverse("lms:roster_preview", kwargs={"class_id": school_class.pk})
    ).content.decode()
    assert f"Already in the class: No. 12 {AN} (username {pupil.username})" in html


# --- Lists that show names ----------


@pytest.fixture
def namesakes(school_class):
    return [
        _enrol(school_class, AN, 3),
        _enrol(school_class, "Trần Văn Bình", 5),
        _enrol(school_class, AN, 7),
    ]


def _name_tags(html: str) -> list[str]:
    return re.findall(r'class="muted name-tag">\(([^)]*)\)', html)


def test_progress_grid_marks_only_the_colliding_names(
    client, school_class, teacher, namesakes
):
    assignment_create(
        actor=teacher,
        school_class=school_class,
        module=learning_module(),
        opens_on=datetime.date.today(),
    )
    client.force_login(teacher)
    html = client.get(
        reverse("lms:class_progress", kwargs={"class_id": school_class.pk})
    ).content.decode()
    assert _name_tags(html) == ["No. 3", "No. 7"]
    assert '<th scope="row">Trần Văn Bình</th>' in html


def test_class_page_and_cards_mark_only_the_colliding_names(
    client, school_class, teacher, namesakes
):
    client.force_login(teacher)
    page = client.get(reverse("lms:class_detail", kwargs={"class_id": school_class.pk}))
    assert _name_tags(page.content.decode()) == ["No. 3", "No. 7"]
    cards_url = reverse("lms:class_login_cards", kwargs={"class_id": school_class.pk})
    assert _name_tags(client.get(cards_url).content.decode()) == ["No. 3", "No. 7"]

    pdf = client.post(cards_url)
    reader = pypdf.PdfReader(io.BytesIO(pdf.getvalue()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # The cards are always Vietnamese: "STT".
    assert f"{AN} (STT 3)" in text
    assert f"{AN} (STT 7)" in text
    assert "Trần Văn Bình (" not in text


def test_a_name_without_namesake_is_never_marked(client, school_class, teacher):
    _enrol(school_class, AN, 3)
    _enrol(school_class, "Trần Văn Bình", 5)
    client.force_login(teacher)
    page = client.get(reverse("lms:class_detail", kwargs={"class_id": school_class.pk}))
    assert _name_tags(page.content.decode()) == []
