"""Two pupils on one phone, and a phone that is full (common/static/common/offline.js
and sw.js, common/pwa.py's OfflineSenderMiddleware).

A pupil who signs out leaves nothing the next pupil can read (their stored
pages go), and what they left waiting stays theirs: never counted, shown or sent
for the next pupil, and delivered to their own quiz attempt when they sign in
again. A phone that refuses to store says so plainly, and the lesson still opens
online.

Run one file at a time: ``pytest tests/e2e/test_shared_phone.py -p no:randomly``.
"""

from __future__ import annotations

import re
import time

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tests.e2e.conftest import PHONE, sign_in
from tests.e2e.test_journeys import _answer_visible_question
from tests.e2e.test_offline import _store_modules

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SIGN_OUT = "header form[data-sign-out] button"


def _vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def _counted(singular: str, plural: str, count: int) -> str:
    with translation.override("vi"):
        return ngettext(singular, plural, count) % {"count": count}


def _device(page, user_id: str) -> dict:
    """What the phone holds for ``user_id``: stored pages, waiting things."""
    return page.evaluate(
        """async (user) => {
          const meta = await caches.open('offline-meta');
          const known = await meta.match('/__offline/user');
          const outbox = await (await caches.open('outbox')).keys();
          let answers = 0;
          for (let i = 0; i < localStorage.length; i++) {
            const key = localStorage.key(i);
            if (key.startsWith('outbox:' + user + ':')) {
              answers += (JSON.parse(localStorage.getItem(key)).items || []).length;
            }
          }
          return {
            pages: await caches.has('pages-' + user),
            known: known ? String((await known.json()).id) : '',
            steps: outbox.filter(r => r.url.includes('/outbox/' + user + '/')).length,
            answers: answers,
          };
        }""",
        user_id,
    )


def _wait_nothing_waiting(page) -> None:
    page.wait_for_function(
        "() => { const s = document.querySelector('#offline-status');"
        " return !s || s.hidden; }",
        timeout=60000,
    )


