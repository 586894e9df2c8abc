"""Parents: signing up with a slip's code, following only their child, consent
online, progress, the parents' modules, and concerns in the help flow."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from lms.models import (
    ConsentGiver,
    ConsentMethod,
    ConsentRecord,
    ConsentSlip,
    HelpRequest,
    HelpSource,
    ParentLink,
    ParentPhone,
    Role,
    RoleAssignment,
    User,
)
from lms.people.consent import consent_slips_issue
from lms.people.parents import parents_trained
from lms.safeguarding.selectors import help_requests_handled_by, help_requests_of_pupil
from tests.factories import (
    ReportingPeriodFactory,
    SchoolClassFactory,
    make_pupil,
    make_staff,
    make_teacher,
)

pytestmark = pytest.mark.django_db

HOME = "14.161.2.99"
OTHER_HOME = "14.161.2.100"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def school_class():
    return SchoolClassFactory(name="5A", grade=5)


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


@pytest.fixture
def child(school_class):
    return make_pupil(school_class, display_name="Nguyễn Minh An")


@pytest.fixture
def other_child(school_class):
    return make_pupil(school_class, display_name="Trần Thu Hà")


def issue(teacher, school_class, pupil) -> str:
    (slip,) = consent_slips_issue(
        actor=teacher, school_class=school_class, pupil_ids=[pupil.pk]
    )
    return slip.code


def sign_up(client, code, username="me.an", address=HOME, **extra):
    data = {
        "code": code,
        "username": username,
        "password": "",
        "display_name": "Mẹ An",
        "phone": "",
        **extra,
    }
    return client.post(reverse("lms:parent_sign_up"), data, REMOTE_ADDR=address)


def test_a_parent_signs_up_with_the_slip_code_and_follows_that_child(
    client, teacher, school_class, child
):
    code = issue(teacher, school_class, child)
    response = sign_up(client, f"{code[:5]}-{code[5:]}".lower())
    assert response.status_code == 200
    parent = User.objects.get(username="me.an")
    password = response.context["generated_password"]
    assert password and password.encode() in response.content  # shown once
    assert parent.email == ""
    assert ParentLink.objects.filter(parent=parent, pupil=child).exists()
    assert RoleAssignment.objects.filter(
        user=parent, role=Role.PARENT, school=school_class.school
    ).exists()
    assert ConsentSlip.objects.get(pupil=child).used_at is not None
    assert not ParentPhone.objects.filter(user=parent).exists()
    # The generated password signs in.
    client.logout()
    client.post(
        reverse("lms:login"),
        {"username": "me.an", "password": password},
        REMOTE_ADDR=HOME,
    )
    assert client.session.get("_auth_user_id") == str(parent.pk)
    assert client.get(reverse("lms:home")).url == reverse("lms:parent_home")


def test_a_phone_number_is_kept_only_when_given_with_its_purpose(
    client, teacher, school_class, child
):
    code = issue(teacher, school_class, child)
    sign_up(client, code, phone="0912 345 678", password="Mot-Mat-Khau-Dai-9")
    phone = ParentPhone.objects.get(user__username="me.an")
    assert (phone.number, phone.purpose) == ("0912345678", "school_contact")


def test_a_bad_phone_number_creates_nothing(client, teacher, school_class, child):
    code = issue(teacher, school_class, child)
    response = sign_up(client, code, phone="12ab")
    assert response.status_code == 200
    assert not User.objects.filter(username="me.an").exists()
    assert ConsentSlip.objects.get(pupil=child).used_at is None


def test_the_slip_says_where_to_type_its_code_and_sign_in_leads_there(
    client, teacher, school_class, child, settings
):
    """A family holds only the paper: it must say where the code goes, and the
    sign-in page must lead a parent to the sign-up."""
    import io

    from pypdf import PdfReader

    settings.SITE_URL = "https://antoan.example.vn"
    client.force_login(teacher)
    response = client.post(reverse("lms:class_consent_slips", args=[school_class.pk]))
    pdf = b"".join(response.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "https://antoan.example.vn/phu-huynh/dang-ky/" in text.replace("\n", "")
    client.logout()
    sign_in_page = client.get(reverse("lms:login")).content.decode()
    assert f'href="{reverse("lms:parent_sign_up")}"' in sign_in_page


def test_a_used_code_is_refused(client, teacher, school_class, child):
    code = issue(teacher, school_class, child)
    sign_up(client, code)
    client.logout()
    response = sign_up(client, code, username="someone.else")
    assert response.status_code == 200
    assert "Mã này không khớp với phiếu nào" in response.content.decode()
    assert not User.objects.filter(username="someone.else").exists()
    assert ParentLink.objects.filter(pupil=child).count() == 1


def test_guessed_codes_lock_the_form_at_that_address(
    client, teacher, school_class, child, settings
):
    code = issue(teacher, school_class, child)
    statuses = [
        sign_up(client, f"AAAAA{n:05d}", username=f"g{n}").status_code
        for n in range(settings.LOGIN_FAILURES_PER_USERNAME)
    ]
    assert statuses[:-1] == [200] * (settings.LOGIN_FAILURES_PER_USERNAME - 1)
    assert statuses[-1] == 429
    # Paused: even the right code is not tried from this address...
    assert sign_up(client, code).status_code == 429
    assert not User.objects.filter(username="me.an").exists()
    # ...while a family at another address is not held back.
    assert sign_up(client, code, address=OTHER_HOME).status_code == 200
    assert ParentLink.objects.filter(pupil=child).exists()


def test_a_parent_reaches_only_their_child(
    client, teacher, school_class, child, other_child
):
    sign_up(client, issue(teacher, school_class, child))
    # An extra field naming another child changes nothing: the slip decides.
    assert client.get(reverse("lms:parent_child", args=[child.pk])).status_code == 200
    for name in ("lms:parent_child", "lms:parent_concern"):
        assert client.get(reverse(name, args=[other_child.pk])).status_code == 404
    response = client.post(
        reverse("lms:parent_consent", args=[other_child.pk]), {"action": "give"}
    )
    assert response.status_code == 404
    assert not ConsentRecord.objects.filter(pupil=other_child).exists()
    home = client.get(reverse("lms:parent_home")).content.decode()
    assert "Nguyễn Minh An" in home and "Trần Thu Hà" not in home


def test_linking_another_family_child_needs_that_family_slip(
    client, teacher, school_class, child, other_child
):
    sign_up(client, issue(teacher, school_class, child))
    # A code of no slip links nothing, whatever pupil id is sent with it.
    response = client.post(
        reverse("lms:parent_add_child"),
        {"code": "KKKKKKKKKK", "pupil_id": other_child.pk},
        REMOTE_ADDR=HOME,
    )
    assert response.status_code == 200
    assert not ParentLink.objects.filter(pupil=other_child).exists()
    # The other child's own slip does link (a brother or sister).
    code = issue(teacher, school_class, other_child)
    response = client.post(
        reverse("lms:parent_add_child"), {"code": code}, REMOTE_ADDR=HOME
    )
    assert response.status_code == 302
    assert ParentLink.objects.filter(pupil=other_child).count() == 1


def test_staff_and_pupils_cannot_use_the_parent_pages(client, school_class, child):
    teacher = make_teacher(school_class)
    client.force_login(teacher)
    assert client.get(reverse("lms:parent_home")).status_code == 404
    assert client.get(reverse("lms:parent_add_child")).status_code == 404
    client.force_login(child)
    assert client.get(reverse("lms:parent_child", args=[child.pk])).status_code == 404


def test_consent_given_and_withdrawn_online(client, teacher, school_class, child):
    sign_up(client, issue(teacher, school_class, child))
    url = reverse("lms:parent_consent", args=[child.pk])
    client.post(url, {"action": "give"})
    client.post(url, {"action": "give"})  # a double tap records it once
    (record,) = ConsentRecord.objects.filter(pupil=child)
    assert (record.given_by, record.method) == (
        ConsentGiver.PARENT,
        ConsentMethod.ONLINE,
    )
    assert record.recorded_by.username == "me.an" and record.is_active
    client.post(url, {"action": "withdraw"})
    record.refresh_from_db()
    assert record.withdrawn_at is not None  # kept, dated, as evidence


def test_the_parent_sees_the_child_progress(client, teacher, school_class, child):
    from lms.learning.services import assignment_create
    from tests.lms.learning_helpers import (
        allow_learning_records,
        learning_module,
        take_quiz,
    )

    allow_learning_records()
    module = learning_module(title="Mật khẩu mạnh")
    assignment_create(
        actor=teacher,
        school_class=school_class,
        module=module,
        opens_on=timezone.localdate(),
    )
    take_quiz(child, module)
    sign_up(client, issue(teacher, school_class, child))
    page = client.get(reverse("lms:parent_child", args=[child.pk])).content.decode()
    assert "Mật khẩu mạnh" in page
    assert "1 of 1 lessons done" in page or "1/1" in page or "1 trên 1" in page


def test_a_parents_module_counts_as_parent_training_for_the_school(
    client, teacher, school_class, child, english
):
    from tests.lms.learning_helpers import learning_module, take_quiz

    module = learning_module(title="Khi con kể với bạn")
    module.audience = "parent"
    module.save_revision().publish()
    sign_up(client, issue(teacher, school_class, child))
    parent = User.objects.get(username="me.an")
    assert (
        "Khi con kể với bạn" in client.get(reverse("lms:parent_home")).content.decode()
    )
    today = timezone.localdate()
    period = ReportingPeriodFactory(
        name="Now",
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=5),
    )
    school = school_class.school
    assert parents_trained(school=school, period=period) == 0
    take_quiz(parent, module)
    assert parents_trained(school=school, period=period) == 1
    # A pupils' module finished by the same parent is not parent training.
    pupils_module = learning_module(title="Bài của học sinh", slug="bai-hs")
    take_quiz(parent, pupils_module)
    assert parents_trained(school=school, period=period) == 1
    other = SchoolClassFactory()
    assert parents_trained(school=other.school, period=period) == 0
    # The school's administrator sees the count on the school's report.
    client.force_login(make_staff(Role.SCHOOL_ADMIN, school=school))
    page = client.get(
        reverse("lms:school_report", args=[school.pk]), {"ky": period.pk}
    ).content.decode()
    assert "<strong>1</strong> parents completed a parents' module" in page


def test_a_parent_concern_reaches_the_counsellor_not_the_child(
    client, teacher, school_class, child
):
    counsellor = make_staff(Role.COUNSELLOR, school=school_class.school)
    other_counsellor = make_staff(Role.COUNSELLOR, school=SchoolClassFactory().school)
    sign_up(client, issue(teacher, school_class, child))
    response = client.post(
        reverse("lms:parent_concern", args=[child.pk]),
        {"category": "photos_or_meeting", "message": "Có người lạ nhắn tin cho con."},
    )
    assert response.status_code == 302
    concern = HelpRequest.objects.get()
    assert (concern.source, concern.pupil, concern.school) == (
        HelpSource.PARENT,
        child,
        school_class.school,
    )
    assert concern.raised_by.username == "me.an"
    assert list(help_requests_handled_by(counsellor)) == [concern]
    assert not help_requests_handled_by(other_counsellor).exists()
    assert not help_requests_handled_by(teacher).exists()
    assert not help_requests_of_pupil(pupil=child).exists()
