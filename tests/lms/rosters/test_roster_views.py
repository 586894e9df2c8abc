"""Roster pages: the import journey, login cards, resets, QR sign-in, and scoping."""

import io
import re

import pypdf
import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.accounts.card_keys import card_key_hash
from lms.models import Enrolment, Role, User
from lms.rosters.pupil_accounts import pupil_create
from lms.rosters.views import CARDS_SESSION_KEY, ROSTER_SESSION_KEY
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    make_pupil,
    make_staff,
    make_teacher,
)
from tests.lms.roster_helpers import (
    HEADING,
    PRIVATE_VALUES,
    csv_upload,
    png_bytes,
    school_export_rows,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class():
    school = SchoolFactory(name="Trường Tiểu học Hòa Bình")
    return SchoolClassFactory(school=school, name="5A1")


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def url(name, school_class, **kwargs):
    return reverse(f"lms:{name}", kwargs={"class_id": school_class.pk, **kwargs})


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.getvalue()))
    return "\n".join(page.extract_text() for page in reader.pages)


def upload_and_confirm(client, school_class, upload):
    response = client.post(url("roster_upload", school_class), {"file": upload})
    assert response.status_code == 302
    preview = client.get(url("roster_preview", school_class))
    fingerprint = preview.context["plan"].fingerprint
    return client.post(
        url("roster_confirm", school_class), {"fingerprint": fingerprint}
    )


def test_home_links_to_the_class_page_which_lists_pupils(teacher_client, school_class):
    pupil = make_pupil(school_class, display_name="Phạm Minh Châu")
    home = teacher_client.get(reverse("lms:home"))
    assert url("class_detail", school_class) in home.content.decode()
    page = teacher_client.get(url("class_detail", school_class))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phạm Minh Châu" in html
    assert pupil.username in html
    assert url("pupil_password_reset", school_class, pupil_id=pupil.pk) in html
    assert url("roster_upload", school_class) in html
    assert url("class_login_cards", school_class) in html
    # The class's progress grid is one click away.
    assert url("class_progress", school_class) in html
    grid = teacher_client.get(url("class_progress", school_class))
    assert grid.status_code == 200


def test_a_pdf_uploaded_as_a_class_list_is_not_an_excel_or_csv_file(
    teacher_client, school_class
):
    """The teacher is told what is wrong with the file, not that a heading is
    missing from what was never a list."""
    pdf = SimpleUploadedFile(
        "danh-sach-lop.pdf", b"\n%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n"
    )
    response = teacher_client.post(url("roster_upload", school_class), {"file": pdf})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đây không phải tệp Excel hoặc CSV" in html
    assert "Không tìm thấy tiêu đề" not in html


def test_import_journey_preview_confirm_and_one_download(teacher_client, school_class):
    users = User.objects.count()
    response = teacher_client.post(
        url("roster_upload", school_class),
        {"file": xlsx_upload(school_export_rows())},
    )
    assert response.headers["Location"] == url("roster_preview", school_class)

    preview = teacher_client.get(url("roster_preview", school_class))
    html = preview.content.decode()
    assert "Nguyễn Thị Ánh Tuyết" in html
    assert 'id="line-5"' in html
    # The ignored private columns are named, their values never shown or kept.
    assert "SĐT phụ huynh" in html
    for value in PRIVATE_VALUES:
        assert value not in html
        assert value not in str(dict(teacher_client.session))
    assert url("roster_confirm", school_class) in html
    assert User.objects.count() == users  # the preview wrote nothing

    confirm = teacher_client.post(
        url("roster_confirm", school_class),
        {"fingerprint": preview.context["plan"].fingerprint},
    )
    assert confirm.status_code == 302
    assert User.objects.count() == users + 3
    assert ROSTER_SESSION_KEY not in teacher_client.session
    batch = re.search(r"/moi/([^/]+)/$", confirm.headers["Location"]).group(1)
    pending = teacher_client.session[CARDS_SESSION_KEY][batch]["secrets"]
    passwords = {card["username"]: card["password"] for card in pending}
    for username, password in passwords.items():
        assert User.objects.get(username=username).check_password(password)

    cards_page = teacher_client.get(confirm.headers["Location"])
    assert cards_page["Cache-Control"].startswith("max-age=0")
    for username in passwords:
        assert username in cards_page.content.decode()
    download_url = url("new_login_cards_download", school_class, batch=batch)
    assert url("new_login_cards_download", school_class, batch=batch) in (
        cards_page.content.decode()
    )

    pdf = teacher_client.post(download_url)
    assert pdf.status_code == 200
    assert "no-store" in pdf["Cache-Control"]
    assert pdf["Content-Disposition"] == 'attachment; filename="the-dang-nhap-5a1.pdf"'
    text = pdf_text(pdf)
    assert "Nguyễn Thị Ánh Tuyết" in text
    for username, password in passwords.items():
        assert username in text
        assert password in text

    # The passwords have left the session: a second download is refused.
    session_dump = str(dict(teacher_client.session))
    for password in passwords.values():
        assert password not in session_dump
    again = teacher_client.post(download_url)
    assert again.status_code == 302
    assert again.headers["Location"] == url(
        "new_login_cards", school_class, batch=batch
    )
    assert url("class_login_cards", school_class) in (
        teacher_client.get(again.headers["Location"]).content.decode()
    )


