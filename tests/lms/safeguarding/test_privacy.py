"""Children's data: minimum data, consent, export, erasure, retention, the notice."""

import datetime
import io
import json

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lms.accounts.card_keys import card_key_hash
from lms.models import (
    AuditEntry,
    ConsentMethod,
    ConsentRecord,
    Enrolment,
    HelpCategory,
    HelpRequest,
    PrivacySettings,
    Role,
    User,
    WithoutConsent,
)
from lms.people import consent
from lms.safeguarding import data_rights, retention
from lms.safeguarding import services as help_services
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    make_pupil,
    make_staff,
    make_teacher,
)

pytestmark = pytest.mark.django_db

NAME = "Trần Thị Ngọc Ánh"


@pytest.fixture
def school():
    return SchoolFactory(name="Trường Tiểu học Hòa Bình")


@pytest.fixture
def grade1(school):
    return SchoolClassFactory(school=school, name="1A", grade=1)


@pytest.fixture
def grade4(school):
    return SchoolClassFactory(school=school, name="4B", grade=4)


@pytest.fixture
def school_admin(school):
    return make_staff(Role.SCHOOL_ADMIN, school=school)


def give_consent(admin, school, pupils, given_by):
    return consent.consent_record_bulk(
        recorded_by=admin,
        school=school,
        pupil_ids=[pupil.pk for pupil in pupils],
        given_by=given_by,
        method=ConsentMethod.PAPER,
        consented_on=datetime.date(2026, 9, 10),
        notice_version="2026-01",
    )


# --- Minimum data ----------

PUPIL_DATA_FIELDS = {
    "username",
    "display_name",
    "preferred_language",
    "password",
    "login_card_key_hash",
}
DJANGO_BOOKKEEPING = {
    "id",
    "last_login",
    "date_joined",
    "is_active",
    "is_staff",
    "is_superuser",
    # An account flag, not data about the person: a one-time password must be
    # replaced at the next sign-in (staff onboarding).
    "must_change_password",
    # AbstractUser's fields a pupil leaves empty (asserted below).
    "email",
    "first_name",
    "last_name",
}


def test_user_model_holds_no_more_personal_fields_than_agreed():
    concrete = {
        field.name
        for field in User._meta.get_fields()
        if field.concrete and not field.many_to_many
    }
    assert concrete == PUPIL_DATA_FIELDS | DJANGO_BOOKKEEPING


def test_roster_pupils_store_nothing_beyond_the_minimum(grade4):
    from lms.rosters.pupil_accounts import pupil_create

    credentials = pupil_create(school_class=grade4, display_name=NAME, roster_number=1)
    pupil = User.objects.get(pk=credentials.pupil_id)
    assert pupil.email == "" and pupil.first_name == "" and pupil.last_name == ""
    assert pupil.display_name == NAME
    assert not pupil.is_staff and not pupil.is_superuser


# --- Consent ----------


def test_child_consent_is_needed_from_grade_2():
    assert not consent.child_consent_needed(grade=1)
    assert consent.child_consent_needed(grade=2)
    assert consent.child_consent_needed(grade=12)


def test_consent_listing_shows_who_lacks_consent(
    client, school, grade1, grade4, school_admin
):
    little = make_pupil(grade1, display_name="Lê Văn Bé")
    parent_only = make_pupil(grade4, display_name="Phạm Thu Hà")
    complete = make_pupil(grade4, display_name="Võ Minh Khang")
    nobody = make_pupil(grade4, display_name="Đỗ Gia Huy")
    give_consent(school_admin, school, [little, parent_only, complete], ["parent"])
    give_consent(school_admin, school, [complete], ["child"])

    rows = consent.consent_overview(school=school, missing_only=True)
    assert {row.enrolment.pupil for row in rows} == {parent_only, nobody}

    client.force_login(school_admin)
    url = reverse("lms:consent_overview", args=[school.pk])
    html = client.get(url, {"lop": grade4.pk, "thieu": "1"}).content.decode()
    assert "Phạm Thu Hà" in html and "Đỗ Gia Huy" in html
    assert "Võ Minh Khang" not in html and "Lê Văn Bé" not in html


