"""The public "report a concern" page: hotlines first, routed to a commune,
rate-limited per address, a honeypot, and the same answer whatever is written."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from lms.models import HelpRequest, HelpSource, Role
from lms.safeguarding.selectors import help_requests_handled_by
from tests.factories import SchoolFactory, UnitFactory, login_verified, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def commune():
    province = UnitFactory(name="Tỉnh Đông")
    return UnitFactory(parent=province, name="Xã Hòa Bình")


def report(client, unit, message="Một em nhỏ bị nhắn tin đe dọa.", **extra):
    data = {
        "commune": unit.pk,
        "category": "bothered",
        "message": message,
        "website": "",
        **extra,
    }
    return client.post(reverse("lms:community_report"), data, REMOTE_ADDR="1.2.3.4")


def test_hotlines_come_first_on_the_page(client, commune):
    page = client.get(reverse("lms:community_report")).content.decode()
    assert page.index('href="tel:111"') < page.index('name="commune"')
    assert 'href="tel:113"' in page and 'href="tel:115"' in page
    assert "Xã Hòa Bình" in page


def test_a_report_is_kept_for_the_commune_and_reaches_no_school(client, commune):
    school = SchoolFactory(unit=commune)
    counsellor = make_staff(Role.COUNSELLOR, school=school)
    response = report(client, commune)
    assert response.status_code == 200
    concern = HelpRequest.objects.get()
    assert (concern.source, concern.commune, concern.school, concern.pupil) == (
        HelpSource.COMMUNITY,
        commune,
        None,
        None,
    )
    assert not help_requests_handled_by(counsellor).exists()


def test_only_platform_admins_see_community_reports_for_now(client, commune):
    report(client, commune)
    admin = make_staff(Role.PLATFORM_ADMIN)
    login_verified(client, admin)
    page = client.get(reverse("lms:community_reports")).content.decode()
    assert "Một em nhỏ bị nhắn tin đe dọa." in page
    officer = make_staff(Role.UNIT_OFFICER, unit=commune)
    client.force_login(officer)
    assert client.get(reverse("lms:community_reports")).status_code == 404


def test_the_same_answer_whatever_name_is_written(client, commune):
    from tests.factories import SchoolClassFactory, make_pupil

    make_pupil(SchoolClassFactory(), display_name="Nguyễn Minh An")
    known = report(client, commune, message="Em Nguyễn Minh An bị bắt nạt.")
    unknown = report(client, commune, message="Em Lê Không Có bị bắt nạt.")
    assert known.status_code == unknown.status_code == 200
    strip = [b"csrfmiddlewaretoken", b"nonce"]
    assert [
        line for line in known.content.splitlines() if not any(s in line for s in strip)
    ] == [
        line
        for line in unknown.content.splitlines()
        if not any(s in line for s in strip)
    ]
    assert not HelpRequest.objects.filter(pupil__isnull=False).exists()


def test_a_robot_filling_the_honeypot_is_thanked_but_not_kept(client, commune):
    response = report(client, commune, website="http://spam.example")
    assert response.status_code == 200
    assert not HelpRequest.objects.exists()


def test_reports_from_one_address_are_limited(client, commune, settings):
    settings.COMMUNITY_REPORTS_PER_ADDRESS = 3
    statuses = [report(client, commune).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert HelpRequest.objects.count() == 3
    other = client.post(
        reverse("lms:community_report"),
        {"commune": commune.pk, "category": "other", "message": "Khác."},
        REMOTE_ADDR="5.6.7.8",
    )
    assert other.status_code == 200 and HelpRequest.objects.count() == 4


def test_bad_input_is_refused_without_a_record(client, commune):
    province = commune.get_parent()
    for data in (
        {"commune": province.pk},  # a province is not a commune
        {"commune": 999999},
        {"message": ""},
        {"category": "nope"},
        {"message": "x" * 1001},
    ):
        assert report(client, commune, **data).status_code == 200
    assert not HelpRequest.objects.exists()
