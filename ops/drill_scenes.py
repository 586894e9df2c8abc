"""The scenes of the two-hosts drill (``ops/two_hosts_drill.py``), one per step.

Each takes the drill, does what people and operators do, checks what they rely
on and returns a line of what it measured; a broken promise raises
``DrillError`` with what was expected.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import psycopg

from ops import postgres
from ops.drill_clients import Browser, HostScreen, Phone, shown
from ops.drill_processes import DrillError, http_status, wait_until

STAFF_PASSWORD = "demo-Tayninh-2026"
TEACHER = "gv.demo"
OFFICER = "cb.xa"
SECONDS_PER_QUESTION = 60
SOCKET_SECONDS = 30


def _loop(drill) -> asyncio.AbstractEventLoop:
    if getattr(drill, "loop", None) is None:
        drill.loop = asyncio.new_event_loop()
    return drill.loop


def _run(drill, coroutine, seconds: float = 90):
    return _loop(drill).run_until_complete(asyncio.wait_for(coroutine, seconds))


# --- A live game ----------


class Game:
    """One live game: the teacher's browser and screen, and the phones."""

    def __init__(self, drill, host_letter: str):
        self.drill = drill
        self.teacher = Browser()
        base = drill.host(host_letter)
        self.teacher.sign_in(base, TEACHER, STAFF_PASSWORD)
        listing = self.teacher.get(base, "/choi/tao/")
        found = re.search(r'href="(/choi/tao/\d+/)"', listing.text)
        if listing.status != 200 or not found:
            raise DrillError(f"the teacher's quiz list: {listing.status}, no quiz")
        form = self.teacher.get(base, found.group(1))
        control = self.teacher.post(
            base,
            found.group(1),
            {
                "csrfmiddlewaretoken": self.teacher.form_token(form),
                "scoring": "speed",
                "leaderboard": "top5",
                "seconds_per_question": str(SECONDS_PER_QUESTION),
                "team_names": "",
            },
        )
        session = re.search(
            r"/choi/dieu-khien/(\d+)/|/choi/(\d+)/dieu-khien/", control.url
        )
        pin = re.search(r"pin=(\d{6})", control.text)
        if control.status != 200 or not session or not pin:
            raise DrillError(f"no game was opened ({control.status} {control.url})")
        self.session_id = int(session.group(1) or session.group(2))
        self.pin = pin.group(1)
        self.screen = HostScreen(
            base, self.session_id, self.teacher.cookies["sessionid"]
        )
        self.phones: list[Phone] = []

    async def seat(self, phones: dict[str, str]) -> float:
        """Open the teacher's screen and seat a phone on each named host."""
        started = time.monotonic()
        self.screen.start()
        for name, letter in phones.items():
            phone = Phone(name, self.drill.host(letter), self.pin)
            self.phones.append(phone)
            phone.start()
        await asyncio.gather(*(p.seated.wait() for p in self.phones))
        await self.screen.wait_for(
            lambda m: len(m.get("players") or []) == len(self.phones), SOCKET_SECONDS
        )
        return time.monotonic() - started

    async def question(self, index: int, *, command: str) -> float:
        """Tap ``command``; wait until every phone has question ``index``."""
        started = time.monotonic()
        await self.screen.command(command)
        await self.screen.wait_for(
            lambda m: shown(m) == ("question", index), SOCKET_SECONDS, resend=command
        )
        await self.all_phones(lambda p: index in p.questions_seen, "the question")
        return time.monotonic() - started

    async def all_phones(self, test, what: str, seconds=SOCKET_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while not all(test(phone) for phone in self.phones):
            if time.monotonic() > deadline:
                missing = [p.name for p in self.phones if not test(p)]
                raise DrillError(f"{what} did not reach {missing} in {seconds} s")
            await asyncio.sleep(0.05)

    async def results(self, index: int, seconds=SOCKET_SECONDS) -> None:
        """Every answer acknowledged; the host's screen shows the results."""
        await self.all_phones(
            lambda p: p.tapped.get(index) in p.acked or p.tapped.get(index) == "",
            f"the acknowledgement of answer {index + 1}",
            seconds,
        )
        await self.screen.wait_for(lambda m: shown(m) == ("results", index), seconds)

    async def end(self) -> None:
        await self.screen.command("end")
        await self.all_phones(lambda p: p.ended, "the end of the game")
        await self.screen.stop()
        for phone in self.phones:
            await phone.stop()

    def answers_check(self) -> str:
        """No answer lost: every answer tapped was acknowledged and is stored."""
        stored = {
            str(row[0])
            for row in self.drill.sql(
                "SELECT client_id FROM quizzes_liveanswer WHERE session_id = %s",
                [self.session_id],
            )
        }
        sent = set().union(*(p.answers_sent() for p in self.phones))
        refused = {c: code for p in self.phones for c, code in p.refused.items()}
        unacked = sent - set().union(*(p.acked for p in self.phones))
        if sent - stored or refused or unacked:
            raise DrillError(
                f"answers lost: {len(sent - stored)} not stored, refused {refused}, "
                f"{len(unacked)} never acknowledged (of {len(sent)})"
            )
        resent = sum(p.resent for p in self.phones)
        return (
            f"{len(sent)} answers sent, all acknowledged and stored ({resent} resent)"
        )


def game_open(drill):
    """A game hosted on A, phones on A and B; question 1 reaches every phone."""
    game = Game(drill, "A")
    phones = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "b3": "B"}

    async def scene():
        seated = await game.seat(phones)
        reached = await game.question(0, command="start")
        await game.results(0)
        return seated, reached

    seated, reached = _run(drill, scene())
    return game, (
        f"6 phones joined by PIN {game.pin} (3 on A, 3 on B) in {seated:.1f} s, the "
        f"teacher's screen on A; question 1 reached every phone {reached:.2f} s after "
        "the tap; every answer acknowledged, results on the teacher's screen"
    )


