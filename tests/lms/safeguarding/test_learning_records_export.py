"""A pupil's learning records in their data export, the PDF of it, and erasure."""

import datetime
import io
import json
import uuid

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lms.learning import services as learning_services
from lms.models import (
    ConsentGiver,
    ConsentMethod,
    HelpCategory,
    HelpStatus,
    ModuleProgress,
    Role,
)
from lms.safeguarding import data_rights
from lms.safeguarding.export_pdf import pupil_data_pdf
from quizzes.live.seats import live_player_join
from quizzes.models import Answer, Attempt
from quizzes.services import attempt_answer, attempt_start, attempt_submit
from tests.content_cms.factories import build_quiz
from tests.factories import SchoolClassFactory, make_pupil, make_staff, make_teacher
from tests.lms.learning_helpers import (
    allow_learning_records,
    answer_all,
    learning_module,
    take_quiz,
)
from tests.quizzes.attempt_helpers import (
    build_configured_quiz,
    correct_response,
    snapshot_question,
)
from tests.quizzes.live.helpers import make_session, play_to_the_end, right_choice

pytestmark = pytest.mark.django_db

NAME = "Trần Thị Ngọc Ánh"


@pytest.fixture
def class_4b():
    allow_learning_records()
    return SchoolClassFactory(name="4B", grade=4)


@pytest.fixture
def pupil(class_4b):
    return make_pupil(class_4b, display_name=NAME)


def read(pupil, module, *indexes):
    for index in indexes:
        learning_services.progress_section_complete(
            user=pupil, module=module, section_index=index, seconds=60
        )


def check_module(title="Bí mật của em"):
    """A module whose quiz is in check mode: answers may change before submit."""
    quiz = build_configured_quiz(mode="check", title=f"Đố vui: {title}")
    return learning_module(title=title, quiz=quiz)


def question_by_type(attempt, kind):
    return next(
        snapshot_question(attempt, question_id)
        for question_id in attempt.question_ids
        if snapshot_question(attempt, question_id)["type"] == kind
    )


def wrong_then_right(pupil, module):
    """Answer every question wrong, change the single-choice one, submit."""
    attempt = attempt_start(
        user=pupil, quiz=module.quiz, context_key=f"module:{module.pk}"
    )
    answer_all(attempt, pupil, correct=False)
    single = question_by_type(attempt, "single_choice")
    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=single["id"],
        client_id=uuid.uuid4(),
        response=correct_response(single),
    )
    return attempt_submit(attempt=attempt, user=pupil)


def records(pupil):
    return data_rights.pupil_data_export(pupil=pupil)["learning_records"]


# --- What the export holds ----------


def test_the_export_lists_progress_attempts_and_every_answer(class_4b, pupil):
    module = check_module()
    read(pupil, module, 0, 2)
    attempt = wrong_then_right(pupil, module)
    take_quiz(make_pupil(class_4b, display_name="Lê Văn Bình"), module)

    learning = records(pupil)
    [progress] = learning["modules"]
    assert progress["module"] == "Bí mật của em"
    assert progress["status"] == ModuleProgress.objects.get(user=pupil).status
    assert progress["time_spent_seconds"] >= 120
    assert progress["best_score_percent"] == float(attempt.percent)
    assert progress["started_at"] and progress["last_activity_at"]
    assert progress["sections_read"] == [
        {"number": 1, "title": "Thông tin cá nhân 1"},
        {"number": 3, "title": "Người lạ trên mạng 3"},
    ]

    [exported] = learning["quiz_attempts"]  # the classmate's is not there
    assert exported["quiz"] == "Đố vui: Bí mật của em"
    assert exported["version"] == 1
    assert exported["context"] == f"module:{module.pk}"
    assert exported["module"] == "Bí mật của em"
    assert exported["live_game"] is False
    assert exported["submitted_at"] == attempt.submitted_at.isoformat()
    assert exported["score_percent"] == float(attempt.percent)
    assert exported["passed"] is False
    answers = exported["answers"]
    assert len(answers) == 6  # five questions, one answer changed
    single = [a for a in answers if a["question"] == "Điều nào cần giữ kín?"]
    assert [(a["chosen"], a["correct"], a["changed_later"]) for a in single] == [
        (["Màu em thích"], False, True),
        (["Địa chỉ nhà"], True, False),
    ]
    assert single[1]["points"] == 1.0 and single[1]["answered_at"]
    [ordering] = [a for a in answers if a["question"] == "Xếp thứ tự"]
    assert ordering["order"] == ["Kể với bố mẹ", "Không trả lời"]
    assert ordering["correct"] is False and "chosen" not in ordering
    assert "Lê Văn Bình" not in json.dumps(learning, ensure_ascii=False)


