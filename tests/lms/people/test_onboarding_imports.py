"""Bulk onboarding of units, schools and staff: preview, all-or-nothing apply,
re-import by code, scope refusals, password sheets, the forced password change."""

import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from lms.errors import LmsError
from lms.models import AdministrativeUnit, Role, RoleAssignment, School, User
from lms.people.onboarding.parsing import onboarding_parse
from lms.people.onboarding.plans import Action
from lms.people.onboarding.services import onboarding_apply, onboarding_preview
from tests.factories import SchoolFactory, UnitFactory, UserFactory, make_staff
from tests.lms.roster_helpers import csv_upload, xlsx_bytes, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    return UnitFactory(name="Tỉnh Tây Ninh", code="72", level="province")


@pytest.fixture
def commune(province):
    return UnitFactory(
        name="Xã Long Hoa", code="25480", level="commune", parent=province
    )


@pytest.fixture
def officer(province):
    return make_staff(Role.PROVINCE_OFFICER, unit=province, preferred_language="en")


@pytest.fixture
def admin():
    return make_staff(Role.PLATFORM_ADMIN, preferred_language="en")


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters with â ă ê ô ơ ư, tones combining."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        letter = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if c not in TONE_MARKS)
        )
        out += letter.encode("cp1258") + tones.encode("cp1258")
    return out


def run(actor, kind, upload):
    parsed = onboarding_parse(kind=kind, file=upload)
    return parsed, onboarding_preview(actor=actor, parsed=parsed)


def actions(plan):
    return {line.line: line.action for line in plan.lines}


def problems(plan):
    return {line.line: line.problems for line in plan.lines if line.problems}


SCHOOL_ROWS = [
    ["SỞ GIÁO DỤC VÀ ĐÀO TẠO TÂY NINH"],
    ["DANH SÁCH TRƯỜNG HỌC"],
    ["STT", "Thông tin trường", None, None, "Mã xã", "Địa chỉ"],
    [None, "Mã trường", "Tên trường", "Loại hình", None, None],
    [1, "80001", "Trường Tiểu học Long Hoa", "Tiểu học", "25480", "Ấp 1"],
    [2, "80002", "Trường THCS Long Hoa", "THCS", "25480", ""],
    [3, "80003", "Trường Liên cấp Hòa Thành", "Liên cấp", "25480", ""],
    [4, "80004", "Cơ sở Bảo trợ Tây Ninh", "Cơ sở bảo vệ trẻ em", "25480", ""],
]


def schools_upload():
    content = xlsx_bytes(SCHOOL_ROWS)
    return SimpleUploadedFile("truong.xlsx", content)


# --- Units ----------------------------------------------------------------------------


def test_units_with_parents_earlier_in_the_file_and_a_province_that_exists(admin):
    rows = [
        ["Mã", "Tên", "Cấp", "Mã cấp trên"],
        ["72", "Tỉnh Tây Ninh", "Tỉnh", ""],
        ["25480", "Xã Long Hoa", "Xã", "72"],
        ["25481", "Phường Hòa Thành", "Phường", "72"],
    ]
    parsed, plan = run(admin, "units", xlsx_upload(rows))
    assert not plan.has_errors
    onboarding_apply(actor=admin, parsed=parsed)
    ward = AdministrativeUnit.objects.get(code="25481")
    assert ward.level == "ward"
    assert ward.get_parent().code == "72"
    # Again, with one name changed: updated by code, nothing duplicated.
    rows[3][1] = "Phường Hòa Thành Mới"
    parsed, plan = run(admin, "units", xlsx_upload(rows))
    assert actions(plan) == {2: "unchanged", 3: "unchanged", 4: "update"}
    onboarding_apply(actor=admin, parsed=parsed)
    assert AdministrativeUnit.objects.count() == 3
    assert AdministrativeUnit.objects.get(code="25481").name == "Phường Hòa Thành Mới"


def test_an_officer_adds_communes_but_not_a_province_or_outside_their_own(
    officer, province
):
    other = UnitFactory(code="80", name="Tỉnh Khác")
    rows = [
        ["Mã", "Tên", "Cấp", "Mã cấp trên"],
        ["25490", "Xã Mới", "Xã", "72"],
        ["99", "Tỉnh Mới", "Tỉnh", ""],
        ["25491", "Xã Ngoài", "Xã", other.code],
    ]
    _parsed, plan = run(officer, "units", xlsx_upload(rows))
    assert actions(plan) == {2: "create", 3: "error", 4: "error"}


