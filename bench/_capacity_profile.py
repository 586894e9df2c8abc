"""Where a pupil's hot requests spend their time: cProfile in process.

``python bench/_capacity_profile.py`` (after ``make bench-capacity`` has prepared
``bench_capacity``): signs pupils in by card through Django's test client and
requests the home page, a section and its "Next", under cProfile, then prints the
functions with the most cumulative time and the queries of one request of each.
Uses ``config.settings.dev`` against the bench database (cache and sessions in
local memory, so Redis is not in these figures).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_capacity"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from devdata.scale_secrets import scale_card_key  # noqa: E402
from lms.models import Assignment, User  # noqa: E402

PUPILS = int(os.environ.get("BENCH_PROFILE_PUPILS", "30"))


def generated_pupils(count: int) -> tuple[list[str], str]:
    """``count`` generated pupils' usernames and the first section of their module."""
    module_id = Assignment.objects.order_by("pk").values_list("module_id", flat=True)[0]
    usernames = list(
        User.objects.filter(username__startswith="scale-hs-")
        .order_by("-username")
        .values_list("username", flat=True)[:count]
    )
    return usernames, f"/hoc/{module_id}/phan/0/"


def main() -> None:
    usernames, section = generated_pupils(PUPILS)
    clients = []
    # One pupil first, outside the profile: templates compiled, caches filled.
    warm = Client(HTTP_HOST="127.0.0.1")
    warm.get(f"/dang-nhap/the/{scale_card_key(usernames[-1])}/")
    warm.get("/app/")
    warm.get(section)
    usernames = usernames[:-1]
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for username in usernames:
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(f"/dang-nhap/the/{scale_card_key(username)}/")
        client.get("/app/")
        client.get(section)
        client.post(section)
        clients.append(client)
    profile.disable()
    seconds = time.perf_counter() - started
    print(f"{len(usernames)} pupils x 4 requests in {seconds:.1f} s")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    for label, call in [
        ("card sign-in", lambda c, u: c.get(f"/dang-nhap/the/{scale_card_key(u)}/")),
        ("home", lambda c, u: c.get("/app/")),
        ("section", lambda c, u: c.get(section)),
    ]:
        with CaptureQueriesContext(connection) as queries:
            call(clients[0], usernames[0])
        print(f"{label}: {len(queries)} queries")
        for query in queries:
            print("   ", query["sql"][:140])


if __name__ == "__main__":
    main()
