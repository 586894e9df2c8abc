"""A province's first school year, from an empty database with one platform admin.

The platform admin imports the province's units, schools and staff from
spreadsheets and opens the school year; the school administrator signs in with the
one-time password from the printed sheet, must choose a new one, creates a class,
imports its roster (two pupils share a name), prints consent slips and login cards
and records the returned slips; a pupil signs in with the card's password and
takes a quiz; the year rolls over and the pupil is in the next grade with their
history kept.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from tests.e2e.conftest import DESKTOP, PHONE, sign_in, totp_now
from tests.e2e.test_journeys import _quiz_through

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ADMIN_PASSWORD = "Quan-tri-Tay-Ninh-2026"
SCHOOL_ADMIN_PASSWORD = "Truong-Kim-Dong-2026"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(title: str, headings: list[str], rows: list[list]) -> bytes:
    """A sheet as provinces send them: a title row above the headings."""
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _after(text: str, marker: str) -> str:
    """The first word that follows ``marker`` in extracted PDF text."""
    return text.split(marker, 1)[1].split()[0]


def _download(page, click) -> bytes:
    with page.expect_download() as download:
        click()
    with open(download.value.path(), "rb") as file:
        return file.read()


def _import(page, server, journey, kind: str, name: str, content: bytes) -> None:
    """Upload one onboarding sheet in the CMS, look at the preview, import it."""
    page.goto(server.url + "/cms/nhap-du-lieu/")
    page.select_option("select[name=kind]", kind)
    page.set_input_files(
        "input[type=file]",
        files=[{"name": name, "mimeType": XLSX, "buffer": content}],
    )
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "/xem-truoc/" in page.url, page.url
    assert "Lỗi" not in page.locator("main").inner_text(), page.content()
    journey.shot(page, f"import-{kind}-preview")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    journey.shot(page, f"import-{kind}-done")


def _wagtail_save(page) -> None:
    """Press the CMS form's main button; a refused form stays on its own page."""
    with page.expect_navigation():
        page.locator("footer.footer button[type=submit]").first.click()
    assert "/new/" not in page.url, page.locator("main").inner_text()