def test_bulk_consent_from_a_paper_form_for_a_class(
    client, school, grade4, school_admin
):
    pupils = [make_pupil(grade4) for _ in range(3)]
    client.force_login(school_admin)
    response = client.post(
        reverse("lms:consent_overview", args=[school.pk]) + f"?lop={grade4.pk}",
        {
            "pupils": [pupil.pk for pupil in pupils],
            "given_by": ["parent", "child"],
            "method": "paper",
            "consented_on": "2026-09-12",
            "notice_version": "2026-01",
        },
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.count() == 6
    assert all(consent.pupil_may_record_learning(pupil=pupil) for pupil in pupils)
    assert AuditEntry.objects.filter(action="consent.record").exists()


def test_child_consent_is_not_recorded_for_grade_1(school, grade1, school_admin):
    pupil = make_pupil(grade1)
    assert give_consent(school_admin, school, [pupil], ["parent", "child"]) == 1
    assert consent.pupil_may_record_learning(pupil=pupil)


def test_other_schools_admin_and_teachers_cannot_open_consent(client, school, grade4):
    other_admin = make_staff(Role.SCHOOL_ADMIN, school=SchoolFactory())
    teacher = make_teacher(grade4)
    url = reverse("lms:consent_overview", args=[school.pk])
    for user in (other_admin, teacher):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_without_consent_learning_is_not_recorded_but_help_works(
    client, school, grade4, school_admin
):
    pupil = make_pupil(grade4)
    assert consent.pupil_may_record_learning(pupil=pupil) is False
    give_consent(school_admin, school, [pupil], ["parent"])
    # Grade 4: the child's own consent is missing still.
    assert consent.pupil_may_record_learning(pupil=pupil) is False

    client.force_login(pupil)
    response = client.post(reverse("lms:help"), {"category": HelpCategory.BOTHERED})
    assert response.status_code == 302
    assert HelpRequest.objects.filter(pupil=pupil).count() == 1


def test_province_may_allow_full_use_without_consent(school, grade4):
    pupil = make_pupil(grade4)
    province = school.unit.get_root()
    PrivacySettings.objects.create(
        province=province, without_consent=WithoutConsent.FULL
    )
    assert consent.pupil_may_record_learning(pupil=pupil) is True
    # Another province keeps the safe default.
    elsewhere = make_pupil(SchoolClassFactory(grade=4))
    assert consent.pupil_may_record_learning(pupil=elsewhere) is False


def test_withdrawn_consent_no_longer_counts(school, grade1, school_admin):
    pupil = make_pupil(grade1)
    give_consent(school_admin, school, [pupil], ["parent"])
    assert consent.pupil_may_record_learning(pupil=pupil)
    consent.consent_withdraw(actor=school_admin, pupil=pupil)
    assert not consent.pupil_may_record_learning(pupil=pupil)
    assert ConsentRecord.objects.filter(pupil=pupil).count() == 1


# --- Export ----------


def test_export_contains_the_pupils_data(client, school, grade4, school_admin):
    pupil = make_pupil(grade4, display_name=NAME)
    give_consent(school_admin, school, [pupil], ["parent", "child"])
    help_services.help_request_create(
        pupil=pupil, category=HelpCategory.UPSETTING, message="Em thấy video đáng sợ"
    )
    client.force_login(school_admin)

    response = client.get(
        reverse("lms:pupil_data_download", args=[school.pk, pupil.pk, "json"])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="du-lieu-hoc-sinh-{pupil.pk}.json"'
    )
    data = json.loads(response.getvalue())
    assert set(data) >= {
        "account",
        "enrolments",
        "consent_records",
        "help_requests",
        "learning_records",
    }
    assert data["account"]["display_name"] == NAME
    assert data["enrolments"][0]["class"] == "4B"
    assert {record["given_by"] for record in data["consent_records"]} == {
        "parent",
        "child",
    }
    # No counsellor at this school, so its administrator handles (and sees) them.
    assert data["help_requests"][0]["message"] == "Em thấy video đáng sợ"

    pdf = client.get(
        reverse("lms:pupil_data_download", args=[school.pk, pupil.pk, "pdf"])
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="du-lieu-hoc-sinh-{pupil.pk}.pdf"'
    )
    text = "".join(
        page.extract_text()
        for page in pypdf.PdfReader(io.BytesIO(pdf.getvalue())).pages
    )
    assert NAME in text
    assert (
        AuditEntry.objects.filter(
            action="pupil_data.export", target_id=str(pupil.pk)
        ).count()
        == 2
    )


def test_export_leaves_out_help_requests_the_admin_may_not_see(
    school, grade4, school_admin
):
    make_staff(Role.COUNSELLOR, school=school)
    pupil = make_pupil(grade4)
    help_services.help_request_create(
        pupil=pupil, category=HelpCategory.OTHER, message="bí mật"
    )
    data = data_rights.pupil_data_export(pupil=pupil, requested_by=school_admin)
    assert data["help_requests"] == []
    assert "bí mật" not in json.dumps(data, ensure_ascii=False)


def test_exporters_registry_adds_sections(monkeypatch, grade4):
    pupil = make_pupil(grade4)

    def learning(*, pupil, requested_by):
        return {"learning_records": [{"module": "Mật khẩu mạnh", "score": 9}]}

    monkeypatch.setattr(
        data_rights,
        "PUPIL_DATA_EXPORTERS",
        [*data_rights.PUPIL_DATA_EXPORTERS, learning],
    )
    data = data_rights.pupil_data_export(pupil=pupil)
    assert data["learning_records"] == [{"module": "Mật khẩu mạnh", "score": 9}]


def test_a_teacher_cannot_export(client, school, grade4):
    pupil = make_pupil(grade4)
    client.force_login(make_teacher(grade4))
    url = reverse("lms:pupil_data_download", args=[school.pk, pupil.pk, "json"])
    assert client.get(url).status_code == 404


# --- Erasure ----------


def test_erasure_removes_personal_data_and_keeps_counts(
    client, school, grade4, school_admin
):
    pupil = make_pupil(grade4, display_name=NAME)
    make_pupil(grade4)
    pupil.login_card_key_hash = card_key_hash("the-card-key")
    pupil.save()
    give_consent(school_admin, school, [pupil], ["parent", "child"])
    help_request = help_services.help_request_create(
        pupil=pupil, category=HelpCategory.BOTHERED, message="Bạn Nam bắt nạt em"
    )
    enrolments_before = Enrolment.objects.filter(school_class__school=school).count()
    help_before = HelpRequest.objects.filter(school=school).count()

    client.force_login(school_admin)
    url = reverse("lms:pupil_erase", args=[school.pk, pupil.pk])
    assert NAME in client.get(url).content.decode()
    # Without the confirmation box, nothing happens.
    client.post(url, {})
    pupil.refresh_from_db()
    assert pupil.display_name == NAME
    client.post(url, {"confirm": "on"})

    pupil.refresh_from_db()
    assert pupil.display_name == data_rights.ERASED_DISPLAY_NAME
    assert pupil.username.startswith("xoa-")
    assert not pupil.has_usable_password()
    assert pupil.login_card_key_hash == ""
    assert not pupil.is_active
    help_request.refresh_from_db()
    assert help_request.message == "" and help_request.category == "bothered"
    records = ConsentRecord.objects.filter(pupil=pupil)
    assert records.count() == 2
    assert all(record.withdrawn_at for record in records)
    assert Enrolment.objects.filter(school_class__school=school).count() == (
        enrolments_before
    )
    assert HelpRequest.objects.filter(school=school).count() == help_before
    assert AuditEntry.objects.filter(action="pupil_data.erase").count() == 1
    assert NAME not in json.dumps(
        list(AuditEntry.objects.values("details")), ensure_ascii=False
    )


def test_erasers_registry_runs_in_the_same_transaction(monkeypatch, grade4):
    pupil = make_pupil(grade4, display_name=NAME)

    def failing(*, pupil):
        raise RuntimeError("rollup store down")

    monkeypatch.setattr(
        data_rights, "PUPIL_DATA_ERASERS", [*data_rights.PUPIL_DATA_ERASERS, failing]
    )
    with pytest.raises(RuntimeError):
        data_rights.pupil_erase(pupil=pupil, actor=None, reason="test")
    pupil.refresh_from_db()
    assert pupil.display_name == NAME


# --- Retention ----------


def test_retention_removes_old_words_and_erases_long_gone_pupils(
    school, grade4, school_admin
):
    now = timezone.now()
    old_pupil = make_pupil(grade4, display_name="Người đã rời trường")
    Enrolment.objects.filter(pupil=old_pupil).update(
        left_on=(now - datetime.timedelta(days=3 * 365)).date()
    )
    recent_pupil = make_pupil(grade4, display_name="Người mới rời")
    Enrolment.objects.filter(pupil=recent_pupil).update(
        left_on=(now - datetime.timedelta(days=200)).date()
    )
    current = make_pupil(grade4, display_name="Đang học")
    old = help_services.help_request_create(
        pupil=current,
        category=HelpCategory.OTHER,
        message="chuyện cũ",
        now=now - datetime.timedelta(days=7 * 365),
    )
    HelpRequest.objects.filter(pk=old.pk).update(
        status="closed", closed_at=now - datetime.timedelta(days=6 * 365)
    )
    recent = help_services.help_request_create(
        pupil=current, category=HelpCategory.OTHER, message="chuyện mới"
    )

    dry = retention.retention_apply(now=now, dry_run=True)
    assert dry.help_requests_redacted == [old.pk]
    assert dry.pupils_erased == [old_pupil.pk]
    old.refresh_from_db()
    assert old.message == "chuyện cũ"

    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "1" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    old_pupil.refresh_from_db()
    recent_pupil.refresh_from_db()
    assert old.message == "" and recent.message == "chuyện mới"
    assert old_pupil.display_name == data_rights.ERASED_DISPLAY_NAME
    assert recent_pupil.display_name == "Người mới rời"


def test_retention_expires_old_audit_entries_only(grade4):
    pupil = make_pupil(grade4)
    from lms.people.audit import audit_record

    audit_record(actor=pupil, action="old", target=pupil)
    later = timezone.now() + datetime.timedelta(days=6 * 365)
    report = retention.retention_apply(now=later)
    assert report.audit_entries_expired >= 1
    assert not AuditEntry.objects.filter(action="old").exists()


# --- The notice ----------


@pytest.mark.parametrize("audience", ["nho", "lon", "cha-me"])
def test_privacy_notice_pages(client, audience):
    response = client.get(reverse("lms:privacy_notice"), {"ban": audience})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:111"' in html
    assert 'id="rights"' in html


def test_footer_links_the_notice(client):
    html = client.get(reverse("lms:help")).content.decode()
    assert reverse("lms:privacy_notice") in html
