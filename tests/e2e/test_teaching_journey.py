"""A school turns "met" by the lessons its teacher records on a phone.

A fresh province (``empty_server``: the curriculum and nothing else) with one
primary school of two classes, 2A and 5A (``tests/e2e/remote_teaching.py``
makes them, with their teacher, pupils and a province officer). The officer
sets the period's rule on the rule screen: kindness for grades 1-2, kindness and
strangers for grades 3-5. The teacher records the lessons from each class's
page on a phone, in a few taps, each timed from opening the form to saved; a
lesson dated tomorrow is refused with the reason. While 5A has not covered
strangers the school is "in progress" and both dashboards say what is missing
in words; the last lesson turns it "met" on the school's page and the
province's.

Also here, on the same server: a pupil's practice quiz says how an answer went
once (the feedback box), not twice (the status line repeated it).
"""

from __future__ import annotations

import datetime
import json
import re
import time

import pytest

from tests.e2e.conftest import DESKTOP, _run, sign_in, totp_now

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

PHONE_390 = {"width": 390, "height": 844}
# The issue asks that recording a lesson takes about 30 seconds of a teacher's
# time. A browser taps at once, so what is timed is the pages and the server: the
# bound is the whole 30 s, generous on a loaded CI machine.
RECORDING_BOUND_SECONDS = 30


def _remote(server, command: str, **arguments) -> dict:
    out = _run(
        ["-m", "tests.e2e.remote_teaching", command, json.dumps(arguments)], server.env
    )
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def province(empty_server):
    return _remote(empty_server, "teaching_school")


def _officer_page(browser, server, province):
    """The province officer, signed in with the second factor, on a desktop."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, province["officer"])
    assert "/bao-mat/xac-minh/" in page.url, page.url
    totp = province["totp"]
    page.fill("input[name=token]", totp_now(totp["key"], totp["step"], totp["digits"]))
    with page.expect_navigation():
        page.press("input[name=token]", "Enter")
    assert "/bao-mat/" not in page.url, page.url
    return page


def _set_rule(page, server, province, journey) -> None:
    """The officer requires the three topics on the period's rule screen."""
    page.goto(f"{server.url}/bao-cao/?ky={province['period_id']}")
    with page.expect_navigation():
        page.locator(
            f"main a[href='/bao-cao/tieu-chi/{province['period_id']}/']"
        ).click()
    page.fill("#id_grade_from", "1")
    page.fill("#id_grade_to", "5")
    for row, required in enumerate(province["required"]):
        page.select_option(f"#id_chu-de-{row}-age_band", str(required["band_id"]))
        page.select_option(f"#id_chu-de-{row}-topic", str(required["topic_id"]))
    journey.check(page, "officer-rule-screen")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/bao-cao/tieu-chi/" not in page.url, page.locator("main").inner_text()
    assert page.locator(".messages .message.success").count(), "no confirmation"


def _school_report(page, server, province) -> tuple[str, list[str]]:
    """The school's page: its status badge's class and what is missing."""
    page.goto(
        f"{server.url}/truong/{province['school_id']}/bao-cao/?ky={province['period_id']}"
    )
    badge = page.locator("#status-heading .badge").get_attribute("class")
    missing = [
        text.strip()
        for text in page.locator("#missing-heading + ul li").all_inner_texts()
    ]
    return badge, missing


def _province_row(page, server, province, status: str = "behind"):
    """The school's row in the province's list of schools (``status`` filter)."""
    page.goto(
        f"{server.url}/bao-cao/?ky={province['period_id']}&trang-thai={status}"
        "#schools-heading"
    )
    return page.locator("table.report-schools tbody tr", has_text=province["school"])


def _missing_line(class_name: str, *topics: str) -> str:
    return f"Lớp {class_name}: chưa học chủ đề {', '.join(topics)}"


def _record_lesson(
    page, server, class_id: int, module_id: int, *, absent: int = 1, journey=None
) -> float:
    """From the class page: open the form, pick the module, tap the absent pupils,
    save. Return the seconds from the tap that opens the form to the saved page."""
    page.goto(f"{server.url}/lop/{class_id}/")
    record = page.locator(f"main a[href='/lop/{class_id}/buoi-hoc/moi/']")
    started = time.monotonic()
    with page.expect_navigation():
        record.click()
    page.select_option("#id_module", str(module_id))
    for row in range(absent):
        page.locator(".attendance-row").nth(row).click()
    if journey is not None:
        journey.check(page, "phone-record-lesson-form")
    with page.expect_navigation():
        page.locator("main form.teaching-form button[type=submit]").click()
    elapsed = time.monotonic() - started
    assert page.url.rstrip("/").endswith(f"/lop/{class_id}"), page.url
    assert page.locator(".messages .message.success").count(), page.content()
    return elapsed


