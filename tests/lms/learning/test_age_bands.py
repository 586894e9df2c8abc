"""The age-appropriate catalogue: a pupil opens their band's modules and what was
given to them; another band's pupils' module is refused kindly, in pages and API;
teachers see every band, labelled, and are warned when they give one outside the
class's band."""

import datetime

import pytest
from django.utils import timezone

from content_cms.models import Audience
from lms.learning import catalogue
from lms.learning import selectors as learning_selectors
from lms.learning import services as learning_services
from lms.models import ModuleProgress, SchoolType
from tests.content_cms.factories import build_module
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    make_pupil,
    make_teacher,
)
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)

pytestmark = pytest.mark.django_db

REFUSAL = "This lesson is written for Grades 10-12 (ages 15-17)"


@pytest.fixture
def school_class():
    return SchoolClassFactory(name="5A", grade=5)


@pytest.fixture
def pupil(school_class):
    return make_pupil(school_class)


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


@pytest.fixture
def own_module():
    return learning_module(title="Bí mật của em", slug="g3-5-bi-mat")


@pytest.fixture
def older_module():
    return learning_module(
        title="Người lạ và ảnh riêng tư", slug="g10-12-strangers", age_band="g10-12"
    )


def test_a_pupil_opens_their_band_and_is_refused_another_kindly(
    client, english, pupil, own_module, older_module
):
    client.force_login(pupil)
    assert client.get("/bai-hoc/g3-5-bi-mat/").status_code == 200

    response = client.get("/bai-hoc/g10-12-strangers/")
    body = response.content.decode()
    assert response.status_code == 403
    assert REFUSAL in body and "The lessons for your class are waiting" in body
    assert 'href="/bai-hoc/"' in body  # the way back to their own lessons
    assert "Người lạ và ảnh riêng tư" not in body  # nothing of the lesson shows


def test_the_module_player_refuses_another_band_with_the_same_page(
    client, english, pupil, older_module
):
    client.force_login(pupil)
    for url in (
        f"/hoc/{older_module.pk}/",
        f"/hoc/{older_module.pk}/phan/0/",
        f"/hoc/{older_module.pk}/bai-kiem-tra/",
        f"/hoc/{older_module.pk}/ket-qua/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert REFUSAL in response.content.decode()
    assert client.post(f"/hoc/{older_module.pk}/phan/0/").status_code == 403
    assert not ModuleProgress.objects.filter(user=pupil).exists()


def test_the_catalogue_lists_only_the_pupils_band(
    client, pupil, own_module, older_module
):
    client.force_login(pupil)
    body = client.get("/bai-hoc/").content.decode()
    assert "Bí mật của em" in body and "Người lạ và ảnh riêng tư" not in body
    # The age filter offers their own band only.
    assert 'value="g3-5"' in body and 'value="g10-12"' not in body
    body = client.get("/bai-hoc/?age_band=g10-12").content.decode()
    assert "Người lạ và ảnh riêng tư" not in body


def test_the_api_lists_the_pupils_band_and_refuses_another(
    client, english, pupil, own_module, older_module
):
    client.force_login(pupil)
    listing = client.get("/api/catalogue/modules/").json()
    assert {item["title"] for item in listing["results"]} == {"Bí mật của em"}

    response = client.get(f"/api/catalogue/modules/{older_module.pk}/")
    assert response.status_code == 403
    assert response.json()["code"] == "module_outside_age_band"
    assert REFUSAL in response.json()["detail"]

    section = client.post(
        f"/api/my/progress/{older_module.pk}/sections/0/",
        {"seconds": 30},
        content_type="application/json",
    )
    assert section.status_code == 403
    assert section.json()["code"] == "module_outside_age_band"
    assert not ModuleProgress.objects.filter(user=pupil).exists()


def test_a_module_given_by_the_teacher_opens_whatever_its_band(
    client, pupil, teacher, school_class, older_module
):
    learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=older_module,
        opens_on=timezone.localdate(),
    )
    client.force_login(pupil)
    assert client.get("/bai-hoc/g10-12-strangers/").status_code == 200
    assert client.get(f"/hoc/{older_module.pk}/phan/0/").status_code == 200
    listing = client.get("/api/catalogue/modules/").json()
    assert "Người lạ và ảnh riêng tư" in {i["title"] for i in listing["results"]}


def test_a_module_given_to_another_group_stays_closed(
    client, pupil, teacher, school_class, older_module
):
    classmate = make_pupil(school_class)
    learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=older_module,
        opens_on=timezone.localdate(),
        pupils=[classmate],
    )
    client.force_login(pupil)
    assert client.get("/bai-hoc/g10-12-strangers/").status_code == 403
    client.force_login(classmate)
    assert client.get("/bai-hoc/g10-12-strangers/").status_code == 200


def test_a_quiz_of_another_band_started_by_hand_counts_for_nothing(pupil, older_module):
    allow_learning_records()
    take_quiz(pupil, older_module)
    assert not ModuleProgress.objects.filter(user=pupil).exists()


