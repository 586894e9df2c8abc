"""Every child who asks gets help: deadlines, escalation, the commune
child-protection officer, closing with an outcome, and the measures officers see."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from common.errors import NotFound
from lms.errors import LmsError
from lms.models import (
    AuditEntry,
    HelpCategory,
    HelpDeadlines,
    HelpOutcome,
    HelpStatus,
    Referral,
    ReportingPeriod,
    Role,
)
from lms.models.help import HelpActionKind, add_school_days
from lms.people.onboarding.plans import label_key
from lms.people.onboarding.staff import STAFF_ROLES
from lms.safeguarding import selectors as help_selectors
from lms.safeguarding import services as help_services
from tests.factories import (
    ReportingPeriodFactory,
    SchoolClassFactory,
    SchoolFactory,
    UnitFactory,
    login_verified,
    make_pupil,
    make_staff,
)

pytestmark = pytest.mark.django_db

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=VN)


# Friday 2 October 2026, 15:00 in Vietnam.
FRIDAY = vn(2026, 10, 2, 15, 0)


@pytest.fixture
def world():
    """Province P with communes A and B; school SA in A (with a counsellor and an
    administrator), school SB in B; a commune officer for each commune."""
    province = UnitFactory(name="Tỉnh Tây Ninh")
    commune_a = UnitFactory(parent=province, name="Xã Hòa Hiệp")
    commune_b = UnitFactory(parent=province, name="Xã Tân Đông")
    school_a = SchoolFactory(name="Trường Tiểu học Hòa Hiệp", unit=commune_a)
    school_b = SchoolFactory(name="Trường Tiểu học Tân Đông", unit=commune_b)
    class_a = SchoolClassFactory(school=school_a, name="5A")
    class_b = SchoolClassFactory(school=school_b, name="4B")
    return {
        "province": province,
        "commune_a": commune_a,
        "commune_b": commune_b,
        "school_a": school_a,
        "school_b": school_b,
        "pupil_a": make_pupil(class_a, display_name="Trần Bảo Ngọc"),
        "pupil_b": make_pupil(class_b, display_name="Lê Minh Khôi"),
        "counsellor_a": make_staff(Role.COUNSELLOR, school=school_a),
        "admin_a": make_staff(Role.SCHOOL_ADMIN, school=school_a),
        "counsellor_b": make_staff(Role.COUNSELLOR, school=school_b),
        "officer_a": make_staff(
            Role.COMMUNE_PROTECTION, unit=commune_a, display_name="Cán bộ Hòa Hiệp"
        ),
        "officer_b": make_staff(Role.COMMUNE_PROTECTION, unit=commune_b),
    }


def send(pupil, category=HelpCategory.UPSETTING, *, at=FRIDAY, message="Em bị dọa"):
    return help_services.help_request_create(
        pupil=pupil, category=category, message=message, now=at
    )


# --- Deadlines ----------


def test_school_days_skip_the_weekend():
    assert add_school_days(FRIDAY, 3) == vn(2026, 10, 7, 15, 0)  # Wednesday
    # Sent on Saturday: counting starts on Monday, ends at the end of Wednesday.
    assert add_school_days(vn(2026, 10, 3, 10, 0), 3) == vn(2026, 10, 8, 0, 0)
    assert add_school_days(vn(2026, 10, 5, 9, 30), 1) == vn(2026, 10, 6, 9, 30)


def test_serious_requests_count_hours_others_school_days(world):
    serious = send(world["pupil_a"], HelpCategory.PHOTOS_OR_MEETING)
    other = send(world["pupil_a"], HelpCategory.TRICKED)
    assert serious.ack_due_at == vn(2026, 10, 3, 15, 0)  # Saturday: hours count
    assert serious.commune_due_at == vn(2026, 10, 4, 15, 0)
    assert other.ack_due_at == vn(2026, 10, 7, 15, 0)  # over the weekend
    assert other.commune_due_at == vn(2026, 10, 12, 15, 0)


def test_province_officer_sets_the_deadlines_on_a_screen(client, world):
    officer = make_staff(Role.PROVINCE_OFFICER, unit=world["province"])
    login_verified(client, officer)
    url = reverse("lms:help_deadlines")
    with translation.override("vi"):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Thời hạn xử lý yêu cầu trợ giúp" in html
    assert "Thứ Bảy và Chủ Nhật không tính" in html
    response = client.post(
        url,
        {"unit": world["province"].pk, "serious_hours": 12, "other_school_days": 2},
    )
    assert response.status_code == 302
    deadlines = HelpDeadlines.objects.get(unit=world["province"])
    assert (deadlines.serious_hours, deadlines.other_school_days) == (12, 2)
    assert AuditEntry.objects.filter(action="help_deadlines.set").count() == 1
    # New requests get the new deadlines.
    serious = send(world["pupil_a"], HelpCategory.BOTHERED)
    assert serious.ack_due_at == FRIDAY + datetime.timedelta(hours=12)
    # Out of range: refused, nothing changed.
    client.post(
        url,
        {"unit": world["province"].pk, "serious_hours": 500, "other_school_days": 2},
    )
    assert HelpDeadlines.objects.get(unit=world["province"]).serious_hours == 12


def test_deadlines_of_another_province_are_out_of_reach(client, world):
    other = UnitFactory(name="Tỉnh Khác")
    officer = make_staff(Role.PROVINCE_OFFICER, unit=world["province"])
    login_verified(client, officer)
    response = client.post(
        reverse("lms:help_deadlines"),
        {"unit": other.pk, "serious_hours": 1, "other_school_days": 1},
    )
    assert response.status_code == 404
    assert not HelpDeadlines.objects.filter(unit=other).exists()
    with pytest.raises(NotFound):
        help_services.help_deadlines_set(
            user=officer, unit=other, serious_hours=1, other_school_days=1
        )
    # Unit officers and counsellors have no deadlines screen.
    client.force_login(make_staff(Role.UNIT_OFFICER, unit=world["commune_a"]))
    assert client.get(reverse("lms:help_deadlines")).status_code == 404


# --- Escalation: school administrators, then the commune officer ----------


def test_escalation_chain_and_idempotence(world):
    help_request = send(world["pupil_a"], HelpCategory.BOTHERED)
    admin, officer = world["admin_a"], world["officer_a"]
    assert help_request not in help_selectors.help_requests_handled_by(admin)

    first = help_request.ack_due_at
    assert help_services.help_requests_escalate(now=first) == 1
    assert help_services.help_requests_escalate(now=first) == 0  # idempotent
    assert help_request in help_selectors.help_requests_handled_by(admin)
    assert not help_selectors.help_requests_handled_by(officer).exists()

    second = help_request.commune_due_at
    assert help_services.help_requests_escalate(now=second) == 1
    assert help_services.help_requests_escalate(now=second) == 0
    assert list(help_selectors.help_requests_handled_by(officer)) == [help_request]
    assert not help_selectors.help_requests_handled_by(world["officer_b"]).exists()
    help_request.refresh_from_db()
    kinds = list(help_request.actions.values_list("kind", flat=True))
    assert kinds == [HelpActionKind.ESCALATED, HelpActionKind.ESCALATED_COMMUNE]
    details = list(
        AuditEntry.objects.filter(action="help_request.escalate")
        .order_by("pk")
        .values_list("details__to", flat=True)
    )
    assert details == ["school_admin", "commune"]


def test_acknowledged_in_time_stops_the_chain(world):
    help_request = send(world["pupil_a"], HelpCategory.BOTHERED)
    help_services.help_request_acknowledge(
        user=world["counsellor_a"], help_request=help_request, now=FRIDAY
    )
    assert help_services.help_requests_escalate(now=help_request.commune_due_at) == 0


# --- Referral to the commune child-protection officer ----------


def test_the_commune_officer_sees_only_what_was_referred(client, world):
    # Sent just now: opening the queue escalates what is overdue by the clock.
    now = timezone.now()
    referred = send(world["pupil_a"], at=now)
    kept = send(world["pupil_a"], message="Chỉ nhà trường biết", at=now)
    foreign = send(world["pupil_b"], at=now)
    officer = world["officer_a"]
    assert not help_selectors.help_requests_handled_by(officer).exists()

    help_services.help_request_record_action(
        user=world["counsellor_a"],
        help_request=referred,
        referral=Referral.COMMUNE,
        note="Gia đình cần hỗ trợ",
        now=now + datetime.timedelta(hours=1),
    )
    referred.refresh_from_db()
    assert referred.referred_unit == world["commune_a"]
    assert referred.first_action_at == now + datetime.timedelta(hours=1)
    assert list(help_selectors.help_requests_handled_by(officer)) == [referred]

    client.force_login(officer)
    with translation.override("vi"):
        queue = client.get(reverse("lms:help_queue")).content.decode()
        page = client.get(reverse("lms:help_request", args=[referred.pk]))
    assert reverse("lms:help_request", args=[referred.pk]) in queue
    assert "Trần Bảo Ngọc" not in queue  # no names in the list
    html = page.content.decode()
    assert page.status_code == 200
    assert "Trần Bảo Ngọc" in html  # to reach the child
    assert "Gia đình cần hỗ trợ" in html  # the school's note
    assert "Em bị dọa" not in html  # the child's own words stay at school
    assert "Lời kể của trẻ được giữ ở nhà trường" in html
    for other in (kept, foreign):
        url = reverse("lms:help_request", args=[other.pk])
        assert client.get(url).status_code == 404
        change = reverse("lms:help_request_change", args=[other.pk])
        assert client.post(change, {"operation": "acknowledge"}).status_code == 404
    with pytest.raises(NotFound):
        help_services.help_request_open(user=officer, request_id=foreign.pk)


def test_the_commune_officer_records_an_action_and_closes(client, world):
    help_request = send(world["pupil_a"])
    help_services.help_request_record_action(
        user=world["counsellor_a"], help_request=help_request, referral=Referral.COMMUNE
    )
    client.force_login(world["officer_a"])
    change = reverse("lms:help_request_change", args=[help_request.pk])
    client.post(
        change,
        {"operation": "action", "kind": HelpActionKind.FAMILY, "note": "Đã gặp mẹ"},
    )
    with translation.override("vi"):
        refused = client.post(
            change, {"operation": "status", "status": HelpStatus.CLOSED}, follow=True
        )
    assert "Hãy chọn kết quả" in refused.content.decode()
    help_request.refresh_from_db()
    assert help_request.status == HelpStatus.IN_PROGRESS
    client.post(
        change,
        {
            "operation": "status",
            "status": HelpStatus.CLOSED,
            "outcome": HelpOutcome.REFERRED_SUPPORTED,
        },
    )
    help_request.refresh_from_db()
    assert help_request.status == HelpStatus.CLOSED
    assert help_request.outcome == HelpOutcome.REFERRED_SUPPORTED
    actions = (
        AuditEntry.objects.filter(
            actor=world["officer_a"], target_id=str(help_request.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    # The refused close wrote nothing; following it back opened the page.
    assert list(actions) == [
        "help_request.note",
        "help_request.view",
        "help_request.status",
    ]


def test_a_referral_outside_the_schools_commune_is_refused(client, world):
    help_request = send(world["pupil_a"])
    with pytest.raises(LmsError):
        help_services.help_request_record_action(
            user=world["counsellor_a"],
            help_request=help_request,
            referral=Referral.COMMUNE,
            unit=world["commune_b"],
        )
    client.force_login(world["counsellor_a"])
    with translation.override("vi"):
        response = client.post(
            reverse("lms:help_request_change", args=[help_request.pk]),
            {
                "operation": "action",
                "referral": Referral.COMMUNE,
                "unit": world["commune_b"].pk,
            },
            follow=True,
        )
    assert "chỉ có thể chuyển đến cán bộ bảo vệ trẻ em của xã nơi trường" in (
        response.content.decode()
    )
    help_request.refresh_from_db()
    assert help_request.referred_unit is None and help_request.first_action_at is None
    assert not help_selectors.help_requests_handled_by(world["officer_b"]).exists()


def test_a_counsellor_of_school_a_cannot_open_a_request_of_school_b(client, world):
    foreign = send(world["pupil_b"])
    client.force_login(world["counsellor_a"])
    assert client.get(reverse("lms:help_request", args=[foreign.pk])).status_code == (
        404
    )
    change = reverse("lms:help_request_change", args=[foreign.pk])
    assert client.post(change, {"operation": "acknowledge"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.acknowledged_at is None


def test_the_staff_import_understands_the_vietnamese_role_label():
    for label in (
        "Cán bộ làm công tác bảo vệ trẻ em cấp xã",
        "Cán bộ bảo vệ trẻ em",
    ):
        assert STAFF_ROLES[label_key(label)] == Role.COMMUNE_PROTECTION
    with translation.override("vi"):
        assert str(Role.COMMUNE_PROTECTION.label) == (
            "Cán bộ làm công tác bảo vệ trẻ em cấp xã"
        )


# --- Measures ----------


def test_measures_arithmetic(world):
    period = ReportingPeriodFactory(
        starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2026, 12, 31)
    )
    counsellor = world["counsellor_a"]
    hour = datetime.timedelta(hours=1)
    # 1: acknowledged in 2 h, first action at 4 h, referred, closed with an outcome.
    one = send(world["pupil_a"], HelpCategory.BOTHERED)
    help_services.help_request_acknowledge(
        user=counsellor, help_request=one, now=FRIDAY + 2 * hour
    )
    help_services.help_request_record_action(
        user=counsellor,
        help_request=one,
        referral=Referral.COMMUNE,
        now=FRIDAY + 4 * hour,
    )
    help_services.help_request_set_status(
        user=counsellor,
        help_request=one,
        status=HelpStatus.CLOSED,
        outcome=HelpOutcome.REFERRED_SUPPORTED,
        now=FRIDAY + 30 * hour,
    )
    # 2: acknowledged late (30 h for a serious one), first action at 30 h.
    two = send(world["pupil_a"], HelpCategory.PHOTOS_OR_MEETING)
    help_services.help_request_record_action(
        user=counsellor,
        help_request=two,
        kind=HelpActionKind.TALKED,
        now=FRIDAY + 30 * hour,
    )
    # 3: never acknowledged, past its deadline, open.
    send(world["pupil_a"], HelpCategory.BOTHERED)
    # 4: still within its deadline (three school days): not yet due.
    send(world["pupil_a"], HelpCategory.OTHER)
    # Another school's request and one outside the period do not count here.
    send(world["pupil_b"])
    send(world["pupil_a"], at=vn(2027, 2, 1, 9, 0))

    now = FRIDAY + 40 * hour  # Sunday 7:00: the ordinary one is not due yet
    rows, total = help_selectors.help_measures_of_unit(
        user=make_staff(Role.UNIT_OFFICER, unit=world["province"]),
        unit=world["province"],
        period=period,
        now=now,
    )
    row_a = next(row for row in rows if row.school_id == world["school_a"].pk)
    assert row_a.requests == 4
    assert row_a.serious == 3
    assert row_a.due == 3
    assert row_a.acknowledged_in_time == 1
    assert row_a.share_acknowledged_in_time == Decimal("33.3")
    assert row_a.median_to_first_action == 17 * hour  # median of 4 h and 30 h
    assert row_a.referred == 1 and row_a.referred_to_commune == 1
    assert row_a.closed_with_outcome == 1
    assert row_a.open_past_deadline == 1
    assert total.requests == 5  # school B's request too
    evidence = row_a.as_evidence()
    assert evidence["median_seconds_to_first_action"] == 17 * 3600
    assert "Trần Bảo Ngọc" not in str(evidence)


def test_measures_page_is_scoped_and_nameless(client, world):
    period = ReportingPeriodFactory(
        starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2026, 12, 31)
    )
    send(world["pupil_a"])
    send(world["pupil_b"])
    officer = make_staff(Role.UNIT_OFFICER, unit=world["commune_a"])
    client.force_login(officer)
    url = reverse("lms:help_counts")
    with translation.override("vi"):
        page = client.get(url, {"period": period.pk})
    html = page.content.decode()
    assert "Trường Tiểu học Hòa Hiệp" in html
    assert "Trường Tiểu học Tân Đông" not in html
    assert "Trần Bảo Ngọc" not in html and "Em bị dọa" not in html
    assert "Được tiếp nhận trong thời hạn" in html
    # Another commune of the province: not theirs.
    other = client.get(url, {"period": period.pk, "unit": world["commune_b"].pk})
    assert other.status_code == 404
    # Counsellors have no measures page (the commune's child-protection officer
    # has their own: tests/lms/safeguarding/test_commune_measures.py).
    client.force_login(world["counsellor_a"])
    assert client.get(url).status_code == 404
    assert ReportingPeriod.objects.exists()
