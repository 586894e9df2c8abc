"""Offline lessons on a phone: stored while online, read and answered with the
network cut, sent exactly once when it returns (lms/learning/offline.py,
common/static/common/sw.js and offline.js, quizzes/static/quizzes/attempt.js).

Run one file at a time: ``pytest tests/e2e/test_offline.py -p no:randomly``.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import PHONE, sign_in
from tests.e2e.test_journeys import _answer_visible_question

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _store_modules(page, server) -> None:
    page.goto(server.url + "/app/")
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-offline-bundle]');"
        " return c && ['saved', 'full', 'failed'].includes(c.dataset.state); }",
        timeout=90000,
    )
    state = page.get_attribute("[data-offline-bundle]", "data-state")
    assert state == "saved", page.inner_text("[data-offline-line]")


def _waiting(page) -> int:
    return page.evaluate(
        """async () => {
          const user = document.body.dataset.user;
          let count = 0;
          for (let i = 0; i < localStorage.length; i++) {
            const key = localStorage.key(i);
            if (key.startsWith('outbox:' + user + ':')) {
              const box = JSON.parse(localStorage.getItem(key));
              count += (box.items || []).length + (box.then ? 1 : 0);
            }
          }
          const cache = await caches.open('outbox');
          const keys = await cache.keys();
          const mine = keys.filter(r => r.url.includes('/outbox/' + user + '/'));
          return count + mine.length;
        }"""
    )


def test_a_module_read_and_answered_offline_reaches_the_teachers_grid(
    browser, e2e_server, journey
):
    server = e2e_server
    journey.every_violation = True
    card = server.remote("pupil_new", display_name="Lò Thị Mai")
    assigned = server.remote("module_assign", pupil=card["username"])
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, card["username"], card["password"])
    _store_modules(page, server)
    journey.check(page, "home-modules-saved")

    # The network goes before the module is opened.
    context.set_offline(True)
    page.goto(f"{server.url}/hoc/{assigned['module_id']}/")
    assert "/phan/0/" in page.url, page.url
    sections = 0
    while "/phan/" in page.url:
        sections += 1
        if sections == 1:
            journey.check(page, "offline-section")
        with page.expect_navigation():
            page.locator("main form.inline-form button.primary").click()
    assert page.url.endswith("/bai-kiem-tra/"), page.url
    status = page.locator("#offline-status")
    status.wait_for(state="visible")
    assert str(sections) in status.inner_text()
    journey.check(page, "offline-quiz-intro-waiting")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    shown = re.search(r"/bai-kiem-tra/([0-9a-f-]{36})/$", page.url)
    assert shown, page.url

    page.wait_for_selector("#quiz-form:not([hidden])")
    total = page.locator("section.question[data-question-id]").count()
    for _number in range(total):
        section = _answer_visible_question(page)
        section.locator("[data-action=next]").click()
    page.locator("#quiz-submit").click()
    page.wait_for_function(
        "() => document.getElementById('save-status').classList.contains('offline')"
    )
    assert _waiting(page) == sections + total + 1  # parts, answers, "finish"
    journey.shot(page, "offline-quiz-finished-waiting")

    # The network returns: everything is sent, once, and the result shows.
    context.set_offline(False)
    page.wait_for_url(re.compile(r"ket-qua"), timeout=60000)
    page.wait_for_function(
        "() => !document.querySelector('#offline-status') ||"
        " document.querySelector('#offline-status').hidden",
        timeout=60000,
    )
    # The result page may load while the phone still sends the last of what
    # waited (its script starts the sending again on every page): wait for the
    # server to have it all, as the pupil's screen does, rather than read once.
    # The attempt is named: once the phone is back, it refreshes its stored
    # lessons, which starts the next try when this one failed.
    deadline = time.monotonic() + 60
    stored = server.remote(
        "answers", username=card["username"], attempt_id=shown.group(1)
    )
    while not stored["submitted"] and time.monotonic() < deadline:
        time.sleep(0.5)
        stored = server.remote(
            "answers", username=card["username"], attempt_id=shown.group(1)
        )
    assert stored["submitted"], (shown.group(1), stored)
    assert len(stored["client_ids"]) == len(set(stored["client_ids"])) == total
    progress = server.remote(
        "progress", username=card["username"], module_id=assigned["module_id"]
    )
    assert progress["status"] in ("passed", "completed"), progress
    assert _waiting(page) == 0
    context.close()

    teacher = browser.new_context(viewport=PHONE, locale="vi-VN")
    grid = teacher.new_page()
    sign_in(grid, server, "gv.demo")
    grid.goto(f"{server.url}/lop/{assigned['class_id']}/tien-do/")
    row = grid.locator("tr", has_text="Lò Thị Mai")
    assert row.count() == 1
    assert re.search(r"\d+\s*%", row.inner_text()), row.inner_text()
    teacher.close()
