"""Set up the teaching journey's small province in the live server's database.

Run as ``python -m tests.e2e.remote_teaching COMMAND JSON`` with the live
server's environment, like ``tests.e2e.remote``; prints one JSON object. What
the journey does not test is made here through the services (a province, one
primary school with two classes, its staff and pupils); what it tests (the
rule, the lessons, the dashboards) it does in the browser.
"""

import json
import sys

STAFF_PASSWORD = "demo-Tayninh-2026"
PROVINCE_CODE = "h20-tinh"
SCHOOL_CODE = "h20-truong"
# The rule the officer sets: (age band, topic) pairs, in the order of the screen.
REQUIRED = [("g1-2", "kindness"), ("g3-5", "kindness"), ("g3-5", "strangers")]
CLASSES = [(2, "2A"), (5, "5A")]
PUPILS = {
    "2A": ["Lê Gia Hân", "Phạm Minh Khôi", "Võ Thảo Vy"],
    "5A": ["Nguyễn Bảo Ngọc", "Trần Quốc Huy", "Đỗ Thanh Tâm", "Huỳnh Khánh Linh"],
}


def _setup():
    import django

    django.setup()


def teaching_school() -> dict:
    """A province, a ward, one primary school (2A, 5A) with a teacher of both
    classes, a school administrator, a province officer (with an authenticator)
    and a few pupils with their parents' consent."""
    from django.utils import timezone
    from django.utils.translation import override
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from content_cms.models import AgeBand, ModulePage, Topic
    from devdata.demo import school_year_ensure, school_year_start
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
        code=PROVINCE_CODE, name="Tỉnh Tây Ninh", level="tỉnh"
    )
    ward = province.add_child(
        code="h20-phuong", name="Phường Hòa Thành", level="phường"
    )
    school = School.objects.create(
        code=SCHOOL_CODE,
        name="Trường Tiểu học Hòa Bình",
        school_type=SchoolType.PRIMARY,
        unit=ward,
        contact_name="Cô Lê Thị Hoa",
    )

    def staff(username, name, role, **where):
        user = staff_create(
            username=username, display_name=name, password=STAFF_PASSWORD
        )
        role_assign(user=user, role=role, **where)
        return user

    teacher = staff("gv.hoabinh", "Trần Thị Mai", Role.TEACHER, school=school)
    admin = staff("qt.hoabinh", "Phan Văn Long", Role.SCHOOL_ADMIN, school=school)
    staff("cb.tinh.h20", "Lê Thị Thu Hà", Role.PROVINCE_OFFICER, unit=province)
    officer_device = TOTPDevice.objects.create(
        user=admin.__class__.objects.get(username="cb.tinh.h20"),
        name="Điện thoại",
        confirmed=True,
    )
    classes = {}
    pupils = {}
    for grade, name in CLASSES:
        school_class = SchoolClass.objects.create(
            school=school,
            school_year=school_year,
            name=name,
            grade=grade,
            homeroom_teacher=teacher,
        )
        school_class.teachers.add(teacher)
        classes[name] = school_class.pk
        created = [
            pupil_create(
                display_name=display_name,
                school_class=school_class,
                roster_number=number,
            )
            for number, display_name in enumerate(PUPILS[name], start=1)
        ]
        consent_record_bulk(
            recorded_by=admin,
            school=school,
            pupil_ids=[credentials.pupil_id for credentials in created],
            given_by=[ConsentGiver.PARENT, ConsentGiver.CHILD],
            method=ConsentMethod.PAPER,
            consented_on=today,
            notice_version="2026-1",
        )
        pupils[name] = [credentials.as_dict() for credentials in created]

    required = []
    with override("vi"):
        for band_code, topic_code in REQUIRED:
            band = AgeBand.objects.get(code=band_code)
            topic = Topic.objects.get(code=topic_code)
            module = (
                ModulePage.objects.live()
                .filter(
                    audience="pupil",
                    locale__language_code="vi",
                    age_bands=band,
                    topic=topic,
                )
                .order_by("path")
                .first()
            )
            required.append(
                {
                    "band_id": band.pk,
                    "band": band.localized_name,
                    "topic_id": topic.pk,
                    "topic": topic.localized_name,
                    "module_id": module.pk,
                    "module": module.title,
                    "quiz_id": module.quiz_id,
                }
            )
    period = period_default()
    return {
        "school_id": school.pk,
        "school": school.name,
        "classes": classes,
        "pupils": pupils,
        "teacher": teacher.username,
        "admin": admin.username,
        "officer": "cb.tinh.h20",
        "totp": {
            "key": officer_device.key,
            "step": officer_device.step,
            "digits": officer_device.digits,
        },
        "period_id": period.pk,
        "period": str(period),
        "today": today.isoformat(),
        "required": required,
    }


def school_status(*, school_id: int, period_id: int) -> dict:
    """The school's status as the reports compute it, and the lessons stored."""
    from lms.models import ReportingPeriod, School, TeachingSession
    from lms.reports.figures import school_figures

    period = ReportingPeriod.objects.get(pk=period_id)
    schools = School.objects.filter(pk=school_id)
    figures = school_figures(schools=schools, periods=[period])[(school_id, period_id)]
    return {
        "status": figures.status,
        "lessons": [
            {
                "class": session.school_class.name,
                "module_id": session.module_id,
                "taught_on": session.taught_on.isoformat(),
                "minutes": session.duration_minutes,
                "present": session.attendance.filter(present=True).count(),
                "pupils": session.attendance.count(),
            }
            for session in TeachingSession.objects.filter(
                school_class__school_id=school_id
            )
            .select_related("school_class")
            .order_by("pk")
        ],
    }


COMMANDS = {f.__name__: f for f in (teaching_school, school_status)}

if __name__ == "__main__":
    _setup()
    command, arguments = (
        sys.argv[1],
        json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}"),
    )
    print(json.dumps(COMMANDS[command](**arguments)))