def game_play(drill, game: Game) -> str:
    """Host A dies (SIGKILL) with answers in flight; the game goes on on B."""
    on_a = [p for p in game.phones if p.name.startswith("a")]

    async def scene():
        for phone in on_a:
            phone.hold_answers = True
        await game.question(1, command="next")
        await game.all_phones(lambda p: 1 in p.tapped, "the tap")
        for phone in on_a:  # the taps leave the phones as the host dies
            await phone.release()
        before = {phone.name: phone.reconnects for phone in on_a}
        drill.processes["host A"].kill()
        killed = time.monotonic()
        for phone in on_a:
            phone.base = drill.host("B")  # the proxy now sends them to B
        game.screen.base = drill.host("B")
        await game.all_phones(
            lambda p: p.reconnects > before.get(p.name, -1) or p not in on_a,
            "the lost socket",
        )
        await game.all_phones(lambda p: p.seated.is_set(), "a seat on B")
        back = time.monotonic() - killed
        await game.results(1)
        results = time.monotonic() - killed
        await game.question(2, command="next")
        await game.results(2)
        await game.end()
        return back, results

    back, results = _run(drill, scene(), 120)
    checked = game.answers_check()
    restart = drill.processes["host A"]
    drill.start(restart)
    restart.wait_healthy()
    return (
        f"A's phones and the teacher's screen back on B {back:.1f} s after the kill, "
        f"results of question 2 {results:.1f} s after it; questions 2-3 reached every "
        f"phone; {checked}; host A started again"
    )


# --- Exports and the worker ----------


def _officer(drill) -> Browser:
    if getattr(drill, "officer", None) is None:
        drill.officer = Browser()
        drill.officer.sign_in(drill.host("A"), OFFICER, STAFF_PASSWORD)
    return drill.officer


def _export_ask(drill) -> int:
    officer = _officer(drill)
    page = officer.get(drill.host("A"), "/bao-cao/")
    period = re.search(r'name="ky" value="(\d+)"', page.text)
    unit = re.search(r'name="don-vi" value="(\d+)"', page.text)
    if page.status != 200 or not period or not unit:
        raise DrillError(f"the officer's report page: {page.status}, no export form")
    reply = officer.post(
        drill.host("A"),
        "/bao-cao/xuat/",
        {
            "csrfmiddlewaretoken": officer.form_token(page),
            "ky": period.group(1),
            "don-vi": unit.group(1),
            "format": "csv",
        },
        follow=False,
    )
    found = re.search(r"/bao-cao/xuat/(\d+)/", reply.headers.get("location", ""))
    if reply.status != 302 or not found:
        raise DrillError(f"the export was not queued ({reply.status})")
    return int(found.group(1))


