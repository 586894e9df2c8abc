"""Consent in the teacher's flow: the count, the slips PDF, the returned slips.

Freshly imported pupils lack consent, so their answers are not kept: the class
page, the import preview and the new-cards page say how many, and link to the
class's consent page, where the teacher prints one slip per pupil (with a code
kept only as a hash) and records the signed slips that came back.
"""

import datetime
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from lms.models import AuditEntry, ConsentGiver, ConsentRecord, ConsentSlip, Role
from lms.people import consent
from lms.people.consent import (
    SLIP_CODE_ALPHABET,
    class_consent_missing_count,
    pupil_may_record_learning,
    slip_code_hash,
)
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    make_pupil,
    make_staff,
    make_teacher,
)
from tests.lms.roster_helpers import school_export_rows, xlsx_upload

pytestmark = pytest.mark.django_db

CODE = re.compile(rf"[{SLIP_CODE_ALPHABET}]{{5}}-[{SLIP_CODE_ALPHABET}]{{5}}")


@pytest.fixture
def school_class():
    school = SchoolFactory(name="Trường Tiểu học Kim Đồng")
    return SchoolClassFactory(school=school, name="5A", grade=5)


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class, preferred_language="en")


@pytest.fixture
def pupils(school_class):
    return [
        make_pupil(school_class, display_name="Nguyễn Minh An"),
        make_pupil(school_class, display_name="Trần Văn Bình"),
        make_pupil(school_class, display_name="Lê Thu Hà"),
    ]


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def url(name, school_class):
    return reverse(f"lms:{name}", kwargs={"class_id": school_class.pk})


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.getvalue()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_class_page_says_how_many_lack_consent_and_links_to_act(
    teacher_client, school_class, pupils
):
    html = teacher_client.get(url("class_detail", school_class)).content.decode()
    assert "3 pupils lack consent" in html
    assert "their quiz answers and progress are not kept" in html
    assert url("class_consent", school_class) in html


def test_class_page_is_quiet_when_everyone_has_consent(
    teacher_client, school_class, pupils, teacher
):
    consent.consent_slips_returned_record(
        actor=teacher,
        school_class=school_class,
        parent_ids=[p.pk for p in pupils],
        child_ids=[p.pk for p in pupils],
        consented_on=timezone.localdate(),
    )
    html = teacher_client.get(url("class_detail", school_class)).content.decode()
    assert "lack consent" not in html


def test_preview_and_new_cards_pages_tell_about_consent(teacher_client, school_class):
    school_class.name = "5A1"  # the name in the exported list
    school_class.save()
    teacher_client.post(
        url("roster_upload", school_class), {"file": xlsx_upload(school_export_rows())}
    )
    preview = teacher_client.get(url("roster_preview", school_class))
    assert "The 3 new pupils will need their family's consent" in (
        preview.content.decode()
    )
    confirm = teacher_client.post(
        url("roster_confirm", school_class),
        {"fingerprint": preview.context["plan"].fingerprint},
    )
    cards = teacher_client.get(confirm.headers["Location"]).content.decode()
    assert "3 pupils lack consent" in cards
    assert url("class_consent", school_class) in cards


def test_slips_pdf_has_name_law_and_a_code_stored_only_as_hash(
    teacher_client, school_class, pupils
):
    response = teacher_client.post(url("class_consent_slips", school_class))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response)
    assert "Nguyễn Minh An" in text and "Lê Thu Hà" in text
    assert "91/2025/QH15" in text and "356/2025/NĐ-CP" in text
    assert "Trường Tiểu học Kim Đồng" in text
    codes = CODE.findall(text)
    assert len(codes) == 3
    slips = ConsentSlip.objects.filter(pupil__in=pupils)
    assert slips.count() == 3
    stored = set(slips.values_list("code_hash", flat=True))
    assert stored == {slip_code_hash(code) for code in codes}
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored
    # Typed by a family: case and the dash do not count.
    assert slip_code_hash(codes[0].lower().replace("-", " ")) in stored
    assert AuditEntry.objects.filter(action="consent.slips_issue").count() == 1


def test_printing_again_replaces_the_unused_codes_only(
    teacher_client, school_class, pupils
):
    teacher_client.post(url("class_consent_slips", school_class))
    first = set(ConsentSlip.objects.values_list("code_hash", flat=True))
    used = ConsentSlip.objects.get(pupil=pupils[0])
    used.used_at = timezone.now()
    used.save()
    teacher_client.post(url("class_consent_slips", school_class))
    now = set(ConsentSlip.objects.values_list("code_hash", flat=True))
    assert ConsentSlip.objects.count() == 4  # the used one stays, 3 new
    assert used.code_hash in now
    assert not (first - {used.code_hash}) & now