# --- Schools --------------------------------------------------------------------------


def test_schools_with_title_rows_merged_headings_and_vietnamese_types(officer, commune):
    parsed, plan = run(officer, "schools", schools_upload())
    assert parsed.header_line == 4
    assert not plan.has_errors, problems(plan)
    assert plan.counts["create"] == 4
    onboarding_apply(actor=officer, parsed=parsed, fingerprint=plan.fingerprint)
    types = dict(School.objects.values_list("code", "school_type"))
    assert types == {
        "80001": "primary",
        "80002": "lower_secondary",
        "80003": "multi_level",
        "80004": "care_facility",
    }
    assert School.objects.get(code="80001").address == "Ấp 1"


def test_reimporting_schools_updates_by_code_and_never_duplicates(officer, commune):
    parsed, _plan = run(officer, "schools", schools_upload())
    onboarding_apply(actor=officer, parsed=parsed)
    SCHOOL_ROWS_CHANGED = [list(row) for row in SCHOOL_ROWS]
    SCHOOL_ROWS_CHANGED[4][2] = "Trường Tiểu học Long Hoa A"
    upload = SimpleUploadedFile("t.xlsx", xlsx_bytes(SCHOOL_ROWS_CHANGED))
    parsed, plan = run(officer, "schools", upload)
    assert actions(plan) == {
        5: "update",
        6: "unchanged",
        7: "unchanged",
        8: "unchanged",
    }
    onboarding_apply(actor=officer, parsed=parsed)
    assert School.objects.count() == 4
    assert School.objects.get(code="80001").name == "Trường Tiểu học Long Hoa A"


def test_every_bad_school_line_is_reported_with_its_line_and_nothing_is_written(
    officer, commune
):
    rows = [
        ["Mã trường", "Tên trường", "Loại hình", "Mã xã"],
        ["80001", "Trường A", "Tiểu học", "25480"],  # 2: duplicate of 5
        ["80002", "", "THCS", "25480"],  # 3: empty name
        ["80003", "Trường C", "Mẫu giáo", "25480"],  # 4: type not understood
        ["80001", "Trường A bis", "THPT", "25480"],  # 5: duplicate of 2
        ["80005", "Trường E", "THPT", "00000"],  # 6: unit does not exist
        ["80006", "Trường F", "nhiều cấp", "25480"],  # 7: fine
    ]
    parsed, plan = run(officer, "schools", xlsx_upload(rows))
    assert set(problems(plan)) == {2, 3, 4, 5, 6}
    assert actions(plan)[7] == Action.CREATE
    assert "dòng 5" in problems(plan)[2][0]
    with pytest.raises(LmsError) as caught:
        onboarding_apply(actor=officer, parsed=parsed)
    assert caught.value.code == "import_has_errors"
    assert not School.objects.exists()


def test_an_officer_cannot_put_a_school_under_another_provinces_unit(officer, commune):
    other = UnitFactory(code="80", name="Tỉnh Khác")
    foreign = UnitFactory(code="26000", name="Xã Khác", parent=other)
    SchoolFactory(code="90001", unit=foreign)
    rows = [
        ["Mã trường", "Tên trường", "Loại hình", "Mã xã"],
        ["80009", "Trường Lạ", "Tiểu học", foreign.code],  # unit not theirs
        ["90001", "Đổi tên", "Tiểu học", "25480"],  # a school not theirs
    ]
    parsed, plan = run(officer, "schools", xlsx_upload(rows))
    assert actions(plan) == {2: "error", 3: "error"}
    assert "không thuộc địa bàn của bạn" in problems(plan)[2][0]
    with pytest.raises(LmsError):
        onboarding_apply(actor=officer, parsed=parsed)
    assert not School.objects.filter(code="80009").exists()
    assert School.objects.get(code="90001").name != "Đổi tên"


