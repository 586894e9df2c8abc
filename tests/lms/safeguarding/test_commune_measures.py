"""The commune child-protection officer's measures: the requests that reached
their commune (referred, escalated, from the community), counted per school,
never a child's name or words, never another commune's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from lms.models import HelpCategory, HelpOutcome, HelpStatus, Referral, ReportExport
from lms.safeguarding import selectors as help_selectors
from lms.safeguarding import services as help_services
from tests.factories import ReportingPeriodFactory
from tests.lms.safeguarding.test_help_lifecycle import send, world  # noqa: F401

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def period():
    today = timezone.localdate()
    return ReportingPeriodFactory(
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def reached(world):  # noqa: F811
    """School A refers one request to commune A and keeps another; school B
    refers one to commune B; someone of commune A reports a concern."""
    now = timezone.now() - 48 * HOUR
    referred = send(world["pupil_a"], at=now, message="Em bị dọa ở nhóm lớp")
    send(world["pupil_a"], at=now, message="Chỉ nhà trường biết")
    foreign = send(world["pupil_b"], at=now, message="Bạn ở xã khác")
    for counsellor, item in (
        (world["counsellor_a"], referred),
        (world["counsellor_b"], foreign),
    ):
        help_services.help_request_acknowledge(
            user=counsellor, help_request=item, now=now + HOUR
        )
        help_services.help_request_record_action(
            user=counsellor,
            help_request=item,
            referral=Referral.COMMUNE,
            now=now + 2 * HOUR,
        )
    help_services.help_request_set_status(
        user=world["officer_a"],
        help_request=referred,
        status=HelpStatus.CLOSED,
        outcome=HelpOutcome.REFERRED_SUPPORTED,
        now=now + 5 * HOUR,
    )
    help_services.help_request_report_community(
        commune_id=world["commune_a"].pk,
        category=HelpCategory.BOTHERED,
        message="Một em ở xóm tôi bị người lạ nhắn tin",
        now=now,
    )
    return referred


def test_the_officer_counts_what_reached_the_commune(world, period, reached):  # noqa: F811
    rows, total = help_selectors.help_measures_of_commune(
        user=world["officer_a"],
        unit=world["commune_a"],
        period=period,
        now=timezone.now(),
    )
    by_name = {row.school_name: row for row in rows}
    community = gettext("Reports from the community")
    assert set(by_name) == {"Trường Tiểu học Hòa Hiệp", community}
    school = by_name["Trường Tiểu học Hòa Hiệp"]
    # Only the referred request: the one the school kept is not the commune's.
    assert school.requests == 1 and school.referred_to_commune == 1
    assert school.closed_with_outcome == 1 and school.open_past_deadline == 0
    assert school.median_to_first_action == 2 * HOUR
    assert by_name[community].requests == 1
    assert total.requests == 2
    # Another commune is not theirs.
    assert (
        help_selectors.help_measures_of_commune(
            user=world["officer_a"],
            unit=world["commune_b"],
            period=period,
            now=timezone.now(),
        )
        is None
    )


def test_the_officers_page_is_scoped_and_nameless(client, world, period, reached):  # noqa: F811
    client.force_login(world["officer_a"])
    url = reverse("lms:help_counts")
    with translation.override("vi"):
        home = client.get(reverse("lms:home")).content.decode()
        page = client.get(url, {"period": period.pk})
    assert url in home
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trường Tiểu học Hòa Hiệp" in html
    assert "Trường Tiểu học Tân Đông" not in html  # commune B's school
    for secret in (
        "Trần Bảo Ngọc",
        "Lê Minh Khôi",
        "Em bị dọa ở nhóm lớp",
        "Chỉ nhà trường biết",
        "Một em ở xóm tôi",
    ):
        assert secret not in html
    # Commune B, by its id, an unknown id, or a word: 404.
    for unit in (world["commune_b"].pk, world["province"].pk, 999999, "abc"):
        assert client.get(url, {"unit": unit}).status_code == 404
    # The other commune's officer sees their own commune, not commune A's school.
    client.force_login(world["officer_b"])
    other = client.get(url, {"period": period.pk}).content.decode()
    assert "Trường Tiểu học Tân Đông" in other
    assert "Trường Tiểu học Hòa Hiệp" not in other


def test_the_officer_reaches_no_report_or_export(client, world, period, reached):  # noqa: F811
    """Counts on their page; never the programme reports, their exports or API."""
    officer = world["officer_a"]
    client.force_login(officer)
    unit = world["commune_a"]
    assert client.get(f"/bao-cao/?ky={period.pk}&don-vi={unit.pk}").status_code in (
        403,
        404,
    )
    school = world["school_a"]
    assert client.get(f"/truong/{school.pk}/bao-cao/?ky={period.pk}").status_code == 404
    assert (
        client.post(
            "/bao-cao/xuat/", {"ky": period.pk, "don-vi": unit.pk, "format": "xlsx"}
        ).status_code
        == 404
    )
    assert not ReportExport.objects.exists()
    made = ReportExport.objects.create(
        requested_by=world["counsellor_a"],
        unit=unit,
        period=period,
        export_format="csv",
    )
    assert client.get(f"/bao-cao/xuat/{made.pk}/").status_code == 404
    assert client.get(f"/bao-cao/xuat/{made.pk}/tai-ve/").status_code == 404
    api = client.get(f"/api/reports/units/{unit.pk}/?period={period.pk}")
    assert api.status_code in (403, 404)
    assert "Trần Bảo Ngọc" not in api.content.decode()
