"""Benchmark: saving quiz answers under load, against a bare Django floor.

Run: ``.venv/bin/python bench/answer_submit.py`` (or ``make bench``). Needs
PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379.

What it does, in one bounded run that stops by itself:

1. creates the database ``bench_answers`` if missing (never any other), migrates
   it, and makes N pupils with API tokens and one published quiz;
2. starts uvicorn (``config.asgi:application``, 2 workers, port 8765) with
   ``BENCH_ENDPOINTS=1`` so ``/bench/floor`` exists (devdata/bench_views.py);
3. (a) floor: requests/s of ``GET /bench/floor`` (all middleware, no query);
   (b) answers: many pupils posting answers at once with token authentication,
   with deliberate repeats of earlier client ids; prints req/s, the ratio to the
   floor (target >= 0.8, issue 25), p50/p95 latency, and compares the client ids sent
   with the Answer rows: lost and duplicated must both be 0;
   (c) a synchronized start: 1,000 pupils starting the same quiz within 10 s;
4. stops the server it started (by its process id).

Figures go to docs/performance.md by hand; this script only prints them.
"""

import asyncio
import os
import random
import statistics
import sys
import time
import uuid

import _server  # bench/_server.py: the database and the server

sys.path.insert(0, str(_server.BASE_DIR))

DB_NAME = "bench_answers"
PORT = 8765
BASE_URL = f"http://127.0.0.1:{PORT}"
PUPILS_ANSWERING = int(os.environ.get("BENCH_PUPILS", "200"))
PUPILS_STARTING = int(os.environ.get("BENCH_START_PUPILS", "1000"))
START_WINDOW_SECONDS = 10.0
# In-flight requests at once. Under ASGI each in-flight sync request holds its own
# database connection (Django runs it in a thread of its own), and PostgreSQL
# allows 100: the client keeps below that, as a proxy's upstream limit would.
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
START_CONNECTIONS = int(os.environ.get("BENCH_START_CONNECTIONS", "40"))
DURATION_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
REPEAT_EVERY = 5  # every 5th answer re-sends an earlier client id on purpose
QUESTIONS = 10

SERVER_ENV = {
    "DATABASE_URL": _server.database_url(DB_NAME),
    "REDIS_URL": "redis://127.0.0.1:6379/5",
    "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    "DEBUG": "False",
    "BENCH_ENDPOINTS": "1",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "AXES_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
    # Persistent connections leak under ASGI (one per request thread); Django's
    # advice is to turn them off there and pool outside (PgBouncer).
}


def database_migrate() -> None:
    _server.database_migrate(SERVER_ENV)


def django_setup() -> None:
    os.environ.update(SERVER_ENV)
    import django

    django.setup()