def test_recording_returned_slips_creates_records_and_the_count_drops(
    teacher_client, school_class, pupils, teacher
):
    an, binh, ha = pupils
    page = teacher_client.get(url("class_consent", school_class)).content.decode()
    assert "3 pupils lack consent." in page
    assert f'name="parent" value="{an.pk}"' in page
    today = timezone.localdate()
    response = teacher_client.post(
        url("class_consent", school_class),
        {"parent": [an.pk, binh.pk], "child": [an.pk], "consented_on": today},
    )
    assert response.status_code == 302
    assert set(ConsentRecord.objects.values_list("pupil_id", "given_by", "method")) == {
        (an.pk, ConsentGiver.PARENT, "paper"),
        (an.pk, ConsentGiver.CHILD, "paper"),
        (binh.pk, ConsentGiver.PARENT, "paper"),
    }
    assert ConsentRecord.objects.filter(recorded_by=teacher).count() == 3
    # An is complete; Bình still needs his own (grade 5); Hà nothing yet.
    assert class_consent_missing_count(school_class=school_class) == 2
    assert pupil_may_record_learning(pupil=an)
    assert not pupil_may_record_learning(pupil=binh)
    assert AuditEntry.objects.filter(action="consent.record").exists()
    html = teacher_client.get(url("class_detail", school_class)).content.decode()
    assert "2 pupils lack consent" in html


def test_grade_one_needs_no_child_signature(client):
    school_class = SchoolClassFactory(grade=1)
    pupil = make_pupil(school_class)
    teacher = make_teacher(school_class, preferred_language="en")
    client.force_login(teacher)
    page = client.get(url("class_consent", school_class)).content.decode()
    assert f'name="child" value="{pupil.pk}"' not in page
    client.post(
        url("class_consent", school_class),
        {"parent": [pupil.pk], "consented_on": timezone.localdate()},
    )
    assert class_consent_missing_count(school_class=school_class) == 0


def test_the_school_administrator_may_do_it_too(client, school_class, pupils):
    admin = make_staff(Role.SCHOOL_ADMIN, school=school_class.school)
    client.force_login(admin)
    assert client.post(url("class_consent_slips", school_class)).status_code == 200


# --- Bad input ----------


def test_nobody_ticked_or_a_future_date_is_a_message_and_writes_nothing(
    teacher_client, school_class, pupils
):
    response = teacher_client.post(
        url("class_consent", school_class),
        {"consented_on": timezone.localdate()},
    )
    assert response.status_code == 200
    assert "Tick the pupils whose signed slip came back." in response.content.decode()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = teacher_client.post(
        url("class_consent", school_class),
        {"parent": [pupils[0].pk], "consented_on": tomorrow},
    )
    assert response.status_code == 200
    assert "The date cannot be in the future." in response.content.decode()
    response = teacher_client.post(
        url("class_consent", school_class), {"parent": ["abc"], "consented_on": "x"}
    )
    assert response.status_code == 200
    assert not ConsentRecord.objects.exists()


def test_pupils_of_another_class_or_school_are_404_and_nothing_written(
    teacher_client, school_class, pupils
):
    other_class = SchoolClassFactory(school=school_class.school)
    neighbour = make_pupil(other_class)
    foreign = make_pupil(SchoolClassFactory())
    for stranger in (neighbour, foreign):
        response = teacher_client.post(
            url("class_consent", school_class),
            {
                "parent": [pupils[0].pk, stranger.pk],
                "consented_on": timezone.localdate(),
            },
        )
        assert response.status_code == 404
    assert not ConsentRecord.objects.exists()
    assert not AuditEntry.objects.filter(action="consent.record").exists()


def test_a_foreign_class_is_404_for_the_page_and_the_slips(client, school_class):
    other_school_class = SchoolClassFactory(school=SchoolFactory())
    make_pupil(other_school_class)
    same_school_class = SchoolClassFactory(school=school_class.school)
    make_pupil(same_school_class)
    teacher = make_teacher(school_class)
    client.force_login(teacher)
    for school_class in (other_school_class, same_school_class):
        assert client.get(url("class_consent", school_class)).status_code == 404
        assert client.post(url("class_consent_slips", school_class)).status_code == 404
        response = client.post(
            url("class_consent", school_class),
            {"parent": [], "consented_on": timezone.localdate()},
        )
        assert response.status_code == 404
    assert not ConsentSlip.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_a_pupil_and_a_counsellor_are_refused(client, school_class, pupils):
    counsellor = make_staff(Role.COUNSELLOR, school=school_class.school)
    for user in (pupils[0], counsellor):
        client.force_login(user)
        assert client.post(url("class_consent_slips", school_class)).status_code == 404
        assert client.get(url("class_consent", school_class)).status_code == 404
    assert not ConsentSlip.objects.exists()