def test_lessons_recorded_on_a_phone_make_the_school_met(
    browser, empty_server, province, journey
):
    server = empty_server
    kindness_12, kindness_35, strangers_35 = province["required"]
    class_2a, class_5a = province["classes"]["2A"], province["classes"]["5A"]

    officer = _officer_page(browser, server, province)
    _set_rule(officer, server, province, journey)
    badge, missing = _school_report(officer, server, province)
    assert "ok" not in badge
    assert missing == [
        _missing_line("2A", kindness_12["topic"]),
        _missing_line("5A", kindness_35["topic"], strangers_35["topic"]),
    ], missing

    # The teacher, on a phone, records 2A's lesson from the class page.
    teacher = browser.new_context(viewport=PHONE_390, locale="vi-VN").new_page()
    sign_in(teacher, server, province["teacher"])
    with teacher.expect_navigation():
        teacher.locator(f"main a[href='/lop/{class_2a}/']").first.click()
    journey.check(teacher, "phone-class-page")
    seconds = [
        _record_lesson(
            teacher, server, class_2a, kindness_12["module_id"], journey=journey
        )
    ]
    journey.check(teacher, "phone-lesson-recorded")

    # A lesson dated tomorrow is refused with the reason, and nothing is written.
    tomorrow = datetime.date.fromisoformat(province["today"]) + datetime.timedelta(1)
    teacher.goto(f"{server.url}/lop/{class_5a}/buoi-hoc/moi/")
    teacher.fill("#id_taught_on", tomorrow.isoformat())
    teacher.select_option("#id_module", str(kindness_35["module_id"]))
    with teacher.expect_navigation():
        teacher.locator("main form.teaching-form button[type=submit]").click()
    error = teacher.locator("#taught-on-error").inner_text()
    assert error == (
        f"Ngày {tomorrow:%d/%m/%Y} chưa đến: chỉ ghi lại sau khi đã diễn ra."
    ), error
    journey.check(teacher, "phone-future-date-refused")
    assert len(_remote(server, "school_status", **_ids(province))["lessons"]) == 1

    seconds.append(
        _record_lesson(teacher, server, class_5a, kindness_35["module_id"], absent=0)
    )

    # One required topic of one class is still uncovered: not met, and both
    # dashboards say so in words.
    badge, missing = _school_report(officer, server, province)
    assert "warn" in badge, badge  # in progress
    assert missing == [_missing_line("5A", strangers_35["topic"])], missing
    journey.check(officer, "school-report-one-topic-missing")
    row = _province_row(officer, server, province)
    assert row.count() == 1, "the school is not listed as behind"
    assert _missing_line("5A", strangers_35["topic"]) in row.inner_text()
    journey.check(officer, "province-dashboard-school-behind")

    # The last lesson: 5A on strangers.
    seconds.append(
        _record_lesson(teacher, server, class_5a, strangers_35["module_id"], absent=2)
    )
    stored = _remote(server, "school_status", **_ids(province))
    assert stored["status"] == "met", stored
    attendance = [(s["class"], s["present"], s["pupils"]) for s in stored["lessons"]]
    assert attendance == [("2A", 2, 3), ("5A", 4, 4), ("5A", 2, 4)], attendance
    assert {lesson["minutes"] for lesson in stored["lessons"]} == {45}
    assert {lesson["taught_on"] for lesson in stored["lessons"]} == {province["today"]}

    badge, missing = _school_report(officer, server, province)
    assert "ok" in badge, badge
    assert missing == []
    assert "Tất cả các lớp đã học đủ các chủ đề bắt buộc." in officer.content()
    journey.check(officer, "school-report-met")
    assert _province_row(officer, server, province).count() == 0
    row = _province_row(officer, server, province, status="met")
    assert row.count() == 1, "the school is not listed as met"
    assert "ok" in row.locator(".badge").first.get_attribute("class")
    journey.check(officer, "province-dashboard-school-met")

    assert max(seconds) < RECORDING_BOUND_SECONDS, seconds
    print(f"recording a lesson took {', '.join(f'{s:.1f}' for s in seconds)} s")
    officer.context.close()
    teacher.context.close()


def _ids(province) -> dict:
    return {"school_id": province["school_id"], "period_id": province["period_id"]}


def test_a_practice_answer_is_told_once(browser, empty_server, province, journey):
    """Check an answer in a practice quiz: the feedback box says how it went;
    the status line above does not say it again."""
    server = empty_server
    pupil = province["pupils"]["5A"][0]
    module_id = province["required"][1]["module_id"]
    context = browser.new_context(viewport=PHONE_390, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, pupil["username"], pupil["password"])
    page.goto(f"{server.url}/hoc/{module_id}/bai-kiem-tra/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/bai-kiem-tra/[0-9a-f-]{36}/$"))
    page.wait_for_selector("#quiz-form:not([hidden])")
    section = page.locator("section.question[data-question-id]:not([hidden])")
    if section.locator("input[type=radio], input[type=checkbox]").count():
        section.locator(".choice label").first.click()
    else:
        section.locator("[data-move='1']").first.click()
    section.locator("[data-action=check]").click()
    box = section.locator(".feedback:not([hidden])")
    box.wait_for()
    title = box.locator(".feedback-title").inner_text().strip()
    assert title
    page.wait_for_function(
        "() => !document.getElementById('save-status').textContent.includes('…')"
    )
    status = page.locator("#save-status").inner_text().strip()
    assert title not in status, (title, status)
    assert page.locator("main").inner_text().count(title) == 1
    # The check button is gone; the feedback has the focus, so it is read out.
    assert page.evaluate("() => document.activeElement.classList.contains('feedback')")
    journey.check(page, "practice-feedback-once")
    context.close()