def _export_status(drill, letter: str, export_id: int) -> dict:
    reply = _officer(drill).get(
        drill.host(letter), f"/bao-cao/xuat/{export_id}/?json=1"
    )
    if reply.status != 200:
        raise DrillError(f"the export's status on host {letter}: {reply.status}")
    return json.loads(reply.body)


def _export_done(drill, letter: str, export_id: int, seconds: float) -> dict:
    return wait_until(
        lambda: (
            (s := _export_status(drill, letter, export_id))["status"] == "done" and s
        ),
        seconds,
        f"export {export_id} made and shown done on host {letter}",
        0.25,
    )


def _download(drill, letter: str, export_id: int):
    return _officer(drill).get(
        drill.host(letter), f"/bao-cao/xuat/{export_id}/tai-ve/", follow=False
    )


def export_made(drill) -> str:
    """Asked on A, made by the worker, downloaded from B."""
    started = time.monotonic()
    export_id = _export_ask(drill)
    _export_done(drill, "B", export_id, 30)
    made = time.monotonic() - started
    reply = _download(drill, "B", export_id)
    if (
        reply.status != 200
        or not reply.body
        or "attachment" not in reply.headers.get("content-disposition", "")
    ):
        raise DrillError(f"the file did not download from B ({reply.status})")
    return (
        f"export {export_id} asked on A, made by the worker and shown done on B "
        f"{made:.1f} s later; {len(reply.body)} bytes downloaded from B"
    )


def worker_killed(drill) -> str:
    """The worker dies mid-export; the file is never half served; a new one makes it."""
    worker = drill.processes["worker"]
    worker.stop()
    export_id = _export_ask(drill)
    # Hold the run mid-way: the export reads its requester after claiming the
    # row, and the drill holds that table until the worker is dead.
    hold = psycopg.connect(**postgres.parameters(drill.database_url))
    try:
        hold.execute("LOCK TABLE lms_user IN ACCESS EXCLUSIVE MODE")
        worker.start("--sweep-every", "1")
        wait_until(
            lambda: (
                drill.sql(
                    "SELECT status FROM lms_reportexport WHERE id = %s", [export_id]
                )[0][0]
                == "running"
            ),
            60,
            "the new worker claiming the export",
        )
        worker.kill()
        killed = time.monotonic()
    finally:
        hold.rollback()
        hold.close()
    for letter in ("A", "B"):
        status = _export_status(drill, letter, export_id)["status"]
        reply = _download(drill, letter, export_id)
        if status != "running" or reply.status != 409:
            raise DrillError(
                f"while no worker runs it, host {letter} shows {status} and its "
                f"download answers {reply.status} (expected running, 409)"
            )
    worker.start("--sweep-every", "1")
    _export_done(drill, "B", export_id, 45)
    again = time.monotonic() - killed
    attempts = drill.sql(
        "SELECT attempts FROM lms_reportexport WHERE id = %s", [export_id]
    )[0][0]
    reply = _download(drill, "B", export_id)
    if reply.status != 200 or not reply.body:
        raise DrillError(f"the file made again did not download ({reply.status})")
    return (
        f"worker killed while making export {export_id}; meanwhile both hosts said "
        f"'running' and answered its download with 409 (not ready yet); a new worker "
        f"swept and made it {again:.1f} s after the kill (attempt {attempts}), "
        f"{len(reply.body)} bytes from B"
    )


# --- Redis and PostgreSQL ----------


