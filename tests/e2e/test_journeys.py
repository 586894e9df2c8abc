"""Browser journeys of every role against the live server (tests/e2e/conftest.py).

Each journey is what a real person does, on a real Chromium, and each screen it
visits is screenshotted into test-artifacts/screenshots/<journey>/ and checked
with axe-core. Screens of features that have not landed yet skip with
"feature not landed: <url>".
"""

from __future__ import annotations

import io
import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, sign_in, totp_now

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _answer_visible_question(page):
    """Answer the question on screen: the first choice, or move an item up."""
    section = page.locator("section.question[data-question-id]:not([hidden])")
    if section.locator("input[type=radio], input[type=checkbox]").count():
        section.locator(".choice label").first.click()
    else:
        section.locator("[data-move='1']").first.click()
    check = section.locator("[data-action=check]")
    if check.count() and check.is_visible():
        check.click()  # practice mode: "Check my answer" sends it
    return section


def _quiz_through(page, journey, *, offline_at: int, context) -> int:
    """Answer every question; drop the network while answering ``offline_at``."""
    page.wait_for_selector("#quiz-form:not([hidden])")
    total = page.locator("section.question[data-question-id]").count()
    for number in range(total):
        section = page.locator("section.question[data-question-id]:not([hidden])")
        if number == offline_at:
            context.set_offline(True)
            _answer_visible_question(page)
            section.locator("[data-action=next]").click()
            page.wait_for_function(
                "() => document.getElementById('save-status').classList"
                ".contains('offline')",
                timeout=20000,
            )
            pending = page.evaluate(
                "() => Object.keys(localStorage).filter(k => "
                "k.startsWith('quiz-pending:')).length"
            )
            assert pending == 1, "the offline answer is not kept on the device"
            assert page.locator("#save-status").inner_text().strip()
            journey.shot(page, "offline-answer-pending")
            context.set_offline(False)
            page.wait_for_function(
                "() => !Object.keys(localStorage).some(k => "
                "k.startsWith('quiz-pending:'))",
                timeout=45000,
            )
            journey.shot(page, "back-online-answer-sent")
            continue
        else:
            _answer_visible_question(page)
            if number == 0:
                journey.check(page, "quiz-question")
        section.locator("[data-action=next]").click()
    return total


def test_pupil_phone(browser, e2e_server, journey):
    server = e2e_server
    card = server.remote("pupil_new", display_name="Trần Thị Bé Na")
    assigned = server.remote("module_assign", pupil=card["username"])
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()

    # Sign in with the login card's QR code (its URL), then sign out.
    page.goto(f"{server.url}/dang-nhap/the/{card['card_key']}/")
    page.wait_for_load_state()
    assert "/app/" in page.url, page.url
    journey.check(page, "signed-in-by-qr")
    context.clear_cookies()

    # Sign in with the card's username and password.
    page.goto(server.url + "/dang-nhap/")
    journey.check(page, "sign-in")
    sign_in(page, server, card["username"], card["password"])
    assert "/app/" in page.url, page.url
    assert assigned["title"] in page.content()
    journey.check(page, "home-with-assignment")

    # Read every section of the module.
    page.goto(f"{server.url}/hoc/{assigned['module_id']}/")
    first = True
    while "/phan/" in page.url:
        if first:
            journey.check(page, "module-section")
            first = False
        page.locator("main form.inline-form button.primary").click()
        page.wait_for_load_state()
    assert "/bai-kiem-tra/" in page.url, page.url
    journey.check(page, "quiz-intro")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/bai-kiem-tra/[0-9a-f-]{36}/$"))

    total = _quiz_through(page, journey, offline_at=1, context=context)
    page.wait_for_load_state()
    # The last "Finish" shows a review step or submits; submit if asked.
    journey.check(page, "quiz-review")
    page.locator("#quiz-submit").click()
    page.wait_for_url(re.compile(r"ket-qua"), timeout=30000)
    journey.check(page, "quiz-result")

    stored = server.remote("answers", username=card["username"])
    assert stored["submitted"]
    assert len(stored["question_ids"]) == total == stored["questions"]
    assert len(set(stored["question_ids"])) == total, "duplicate answers"
    progress = server.remote(
        "progress", username=card["username"], module_id=assigned["module_id"]
    )
    assert progress["status"] in ("passed", "completed")
    page.goto(server.url + "/app/")
    journey.check(page, "home-after-module")

    if server.exists("/chung-nhan/cua-em/"):
        page.goto(server.url + "/chung-nhan/cua-em/")
        journey.check(page, "my-certificates")
        if progress["status"] == "passed":
            assert assigned["title"] in page.content()
    context.close()