def test_a_list_with_errors_shows_its_lines_and_cannot_be_confirmed(
    teacher_client, school_class
):
    rows = [HEADING[:2], [1, "Nguyễn Văn An"], [2, ""], [3, "Lê Thị Hằng"]]
    teacher_client.post(url("roster_upload", school_class), {"file": csv_upload(rows)})
    preview = teacher_client.get(url("roster_preview", school_class))
    html = preview.content.decode()
    assert 'role="alert"' in html
    assert 'href="#line-3"' in html
    assert url("roster_confirm", school_class) not in html
    users = User.objects.count()
    forced = teacher_client.post(
        url("roster_confirm", school_class),
        {"fingerprint": preview.context["plan"].fingerprint},
    )
    assert forced.status_code == 302
    assert User.objects.count() == users


def test_a_file_that_is_not_a_list_gets_an_error_summary(teacher_client, school_class):
    response = teacher_client.post(
        url("roster_upload", school_class),
        {"file": SimpleUploadedFile("lop.xlsx", png_bytes())},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_file"' in html
    assert ROSTER_SESSION_KEY not in teacher_client.session


def test_a_stale_or_repeated_confirmation_creates_nobody_twice(
    teacher_client, school_class
):
    teacher_client.post(
        url("roster_upload", school_class), {"file": xlsx_upload(school_export_rows())}
    )
    users = User.objects.count()
    stale = teacher_client.post(
        url("roster_confirm", school_class), {"fingerprint": "0" * 32}
    )
    assert stale.headers["Location"] == url("roster_preview", school_class)
    assert User.objects.count() == users

    fingerprint = (
        teacher_client.get(url("roster_preview", school_class))
        .context["plan"]
        .fingerprint
    )
    first = teacher_client.post(
        url("roster_confirm", school_class), {"fingerprint": fingerprint}
    )
    second = teacher_client.post(
        url("roster_confirm", school_class), {"fingerprint": fingerprint}
    )
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == url("class_detail", school_class)
    assert User.objects.count() == users + 3

    # The same file again: everyone is unchanged, nobody is created.
    response = upload_and_confirm(
        teacher_client, school_class, xlsx_upload(school_export_rows())
    )
    assert response.headers["Location"] == url("class_detail", school_class)
    assert User.objects.count() == users + 3


def test_printing_class_cards_warns_first_then_sets_new_passwords(
    teacher_client, school_class
):
    old = pupil_create(
        display_name="Hà Thị Thu", school_class=school_class, roster_number=1
    )
    confirm_page = teacher_client.get(url("class_login_cards", school_class))
    assert confirm_page.status_code == 200
    assert 'method="post"' in confirm_page.content.decode()
    pupil = User.objects.get(pk=old.pupil_id)
    assert pupil.check_password(old.password)  # looking changes nothing

    response = teacher_client.post(url("class_login_cards", school_class))
    text = pdf_text(response)
    assert "Hà Thị Thu" in text
    pupil.refresh_from_db()
    assert not pupil.check_password(old.password)
    assert pupil.login_card_key_hash != card_key_hash(old.card_key)
    new_password = re.search(r"\b([a-z]+[2-9]{2})\b", text.split(pupil.username)[1])
    assert pupil.check_password(new_password.group(1))


def test_reset_confirms_then_shows_the_password_once_and_kills_the_old_card(
    client, teacher_client, school_class
):
    old = pupil_create(
        display_name="Triệu Thị Trinh", school_class=school_class, roster_number=4
    )
    reset_url = url("pupil_password_reset", school_class, pupil_id=old.pupil_id)
    assert teacher_client.get(reset_url).status_code == 200
    pupil = User.objects.get(pk=old.pupil_id)
    assert pupil.check_password(old.password)

    done = teacher_client.post(reset_url)
    assert done.status_code == 200
    assert "max-age=0" in done["Cache-Control"]
    new = done.context["credentials"]
    assert new.password in done.content.decode()
    pupil.refresh_from_db()
    assert pupil.check_password(new.password)
    assert not pupil.check_password(old.password)

    card = teacher_client.post(
        url("new_login_cards_download", school_class, batch=done.context["batch_id"])
    )
    assert new.password in pdf_text(card)

    teacher_client.logout()
    old_card = client.get(reverse("lms:login_card", args=[old.card_key]))
    assert old_card.status_code == 404
    new_card = client.get(reverse("lms:login_card", args=[new.card_key]))
    assert new_card.status_code == 302
    assert client.session["_auth_user_id"] == str(pupil.pk)


def test_qr_sign_in_signs_the_pupil_in(client, school_class):
    credentials = pupil_create(
        display_name="Nông Văn Dền", school_class=school_class, roster_number=2
    )
    response = client.get(reverse("lms:login_card", args=[credentials.card_key]))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("lms:home")
    assert client.session["_auth_user_id"] == str(credentials.pupil_id)


def test_an_unknown_or_staff_card_gets_the_same_404_page(client, school_class):
    teacher = make_teacher(school_class)
    teacher.login_card_key_hash = card_key_hash("teacher-card-key")
    teacher.save()
    pages = [
        client.get(reverse("lms:login_card", args=[key]))
        for key in ("teacher-card-key", "no-such-key-0123456789")
    ]
    for page in pages:
        assert page.status_code == 404
        assert reverse("lms:login") in page.content.decode()
        assert "_auth_user_id" not in client.session
    # Nothing tells the two apart, beyond the page's own address (the language
    # switcher returns to it) and the CSRF token, which differs on every page.
    first, second = (
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())
        .replace("teacher-card-key", "KEY")
        .replace("no-such-key-0123456789", "KEY")
        for page in pages
    )
    assert first == second


