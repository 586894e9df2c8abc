"""A school day's load: who is on the site in the busiest hour, and what they do.

docs/performance.md ("Capacity of a school day") gives the reasoning behind every
number here. The journeys are plain synchronous code over a ``Browser`` (cookies, the
CSRF token, redirects), so the same journeys run under locust
(``bench/_capacity_locustfile.py``, gevent) and under the thread driver of
``bench/capacity.py`` when locust is
not installed. Every request is named and of a kind (``page``, ``api``, ``sign-in``,
``socket``), and the figures are given per kind.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from devdata.scale_secrets import (
    SCALE_PROVINCE_OFFICER,
    scale_card_key,
    scale_totp_code,
)

SCALE_PASSWORD = "scale-Tayninh-2026"  # devdata.scale.SCALE_PASSWORD

# A pupil acts once every 10 to 20 s (reading a section, answering a question).
PUPIL_THINK = (10.0, 20.0)
# A teacher in a lesson looks at the class grid about twice a minute, and gives a
# module about once per lesson; the grid also updates itself over its socket.
TEACHER_THINK = (20.0, 40.0)
TEACHER_ASSIGNS = 0.05
# Heads of school and officers open a dashboard now and then; one in ten asks for
# an export.
OFFICE_THINK = (30.0, 60.0)
OFFICE_EXPORTS = 0.1
# Per 1,000 active pupils: a teacher per class of 35 in the lesson, one head of
# school per ~200 pupils online, and a few officers (docs/performance.md).
TEACHERS_PER_1000 = 29
SCHOOL_ADMINS_PER_1000 = 5
OFFICERS_PER_1000 = 2


@dataclass
class Roster:
    """The generated people a load uses (read from the bench database)."""

    module_id: int
    pupils: list[str]
    teachers: list[tuple[str, int]]  # username, their class id
    school_admins: list[tuple[str, int]]  # username, their school id
    unit_officers: list[str]
    province_officer: str = SCALE_PROVINCE_OFFICER

    def as_json(self) -> dict:
        return self.__dict__

    @classmethod
    def from_json(cls, data: dict) -> Roster:
        return cls(
            module_id=data["module_id"],
            pupils=data["pupils"],
            teachers=[tuple(item) for item in data["teachers"]],
            school_admins=[tuple(item) for item in data["school_admins"]],
            unit_officers=data["unit_officers"],
            province_officer=data.get("province_officer", SCALE_PROVINCE_OFFICER),
        )


@dataclass
class Reply:
    status: int
    text: str
    location: str = ""
    url: str = ""  # where the reply came from, after redirects


# transport(method, path, headers, body, is_json, name, kind) -> Reply
Transport = Callable[[str, str, dict, object, bool, str, str], Reply]


class Stop(Exception):
    """The run's time is up: the journey ends where it is."""


@dataclass
class Browser:
    """One person's browser: cookies (sent by hand, since production marks them
    Secure and the bench speaks plain HTTP on loopback), the CSRF token, redirects."""

    transport: Transport
    deadline: float
    sleep: Callable[[float], None] = time.sleep
    cookies: dict[str, str] = field(default_factory=dict)

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Accept-Language": "vi"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        headers.update(extra or {})
        return headers

    def request(self, method, path, *, name, kind, body=None, is_json=False) -> Reply:
        if time.monotonic() > self.deadline:
            raise Stop
        reply = self.transport(method, path, self._headers(), body, is_json, name, kind)
        location = path
        for _redirect in range(5):
            if reply.status not in (301, 302, 303) or not reply.location:
                break
            location = re.sub(r"^https?://[^/]+", "", reply.location)
            # The page a redirect leads to is a page like any other.
            reply = self.transport(
                "GET", location, self._headers(), None, False, name + " ->", "page"
            )
        reply.url = location
        return reply

    def get(self, path, *, name, kind="page") -> Reply:
        return self.request("GET", path, name=name, kind=kind)

    def post(self, path, body=None, *, name, kind="page", is_json=False) -> Reply:
        if not is_json and "csrftoken" in self.cookies:
            body = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **(body or {})}
        return self.request(
            "POST", path, name=name, kind=kind, body=body or {}, is_json=is_json
        )

    def think(self, span: tuple[float, float]) -> None:
        pause = random.uniform(*span)
        if time.monotonic() + pause > self.deadline:
            raise Stop
        self.sleep(pause)


