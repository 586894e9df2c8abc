"""Lessons taught to a class and parents' meetings: the evidence that the programme
was taught away from the pupils' own screens, and the bad input it refuses."""

import datetime
import html

import pytest

from content_cms.models import Audience
from lms.errors import LmsError
from lms.learning import catalogue
from lms.learning import selectors as learning_selectors
from lms.learning.rollups import REPORTING_TIME_ZONE
from lms.learning.teaching import selectors as teaching_selectors
from lms.learning.teaching import services as teaching
from lms.models import (
    AuditEntry,
    ModuleProgress,
    ParentMeeting,
    ProgressStatus,
    ReportingPeriod,
    Role,
    TeachingAttendance,
    TeachingSession,
)
from lms.signals import teaching_session_changed
from quizzes.live.models import LivePhase
from quizzes.live.seats import live_player_join
from tests.content_cms.factories import build_module
from tests.factories import (
    ReportingPeriodFactory,
    SchoolClassFactory,
    SchoolFactory,
    make_pupil,
    make_staff,
    make_teacher,
)
from tests.lms.learning_helpers import learning_module
from tests.quizzes.live.helpers import make_session

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)  # in Học kỳ I 2026-2027, which is open
IN_CLOSED_PERIOD = datetime.date(2026, 9, 20)  # "Tháng 9" closed on 15/10/2026


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(teaching, "today", lambda: TODAY)
    monkeypatch.setattr(learning_selectors, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def term():
    return ReportingPeriodFactory()


@pytest.fixture
def september(term):
    return ReportingPeriod.objects.create(
        school_year=term.school_year,
        name="Tháng 9",
        starts_on=datetime.date(2026, 9, 5),
        ends_on=datetime.date(2026, 9, 30),
    )


@pytest.fixture
def school_class(term):
    return SchoolClassFactory(name="5A", grade=5, school_year=term.school_year)


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class, display_name="Cô Hoa")


@pytest.fixture
def admin(school_class):
    return make_staff(Role.SCHOOL_ADMIN, school=school_class.school)


@pytest.fixture
def pupils(school_class):
    return [make_pupil(school_class, display_name=f"Em số {n}") for n in range(3)]


@pytest.fixture
def module():
    return learning_module(title="Bí mật của em", slug="g3-5-bi-mat")


def record(actor, school_class, module, **changes):
    fields = {
        "actor": actor,
        "school_class": school_class,
        "module": module,
        "taught_on": TODAY,
        "duration_minutes": 45,
    }
    fields.update(changes)
    return teaching.teaching_session_record(**fields)


def refused(code, call, *args, **kwargs):
    with pytest.raises(LmsError) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value.message
    return error.value


# --- Recording a lesson ----------


def test_a_teacher_records_a_lesson_with_who_was_absent(
    teacher, school_class, pupils, module
):
    heard = []

    def listen(sender, **kwargs):
        heard.append(kwargs["action"])

    teaching_session_changed.connect(listen)
    try:
        session = record(
            teacher,
            school_class,
            module,
            absent_pupil_ids=[pupils[1].pk],
            note="Học trên máy chiếu",
        )
    finally:
        teaching_session_changed.disconnect(listen)
    assert heard == ["record"]
    assert session.recorded_by == teacher and session.duration_minutes == 45
    attendance = dict(session.attendance.values_list("pupil_id", "present"))
    assert attendance == {pupils[0].pk: True, pupils[1].pk: False, pupils[2].pk: True}
    entry = AuditEntry.objects.get(action="teaching_session_record")
    assert entry.actor == teacher and entry.target_id == str(session.pk)
    assert entry.details["present"] == 2 and entry.details["absent"] == 1


def test_without_a_list_everyone_is_present(teacher, school_class, pupils, module):
    session = record(teacher, school_class, module)
    assert session.attendance.filter(present=True).count() == 3


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"taught_on": TODAY + datetime.timedelta(days=1)}, "date_in_future"),
        ({"taught_on": datetime.date(2026, 8, 20)}, "date_outside_school_year"),
        ({"taught_on": IN_CLOSED_PERIOD}, "period_closed"),
        ({"duration_minutes": 4}, "duration_out_of_range"),
        ({"duration_minutes": 241}, "duration_out_of_range"),
        ({"note": "x" * 501}, "note_too_long"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    teacher, school_class, pupils, module, september, changes, code
):
    refused(code, record, teacher, school_class, module, **changes)
    assert not TeachingSession.objects.exists()
    assert not TeachingAttendance.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="teaching").exists()


