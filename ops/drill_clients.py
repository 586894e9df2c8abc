"""The people of the two-hosts drill: a browser, a teacher's screen, children's phones.

Plain HTTP and websocket clients that behave as the product's pages and scripts
do (``quizzes/static/quizzes/live_common.js`` and ``live_player.js``): a phone
says ``hello`` with its stored seat token, keeps an answer until it is
acknowledged and sends it again after every reconnect, and reconnects after a
short wait when its socket closes. Each client talks to one host address at a
time; the drill moves them between hosts (a proxy sending them elsewhere after a
host died). Imports no app: the drill tests the processes from outside.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

SOCKET_OPEN_SECONDS = 10
RECONNECT_SECONDS = 0.3


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _headers(response) -> dict[str, str]:
    """The response's headers, by lower-case name (uvicorn sends them so)."""
    return {name.lower(): value for name, value in response.headers.items()}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: cookies kept by hand, sent to whichever host is asked.

    The sites' cookies are ``Secure`` (production settings), which a standard
    cookie jar would not send over the drill's plain HTTP; the drill stands
    where the TLS proxy would.
    """

    def __init__(self, timeout: float = 15):
        self.cookies: dict[str, str] = {}
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(
        self, base: str, path: str, data: dict | None = None, *, follow=True
    ) -> Reply:
        url = path if path.startswith("http") else base + path
        for _hop in range(5):
            body = urllib.parse.urlencode(data).encode() if data is not None else None
            request = urllib.request.Request(url, data=body)  # noqa: S310 - http only
            if self.cookies:
                request.add_header(
                    "Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                )
            if data is not None:
                request.add_header("Origin", base)
                request.add_header("Referer", url)
                token = self.cookies.get("csrftoken")
                if token:
                    request.add_header("X-CSRFToken", token)
            try:
                response = self.opener.open(request, timeout=self.timeout)
                reply = Reply(response.status, response.read(), _headers(response), url)
                cookie_headers = response.headers.get_all("Set-Cookie") or []
            except urllib.error.HTTPError as error:
                reply = Reply(error.code, error.read(), _headers(error), url)
                cookie_headers = error.headers.get_all("Set-Cookie") or []
            for header in cookie_headers:
                name, _sep, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            location = reply.headers.get("location")
            if not follow or reply.status not in (301, 302, 303) or not location:
                return reply
            url = urllib.parse.urljoin(url, location)
            data = None
        return reply

    def get(self, base: str, path: str, **options) -> Reply:
        return self.request(base, path, **options)

    def post(self, base: str, path: str, data: dict, **options) -> Reply:
        if "csrftoken" not in self.cookies:
            self.get(base, path)
        return self.request(base, path, data, **options)

    def sign_in(self, base: str, username: str, password: str) -> None:
        page = self.get(base, "/dang-nhap/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        reply = self.post(
            base,
            "/dang-nhap/",
            {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": username,
                "password": password,
            },
            follow=False,
        )
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in ({reply.status})")

    def form_token(self, page: Reply) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return found.group(1) if found else self.cookies.get("csrftoken", "")


def _ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://", 1) + path


@dataclass
class Phone:
    """A child's phone in a live game: ``live_player.js`` over one host address."""

    name: str
    base: str
    pin: str
    token: str | None = None
    seq: int = 0
    pending: dict | None = None
    seated: asyncio.Event = field(default_factory=asyncio.Event)
    questions_seen: set[int] = field(default_factory=set)
    tapped: dict[int, str] = field(default_factory=dict)  # index -> client id
    acked: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)  # client id -> code
    reconnects: int = 0
    resent: int = 0
    ended: bool = False
    answer_after: float = 0.2
    hold_answers: bool = False  # tap, but keep the answer until released
    socket: object = None
    task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self.run())

    async def stop(self) -> None:
        self.ended = True
        if self.socket is not None:
            await self.socket.close()
        if self.task is not None:
            self.task.cancel()

    async def run(self) -> None:
        import websockets

        while not self.ended:
            try:
                async with websockets.connect(
                    _ws_url(self.base, f"/ws/choi/{self.pin}/"),
                    origin=self.base,
                    open_timeout=SOCKET_OPEN_SECONDS,
                    ping_interval=None,
                ) as socket:
                    self.socket = socket
                    await socket.send(
                        json.dumps({"type": "hello", "token": self.token})
                    )
                    if self.pending is not None and not self.hold_answers:
                        self.resent += 1
                        await socket.send(json.dumps(self.pending))
                    async for raw in socket:
                        await self.handle(json.loads(raw))
                    if socket.close_code and 4400 <= socket.close_code < 4500:
                        self.ended = True
            except (OSError, TimeoutError, websockets.WebSocketException):
                pass
            self.socket = None
            self.seated.clear()
            if self.ended:
                break
            self.reconnects += 1
            await asyncio.sleep(RECONNECT_SECONDS)

    async def send(self, message: dict) -> None:
        socket = self.socket
        if socket is None:
            return  # not open: it goes after reconnecting
        # Closed under us: the answer is resent after reconnecting.
        with contextlib.suppress(Exception):
            await socket.send(json.dumps(message))

    async def handle(self, message: dict) -> None:
        kind = message.get("type")
        seq = message.get("seq")
        if isinstance(seq, int):
            if kind != "sync" and self.seq and seq > self.seq + 1:
                await self.send({"type": "sync"})
            self.seq = max(self.seq, seq)
        if kind == "welcome":
            self.token = message.get("token") or self.token
        elif kind == "sync":
            self.seated.set()
            current = message.get("current") or {}
            if (message.get("you") or {}).get("answered_current"):
                question = current.get("question") or {}
                self.tapped.setdefault(question.get("index", -1), "")
            await self.handle_current(current)
        elif kind == "ack":
            self.acked.add(message.get("client_id", ""))
            if self.pending and self.pending["client_id"] == message.get("client_id"):
                self.pending = None
        elif kind == "refused":
            client_id = message.get("client_id") or ""
            self.refused[client_id] = message.get("code", "")
            if self.pending and self.pending["client_id"] == client_id:
                self.pending = None
        else:
            await self.handle_current(message)

    async def handle_current(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "ended":
            self.ended = True
        if kind != "question" or message.get("phase") != "question":
            return
        question = message["question"]
        index = question["index"]
        self.questions_seen.add(index)
        if index in self.tapped:
            return
        client_id = str(uuid.uuid4())
        self.tapped[index] = client_id
        self.pending = {
            "type": "answer",
            "index": index,
            "choice_ids": [question["choices"][0]["id"]],
            "client_id": client_id,
        }
        await asyncio.sleep(self.answer_after)
        if not self.hold_answers:
            await self.send(self.pending)

    async def release(self) -> None:
        """Send the answer kept back (the tap that is in flight when a host dies)."""
        self.hold_answers = False
        if self.pending is not None:
            await self.send(self.pending)

    def answers_sent(self) -> set[str]:
        return {client_id for client_id in self.tapped.values() if client_id}


class HostScreen:
    """The teacher's control view: a signed-in session's socket on one host."""

    def __init__(self, base: str, session_id: int, session_cookie: str):
        self.base = base
        self.session_id = session_id
        self.cookie = session_cookie
        self.messages: asyncio.Queue = asyncio.Queue()
        self.socket = None
        self.stopped = False
        self.reconnects = 0
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self.run())

    async def run(self) -> None:
        import websockets

        while not self.stopped:
            try:
                async with websockets.connect(
                    _ws_url(self.base, f"/ws/choi/{self.session_id}/dieu-khien/"),
                    origin=self.base,
                    open_timeout=SOCKET_OPEN_SECONDS,
                    ping_interval=None,
                    additional_headers={"Cookie": f"sessionid={self.cookie}"},
                ) as socket:
                    self.socket = socket
                    async for raw in socket:
                        await self.messages.put(json.loads(raw))
            except (OSError, TimeoutError, websockets.WebSocketException):
                pass
            self.socket = None
            if self.stopped:
                break
            self.reconnects += 1
            await asyncio.sleep(RECONNECT_SECONDS)

    async def stop(self) -> None:
        self.stopped = True
        if self.socket is not None:
            await self.socket.close()
        if self.task is not None:
            self.task.cancel()

    async def command(self, kind: str) -> bool:
        socket = self.socket
        if socket is None:
            return False
        try:
            await socket.send(json.dumps({"type": kind}))
        except Exception:  # noqa: BLE001 - closed under us: the caller tries again
            return False
        return True

    async def wait_for(self, test, seconds: float, *, resend: str | None = None):
        """The first message for which ``test`` holds; resend a command every
        few seconds (a tap lost with a dying host is tapped again)."""
        deadline = time.monotonic() + seconds
        tapped_at = time.monotonic()
        while time.monotonic() < deadline:
            try:
                message = await asyncio.wait_for(self.messages.get(), 0.5)
            except TimeoutError:
                message = None
            if message is not None and test(message):
                return message
            if resend and time.monotonic() - tapped_at > 3:
                tapped_at = time.monotonic()
                await self.command(resend)
        raise TimeoutError(f"the host's screen did not show it within {seconds:g} s")


def shown(message: dict) -> tuple[str, int | None]:
    """What a host message (or the state in a ``sync``) shows: type and index."""
    if message.get("type") == "sync":
        message = message.get("current") or {}
    kind = message.get("type", "")
    if kind == "question":
        return kind, message["question"]["index"]
    return kind, message.get("index")
