"""A class's certificates page (revoke, re-issue, download the class) is one click
from the class page and from its progress grid, for those who may open it."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from lms.models import Role
from tests.certificates.helpers import demo_like_class
from tests.factories import SchoolClassFactory, make_pupil, make_staff, make_teacher

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class():
    return demo_like_class()


def certificates_link(school_class) -> str:
    return f'href="{reverse("certificates:class", args=[school_class.pk])}"'


@pytest.mark.parametrize("page", ["lms:class_detail", "lms:class_progress"])
def test_the_class_page_and_the_grid_link_to_the_class_certificates(
    client, school_class, page
):
    make_pupil(school_class)
    client.force_login(make_teacher(school_class))
    response = client.get(reverse(page, args=[school_class.pk]))
    assert response.status_code == 200
    assert certificates_link(school_class) in response.content.decode()
    # The link leads somewhere the teacher may go, and back.
    target = client.get(reverse("certificates:class", args=[school_class.pk]))
    assert target.status_code == 200
    back = reverse("lms:class_detail", args=[school_class.pk])
    assert f'href="{back}"' in target.content.decode()


def test_a_school_administrator_finds_it_on_the_class_page(client, school_class):
    client.force_login(make_staff(Role.SCHOOL_ADMIN, school=school_class.school))
    response = client.get(reverse("lms:class_detail", args=[school_class.pk]))
    assert certificates_link(school_class) in response.content.decode()


def test_the_link_is_drawn_only_for_those_the_certificates_page_lets_in(school_class):
    template = Template(
        "{% load certificates %}{% class_certificates_link school_class user %}"
    )
    teacher = make_teacher(school_class)
    other_teacher = make_teacher(SchoolClassFactory(school=school_class.school))
    pupil = make_pupil(school_class)

    def drawn(user) -> bool:
        html = template.render(Context({"school_class": school_class, "user": user}))
        return certificates_link(school_class) in html

    assert drawn(teacher)
    assert not drawn(other_teacher)
    assert not drawn(pupil)