def test_a_pupil_of_another_class_in_the_attendance_is_refused(
    teacher, school_class, pupils, module
):
    stranger = make_pupil(SchoolClassFactory(school=school_class.school))
    error = refused(
        "pupil_not_in_class",
        record,
        teacher,
        school_class,
        module,
        absent_pupil_ids=[pupils[0].pk, stranger.pk],
    )
    assert "5A" in error.message
    assert not TeachingSession.objects.exists()


def test_a_module_that_is_not_for_pupils_is_refused(teacher, school_class, module):
    staff_module = build_module(
        title="Nhan biet dau hieu", slug="staff-harm", audience=Audience.TEACHER_STAFF
    )
    refused("module_not_for_pupils", record, teacher, school_class, staff_module)
    assert not TeachingSession.objects.exists()


def test_a_foreign_class_is_refused(school_class, module):
    other_teacher = make_teacher(SchoolClassFactory(school=school_class.school))
    refused("class_not_managed", record, other_teacher, school_class, module)


def test_a_module_of_another_band_is_recorded_with_a_warning(
    teacher, school_class, module
):
    older = learning_module(title="Người lạ", slug="g10-12-la", age_band="g10-12")
    session = record(teacher, school_class, older)
    warning = catalogue.module_band_warning(
        module=session.module, school_class=school_class
    )
    assert warning and "5A" in warning


# --- Changing, deleting, confirming ----------


def test_the_recorder_changes_a_lesson_and_the_confirmation_is_cleared(
    teacher, admin, school_class, pupils, module
):
    session = record(teacher, school_class, module)
    teaching.teaching_session_confirm(actor=admin, session=session)
    teaching.teaching_session_update(
        actor=teacher,
        session=session,
        module=module,
        taught_on=TODAY - datetime.timedelta(days=1),
        duration_minutes=35,
        absent_pupil_ids=[pupils[2].pk],
    )
    session.refresh_from_db()
    assert session.duration_minutes == 35 and session.confirmed_at is None
    assert session.attendance.get(pupil=pupils[2]).present is False
    entry = AuditEntry.objects.get(action="teaching_session_update")
    assert entry.details["confirmation_cleared"] is True


def test_a_co_teacher_cannot_change_anothers_lesson_but_the_admin_can(
    teacher, admin, school_class, module
):
    session = record(teacher, school_class, module)
    co_teacher = make_teacher(school_class)
    refused(
        "session_not_changeable",
        teaching.teaching_session_delete,
        actor=co_teacher,
        session=session,
    )
    teaching.teaching_session_delete(actor=admin, session=session)
    assert not TeachingSession.objects.exists()
    assert AuditEntry.objects.filter(action="teaching_session_delete").exists()


def test_a_lesson_in_a_closed_period_cannot_be_changed_or_deleted(
    teacher, school_class, module, september, monkeypatch
):
    monkeypatch.setattr(teaching, "today", lambda: datetime.date(2026, 9, 25))
    session = record(teacher, school_class, module, taught_on=IN_CLOSED_PERIOD)
    monkeypatch.setattr(teaching, "today", lambda: TODAY)
    refused(
        "period_closed",
        teaching.teaching_session_update,
        actor=teacher,
        session=session,
        module=module,
        taught_on=TODAY,
        duration_minutes=45,
    )
    refused(
        "period_closed",
        teaching.teaching_session_delete,
        actor=teacher,
        session=session,
    )
    session.refresh_from_db()
    assert session.taught_on == IN_CLOSED_PERIOD


def test_only_the_school_admin_confirms(teacher, admin, school_class, module):
    session = record(teacher, school_class, module)
    refused(
        "confirm_not_allowed",
        teaching.teaching_session_confirm,
        actor=teacher,
        session=session,
    )
    other_admin = make_staff(Role.SCHOOL_ADMIN, school=SchoolFactory())
    refused(
        "confirm_not_allowed",
        teaching.teaching_session_confirm,
        actor=other_admin,
        session=session,
    )
    teaching.teaching_session_confirm(actor=admin, session=session)
    session.refresh_from_db()
    assert session.confirmed_by == admin and session.confirmed_at is not None
    assert AuditEntry.objects.filter(action="teaching_session_confirm").count() == 1


def test_a_closed_period_is_the_grace_days_after_its_end(september, settings):
    from lms.people.organisation import closed_period_holding, period_is_closed

    settings.REPORTING_GRACE_DAYS = 14
    assert not period_is_closed(september, today=datetime.date(2026, 10, 14))
    assert period_is_closed(september, today=datetime.date(2026, 10, 15))
    assert closed_period_holding(IN_CLOSED_PERIOD, today=TODAY) == september
    settings.REPORTING_GRACE_DAYS = 60
    assert closed_period_holding(IN_CLOSED_PERIOD, today=TODAY) is None


