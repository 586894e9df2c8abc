"""Set up and inspect the parent journey's small school in the live server's database.

Run as ``python -m tests.e2e.remote_parents COMMAND JSON`` with the live
server's environment, like ``tests.e2e.remote``; prints one JSON object. What
the journey does not test is made here through the services (a province, one
primary school with a class 5A, its teacher, its administrator and pupils, a
module given to the class); what it tests (the slip, signing up, consent, the
parents' module, the school's report) it does in the browser.
"""

import json
import sys

STAFF_PASSWORD = "demo-Tayninh-2026"
CHILD = "Nguyễn Minh An"
CLASSMATES = ["Lê Gia Hân", "Phạm Minh Khôi"]


def _setup():
    import django

    django.setup()


def parent_school() -> dict:
    """A ward's primary school with class 5A: its teacher and administrator, two
    pupils with their families' consent, and the journey's child, who signed their
    own consent at school (grade 5) but whose family has not yet. The class has a
    pupils' module to do."""
    from django.utils import timezone

    from content_cms.models import ModulePage
    from content_cms.selectors import age_band_for_grade
    from devdata.demo import school_year_ensure, school_year_start
    from lms.learning.services import assignment_create
    from lms.models import (
        AdministrativeUnit,
        ConsentGiver,
        ConsentMethod,
        Role,
        School,
        SchoolClass,
        SchoolType,
    )
    from lms.people.consent import consent_record_bulk
    from lms.people.services import role_assign, staff_create
    from lms.reports.periods import period_default
    from lms.rosters.pupil_accounts import pupil_create

    today = timezone.localdate()
    school_year = school_year_ensure(start_year=school_year_start(today))
    province = AdministrativeUnit.add_root(
        code="h21p-tinh", name="Tỉnh Tây Ninh", level="tỉnh"
    )
    ward = province.add_child(
        code="h21p-phuong", name="Phường Long Hoa", level="phường"
    )
    school = School.objects.create(
        code="h21p-truong",
        name="Trường Tiểu học Long Hoa",
        school_type=SchoolType.PRIMARY,
        unit=ward,
        contact_name="Cô Võ Thị Lan",
    )

    def staff(username, name, role):
        user = staff_create(
            username=username, display_name=name, password=STAFF_PASSWORD
        )
        role_assign(user=user, role=role, school=school)
        return user

    teacher = staff("gv.longhoa", "Đặng Thị Thu", Role.TEACHER)
    admin = staff("qt.longhoa", "Huỳnh Văn Tài", Role.SCHOOL_ADMIN)
    school_class = SchoolClass.objects.create(
        school=school,
        school_year=school_year,
        name="5A",
        grade=5,
        homeroom_teacher=teacher,
    )
    school_class.teachers.add(teacher)
    created = [
        pupil_create(display_name=name, school_class=school_class, roster_number=number)
        for number, name in enumerate([CHILD, *CLASSMATES], start=1)
    ]
    child, classmates = created[0], created[1:]

    def consent(pupils, given_by):
        consent_record_bulk(
            recorded_by=admin,
            school=school,
            pupil_ids=[credentials.pupil_id for credentials in pupils],
            given_by=given_by,
            method=ConsentMethod.PAPER,
            consented_on=today,
            notice_version="2026-1",
        )

    consent(classmates, [ConsentGiver.PARENT, ConsentGiver.CHILD])
    consent([child], [ConsentGiver.CHILD])
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
        actor=teacher, school_class=school_class, module=module, opens_on=today
    )
    period = period_default()
    return {
        "school_id": school.pk,
        "school": school.name,
        "class_id": school_class.pk,
        "child_id": child.pupil_id,
        "child": CHILD,
        "child_username": child.username,
        "teacher": teacher.username,
        "admin": admin.username,
        "module_id": module.pk,
        "module": module.title,
        "period_id": period.pk,
    }


def child_passes_module(*, child_id: int, module_id: int) -> dict:
    """The child does the class's module (every section, its quiz passed) through
    the learning services, as the module player records it."""
    from content_cms.models import ModulePage
    from lms.learning.services import module_section_count, progress_section_complete
    from lms.models import ModuleProgress, User
    from tests.lms.learning_helpers import take_quiz

    child = User.objects.get(pk=child_id)
    module = ModulePage.objects.get(pk=module_id)
    for index in range(module_section_count(module)):
        progress_section_complete(
            user=child, module=module, section_index=index, seconds=60
        )
    take_quiz(child, module, correct=True)
    return {"status": ModuleProgress.objects.get(user=child, module=module).status}


def parent_links(*, child_id: int) -> dict:
    """Who is linked to the child, and whether any slip of theirs was used."""
    from lms.models import ConsentSlip, ParentLink

    return {
        "parents": sorted(
            ParentLink.objects.filter(pupil_id=child_id).values_list(
                "parent__username", flat=True
            )
        ),
        "slips_used": ConsentSlip.objects.filter(
            pupil_id=child_id, used_at__isnull=False
        ).count(),
    }


def quiz_key(*, attempt_id: str) -> dict:
    """The right response to each question drawn for the attempt, by question id
    (``choice_ids``, or ``order`` for an ordering question)."""
    from quizzes.models import Attempt
    from tests.quizzes.attempt_helpers import correct_response, snapshot_question

    attempt = Attempt.objects.get(pk=attempt_id)
    return {
        question_id: correct_response(snapshot_question(attempt, question_id))
        for question_id in attempt.question_ids
    }


def attempt_result(*, attempt_id: str) -> dict:
    from quizzes.models import Attempt

    attempt = Attempt.objects.get(pk=attempt_id)
    return {
        "submitted": attempt.submitted_at is not None,
        "passed": attempt.passed,
        "percent": float(attempt.percent) if attempt.percent is not None else None,
    }


COMMANDS = {
    f.__name__: f
    for f in (
        parent_school,
        child_passes_module,
        parent_links,
        quiz_key,
        attempt_result,
    )
}

if __name__ == "__main__":
    _setup()
    command, arguments = (
        sys.argv[1],
        json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}"),
    )
    print(json.dumps(COMMANDS[command](**arguments)))