def fixtures_create() -> tuple[int, list[str]]:
    """Return the bench quiz id and the tokens of the pupils (made if missing)."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from lms.models import AdministrativeUnit, Role, RoleAssignment, School, User
    from lms.people.roles import role_group_name
    from quizzes.models import Answer, Attempt, Choice, Question, Quiz

    with transaction.atomic():
        quiz = Quiz.objects.filter(curriculum_key="bench-answers").first()
        if quiz is None:
            quiz = Quiz(
                title="Bench quiz",
                topic_code="privacy",
                live=False,
                curriculum_key="bench-answers",
                mode="check",  # answers may change until submit (practice: final)
                shuffle_questions=True,
                shuffle_choices=True,
            )
            quiz.questions = [
                Question(
                    question_type="single_choice",
                    prompt=f"Question {number}",
                    explanation="Because.",
                    choices=[
                        Choice(text="Right", is_correct=True, feedback="Yes."),
                        Choice(text="Wrong", feedback="No."),
                        Choice(text="Also wrong", feedback="No."),
                    ],
                )
                for number in range(QUESTIONS)
            ]
            quiz.save()
            quiz.save_revision().publish()
        elif quiz.mode != "check":  # made by an earlier version of this script
            quiz.mode = "check"
            quiz.save()
            quiz.save_revision().publish()
        # A clean slate for the bench quiz: earlier runs' attempts and answers go.
        Answer.objects.filter(attempt__quiz=quiz).delete()
        Attempt.objects.filter(quiz=quiz).delete()

        group = Group.objects.get(name=role_group_name(Role.PUPIL))
        count = max(PUPILS_ANSWERING, PUPILS_STARTING)
        names = [f"bench-pupil-{n:05d}" for n in range(count)]
        existing = set(
            User.objects.filter(username__in=names).values_list("username", flat=True)
        )
        User.objects.bulk_create(
            [
                User(username=name, display_name=name, password="!")
                for name in names
                if name not in existing
            ]
        )
        users = list(User.objects.filter(username__in=names).order_by("username"))
        group.user_set.add(*users)
        # Pupils as the product makes them: the pupil role at a school. (Until
        # 7 Dec 2026 the bench users held no role, so every answer also paid the
        # second-factor device lookup that only staff accounts pay.)
        unit = AdministrativeUnit.objects.filter(code="bench-answers").first()
        if unit is None:
            unit = AdministrativeUnit.add_root(
                code="bench-answers", name="Bench province", level="tỉnh"
            )
        school, _made = School.objects.get_or_create(
            code="bench-answers",
            defaults={"name": "Bench school", "school_type": "primary", "unit": unit},
        )
        pupils = set(
            RoleAssignment.objects.filter(user__in=users, role=Role.PUPIL).values_list(
                "user_id", flat=True
            )
        )
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=user, role=Role.PUPIL, school=school)
                for user in users
                if user.pk not in pupils
            ]
        )
        with_token = set(
            Token.objects.filter(user__in=users).values_list("user_id", flat=True)
        )
        Token.objects.bulk_create(
            [
                Token(user=user, key=Token.generate_key())
                for user in users
                if user.pk not in with_token
            ]
        )
        tokens = dict(
            Token.objects.filter(user__in=users).values_list("user_id", "key")
        )
    return quiz.pk, [tokens[user.pk] for user in users]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure_floor(client) -> dict:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + DURATION_SECONDS

    async def worker():
        nonlocal errors
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                response = await client.get(f"{BASE_URL}/bench/floor")
                if response.status_code != 200:
                    errors += 1
            except Exception:  # noqa: BLE001
                errors += 1
            latencies.append(time.perf_counter() - began)

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.monotonic() - began
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
    }


async def start_attempts(client, quiz_id, tokens, context_key) -> list[dict]:
    async def start(token):
        response = await client.post(
            f"{BASE_URL}/api/attempts/",
            json={"quiz_id": quiz_id, "context_key": context_key},
            headers={"Authorization": f"Token {token}"},
        )
        response.raise_for_status()
        return {"token": token, **response.json()}

    return list(await asyncio.gather(*(start(token) for token in tokens)))


async def measure_answers(client, attempts: list[dict]) -> dict:
    """Post answers as fast as the pupils can; each pupil sends one at a time."""
    latencies: list[float] = []
    acknowledged: set[str] = set()  # client ids the server said it saved
    uncertain: set[str] = set()  # sent, but no answer came back (timeouts)
    refused = 0
    repeats = 0
    sent = 0
    deadline = time.monotonic() + DURATION_SECONDS
    rng = random.Random(7)
    # Disjoint pupils per worker: a real pupil never sends two answers at once.
    shares = [attempts[i::CONCURRENCY] for i in range(CONCURRENCY)]

    async def worker(share):
        nonlocal refused, repeats, sent
        if not share:
            return
        mine: list[tuple[dict, str, dict, str]] = []
        turn = 0
        while time.monotonic() < deadline:
            attempt = share[turn % len(share)]
            turn += 1
            if mine and turn % REPEAT_EVERY == 0:
                attempt, question_id, response_body, client_id = rng.choice(mine)
                repeats += 1
            else:
                question = rng.choice(attempt["questions"])
                question_id = question["id"]
                choice = rng.choice(question["choices"])
                response_body = {"choice_ids": [choice["id"]]}
                client_id = str(uuid.uuid4())
            body = {
                "client_id": client_id,
                "question_id": question_id,
                "response": response_body,
            }
            began = time.perf_counter()
            sent += 1
            try:
                result = await client.post(
                    f"{BASE_URL}/api/attempts/{attempt['id']}/answers/",
                    json=body,
                    headers={"Authorization": f"Token {attempt['token']}"},
                )
            except Exception:  # noqa: BLE001
                uncertain.add(client_id)
                continue
            latencies.append(time.perf_counter() - began)
            if result.status_code in (200, 201):
                acknowledged.add(client_id)
                mine.append((attempt, question_id, response_body, client_id))
            else:
                refused += 1

    began = time.monotonic()
    await asyncio.gather(*(worker(share) for share in shares))
    elapsed = time.monotonic() - began
    return {
        "requests": sent,
        "repeats": repeats,
        "refused": refused,
        "uncertain": uncertain,
        "acknowledged": acknowledged,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
    }


def answers_compare(attempt_ids: list[str], acknowledged: set[str], uncertain: set):
    """Return (lost, duplicated, rows): acknowledged ids missing, extra rows."""
    from django.db.models import Count

    from quizzes.models import Answer

    rows = Answer.objects.filter(attempt_id__in=attempt_ids)
    stored = {str(client_id) for client_id in rows.values_list("client_id", flat=True)}
    duplicated = (
        rows.values("client_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    lost = len(acknowledged - stored)
    unexpected = len(stored - acknowledged - uncertain)
    return lost, duplicated + unexpected, rows.count()


async def synchronized_start(client, quiz_id, tokens) -> dict:
    """Every pupil starts the quiz at a random moment within the window."""
    context_key = f"bench:sync:{int(time.time())}"
    rng = random.Random(11)
    offsets = sorted(rng.uniform(0, START_WINDOW_SECONDS) for _ in tokens)
    latencies: list[float] = []
    failures = 0
    began = time.monotonic()

    async def start(token, offset):
        nonlocal failures
        await asyncio.sleep(max(0.0, began + offset - time.monotonic()))
        sent = time.perf_counter()
        try:
            response = await client.post(
                f"{BASE_URL}/api/attempts/",
                json={"quiz_id": quiz_id, "context_key": context_key},
                headers={"Authorization": f"Token {token}"},
            )
            ok = response.status_code == 201
        except Exception:  # noqa: BLE001
            ok = False
        latencies.append(time.perf_counter() - sent)
        if not ok:
            failures += 1

    await asyncio.gather(
        *(start(token, offset) for token, offset in zip(tokens, offsets, strict=True))
    )
    return {
        "pupils": len(tokens),
        "successes": len(tokens) - failures,
        "failures": failures,
        "seconds": time.monotonic() - began,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
    }


async def run(quiz_id: int, tokens: list[str]) -> dict:
    import httpx

    limits = httpx.Limits(
        max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2
    )
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        answering = tokens[:PUPILS_ANSWERING]
        attempts = await start_attempts(client, quiz_id, answering, "bench:answers")
        # Warm both paths (connections, caches) before measuring.
        for _ in range(50):
            await client.get(f"{BASE_URL}/bench/floor")
        floor = await measure_floor(client)
        answers = await measure_answers(client, attempts)
        lost, duplicated, rows = await asyncio.to_thread(
            answers_compare,
            [a["id"] for a in attempts],
            answers["acknowledged"],
            answers["uncertain"],
        )
        answers.update(lost=lost, duplicated=duplicated, rows=rows)
        start_limits = httpx.Limits(max_connections=START_CONNECTIONS)
        async with httpx.AsyncClient(limits=start_limits, timeout=timeout) as starter:
            starts = await synchronized_start(
                starter, quiz_id, tokens[:PUPILS_STARTING]
            )
    return {"floor": floor, "answers": answers, "starts": starts}


def report(results: dict) -> None:
    floor, answers, starts = results["floor"], results["answers"], results["starts"]
    ratio = answers["rps"] / floor["rps"]
    print(
        f"floor  GET /bench/floor: {floor['rps']:.0f} req/s "
        f"(p50 {floor['p50_ms']:.1f} ms, p95 {floor['p95_ms']:.1f} ms, "
        f"{floor['requests']} requests, {floor['errors']} errors)"
    )
    print(
        f"answer POST /api/attempts/<id>/answers/: {answers['rps']:.0f} req/s "
        f"(p50 {answers['p50_ms']:.1f} ms, p95 {answers['p95_ms']:.1f} ms, "
        f"{answers['requests']} requests incl. {answers['repeats']} deliberate "
        f"repeats, {answers['refused']} refused, {len(answers['uncertain'])} "
        "without reply)"
    )
    print(f"ratio answer/floor: {ratio:.2f} (target >= 0.8)")
    print(
        f"answers: {len(answers['acknowledged'])} acknowledged client ids, "
        f"{answers['rows']} rows; lost {answers['lost']}, "
        f"duplicated {answers['duplicated']}"
    )
    print(
        f"synchronized start: {starts['successes']}/{starts['pupils']} succeeded, "
        f"{starts['failures']} failed, in {starts['seconds']:.1f} s "
        f"(p50 {starts['p50_ms']:.0f} ms, p95 {starts['p95_ms']:.0f} ms)"
    )
    print(
        f"settings: {CONCURRENCY} concurrent clients, {DURATION_SECONDS:.0f} s per "
        f"phase, {PUPILS_ANSWERING} pupils answering, uvicorn 2 workers"
    )
    problems = []
    if answers["lost"] or answers["duplicated"]:
        problems.append("answers lost or duplicated")
    if starts["failures"]:
        problems.append("starts failed")
    if problems:
        print("FAILED: " + ", ".join(problems))
        sys.exit(1)


def main() -> None:
    _server.database_ensure(DB_NAME)
    print("migrating bench_answers ...")
    database_migrate()
    django_setup()
    quiz_id, tokens = fixtures_create()
    print(f"quiz {quiz_id}, {len(tokens)} pupils with tokens; starting uvicorn ...")
    server = _server.server_start(port=PORT, env=SERVER_ENV)
    try:
        _server.server_wait(f"{BASE_URL}/bench/floor")
        results = asyncio.run(run(quiz_id, tokens))
    finally:
        _server.server_stop(server)
    report(results)


if __name__ == "__main__":
    main()