def sign_in_with_password(browser: Browser, username: str) -> Reply:
    browser.get("/dang-nhap/", name="sign-in form", kind="page")
    return browser.post(
        "/dang-nhap/",
        {"username": username, "password": SCALE_PASSWORD},
        name="sign-in (password)",
        kind="sign-in",
    )


# --- Pupils --------------------------------------------------------------------------

QUESTION = re.compile(r'data-question-id="([^"]+)" data-type="([^"]+)"')
CHOICE = re.compile(r'(?:name="q-([^"]+)"[^>]*value="(\d+)"|data-choice-id="(\d+)")')
ATTEMPT = re.compile(r"attempts/([0-9a-f-]{36})/")


def quiz_questions(html: str) -> list[tuple[str, str, list[int]]]:
    """Return (question id, type, choice ids) of each question on the quiz page."""
    questions = []
    for block in html.split('<section class="question"')[1:]:
        found = QUESTION.search(block)
        if not found:
            continue
        choices = [int(m.group(2) or m.group(3)) for m in CHOICE.finditer(block)]
        questions.append((found.group(1), found.group(2), choices))
    return questions


STATE = re.compile(r'<script id="quiz-state" type="application/json">(.*?)</script>')


def answered_questions(html: str) -> set[str]:
    """Return the ids of the questions a resumed attempt has answers for."""
    found = STATE.search(html)
    if not found:
        return set()
    try:
        return set(json.loads(found.group(1)).get("answers") or {})
    except ValueError:
        return set()


def pupil_session(browser: Browser, username: str, module_id: int) -> None:
    """Sign in with the card, learn the module section by section, take its quiz,
    look at the result and the progress page; again from home until time is up."""
    reply = browser.get(
        f"/dang-nhap/the/{scale_card_key(username)}/",
        name="sign-in (card)",
        kind="sign-in",
    )
    if reply.status != 200:
        return
    # In the busiest hour pupils are spread over the lesson: a short run starts
    # each one at home, in the sections or at the quiz, about as often as a
    # lesson has actions there, so the mix is the steady state from the start.
    phase = random.choices(["home", "sections", "quiz"], weights=[1, 4, 6])[0]
    while True:
        if phase == "home":
            browser.think(PUPIL_THINK)
            browser.get("/app/", name="pupil home")
        if phase in ("home", "sections"):
            browser.think(PUPIL_THINK)
            # Sections count from 0; "Next" posts the section read and leads to
            # the next one, and from the last to the quiz's introduction.
            path = f"/hoc/{module_id}/phan/0/"
            browser.get(path, name="module section")
            while f"/hoc/{module_id}/phan/" in path:
                browser.think(PUPIL_THINK)
                path = browser.post(path, name="section read").url
        phase = "home"
        started = browser.post(f"/hoc/{module_id}/bai-kiem-tra/", name="quiz start")
        attempt = ATTEMPT.search(started.text)
        if attempt is None:
            continue  # tries used up: the page said so; read on
        attempt_id = attempt.group(1)
        answered = answered_questions(started.text)
        for question_id, kind, choices in quiz_questions(started.text):
            if question_id in answered:
                continue  # a resumed attempt: the page shows what was saved
            browser.think(PUPIL_THINK)
            response = (
                {"order": random.sample(choices, len(choices))}
                if kind == "ordering"
                else {"choice_ids": [random.choice(choices)]}
            )
            browser.post(
                f"/api/attempts/{attempt_id}/answers/",
                {
                    "client_id": str(uuid.uuid4()),
                    "question_id": question_id,
                    "response": response,
                },
                name="answer",
                kind="api",
                is_json=True,
            )
        browser.think(PUPIL_THINK)
        browser.post(
            f"/api/attempts/{attempt_id}/submit/",
            name="submit",
            kind="api",
            is_json=True,
        )
        browser.get(f"/bai-kiem-tra/{attempt_id}/ket-qua/", name="quiz result")
        browser.think(PUPIL_THINK)
        browser.get(f"/hoc/{module_id}/ket-qua/", name="module result")
        browser.get("/api/my/progress/", name="my progress", kind="api")


