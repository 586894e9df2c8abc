"""Live classroom games in the school layer: data rights, class teams, "Play live"."""

import io
import json

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from lms.learning import services as learning_services
from lms.models import Role
from lms.safeguarding import data_rights
from lms.safeguarding.export_pdf import pupil_data_pdf
from quizzes.live.models import LivePlayer
from quizzes.live.seats import live_player_join
from quizzes.live.selectors import live_report, live_team_scores
from quizzes.live.services import live_questions
from quizzes.models import Choice
from tests.content_cms.factories import build_quiz
from tests.factories import SchoolClassFactory, make_pupil, make_staff, make_teacher
from tests.lms.learning_helpers import learning_module
from tests.quizzes.live.helpers import (
    make_session,
    play_to_the_end,
    right_choice,
    wrong_choice,
)

pytestmark = pytest.mark.django_db

NAME = "Trần Thị Ngọc Ánh"


def choice_text(question, choice_id):
    return next(c["text"] for c in question["choices"] if str(c["id"]) == choice_id)


@pytest.fixture
def class_5a():
    return SchoolClassFactory(name="5A")


# --- Export and erasure ----------


def test_the_export_lists_the_pupils_live_games_with_their_answers(class_5a):
    pupil = make_pupil(class_5a, display_name=NAME)
    session = make_session(quiz=build_quiz(title="Giữ bí mật"))
    seat = live_player_join(session=session, user=pupil).player
    guest = live_player_join(session=session).player
    right = right_choice(session, 0)
    play_to_the_end(session, [(seat, right), (guest, wrong_choice(session, 0))])

    data = data_rights.pupil_data_export(pupil=pupil)
    [game] = data["live_games"]
    assert game["quiz"] == "Giữ bí mật" and game["session"] == session.pk
    assert (game["nickname"], game["score"], game["right_answers"]) == (NAME, 1000, 1)
    assert game["played_at"] and game["joined_at"]
    [answer] = game["answers"]
    assert answer["question_index"] == 0 and answer["choice_ids"] == [right]
    # The chosen texts, as the pupil saw them in the session's pinned version.
    question = live_questions(session)[0]
    assert answer["question"] == question["prompt"]
    assert answer["chosen"] == [choice_text(question, right)]
    assert answer["correct"] is True and answer["points"] == 1000
    assert answer["answered_at"]
    assert guest.nickname not in json.dumps(data, ensure_ascii=False)


def test_the_live_answers_chosen_texts_are_the_pinned_versions(class_5a):
    pupil = make_pupil(class_5a, display_name=NAME)
    quiz = build_quiz(title="Giữ bí mật")
    session = make_session(quiz=quiz)
    seat = live_player_join(session=session, user=pupil).player
    right = right_choice(session, 0)
    question = live_questions(session)[0]
    seen = choice_text(question, right)
    play_to_the_end(session, [(seat, right)])
    Choice.objects.filter(text=seen).update(text="Đã sửa sau trò chơi")  # edited since

    [game] = data_rights.pupil_data_export(pupil=pupil)["live_games"]
    assert game["answers"][0]["chosen"] == [seen]
    with translation.override("en"):
        pdf = pupil_data_pdf(data={"live_games": [game]}, title="Data")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    lines = [line.strip() for line in text.splitlines()]
    assert f"1. {question['prompt']}" in lines
    assert "Chosen:" in lines and f"• {seen}" in lines
    assert "Đã sửa" not in text


def test_erasure_removes_the_name_and_the_report_still_counts_the_answers(class_5a):
    pupil = make_pupil(class_5a, display_name=NAME)
    classmate = make_pupil(class_5a, display_name="Lê Văn Bình")
    session = make_session(scoring="team", team_names=["5A", "5B"])
    seats = [
        live_player_join(session=session, user=p).player for p in (pupil, classmate)
    ]
    play_to_the_end(session, [(seat, right_choice(session, 0)) for seat in seats])
    teams_before = live_team_scores(session=session)

    for person in (pupil, classmate):
        data_rights.pupil_erase(pupil=person, actor=None, reason="Phụ huynh yêu cầu")
    data_rights.pupil_erase(pupil=pupil, actor=None, reason="lần nữa")

    names = set(LivePlayer.objects.values_list("nickname", flat=True))
    tombstone = data_rights.ERASED_DISPLAY_NAME
    assert names == {tombstone, f"{tombstone} 2"}
    report = live_report(session=session)
    assert NAME not in {player["nickname"] for player in report["players"]}
    first = report["questions"][0]
    assert (first["answered"], first["correct"]) == (2, 2)
    assert [player["score"] for player in report["players"]] == [1000, 1000]
    assert live_team_scores(session=session) == teams_before
    [game] = data_rights.pupil_data_export(pupil=pupil)["live_games"]
    assert game["nickname"] == tombstone and game["score"] == 1000


