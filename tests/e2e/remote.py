"""Set up and inspect the live server's database from the e2e tests.

Run as ``python -m tests.e2e.remote COMMAND JSON`` with the live server's
environment (its DATABASE_URL); prints one JSON object. The browser journeys use
it to arrange what a journey starts from (a pupil with a login card, a module
given to a class) and to check what the server stored (the answers of an attempt),
without sharing the test process's database.
"""

import datetime
import json
import sys


def _setup():
    import django

    django.setup()


def _consent(school_class, pupil_id: int) -> None:
    """Record the parents' paper consent, as the school does after enrolment."""
    from django.utils import timezone

    from lms.models import ConsentGiver, ConsentMethod, User
    from lms.people.consent import consent_record_bulk

    consent_record_bulk(
        recorded_by=User.objects.get(username="qt.demo"),
        school=school_class.school,
        pupil_ids=[pupil_id],
        given_by=[ConsentGiver.PARENT, ConsentGiver.CHILD],
        method=ConsentMethod.PAPER,
        consented_on=timezone.localdate(),
        notice_version="2026-1",
    )


def pupil_new(*, class_name: str = "5A", display_name: str) -> dict:
    from lms.models import SchoolClass
    from lms.rosters.pupil_accounts import pupil_create

    school_class = SchoolClass.objects.filter(
        name=class_name, enrolments__pupil__username="hs.demo"
    ).first()
    credentials = pupil_create(
        display_name=display_name, school_class=school_class, roster_number=None
    )
    _consent(school_class, credentials.pupil_id)
    data = credentials.as_dict()
    data["class_id"] = school_class.pk
    return data


def module_assign(*, teacher: str = "gv.demo", pupil: str) -> dict:
    """Give the first pupils' module with a quiz to ``pupil``'s class."""
    from content_cms.models import ModulePage
    from lms.learning.services import assignment_create
    from lms.models import Enrolment, User

    enrolment = Enrolment.objects.filter(pupil__username=pupil).first()
    school_class = enrolment.school_class
    module = (
        ModulePage.objects.live()
        .filter(audience="pupil", quiz__isnull=False, locale__language_code="vi")
        .order_by("path")
        .first()
    )
    assignment_create(
        actor=User.objects.get(username=teacher),
        school_class=school_class,
        module=module,
        opens_on=datetime.date.today(),
    )
    return {
        "module_id": module.pk,
        "title": module.title,
        "class_id": school_class.pk,
        "quiz_id": module.quiz_id,
    }


def answers(*, username: str, attempt_id: str = "") -> dict:
    """The answers stored for ``username``'s attempt ``attempt_id`` (or latest).

    A phone that stores lessons for offline use starts the next try when it
    refreshes them after a failed quiz, so "latest" may be that untouched try:
    a journey that knows which attempt the pupil answered names it.
    """
    from quizzes.models import Answer, Attempt

    attempts = Attempt.objects.filter(user__username=username)
    attempt = (
        attempts.get(pk=attempt_id) if attempt_id else attempts.latest("started_at")
    )
    rows = list(
        Answer.objects.filter(attempt=attempt).values_list("question_id", "client_id")
    )
    return {
        "attempt": str(attempt.pk),
        "questions": len(attempt.question_ids),
        "question_ids": [q for q, _c in rows],
        "client_ids": [str(c) for _q, c in rows],
        "submitted": attempt.submitted_at is not None,
    }


def progress(*, username: str, module_id: int) -> dict:
    from lms.models import ModuleProgress

    row = ModuleProgress.objects.filter(
        user__username=username, module_id=module_id
    ).first()
    return {"status": row.status if row else None}


def live_game(*, session_id: int) -> dict:
    """A live game's seats and the quiz attempts it gave signed-in players."""
    from quizzes.live.models import LiveSession
    from quizzes.models import Attempt

    session = LiveSession.objects.get(pk=session_id)
    players = [
        {
            "nickname": player.nickname,
            "username": player.user.username if player.user else None,
            "score": player.score,
            "answered": player.answered_count,
            "removed": player.is_removed,
        }
        for player in session.players.select_related("user").order_by("pk")
    ]
    attempts = {
        attempt.user.username: attempt.status
        for attempt in Attempt.objects.filter(
            context_key=f"live:{session.pk}"
        ).select_related("user")
    }
    return {
        "phase": session.phase,
        "questions": len(session.question_ids),
        "players": players,
        "attempts": attempts,
    }


