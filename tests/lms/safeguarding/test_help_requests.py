"""Asking for help: the pupil's flow, the counsellor's queue, confidentiality, audit."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from common.errors import NotFound
from lms.models import (
    AuditEntry,
    HelpCategory,
    HelpDeadlines,
    HelpOutcome,
    HelpRequest,
    HelpStatus,
    HelpWish,
    Referral,
    Role,
)
from lms.people.audit import audit_record
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
    make_teacher,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 5, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def school_class():
    return SchoolClassFactory(school=SchoolFactory(name="Trường THCS Hòa Thành"))


@pytest.fixture
def pupil(school_class):
    return make_pupil(school_class, display_name="Nguyễn Thị Ánh")


@pytest.fixture
def counsellor(school_class):
    return make_staff(Role.COUNSELLOR, school=school_class.school)


@pytest.fixture
def school_admin(school_class):
    return make_staff(Role.SCHOOL_ADMIN, school=school_class.school)


def send(pupil, category=HelpCategory.UPSETTING, *, at=NOW, message="Em sợ lắm"):
    return help_services.help_request_create(
        pupil=pupil, category=category, message=message, now=at
    )


# --- The pupil's flow ----------


def test_pupil_sends_a_request_through_the_page(client, pupil, school_class):
    client.force_login(pupil)
    page = client.get(reverse("lms:help"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="tel:111"' in html
    assert 'type="radio"' in html and 'name="category"' in html

    response = client.post(
        reverse("lms:help"),
        {
            "category": HelpCategory.PHOTOS_OR_MEETING,
            "message": "Có người lạ đòi em gửi ảnh",
            "wants_to_talk_to": HelpWish.COUNSELLOR,
        },
    )
    help_request = HelpRequest.objects.get(pupil=pupil)
    assert response.status_code == 302
    assert response["Location"] == reverse("lms:help_sent", args=[help_request.pk])
    assert help_request.school == school_class.school
    assert help_request.status == HelpStatus.NEW
    assert help_request.message == "Có người lạ đòi em gửi ảnh"

    sent = client.get(response["Location"]).content.decode()
    # Serious: hotline 111 comes before "your message has been sent".
    assert sent.index('href="tel:111"') < sent.index("hotline-card") + 2000
    # The sent message comes after (the hidden "waiting on this phone" line of
    # every signed-in page is not it).
    page = re.sub(r'<p id="offline-status".*?</p>', "", sent, flags=re.S)
    assert page.index("hotline-first") < page.index('role="status"')


def test_confirmation_of_a_less_serious_request_leads_with_the_message(client, pupil):
    help_request = send(pupil, HelpCategory.UPSETTING)
    client.force_login(pupil)
    sent = client.get(reverse("lms:help_sent", args=[help_request.pk])).content
    sent = sent.decode()
    assert "hotline-first" not in sent
    assert 'href="tel:111"' in sent


def test_category_is_required_and_words_are_optional(client, pupil):
    client.force_login(pupil)
    response = client.post(reverse("lms:help"), {"message": ""})
    assert response.status_code == 200
    assert not HelpRequest.objects.exists()
    client.post(reverse("lms:help"), {"category": HelpCategory.OTHER})
    assert HelpRequest.objects.get().message == ""


def test_anonymous_visitor_gets_the_public_page_without_a_form(client):
    html = client.get(reverse("lms:help")).content.decode()
    assert 'href="tel:111"' in html
    assert 'name="category"' not in html
    assert "Zalo" in html or "Facebook" in html


def test_pupil_sees_own_requests_in_child_words(client, pupil, counsellor):
    help_request = send(pupil)
    client.force_login(pupil)
    with_words = client.get(reverse("lms:help_mine")).content.decode()
    assert "Your message has been sent" in with_words or "Tin của em" in with_words
    help_services.help_request_acknowledge(user=counsellor, help_request=help_request)
    html = client.get(reverse("lms:help_mine")).content.decode()
    assert "đã nhận được tin của em" in html or "has received your message" in html


def test_a_pupil_cannot_see_another_pupils_confirmation(client, pupil, school_class):
    help_request = send(pupil)
    other = make_pupil(school_class)
    client.force_login(other)
    response = client.get(reverse("lms:help_sent", args=[help_request.pk]))
    assert response.status_code == 404


# --- Routing and the queue ----------


def test_counsellor_of_the_school_sees_acknowledges_and_closes(
    client, pupil, counsellor
):
    help_request = send(pupil, HelpCategory.BOTHERED)
    assert list(help_selectors.help_requests_handled_by(counsellor)) == [help_request]
    assert list(help_selectors.help_request_recipients(school=help_request.school)) == [
        counsellor
    ]

    client.force_login(counsellor)
    queue = client.get(reverse("lms:help_queue")).content.decode()
    assert reverse("lms:help_request", args=[help_request.pk]) in queue
    detail = client.get(reverse("lms:help_request", args=[help_request.pk]))
    assert detail.status_code == 200
    assert "Em sợ lắm" in detail.content.decode()

    change = reverse("lms:help_request_change", args=[help_request.pk])
    client.post(change, {"operation": "acknowledge"})
    client.post(
        change,
        {"operation": "action", "note": "Đã gặp em", "referral": Referral.PARENTS},
    )
    client.post(
        change,
        {
            "operation": "status",
            "status": HelpStatus.CLOSED,
            "outcome": HelpOutcome.SUPPORTED_AT_SCHOOL,
        },
    )

    help_request.refresh_from_db()
    assert help_request.status == HelpStatus.CLOSED
    assert help_request.acknowledged_by == counsellor
    assert help_request.closed_at is not None
    kinds = list(help_request.actions.values_list("kind", "referral"))
    assert ("acknowledged", "") in kinds
    assert ("referral", Referral.PARENTS) in kinds
    assert ("status", "") in kinds


def test_time_to_first_acknowledgement(pupil, counsellor):
    help_request = send(pupil, at=NOW)
    help_services.help_request_acknowledge(
        user=counsellor,
        help_request=help_request,
        now=NOW + datetime.timedelta(hours=2),
    )
    help_request.refresh_from_db()
    assert help_request.time_to_acknowledge == datetime.timedelta(hours=2)


def test_school_admin_gets_requests_when_the_school_has_no_counsellor(
    pupil, school_admin
):
    help_request = send(pupil)
    assert list(help_selectors.help_request_recipients(school=help_request.school)) == [
        school_admin
    ]
    assert list(help_selectors.help_requests_handled_by(school_admin)) == [help_request]


def test_school_admin_does_not_see_requests_a_counsellor_handles(
    pupil, counsellor, school_admin
):
    send(pupil)
    assert not help_selectors.help_requests_handled_by(school_admin).exists()


# --- Confidentiality ----------


def test_nobody_else_can_open_a_request(client, pupil, school_class, counsellor):
    help_request = send(pupil)
    own_teacher = make_teacher(school_class)
    school_class.homeroom_teacher = own_teacher
    school_class.save()
    other_counsellor = make_staff(Role.COUNSELLOR, school=SchoolFactory())
    other_pupil = make_pupil(school_class)
    url = reverse("lms:help_request", args=[help_request.pk])
    change = reverse("lms:help_request_change", args=[help_request.pk])
    for outsider in (own_teacher, other_counsellor, other_pupil):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider
        response = client.post(change, {"operation": "status", "status": "closed"})
        assert response.status_code == 404
        with pytest.raises(NotFound):
            help_services.help_request_open(user=outsider, request_id=help_request.pk)
    help_request.refresh_from_db()
    assert help_request.status == HelpStatus.NEW
    client.force_login(own_teacher)
    assert client.get(reverse("lms:help_queue")).status_code == 404


def test_unit_officer_sees_only_counts(client, pupil, school_class):
    unit = school_class.school.unit
    officer = make_staff(Role.UNIT_OFFICER, unit=unit)
    period = ReportingPeriodFactory(
        starts_on=datetime.date(2026, 9, 5), ends_on=datetime.date(2027, 1, 15)
    )
    send(pupil, HelpCategory.BOTHERED)
    send(pupil, HelpCategory.OTHER)
    elsewhere = SchoolClassFactory(school=SchoolFactory(unit=UnitFactory()))
    send(make_pupil(elsewhere))

    counts = help_selectors.help_request_counts(user=officer, period=period)
    assert [(row.school_name, row.total, row.serious) for row in counts] == [
        ("Trường THCS Hòa Thành", 2, 1)
    ]
    assert not help_selectors.help_requests_handled_by(officer).exists()

    client.force_login(officer)
    page = client.get(reverse("lms:help_counts"), {"period": period.pk})
    html = page.content.decode()
    assert "Trường THCS Hòa Thành" in html
    assert "Em sợ lắm" not in html and "Nguyễn Thị Ánh" not in html
    detail = reverse("lms:help_request", args=[HelpRequest.objects.first().pk])
    assert client.get(detail).status_code == 404


def test_province_officer_counts_after_two_factor(client, pupil, school_class):
    province = school_class.school.unit
    officer = make_staff(Role.PROVINCE_OFFICER, unit=province)
    ReportingPeriodFactory()
    send(pupil)
    login_verified(client, officer)
    response = client.get(reverse("lms:help_counts"))
    assert response.status_code == 200
    assert "Trường THCS Hòa Thành" in response.content.decode()


def test_counts_are_empty_for_school_staff(pupil, counsellor):
    period = ReportingPeriodFactory()
    send(pupil)
    assert help_selectors.help_request_counts(user=counsellor, period=period) == []


# --- Audit ----------


def test_every_view_and_change_is_audited(client, pupil, counsellor):
    help_request = send(pupil)
    client.force_login(counsellor)
    client.get(reverse("lms:help_request", args=[help_request.pk]))
    change = reverse("lms:help_request_change", args=[help_request.pk])
    client.post(change, {"operation": "acknowledge"})
    client.post(change, {"operation": "action", "note": "Gọi phụ huynh"})
    client.post(
        change,
        {
            "operation": "status",
            "status": HelpStatus.CLOSED,
            "outcome": HelpOutcome.SUPPORTED_AT_SCHOOL,
        },
    )
    entries = AuditEntry.objects.filter(
        target_type="lms.helprequest", target_id=str(help_request.pk)
    ).order_by("pk")
    assert [(e.actor, e.action) for e in entries] == [
        (pupil, "help_request.create"),
        (counsellor, "help_request.view"),
        (counsellor, "help_request.acknowledge"),
        (counsellor, "help_request.note"),
        (counsellor, "help_request.status"),
    ]
    # The log holds codes, never the child's words.
    assert all("Em sợ lắm" not in str(e.details) for e in entries)


def test_audit_entries_cannot_be_changed_or_deleted(pupil):
    entry = audit_record(actor=pupil, action="test", target=pupil)
    entry.action = "forged"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test"


def test_audit_log_is_read_only_in_the_django_admin(client):
    admin = make_staff(Role.PLATFORM_ADMIN)
    entry = audit_record(actor=admin, action="test", target=admin)
    login_verified(client, admin)
    admin.is_superuser = True
    admin.save()
    listing = client.get(reverse("admin:lms_auditentry_changelist"))
    assert listing.status_code == 200
    delete = client.post(
        reverse("admin:lms_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    # Help requests are not in the admin at all.
    assert client.get("/django-admin/lms/helprequest/").status_code == 404


# --- Escalation ----------


def test_escalation_after_the_deadline_and_not_before(pupil, counsellor, school_admin):
    # NOW is Monday 15:00 in Vietnam: serious requests are due 24 hours later,
    # others three school days later (Thursday 15:00).
    ordinary = send(pupil, HelpCategory.UPSETTING, at=NOW)
    serious = send(pupil, HelpCategory.PHOTOS_OR_MEETING, at=NOW)
    hours = datetime.timedelta(hours=1)

    assert help_services.help_requests_escalate(now=NOW + 23 * hours) == 0
    assert not help_selectors.help_requests_handled_by(school_admin).exists()

    assert help_services.help_requests_escalate(now=NOW + 24 * hours) == 1
    serious.refresh_from_db()
    ordinary.refresh_from_db()
    assert serious.escalated_at is not None and ordinary.escalated_at is None
    assert list(help_selectors.help_requests_handled_by(school_admin)) == [serious]

    # One more deadline later the serious one goes to the commune officer.
    assert help_services.help_requests_escalate(now=NOW + 48 * hours) == 1
    serious.refresh_from_db()
    assert serious.escalated_to_commune_at == NOW + 48 * hours
    assert help_services.help_requests_escalate(now=NOW + 71 * hours) == 0
    assert help_services.help_requests_escalate(now=NOW + 72 * hours) == 1
    assert help_selectors.help_requests_handled_by(school_admin).count() == 2
    assert AuditEntry.objects.filter(action="help_request.escalate").count() == 3


def test_acknowledged_requests_are_not_escalated(pupil, counsellor):
    help_request = send(pupil, HelpCategory.BOTHERED, at=NOW)
    help_services.help_request_acknowledge(
        user=counsellor, help_request=help_request, now=NOW
    )
    assert (
        help_services.help_requests_escalate(now=NOW + datetime.timedelta(days=3)) == 0
    )


def test_deadline_comes_from_the_province(pupil, school_class):
    HelpDeadlines.objects.create(
        unit=school_class.school.unit, serious_hours=2, other_school_days=1
    )
    send(pupil, HelpCategory.BOTHERED, at=NOW)
    assert (
        help_services.help_requests_escalate(now=NOW + datetime.timedelta(hours=2)) == 1
    )


def test_opening_the_queue_escalates_and_the_home_page_shows_a_badge(
    client, pupil, counsellor, school_admin
):
    help_request = send(
        pupil, HelpCategory.BOTHERED, at=timezone.now() - datetime.timedelta(hours=25)
    )
    client.force_login(counsellor)
    home = client.get(reverse("lms:home")).content.decode()
    assert reverse("lms:help_queue") in home
    client.get(reverse("lms:help_queue"))
    help_request.refresh_from_db()
    assert help_request.escalated_at is not None
    client.force_login(school_admin)
    html = client.get(reverse("lms:help_queue")).content.decode()
    assert reverse("lms:help_request", args=[help_request.pk]) in html
    summary = help_selectors.help_queue_summary(user=school_admin)
    assert summary.escalated == 1 and summary.unacknowledged == 1


def test_escalate_command(pupil):
    send(pupil, at=timezone.now() - datetime.timedelta(days=6))
    call_command("help_escalate")
    assert HelpRequest.objects.get().escalated_at is not None
