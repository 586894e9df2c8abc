"""Class membership: a school admin moves a pupil to another class or marks one left."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.errors import LmsError
from lms.models import AuditEntry, Enrolment, Role, SchoolYear
from lms.rosters.membership import pupil_leave, pupil_move
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    make_pupil,
    make_staff,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def classes(school):
    first = SchoolClassFactory(school=school, name="1A", grade=1)
    second = SchoolClassFactory(
        school=school, school_year=first.school_year, name="1B", grade=1
    )
    return first, second


@pytest.fixture
def pupil(classes):
    pupil = make_pupil(classes[0], display_name="Lê Thị Hoa")
    Enrolment.objects.filter(pupil=pupil).update(roster_number=4)
    return pupil


@pytest.fixture
def admin_client(client, school):
    client.force_login(make_staff(Role.SCHOOL_ADMIN, school=school))
    return client


def move_url(school_class, pupil):
    return reverse("lms:pupil_move", args=[school_class.pk, pupil.pk])


def leave_url(school_class, pupil):
    return reverse("lms:pupil_leave", args=[school_class.pk, pupil.pk])


def enrolments(pupil):
    return list(
        Enrolment.objects.filter(pupil=pupil)
        .order_by("pk")
        .values_list("school_class__name", "left_on", "roster_number")
    )


def test_the_admin_moves_a_pupil_and_the_old_enrolment_stays(
    admin_client, classes, pupil
):
    first, second = classes
    make_pupil(second)
    Enrolment.objects.filter(school_class=second).update(roster_number=30)
    detail = admin_client.get(reverse("lms:class_detail", args=[first.pk]))
    assert move_url(first, pupil) in detail.content.decode()
    page = admin_client.get(move_url(first, pupil))
    assert page.status_code == 200 and "1B" in page.content.decode()

    response = admin_client.post(move_url(first, pupil), {"lop": second.pk})
    assert response.status_code == 302
    today = timezone.localdate()
    # History kept: the enrolment in 1A ended today, one in 1B started.
    assert enrolments(pupil) == [("1A", today, 4), ("1B", None, 31)]
    assert AuditEntry.objects.filter(action="pupil_move").count() == 1
    first_page = admin_client.get(reverse("lms:class_detail", args=[first.pk]))
    second_page = admin_client.get(reverse("lms:class_detail", args=[second.pk]))
    assert pupil not in [e.pupil for e in first_page.context["enrolments"]]
    assert pupil in [e.pupil for e in second_page.context["enrolments"]]


def test_moving_back_reopens_the_earlier_enrolment(classes, pupil, school):
    first, second = classes
    admin = make_staff(Role.SCHOOL_ADMIN, school=school)
    pupil_move(actor=admin, pupil=pupil, from_class=first, to_class=second)
    pupil_move(actor=admin, pupil=pupil, from_class=second, to_class=first)
    today = timezone.localdate()
    assert enrolments(pupil) == [("1A", None, 4), ("1B", today, 1)]


def test_the_admin_marks_a_pupil_as_left(admin_client, classes, pupil):
    first, _second = classes
    assert admin_client.get(leave_url(first, pupil)).status_code == 200
    assert admin_client.post(leave_url(first, pupil)).status_code == 302
    assert enrolments(pupil) == [("1A", timezone.localdate(), 4)]
    pupil.refresh_from_db()
    assert pupil.is_active
    assert AuditEntry.objects.filter(action="pupil_leave").count() == 1
    # Gone from the class: a second request finds no such pupil.
    assert admin_client.post(leave_url(first, pupil)).status_code == 404


def test_a_class_of_another_school_or_year_is_not_a_target(
    admin_client, classes, pupil, school
):
    first, _second = classes
    elsewhere = SchoolClassFactory(school=SchoolFactory(), name="1C", grade=1)
    later_year = SchoolYear.objects.create(
        name="2027-2028",
        starts_on=first.school_year.ends_on.replace(month=9, day=5),
        ends_on=first.school_year.ends_on.replace(
            year=first.school_year.ends_on.year + 1
        ),
    )
    next_year = SchoolClassFactory(
        school=school, school_year=later_year, name="2A", grade=2
    )
    before = enrolments(pupil)
    for target in (elsewhere, next_year):
        response = admin_client.post(move_url(first, pupil), {"lop": target.pk})
        assert response.status_code == 404
    assert enrolments(pupil) == before
    admin = make_staff(Role.SCHOOL_ADMIN, school=school)
    with pytest.raises(LmsError):
        pupil_move(actor=admin, pupil=pupil, from_class=first, to_class=next_year)
    assert enrolments(pupil) == before


def test_a_pupil_of_another_class_is_a_404(admin_client, classes, pupil):
    _first, second = classes
    assert admin_client.get(move_url(second, pupil)).status_code == 404
    assert admin_client.post(leave_url(second, pupil)).status_code == 404
    assert enrolments(pupil)[0][1] is None


@pytest.mark.parametrize("who", ["teacher", "other_admin"])
def test_only_the_schools_admin_changes_membership(client, classes, pupil, who):
    first, second = classes
    if who == "teacher":
        actor = make_teacher(first)
    else:
        actor = make_staff(Role.SCHOOL_ADMIN, school=SchoolFactory())
    client.force_login(actor)
    assert client.get(move_url(first, pupil)).status_code == 404
    assert client.post(move_url(first, pupil), {"lop": second.pk}).status_code == 404
    assert client.post(leave_url(first, pupil)).status_code == 404
    detail = client.get(reverse("lms:class_detail", args=[first.pk]))
    assert move_url(first, pupil) not in detail.content.decode()
    with pytest.raises(LmsError):
        pupil_leave(actor=actor, pupil=pupil, school_class=first)
    assert enrolments(pupil) == [("1A", None, 4)]