def test_wrong_cards_count_against_the_address_limit_real_cards_still_open(
    client, school_class, settings
):
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    credentials = pupil_create(
        display_name="Y Moan Ênuôl", school_class=school_class, roster_number=3
    )
    for attempt in range(6):
        client.get(reverse("lms:login_card", args=[f"guess-{attempt}-abcdefgh"]))
    recorded = AccessAttempt.objects.filter(username__startswith="login-card:")
    assert recorded.count() == 6
    assert not AccessAttempt.objects.filter(username__contains="guess").exists()
    # The address is paused now for keys that open no card (429)...
    response = client.get(reverse("lms:login_card", args=["guess-7-abcdefgh"]))
    assert response.status_code == 429
    # ...but a real card still opens: a school is never locked out by guessing.
    response = client.get(reverse("lms:login_card", args=[credentials.card_key]))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(credentials.pupil_id)


def test_school_admin_manages_every_class_of_the_school(client, school_class):
    admin = make_staff(Role.SCHOOL_ADMIN, school=school_class.school)
    client.force_login(admin)
    assert client.get(url("class_detail", school_class)).status_code == 200
    assert client.get(url("roster_upload", school_class)).status_code == 200


def test_everyone_else_gets_404_on_every_route(client, school_class):
    pupil = make_pupil(school_class)
    other_class = SchoolClassFactory(school=school_class.school)
    other_pupil = make_pupil(other_class)
    other_school_class = SchoolClassFactory()
    own_teacher = make_teacher(school_class)
    outsiders = {
        "teacher of another class": make_teacher(other_class),
        "teacher of another school": make_teacher(other_school_class),
        "admin of another school": make_staff(
            Role.SCHOOL_ADMIN, school=other_school_class.school
        ),
        "pupil of the class": pupil,
        "counsellor of the school": make_staff(
            Role.COUNSELLOR, school=school_class.school
        ),
    }
    batch = "abcdefghijkl"
    routes = [
        ("get", url("class_detail", school_class)),
        ("get", url("roster_upload", school_class)),
        ("post", url("roster_upload", school_class)),
        ("get", url("roster_preview", school_class)),
        ("post", url("roster_confirm", school_class)),
        ("get", url("class_login_cards", school_class)),
        ("post", url("class_login_cards", school_class)),
        ("get", url("new_login_cards", school_class, batch=batch)),
        ("post", url("new_login_cards_download", school_class, batch=batch)),
        ("get", url("pupil_password_reset", school_class, pupil_id=pupil.pk)),
        ("post", url("pupil_password_reset", school_class, pupil_id=pupil.pk)),
    ]
    before = User.objects.get(pk=pupil.pk).password
    for who, user in outsiders.items():
        client.force_login(user)
        for method, route in routes:
            data = {"file": csv_upload([HEADING[:2], [1, "Kẻ Lạ"]])}
            response = getattr(client, method)(
                route, data if method == "post" else None
            )
            assert response.status_code == 404, (who, method, route)
    assert User.objects.get(pk=pupil.pk).password == before
    assert not User.objects.filter(display_name="Kẻ Lạ").exists()

    # Even the class's own teacher cannot reach a pupil of another class through it.
    client.force_login(own_teacher)
    foreign = url("pupil_password_reset", school_class, pupil_id=other_pupil.pk)
    assert client.get(foreign).status_code == 404
    assert client.post(foreign).status_code == 404
    assert Enrolment.objects.filter(pupil=other_pupil).count() == 1

    client.logout()
    anonymous = client.get(url("class_detail", school_class))
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith(reverse("lms:login"))