def school_runs_programme(*, admin: str = "qt.demo") -> dict:
    """Every class of ``admin``'s school gets a module; 9 in 10 pupils pass it.

    Goes through the real services (assignment, quiz attempt, submit), so
    progress and rollups are written as they are for real pupils.
    """
    from content_cms.models import ModulePage
    from content_cms.selectors import age_band_for_grade
    from lms.learning.services import assignment_create
    from lms.models import Enrolment, RoleAssignment, SchoolClass, User
    from lms.reports.figures import school_figures
    from lms.reports.periods import period_default
    from tests.lms.learning_helpers import take_quiz

    school = RoleAssignment.objects.filter(user__username=admin).first().school
    actor = User.objects.get(username=admin)
    period = period_default()
    passed = 0
    for school_class in SchoolClass.objects.filter(
        school=school, school_year_id=period.school_year_id
    ).order_by("pk"):
        module = (
            ModulePage.objects.live()
            .filter(
                audience="pupil",
                quiz__isnull=False,
                locale__language_code="vi",
                age_bands=age_band_for_grade(school_class.grade),
            )
            .order_by("path")
            .first()
        )
        assignment_create(
            actor=actor,
            school_class=school_class,
            module=module,
            opens_on=max(period.starts_on, datetime.date.today()),
        )
        pupils = [
            enrolment.pupil
            for enrolment in Enrolment.objects.filter(
                school_class=school_class
            ).select_related("pupil")
        ]
        for pupil in pupils[: max(1, -(-len(pupils) * 9 // 10))]:
            take_quiz(pupil, module, correct=True)
            passed += 1
    schools = type(school).objects.filter(pk=school.pk)
    figures = school_figures(schools=schools, periods=[period])[(school.pk, period.pk)]
    return {"school": school.name, "passed": passed, "status": figures.status}


def catalogue_page() -> dict:
    """The Vietnamese pupils' catalogue and the age band of hs.demo's class."""
    from django.utils import translation

    from content_cms.models import CatalogueIndexPage
    from content_cms.selectors import age_band_for_grade
    from lms.models import Enrolment

    page = CatalogueIndexPage.objects.filter(locale__language_code="vi").first()
    enrolment = Enrolment.objects.filter(pupil__username="hs.demo").first()
    with translation.override("vi"):
        age_band = str(age_band_for_grade(enrolment.school_class.grade))
    return {"id": page.pk, "url": page.url, "age_band": age_band}


def page_with_title(*, title: str) -> dict:
    """The id of the latest page titled ``title`` (None when no such page was
    saved) and how many pages have that title."""
    from wagtail.models import Page

    pages = Page.objects.filter(title=title).order_by("-pk")
    page = pages.first()
    return {"id": page.pk if page else None, "count": pages.count()}


def page_state(*, page_id: int) -> dict:
    """Whether a page is live and the status of its latest workflow."""
    from wagtail.models import Page, WorkflowState

    page = Page.objects.get(pk=page_id)
    state = (
        WorkflowState.objects.filter(
            base_content_type__model="page", object_id=str(page_id)
        )
        .order_by("-created_at")
        .first()
    )
    return {"live": page.live, "workflow": state.status if state else None}


def totp_device(*, username: str) -> dict:
    """A confirmed authenticator-app device for ``username``; its key in hex."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lms.models import User

    user = User.objects.get(username=username)
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="Điện thoại e2e", defaults={"confirmed": True}
    )
    return {"key": device.key, "step": device.step, "digits": device.digits}


def platform_admin_create(*, username: str, password: str) -> dict:
    """The one person an empty province starts with, and their authenticator."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lms.models import Role
    from lms.people.services import role_assign, staff_create

    user = staff_create(
        username=username, display_name="Quản trị nền tảng", password=password
    )
    role_assign(user=user, role=Role.PLATFORM_ADMIN)
    device = TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)
    return {"key": device.key, "step": device.step, "digits": device.digits}


def enrolments(*, username: str) -> dict:
    """A pupil's classes, year by year, and how many quiz attempts they kept."""
    from lms.models import Enrolment, User
    from quizzes.models import Attempt

    pupil = User.objects.get(username=username)
    rows = Enrolment.objects.filter(pupil=pupil).select_related(
        "school_class__school_year"
    )
    return {
        "classes": sorted(
            [
                e.school_class.school_year.name,
                e.school_class.name,
                e.school_class.grade,
                e.left_on is None,
            ]
            for e in rows
        ),
        "attempts": Attempt.objects.filter(user=pupil, status="submitted").count(),
    }


def class_of(*, username: str) -> dict:
    from lms.models import RoleAssignment, SchoolClass

    school_class = (
        SchoolClass.objects.filter(teachers__username=username).order_by("pk").first()
    )
    school = RoleAssignment.objects.filter(user__username=username).first().school
    return {
        "class_id": school_class.pk if school_class else None,
        "school_id": school.pk if school else None,
    }


COMMANDS = {
    f.__name__: f
    for f in (
        pupil_new,
        module_assign,
        answers,
        progress,
        live_game,
        catalogue_page,
        school_runs_programme,
        page_with_title,
        page_state,
        totp_device,
        class_of,
        platform_admin_create,
        enrolments,
    )
}

if __name__ == "__main__":
    _setup()
    command, arguments = (
        sys.argv[1],
        json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}"),
    )
    print(json.dumps(COMMANDS[command](**arguments)))