# --- Staff ---------------------------------------------------------------------------

MODULE_OPTION = re.compile(r'<option value="(\d+)"')
AUDIENCE = re.compile(r'name="audience"[^>]*value="([^"]+)"')


def teacher_session(
    browser: Browser,
    username: str,
    class_id: int,
    open_socket: Callable[[str, dict], object] | None,
) -> None:
    """Sign in, open the class grid with its live socket, look at it now and then,
    and sometimes give the class a module."""
    sign_in_with_password(browser, username)
    browser.get(f"/lop/{class_id}/tien-do/", name="class grid")
    socket = None
    if open_socket is not None:
        socket = open_socket(f"/ws/lop/{class_id}/tien-do/", browser._headers())
    try:
        while True:
            browser.think(TEACHER_THINK)
            browser.get(f"/lop/{class_id}/tien-do/", name="class grid")
            if random.random() < TEACHER_ASSIGNS:
                form = browser.get(f"/lop/{class_id}/giao-bai/", name="assign form")
                module = MODULE_OPTION.search(form.text)
                audience = AUDIENCE.search(form.text)
                if module and audience:
                    browser.post(
                        f"/lop/{class_id}/giao-bai/",
                        {
                            "module": module.group(1),
                            "opens_on": time.strftime("%Y-%m-%d"),
                            "audience": audience.group(1),
                        },
                        name="assign",
                    )
    finally:
        if socket is not None:
            socket.close()


EXPORT_UNIT = re.compile(r'name="don-vi" value="(\d+)"')
EXPORT_PERIOD = re.compile(r'name="ky" value="(\d+)"')


def school_admin_session(browser: Browser, username: str, school_id: int) -> None:
    sign_in_with_password(browser, username)
    while True:
        browser.get(f"/truong/{school_id}/bao-cao/", name="school dashboard")
        browser.think(OFFICE_THINK)


def officer_session(browser: Browser, username: str, *, second_factor: bool) -> None:
    """Sign in (with the authenticator code when the role needs one), open the
    unit's dashboard now and then, and sometimes ask for an export."""
    sign_in_with_password(browser, username)
    if second_factor:
        browser.post(
            "/bao-mat/xac-minh/",
            {"token": scale_totp_code()},
            name="second factor",
            kind="sign-in",
        )
    while True:
        page = browser.get("/bao-cao/", name="unit dashboard")
        unit, period = EXPORT_UNIT.search(page.text), EXPORT_PERIOD.search(page.text)
        if unit and period and random.random() < OFFICE_EXPORTS:
            browser.post(
                "/bao-cao/xuat/",
                {"don-vi": unit.group(1), "ky": period.group(1), "format": "xlsx"},
                name="export",
            )
        browser.think(OFFICE_THINK)


@dataclass(frozen=True)
class Mix:
    """How many of each kind of user a load of ``pupils`` active pupils brings."""

    pupils: int
    teachers: int
    school_admins: int
    officers: int

    @classmethod
    def for_pupils(cls, pupils: int, roster: Roster) -> Mix:
        def share(per_1000: int, available: int) -> int:
            return min(available, max(1, round(pupils * per_1000 / 1000)))

        return cls(
            pupils=min(pupils, len(roster.pupils)),
            teachers=share(TEACHERS_PER_1000, len(roster.teachers)),
            school_admins=share(SCHOOL_ADMINS_PER_1000, len(roster.school_admins)),
            officers=share(OFFICERS_PER_1000, len(roster.unit_officers) + 1),
        )
