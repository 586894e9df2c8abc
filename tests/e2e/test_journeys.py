"""Browser journeys of every role against the live server (tests/e2e/conftest.py).

Each journey is what a real person does, on a real Chromium, and each screen it
visits is screenshotted into test-artifacts/screenshots/<journey>/ and checked
with axe-core. Screens of features that have not landed yet skip with
"feature not landed: <url>".
"""

from __future__ import annotations

import io
import re
import secrets
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, sign_in, totp_now

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
        # The pupil reads the feedback before moving on (or, with no network,
        # sees the answer is waiting): "Check" then hides and "Next" moves
        # into its place, so a tap before that lands on nothing.
        question = section.get_attribute("data-question-id")
        page.wait_for_function(
            "(id) => !document.getElementById('question-' + id + '-feedback').hidden"
            " || document.getElementById('save-status').classList.contains('offline')",
            arg=question,
            timeout=20000,
        )
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
                "k.startsWith('outbox:') && k.includes(':quiz-')).length"
            )
            assert pending == 1, "the offline answer is not kept on the device"
            assert page.locator("#save-status").inner_text().strip()
            journey.shot(page, "offline-answer-pending")
            context.set_offline(False)
            page.wait_for_function(
                "() => !Object.keys(localStorage).some(k => "
                "k.startsWith('outbox:') && k.includes(':quiz-'))",
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
    journey.every_violation = True  # a pupil's screens: not one axe finding
    card = server.remote("pupil_new", display_name="Trần Thị Bé Na")
    assigned = server.remote("module_assign", pupil=card["username"])
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()

    # Sign in with the login card's QR code (its URL), then sign out.
    page.goto(f"{server.url}/dang-nhap/the/{card['card_key']}/")
    page.wait_for_load_state()
    assert "/app/" in page.url, page.url
    journey.check(page, "signed-in-by-qr")
    # The home stores the pupil's lessons on the phone in the background; its
    # requests would set the session cookie again after it is cleared.
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-offline-bundle]');"
        " return !c || ['saved', 'none', 'full', 'failed']"
        ".includes(c.dataset.state); }",
        timeout=90000,
    )
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

    page.goto(server.url + "/chung-nhan/cua-em/")
    journey.check(page, "my-certificates")
    if progress["status"] == "passed":
        assert assigned["title"] in page.content()
    context.close()


def _roster_xlsx(names: list[str], *, first_number: int = 1) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Họ và tên"])
    for number, name in enumerate(names, start=first_number):
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
                # New pupils join after the class's existing roster numbers
                # (a number already held by another child is refused).
                "buffer": _roster_xlsx(names, first_number=101),
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


def _export(page, server, fmt: str) -> bytes:
    """Ask for the dashboard's evidence export in ``fmt``; wait; download it."""
    with page.expect_navigation():
        page.locator(f"form.report-export-form button[value={fmt}]").click()
    assert "/bao-cao/xuat/" in page.url, page.url
    page.wait_for_selector("#export-download:not([hidden])", timeout=60000)
    href = page.locator("#export-download a").get_attribute("href")
    response = page.request.get(server.url + href)
    assert response.status == 200, (fmt, response.status)
    return response.body()