def test_a_school_admin_may_not_import_schools(commune):
    school = SchoolFactory(unit=commune)
    head = make_staff(Role.SCHOOL_ADMIN, school=school)
    parsed = onboarding_parse(kind="schools", file=schools_upload())
    with pytest.raises(LmsError) as caught:
        onboarding_preview(actor=head, parsed=parsed)
    assert caught.value.code == "not_allowed_import"


def test_a_pdf_uploaded_as_a_sheet_is_not_an_excel_or_csv_file(officer):
    pdf = SimpleUploadedFile("truong.xlsx", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n")
    with pytest.raises(LmsError) as caught:
        onboarding_parse(kind="schools", file=pdf)
    assert caught.value.code == "not_a_spreadsheet"
    assert "không phải tệp Excel hoặc CSV" in str(caught.value)


# --- Staff ----------------------------------------------------------------------------


@pytest.fixture
def schools(commune):
    return (
        SchoolFactory(code="80001", name="Trường Tiểu học Long Hoa", unit=commune),
        SchoolFactory(code="80002", name="Trường THCS Long Hoa", unit=commune),
    )


STAFF_HEADING = ["STT", "Họ và tên", "Mã trường", "Chức vụ", "Tên đăng nhập"]


def test_staff_from_a_windows_1258_csv_with_roles_and_generated_usernames(
    officer, schools
):
    text = "\n".join(
        [
            "DANH SÁCH CÁN BỘ, GIÁO VIÊN",
            ",".join(STAFF_HEADING + ["Mã xã"]),
            "1,Nguyễn Thị Lan,80001,Giáo viên,,",
            "2,Nguyễn Thị Lan,80001,Giáo viên tư vấn,,",  # same person, second role
            "3,Trần Văn Hùng,80001,Hiệu trưởng,hung.tran,",
            "4,Trần Văn Hùng,80002,Phó hiệu trưởng,hung.tran,",  # a second school
            "5,Lê Minh Tâm,,Cán bộ xã,,25480",
        ]
    )
    upload = SimpleUploadedFile("gv.csv", to_cp1258(text))
    parsed, plan = run(officer, "staff", upload)
    assert not plan.has_errors, problems(plan)
    lan = plan.lines[0]
    assert lan.key == "lan.nguyen.tn"
    assert "lan.nguyen.tn" in lan.detail
    result = onboarding_apply(actor=officer, parsed=parsed)
    assert result.counts["created"] == 3
    lan_user = User.objects.get(username="lan.nguyen.tn")
    assert lan_user.display_name == "Nguyễn Thị Lan"
    assert lan_user.must_change_password
    assert set(
        RoleAssignment.objects.filter(user=lan_user).values_list("role", flat=True)
    ) == {Role.TEACHER, Role.COUNSELLOR}
    hung = User.objects.get(username="hung.tran")
    assert hung.role_assignments.filter(role=Role.SCHOOL_ADMIN).count() == 2
    assert hung.has_perm("lms.import_staff")
    officer_line = User.objects.get(username="tam.le.tn")
    assert officer_line.role_assignments.get().unit.code == "25480"
    by_user = {c.username: c for c in result.credentials}
    assert lan_user.check_password(by_user["lan.nguyen.tn"].password)


def test_reimporting_staff_matches_by_name_and_never_resets_a_password(
    officer, schools
):
    rows = [STAFF_HEADING, [1, "Phạm Thu Hà", "80001", "Giáo viên", ""]]
    parsed, _plan = run(officer, "staff", xlsx_upload(rows))
    result = onboarding_apply(actor=officer, parsed=parsed)
    user = User.objects.get(username="ha.pham.tn")
    password_hash = user.password
    rows.append([2, "Phạm Thu Hà", "80002", "Giáo viên", "ha.pham.tn"])
    rows.append([3, "Phạm Thu Hà", "80001", "Giáo viên", ""])  # a namesake? no: same
    parsed, plan = run(officer, "staff", xlsx_upload(rows))
    assert plan.has_errors  # line 4 repeats line 2's role at the same school
    rows.pop()
    parsed, plan = run(officer, "staff", xlsx_upload(rows))
    assert actions(plan) == {2: "unchanged", 3: "update"}
    again = onboarding_apply(actor=officer, parsed=parsed)
    assert again.credentials == ()
    assert User.objects.filter(display_name="Phạm Thu Hà").count() == 1
    user.refresh_from_db()
    assert user.password == password_hash
    assert user.role_assignments.count() == 2
    assert result.counts["created"] == 1


def test_bad_staff_lines_are_all_reported_and_nothing_is_written(officer, schools):
    other_province = UnitFactory(code="80")
    foreign_school = SchoolFactory(code="90001", unit=other_province)
    pupil = make_staff(Role.PUPIL, school=schools[0], username="an.nguyen27")
    make_staff(Role.TEACHER, school=foreign_school, username="xa.la")
    rows = [
        STAFF_HEADING,
        [1, "", "80001", "Giáo viên", ""],  # 2: empty name
        [2, "Võ Văn Kiệt", "80001", "Bảo vệ", ""],  # 3: role not understood
        [3, "Đỗ Mười", "99999", "Giáo viên", ""],  # 4: unknown school
        [4, "Ngô Quyền", "80001", "Giáo viên", pupil.username],  # 5: a pupil
        [5, "Người Lạ", "80001", "Giáo viên", "xa.la"],  # 6: another province's
        [6, "Lý Bí", "90001", "Giáo viên", ""],  # 7: a school not theirs
        [7, "Mai Hắc Đế", "80001", "Giáo viên", ""],  # 8: fine
    ]
    parsed, plan = run(officer, "staff", xlsx_upload(rows))
    assert set(problems(plan)) == {2, 3, 4, 5, 6, 7}
    assert "là của một học sinh" in problems(plan)[5][0]
    count = User.objects.count()
    with pytest.raises(LmsError):
        onboarding_apply(actor=officer, parsed=parsed)
    assert User.objects.count() == count


def test_an_over_long_or_odd_username_gets_the_message_that_fits(officer, schools):
    rows = [
        STAFF_HEADING,
        [1, "Trần Hưng Đạo", "80001", "Giáo viên", "a" * 151],
        [2, "Lê Lợi", "80001", "Giáo viên", "le loi!"],
    ]
    _parsed, plan = run(officer, "staff", xlsx_upload(rows))
    found = problems(plan)
    assert "dài quá 150 ký tự" in found[2][0]
    assert "có ký tự không được phép" in found[3][0]


def test_a_school_admin_imports_staff_of_their_own_school_only(schools):
    head = make_staff(Role.SCHOOL_ADMIN, school=schools[0], preferred_language="en")
    rows = [
        STAFF_HEADING,
        [1, "Hồ Xuân Hương", "80001", "Giáo viên", ""],
        [2, "Nguyễn Du", "80002", "Giáo viên", ""],  # another school
        [3, "Cao Bá Quát", "", "Cán bộ xã", ""],  # officers: not theirs to add
    ]
    parsed, plan = run(head, "staff", xlsx_upload(rows))
    assert actions(plan) == {2: "create", 3: "error", 4: "error"}
    with pytest.raises(LmsError):
        onboarding_apply(actor=head, parsed=parsed)
    assert not User.objects.filter(display_name="Nguyễn Du").exists()
    assert not User.objects.filter(display_name="Hồ Xuân Hương").exists()


def test_staff_csv_with_a_bom(officer, schools):
    upload = csv_upload(
        [STAFF_HEADING, [1, "Bùi Thị Xuân", "80002", "Quản trị trường", ""]], bom=True
    )
    parsed, plan = run(officer, "staff", upload)
    assert plan.lines[0].key == "xuan.bui.tn"
    assert plan.lines[0].action == Action.CREATE
    assert UserFactory  # factories import kept for later tests


def test_password_sheet_pdf_has_the_names_usernames_and_passwords(officer, schools):
    from lms.people.onboarding.password_sheets import password_sheet_pdf

    rows = [
        STAFF_HEADING,
        [1, "Nguyễn Thị Lan", "80001", "Giáo viên", ""],
        [2, "Trần Văn Hùng", "80001", "Hiệu trưởng", ""],
    ]
    parsed, _plan = run(officer, "staff", xlsx_upload(rows))
    result = onboarding_apply(actor=officer, parsed=parsed)
    pdf = password_sheet_pdf(
        place_name=schools[0].name, credentials=list(result.credentials)
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for credentials in result.credentials:
        assert credentials.display_name in text
        assert credentials.username in text
        assert credentials.password in text
    assert "Trường Tiểu học Long Hoa" in text


# --- Forced password change -----------------------------------------------------------


def test_first_sign_in_forces_a_new_password_then_pages_open(client, schools):
    user = UserFactory(must_change_password=True, preferred_language="en")
    RoleAssignment.objects.create(user=user, role=Role.TEACHER, school=schools[0])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/bao-mat/doi-mat-khau/"
    assert client.get("/cms/").url == "/bao-mat/doi-mat-khau/"
    api = client.get("/api/me/")
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"
    assert client.get("/bao-mat/doi-mat-khau/").status_code == 200
    user.set_password("old-one-time-1")
    user.save()
    client.force_login(user)
    response = client.post(
        "/bao-mat/doi-mat-khau/",
        {
            "old_password": "old-one-time-1",
            "new_password1": "Mat-khau-moi-2026!",
            "new_password2": "Mat-khau-moi-2026!",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/").status_code != 302 or client.get("/").url != (
        "/bao-mat/doi-mat-khau/"
    )


# --- Wagtail admin pages --------------------------------------------------------------


def test_upload_preview_confirm_and_one_download_of_the_password_sheet(client, schools):
    head = make_staff(Role.SCHOOL_ADMIN, school=schools[0], preferred_language="en")
    client.force_login(head)
    assert client.get("/cms/nhap-du-lieu/").status_code == 200
    rows = [STAFF_HEADING, [1, "Hồ Xuân Hương", "80001", "Giáo viên", ""]]
    response = client.post(
        "/cms/nhap-du-lieu/", {"kind": "staff", "file": xlsx_upload(rows)}
    )
    assert response.status_code == 302
    page = client.get("/cms/nhap-du-lieu/xem-truoc/")
    assert page.status_code == 200
    assert "huong.ho.tn" in page.content.decode()
    assert not User.objects.filter(username="huong.ho.tn").exists()
    fingerprint = page.context["form"].initial["fingerprint"]
    done = client.post("/cms/nhap-du-lieu/xem-truoc/", {"fingerprint": fingerprint})
    assert done.status_code == 302
    assert User.objects.get(username="huong.ho.tn").must_change_password
    listing = client.get(done.url)
    assert schools[0].name in listing.content.decode()
    sheet_url = f"{done.url}s{schools[0].pk}/"
    pdf = client.post(sheet_url)
    assert pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"] or "no-cache" in pdf["Cache-Control"]
    text = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages[0]
    assert "Hồ Xuân Hương" in text.extract_text()
    again = client.post(sheet_url)
    assert again.status_code == 302  # the passwords left the session


def test_a_school_admin_posting_another_schools_staff_is_refused_by_the_page(
    client, schools
):
    head = make_staff(Role.SCHOOL_ADMIN, school=schools[0], preferred_language="en")
    client.force_login(head)
    rows = [STAFF_HEADING, [1, "Nguyễn Du", "80002", "Giáo viên", ""]]
    client.post("/cms/nhap-du-lieu/", {"kind": "staff", "file": xlsx_upload(rows)})
    page = client.get("/cms/nhap-du-lieu/xem-truoc/")
    assert "not one whose staff you manage" in page.content.decode()
    assert "fingerprint" not in page.content.decode()
    response = client.post("/cms/nhap-du-lieu/xem-truoc/", {"fingerprint": "x" * 32})
    assert response.status_code == 302
    assert not User.objects.filter(display_name="Nguyễn Du").exists()
    # A school admin cannot choose the schools import at all.
    response = client.post(
        "/cms/nhap-du-lieu/", {"kind": "schools", "file": schools_upload()}
    )
    assert response.status_code == 200
    assert not School.objects.filter(code="80003").exists()


def test_a_teacher_cannot_open_the_import_pages(client, schools):
    teacher = make_staff(Role.TEACHER, school=schools[0])
    client.force_login(teacher)
    for url in ("/cms/nhap-du-lieu/", "/cms/nhap-du-lieu/xem-truoc/"):
        assert client.get(url).status_code in (302, 403)