def test_two_pupils_on_one_phone_keep_their_own_pages_and_answers(browser, e2e_server):
    server = e2e_server
    mai = server.remote("pupil_new", display_name="Võ Ngọc Lan")
    nam = server.remote("pupil_new", display_name="Quàng Văn Nam")
    assigned = server.remote("module_assign", pupil=mai["username"])  # their class
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()

    # Lan stores her modules, then reads and answers with the network cut.
    sign_in(page, server, mai["username"], mai["password"])
    _store_modules(page, server)
    mai_id = page.get_attribute("body", "data-user")
    assert "Võ Ngọc Lan" in page.inner_text("h1")
    context.set_offline(True)
    page.goto(f"{server.url}/hoc/{assigned['module_id']}/")
    sections = 0
    while "/phan/" in page.url:
        sections += 1
        with page.expect_navigation():
            page.locator("main form.inline-form button.primary").click()
    status = page.locator("#offline-status")
    status.wait_for(state="visible")
    # Counted in the right plural form ("1 lesson part read", never "1 ... parts").
    parts = _counted(
        "%(count)s lesson part read", "%(count)s lesson parts read", sections
    )
    assert parts in status.inner_text()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    attempt_url = page.url
    page.wait_for_selector("#quiz-form:not([hidden])")
    _answer_visible_question(page).locator("[data-action=next]").click()
    page.wait_for_function(
        "() => document.getElementById('save-status').classList.contains('offline')"
    )
    one_answer = _counted("%(count)s answer", "%(count)s answers", 1)
    page.wait_for_function(
        "(text) => document.querySelector('#offline-status').innerText.includes(text)",
        arg=one_answer,
    )

    # Signing out while things wait: warned first; without a network, not
    # signed out at all (the server must end the session), and nothing removed.
    page.click(SIGN_OUT)
    page.wait_for_function(
        "() => document.querySelector('#offline-status').dataset.state === 'warn'"
    )
    assert status.inner_text().strip() == _vi(
        "Some of your answers are not sent yet. If you sign out now, they stay on "
        "this phone and are sent the next time you sign in here. Press Sign out "
        "again to sign out."
    )
    page.click(SIGN_OUT)
    page.wait_for_function(
        "() => document.querySelector('#offline-status').dataset.state === 'offline'"
    )
    assert status.inner_text().strip() == _vi(
        "There is no network, so you are still signed in. Press Sign out again "
        "when the network is back."
    )
    assert page.url == attempt_url
    assert _device(page, mai_id) == {
        "pages": True,
        "known": mai_id,
        "steps": sections,
        "answers": 1,
    }

    # The network is back but the answers cannot get through (a weak line: the
    # server is busy); Lan, warned already, signs out anyway.
    def busy(route):
        route.fulfill(status=503, content_type="application/json", body="{}")

    context.route(re.compile(r".*/api/.*"), busy)
    context.set_offline(False)
    with page.expect_navigation(url=re.compile(r"/dang-nhap/")):
        page.click(SIGN_OUT)
    context.unroute(re.compile(r".*/api/.*"), busy)
    # Her stored pages are gone; what waits stays hers.
    assert _device(page, mai_id) == {
        "pages": False,
        "known": "",
        "steps": sections,
        "answers": 1,
    }
    assert server.remote("answers", username=mai["username"])["client_ids"] == []

    # Nam signs in on the same phone: none of Lan’s pages, counts or answers.
    sign_in(page, server, nam["username"], nam["password"])
    _store_modules(page, server)
    nam_id = page.get_attribute("body", "data-user")
    assert nam_id != mai_id
    assert "Quàng Văn Nam" in page.inner_text("h1")
    assert "Võ Ngọc" not in page.inner_text("main")
    _wait_nothing_waiting(page)
    assert server.remote("answers", username=nam["username"])["client_ids"] == []
    assert server.remote("answers", username=mai["username"])["client_ids"] == []
    # His copy for reading offline is his, not hers.
    context.set_offline(True)
    page.goto(server.url + "/app/")
    assert "Quàng Văn Nam" in page.inner_text("h1")
    assert "Võ Ngọc Lan" not in page.content()
    assert page.get_attribute("body", "data-user") == nam_id
    context.set_offline(False)
    page.goto(server.url + "/app/")
    with page.expect_navigation(url=re.compile(r"/dang-nhap/")):
        page.click(SIGN_OUT)  # nothing of his waits: no warning
    # His pages go (the phone's worker may have been refreshing one of them as
    # he signed out: it removes that copy too, a moment later).
    page.wait_for_function(
        "async (user) => !(await caches.has('pages-' + user))",
        arg=nam_id,
        timeout=10000,
    )

    # Lan signs in again: what she left is sent to her own attempt.
    sign_in(page, server, mai["username"], mai["password"])
    page.wait_for_function(
        "(user) => !Object.keys(localStorage)"
        ".some(k => k.startsWith('outbox:' + user + ':'))",
        arg=mai_id,
        timeout=60000,
    )
    _wait_nothing_waiting(page)
    # The attempt she answered is named (the phone refreshing her stored lessons
    # may start another), and the server is asked until it has her answer (a
    # loaded machine may still be writing it), for a minute at most.
    answered = re.search(r"/bai-kiem-tra/([0-9a-f-]{36})/", attempt_url).group(1)
    deadline = time.monotonic() + 60
    stored = server.remote("answers", username=mai["username"], attempt_id=answered)
    while not stored["client_ids"] and time.monotonic() < deadline:
        time.sleep(0.5)
        stored = server.remote("answers", username=mai["username"], attempt_id=answered)
    assert len(stored["client_ids"]) == 1, (answered, stored)
    assert server.remote("answers", username=nam["username"])["client_ids"] == []
    progress = server.remote(
        "progress", username=mai["username"], module_id=assigned["module_id"]
    )
    assert progress["status"] is not None
    assert _device(page, mai_id)["steps"] == 0
    context.close()


# The phone refuses every write to its storage (Cache API and localStorage).
STORAGE_FULL = """
(() => {
  const full = () => new DOMException('No space left.', 'QuotaExceededError');
  for (const name of ['put', 'add', 'addAll']) {
    Cache.prototype[name] = function () { return Promise.reject(full()); };
  }
  Storage.prototype.setItem = function () { throw full(); };
})();
"""


def test_a_full_phone_says_so_and_the_lesson_still_opens_online(browser, e2e_server):
    server = e2e_server
    card = server.remote("pupil_new", display_name="Đinh Thị Hoa")
    assigned = server.remote("module_assign", pupil=card["username"])
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    context.add_init_script(STORAGE_FULL)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, card["username"], card["password"])
    page.goto(server.url + "/app/")
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-offline-bundle]');"
        " return c && ['saved', 'full', 'failed'].includes(c.dataset.state); }",
        timeout=90000,
    )
    assert page.get_attribute("[data-offline-bundle]", "data-state") == "full"
    assert page.inner_text("[data-offline-line]").strip() == _vi(
        "This phone is full: your modules could not be saved. Ask an adult to "
        "free some space, then open this page again."
    )
    # Online, the lesson opens and goes on as always.
    page.goto(f"{server.url}/hoc/{assigned['module_id']}/")
    assert "/phan/0/" in page.url, page.url
    assert page.locator("main h1, main h2").first.is_visible()
    with page.expect_navigation():
        page.locator("main form.inline-form button.primary").click()
    assert "/phan/1/" in page.url or page.url.endswith("/bai-kiem-tra/"), page.url
    assert errors == []
    context.close()