# --- Teams by class ----------


def test_in_team_mode_signed_in_pupils_join_their_class_team():
    class_5b = SchoolClassFactory(name="5B")
    pupil_5a = make_pupil(SchoolClassFactory(name="5A"))
    pupil_5b = make_pupil(class_5b)
    pupil_4c = make_pupil(SchoolClassFactory(name="4C"))
    session = make_session(scoring="team", team_names=["5a", "5B"])

    def team(user=None):
        return live_player_join(session=session, user=user).player.team

    assert team(pupil_5a) == "5a"  # the host's spelling, found whatever the case
    assert team(pupil_5b) == "5B"
    assert team(pupil_4c) == ""  # no team of their class: they choose
    assert team(make_teacher(class_5b)) == ""
    assert team() == ""  # guests choose


def test_teams_not_named_after_classes_are_chosen_by_everyone(class_5a):
    session = make_session(scoring="team", team_names=["Đỏ", "Xanh"])
    seat = live_player_join(session=session, user=make_pupil(class_5a)).player
    assert seat.team == ""
    speed = make_session()
    assert live_player_join(session=speed, user=make_pupil(class_5a)).player.team == ""


# --- "Play live" from a module ----------


def test_a_teacher_sees_play_live_on_the_module_page_and_a_pupil_does_not(
    client, class_5a
):
    quiz = build_quiz(title="Đố vui bí mật")
    module = learning_module(quiz=quiz)
    link = reverse("quizzes:live_new", args=[quiz.pk])

    client.force_login(make_teacher(class_5a))
    assert link in client.get(module.url).content.decode()
    assert client.get(link).status_code == 200

    client.force_login(make_pupil(class_5a))
    page = client.get(module.url)
    assert page.status_code == 200 and link not in page.content.decode()
    assert client.get(link).status_code == 404


def test_the_staff_home_leads_hosts_to_live_games_and_pupils_not(client, class_5a):
    home = reverse("lms:home")
    games = reverse("quizzes:live_quiz_list")

    client.force_login(make_teacher(class_5a))
    html = client.get(home).content.decode()
    assert f'href="{games}"' in html and "Trò chơi trực tiếp" in html
    assert client.get(games).status_code == 200

    client.force_login(make_staff(Role.COUNSELLOR, school=class_5a.school))
    assert f'href="{games}"' in client.get(home).content.decode()

    client.force_login(make_pupil(class_5a))
    page = client.get(home)
    assert page.status_code == 200 and games not in page.content.decode()
    assert client.get(games).status_code == 404


def test_a_counsellor_may_host_so_sees_the_link_too(client, class_5a):
    module = learning_module()
    client.force_login(make_staff(Role.COUNSELLOR, school=class_5a.school))
    html = client.get(module.url).content.decode()
    assert reverse("quizzes:live_new", args=[module.quiz.pk]) in html


def test_the_class_page_offers_play_live_for_a_given_module(client, class_5a):
    teacher = make_teacher(class_5a)
    module = learning_module()
    without_quiz = learning_module(title="Chỉ đọc", slug="chi-doc", with_quiz=False)
    for given in (module, without_quiz):
        learning_services.assignment_create(
            actor=teacher,
            school_class=class_5a,
            module=given,
            opens_on=timezone.localdate(),
        )
    client.force_login(teacher)
    html = client.get(f"/lop/{class_5a.pk}/giao-bai/").content.decode()
    assert html.count('href="/choi/tao/') == 1
    assert reverse("quizzes:live_new", args=[module.quiz.pk]) in html
