"""CPU per request of a pupil's hot requests, in process: for before/after checks.

``python bench/_hot_requests.py`` (after ``make bench-capacity`` has prepared
``bench_capacity``): signs in 60 generated pupils with their cards through
Django's test client (``DEBUG`` off, cache and sessions in Redis database 9 as
production keeps them), then times home, a section and its "Next" for each, as
CPU time of this process (the client's share is small and the same on both
sides of a comparison), best of three passes. No server, no network: what the
code costs, not what a pupil waits. To compare two commits, run it in a
``git worktree`` of each, one after the other, on a quiet machine.

``python bench/_hot_requests.py asgi`` sends the same requests through the ASGI
application instead, as uvicorn hands them over (``httpx.ASGITransport``, the
session and CSRF cookies of the signed-in pupils), once through Django's own
ASGI handler and once through ``common.http_handler.OneTripASGIHandler`` (the
site's), alternating, best of three passes each: what the handler costs.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_capacity"

# The same database and pupils as the profile (it sets Django up).
from _capacity_profile import generated_pupils  # noqa: E402
from django.test import Client  # noqa: E402

from devdata.scale_secrets import scale_card_key  # noqa: E402

PUPILS = int(os.environ.get("BENCH_HOT_PUPILS", "60"))
PASSES = 3


def main() -> None:
    usernames, section = generated_pupils(PUPILS)
    clients = []
    for username in usernames:  # signed in, caches filled, first progress written
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(f"/dang-nhap/the/{scale_card_key(username)}/")
        client.get("/app/")
        client.get(section)
        clients.append(client)
    requests = {
        "home": lambda c: c.get("/app/"),
        "section": lambda c: c.get(section),
        "next": lambda c: c.post(section),
    }
    best: dict[str, float] = {}
    for _ in range(PASSES):
        for label, request in requests.items():
            started = time.process_time()
            for client in clients:
                response = request(client)
                assert response.status_code in (200, 302), (label, response)
            per_request = (time.process_time() - started) / len(clients) * 1000
            best[label] = min(best.get(label, per_request), per_request)
    print(
        f"{len(clients)} pupils, best of {PASSES}: "
        + ", ".join(f"{label} {ms:.1f} ms" for label, ms in best.items())
        + " of CPU per request"
    )


def asgi_compare() -> None:
    import asyncio

    import httpx
    from django.core.handlers.asgi import ASGIHandler

    from common.http_handler import OneTripASGIHandler

    usernames, section = generated_pupils(PUPILS)
    cookies = []
    for username in usernames:  # signed in with the test client, then served by ASGI
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(f"/dang-nhap/the/{scale_card_key(username)}/")
        client.get("/app/")
        client.get(section)
        cookies.append({name: morsel.value for name, morsel in client.cookies.items()})

    async def one_pass(app, label: str) -> float:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8000"
        ) as client:
            started = time.process_time()
            for jar in cookies:
                client.cookies = jar
                if label == "next":
                    response = await client.post(
                        section, headers={"X-CSRFToken": jar.get("csrftoken", "")}
                    )
                else:
                    response = await client.get("/app/" if label == "home" else section)
                assert response.status_code in (200, 302), (label, response)
            return (time.process_time() - started) / len(cookies) * 1000

    handlers = {"django": ASGIHandler(), "one trip": OneTripASGIHandler()}
    best: dict[tuple[str, str], float] = {}
    for _ in range(PASSES):
        for label in ("home", "section", "next"):
            for name, app in handlers.items():
                ms = asyncio.run(one_pass(app, label))
                best[(name, label)] = min(best.get((name, label), ms), ms)
    for name in handlers:
        print(
            f"{name}: {len(cookies)} pupils through ASGI, best of {PASSES}: "
            + ", ".join(
                f"{label} {best[(name, label)]:.1f} ms"
                for label in ("home", "section", "next")
            )
            + " of CPU per request"
        )


if __name__ == "__main__":
    asgi_compare() if sys.argv[1:] == ["asgi"] else main()