def test_a_care_facilitys_group_has_the_band_of_its_grade(client):
    group = SchoolClassFactory(
        school=SchoolFactory(school_type=SchoolType.CARE_FACILITY),
        name="Nhóm Hoa Mai",
        grade=11,
    )
    learning_module(
        title="Người lạ và ảnh riêng tư", slug="g10-12-strangers", age_band="g10-12"
    )
    learning_module(title="Bí mật của em", slug="g3-5-bi-mat")
    client.force_login(make_pupil(group))
    assert client.get("/bai-hoc/g10-12-strangers/").status_code == 200
    assert client.get("/bai-hoc/g3-5-bi-mat/").status_code == 403


def test_modules_for_parents_and_staff_are_not_age_banded(client, pupil):
    build_module(title="Dong hanh", slug="dong-hanh", audience=Audience.PARENT)
    client.force_login(pupil)
    assert client.get("/goc-phu-huynh/dong-hanh/").status_code == 200


def test_teachers_see_every_band_labelled(client, teacher, own_module, older_module):
    client.force_login(teacher)
    assert client.get("/bai-hoc/g10-12-strangers/").status_code == 200
    body = client.get("/bai-hoc/").content.decode()
    assert "Người lạ và ảnh riêng tư" in body and "Lớp 10-12 (15-17 tuổi)" in body


def test_the_assign_page_labels_bands_and_warns_outside_the_class_band(
    client, english, teacher, school_class, own_module, older_module
):
    client.force_login(teacher)
    url = f"/lop/{school_class.pk}/giao-bai/"
    body = client.get(url).content.decode()
    assert "Người lạ và ảnh riêng tư · Grades 10-12 (ages 15-17)" in body
    assert "Other age bands" in body

    response = client.post(
        url,
        {
            "module": older_module.pk,
            "opens_on": timezone.localdate().isoformat(),
            "audience": "class",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "The module was given to the class." in body
    assert (
        "Người lạ và ảnh riêng tư is written for Grades 10-12 (ages 15-17); "
        "class 5A is in grade 5. Check that it suits the class."
    ) in body

    response = client.post(
        url,
        {
            "module": own_module.pk,
            "opens_on": timezone.localdate().isoformat(),
            "audience": "class",
        },
        follow=True,
    )
    assert "Check that it suits the class" not in response.content.decode()


def test_the_assignment_api_warns_outside_the_class_band(
    client, english, teacher, school_class, own_module, older_module
):
    client.force_login(teacher)
    url = f"/api/classes/{school_class.pk}/assignments/"
    today = timezone.localdate().isoformat()
    response = client.post(
        url,
        {"module_id": older_module.pk, "opens_on": today},
        content_type="application/json",
    )
    assert response.status_code == 201
    [warning] = response.json()["warnings"]
    assert "is written for Grades 10-12 (ages 15-17)" in warning
    response = client.post(
        url,
        {"module_id": own_module.pk, "opens_on": today},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["warnings"] == []


def test_a_pupil_without_a_class_opens_no_pupils_module(client, own_module):
    pupil = make_pupil(SchoolClassFactory(grade=4))
    pupil.enrolments.update(left_on=datetime.date(2026, 10, 1))
    client.force_login(pupil)
    assert client.get("/bai-hoc/g3-5-bi-mat/").status_code == 403


def test_the_rule_is_one_condition_for_pupils_and_none_for_adults(
    pupil, teacher, own_module, older_module
):
    assert catalogue.module_access_rule(user=teacher) is None
    rule = catalogue.module_access_rule(user=pupil)
    assert rule is not None
    visible = set(
        learning_selectors.modules_visible_to(pupil)
        .filter(audience=Audience.PUPIL)
        .values_list("pk", flat=True)
    )
    assert visible == {own_module.pk}


def test_the_rule_for_one_module_agrees_with_the_condition(
    pupil, teacher, school_class, own_module, older_module
):
    """The player asks ``allows`` for one module; lists filter by ``condition``:
    in band, out of band, given to the class, given to a group, after leaving,
    given but not open yet."""
    from content_cms.selectors import module_published_source

    other_band = learning_module(title="Tin giả", slug="g6-9-tin-gia", age_band="g6-9")
    classmate = make_pupil(school_class)
    learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=older_module,
        opens_on=timezone.localdate(),
    )
    learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=other_band,
        opens_on=timezone.localdate(),
        pupils=[classmate],
    )
    not_yet = learning_module(title="Sắp mở", slug="g10-12-sap-mo", age_band="g10-12")
    learning_services.assignment_create(
        actor=teacher,
        school_class=school_class,
        module=not_yet,
        opens_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    left = make_pupil(SchoolClassFactory(grade=5))
    left.enrolments.update(left_on=datetime.date(2026, 10, 1))
    modules = [own_module, older_module, other_band, not_yet]
    expected = {
        pupil.pk: {own_module.pk, older_module.pk},
        classmate.pk: {own_module.pk, older_module.pk, other_band.pk},
        left.pk: set(),
    }
    for user in (pupil, classmate, left):
        rule = catalogue.module_access_rule(user=user)
        by_condition = set(
            type(own_module)
            .objects.filter(rule.condition, pk__in=[m.pk for m in modules])
            .values_list("pk", flat=True)
        )
        by_allows = {
            m.pk
            for m in modules
            if rule.allows(module_published_source(module_id=m.pk))
        }
        assert by_condition == by_allows == expected[user.pk], user.username


def test_the_plain_statement_names_the_models_tables():
    from lms.learning.selectors import MODULE_OPEN_TO_TABLES

    for table, model in MODULE_OPEN_TO_TABLES.items():
        assert model._meta.db_table == table