def _health(drill, letter: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    status, body = http_status(drill.host(letter) + "/healthz", timeout=15)
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {}
    return status, answer, time.monotonic() - started


def _pages_serve(drill, letter: str) -> list[int]:
    return [
        http_status(drill.host(letter) + path, timeout=15)[0]
        for path in ("/", "/choi/", "/dang-nhap/")
    ]


def redis_outage(drill) -> str:
    """Redis dies mid-game and comes back: health, pages, the game, the answers."""
    game = Game(drill, "B")
    phones = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    measured = {}

    async def before():
        await game.seat(phones)
        await game.question(0, command="start")
        await game.results(0)
        for phone in game.phones:
            phone.hold_answers = True
        await game.question(1, command="next")
        await game.all_phones(lambda p: 1 in p.tapped, "the tap")

    _run(drill, before())
    drill.redis.kill()
    down = time.monotonic()
    problems = []
    for letter in ("A", "B"):
        status, answer, seconds = _health(drill, letter)
        measured[f"healthz {letter}"] = f"{status} in {seconds:.1f} s"
        if status != 503 or "redis" not in answer.get("down", []):
            problems.append(f"/healthz on {letter}: {status} {answer}")
        pages = _pages_serve(drill, letter)
        measured[f"pages {letter}"] = pages
        if any(code != 200 for code in pages):
            problems.append(f"pages on {letter} answered {pages} without Redis")

    async def taps_while_down():
        for phone in game.phones:
            await phone.release()
        await asyncio.sleep(2)

    _run(drill, taps_while_down())
    drill.redis.start()
    drill.officer = None  # signed out with the sessions Redis held
    back = time.monotonic()
    outage = back - down
    healthy = wait_until(
        lambda: (
            all(_health(drill, x)[0] == 200 for x in ("A", "B")) and time.monotonic()
        ),
        30,
        "/healthz 200 on both hosts after Redis returned",
    )
    # Sessions live in Redis: the teacher signs in again (the game itself is in
    # PostgreSQL and goes on from where it was).
    game.teacher.cookies.clear()
    game.teacher.sign_in(drill.host("B"), TEACHER, STAFF_PASSWORD)
    game.screen.cookie = game.teacher.cookies["sessionid"]

    async def after():
        await game.all_phones(lambda p: p.seated.is_set(), "seat after Redis", 40)
        seated = time.monotonic()
        await game.results(1, 40)
        revealed = time.monotonic()
        await game.question(2, command="next")
        await game.results(2)
        await game.end()
        return seated, revealed

    if problems:
        raise DrillError("; ".join(problems))
    seated, revealed = _run(drill, after(), 120)
    checked = game.answers_check()
    return (
        f"Redis down {outage:.1f} s: /healthz {measured['healthz A']} (A), "
        f"{measured['healthz B']} (B), naming Redis; pages {measured['pages A']} (A) "
        f"{measured['pages B']} (B); after its return: /healthz 200 in "
        f"{healthy - back:.1f} s, every phone seated in {seated - back:.1f} s, results "
        f"of the open question in {revealed - back:.1f} s; {checked}"
    )


def postgres_restart(drill) -> str:
    """PostgreSQL stops and starts under the running site; nothing is restarted."""
    cluster = drill.own_postgres
    worker_pid = drill.processes["worker"].process.pid
    cluster.stop()
    stopped = time.monotonic()
    problems = []
    seen = []
    for letter in ("A", "B"):
        status, body = http_status(drill.host(letter) + "/", timeout=20)
        seen.append(status)
        if status not in (500, 503) or b"Traceback" in body or b"<html" not in body:
            problems.append(f"a page on {letter} while PostgreSQL is down: {status}")
        health, answer, _seconds = _health(drill, letter)
        if health != 503 or "database" not in answer.get("down", []):
            problems.append(f"/healthz on {letter}: {health} {answer}")
    cluster.start()
    started = time.monotonic()
    failures = 0

    def serving():
        nonlocal failures
        codes = [http_status(drill.host(x) + "/")[0] for x in ("A", "B")]
        if all(code == 200 for code in codes):
            return True
        failures += 1
        return False

    wait_until(serving, 60, "pages after PostgreSQL returned", 0.2)
    recovered = time.monotonic() - started
    after = [
        http_status(drill.host(letter) + "/")[0]
        for letter in ("A", "B")
        for _ in range(15)
    ]
    if any(code != 200 for code in after):
        problems.append(f"requests after recovery failed: {after}")
    export_id = _export_ask(drill)
    _export_done(drill, "A", export_id, 30)
    if drill.processes["worker"].process.pid != worker_pid:
        problems.append("the worker was restarted")
    if problems:
        raise DrillError("; ".join(problems))
    return (
        f"PostgreSQL stopped {started - stopped:.1f} s: pages answered {seen} (the "
        f"site's error page), /healthz 503 naming the database; serving again "
        f"{recovered:.1f} s after its start ({failures} failed polls), then 30 of 30 "
        f"requests ok; the same worker made a new export"
    )
