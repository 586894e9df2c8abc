"""The school day's load under locust: the journeys of ``bench/_capacity_model.py``.

Run by ``bench/capacity.py --locust`` (which prepares the database, writes the
roster to ``BENCH_CAPACITY_ROSTER`` and starts the production shape), or by hand
against a running server, headless and bounded in time, on loopback only:

    BENCH_CAPACITY_ROSTER=/tmp/bench_capacity_roster.json \\
    locust -f bench/_capacity_locustfile.py --headless -H http://127.0.0.1:8770 \\
        -u 860 -r 30 -t 90s --only-summary

Weights follow the mix per 1,000 active pupils (``capacity_model.Mix``): locust
picks each new user's class by weight, so ``-u`` is the number of people.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from pathlib import Path

from locust import HttpUser, constant, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from bench._capacity_model import (  # noqa: E402
    OFFICERS_PER_1000,
    SCHOOL_ADMINS_PER_1000,
    TEACHERS_PER_1000,
    Browser,
    Reply,
    Roster,
    Stop,
    officer_session,
    pupil_session,
    school_admin_session,
    teacher_session,
)

ROSTER = Roster.from_json(
    json.loads(Path(os.environ["BENCH_CAPACITY_ROSTER"]).read_text())
)
RUN_SECONDS = float(os.environ.get("BENCH_CAPACITY_SECONDS", "90"))
_pupils = itertools.cycle(ROSTER.pupils)
_teachers = itertools.cycle(ROSTER.teachers)
_admins = itertools.cycle(ROSTER.school_admins)
_officers = itertools.cycle([ROSTER.province_officer, *ROSTER.unit_officers])


class SchoolDayUser(HttpUser):
    abstract = True
    wait_time = constant(0)  # the journeys think for themselves

    def browser(self) -> Browser:
        client = self.client

        def transport(method, path, headers, body, is_json, name, kind) -> Reply:
            options = {"headers": headers, "name": f"{kind}: {name}"}
            options["allow_redirects"] = False
            if method == "POST":
                options["json" if is_json else "data"] = body
            response = client.request(method, path, **options)
            # Production marks cookies Secure; on plain loopback HTTP the browser
            # object sends them by hand (Browser._headers).
            for cookie in response.cookies:
                browser.cookies[cookie.name] = cookie.value
            client.cookies.clear()
            return Reply(
                response.status_code,
                response.text,
                response.headers.get("location", ""),
            )

        browser = Browser(transport=transport, deadline=time.monotonic() + RUN_SECONDS)
        return browser

    def run_journey(self, journey) -> None:
        with contextlib.suppress(Stop):
            journey(self.browser())
        self.stop()


class Pupil(SchoolDayUser):
    weight = 1000

    @task
    def school_day(self):
        username = next(_pupils)
        self.run_journey(lambda b: pupil_session(b, username, ROSTER.module_id))


class Teacher(SchoolDayUser):
    weight = TEACHERS_PER_1000

    @task
    def lesson(self):
        username, class_id = next(_teachers)
        # locust speaks HTTP only: the grid's socket is driven by bench/capacity.py.
        self.run_journey(lambda b: teacher_session(b, username, class_id, None))


class SchoolAdmin(SchoolDayUser):
    weight = SCHOOL_ADMINS_PER_1000

    @task
    def dashboard(self):
        username, school_id = next(_admins)
        self.run_journey(lambda b: school_admin_session(b, username, school_id))


class Officer(SchoolDayUser):
    weight = OFFICERS_PER_1000

    @task
    def dashboard(self):
        username = next(_officers)
        self.run_journey(
            lambda b: officer_session(
                b, username, second_factor=username == ROSTER.province_officer
            )
        )


@events.quitting.add_listener
def _exit_code(environment, **_kwargs):
    """Exit non-zero when any request failed (locust counts 4xx/5xx as failures)."""
    if environment.stats.total.fail_ratio > 0:
        environment.process_exit_code = 1