def test_school_admin_and_province_officer(browser, e2e_server, journey):
    server = e2e_server
    school_id = server.remote("class_of", username="qt.demo")["school_id"]
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "qt.demo")
    journey.check(page, "school-admin-home")
    page.goto(f"{server.url}/truong/{school_id}/dong-y/")
    journey.check(page, "consent-overview")
    report = f"{server.url}/truong/{school_id}/bao-cao/"
    page.goto(report)
    status = page.locator("#status-heading .badge")
    assert "ok" not in status.get_attribute("class"), status.inner_text()
    journey.check(page, "school-report-before")

    # Every class gets a module and nine in ten pupils pass it: the school
    # turns "met" on its report.
    ran = server.remote("school_runs_programme", admin="qt.demo")
    assert ran["status"] == "met", ran
    page.goto(report)
    assert "ok" in status.get_attribute("class"), status.inner_text()
    journey.check(page, "school-report-met")
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
    page.goto(server.url + "/bao-cao/")
    # The school is no longer among the schools behind the target.
    behind = page.locator(f"main a[href^='/truong/{school_id}/bao-cao/']")
    assert behind.count() == 0, "a school that met the target is listed as behind"
    summary = page.locator("main li", has=page.locator("strong")).first.inner_text()
    met, total = map(int, re.search(r"\((\d+)/(\d+)\)", summary).groups())
    assert 1 <= met <= total, summary
    journey.check(page, "province-dashboard")

    # The evidence exports: a PDF with its content hash, and a spreadsheet.
    pdf = _export(page, server, "pdf")
    assert pdf.startswith(b"%PDF"), pdf[:20]
    assert page.locator("#export-state code").inner_text().strip()
    journey.check(page, "export-pdf-ready")
    page.go_back()
    page.wait_for_load_state()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_export(page, server, "xlsx")), read_only=True)
    cells = {
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    assert ran["school"] in cells, "the school is missing from the spreadsheet"
    context.close()


def _live_join(page, server, pin: str) -> str:
    """Join the game with its PIN as a player does; return the name shown."""
    page.goto(server.url + "/choi/")
    page.fill("#live-pin", pin)
    with page.expect_navigation():
        page.press("#live-pin", "Enter")
    assert page.url.endswith(f"/choi/{pin}/"), page.url
    page.wait_for_function(
        "() => document.getElementById('live-me').textContent.trim() !== ''",
        timeout=20000,
    )
    return page.locator("#live-me").inner_text().split("·")[0].strip()


def _live_answer(page, index: int) -> None:
    """Tap the first tile of question ``index`` (1-based on screen)."""
    page.wait_for_function(
        "(n) => { const h = document.getElementById('live-question-heading');"
        " const q = document.getElementById('live-question');"
        " return !q.hidden && h.textContent.includes(String(n))"
        " && document.querySelector('#live-tiles button:not([disabled])'); }",
        arg=index,
        timeout=20000,
    )
    page.locator("#live-tiles button").first.click()
    page.wait_for_selector("#live-tiles button.chosen")


def test_live_quiz(browser, e2e_server, journey):
    server = e2e_server
    pupils = [
        server.remote("pupil_new", display_name=name)
        for name in ("Hồ Bảo Ngọc", "Lý Quốc Huy")
    ]
    assigned = server.remote("module_assign", pupil=pupils[0]["username"])

    # The teacher opens a live game of the module's quiz on the projector computer.
    host = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    host_page = host.new_page()
    host_page.on("dialog", lambda dialog: dialog.accept())
    sign_in(host_page, server, "gv.demo")
    host_page.goto(server.url + "/choi/tao/")
    journey.check(host_page, "host-quiz-list")
    host_page.locator(f"a[href$='/choi/tao/{assigned['quiz_id']}/']").click()
    host_page.wait_for_load_state()
    journey.check(host_page, "host-settings")
    with host_page.expect_navigation():
        host_page.locator("main form button[type=submit]").click()
    session_id = int(re.search(r"/choi/dieu-khien/(\d+)/", host_page.url).group(1))
    pin = host_page.locator("#live-pin").inner_text().strip()
    assert re.fullmatch(r"\d{6}", pin), pin
    journey.check(host_page, "host-lobby")

    # Two signed-in pupils and a parent (a guest) join from their phones.
    players = []
    for number, card in enumerate([*pupils, None]):
        context = browser.new_context(viewport=PHONE, locale="vi-VN")
        page = context.new_page()
        if card is not None:
            sign_in(page, server, card["username"], card["password"])
        name = _live_join(page, server, pin)
        if number == 0:
            journey.check(page, "player-waiting")
        players.append({"context": context, "page": page, "name": name})
    assert players[0]["name"] == "Hồ Bảo Ngọc", players[0]["name"]
    guest = players[2]
    assert guest["name"] and guest["name"] not in ("Hồ Bảo Ngọc", "Lý Quốc Huy")
    host_page.wait_for_function(
        "() => document.querySelectorAll('#live-roster li').length === 3",
        timeout=20000,
    )
    roster = host_page.locator("#live-roster").inner_text()
    for player in players:
        assert player["name"] in roster, (player["name"], roster)
    journey.check(host_page, "host-lobby-three-players")

    projector = host.new_page()
    projector.goto(f"{server.url}/choi/trinh-chieu/{session_id}/")
    host_page.locator("[data-command=start]").click()
    game = server.remote("live_game", session_id=session_id)
    count = game["questions"]
    assert count >= 2, game
    projector.wait_for_selector("#live-stage:not([hidden])")
    journey.check(projector, "projector-question")

    for index in range(1, count + 1):
        for number, player in enumerate(players):
            if number == 2 and index == 2:
                # The guest's phone locks mid-game: the page is gone; opening the
                # game again brings back the same seat, points and question.
                before = player["page"].locator("#live-me").inner_text()
                player["page"].close()
                player["page"] = player["context"].new_page()
                player["page"].goto(f"{server.url}/choi/{pin}/")
                player["page"].wait_for_function(
                    "(before) => document.getElementById('live-me').textContent"
                    " === before",
                    arg=before,
                    timeout=20000,
                )
                journey.shot(player["page"], "guest-rejoined-same-seat")
            _live_answer(player["page"], index)
            if number == 0 and index == 1:
                journey.check(player["page"], "player-answered")
        # Everyone answered: the results show by themselves.
        host_page.wait_for_function(
            "() => document.body.dataset.phase === 'results'", timeout=20000
        )
        if index == 1:
            journey.check(host_page, "host-results")
            players[0]["page"].wait_for_selector("#live-result:not([hidden])")
            journey.check(players[0]["page"], "player-result")
        host_page.locator("[data-command=next]").click()
    host_page.wait_for_function(
        "() => document.body.dataset.phase === 'ended'", timeout=20000
    )
    journey.check(host_page, "host-ended")

    game = server.remote("live_game", session_id=session_id)
    assert game["phase"] == "ended"
    seats = [p for p in game["players"] if not p["removed"]]
    assert len(seats) == 3, seats  # the rejoin took the same seat, not a new one
    assert all(p["answered"] == count for p in seats), seats
    # The signed-in pupils' answers became quiz attempts and count as progress.
    host_page.wait_for_function(
        "() => /\\d/.test(document.getElementById('live-status').textContent)",
        timeout=30000,
    )
    game = server.remote("live_game", session_id=session_id)
    assert set(game["attempts"]) == {card["username"] for card in pupils}, game
    assert set(game["attempts"].values()) == {"submitted"}, game
    for card in pupils:
        progress = server.remote(
            "progress", username=card["username"], module_id=assigned["module_id"]
        )
        assert progress["status"] is not None, (card["username"], progress)

    # The post-game report and its spreadsheet.
    host_page.goto(f"{server.url}/choi/bao-cao/{session_id}/")
    for player in players:
        assert player["name"] in host_page.content()
    journey.check(host_page, "report")
    response = host_page.request.get(f"{server.url}/choi/bao-cao/{session_id}/xlsx/")
    assert response.status == 200
    assert "spreadsheet" in response.headers["content-type"]
    for player in players:
        player["context"].close()
    host.close()


def test_live_quiz_survives_a_server_restart(browser, e2e_server, journey):
    """The server dies mid-question (a power cut, an update): no answer is lost,
    every screen finds its seat again by itself, and the game goes on."""
    server = e2e_server
    pupil = server.remote("pupil_new", display_name="Đinh Thảo Vy")
    assigned = server.remote("module_assign", pupil=pupil["username"])
    host = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    host_page = host.new_page()
    sign_in(host_page, server, "gv.demo")
    host_page.goto(f"{server.url}/choi/tao/{assigned['quiz_id']}/")
    host_page.fill("#id_seconds_per_question", "60")
    with host_page.expect_navigation():
        host_page.locator("main form button[type=submit]").click()
    session_id = int(re.search(r"/choi/dieu-khien/(\d+)/", host_page.url).group(1))
    pin = host_page.locator("#live-pin").inner_text().strip()
    phones = []
    for card in (pupil, None):  # a pupil and a parent (a guest)
        page = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
        if card is not None:
            sign_in(page, server, card["username"], card["password"])
        _live_join(page, server, pin)
        phones.append(page)
    pupil_page, guest_page = phones
    host_page.wait_for_function(
        "() => document.querySelectorAll('#live-roster li').length === 2",
        timeout=20000,
    )
    host_page.locator("[data-command=start]").click()
    _live_answer(pupil_page, 1)
    for _ in range(40):  # the pupil's answer is stored before the server dies
        game = server.remote("live_game", session_id=session_id)
        if game["players"][0]["answered"] == 1:
            break
        time.sleep(0.25)
    assert game["players"][0]["answered"] == 1, game
    points_before = pupil_page.locator("#live-me").inner_text()

    server.stop(kill=True)
    guest_page.wait_for_function(
        "() => document.getElementById('live-status').textContent.includes('…')",
        timeout=20000,
    )
    journey.shot(guest_page, "guest-server-gone")
    _live_answer(guest_page, 1)  # tapped while the server is down
    server.start()

    # Every screen reconnects by itself; the guest's answer is sent again and
    # counted, so everyone has answered and the results show by themselves.
    # (A loaded CI machine may take half a minute to start the server again.)
    host_page.wait_for_function(
        "() => document.body.dataset.phase === 'results'", timeout=55000
    )
    for page in phones:
        page.wait_for_selector("#live-result:not([hidden])", timeout=55000)
    journey.check(guest_page, "guest-result-after-restart")
    game = server.remote("live_game", session_id=session_id)
    # The restart neither lost nor reset the pupil's points: the screen shows the
    # server's score (the results of the question may already have added to it).
    shown = pupil_page.locator("#live-me").inner_text()
    assert shown.endswith(f": {game['players'][0]['score']}"), (shown, game)
    assert shown.split(":")[0] == points_before.split(":")[0]
    assert [p["answered"] for p in game["players"]] == [1, 1], game
    assert game["players"][0]["username"] == pupil["username"], game
    host.close()
    for page in phones:
        page.context.close()


def _wagtail_action(page, button: str) -> None:
    """Open the editor's footer action menu and press ``button`` in it.

    On a loaded machine the page Wagtail answers with comes well after the
    first navigation: callers wait for the outcome (``_saved_page_id``).
    """
    page.locator("footer .w-dropdown-button .w-dropdown__toggle").first.click()
    with page.expect_navigation(timeout=90000):
        page.locator(button).click()


def _saved_page_id(server, page, title: str, *, workflow: str) -> int:
    """Wait (on a loaded machine, a while) until the page titled ``title`` is
    saved with its latest review in ``workflow``; return its id."""
    deadline = time.monotonic() + 90
    while True:
        page_id = server.remote("page_with_title", title=title)["id"]
        state = page_id and server.remote("page_state", page_id=page_id)
        if state and state["workflow"] == workflow:
            return page_id
        if time.monotonic() > deadline:
            messages = page.locator(".messages li").all_inner_texts()
            errors = page.locator(".error-message").all_inner_texts()
            page.screenshot(path=str(ARTIFACTS / "editor-refused.png"), full_page=True)
            raise AssertionError((page.url, state, messages, errors))
        time.sleep(1)


def _write_module(page, server, catalogue: dict, title: str) -> None:
    """Open Wagtail's "add a module" form and fill it as an editor does."""
    page.goto(f"{server.url}/cms/pages/add/content_cms/modulepage/{catalogue['id']}/")
    page.fill("#id_title", title)
    page.fill("#id_summary", "Em tạo mật khẩu mạnh và giữ bí mật.")
    # Wagtail's script makes the address (slug) from the title as it loses the
    # focus; on a loaded machine it may not have run yet when the form is sent.
    page.wait_for_function("() => document.getElementById('id_slug').value !== ''")
    page.select_option("#id_age_bands", label=catalogue["age_band"])
    # The topic is a shared snippet, picked in Wagtail's chooser.
    page.locator("#id_topic-chooser [data-chooser-action-choose]").first.click()
    page.locator(".modal a[data-chooser-modal-choice]").first.click()
    page.wait_for_function("() => document.getElementById('id_topic').value !== ''")
    # One lesson section with a paragraph of text.
    page.locator("#lessons-root .c-sf-add-button").first.click()
    page.fill("[name='lessons-0-value-title']", "Mật khẩu mạnh là gì?")
    inner = "#lessons-root [data-streamfield-child] .c-sf-add-button"
    # On a loaded machine the first click can land before the block menu's
    # script is ready: click again until the menu opens.
    for _ in range(5):
        page.locator(inner).first.click()
        try:
            page.locator("[role=option]").first.wait_for(timeout=6000)
            break
        except PlaywrightTimeoutError:
            continue
    page.locator("[role=option]").first.click()
    page.locator("#lessons-root .public-DraftEditor-content").first.click()
    page.keyboard.type("Mật khẩu mạnh dài, khó đoán và chỉ em biết.")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#lessons-root input[type=hidden]')]"
        ".some(i => i.value.includes('khó đoán'))"
    )


