"""A parent, on a phone, from the paper slip to the school's report.

A fresh province (``empty_server``) with one primary school and its class 5A
(``tests/e2e/remote_parents.py``). The teacher prints the consent slips of the
pupils who lack consent; the code is read from the PDF, as a family has it on
paper. A mistyped code is refused in Vietnamese and links nothing. With the
right code the parent signs up, sees their child, gives consent online (the
teacher's class page then counts the child as consented), follows the child's
learning read-only, and finishes a parents' module (every section, its quiz
passed). The school administrator's report counts one more parent trained for
the school and period.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from tests.e2e.conftest import PHONE, _run, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

PARENT_USERNAME = "me.minhan"
PARENT_PASSWORD = "Vuon-Cau-Long-Hoa-26"
WRONG_CODE_MESSAGE = (
    "Mã này không khớp với phiếu nào. Hãy kiểm tra lại các chữ trên phiếu, hoặc "
)
TRAINED = re.compile(r"phụ huynh đã học xong|parents completed a parents")


def _remote(server, command: str, **arguments) -> dict:
    out = _run(
        ["-m", "tests.e2e.remote_parents", command, json.dumps(arguments)], server.env
    )
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def school(empty_server):
    return _remote(empty_server, "parent_school")


def _phone(browser):
    return browser.new_context(viewport=PHONE, locale="vi-VN").new_page()


def _slip_code_from_pdf(pdf: bytes, child: str) -> str:
    """The code printed on ``child``'s slip, as the family reads it."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert child in text, text
    codes = re.findall(
        r"Mã để gia đình dùng trực tuyến sau này: ([A-Z0-9]{5}-[A-Z0-9]{5})", text
    )
    assert len(codes) == 1, text  # one pupil lacks consent: one slip
    return codes[0]


def _parents_trained(page, server, school) -> int:
    page.goto(
        f"{server.url}/truong/{school['school_id']}/bao-cao/?ky={school['period_id']}"
    )
    item = page.locator("ul.report-figures li", has_text=TRAINED)
    assert item.count() == 1, page.locator("main").inner_text()
    return int(item.locator("strong").inner_text().strip())


def _class_consent_rows(page, server, school) -> list[str]:
    page.goto(f"{server.url}/lop/{school['class_id']}/dong-y/")
    return [
        name.strip()
        for name in page.locator("main tbody th[scope=row]").all_inner_texts()
    ]


def _answer(section, question_id: str, response: dict) -> None:
    """Give the right response to the question on screen."""
    if "order" in response:
        for position, choice_id in enumerate(response["order"]):
            while True:
                ids = section.locator(".ordering-item").evaluate_all(
                    "items => items.map(item => item.dataset.choiceId)"
                )
                if ids.index(str(choice_id)) <= position:
                    break
                section.locator(
                    f".ordering-item[data-choice-id='{choice_id}'] [data-move='-1']"
                ).click()
    else:
        for choice_id in response["choice_ids"]:
            section.locator(f"label[for='q-{question_id}-{choice_id}']").click()
    check = section.locator("[data-action=check]")
    if check.count() and check.is_visible():
        check.click()
        section.locator(".feedback:not([hidden])").wait_for()


def _take_parents_module(page, server, journey) -> str:
    """From the parent's page: the first parents' module, read and its quiz passed.
    Return the attempt's id."""
    page.goto(server.url + "/phu-huynh/")
    module = page.locator("main section.card:nth-of-type(2) a").first
    title = module.inner_text().strip()
    with page.expect_navigation():
        module.click()
    first = True
    while "/phan/" in page.url:
        if first:
            assert title in page.content()
            journey.check(page, "parent-module-section")
            first = False
        with page.expect_navigation():
            page.locator("main form.inline-form button.primary").click()
    assert "/bai-kiem-tra/" in page.url, page.url
    journey.check(page, "parent-quiz-intro")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/bai-kiem-tra/[0-9a-f-]{36}/$"))
    attempt_id = re.search(r"/bai-kiem-tra/([0-9a-f-]{36})/$", page.url).group(1)
    key = _remote(server, "quiz_key", attempt_id=attempt_id)
    page.wait_for_selector("#quiz-form:not([hidden])")
    total = page.locator("section.question[data-question-id]").count()
    assert total == len(key), (total, key)
    for number in range(total):
        section = page.locator("section.question[data-question-id]:not([hidden])")
        question_id = section.get_attribute("data-question-id")
        _answer(section, question_id, key[question_id])
        if number == 0:
            journey.check(page, "parent-quiz-question")
        section.locator("[data-action=next]").click()
    page.locator("#quiz-submit").click()
    page.wait_for_url(re.compile(r"ket-qua"), timeout=30000)
    journey.check(page, "parent-quiz-result")
    return attempt_id