# --- A live game fills the attendance ----------


@pytest.fixture
def live_game(teacher, module, pupils):
    """The teacher's game of the module's quiz, ended today; two pupils played."""
    game = make_session(host=teacher, quiz=module.quiz)
    for pupil in pupils[:2]:
        live_player_join(session=game, user=pupil)
    live_player_join(session=game)  # a guest on a shared tablet
    ended = datetime.datetime.combine(
        TODAY, datetime.time(10, 5), tzinfo=REPORTING_TIME_ZONE
    )
    type(game).objects.filter(pk=game.pk).update(phase=LivePhase.ENDED, ended_at=ended)
    game.refresh_from_db()
    return game


def test_a_live_game_fills_the_attendance(
    teacher, school_class, pupils, module, live_game
):
    [option] = teaching_selectors.live_games_for_class(
        user=teacher, school_class=school_class, on=TODAY
    )
    assert option.session == live_game and option.players == 2
    assert option.module.source_id == module.pk
    session = record(teacher, school_class, module, live_session=live_game)
    attendance = dict(session.attendance.values_list("pupil_id", "present"))
    assert attendance == {pupils[0].pk: True, pupils[1].pk: True, pupils[2].pk: False}
    assert session.live_session == live_game


def test_a_live_game_of_another_day_or_host_is_refused(
    teacher, school_class, module, live_game
):
    refused(
        "live_game_not_usable",
        record,
        teacher,
        school_class,
        module,
        taught_on=TODAY - datetime.timedelta(days=1),
        live_session=live_game,
    )
    co_teacher = make_teacher(school_class)
    refused(
        "live_game_not_usable",
        record,
        co_teacher,
        school_class,
        module,
        live_session=live_game,
    )
    assert not teaching_selectors.live_games_for_class(
        user=co_teacher, school_class=school_class, on=TODAY
    )


# --- The pages ----------


def test_the_record_page_is_ready_for_a_phone(
    client, english, teacher, school_class, pupils, module, live_game
):
    client.force_login(teacher)
    body = client.get(f"/lop/{school_class.pk}/buoi-hoc/moi/").content.decode()
    assert 'value="2026-11-27"' in body and 'value="45"' in body
    assert "For this class (Grades 3-5 (ages 8-10))" in body
    assert "Bí mật của em · Grades 3-5 (ages 8-10)" in body
    assert "Everyone is present. Tap a pupil who was absent." in body
    assert body.count('name="absent"') == 3 and "checked" not in body
    assert "2 pupils played" in body

    body = client.get(
        f"/lop/{school_class.pk}/buoi-hoc/moi/?live={live_game.pk}"
    ).content.decode()
    assert body.count(" checked") == 1  # the pupil who did not play
    assert f'value="{live_game.pk}"' in body


