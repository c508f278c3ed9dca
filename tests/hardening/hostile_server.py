"""A hostile stand-in for the Hub, the inference router and the Endpoints API.

One aiohttp server on loopback, in a thread with its own event loop. By
default every request is forwarded to an upstream (the friendly emulator), so
the app works normally (URLs in its JSON answers are rewritten to lead back
here, so calls to a deployed endpoint pass through too); tests then *override* single routes with hostile or
broken answers:

    hostile = HostileServer(upstream_url).start()
    hostile.on("GET", r"/v2/endpoint/[^/]+$", json_reply({"items": [...]}))
    hostile.on("GET", r"/api/models$", hang(), times=1)     # only the next request
    hostile.count("POST", r"/pause$")                        # requests seen, for "applied once"

Handlers are ``async (request) -> web.StreamResponse``; the factories below
build the usual ones (JSON, raw bytes, HTML page, never answer, drop the
connection, SSE streams that are endless / cut / hostile, fail N times then
pass through). ``await upstream_json(request)`` gets the emulator's answer to
poison it while keeping its shape.

The server never sees or stores the token: the request log keeps method,
path, query and body only.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientConnectionResetError, ClientSession, ClientTimeout, web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_HOP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive"}
_UPSTREAM_KEY = web.AppKey("upstream", ClientSession)
_SERVER_KEY = web.AppKey("server", object)
_BODY_KEY = web.RequestKey("body", bytes) if hasattr(web, "RequestKey") else "body"


@dataclass
class Seen:
    method: str
    path: str
    query: str
    body: bytes
    authorized: bool = False
    """An ``Authorization`` header came with it (its value is never kept)."""


@dataclass
class Override:
    method: str
    path: re.Pattern
    handler: Handler
    times: int | None
    hits: int = 0


@dataclass
class HostileServer:
    upstream: str
    """Base URL requests are forwarded to when no override matches."""
    base_url: str = ""
    seen: list[Seen] = field(default_factory=list)
    _overrides: list[Override] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- control (test thread) -------------------------------------------------------

    def on(self, method: str, path: str, handler: Handler, *, times: int | None = None) -> HostileServer:
        """Answer ``method`` requests whose path matches ``path`` (regex, searched) with ``handler``.

        Newest override wins; ``times`` limits how many requests it answers.
        """
        with self._lock:
            self._overrides.insert(0, Override(method.upper(), re.compile(path), handler, times))
        return self

    def clear(self) -> None:
        with self._lock:
            self._overrides.clear()

    def count(self, method: str, path: str) -> int:
        rx = re.compile(path)
        with self._lock:
            return sum(1 for s in self.seen if s.method == method.upper() and rx.search(s.path))

    def requests(self, method: str, path: str) -> list[Seen]:
        rx = re.compile(path)
        with self._lock:
            return [s for s in self.seen if s.method == method.upper() and rx.search(s.path)]

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> HostileServer:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._error: BaseException | None = None

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._serve(ready))
            except BaseException as exc:  # noqa: BLE001 - reported by start()
                self._error = exc
                ready.set()
            finally:
                pending = asyncio.all_tasks(self._loop)
                for task in pending:
                    task.cancel()
                if pending:
                    self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                self._loop.close()

        self._thread = threading.Thread(target=run, name="hostile-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if self._error is not None:
            raise RuntimeError(f"hostile server did not start: {self._error!r}")
        return self

    async def _serve(self, ready: threading.Event) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        session = ClientSession(timeout=ClientTimeout(total=None, sock_read=None), auto_decompress=False)
        app[_UPSTREAM_KEY] = session
        app[_SERVER_KEY] = self
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        self._stop = asyncio.get_running_loop().create_future()
        ready.set()
        try:
            await self._stop
        finally:
            await session.close()
            await runner.cleanup()

    def close(self) -> None:
        loop = getattr(self, "_loop", None)
        if loop is None or loop.is_closed():
            return

        def finish() -> None:
            if not self._stop.done():
                self._stop.set_result(None)

        try:
            loop.call_soon_threadsafe(finish)
        except RuntimeError:
            return
        self._thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- serving ---------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        request[_BODY_KEY] = body
        secret = bearer(request)  # a poisoned name coming back in a path or body may hold it: not kept
        with self._lock:
            self.seen.append(Seen(request.method, _forget(request.path, secret), _forget(request.query_string, secret),
                                  _forget(body, secret), "authorization" in request.headers))
            chosen = None
            for o in self._overrides:
                if o.method in (request.method, "*") and o.path.search(request.path):
                    if o.times is not None and o.hits >= o.times:
                        continue
                    o.hits += 1
                    chosen = o
                    break
        try:
            if chosen is not None:
                return await chosen.handler(request)
            return await proxy(request)
        except (ConnectionError, ClientConnectionResetError):
            # the client went away (cancelled run, timeout): expected here, keep the log quiet
            raise asyncio.CancelledError from None


# --- talking to the upstream -------------------------------------------------------------------

async def proxy(request: web.Request) -> web.StreamResponse:
    """Forward ``request`` to the upstream emulator and stream its answer back."""
    session = request.app[_UPSTREAM_KEY]
    server: HostileServer = _server_of(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
    url = server.upstream + request.rel_url.path_qs
    async with session.request(request.method, url, headers=headers, data=request.get(_BODY_KEY) or None,
                               allow_redirects=False) as up:
        if up.headers.get("content-type", "").startswith("application/json") and not up.headers.get("content-encoding"):
            # URLs the upstream hands out (an endpoint's status.url) must lead back here too
            body = (await up.read()).replace(server.upstream.encode(), server.base_url.encode())
            keep = {k: v for k, v in up.headers.items() if k.lower() not in _HOP}
            return web.Response(status=up.status, body=body, headers=keep)
        out = web.StreamResponse(status=up.status, reason=up.reason)
        for k, v in up.headers.items():
            if k.lower() not in _HOP:
                out.headers.add(k, v)
        if up.headers.get("content-encoding"):
            out.headers["Content-Encoding"] = up.headers["content-encoding"]
        await out.prepare(request)
        async for chunk in up.content.iter_any():
            await out.write(chunk)
        await out.write_eof()
        return out


async def upstream_json(request: web.Request, path: str | None = None) -> tuple[int, Any]:
    """The upstream's (status, JSON) for this request (or for ``path`` with GET)."""
    session = request.app[_UPSTREAM_KEY]
    server = _server_of(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
    method = "GET" if path else request.method
    url = server.upstream + (path or request.rel_url.path_qs)
    async with session.request(method, url, headers=headers, data=None if path else (request.get(_BODY_KEY) or None),
                               allow_redirects=False) as up:
        raw = (await up.read()).replace(server.upstream.encode(), server.base_url.encode())
        return up.status, (json.loads(raw) if raw else None)


def _forget(value, secret: str):
    """``value`` (str or bytes) with ``secret`` masked in any letter case."""
    if not secret or len(secret) < 4:
        return value
    if isinstance(value, bytes):
        return re.sub(re.escape(secret.encode()), b"***", value, flags=re.IGNORECASE)
    return re.sub(re.escape(secret), "***", value, flags=re.IGNORECASE)


def _server_of(request: web.Request) -> HostileServer:
    return request.app[_SERVER_KEY]  # type: ignore[return-value]


# --- answer factories ---------------------------------------------------------------------------

def json_reply(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        payload = obj(request) if callable(obj) else obj
        if asyncio.iscoroutine(payload):
            payload = await payload
        return web.Response(status=status, body=json.dumps(payload).encode(), content_type="application/json",
                            headers=headers)

    return handler


def raw_reply(body: bytes, *, status: int = 200, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        h = {"Content-Type": content_type, **(headers or {})}
        return web.Response(status=status, body=body, headers=h)

    return handler


HTML_PAGE = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style>"
             b"<script>alert(1)</script></head><body><h1>[bold]Bad[/bold] Gateway</h1>"
             b"<p>\x1b[2Jcloudfront</p></body></html>")


def html_reply(status: int = 502) -> Handler:
    return raw_reply(HTML_PAGE, status=status, content_type="text/html; charset=utf-8")


def raw_http(data: bytes) -> Handler:
    """Write ``data`` (status line, headers, body: anything, even illegal) on the socket and close it."""
    async def handler(request: web.Request) -> web.StreamResponse:
        transport = request.transport
        if transport is not None:
            transport.write(data)
            await asyncio.sleep(0.02)
            transport.close()
        await asyncio.sleep(0.05)
        return web.Response(status=204)

    return handler


def endless_body(content_type: str = "application/json") -> Handler:
    """A 200 whose body never ends (chunked, ``[`` then endless items)."""
    async def handler(request: web.Request) -> web.StreamResponse:
        out = web.StreamResponse(status=200, headers={"Content-Type": content_type})
        await out.prepare(request)
        await out.write(b"[")
        chunk = b'{"label": "x", "score": 0.5},' * 2000
        while True:
            await out.write(chunk)
            await asyncio.sleep(0)

    return handler


def hang() -> Handler:
    """Accept the request and never send a byte (until the client gives up)."""
    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    return handler


def drop() -> Handler:
    """Close the connection without an answer."""
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.transport is not None:
            request.transport.abort()
        await asyncio.sleep(0.05)
        return web.Response(status=500)

    return handler


def fail_then_pass(status: int, times: int, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    """``status`` (JSON error body) for the first ``times`` requests, then the upstream's answer."""
    state = {"n": 0}
    payload = body if body is not None else {"error": "Internal Server Error"}

    async def handler(request: web.Request) -> web.StreamResponse:
        state["n"] += 1
        if state["n"] <= times:
            return web.Response(status=status, body=json.dumps(payload).encode(), content_type="application/json",
                                headers=headers)
        return await proxy(request)

    return handler


def sse_reply(events: Iterable[str | bytes], *, then: str = "end", delay: float = 0.0,
              status: int = 200) -> Handler:
    """An SSE stream of ``data: <event>`` lines; ``then`` = ``end`` | ``drop`` | ``hang`` | ``endless``.

    ``endless``: after the events, one more token every ``delay`` (or 5 ms) forever.
    """
    async def handler(request: web.Request) -> web.StreamResponse:
        out = web.StreamResponse(status=status, headers={"Content-Type": "text/event-stream"})
        await out.prepare(request)
        for ev in events:
            data = ev if isinstance(ev, bytes) else f"data: {ev}\n\n".encode()
            await out.write(data)
            if delay:
                await asyncio.sleep(delay)
        if then == "drop":
            await asyncio.sleep(0.05)
            if request.transport is not None:
                request.transport.abort()
            return out
        if then == "hang":
            await asyncio.sleep(3600)
        if then == "endless":
            i = 0
            while True:
                i += 1
                await out.write(f"data: {chat_chunk(' tok' + str(i))}\n\n".encode())
                await asyncio.sleep(delay or 0.005)
        await out.write_eof()
        return out

    return handler


def chat_chunk(text: str, finish: str | None = None, model: str = "m") -> str:
    """One OpenAI-style ``chat.completion.chunk`` (JSON text)."""
    return json.dumps({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": model,
                       "choices": [{"index": 0, "delta": {"role": "assistant", "content": text},
                                    "finish_reason": finish}]})


def tgi_token(text: str, generated: str | None = None) -> str:
    """One TGI ``generate_stream`` event (JSON text)."""
    return json.dumps({"index": 1, "token": {"id": 1, "text": text, "logprob": -0.1, "special": False},
                       "generated_text": generated, "details": None})


def drip(body: bytes, interval: float, *, content_type: str = "application/json") -> Handler:
    """A 200 whose body comes one byte every ``interval`` seconds (whitespace first, then ``body``).

    Each byte resets a per-read timeout: only a total deadline ends it early.
    """
    async def handler(request: web.Request) -> web.StreamResponse:
        out = web.StreamResponse(status=200, headers={"Content-Type": content_type})
        await out.prepare(request)
        for i in range(len(body)):
            await out.write(body[i:i + 1])
            await asyncio.sleep(interval)
        await out.write_eof()
        return out

    return handler


def echo_token(reply: Callable[[str], tuple[int, Any, dict[str, str]]]) -> Handler:
    """Answer with whatever ``reply(token)`` builds from the request's own ``Authorization`` token.

    For "a server echoes the token back": ``reply`` gets the bare token ("" if none was sent) and
    returns (status, JSON body, headers). Nothing is kept.
    """
    async def handler(request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else auth
        status, payload, headers = reply(token)
        return web.Response(status=status, body=json.dumps(payload).encode(), content_type="application/json",
                            headers=headers)

    return handler


# --- round 2 (issue 9): trickles, echoed tokens, idle streams, endless text ---------------------

def raw_trickle(data: bytes, every: float, *, step: int = 1) -> Handler:
    """Write ``data`` (a raw HTTP answer: status line, headers, body) ``step`` bytes every ``every``
    seconds, then close. Every single read gets a byte in time; the whole answer takes forever."""
    async def handler(request: web.Request) -> web.StreamResponse:
        transport = request.transport
        for i in range(0, len(data), step):
            if transport is None or transport.is_closing():
                break
            transport.write(data[i:i + step])
            await asyncio.sleep(every)
        if transport is not None:
            transport.close()
        await asyncio.sleep(0.05)
        return web.Response(status=204)

    return handler


def http_answer(body: bytes, *, status: str = "200 OK", content_type: str = "application/json",
                headers: dict[str, str] | None = None, content_length: int | None = None) -> bytes:
    """A raw HTTP/1.1 answer (for :func:`raw_http` / :func:`raw_trickle`); ``content_length`` may lie."""
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}",
             f"Content-Length: {len(body) if content_length is None else content_length}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def echo_auth(status: int = 500, *, transform: Callable[[str], str] = lambda s: s,
              headers: Iterable[str] = ("x-request-id", "x-error-message"), body: bool = True,
              sse: bool = False) -> Handler:
    """Echo the request's bearer token (``transform``-ed, e.g. ``str.upper``) in ``headers`` and the
    body's error message: what a careless or hostile server does. The token is not kept.

    ``sse``: a 200 SSE stream whose one event is an in-stream error carrying the token."""
    async def handler(request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("authorization", "")
        secret = transform(auth.split(" ", 1)[1] if " " in auth else auth)
        if sse:
            out = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream",
                                                          "X-Request-Id": f"req-{_header_safe(secret)}"})
            await out.prepare(request)
            await out.write(f"data: {chat_chunk('hello ')}\n\n".encode())
            event = {"error": f"bad token {secret}", "error_type": f"t-{secret}"}
            await out.write(f"data: {json.dumps(event)}\n\n".encode())
            await out.write_eof()
            return out
        h = {name: f"echo {_header_safe(secret)}" for name in headers}
        payload = {"error": f"Invalid credentials in Authorization: Bearer {secret}",
                   "detail": secret} if body else {}
        return web.Response(status=status, body=json.dumps(payload).encode(), content_type="application/json",
                            headers=h)

    return handler


def _header_safe(value: str) -> str:
    """What a header can carry (printable ASCII): the server would refuse to send anything else."""
    return "".join(ch for ch in value if " " <= ch <= "~")


def sse_idle(events: Iterable[str] = (), *, filler: bytes = b":\n\n", every: float = 0.01) -> Handler:
    """SSE: ``events`` (``data:`` lines) then ``filler`` forever: comments, empty ``data:`` lines,
    ``data: {}``... each read brings bytes, none of them brings text."""
    async def handler(request: web.Request) -> web.StreamResponse:
        out = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream"})
        await out.prepare(request)
        for ev in events:
            await out.write(f"data: {ev}\n\n".encode())
        while True:
            await out.write(filler)
            await asyncio.sleep(every)

    return handler


def endless_lines(line: bytes = b"log line\n", *, every: float = 0.005,
                  content_type: str = "text/plain; charset=utf-8") -> Handler:
    """A 200 text body of numbered lines that never ends (``every`` seconds between lines)."""
    async def handler(request: web.Request) -> web.StreamResponse:
        out = web.StreamResponse(status=200, headers={"Content-Type": content_type})
        await out.prepare(request)
        i = 0
        while True:
            i += 1
            await out.write(b"%d " % i + line)
            await asyncio.sleep(every)

    return handler


# --- a poisoned upstream (issue 9, "Done when": the pty walk) -----------------------------------
#
# The friendly emulator's answers, with every string the app may show made hostile: markup, a
# ``[`` cut in half, terminal escapes whose payloads are unique words (so a test can look for them
# in what reached the terminal), and the very token the request carried. Requests coming back with
# a poisoned name (an endpoint, a namespace, a model id) are un-poisoned before they go upstream, so
# the app keeps working on top of hostile data.

SERVER_MARKS = ("SERVERCLIP", "SERVERTITLE", "SERVERDCS", "SERVERC1", "SERVERAPC")
"""Payload words of the server's escape sequences: none may reach the terminal, in any form."""

SERVER_ESCAPES = ("\x1b]52;c;SERVERCLIP\x07"   # OSC 52: write the user's clipboard
                  "\x1b]0;SERVERTITLE\x07"     # OSC 0: the window title
                  "\x1b[2J\x1b[4242;4242H"     # CSI: clear the screen, move the cursor (off any screen)
                  "\x1b[21t"                   # CSI: report the window title (answers into stdin)
                  "\x1bPSERVERDCS\x1b\\"       # DCS ... ST
                  "\x1b_SERVERAPC\x1b\\"       # APC ... ST (kitty graphics and friends)
                  "\x9b2J"                     # 8-bit CSI
                  "\x9d0;SERVERC1\x9c")        # 8-bit OSC ... 8-bit ST
"""The server's escape sequences (7-bit and 8-bit C1), each with a unique payload."""

POISON_MARK = "[link=https://x]"
"""Where the poison starts in a poisoned string (markup that must stay literal)."""


def poison_suffix(token: str) -> str:
    """What :func:`poison` appends: markup, a ``[`` cut in half, the escapes, the echoed token."""
    return f"{POISON_MARK}L[/link][@click=app.quit]Q[/] [b{SERVER_ESCAPES} {token} ["


def poison(value: str, token: str) -> str:
    return value + poison_suffix(token)


def unpoison(value: str, token: str) -> str:
    """``value`` with every poison suffix taken out again (exactly as :func:`poison` made it)."""
    return value.replace(poison_suffix(token), "")


POISON_KEEP = frozenset({
    # structure the app (rightly) needs to work at all: enums, ids, dates, tasks, states of providers
    "_id", "type", "pipeline_tag", "inference", "task", "status", "framework", "accelerator", "revision", "sha",
    "createdAt", "updatedAt", "lastModified", "periodEnd", "gated", "object", "roleInOrg",
    "healthRoute", "metric", "instanceSize", "vendor", "private", "finish_reason", "model_type",
})
"""Keys whose string values :func:`poison_json` leaves alone (``status`` only where it is a string)."""

POISON_KEYS_OF = frozenset({"inferenceProviderMapping"})
"""Objects whose *keys* are server words shown to the user (provider names): poisoned too."""


def poison_json(obj: Any, token: str, *, keep: frozenset[str] = POISON_KEEP, only: frozenset[str] | None = None,
                _key: str | None = None) -> Any:
    """``obj`` with every string poisoned but those under a ``keep`` key (given ``only``: just those
    under an ``only`` key). A list of strings keeps its items and gains a poisoned one (tags:
    ``conversational`` must stay findable)."""
    if isinstance(obj, dict):
        rename = only is None and _key in POISON_KEYS_OF
        return {(poison(k, token) if rename else k): poison_json(v, token, keep=keep, only=only, _key=k)
                for k, v in obj.items()}
    if isinstance(obj, list):
        items = [poison_json(v, token, keep=keep, only=only, _key=_key) for v in obj]
        if obj and all(isinstance(v, str) for v in obj) and _wanted(_key, keep, only):
            return [*obj, poison(obj[0], token)]
        return items
    if isinstance(obj, str) and _key is not None and obj and _wanted(_key, keep, only):
        return poison(obj, token)
    return obj


def _wanted(key: str | None, keep: frozenset[str], only: frozenset[str] | None) -> bool:
    if only is not None:
        return key in only
    return key not in keep


def _unpoison_json(obj: Any, token: str) -> Any:
    if isinstance(obj, dict):
        return {unpoison(k, token): _unpoison_json(v, token) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unpoison_json(v, token) for v in obj if not (isinstance(v, str) and poison_suffix(token) in v
                                                              and unpoison(v, token) == "")]
    return unpoison(obj, token) if isinstance(obj, str) else obj


def bearer(request: web.Request) -> str:
    """The bearer token the request carried ("" if none); never stored."""
    auth = request.headers.get("authorization", "")
    return auth.split(" ", 1)[1] if " " in auth else auth


def echo_headers(token: str) -> dict[str, str]:
    """Headers echoing the token, as a careless server does (header values: printable ASCII only)."""
    return {"X-Request-Id": _header_safe(f"req-{token}-{POISON_MARK}"),
            "X-Error-Message": _header_safe(f"echo {token.upper()} [@click=app.quit]Q[/] [b")}


async def upstream_unpoisoned(request: web.Request) -> tuple[int, dict[str, str], bytes]:
    """The upstream's (status, headers, body) for ``request`` with the poison taken out of its path,
    query and JSON body: what the emulator answers for the names it really has."""
    from urllib.parse import unquote

    session = request.app[_UPSTREAM_KEY]
    server = _server_of(request)
    token = bearer(request)
    path = unpoison(unquote(request.raw_path), token)
    body = request.get(_BODY_KEY) or b""
    if body and token:
        try:
            body = json.dumps(_unpoison_json(json.loads(body), token)).encode()
        except ValueError:
            pass
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
    from yarl import URL

    url = URL(server.upstream + path, encoded=False)
    async with session.request(request.method, url, headers=headers, data=body or None,
                               allow_redirects=False) as up:
        raw = (await up.read()).replace(server.upstream.encode(), server.base_url.encode())
        keep = {k: v for k, v in up.headers.items() if k.lower() not in _HOP}
        return up.status, keep, raw


def poisoned_json(*, keep: frozenset[str] = POISON_KEEP, only: frozenset[str] | None = None,
                  edit: Callable[[Any, str], Any] | None = None) -> Handler:
    """The upstream's JSON answer with its strings poisoned (:func:`poison_json`), the token echoed
    in its headers; ``edit(body, token)`` may change the poisoned body further (an URL of one's own)."""
    async def handler(request: web.Request) -> web.StreamResponse:
        token = bearer(request)
        status, headers, raw = await upstream_unpoisoned(request)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return web.Response(status=status, body=raw, headers=headers)
        body = poison_json(body, token, keep=keep, only=only)
        if edit is not None:
            body = edit(body, token)
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        return web.Response(status=status, body=json.dumps(body).encode(), content_type="application/json",
                            headers={**headers, **echo_headers(token)})

    return handler


def poisoned_text() -> Handler:
    """The upstream's text answer (logs) with every line poisoned."""
    async def handler(request: web.Request) -> web.StreamResponse:
        token = bearer(request)
        status, headers, raw = await upstream_unpoisoned(request)
        lines = raw.decode("utf-8", "replace").splitlines()
        # a model card's front matter fences stay as they are, so the card still parses
        text = "".join((line if line == "---" else poison(line, token)) + "\n" for line in lines)
        return web.Response(status=status, body=text.encode(), headers={
            "Content-Type": headers.get("Content-Type", "text/plain; charset=utf-8"), **echo_headers(token)})

    return handler


STREAM_TEXT_KEYS = frozenset({"content", "text", "generated_text", "reasoning_content"})


def poisoned_stream(*, only: frozenset[str] = STREAM_TEXT_KEYS) -> Handler:
    """The upstream's SSE stream (chat or TGI) with the text of every event poisoned; a JSON answer
    (no stream) is poisoned as :func:`poisoned_json` does."""
    async def handler(request: web.Request) -> web.StreamResponse:
        token = bearer(request)
        status, headers, raw = await upstream_unpoisoned(request)
        ctype = headers.get("Content-Type", "")
        if not ctype.startswith("text/event-stream"):
            try:
                body = poison_json(json.loads(raw), token, only=only) if raw else None
            except ValueError:
                return web.Response(status=status, body=raw, headers=headers)
            return web.Response(status=status, body=json.dumps(body).encode(), content_type="application/json",
                                headers=echo_headers(token))
        out = web.StreamResponse(status=status, headers={"Content-Type": "text/event-stream",
                                                         **echo_headers(token)})
        await out.prepare(request)
        for line in raw.decode("utf-8", "replace").split("\n"):
            if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
                try:
                    line = "data: " + json.dumps(poison_json(json.loads(line[5:]), token, only=only))
                except ValueError:
                    pass
            await out.write((line + "\n").encode())
        await out.write_eof()
        return out

    return handler


def poisoned_error(status: int = 500, what: str = "the server failed") -> Handler:
    """An error answer whose message, detail and request id are poisoned and echo the token."""
    async def handler(request: web.Request) -> web.StreamResponse:
        token = bearer(request)
        payload = {"error": poison(what, token), "error_type": poison("bad", token.upper()),
                   "detail": poison(f"Authorization: Bearer {token}", token)}
        return web.Response(status=status, body=json.dumps(payload).encode(), content_type="application/json",
                            headers=echo_headers(token))

    return handler


def install_poisoned_upstream(server: HostileServer, *,
                              endpoint_edit: Callable[[Any, str], Any] | None = None) -> HostileServer:
    """Poison every answer ``server`` forwards: the Hub (whoami, models, model info, cards), the
    Endpoints API (lists, one endpoint, catalog, actions, logs), the router and deployed endpoints
    (JSON answers and SSE streams). ``endpoint_edit(body, token)`` may adjust the Endpoints API's
    poisoned answers (keep one endpoint usable, give one a URL of the test's choosing).

    Tests add their own overrides on top (newest wins): error answers for chosen requests..."""
    server.on("GET", r"^/api/", poisoned_json())
    server.on("GET", r"/README\.md$", poisoned_text())
    server.on("*", r"^/v2/", poisoned_json(edit=endpoint_edit))
    server.on("GET", r"^/v2/endpoint/.+/logs$", poisoned_text())
    server.on("POST", r"/v1/chat/completions$", poisoned_stream())
    server.on("POST", r"^/hf-inference/", poisoned_stream())
    server.on("*", r"^/_ep/", poisoned_stream())
    return server