def test_a_live_game_attempt_is_marked_as_one(class_4b, pupil):
    session = make_session(quiz=build_quiz(title="Đố vui cả lớp"))
    seat = live_player_join(session=session, user=pupil).player
    right = right_choice(session, 0)
    play_to_the_end(session, [(seat, right)])

    [exported] = records(pupil)["quiz_attempts"]
    assert exported["live_game"] is True
    assert exported["context"] == f"live:{session.pk}" and exported["module"] is None
    assert exported["quiz"] == "Đố vui cả lớp"
    [answer] = exported["answers"]
    question = snapshot_question(Attempt.objects.get(user=pupil), answer_id(pupil))
    [text] = [c["text"] for c in question["choices"] if str(c["id"]) == str(right)]
    assert answer["question"] == question["prompt"]
    assert answer["chosen"] == [text] and answer["correct"] is True


def answer_id(pupil):
    return Answer.objects.get(attempt__user=pupil).question_id


def test_the_export_lists_the_modules_given_to_the_pupil(class_4b, pupil):
    teacher = make_teacher(class_4b)
    classmate = make_pupil(class_4b)
    today = timezone.localdate()
    whole = learning_module(title="Mật khẩu", slug="mat-khau")
    for_group = learning_module(title="Người lạ", slug="nguoi-la")
    not_theirs = learning_module(title="Bạn bè", slug="ban-be")

    def give(module, **kwargs):
        learning_services.assignment_create(
            actor=teacher, school_class=class_4b, module=module, **kwargs
        )

    give(whole, opens_on=today, due_on=today + datetime.timedelta(days=7))
    give(for_group, opens_on=today, pupils=[pupil, classmate])
    give(not_theirs, opens_on=today, pupils=[classmate])

    given = data_rights.pupil_data_export(pupil=pupil)["assignments"]
    assert [(a["module"], a["class"], a["given_to"]) for a in given] == [
        ("Mật khẩu", "4B", "class"),
        ("Người lạ", "4B", "group"),
    ]
    assert given[0]["opens_on"] == today.isoformat()
    assert given[0]["due_on"] == (today + datetime.timedelta(days=7)).isoformat()
    assert given[1]["due_on"] is None and given[0]["school_year"]


def test_the_export_reads_the_same_queries_for_one_attempt_or_many(class_4b):
    few = make_pupil(class_4b)
    many = make_pupil(class_4b)
    first = learning_module(title="Một", slug="mot")
    second = learning_module(title="Hai", slug="hai")
    teacher = make_teacher(class_4b)
    for module in (first, second):
        learning_services.assignment_create(
            actor=teacher,
            school_class=class_4b,
            module=module,
            opens_on=timezone.localdate(),
        )
    read(few, first, 0)
    take_quiz(few, first)
    for module in (first, second):
        read(many, module, 0, 1, 2)
        take_quiz(many, module, correct=False)
        take_quiz(many, module)

    def queries(pupil):
        with CaptureQueriesContext(connection) as captured:
            data_rights.export_learning_records(pupil=pupil, requested_by=None)
            data_rights.export_assignments(pupil=pupil, requested_by=None)
        return len(captured)

    assert len(records(many)["quiz_attempts"]) == 4
    # Progress; attempts, their versions, their answers; enrolments; assignments.
    assert queries(few) == queries(many) == 6


# --- The PDF and the JSON download ----------


def test_the_downloads_show_the_learning_records(client, class_4b, pupil):
    module = check_module()
    read(pupil, module, 0)
    wrong_then_right(pupil, module)
    admin = make_staff(Role.SCHOOL_ADMIN, school=class_4b.school)
    client.force_login(admin)
    args = [class_4b.school.pk, pupil.pk]

    data = json.loads(
        client.get(reverse("lms:pupil_data_download", args=[*args, "json"])).getvalue()
    )
    [attempt] = data["learning_records"]["quiz_attempts"]
    assert attempt["module"] == "Bí mật của em" and len(attempt["answers"]) == 6

    pdf = client.get(reverse("lms:pupil_data_download", args=[*args, "pdf"]))
    text = "\n".join(
        page.extract_text()
        for page in pypdf.PdfReader(io.BytesIO(pdf.getvalue())).pages
    )
    for shown in (
        "Bí mật của em",
        "Thông tin cá nhân 1",
        "Đố vui: Bí mật của em",
        "Điều nào cần giữ kín?",
        "Màu em thích",
        "1. Kể với bố mẹ",
        "2. Không trả lời",
    ):
        assert shown in text
    assert "{" not in text and "[" not in text  # no raw JSON
    assert "T0" not in text  # times are written as people write them