def test_a_parent_follows_their_child_and_is_trained(
    browser, empty_server, school, journey
):
    server = empty_server
    child = school["child"]

    admin = _phone(browser)
    sign_in(admin, server, school["admin"])
    trained_before = _parents_trained(admin, server, school)

    # 1. The teacher prints the slips of the class's pupils who lack consent;
    # the family has the code printed on their child's slip.
    teacher = _phone(browser)
    sign_in(teacher, server, school["teacher"])
    assert _class_consent_rows(teacher, server, school) == [child]
    with teacher.expect_download() as download:
        teacher.locator(
            f"form[action='/lop/{school['class_id']}/dong-y/in-phieu/'] button"
        ).click()
    code = _slip_code_from_pdf(download.value.path().read_bytes(), child)

    # 2. The parent signs up with the code. A mistyped code first: refused in
    # Vietnamese, and nothing is linked or created.
    page = _phone(browser)
    page.goto(server.url + "/dang-nhap/")
    with page.expect_navigation():
        page.locator("main a[href='/phu-huynh/dang-ky/']").click()
    journey.check(page, "parent-sign-up")
    wrong = code[:-1] + ("A" if code[-1] != "A" else "C")
    page.fill("#id_code", wrong)
    page.fill("#id_display_name", "Trần Thị Mai")
    page.fill("#id_username", PARENT_USERNAME)
    page.fill("#id_password", PARENT_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    alert = page.locator("main .error-box[role=alert]").inner_text()
    assert alert.startswith(WRONG_CODE_MESSAGE), alert
    journey.check(page, "parent-sign-up-wrong-code")
    assert _remote(server, "parent_links", child_id=school["child_id"]) == {
        "parents": [],
        "slips_used": 0,
    }

    page.fill("#id_code", code.lower().replace("-", " "))  # as typed on a phone
    page.fill("#id_password", PARENT_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert child in page.locator("main").inner_text()
    journey.check(page, "parent-welcome")
    with page.expect_navigation():
        page.locator("main a.button").click()
    assert page.url.endswith("/phu-huynh/"), page.url
    child_link = page.locator(f"main a[href='/phu-huynh/con/{school['child_id']}/']")
    assert child_link.inner_text().strip() == child
    assert "Chưa đồng ý" in page.locator("main").inner_text() or (
        "Consent not given yet" in page.locator("main").inner_text()
    )
    journey.check(page, "parent-home")
    assert _remote(server, "parent_links", child_id=school["child_id"]) == {
        "parents": [PARENT_USERNAME],
        "slips_used": 1,
    }

    # 3. Consent online: the teacher's class page now counts the child consented.
    with page.expect_navigation():
        child_link.click()
    journey.check(page, "parent-child-before-consent")
    with page.expect_navigation():
        page.locator("main button[name=action][value=give]").click()
    assert page.locator(".messages .message.success").count(), page.content()
    assert page.locator("main button[name=action][value=withdraw]").count() == 1
    journey.check(page, "parent-consent-given")
    assert _class_consent_rows(teacher, server, school) == []
    teacher.goto(f"{server.url}/lop/{school['class_id']}/")
    assert teacher.locator("#consent-heading").count() == 0  # no pupil lacks it
    teacher.context.close()

    # 4. The child does the class's module (now that it is kept); the parent sees
    # it done, read-only: nothing on the page opens or changes the child's work.
    assert _remote(
        server,
        "child_passes_module",
        child_id=school["child_id"],
        module_id=school["module_id"],
    ) == {"status": "passed"}
    page.reload()
    main = page.locator("main")
    assert school["module"] in main.inner_text()
    assert "Đã xong 1 trên 1 bài." in main.inner_text(), main.inner_text()
    assert "Đã đạt" in main.locator("li", has_text=school["module"]).inner_text()
    assert main.locator("a[href^='/hoc/']").count() == 0
    forms = main.locator("form").evaluate_all(
        "forms => forms.map(form => form.getAttribute('action'))"
    )
    # The consent form only (its button is named "action", hence getAttribute).
    assert forms == [f"/phu-huynh/con/{school['child_id']}/dong-y/"], forms
    journey.check(page, "parent-child-progress")

    # 5. The parent finishes a parents' module: every section, its quiz passed.
    attempt_id = _take_parents_module(page, server, journey)
    result = _remote(server, "attempt_result", attempt_id=attempt_id)
    assert result["submitted"] and result["passed"], result
    page.goto(server.url + "/phu-huynh/")
    journey.check(page, "parent-home-after-module")
    page.context.close()

    # 6. The school administrator sees one more parent trained, this period.
    assert _parents_trained(admin, server, school) == trained_before + 1
    admin.locator("ul.report-figures").scroll_into_view_if_needed()
    journey.check(admin, "school-report-parents-trained")
    admin.context.close()
