"""Target 2, as the people who carry it out use it: a child asks for help on a
phone; the school counsellor acknowledges and refers the case to the ward's
child-protection officer; the officer records what they did and closes it with
an outcome; the ward's measures move (its measures page, its programme
dashboard, its evidence export and the officer's own measures), and never show
the child's name."""

from __future__ import annotations

import io
import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SCHOOL = "Kim Đồng"
PUPIL_NAME = "Lý Thu Hằng"


def _measures(browser, server) -> dict[str, str]:
    """The ward officer's measures row for the demo school (header -> cell)."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "cb.xa")
    page.goto(server.url + "/tro-giup/thong-ke/")
    headers = [h.inner_text().strip() for h in page.locator("thead th").all()]
    row = page.locator("tbody tr", has_text=SCHOOL).first
    cells = [c.inner_text().strip() for c in row.locator("td").all()]
    content = page.content()
    context.close()
    assert PUPIL_NAME not in content
    return dict(zip(headers, cells, strict=False))


def _dashboard(browser, server, journey=None, label: str = "") -> dict[str, str]:
    """The ward's dashboard: target 2's row for the demo school (header -> cell)."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "cb.xa")
    page.goto(server.url + "/bao-cao/")
    table = page.locator("table.help-measures")
    headers = [h.inner_text().strip() for h in table.locator("thead th").all()]
    row = table.locator("tbody tr", has_text=SCHOOL).first
    cells = [row.locator("th").inner_text().strip()] + [
        c.inner_text().strip() for c in row.locator("td").all()
    ]
    content = page.content()
    if journey is not None:
        page.locator("#help-measures-heading").scroll_into_view_if_needed()
        journey.check(page, label)
    context.close()
    assert PUPIL_NAME not in content
    return dict(zip(headers, cells, strict=True))


def _export_xlsx(browser, server) -> list[tuple]:
    """The ward officer's evidence export (XLSX): every row of every sheet."""
    from openpyxl import load_workbook

    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "cb.xa")
    page.goto(server.url + "/bao-cao/")
    with page.expect_navigation():
        page.locator("form.report-export-form button[value=xlsx]").click()
    assert "/bao-cao/xuat/" in page.url, page.url
    page.wait_for_selector("#export-download:not([hidden])", timeout=60000)
    href = page.locator("#export-download a").get_attribute("href")
    response = page.request.get(server.url + href)
    assert response.status == 200, response.status
    content = response.body()
    context.close()
    book = load_workbook(io.BytesIO(content), read_only=True)
    # Target 2's sheet is the last one (after the report's own).
    help_rows = list(book.worksheets[-1].values)
    everything = [row for sheet in book.worksheets for row in sheet.values]
    assert PUPIL_NAME not in " ".join(map(str, everything))
    return help_rows


def _number(cell: str) -> int:
    return int(re.match(r"\d+", cell).group(0)) if re.match(r"\d+", cell) else 0