def test_the_pdf_writes_nested_values_as_words():
    data = {
        "exported_at": "2026-11-03T01:30:00+00:00",
        "learning_records": {
            "modules": [
                {
                    "module": "Mật khẩu",
                    "status": "passed",
                    "completed_at": None,
                    "sections_read": [{"number": 2, "title": "Mật khẩu mạnh"}],
                }
            ],
            "quiz_attempts": [
                {
                    "quiz": "Đố vui",
                    "live_game": True,
                    "answers": [
                        {
                            "question": "Em kể với ai?",
                            "chosen": ["Bố mẹ", "Thầy cô"],
                            "correct": True,
                            "points": 2 / 3,
                        }
                    ],
                }
            ],
        },
        "help_requests": [],
        "assignments": [{"module": "Mật khẩu", "class": "4B", "given_to": "group"}],
    }
    with translation.override("en"):
        pdf = pupil_data_pdf(data=data, title="Data")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    lines = [line.strip() for line in text.splitlines()]
    assert "Exported at: 03/11/2026 08:30" in lines  # Asia/Ho_Chi_Minh
    assert "1. Mật khẩu" in lines and "Completed at: —" in lines
    assert "Status: Passed" in lines  # codes as words
    assert "Module: Mật khẩu · Class: 4B · Given to: a group of pupils" in text
    assert "• Number: 2 · Title: Mật khẩu mạnh" in lines
    assert "1. Đố vui" in lines and "Live classroom game: Yes" in lines
    assert "1. Em kể với ai?" in lines
    assert "• Bố mẹ" in lines and "• Thầy cô" in lines
    assert "Correct: Yes" in lines and "Points: 0.67" in lines
    assert "—" in lines  # the empty help requests


def test_the_pdf_writes_help_request_codes_as_their_labels():
    data = {
        "help_requests": [
            {
                "category": "photos_or_meeting",
                "message": "",
                "wants_to_talk_to": "counsellor",
                "status": "in_progress",
                "actions": [
                    {"kind": "referral", "referral": "hotline_111", "note": ""},
                    {"kind": "note", "referral": "", "note": "Đã gọi phụ huynh"},
                ],
            }
        ]
    }
    with translation.override("en"):
        pdf = pupil_data_pdf(data=data, title="Data")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    lines = [line.strip() for line in text.splitlines()]
    assert "Category: Someone asked for photos or to meet" in lines
    assert "Status: In progress" in lines
    assert "Wants to talk to: The school counsellor" in lines
    assert "• Kind: Referral · Referral: Hotline 111 · Note: —" in lines
    assert "• Kind: Action taken · Referral: — · Note: Đã gọi phụ huynh" in lines
    for code in ("photos_or_meeting", "in_progress", "hotline_111"):
        assert code not in text

    with translation.override("vi"):
        pdf = pupil_data_pdf(data=data, title="Dữ liệu")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    with translation.override("vi"):
        assert str(HelpStatus.IN_PROGRESS.label) in text
        assert str(HelpCategory.PHOTOS_OR_MEETING.label) in text
    assert "in_progress" not in text


def test_the_pdf_writes_consent_codes_as_their_labels():
    data = {
        "consent_records": [
            {
                "given_by": "parent",
                "method": "in_person",
                "notice_version": "2026-09",
                "consented_on": "2026-09-05",
                "withdrawn_at": None,
            }
        ]
    }
    with translation.override("vi"):
        pdf = pupil_data_pdf(data=data, title="Dữ liệu")
        text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert str(ConsentGiver.PARENT.label) in text
        assert str(ConsentMethod.IN_PERSON.label) in text
    assert "05/09/2026" in text
    for code in ("parent", "in_person"):
        assert code not in text


# --- Erasure ----------


def test_erasure_keeps_scores_and_no_answer_holds_words(class_4b, pupil):
    module = check_module()
    attempt = attempt_start(
        user=pupil, quiz=module.quiz, context_key=f"module:{module.pk}"
    )
    single = question_by_type(attempt, "single_choice")
    # A client cannot park typed words beside its answer: only the scored part
    # of a response is stored, so erasure has nothing to blank.
    attempt_answer(
        attempt=attempt,
        user=pupil,
        question_id=single["id"],
        client_id=uuid.uuid4(),
        response={**correct_response(single), "note": f"Em là {NAME}"},
    )
    answer_all(attempt, pupil)
    attempt = attempt_submit(attempt=attempt, user=pupil)
    assert {key for a in Answer.objects.all() for key in a.response} <= {
        "choice_ids",
        "order",
    }

    data_rights.pupil_erase(pupil=pupil, actor=None, reason="Phụ huynh yêu cầu")
    kept = Attempt.objects.get(pk=attempt.pk)
    assert (kept.user_id, kept.percent, kept.passed) == (
        pupil.pk,
        attempt.percent,
        attempt.passed,
    )
    assert ModuleProgress.objects.get(user=pupil).best_percent == attempt.percent
    export = data_rights.pupil_data_export(pupil=pupil)
    assert NAME not in json.dumps(export, ensure_ascii=False)
    assert len(export["learning_records"]["quiz_attempts"][0]["answers"]) == 6
