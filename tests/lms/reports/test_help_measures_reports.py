"""Target 2 beside target 1: the help measures on the unit and school dashboards,
in the API and in the signed evidence export (counts only, scoped, verifiable)."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from lms.models import (
    HelpCategory,
    HelpOutcome,
    HelpStatus,
    Referral,
    ReportExport,
    Role,
)
from lms.reports.dashboards.unit import unit_dashboard, unit_report_data
from lms.reports.exports import figures_hash
from lms.safeguarding import services as help_services
from tests.factories import login_verified, make_staff
from tests.lms.report_helpers import build_province, officer, school_with_classes

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
CHILD = "Phạm Thị Hoa"
WORDS = "Có người lạ đòi ảnh của em"


def send(pupil, *, at, category=HelpCategory.BOTHERED):
    return help_services.help_request_create(
        pupil=pupil, category=category, message=WORDS, now=at
    )


@pytest.fixture
def world():
    """School A (commune A): one request acknowledged in 2 h, referred to the
    commune and closed; one never acknowledged, past its 24 h deadline.
    School B (commune B): one request, acknowledged late."""
    org = build_province()
    school_a, [(_class, _teacher, pupils_a)] = school_with_classes(
        org.commune_a, org.year, name="Trường Tiểu học Kim Đồng"
    )
    school_b, [(_class, _teacher, pupils_b)] = school_with_classes(
        org.commune_b, org.year, name="Trường Tiểu học Bình Minh"
    )
    pupils_a[0].display_name = CHILD
    pupils_a[0].save()
    counsellor_a = make_staff(Role.COUNSELLOR, school=school_a)
    counsellor_b = make_staff(Role.COUNSELLOR, school=school_b)
    sent = timezone.now() - 72 * HOUR
    handled = send(pupils_a[0], at=sent)
    help_services.help_request_acknowledge(
        user=counsellor_a, help_request=handled, now=sent + 2 * HOUR
    )
    help_services.help_request_record_action(
        user=counsellor_a,
        help_request=handled,
        referral=Referral.COMMUNE,
        now=sent + 4 * HOUR,
    )
    help_services.help_request_set_status(
        user=counsellor_a,
        help_request=handled,
        status=HelpStatus.CLOSED,
        outcome=HelpOutcome.REFERRED_SUPPORTED,
        now=sent + 30 * HOUR,
    )
    forgotten = send(pupils_a[1], at=sent)
    late = send(pupils_b[0], at=sent)
    help_services.help_request_acknowledge(
        user=counsellor_b, help_request=late, now=sent + 40 * HOUR
    )
    return {
        "org": org,
        "school_a": school_a,
        "school_b": school_b,
        "pupils_a": pupils_a,
        "counsellor_a": counsellor_a,
        "forgotten": forgotten,
        "sent": sent,
    }


def test_the_unit_dashboard_counts_target_2_per_commune(world):
    org = world["org"]
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    dashboard = unit_dashboard(user=chief, unit=org.province, period=org.period)
    total = dashboard.total.help
    assert (total.requests, total.due, total.acknowledged_in_time) == (3, 3, 1)
    assert total.referred == 1 and total.closed_with_outcome == 1
    assert total.open_past_deadline == 1
    by_unit = {group.label: group.help for group in dashboard.by_unit}
    assert by_unit["Xã An Tịnh"].requests == 2
    assert by_unit["Xã An Tịnh"].median_to_first_action == 4 * HOUR
    assert by_unit["Phường Bình Minh"].requests == 1
    assert by_unit["Phường Bình Minh"].share_acknowledged_in_time == 0


def test_the_pages_show_the_measures_and_no_child(client, world):
    org = world["org"]
    login_verified(client, officer(Role.PROVINCE_OFFICER, org.province))
    with translation.override("vi"):
        page = client.get(f"/bao-cao/?ky={org.period.pk}").content.decode()
    assert 'id="help-measures-heading"' in page
    assert "Được tiếp nhận trong thời hạn" in page
    assert "33,3%" in page  # 1 of the 3 due, with the decimal comma
    assert CHILD not in page and WORDS not in page
    # A commune (no child unit): its schools, only its own.
    login_verified(client, officer(Role.UNIT_OFFICER, org.commune_a))
    page = client.get(
        f"/bao-cao/?ky={org.period.pk}&don-vi={org.commune_a.pk}"
    ).content.decode()
    section = page[page.index('id="help-measures-heading"') :]
    assert "Trường Tiểu học Kim Đồng" in section
    assert "Trường Tiểu học Bình Minh" not in page
    assert CHILD not in page and WORDS not in page
    # The school's page: its own measures, for its administrator.
    admin = make_staff(Role.SCHOOL_ADMIN, school=world["school_a"])
    client.force_login(admin)
    school_page = client.get(
        f"/truong/{world['school_a'].pk}/bao-cao/?ky={org.period.pk}"
    ).content.decode()
    assert 'id="help-measures-heading"' in school_page
    assert CHILD not in school_page and WORDS not in school_page


def test_another_schools_measures_are_out_of_reach(client, world):
    org = world["org"]
    school_b = world["school_b"]
    admin_a = make_staff(Role.SCHOOL_ADMIN, school=world["school_a"])
    for user in (world["counsellor_a"], admin_a):
        client.force_login(user)
        page = f"/truong/{school_b.pk}/bao-cao/?ky={org.period.pk}"
        assert client.get(page).status_code == 404
        api = f"/api/reports/schools/{school_b.pk}/?period={org.period.pk}"
        assert client.get(api).status_code == 404
        assert client.get("/tro-giup/thong-ke/").status_code == 404
    # A commune's officer asking for the other commune, page or API.
    login_verified(client, officer(Role.UNIT_OFFICER, org.commune_a))
    assert (
        client.get(
            f"/bao-cao/?ky={org.period.pk}&don-vi={org.commune_b.pk}"
        ).status_code
        == 404
    )
    api = client.get(f"/api/reports/units/{org.commune_b.pk}/?period={org.period.pk}")
    assert api.status_code == 404


def test_the_api_carries_the_measures(client, world):
    org = world["org"]
    login_verified(client, officer(Role.PROVINCE_OFFICER, org.province))
    data = client.get(
        f"/api/reports/units/{org.province.pk}/?period={org.period.pk}"
    ).json()
    assert data["total"]["help"]["requests"] == 3
    assert data["total"]["help"]["share_acknowledged_in_time"] == "33.3"
    school = next(s for s in data["schools"] if s["id"] == world["school_a"].pk)
    assert school["help"]["open_past_deadline"] == 1
    assert school["help"]["median_seconds_to_first_action"] == 4 * 3600
    admin = make_staff(Role.SCHOOL_ADMIN, school=world["school_a"])
    client.force_login(admin)
    own = client.get(
        f"/api/reports/schools/{world['school_a'].pk}/?period={org.period.pk}"
    ).json()
    assert own["help"]["requests"] == 2 and own["help"]["referred"] == 1
    assert CHILD not in str(data) + str(own)


def test_measures_cost_the_same_queries_for_more_schools(client, world):
    """The province page: one grouped count and one list of times per period,
    not a query per school."""
    org = world["org"]
    login_verified(client, officer(Role.PROVINCE_OFFICER, org.province))
    url = f"/bao-cao/?ky={org.period.pk}"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    for number in range(4):
        _school, [(_class, _teacher, pupils)] = school_with_classes(
            org.commune_a if number % 2 else org.commune_b, org.year
        )
        send(pupils[0], at=world["sent"])
    assert count() == before
    assert before <= 32


def test_the_export_carries_target_2_and_still_verifies_later(
    client, world, django_capture_on_commit_callbacks, english
):
    org = world["org"]
    login_verified(client, officer(Role.PROVINCE_OFFICER, org.province))

    def export(fmt):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/bao-cao/xuat/",
                {"ky": org.period.pk, "don-vi": org.province.pk, "format": fmt},
            )
        made = ReportExport.objects.latest("pk")
        return made, b"".join(client.get(f"/bao-cao/xuat/{made.pk}/tai-ve/"))

    xlsx, content = export("xlsx")
    assert xlsx.figures["version"] == 3
    assert xlsx.figures["total"]["help"]["requests"] == 3
    units = {unit["label"]: unit["help"] for unit in xlsx.figures["units"]}
    assert units["Xã An Tịnh"]["open_past_deadline"] == 1
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Help for children"]
    rows = list(sheet.values)
    assert rows[0][:2] == ("Unit or school", "Requests for help")
    school = next(row for row in rows if row[0] == "Trường Tiểu học Kim Đồng")
    assert school[1:] == (2, 2, "50% (1/2)", "4", 1, 1, 1)
    everything = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.values
        for value in row
    )
    assert CHILD not in everything and WORDS not in everything

    pdf, content = export("pdf")
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )
    assert "Help for children who ask (target 2)" in text
    assert CHILD not in text and WORDS not in text

    # Later the forgotten request is acknowledged and closed: the record still
    # verifies, its measures are recomputed as of its request.
    help_services.help_request_acknowledge(
        user=world["counsellor_a"], help_request=world["forgotten"]
    )
    help_services.help_request_set_status(
        user=world["counsellor_a"],
        help_request=world["forgotten"],
        status=HelpStatus.CLOSED,
        outcome=HelpOutcome.SUPPORTED_AT_SCHOOL,
    )
    page = client.get(f"/bao-cao/kiem-tra/?ma={xlsx.content_hash}")
    assert "The figures recomputed today match this report." in page.content.decode()
    today = unit_report_data(
        unit_dashboard(
            user=xlsx.requested_by, unit=org.province, period=org.period, trend=False
        )
    )
    assert today["total"]["help"]["closed_with_outcome"] == 2  # the page moved
    # A request received after the export does not change the record either.
    send(world["pupils_a"][0], at=timezone.now())
    page = client.get(f"/bao-cao/kiem-tra/?ma={xlsx.content_hash}")
    assert "The figures recomputed today match this report." in page.content.decode()


def test_an_export_made_before_the_measures_still_verifies(client, world, english):
    """A record of version 2 (no help measures) is checked in that shape."""
    from lms.reports.services import report_export_create

    org = world["org"]
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    login_verified(client, chief)
    dashboard = unit_dashboard(
        user=chief, unit=org.province, period=org.period, trend=False
    )
    old_figures = unit_report_data(dashboard, version=2)
    assert old_figures["version"] == 2 and "help" not in old_figures["total"]
    made = report_export_create(
        actor=chief, unit=org.province, period=org.period, export_format="csv"
    )
    ReportExport.objects.filter(pk=made.pk).update(
        status="done", figures=old_figures, content_hash=figures_hash(old_figures)
    )
    page = client.get(f"/bao-cao/kiem-tra/?ma={figures_hash(old_figures)}")
    assert "The figures recomputed today match this report." in page.content.decode()