def test_a_child_who_asks_gets_help_and_the_ward_can_show_it(
    browser, e2e_server, journey
):
    server = e2e_server
    card = server.remote("pupil_new", display_name=PUPIL_NAME)
    before = _measures(browser, server)
    board_before = _dashboard(browser, server)

    # The child asks, on a phone.
    phone = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = phone.new_page()
    sign_in(page, server, card["username"], card["password"])
    page.goto(server.url + "/tro-giup/")
    journey.check(page, "ask")
    page.locator("label[for$='category_0']").click()
    page.fill("textarea[name=message]", "Có người lạ nhắn tin đòi ảnh của em.")
    with page.expect_navigation():
        page.locator("form.help-form button[type=submit]").click()
    match = re.search(r"/tro-giup/da-gui/(\d+)/", page.url)
    assert match, page.url
    request_id = int(match.group(1))
    assert "111" in page.content()
    journey.check(page, "sent")
    phone.close()

    # The counsellor acknowledges and refers the case to the ward's officer.
    desk = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    staff = desk.new_page()
    sign_in(staff, server, "tv.demo")
    staff.goto(f"{server.url}/tro-giup/yeu-cau/{request_id}/")
    assert PUPIL_NAME in staff.content()
    with staff.expect_navigation():
        staff.locator(
            "form:has(input[name=operation][value=acknowledge]) button"
        ).click()
    action = staff.locator("form:has(input[name=operation][value=action])")
    action.locator("select[name=kind]").select_option("talked")
    action.locator("textarea[name=note], input[name=note]").first.fill(
        "Đã nói chuyện với em; chuyển cán bộ bảo vệ trẻ em phường."
    )
    action.locator("select[name=referral]").select_option("commune_officer")
    ward = action.locator("select[name=unit] option", has_text="Tân Ninh").first
    action.locator("select[name=unit]").select_option(ward.get_attribute("value"))
    with staff.expect_navigation():
        action.locator("button[type=submit]").click()
    journey.check(staff, "counsellor-referred")
    desk.close()

    # The ward's child-protection officer sees the referral, acts and closes it.
    desk = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    officer = desk.new_page()
    sign_in(officer, server, "bvte.xa")
    officer.goto(server.url + "/tro-giup/hang-doi/")
    assert officer.locator(f"a[href$='/tro-giup/yeu-cau/{request_id}/']").count() == 1
    journey.check(officer, "ward-queue")
    officer.goto(f"{server.url}/tro-giup/yeu-cau/{request_id}/")
    assert "Có người lạ nhắn tin" not in officer.content()  # never the child's words
    action = officer.locator("form:has(input[name=operation][value=action])")
    action.locator("select[name=kind]").select_option("family")
    action.locator("textarea[name=note], input[name=note]").first.fill(
        "Đã gặp gia đình em."
    )
    with officer.expect_navigation():
        action.locator("button[type=submit]").click()
    status = officer.locator("form:has(input[name=operation][value=status])")
    status.locator("select[name=status]").select_option("closed")
    status.locator("select[name=outcome]").select_option("referred_supported")
    with officer.expect_navigation():
        status.locator("button[type=submit]").click()
    journey.check(officer, "ward-closed")
    desk.close()

    # The ward's measures moved; no name anywhere (checked in _measures).
    after = _measures(browser, server)
    moved = {
        header: (_number(before.get(header, "0")), _number(after[header]))
        for header in after
        if header != list(after)[0]
    }
    changes = [pair for pair in moved.values() if pair[1] == pair[0] + 1]
    assert len(changes) >= 3, (before, after)  # requests, referred, closed

    # The ward's programme dashboard shows target 2 beside target 1 (on a phone),
    # and it moved the same way.
    board = _dashboard(browser, server, journey, "ward-dashboard-target-2")
    columns = list(board)[1:]
    requests, acknowledged, _median, referred, closed, _open = columns
    assert _number(board[requests]) == _number(board_before[requests]) + 1
    assert _number(board[referred]) == _number(board_before[referred]) + 1
    assert _number(board[closed]) == _number(board_before[closed]) + 1

    # The evidence export carries the same numbers for the school.
    rows = _export_xlsx(browser, server)
    school = next(row for row in rows if row[0] and SCHOOL in str(row[0]))
    assert school[1] == _number(board[requests]), (school, board)
    assert school[5] == _number(board[referred]), (school, board)
    assert school[6] == _number(board[closed]), (school, board)

    # The ward's child-protection officer has the measures of what reached the
    # ward: the closed referral counts there too, without a name.
    desk = browser.new_context(viewport=PHONE, locale="vi-VN")
    officer = desk.new_page()
    sign_in(officer, server, "bvte.xa")
    officer.goto(server.url + "/tro-giup/thong-ke/")
    row = officer.locator("tbody tr", has_text=SCHOOL).first
    assert _number(row.locator("td").nth(1).inner_text()) >= 1
    assert PUPIL_NAME not in officer.content()
    assert_accessible(officer)
    desk.close()
