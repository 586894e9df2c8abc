"""Assignments: the rules of giving a module, and the teacher's page to do it."""

import datetime

import pytest
from django.utils import timezone

from content_cms.models import Audience
from lms.errors import LmsError
from lms.learning import catalogue
from lms.learning import services as learning_services
from lms.models import Assignment, Enrolment, Role
from tests.content_cms.factories import build_module
from tests.factories import SchoolClassFactory, make_pupil, make_staff, make_teacher
from tests.lms.learning_helpers import learning_module, translate_module

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def school_class():
    return SchoolClassFactory(grade=4)


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


@pytest.fixture
def module():
    return learning_module()


def test_a_teacher_gives_a_module_to_the_whole_class(teacher, school_class, module):
    assignment = learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=module,
        opens_on=TODAY,
        due_on=TODAY + datetime.timedelta(days=7),
    )
    assert assignment.assigned_by == teacher
    assert list(assignment.pupils.all()) == []


def test_a_teacher_gives_a_module_to_a_group(teacher, school_class, module):
    pupils = [make_pupil(school_class) for _ in range(3)]
    assignment = learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=module,
        opens_on=TODAY,
        pupils=pupils[:2],
    )
    assert set(assignment.pupils.all()) == set(pupils[:2])


def test_a_foreign_class_is_refused(module, school_class):
    other_teacher = make_teacher(SchoolClassFactory(school=school_class.school))
    with pytest.raises(LmsError) as error:
        learning_services.assignment_create(
            actor=other_teacher,
            school_class=school_class,
            module=module,
            opens_on=TODAY,
        )
    assert error.value.code == "class_not_managed"


def test_a_counsellor_without_the_permission_is_refused(school_class, module):
    counsellor = make_staff(Role.COUNSELLOR, school=school_class.school)
    school_class.teachers.add(counsellor)
    with pytest.raises(LmsError):
        learning_services.assignment_create(
            actor=counsellor, school_class=school_class, module=module, opens_on=TODAY
        )


def test_a_pupil_of_another_class_is_refused(teacher, school_class, module):
    stranger = make_pupil(SchoolClassFactory(school=school_class.school))
    with pytest.raises(LmsError) as error:
        learning_services.assignment_create(
            actor=teacher,
            school_class=school_class,
            module=module,
            opens_on=TODAY,
            pupils=[stranger],
        )
    assert error.value.code == "pupil_not_in_class"


def test_a_pupil_who_left_is_refused(teacher, school_class, module):
    pupil = make_pupil(school_class)
    Enrolment.objects.filter(pupil=pupil).update(left_on=TODAY)
    with pytest.raises(LmsError):
        learning_services.assignment_create(
            actor=teacher,
            school_class=school_class,
            module=module,
            opens_on=TODAY,
            pupils=[pupil],
        )


def test_due_before_opening_is_refused(teacher, school_class, module):
    with pytest.raises(LmsError) as error:
        learning_services.assignment_create(
            actor=teacher,
            school_class=school_class,
            module=module,
            opens_on=TODAY,
            due_on=TODAY - datetime.timedelta(days=1),
        )
    assert error.value.code == "due_before_open"


@pytest.mark.parametrize("kind", ["parent", "draft", "english"])
def test_only_live_vietnamese_pupil_modules_can_be_given(
    teacher, school_class, module, kind
):
    if kind == "parent":
        other = build_module(title="Cha me", slug="cha-me", audience=Audience.PARENT)
    elif kind == "draft":
        other = build_module(title="Nhap", slug="nhap", publish=False)
    else:
        other = translate_module(module, title="My secrets")
    with pytest.raises(LmsError) as error:
        learning_services.assignment_create(
            actor=teacher, school_class=school_class, module=other, opens_on=TODAY
        )
    assert error.value.code == "module_not_assignable"
    assert not Assignment.objects.exists()


def test_deleting_needs_the_class_too(teacher, school_class, module):
    assignment = learning_services.assignment_create(
        actor=teacher, school_class=school_class, module=module, opens_on=TODAY
    )
    outsider = make_teacher(SchoolClassFactory())
    with pytest.raises(LmsError):
        learning_services.assignment_delete(actor=outsider, assignment=assignment)
    learning_services.assignment_delete(actor=teacher, assignment=assignment)
    assert not Assignment.objects.exists()


def test_modules_for_the_class_grade_are_suggested_first(teacher, school_class):
    in_band = learning_module(title="Lop bon", slug="lop-bon", age_band="g3-5")
    other = learning_module(title="Lop tam", slug="lop-tam", age_band="g6-9")
    modules = catalogue.assignable_modules(user=teacher, school_class=school_class)
    assert [m.source_id for m in modules.suggested] == [in_band.pk]
    assert other.pk in [m.source_id for m in modules.others]


# --- The page ----------


def test_the_page_gives_a_module_to_chosen_pupils(
    client, teacher, school_class, module
):
    pupils = [make_pupil(school_class) for _ in range(2)]
    client.force_login(teacher)
    page = client.get(f"/lop/{school_class.pk}/giao-bai/")
    body = page.content.decode()
    assert page.status_code == 200
    assert module.title in body and pupils[0].name in body
    response = client.post(
        f"/lop/{school_class.pk}/giao-bai/",
        {
            "module": module.pk,
            "opens_on": "2026-11-27",
            "due_on": "2026-12-04",
            "audience": "group",
            "pupils": [pupils[1].pk],
        },
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert list(assignment.pupils.all()) == [pupils[1]]
    assert assignment.due_on == datetime.date(2026, 12, 4)
    listing = client.get(f"/lop/{school_class.pk}/giao-bai/").content.decode()
    assert "04/12/2026" in listing


def test_the_page_shows_rule_violations_as_messages(
    client, teacher, school_class, module
):
    client.force_login(teacher)
    response = client.post(
        f"/lop/{school_class.pk}/giao-bai/",
        {
            "module": module.pk,
            "opens_on": "2026-11-27",
            "due_on": "2026-11-20",
            "audience": "class",
        },
    )
    assert response.status_code == 200
    assert "error-box" in response.content.decode()
    assert not Assignment.objects.exists()
    group_without_pupils = client.post(
        f"/lop/{school_class.pk}/giao-bai/",
        {"module": module.pk, "opens_on": "2026-11-27", "audience": "group"},
    )
    assert group_without_pupils.status_code == 200
    assert not Assignment.objects.exists()


def test_the_page_takes_a_module_back(client, teacher, school_class, module):
    assignment = learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=module,
        opens_on=timezone.localdate(),
    )
    client.force_login(teacher)
    url = f"/lop/{school_class.pk}/giao-bai/{assignment.pk}/xoa/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Assignment.objects.exists()


def test_a_foreign_class_page_is_a_404(client, school_class, module):
    outsider = make_teacher(SchoolClassFactory())
    client.force_login(outsider)
    assert client.get(f"/lop/{school_class.pk}/giao-bai/").status_code == 404
    pupil = make_pupil(school_class)
    client.force_login(pupil)
    assert client.get(f"/lop/{school_class.pk}/giao-bai/").status_code == 404


def test_taking_back_another_class_assignment_is_a_404(
    client, teacher, school_class, module
):
    other_class = SchoolClassFactory()
    other_teacher = make_teacher(other_class)
    assignment = learning_services.assignment_create(
        actor=other_teacher, school_class=other_class, module=module, opens_on=TODAY
    )
    client.force_login(teacher)
    url = f"/lop/{school_class.pk}/giao-bai/{assignment.pk}/xoa/"
    assert client.post(url).status_code == 404
    assert Assignment.objects.exists()