def test_lost_new_cards_can_be_reprinted_for_just_those_pupils(
    teacher_client, school_class
):
    veteran = pupil_create(
        display_name="Lâm Thị Mỹ Dạ", school_class=school_class, roster_number=1
    )
    response = upload_and_confirm(
        teacher_client,
        school_class,
        csv_upload([HEADING[:2], [2, "Nguyễn Thị Ánh Tuyết"], [3, "Trần Văn Bình"]]),
    )
    batch = re.search(r"/moi/([^/]+)/$", response.headers["Location"]).group(1)
    teacher_client.post(url("new_login_cards_download", school_class, batch=batch))

    page = teacher_client.get(response.headers["Location"]).content.decode()
    new_ids = list(
        User.objects.filter(
            display_name__in=["Nguyễn Thị Ánh Tuyết", "Trần Văn Bình"]
        ).values_list("pk", flat=True)
    )
    for pk in new_ids:
        assert f'name="pupil" value="{pk}"' in page
    confirm = teacher_client.get(
        url("class_login_cards", school_class), {"pupil": new_ids}
    )
    assert [p.pk for p in confirm.context["pupils"]] == sorted(
        new_ids, key=lambda pk: User.objects.get(pk=pk).enrolments.get().roster_number
    )
    pdf = teacher_client.post(
        url("class_login_cards", school_class), {"pupil": new_ids}
    )
    text = pdf_text(pdf)
    assert "Nguyễn Thị Ánh Tuyết" in text
    assert "Lâm Thị Mỹ Dạ" not in text
    # The pupil who was not chosen keeps their password and card.
    assert User.objects.get(pk=veteran.pupil_id).check_password(veteran.password)


def test_the_class_page_costs_the_same_queries_for_any_class_size(
    teacher_client, school_class
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                teacher_client.get(url("class_detail", school_class)).status_code == 200
            )
        return len(captured)

    make_pupil(school_class)
    queries()  # the first page after signing in also renews the session's expiry
    small = queries()
    for _ in range(12):
        make_pupil(school_class)
    assert queries() == small