def test_editor_and_reviewer(browser, e2e_server, journey):
    """An editor writes a module in Wagtail; a reviewer approves; pupils see it."""
    server = e2e_server
    catalogue = server.remote("catalogue_page")
    title = f"Mật khẩu mạnh {secrets.token_hex(2)}"
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "bientap")
    _write_module(page, server, catalogue, title)
    journey.shot(page, "editor-writes-module")
    _wagtail_action(page, "button[name=action-submit]")
    # What counts is what the server saved: the page, with its review started.
    page_id = _saved_page_id(server, page, title, workflow="in_progress")
    journey.shot(page, "editor-submitted-for-review")
    state = server.remote("page_state", page_id=page_id)
    assert state == {"live": False, "workflow": "in_progress"}, state
    context.close()

    # The reviewer finds it waiting on the dashboard and approves it.
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "duyet")
    page.goto(server.url + "/cms/")
    assert title in page.content(), "the module is not waiting for review"
    journey.shot(page, "reviewer-dashboard")
    page.goto(f"{server.url}/cms/pages/{page_id}/edit/")
    # Plain "approve"; "approve with comment" opens a modal first.
    approve = "[data-workflow-action-name=approve]"
    _wagtail_action(page, f"{approve}:not([data-workflow-action-modal-url])")
    assert _saved_page_id(server, page, title, workflow="approved") == page_id
    journey.shot(page, "reviewer-approved")
    state = server.remote("page_state", page_id=page_id)
    assert state == {"live": True, "workflow": "approved"}, state
    context.close()

    # A pupil of that age finds the published module in the catalogue.
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "hs.demo", "meo-xanh-24")
    page.goto(f"{server.url}{catalogue['url']}?q={title.split()[-1]}")
    page.locator("main a", has_text=title).first.click()
    page.wait_for_load_state()
    assert "Mật khẩu mạnh là gì?" in page.content()
    journey.check(page, "pupil-sees-published-module")
    context.close()