def test_a_province_starts_from_nothing(browser, empty_server, journey):
    server = empty_server
    device = server.remote(
        "platform_admin_create", username="quantri", password=ADMIN_PASSWORD
    )

    # --- The platform admin: second factor, then the province's sheets. ---
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "quantri", ADMIN_PASSWORD)
    assert "/bao-mat/xac-minh/" in page.url, page.url
    page.fill(
        "input[name=token]", totp_now(device["key"], device["step"], device["digits"])
    )
    with page.expect_navigation():
        page.press("input[name=token]", "Enter")
    units = _xlsx(
        "DANH SÁCH ĐƠN VỊ HÀNH CHÍNH",
        ["Mã", "Tên", "Cấp", "Mã cấp trên"],
        [
            ["72", "Tỉnh Tây Ninh", "Tỉnh", ""],
            ["25459", "Phường Tân Ninh", "Phường", "72"],
            ["25480", "Xã Hòa Thành", "Xã", "72"],
        ],
    )
    _import(page, server, journey, "units", "don-vi.xlsx", units)
    schools = _xlsx(
        "DANH SÁCH TRƯỜNG",
        ["Mã trường", "Tên trường", "Loại hình", "Mã xã", "Địa chỉ"],
        [
            ["72001", "Trường Tiểu học Kim Đồng", "Tiểu học", "25459", "1 Đường A"],
            ["72002", "Trường THCS Hòa Thành", "THCS", "25480", "2 Đường B"],
        ],
    )
    _import(page, server, journey, "schools", "truong.xlsx", schools)
    staff = _xlsx(
        "DANH SÁCH CÁN BỘ, GIÁO VIÊN",
        ["Họ và tên", "Mã trường", "Vai trò", "Tên đăng nhập"],
        [
            ["Trần Thị Hoa", "72001", "Hiệu trưởng", "hoa.tran.kd"],
            ["Lê Văn Bình", "72001", "Giáo viên", "binh.le.kd"],
        ],
    )
    _import(page, server, journey, "staff", "can-bo.xlsx", staff)
    sheet = _pdf_text(
        _download(
            page, lambda: page.locator("main form button[type=submit]").first.click()
        )
    )
    assert "Trần Thị Hoa" in sheet and "binh.le.kd" in sheet, sheet
    one_time = _after(sheet, "hoa.tran.kd")

    # The school year, its terms copied into place by the next year later.
    page.goto(server.url + "/cms/organisation/school-years/new/")
    page.fill("#id_name", "2026-2027")
    page.fill("#id_starts_on", "2026-09-05")
    page.fill("#id_ends_on", "2027-05-31")
    _wagtail_save(page)
    page.goto(server.url + "/cms/organisation/periods/new/")
    page.select_option("#id_school_year", label="2026-2027")
    page.fill("#id_name", "Học kỳ I")
    page.fill("#id_starts_on", "2026-09-05")
    page.fill("#id_ends_on", "2027-01-15")
    _wagtail_save(page)
    journey.shot(page, "periods")
    admin_page = page  # stays signed in: a TOTP code is good once only

    # --- The school admin: one-time password, a new one, a class. ---
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "hoa.tran.kd", one_time)
    assert "/bao-mat/doi-mat-khau/" in page.url, page.url
    journey.check(page, "first-sign-in-new-password")
    page.fill("#id_old_password", one_time)
    page.fill("#id_new_password1", SCHOOL_ADMIN_PASSWORD)
    page.fill("#id_new_password2", SCHOOL_ADMIN_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/bao-mat/" not in page.url, page.url
    page.goto(server.url + "/cms/organisation/classes/new/")
    page.select_option("#id_school_year", label="2026-2027")
    page.fill("#id_name", "4A")
    page.fill("#id_grade", "4")
    teacher = page.locator("#id_homeroom_teacher option", has_text="Lê Văn Bình")
    page.select_option("#id_homeroom_teacher", teacher.first.get_attribute("value"))
    _wagtail_save(page)
    journey.shot(page, "class-created")

    # The class page: a roster with two pupils of the same name.
    page.goto(server.url + "/app/")
    with page.expect_navigation():
        page.locator("main a", has_text="4A").first.click()
    class_url = page.url
    class_id = int(re.search(r"/lop/(\d+)/", class_url).group(1))
    page.goto(f"{server.url}/lop/{class_id}/nhap-danh-sach/")
    names = ["Nguyễn Minh An", "Trần Bảo Ngọc", "Nguyễn Minh An"]
    roster = Workbook()
    roster.active.append(["STT", "Họ và tên"])
    for number, name in enumerate(names, start=1):
        roster.active.append([number, name])
    buffer = io.BytesIO()
    roster.save(buffer)
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "4a.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}],
    )
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    assert page.content().count("Nguyễn Minh An") >= 2
    journey.check(page, "roster-preview-same-names")
    with page.expect_navigation():
        page.locator("main form.inline-form button.primary").click()
    cards = _pdf_text(
        _download(page, lambda: page.locator("main form button.primary").first.click())
    )
    usernames = re.findall(r"\b[a-z]+\.[a-z]+\d+\b", cards)
    assert len(set(usernames)) == 3, cards  # namesakes get their own usernames
    pupil = next(u for u in usernames if u.startswith("ngoc"))
    pupil_password = _after(cards.split(pupil, 1)[1], "Mật khẩu")

    # Consent: the class page says who lacks it; slips printed; returns recorded.
    page.goto(class_url)
    assert "đồng ý" in page.locator("main").inner_text().lower()
    page.goto(f"{server.url}/lop/{class_id}/dong-y/")
    journey.check(page, "consent-needed")
    slips = _pdf_text(
        _download(page, lambda: page.locator("main form button.primary").first.click())
    )
    assert "Trần Bảo Ngọc" in slips and "91/2025" in slips, slips
    for box in page.locator("input[type=checkbox]").all():
        box.check()
    with page.expect_navigation():
        page.locator("main form.card button.primary").click()
    assert not page.locator("input[type=checkbox]").count()
    journey.check(page, "consent-recorded")

    # The teacher's module for the class.
    page.goto(f"{server.url}/lop/{class_id}/giao-bai/")
    select = page.locator("main select").first
    select.select_option(select.locator("option").nth(1).get_attribute("value"))
    with page.expect_navigation():
        page.locator("main form button.primary").first.click()
    context.close()

    # --- The pupil, on a phone, with the password from the card. ---
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, pupil, pupil_password)
    journey.check(page, "pupil-home")
    with page.expect_navigation():
        page.locator("main a[href^='/hoc/']").first.click()
    while "/phan/" in page.url:
        page.locator("main form.inline-form button.primary").click()
        page.wait_for_load_state()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/bai-kiem-tra/[0-9a-f-]{36}/$"))
    _quiz_through(page, journey, offline_at=-1, context=context)
    page.locator("#quiz-submit").click()
    page.wait_for_url(re.compile(r"ket-qua"), timeout=30000)
    context.close()
    before = server.remote("enrolments", username=pupil)
    assert before["attempts"] >= 1, before

    # --- August: the next year opens and the school rolls over. ---
    page = admin_page
    page.goto(server.url + "/cms/organisation/school-years/new/")
    page.fill("#id_name", "2027-2028")
    page.fill("#id_starts_on", "2027-09-05")
    page.fill("#id_ends_on", "2028-05-31")
    if page.locator("#id_copy_periods").count():
        page.check("#id_copy_periods")
    _wagtail_save(page)

    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "hoa.tran.kd", SCHOOL_ADMIN_PASSWORD)
    page.goto(server.url + "/app/")
    with page.expect_navigation():
        page.locator("main a[href*='/nam-hoc-moi/']").first.click()
    journey.check(page, "rollover-preview")
    assert "5A" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("main form button.primary").first.click()
    journey.check(page, "rollover-done")
    context.close()
    admin_page.context.close()

    after = server.remote("enrolments", username=pupil)
    assert ["2027-2028", "5A", 5, True] in after["classes"], after
    assert ["2026-2027", "4A", 4, True] in after["classes"] or [
        "2026-2027",
        "4A",
        4,
        False,
    ] in after["classes"], after
    assert after["attempts"] == before["attempts"]  # history kept
