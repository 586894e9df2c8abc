"""The scoping selectors: each role sees its own part of the tree, nothing more."""

import pytest

from lms.models import Role
from lms.people import selectors
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    UnitFactory,
    UserFactory,
    make_pupil,
    make_staff,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    """A province with two communes, a school in each, two classes per school."""
    root = UnitFactory(name="Tây Ninh")
    commune_a = UnitFactory(parent=root, name="Phường Tân Ninh")
    commune_b = UnitFactory(parent=root, name="Xã Hòa Thành")
    school_a = SchoolFactory(unit=commune_a)
    school_b = SchoolFactory(unit=commune_b)
    return {
        "root": root,
        "commune_a": commune_a,
        "commune_b": commune_b,
        "school_a": school_a,
        "school_b": school_b,
        "class_a1": SchoolClassFactory(school=school_a),
        "class_a2": SchoolClassFactory(school=school_a),
        "class_b1": SchoolClassFactory(school=school_b),
    }


def test_teacher_sees_only_the_classes_they_teach(province):
    teacher = make_teacher(province["class_a1"])
    # A teacher of the same school does not reach a class they do not teach.
    assert set(selectors.classes_visible_to(teacher)) == {province["class_a1"]}
    assert set(selectors.classes_managed_by(teacher)) == {province["class_a1"]}


def test_homeroom_teacher_reaches_their_class(province):
    teacher = make_staff(Role.TEACHER, school=province["school_a"])
    province["class_a2"].homeroom_teacher = teacher
    province["class_a2"].save()
    assert set(selectors.classes_visible_to(teacher)) == {province["class_a2"]}


def test_teacher_sees_pupils_of_their_classes_only(province):
    teacher = make_teacher(province["class_a1"])
    own = make_pupil(province["class_a1"])
    make_pupil(province["class_a2"])
    make_pupil(province["class_b1"])
    assert list(selectors.pupils_visible_to(teacher)) == [own]


def test_school_admin_sees_only_their_school(province):
    admin = make_staff(Role.SCHOOL_ADMIN, school=province["school_a"])
    pupil_a = make_pupil(province["class_a2"])
    make_pupil(province["class_b1"])
    assert set(selectors.schools_visible_to(admin)) == {province["school_a"]}
    assert set(selectors.classes_visible_to(admin)) == {
        province["class_a1"],
        province["class_a2"],
    }
    assert list(selectors.pupils_visible_to(admin)) == [pupil_a]


def test_unit_officer_sees_only_their_subtree(province):
    officer = make_staff(Role.UNIT_OFFICER, unit=province["commune_b"])
    assert set(selectors.schools_visible_to(officer)) == {province["school_b"]}
    assert set(selectors.classes_visible_to(officer)) == {province["class_b1"]}
    assert set(selectors.units_visible_to(officer)) == {province["commune_b"]}


def test_province_officer_sees_every_school_but_no_pupil(province):
    officer = make_staff(Role.PROVINCE_OFFICER, unit=province["root"])
    make_pupil(province["class_a1"])
    assert set(selectors.schools_visible_to(officer)) == {
        province["school_a"],
        province["school_b"],
    }
    assert set(selectors.units_visible_to(officer)) == {
        province["root"],
        province["commune_a"],
        province["commune_b"],
    }
    assert not selectors.pupils_visible_to(officer).exists()


def test_pupil_sees_themself_and_their_class(province):
    pupil = make_pupil(province["class_a1"])
    make_pupil(province["class_a1"])
    assert list(selectors.pupils_visible_to(pupil)) == [pupil]
    assert list(selectors.classes_visible_to(pupil)) == [province["class_a1"]]
    assert list(selectors.schools_visible_to(pupil)) == [province["school_a"]]


def test_person_without_a_role_sees_nothing(province):
    from tests.factories import UserFactory

    nobody = UserFactory()
    assert not selectors.schools_visible_to(nobody).exists()
    assert not selectors.classes_visible_to(nobody).exists()
    assert not selectors.pupils_visible_to(nobody).exists()
    assert not selectors.units_visible_to(nobody).exists()


def test_roles_in_two_places_add_up(province):
    teacher = make_teacher(province["class_a1"])
    from lms.people.services import role_assign

    role_assign(user=teacher, role=Role.UNIT_OFFICER, unit=province["commune_b"])
    assert set(selectors.schools_visible_to(teacher)) == {
        province["school_a"],
        province["school_b"],
    }


def test_schools_under_a_unit_are_only_those_the_user_may_see(province):
    """A dashboard's unit narrows what the user sees; it never widens it."""
    chief = make_staff(Role.PROVINCE_OFFICER, unit=province["root"])
    commune_officer = make_staff(Role.UNIT_OFFICER, unit=province["commune_b"])
    admin = make_staff(Role.SCHOOL_ADMIN, school=province["school_a"])
    assert set(selectors.schools_under(chief, province["root"])) == {
        province["school_a"],
        province["school_b"],
    }
    assert set(selectors.schools_under(chief, province["commune_a"])) == {
        province["school_a"]
    }
    assert set(selectors.schools_under(commune_officer, province["commune_b"])) == {
        province["school_b"]
    }
    # Units outside the user's own areas: only what the user sees otherwise.
    assert (
        not selectors.schools_under(commune_officer, province["root"])
        .filter(pk=province["school_a"].pk)
        .exists()
    )
    assert not selectors.schools_under(commune_officer, province["commune_a"]).exists()
    assert set(selectors.schools_under(admin, province["root"])) == {
        province["school_a"]
    }


def test_a_signed_in_user_is_read_with_their_roles_in_one_query(
    province, django_assert_num_queries
):
    """The sign-in backends read the user and their roles together; the scopes
    they give are those of the roles read on their own."""
    from lms.models import RoleAssignment

    teacher = make_teacher(province["class_a1"])
    RoleAssignment.objects.create(
        user=teacher, role=Role.UNIT_OFFICER, unit=province["commune_b"]
    )
    nobody = UserFactory()
    with django_assert_num_queries(1):
        read = selectors.user_with_anchors(teacher.pk)
        anchors = selectors.user_anchors(read)
    assert sorted(anchors, key=lambda a: a.role) == sorted(
        selectors.user_anchors(type(teacher).objects.get(pk=teacher.pk)),
        key=lambda a: a.role,
    )
    assert {a.unit_path for a in anchors if a.role == Role.UNIT_OFFICER} == {
        province["commune_b"].path
    }
    assert set(selectors.schools_visible_to(read)) == {
        province["school_a"],
        province["school_b"],
    }
    with django_assert_num_queries(1):
        assert selectors.user_anchors(selectors.user_with_anchors(nobody.pk)) == []
    assert selectors.user_with_anchors(10**9) is None