# Wagtail's background save (autosave) answers 5 s late, as on a slow connection;
# the page counts the background saves sent and answered.
SLOW_BACKGROUND_SAVES = """
window.backgroundSaves = {sent: 0, answered: 0};
const sendNow = window.fetch;
window.fetch = function (input, init) {
  const url = String(input && input.url ? input.url : input);
  const accept = init && init.headers && init.headers.Accept;
  const post = init && String(init.method || "").toUpperCase() === "POST";
  if (!(post && accept === "application/json" && url.includes("/cms/pages/"))) {
    return sendNow.apply(this, arguments);
  }
  window.backgroundSaves.sent += 1;
  return sendNow.call(this, input, init).then((answer) => new Promise((resolve) => {
    setTimeout(() => { window.backgroundSaves.answered += 1; resolve(answer); }, 5000);
  }));
};
"""


def test_editor_submits_while_a_background_save_is_on_its_way(
    browser, e2e_server, journey
):
    """On a slow connection, an editor presses "submit for review" while Wagtail's
    background save of the new module is still on its way. The module is saved
    once and goes to review; the editor is not told its address is taken."""
    server = e2e_server
    catalogue = server.remote("catalogue_page")
    title = f"Mật khẩu mạnh {secrets.token_hex(2)}"
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.add_init_script(SLOW_BACKGROUND_SAVES)
    sign_in(page, server, "bientap")
    _write_module(page, server, catalogue, title)
    # The last change's background save has left and not yet been answered.
    page.wait_for_function(
        "() => backgroundSaves.sent > 0"
        " && backgroundSaves.answered < backgroundSaves.sent",
        timeout=20000,
    )
    _wagtail_action(page, "button[name=action-submit]")
    page_id = _saved_page_id(server, page, title, workflow="in_progress")
    journey.check(page, "editor-submitted-during-background-save")
    assert page.locator(".error-message").all_inner_texts() == []
    assert server.remote("page_with_title", title=title) == {"id": page_id, "count": 1}
    assert server.remote("page_state", page_id=page_id) == {
        "live": False,
        "workflow": "in_progress",
    }
    context.close()