def test_recording_from_the_page_goes_back_to_the_class_list(
    client, english, teacher, school_class, pupils, module
):
    client.force_login(teacher)
    response = client.post(
        f"/lop/{school_class.pk}/buoi-hoc/moi/",
        {
            "taught_on": "2026-11-26",
            "module": module.pk,
            "duration_minutes": "40",
            "absent": [pupils[0].pk],
            "note": "",
        },
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/lop/{school_class.pk}/"
    assert "The lesson was recorded: 2 of 3 pupils present." in body
    assert "Lessons taught to the class" in body and "26/11/2026" in body
    assert "2/3 present" in body
    session = TeachingSession.objects.get()
    assert session.taught_on == datetime.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"taught_on": "2026-11-28"}, "is in the future"),
        ({"taught_on": "2026-09-20"}, "closed on 15/10/2026"),
        ({"taught_on": "2026-08-20"}, "is outside the school year 2026-2027"),
        ({"duration_minutes": "500"}, "A lesson lasts from 5 to 240 minutes."),
        ({"absent": ["999999"]}, "Some of the pupils named are not in this class."),
        ({"module": "staff"}, "This module is not a lesson for pupils"),
    ],
)
def test_the_page_says_what_is_wrong_and_writes_nothing(
    client, english, teacher, school_class, pupils, module, september, changes, message
):
    if changes.get("module") == "staff":
        changes["module"] = build_module(
            title="Can bo", slug="can-bo", audience=Audience.TEACHER_STAFF
        ).pk
    data = {
        "taught_on": "2026-11-26",
        "module": module.pk,
        "duration_minutes": "45",
        "note": "",
    }
    data.update(changes)
    client.force_login(teacher)
    response = client.post(f"/lop/{school_class.pk}/buoi-hoc/moi/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TeachingSession.objects.exists()


def test_pages_of_a_foreign_class_or_lesson_are_not_found(
    client, teacher, school_class, module
):
    other_class = SchoolClassFactory(school=school_class.school)
    other_teacher = make_teacher(other_class)
    session = record(other_teacher, other_class, module)
    client.force_login(teacher)
    assert client.get(f"/lop/{other_class.pk}/buoi-hoc/moi/").status_code == 404
    assert (
        client.get(f"/lop/{school_class.pk}/buoi-hoc/{session.pk}/").status_code == 404
    )
    assert (
        client.post(f"/lop/{other_class.pk}/buoi-hoc/{session.pk}/xoa/").status_code
        == 404
    )
    assert TeachingSession.objects.filter(pk=session.pk).exists()


def test_the_school_admin_sees_and_confirms_the_schools_lessons(
    client, english, teacher, admin, school_class, module
):
    session = record(teacher, school_class, module)
    client.force_login(admin)
    body = client.get(f"/truong/{school_class.school_id}/buoi-hoc/?cho=1").content
    assert "Bí mật của em" in body.decode() and "Cô Hoa" in body.decode()
    response = client.post(
        f"/truong/{school_class.school_id}/buoi-hoc/{session.pk}/xac-nhan/",
        follow=True,
    )
    assert "The lesson was confirmed." in response.content.decode()
    session.refresh_from_db()
    assert session.confirmed_by == admin

    client.force_login(teacher)
    assert client.get(f"/truong/{school_class.school_id}/buoi-hoc/").status_code == 404
    assert (
        client.post(
            f"/truong/{school_class.school_id}/buoi-hoc/{session.pk}/xac-nhan/"
        ).status_code
        == 404
    )


# --- The API ----------


def test_the_api_lists_and_records_lessons(
    client, teacher, school_class, pupils, module
):
    client.force_login(teacher)
    url = f"/api/classes/{school_class.pk}/teaching-sessions/"
    response = client.post(
        url,
        {
            "module_id": module.pk,
            "taught_on": "2026-11-27",
            "duration_minutes": 45,
            "absent_pupil_ids": [pupils[0].pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["present_count"] == 2 and created["pupils_count"] == 3
    assert created["warnings"] == [] and created["band_fits"] is True
    listing = client.get(url).json()
    assert listing["count"] == 1
    [row] = listing["results"]
    assert {a["pupil_id"]: a["present"] for a in row["attendance"]}[
        pupils[0].pk
    ] is False


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"taught_on": "2026-11-28"}, "date_in_future"),
        ({"taught_on": "2026-09-20"}, "period_closed"),
        ({"absent_pupil_ids": [987654321]}, "pupil_not_in_class"),
        ({"duration_minutes": 0}, "duration_out_of_range"),
        ({"module_id": 987654321}, "module_not_for_pupils"),
        ({"live_session_id": 987654321}, "live_game_not_usable"),
    ],
)
def test_the_api_refuses_bad_input_with_a_code(
    client, english, teacher, school_class, pupils, module, september, changes, code
):
    client.force_login(teacher)
    data = {"module_id": module.pk, "taught_on": "2026-11-27", "duration_minutes": 45}
    data.update(changes)
    response = client.post(
        f"/api/classes/{school_class.pk}/teaching-sessions/",
        data,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["detail"]
    assert not TeachingSession.objects.exists()


def test_the_api_answers_404_for_a_foreign_class(client, teacher, school_class, module):
    other_class = SchoolClassFactory(school=school_class.school)
    client.force_login(teacher)
    url = f"/api/classes/{other_class.pk}/teaching-sessions/"
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {"module_id": module.pk, "taught_on": "2026-11-27", "duration_minutes": 45},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not TeachingSession.objects.exists()


def test_the_api_fills_attendance_from_a_live_game(
    client, teacher, school_class, pupils, module, live_game
):
    client.force_login(teacher)
    response = client.post(
        f"/api/classes/{school_class.pk}/teaching-sessions/",
        {
            "module_id": module.pk,
            "taught_on": "2026-11-27",
            "duration_minutes": 45,
            "live_session_id": live_game.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["present_count"] == 2
    assert response.json()["live_session_id"] == live_game.pk


# --- Parents' meetings ----------


def test_the_school_admin_records_a_parents_meeting(
    client, english, admin, school_class, module
):
    parents_module = build_module(
        title="Dong hanh cung con", slug="dong-hanh", audience=Audience.PARENT
    )
    client.force_login(admin)
    url = f"/truong/{school_class.school_id}/hop-phu-huynh/"
    response = client.post(
        url,
        {
            "held_on": "2026-11-20",
            "parents_count": "34",
            "module": parents_module.pk,
            "note": "Họp phụ huynh khối 5",
        },
        follow=True,
    )
    body = html.unescape(response.content.decode())
    assert "The parents' meeting was recorded." in body and "34 parents" in body
    meeting = ParentMeeting.objects.get()
    assert (meeting.parents_count, meeting.module) == (34, parents_module)
    assert AuditEntry.objects.filter(action="parent_meeting_record").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": "2026-11-28"}, "is in the future"),
        ({"held_on": "2026-09-20"}, "closed on 15/10/2026"),
        ({"parents_count": "0"}, "Enter how many parents came: at least 1."),
        ({"module": "987654321"}, "This module cannot be chosen."),
    ],
)
def test_a_bad_parents_meeting_is_refused(
    client, english, admin, school_class, september, changes, message
):
    data = {"held_on": "2026-11-20", "parents_count": "20", "module": "", "note": ""}
    data.update(changes)
    client.force_login(admin)
    response = client.post(f"/truong/{school_class.school_id}/hop-phu-huynh/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ParentMeeting.objects.exists()


def test_a_teacher_cannot_keep_parents_meetings(client, teacher, school_class):
    client.force_login(teacher)
    url = f"/truong/{school_class.school_id}/hop-phu-huynh/"
    assert client.get(url).status_code == 404
    refused(
        "school_not_administered",
        teaching.parent_meeting_record,
        actor=teacher,
        school=school_class.school,
        held_on=TODAY,
        parents_count=10,
    )


def test_parent_meetings_of_a_period(admin, school_class, term):
    school = school_class.school
    for day, count in ((datetime.date(2026, 10, 2), 30), (TODAY, 12)):
        teaching.parent_meeting_record(
            actor=admin, school=school, held_on=day, parents_count=count
        )
    ParentMeeting.objects.create(
        school=school, held_on=datetime.date(2026, 8, 1), parents_count=99
    )
    meetings = teaching_selectors.parent_meetings(school=school, period=term)
    assert [m.parents_count for m in meetings] == [30, 12]
    totals = teaching_selectors.parent_meeting_totals_by_school(
        schools=[school], period=term
    )
    assert totals[school.pk].meetings == 2 and totals[school.pk].parents == 42


# --- Staff trained ----------


def _done(user, module, day):
    moment = datetime.datetime.combine(
        day, datetime.time(20, 0), tzinfo=REPORTING_TIME_ZONE
    )
    ModuleProgress.objects.create(
        user=user,
        module=module,
        status=ProgressStatus.PASSED,
        completed_at=moment,
        passed_at=moment,
    )


def test_staff_trained_counts_the_schools_staff_who_completed_a_staff_module(
    school_class, term, pupils, module
):
    school = school_class.school
    staff_module = build_module(
        title="Nhan biet", slug="staff-1", audience=Audience.TEACHER_STAFF
    )
    second = build_module(
        title="Ung pho", slug="staff-2", audience=Audience.TEACHER_STAFF
    )
    teacher = make_teacher(school_class)
    counsellor = make_staff(Role.COUNSELLOR, school=school)
    late = make_staff(Role.TEACHER, school=school)
    elsewhere = make_staff(Role.TEACHER, school=SchoolFactory())
    _done(teacher, staff_module, datetime.date(2026, 10, 1))
    _done(teacher, second, datetime.date(2026, 10, 2))  # one person counts once
    _done(counsellor, staff_module, term.ends_on)  # the last evening counts
    _done(late, staff_module, term.ends_on + datetime.timedelta(days=1))
    _done(elsewhere, staff_module, datetime.date(2026, 10, 1))
    _done(pupils[0], module, datetime.date(2026, 10, 1))  # a pupils' module
    assert teaching_selectors.staff_trained(school=school, period=term) == 2
    by_school = teaching_selectors.staff_trained_by_school(
        schools=[school, elsewhere.role_assignments.get().school], period=term
    )
    assert sorted(by_school.values()) == [1, 2]


def test_the_class_page_lists_lessons_with_their_confirmation(
    client, english, teacher, admin, school_class, pupils, module
):
    session = record(teacher, school_class, module, absent_pupil_ids=[pupils[0].pk])
    client.force_login(teacher)
    body = client.get(f"/lop/{school_class.pk}/").content.decode()
    assert "Record a lesson" in body and "Not confirmed yet" in body
    assert f"/lop/{school_class.pk}/buoi-hoc/{session.pk}/" in body
    teaching.teaching_session_confirm(actor=admin, session=session)
    body = client.get(f"/lop/{school_class.pk}/").content.decode()
    assert "Confirmed" in body
