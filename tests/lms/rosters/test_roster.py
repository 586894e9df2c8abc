"""Roster import: reading class lists, the dry run, and the all-or-nothing apply."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lms.accounts.card_keys import card_key_hash
from lms.errors import LmsError
from lms.models import Enrolment, Role, RoleAssignment, User
from lms.rosters import services as roster
from lms.rosters.services import RowAction, roster_apply, roster_parse, roster_preview
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
    PUPILS,
    csv_upload,
    png_bytes,
    school_export_rows,
    to_cp1258,
    xlsx_bytes,
    xlsx_upload,
    zip_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class():
    school = SchoolFactory(name="Trường Tiểu học Kim Đồng")
    return SchoolClassFactory(school=school, name="5A1")


@pytest.fixture
def teacher(school_class):
    return make_teacher(school_class)


def parse_error(upload) -> str:
    with pytest.raises(LmsError) as caught:
        roster_parse(file=upload)
    return caught.value.code


def codes_by_line(plan) -> dict[int, set[str]]:
    return {
        row.line: {problem.code for problem in row.problems}
        for row in plan.rows
        if row.action == RowAction.ERROR
    }


# --- Reading files --------------------------------------------------------------------


def test_good_csv_gives_line_numbers_names_numbers_and_classes():
    parsed = roster_parse(
        file=csv_upload(
            [["STT", "Họ và tên", "Lớp"], *[[row[0], row[1], row[4]] for row in PUPILS]]
        )
    )
    assert parsed.kind == "csv"
    assert parsed.header_line == 1
    assert parsed.has_class_column
    assert [
        (line.line, line.number, line.full_name, line.class_name)
        for line in parsed.lines
    ] == [
        (2, "1", "Nguyễn Thị Ánh Tuyết", "5A1"),
        (3, "2", "Trần Văn Bình", "5A1"),
        (4, "3", "Lê Hoàng Minh Khôi", "5A1"),
    ]


def test_school_xlsx_with_title_rows_finds_the_heading_and_drops_private_columns():
    parsed = roster_parse(file=xlsx_upload(school_export_rows()))
    assert parsed.kind == "xlsx"
    assert parsed.sheet_name == "5A1"
    # Three title rows, so the heading is on spreadsheet line 4 and pupils from 5.
    assert parsed.header_line == 4
    assert [line.line for line in parsed.lines] == [5, 6, 7]
    assert parsed.lines[0].full_name == "Nguyễn Thị Ánh Tuyết"
    assert parsed.lines[0].number == "1"
    assert set(parsed.ignored_columns) == {
        "Ngày sinh",
        "Giới tính",
        "Địa chỉ",
        "SĐT phụ huynh",
    }
    # What waits in the session between preview and confirm holds nothing private.
    stored = json.dumps(parsed.to_data(), ensure_ascii=False)
    for value in PRIVATE_VALUES:
        assert value not in stored
    assert roster.ParsedRoster.from_data(json.loads(stored)) == parsed


def test_csv_with_bom_semicolons_and_title_rows():
    text = (
        "DANH SÁCH LỚP 5A1;;\n"
        ";;\n"
        "Stt;HỌ VÀ TÊN;Ngày sinh\n"
        "1;Phạm Thu Hà;01/02/2016\n"
        "2;Đỗ Quang Huy;03/04/2016\n"
    )
    upload = SimpleUploadedFile("ds.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    parsed = roster_parse(file=upload)
    assert parsed.header_line == 3
    assert [line.full_name for line in parsed.lines] == ["Phạm Thu Hà", "Đỗ Quang Huy"]
    assert parsed.ignored_columns == ("Ngày sinh",)


def test_windows_1258_csv_is_read_as_vietnamese():
    content = to_cp1258("STT,Họ và tên\n1,Nguyễn Thị Ánh Tuyết\n2,Trần Văn Bình\n")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    parsed = roster_parse(file=SimpleUploadedFile("ds.csv", content))
    assert [line.full_name for line in parsed.lines] == [
        "Nguyễn Thị Ánh Tuyết",
        "Trần Văn Bình",
    ]


def test_english_headings_and_separate_family_and_given_name_columns():
    english = roster_parse(file=csv_upload([["No.", "Full name"], [1, "Vũ Minh"]]))
    assert english.lines[0].full_name == "Vũ Minh"
    split = roster_parse(
        file=xlsx_upload([["STT", "Họ đệm", "Tên"], [1, "Hoàng Thị", "Mai"]])
    )
    assert split.lines[0].full_name == "Hoàng Thị Mai"


def test_totals_signatures_and_unused_numbered_lines_are_skipped():
    rows = [
        HEADING[:2],
        [1, "Nguyễn Văn An"],
        [2, "Bùi Thị Lan"],
        [3, ""],  # the template was numbered down to 45
        [4, ""],
        [],
        ["Tổng số: 2 học sinh", ""],
        ["", "", "Giáo viên chủ nhiệm"],
    ]
    parsed = roster_parse(file=xlsx_upload(rows))
    assert [line.full_name for line in parsed.lines] == ["Nguyễn Văn An", "Bùi Thị Lan"]
    assert parsed.skipped_lines == (4, 5, 7, 8)


def test_the_column_numbers_of_an_official_form_are_not_a_pupil():
    rows = [["STT", "Họ và tên", "Ngày sinh"], ["(1)", "(2)", "(3)"], [1, "Hà Anh"]]
    parsed = roster_parse(file=xlsx_upload(rows))
    assert [line.full_name for line in parsed.lines] == ["Hà Anh"]
    assert parsed.skipped_lines == (2,)
    plain = roster_parse(file=csv_upload([["STT", "Họ và tên"], [1, 2], [1, "Hà Anh"]]))
    assert [line.line for line in plain.lines] == [3]


NOT_CLASS_LISTS = {
    "empty": (b"", "empty_file"),
    "blank": (b"  \n\n ", "empty_file"),
    "png-renamed-xlsx": (png_bytes(), "not_a_spreadsheet"),
    "binary": (b"%PDF-1.4\x00\x01binary", "not_a_spreadsheet"),
    "old-xls": (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "unsupported_format"),
    "docx": (
        zip_bytes({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}),
        "not_a_spreadsheet",
    ),
    "ods": (
        zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        "unsupported_format",
    ),
    # A PDF whose header comes after a few bytes (the format allows it), and the
    # web page school software exports under an ".xls" name: both read as text.
    "pdf-after-a-preamble": (
        b"\r\n%PDF-1.7\n1 0 obj << >> endobj\n",
        "not_a_spreadsheet",
    ),
    "html-named-xls": (
        "<html><body><table><tr><td>Họ và tên</td></tr></table></body></html>".encode(),
        "not_a_spreadsheet",
    ),
    "rtf": (b"{\\rtf1\\ansi Ho va ten}", "not_a_spreadsheet"),
    "no-heading": ("Ngày,Lớp\n1,5A1\n".encode(), "no_header"),
    "heading-only": ("STT,Họ và tên\n".encode(), "no_pupils"),
}


@pytest.mark.parametrize("case", NOT_CLASS_LISTS)
def test_files_that_are_not_class_lists_are_refused_with_a_reason(case):
    content, code = NOT_CLASS_LISTS[case]
    assert parse_error(SimpleUploadedFile("danh-sach.xlsx", content)) == code


def test_a_truncated_xlsx_is_damaged_not_a_crash():
    content = xlsx_bytes(school_export_rows())
    assert parse_error(SimpleUploadedFile("ds.xlsx", content[: len(content) // 2])) == (
        "damaged_xlsx"
    )


def test_an_xlsx_with_broken_xml_inside_is_damaged():
    content = zip_bytes(
        {
            "[Content_Types].xml": b"<Types>not closed",
            "xl/workbook.xml": b"<<<garbage",
            "_rels/.rels": b"nonsense",
        }
    )
    assert parse_error(SimpleUploadedFile("ds.xlsx", content)) == "damaged_xlsx"


def test_a_file_over_the_size_cap_is_refused(settings):
    settings.ROSTER_MAX_BYTES = 200
    rows = [HEADING[:2], *[[n, f"Học Sinh {chr(65 + n % 26)}"] for n in range(30)]]
    assert parse_error(csv_upload(rows)) == "too_large"


def test_a_list_over_the_row_cap_is_refused(settings):
    settings.ROSTER_MAX_ROWS = 3
    rows = [HEADING[:2], [1, "An"], [2, "Bình"], [3, "Chi"], [4, "Dung"]]
    assert parse_error(csv_upload(rows)) == "too_many_rows"
    settings.ROSTER_MAX_ROWS = 4
    assert len(roster_parse(file=csv_upload(rows)).lines) == 4


# --- Preview --------------------------------------------------------------------------


def test_preview_reports_every_bad_line_with_its_spreadsheet_line_number(school_class):
    SchoolClassFactory(
        school=school_class.school, school_year=school_class.school_year, name="5A2"
    )
    rows = [
        ["DANH SÁCH LỚP"],
        ["STT", "Họ và tên", "Lớp"],
        [1, "Nguyễn Văn An", "5A1"],  # line 3: number 1 again on line 9
        [2, "", "5A1"],  # line 4: empty name (a later line has a name)
        [3, "X" * 121, "5A1"],  # line 5: too long
        [4, "Trần Bảo 2", "5A1"],  # line 6: digits
        [5, "Lý Thu Trang", "5A2"],  # line 7: another class of the school
        [6, "Mai Anh Đào", "6C9"],  # line 8: no such class
        [1, "nguyễn  văn an", "5A1"],  # line 9: same number (and name, other case)
        ["7b", "Phan Thanh Hải", "5A1"],  # line 10: number is not a whole number
        ["", "Đinh Công Tráng", "lớp 5a1"],  # line 11: no number among numbered
        [8, "H'Hen Niê", "5 A1"],  # line 12: fine (apostrophe, class spelled loosely)
    ]
    plan = roster_preview(
        school_class=school_class, parsed=roster_parse(file=xlsx_upload(rows))
    )
    assert codes_by_line(plan) == {
        3: {"duplicate_number"},
        4: {"empty_name"},
        5: {"name_too_long"},
        6: {"name_characters"},
        7: {"other_class"},
        8: {"unknown_class"},
        9: {"duplicate_number"},
        10: {"bad_number"},
        11: {"missing_number"},
    }
    assert [row.line for row in plan.to_create] == [12]
    assert plan.has_errors
    duplicate = next(row for row in plan.rows if row.line == 3)
    assert "3, 9" in duplicate.problems[0].message


def test_names_already_in_the_class_are_unchanged(school_class):
    make_pupil(school_class, display_name="Trần Văn Bình")
    plan = roster_preview(
        school_class=school_class,
        parsed=roster_parse(file=xlsx_upload(school_export_rows())),
    )
    assert [(row.full_name, row.action) for row in plan.rows] == [
        ("Nguyễn Thị Ánh Tuyết", RowAction.CREATE),
        ("Trần Văn Bình", RowAction.UNCHANGED),
        ("Lê Hoàng Minh Khôi", RowAction.CREATE),
    ]
    assert not plan.has_errors


def test_the_dry_run_writes_nothing(school_class):
    users, enrolments = User.objects.count(), Enrolment.objects.count()
    parsed = roster_parse(file=xlsx_upload(school_export_rows()))
    plan = roster_preview(school_class=school_class, parsed=parsed)
    assert len(plan.to_create) == 3
    assert (User.objects.count(), Enrolment.objects.count()) == (users, enrolments)


# --- Apply ----------------------------------------------------------------------------


def _plan(school_class, rows=None):
    parsed = roster_parse(file=xlsx_upload(rows or school_export_rows()))
    return roster_preview(school_class=school_class, parsed=parsed)


def test_apply_creates_pupils_holding_only_a_name_and_a_class(school_class, teacher):
    result = roster_apply(
        school_class=school_class, plan=_plan(school_class), actor=teacher
    )
    assert len(result.created) == 3
    first = result.created[0]
    pupil = User.objects.get(pk=first.pupil_id)
    assert pupil.display_name == "Nguyễn Thị Ánh Tuyết"
    assert pupil.username == first.username
    assert re.fullmatch(r"tuyet\.nguyen[2-9]{2}", pupil.username)
    assert pupil.check_password(first.password)
    assert re.fullmatch(r"[a-z]+[2-9]{2}", first.password)
    assert pupil.login_card_key_hash == card_key_hash(first.card_key)
    assert len(first.card_key) >= 32
    assert pupil.preferred_language == "vi"
    assert (pupil.email, pupil.first_name, pupil.last_name) == ("", "", "")
    assert list(
        RoleAssignment.objects.filter(user=pupil).values_list("role", "school")
    ) == [(Role.PUPIL, school_class.school.pk)]
    assert pupil.has_perm("lms.take_modules")
    assert not pupil.has_perm("lms.manage_roster")
    enrolment = Enrolment.objects.get(pupil=pupil)
    assert (enrolment.school_class, enrolment.roster_number) == (school_class, 1)
    # Nothing private reached the database.
    dump = json.dumps(list(User.objects.values()), default=str, ensure_ascii=False)
    for value in PRIVATE_VALUES:
        assert value not in dump
    assert len({c.username for c in result.created}) == 3


def test_apply_refuses_a_plan_with_errors_and_writes_nothing(school_class, teacher):
    plan = _plan(school_class, [HEADING[:2], [1, "Nguyễn Văn An"], [2, "Lê 2"]])
    users = User.objects.count()
    with pytest.raises(LmsError) as caught:
        roster_apply(school_class=school_class, plan=plan, actor=teacher)
    assert caught.value.code == "roster_has_errors"
    assert User.objects.count() == users


def test_apply_is_all_or_nothing(school_class, teacher, monkeypatch):
    real_create = roster.pupil_create
    calls = []

    def failing_on_the_third(**kwargs):
        calls.append(kwargs["display_name"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(roster, "pupil_create", failing_on_the_third)
    users, enrolments = User.objects.count(), Enrolment.objects.count()
    with pytest.raises(RuntimeError):
        roster_apply(school_class=school_class, plan=_plan(school_class), actor=teacher)
    assert len(calls) == 3
    assert (User.objects.count(), Enrolment.objects.count()) == (users, enrolments)
    assert not RoleAssignment.objects.filter(role=Role.PUPIL).exists()


def test_importing_the_same_file_again_creates_nobody_new(school_class, teacher):
    roster_apply(school_class=school_class, plan=_plan(school_class), actor=teacher)
    users = User.objects.count()
    plan = _plan(school_class)
    assert [row.action for row in plan.rows] == [RowAction.UNCHANGED] * 3
    result = roster_apply(school_class=school_class, plan=plan, actor=teacher)
    assert result.created == ()
    assert result.unchanged == 3
    assert User.objects.count() == users


def test_apply_recomputes_the_plan_instead_of_trusting_it(school_class, teacher):
    plan = _plan(school_class)
    # Between preview and confirmation, a colleague enrols one of the pupils.
    make_pupil(school_class, display_name="Trần Văn Bình")
    result = roster_apply(school_class=school_class, plan=plan, actor=teacher)
    assert [c.display_name for c in result.created] == [
        "Nguyễn Thị Ánh Tuyết",
        "Lê Hoàng Minh Khôi",
    ]
    assert User.objects.filter(display_name="Trần Văn Bình").count() == 1


def test_only_a_manager_of_the_class_may_apply(school_class):
    other_class = SchoolClassFactory(school=school_class.school)
    colleague = make_teacher(other_class)
    pupil = make_pupil(school_class)
    counsellor = make_staff(Role.COUNSELLOR, school=school_class.school)
    for actor in (colleague, pupil, counsellor):
        with pytest.raises(LmsError) as caught:
            roster_apply(
                school_class=school_class, plan=_plan(school_class), actor=actor
            )
        assert caught.value.code == "not_manager"
    school_admin = make_staff(Role.SCHOOL_ADMIN, school=school_class.school)
    result = roster_apply(
        school_class=school_class, plan=_plan(school_class), actor=school_admin
    )
    assert len(result.created) == 3