def _roster_xlsx(names: list[str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Họ và tên"])
    for number, name in enumerate(names, start=1):
        sheet.append([number, name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_teacher(browser, e2e_server, journey):
    server = e2e_server
    class_id = server.remote("class_of", username="gv.demo")["class_id"]
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "gv.demo")
    journey.check(page, "teacher-home")

    # Import a roster: upload an XLSX, preview, confirm.
    page.goto(f"{server.url}/lop/{class_id}/nhap-danh-sach/")
    journey.check(page, "roster-upload")
    names = ["Lê Văn Tèo", "Phạm Thị Mai Anh", "Võ Minh Khôi"]
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "danh-sach.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet",
                "buffer": _roster_xlsx(names),
            }
        ],
    )
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    assert "xem-truoc" in page.url, page.url
    for name in names:
        assert name in page.content()
    journey.check(page, "roster-preview")
    with page.expect_navigation():
        page.locator("main form.inline-form button.primary").click()
    journey.check(page, "roster-created-cards")
    page.goto(f"{server.url}/lop/{class_id}/")
    for name in names:
        assert name in page.content()
    journey.check(page, "class-page")

    # Give a module to the class.
    page.goto(f"{server.url}/lop/{class_id}/giao-bai/")
    journey.check(page, "assign")
    select = page.locator("main select").first
    value = select.locator("option").nth(1).get_attribute("value")
    select.select_option(value)
    with page.expect_navigation():
        page.locator("main form button.primary").first.click()
    journey.check(page, "assigned")
    assert page.locator(".messages .message.success").count(), "no confirmation"

    # The class progress grid, updated live while a pupil finishes a module.
    server.need(f"/lop/{class_id}/tien-do/")
    page.goto(f"{server.url}/lop/{class_id}/tien-do/")
    journey.check(page, "class-progress")
    pupil = server.remote("pupil_new", display_name="Đỗ Gia Hân")
    assigned = server.remote("module_assign", pupil=pupil["username"])
    page.reload()
    row = page.locator("tr", has_text="Đỗ Gia Hân")
    before = row.inner_text()
    pupil_context = browser.new_context(viewport=PHONE, locale="vi-VN")
    pupil_page = pupil_context.new_page()
    sign_in(pupil_page, server, pupil["username"], pupil["password"])
    pupil_page.goto(f"{server.url}/hoc/{assigned['module_id']}/")
    while "/phan/" in pupil_page.url:
        pupil_page.locator("main form.inline-form button.primary").click()
        pupil_page.wait_for_load_state()
    pupil_page.locator("main form button[type=submit]").first.click()
    pupil_page.wait_for_url(re.compile(r"/bai-kiem-tra/[0-9a-f-]{36}/$"))
    _quiz_through(pupil_page, journey, offline_at=-1, context=pupil_context)
    pupil_page.locator("#quiz-submit").click()
    pupil_page.wait_for_url(re.compile(r"ket-qua"), timeout=30000)
    page.wait_for_function(
        "([name, before]) => { const r = [...document.querySelectorAll('tr')]"
        ".find(r => r.innerText.includes(name)); return r && r.innerText !== before; }",
        arg=["Đỗ Gia Hân", before],
        timeout=20000,
    )
    journey.check(page, "class-progress-updated-live")
    pupil_context.close()
    context.close()


def test_school_admin_and_province_officer(browser, e2e_server, journey):
    server = e2e_server
    school_id = server.remote("class_of", username="qt.demo")["school_id"]
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "qt.demo")
    journey.check(page, "school-admin-home")
    page.goto(f"{server.url}/truong/{school_id}/dong-y/")
    journey.check(page, "consent-overview")
    report = f"/truong/{school_id}/bao-cao/"
    if server.exists(report):
        page.goto(server.url + report)
        assert page.url.endswith(report), page.url
        journey.check(page, "school-report")
    context.close()

    # The province officer signs in with a second factor (TOTP).
    device = server.remote("totp_device", username="cb.tinh")
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "cb.tinh")
    assert "/bao-mat/xac-minh/" in page.url, page.url
    journey.check(page, "two-factor-verify")
    page.fill(
        "input[name=token]", totp_now(device["key"], device["step"], device["digits"])
    )
    with page.expect_navigation():
        page.press("input[name=token]", "Enter")
    assert "/bao-mat/" not in page.url, page.url
    journey.check(page, "officer-home")
    server.need("/bao-cao/")
    page.goto(server.url + "/bao-cao/")
    journey.check(page, "province-dashboard")
    # Every PDF / XLSX export linked from the dashboard downloads as such.
    hrefs = page.eval_on_selector_all(
        "main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    exports = [h for h in hrefs if re.search(r"pdf|xlsx", h)]
    for href in exports:
        response = page.request.get(server.url + href if href.startswith("/") else href)
        assert response.status == 200, (href, response.status)
        kind = response.headers.get("content-type", "")
        assert "pdf" in kind or "spreadsheet" in kind or "html" in kind, (href, kind)
    context.close()
