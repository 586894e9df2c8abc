"""The live-quiz picker (/choi/tao/) as a teacher needs it: the quizzes of their
classes' age band first, the modules given to their classes at the top, every
quiz named with its module and band, and the staff and parents' quizzes last."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from content_cms.models import AgeBand, Audience
from lms.learning import services as learning_services
from quizzes.live.selectors import live_quiz_groups
from tests.content_cms.factories import build_module, build_quiz
from tests.factories import SchoolClassFactory, SchoolYearFactory, make_teacher
from tests.lms.learning_helpers import learning_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def class_5a():
    today = timezone.localdate()
    year = SchoolYearFactory(
        name="this year",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=200),
    )
    return SchoolClassFactory(name="5A", grade=5, school_year=year)


@pytest.fixture
def library():
    """Two quizzes with one title for two bands, others, and a staff module."""
    younger = learning_module(
        title="Người lạ trên mạng: dừng lại",
        slug="nguoi-la-g1-2",
        age_band="g1-2",
        quiz=build_quiz(title="Đố vui: Người lạ trên mạng"),
    )
    ours = learning_module(
        title="Người lạ trong trò chơi",
        slug="nguoi-la-g3-5",
        age_band="g3-5",
        quiz=build_quiz(title="Đố vui: Người lạ trên mạng"),
    )
    given = learning_module(title="Mật khẩu mạnh", slug="mat-khau", age_band="g3-5")
    teens = learning_module(title="Dấu chân số", slug="dau-chan-so", age_band="g10-12")
    staff = build_module(
        title="Bảo vệ dữ liệu học sinh",
        audience=Audience.TEACHER_STAFF,
        quiz=build_quiz(title="Kiểm tra: Bảo vệ dữ liệu"),
        slug="bao-ve-du-lieu",
    )
    staff.age_bands = [AgeBand.objects.get(code="staff")]
    staff.save_revision().publish()
    loose = build_quiz(title="Câu đố không thuộc bài nào")
    return {
        "younger": younger,
        "ours": ours,
        "given": given,
        "teens": teens,
        "staff": staff,
        "loose": loose,
    }


def flat(groups) -> list[tuple[str, str, str, str]]:
    return [
        (group.title, choice.quiz.title, choice.detail, choice.note)
        for group in groups
        for choice in group.choices
    ]


def test_a_grade_5_teacher_sees_their_band_first_with_given_modules_on_top(
    class_5a, library
):
    teacher = make_teacher(class_5a)
    learning_services.assignment_create(
        actor=teacher,
        school_class=class_5a,
        module=library["given"],
        opens_on=timezone.localdate(),
    )
    with translation.override("en"):
        groups = live_quiz_groups(user=teacher, language_code="vi")
    first = groups[0]
    assert first.title == AgeBand.objects.get(code="g3-5").name_en
    assert "5A" in first.note
    assert first.choices[0].quiz == library["given"].quiz
    assert first.choices[0].note == "Given to 5A"
    assert library["ours"].quiz in [choice.quiz for choice in first.choices]
    # The teen quiz is further down, under its own band, never in the teacher's.
    teen_group = next(
        g for g in groups if library["teens"].quiz in [c.quiz for c in g.choices]
    )
    assert groups.index(teen_group) > 0
    # Staff and parents' quizzes close the list, labelled as not for pupils.
    last = groups[-1]
    assert [choice.quiz for choice in last.choices] == [library["staff"].quiz]
    assert last.title == "For teachers, staff and parents"
    assert "Teachers and staff" in last.choices[0].detail


def test_quizzes_with_one_title_say_which_module_and_band_they_are(class_5a, library):
    teacher = make_teacher(class_5a)
    with translation.override("en"):
        rows = flat(live_quiz_groups(user=teacher, language_code="vi"))
    strangers = [row for row in rows if row[1] == "Đố vui: Người lạ trên mạng"]
    assert len(strangers) == 2
    details = {row[2] for row in strangers}
    assert len(details) == 2
    assert any("Người lạ trong trò chơi" in d and "3-5" in d for d in details)
    assert any("Người lạ trên mạng: dừng lại" in d and "1-2" in d for d in details)
    # Every quiz once, including the one that belongs to no module.
    quizzes = [row[1] for row in rows]
    assert len(rows) == 6 and "Câu đố không thuộc bài nào" in quizzes


def test_the_page_shows_groups_and_details_in_that_order(client, class_5a, library):
    client.force_login(make_teacher(class_5a))
    html = client.get(
        reverse("quizzes:live_quiz_list"), HTTP_ACCEPT_LANGUAGE="vi"
    ).content.decode()
    band_35 = AgeBand.objects.get(code="g3-5").name
    assert html.index(band_35) < html.index(AgeBand.objects.get(code="g1-2").name)
    assert html.index(band_35) < html.index("Kiểm tra: Bảo vệ dữ liệu")
    assert "Người lạ trong trò chơi" in html  # the module named beside its quiz
    for quiz in (library["ours"].quiz, library["staff"].quiz, library["loose"]):
        link = reverse("quizzes:live_new", args=[quiz.pk])
        assert html.count(f'href="{link}"') == 1


def test_without_the_school_layer_the_engine_lists_the_quizzes_plainly(
    class_5a, library, settings
):
    settings.LIVE_QUIZ_GROUPS_PROVIDER = ""
    (group,) = live_quiz_groups(user=make_teacher(class_5a), language_code="vi")
    assert group.title == "" and len(group.choices) == 6
