"""Exports: class results, the programme evidence (XLSX, CSV, PDF), hashes."""

import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lms.models import ExportStatus, ReportExport, Role
from tests.factories import login_verified
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)
from tests.lms.report_helpers import build_province, give, officer, school_with_classes

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    allow_learning_records()
    org = build_province()
    module = learning_module(title="Bí mật của em")
    school, [(school_class, teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=2, name="Trường Tiểu học Kim Đồng"
    )
    pupils[0].display_name = "Nguyễn Văn An"
    pupils[0].save()
    give(module, school_class, teacher)
    take_quiz(pupils[0], module)
    return org, module, school, school_class, teacher, pupils


def test_class_results_xlsx_has_bold_frozen_vietnamese_headers(client, setting):
    _org, _module, _school, school_class, teacher, _pupils = setting
    client.force_login(teacher)
    response = client.get(f"/lop/{school_class.pk}/tien-do/tai-ve.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="ket-qua-lop-5A1.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert sheet.freeze_panes == "B2"
    assert sheet["A1"].font.bold
    rows = list(sheet.values)
    assert "Bí mật của em" in rows[0]
    assert any(row[1] == "Nguyễn Văn An" and 100.0 in row for row in rows[1:])


def test_class_results_csv_has_a_bom_and_vietnamese(client, setting):
    _org, _module, _school, school_class, teacher, _pupils = setting
    client.force_login(teacher)
    response = client.get(f"/lop/{school_class.pk}/tien-do/tai-ve.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ket-qua-lop-5A1.csv"'
    )
    content = response.getvalue()
    assert content.startswith(b"\xef\xbb\xbf")
    assert "Nguyễn Văn An" in content.decode("utf-8-sig")
    assert client.get(f"/lop/{school_class.pk}/tien-do/tai-ve.pdf").status_code == 404


def test_a_vietnamese_class_name_downloads_under_its_own_name(client, setting):
    """Django writes the RFC 6266 ``filename*`` form, which browsers decode."""
    _org, _module, _school, school_class, teacher, _pupils = setting
    school_class.name = "Lớp Hoa Sen"
    school_class.save()
    client.force_login(teacher)

    response = client.get(f"/lop/{school_class.pk}/tien-do/tai-ve.csv")

    disposition = response["Content-Disposition"]
    disposition.encode("ascii")  # nothing a proxy or browser could mangle
    prefix = "attachment; filename*=utf-8''"
    assert disposition.startswith(prefix)
    assert unquote(disposition.removeprefix(prefix)) == "ket-qua-lop-Lớp Hoa Sen.csv"


def test_foreign_teacher_cannot_download_results(client, setting):
    from tests.factories import SchoolClassFactory, make_teacher

    _org, _module, _school, school_class, _teacher, _pupils = setting
    client.force_login(make_teacher(SchoolClassFactory()))
    assert client.get(f"/lop/{school_class.pk}/tien-do/tai-ve.xlsx").status_code == 404


@pytest.fixture
def export(client, django_capture_on_commit_callbacks):
    """Return a function that exports a unit's report through the page."""

    def run(org, fmt, unit=None):
        # The export is queued after commit; the test transaction never commits.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/bao-cao/xuat/",
                {
                    "ky": org.period.pk,
                    "don-vi": (unit or org.province).pk,
                    "format": fmt,
                },
            )
        assert response.status_code == 302
        made = ReportExport.objects.latest("pk")
        assert response["Location"] == f"/bao-cao/xuat/{made.pk}/"
        return made

    return run


@pytest.fixture
def chief(client, setting):
    user = officer(Role.PROVINCE_OFFICER, setting[0].province)
    login_verified(client, user)
    return user


def test_unit_exports_carry_figures_rule_and_hash(client, setting, chief, export):
    org = setting[0]
    xlsx = export(org, "xlsx")
    assert xlsx.status == ExportStatus.DONE and xlsx.progress == 100
    assert len(xlsx.content_hash) == 64
    status = client.get(
        f"/bao-cao/xuat/{xlsx.pk}/", HTTP_ACCEPT="application/json"
    ).json()
    assert status["status"] == "done" and status["download_url"]
    workbook = load_workbook(io.BytesIO(client.get(status["download_url"]).getvalue()))
    schools = list(workbook.worksheets[1].values)
    assert any("Trường Tiểu học Kim Đồng" in row for row in schools)
    report_sheet = " ".join(
        str(v) for row in workbook.worksheets[2].values for v in row
    )
    assert xlsx.content_hash in report_sheet

    csv_export = export(org, "csv")
    content = b"".join(client.get(f"/bao-cao/xuat/{csv_export.pk}/tai-ve/"))
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert "Trường Tiểu học Kim Đồng" in text and csv_export.content_hash in text
    assert csv_export.content_hash == xlsx.content_hash  # same figures, same hash

    pdf_export = export(org, "pdf")
    pdf = b"".join(client.get(f"/bao-cao/xuat/{pdf_export.pk}/tai-ve/"))
    pdf_text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert org.period.name in pdf_text
    assert pdf_export.content_hash in pdf_text.replace("\n", "")
    assert "80%" in pdf_text  # the rule applied
    assert "Asia/Ho_Chi_Minh" in pdf_text


def test_verify_page_says_match_then_mismatch(client, setting, chief, english, export):
    org, module, _school, _class, _teacher, pupils = setting
    made = export(org, "pdf")
    page = client.get(f"/bao-cao/kiem-tra/?ma={made.content_hash}")
    assert "The figures recomputed today match this report." in page.content.decode()
    take_quiz(pupils[1], module)  # the data changes
    page = client.get(f"/bao-cao/kiem-tra/?ma={made.content_hash}")
    assert "differ from this report" in page.content.decode()
    page = client.get("/bao-cao/kiem-tra/?ma=" + "0" * 64)
    assert "No export has this hash" in page.content.decode()


def test_exports_of_a_foreign_unit_are_404(client, setting, export):
    org = setting[0]
    commune_officer = officer(Role.UNIT_OFFICER, org.commune_a)
    client.force_login(commune_officer)
    response = client.post(
        "/bao-cao/xuat/",
        {"ky": org.period.pk, "don-vi": org.commune_b.pk, "format": "csv"},
    )
    assert response.status_code == 404
    own = export(org, "csv", unit=org.commune_a)
    other = officer(Role.UNIT_OFFICER, org.commune_b)
    client.force_login(other)
    assert client.get(f"/bao-cao/xuat/{own.pk}/").status_code == 404
    assert client.get(f"/bao-cao/xuat/{own.pk}/tai-ve/").status_code == 404
    page = client.get(f"/bao-cao/kiem-tra/?ma={own.content_hash}")
    assert "badge ok" not in page.content.decode()
