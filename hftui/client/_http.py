"""The only module that knows the HTTP library (httpx2).

Everything else in the client talks to :class:`Http` and duck-types the
responses (``status_code``, ``headers``, ``content``, ``url``) so swapping the
library means rewriting this file only. Only the client's typed errors leave
this module: transport failures as :class:`~hftui.client.errors.Timeout` /
:class:`ConnectionFailed`, a header that cannot be sent as ``BadRequest``, a
redirect not followed as ``RedirectError`` — never ``InvalidURL``,
``ValueError`` or whatever else the library stack raises.

Deadlines. httpx's timeouts are per phase and per read: a server sending one
byte every few seconds never trips them. So every call also has a *total*
deadline (connect + first byte + whole body) of its timeout, and a stream has
a :class:`StreamClock`: a stall deadline between events that carry something
(keep-alives and empty events do not count), a cap on the bytes received
without any, and a total cap.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx2

from hftui import __version__
from hftui.client._wire import request_id
from hftui.client.errors import BadRequest, ConnectionFailed, HFError, InvalidResponse, RedirectError, Timeout
from hftui.sanitize import safe_url

USER_AGENT = f"hftui/{__version__}"
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
DEADLINE_GRACE = 0.1
"""The total deadline fires this much after the call's timeout, so when one phase alone used the
time up (connecting, the first byte), httpx's own timeout names it: a connect timeout means the
request was never sent, which callers rely on."""

Response = httpx2.Response
MockTransport = httpx2.MockTransport
"""Re-exported for tests: ``Http(transport=MockTransport(handler))``."""
MockResponse = httpx2.Response


def origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) lower-cased: what "same host" means for tokens and redirects.

    A URL that does not parse has an origin no other URL shares (never trusted, never "same host").
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "invalid", url
    return parts.scheme.lower(), parts.netloc.lower()


def join_url(base: str, ref: str) -> str | None:
    """``ref`` (a ``Location`` or ``Link`` target, maybe relative) resolved against ``base``.

    None unless the result is an http(s) URL with a host and no space or control
    character that the HTTP library can parse: a server's malformed URL is refused here.
    """
    if not ref.isprintable() or any(ch.isspace() for ch in ref):
        return None
    try:
        parts = urlsplit(ref)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        if parts.netloc and not parts.hostname:  # "http://:/x": httpx would quietly take base's host
            return None
        url = str(httpx2.URL(base).join(ref))
        httpx2.URL(url).port  # noqa: B018 - parses the port
    except (httpx2.InvalidURL, ValueError, TypeError):
        return None
    return safe_url(url)


def _host(url: str) -> str:
    """host[:port] for messages: never the userinfo (``user:password@``) of a URL."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "the server"
    return netloc or "the server"


def _span(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g}s"


def deadline_error(url: str, seconds: float, what: str = "no complete answer") -> Timeout:
    # The call's whole deadline: connecting alone has a shorter timeout, so the request was sent.
    return Timeout(f"timed out: {what} from {_host(url)} within {_span(seconds)}", deadline=seconds,
                   maybe_applied=True)


class StreamClock:
    """The deadlines of one stream's body (see the module docstring).

    The reader calls :meth:`progress` each time an event carried something (text, a
    final answer): that restarts the ``stall`` budget and the count of idle bytes.
    ``total`` bounds the whole stream however much it carries.

    One timer per stream, not one per read (a stream can bring thousands of small
    chunks): when it fires it re-arms itself if progress moved the deadline, cancels
    the read in progress if there is one (:meth:`Http.aiter_bytes` turns that into
    :class:`Timeout`), and otherwise leaves it to the next read to find the deadline
    passed — the reader may be busy elsewhere between reads, and only a read may be
    interrupted.
    """

    __slots__ = ("stall", "total", "idle_limit", "idle", "at", "end", "_loop", "_timer", "_task", "_reading",
                 "_late", "_fired")

    def __init__(self, *, stall: float, total: float, idle_limit: int) -> None:
        self._loop = asyncio.get_running_loop()
        now = self._loop.time()
        self.stall, self.total, self.idle_limit = stall, total, idle_limit
        self.end = now + total
        self.at = min(now + stall, self.end)
        self.idle = 0
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task | None = None
        self._reading = self._late = self._fired = False

    def progress(self) -> None:
        self.at = min(self._loop.time() + self.stall, self.end)
        self.idle = 0

    # --- used by Http.aiter_bytes --------------------------------------------------------

    def begin_read(self) -> bool:
        """Before a read: False if the deadline has passed already."""
        if self._late or self._timer is None:
            if self._loop.time() >= self.at:
                return False
            self._late = False
            if self._timer is None:
                self._task = asyncio.current_task()
                self._timer = self._loop.call_at(self.at, self._fire)
        self._reading = True
        return True

    def end_read(self) -> None:
        self._reading = False

    def timed_out(self) -> bool:
        """After a read was cancelled: True if this clock did it (and no one else cancels the task)."""
        if not self._fired:
            return False
        self._fired = False
        return self._task is None or self._task.uncancel() == 0

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        if self._loop.time() < self.at:  # progress moved the deadline on
            self._timer = self._loop.call_at(self.at, self._fire)
        elif self._reading and self._task is not None:
            self._fired = True
            self._task.cancel()
        else:
            self._late = True

    # --- the errors ------------------------------------------------------------------------

    def expired(self, url: str) -> Timeout:
        if self._loop.time() >= self.end:
            return Timeout(f"the stream from {_host(url)} ran longer than {_span(self.total)}; stopped",
                           deadline=self.total, maybe_applied=True)
        return Timeout(f"no new text from {_host(url)} for {_span(self.stall)}", deadline=self.stall,
                       maybe_applied=True)

    def flooded(self, url: str) -> InvalidResponse:
        return InvalidResponse(f"{_host(url)} sent {self.idle // (1024 * 1024)} MB without text; stopped")


class _Deadlines:
    """The total deadlines of the calls in flight, checked by one timer ticking while there are any.

    ``asyncio.timeout`` costs ~8 µs a call (a timer handle per call, pushed on and
    cancelled off the loop's heap); on the batch's per-request path this costs
    well under 1 µs. A call past its deadline has its task cancelled, within
    :data:`TICK` of it; :meth:`Http.request` turns that into :class:`Timeout`.
    """

    TICK = 0.1
    __slots__ = ("_calls", "_timer", "_loop")

    def __init__(self) -> None:
        self._calls: dict[int, list] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def add(self, seconds: float) -> list:
        """Watch the current task for ``seconds``; returns the entry [deadline, task, fired]."""
        loop = asyncio.get_running_loop()
        entry = [loop.time() + seconds, asyncio.current_task(), False]
        self._calls[id(entry)] = entry
        if self._timer is None or self._loop is not loop:  # (a client may outlive an event loop)
            self._loop = loop
            self._timer = loop.call_later(self.TICK, self._tick)
        return entry

    def remove(self, entry: list) -> None:
        self._calls.pop(id(entry), None)  # (gone already if it fired)

    def _tick(self) -> None:
        loop = self._loop
        now = loop.time()  # type: ignore[union-attr]
        for key, entry in list(self._calls.items()):
            if now >= entry[0]:
                del self._calls[key]
                entry[2] = True
                entry[1].cancel()
        self._timer = loop.call_later(self.TICK, self._tick) if self._calls else None  # type: ignore[union-attr]


def _map_error(exc: Exception, url: str, reading: bool = False) -> HFError:
    """The typed error for a library exception; ``reading``: the answer had begun to arrive."""
    host = _host(url)
    if isinstance(exc, UnicodeEncodeError):  # a header value (the token, a bill-to name) that is not ASCII
        return BadRequest("a request header holds a character that cannot be sent (not ASCII)")
    if isinstance(exc, httpx2.TimeoutException):
        kind = {
            httpx2.ConnectTimeout: "connecting to",
            httpx2.ReadTimeout: "waiting for an answer from",
            httpx2.WriteTimeout: "sending to",
            httpx2.PoolTimeout: "waiting for a free connection to",
        }.get(type(exc), "talking to")
        # Not sent: still connecting, or no connection free to send on.
        unsent = isinstance(exc, (httpx2.ConnectTimeout, httpx2.PoolTimeout))
        return Timeout(f"timed out {kind} {host}", maybe_applied=not unsent)
    if isinstance(exc, httpx2.RemoteProtocolError):
        if reading:
            return ConnectionFailed(f"{host} closed the connection before the answer was complete",
                                    maybe_applied=True)
        return ConnectionFailed(f"{host} closed the connection without answering", maybe_applied=True)
    if isinstance(exc, httpx2.ConnectError):
        return ConnectionFailed(f"could not connect to {host}")
    if isinstance(exc, httpx2.UnsupportedProtocol):
        return ConnectionFailed(f"unsupported URL: {host}")
    if isinstance(exc, httpx2.InvalidURL):
        return ConnectionFailed("invalid URL")
    # A connection that broke while sending or reading: the server may have the request.
    sent = reading or isinstance(exc, (httpx2.ReadError, httpx2.WriteError))
    return ConnectionFailed(f"network error talking to {host} ({type(exc).__name__})", maybe_applied=sent)


_LIB_ERRORS = (httpx2.HTTPError, httpx2.InvalidURL, httpx2.StreamError, UnicodeEncodeError)
"""What the library raises for a request that failed; mapped by :func:`_map_error`."""
_ANY_ERROR = Exception
"""Sending: anything else the library stack lets out (e.g. an ``OverflowError`` for port 99999
wrapped in an ``ExceptionGroup`` by anyio) is mapped too. Cancellation is not an Exception."""


class Http:
    """A pooled async HTTP client with hftui's defaults.

    ``timeout`` bounds connect/read/write/pool and each call as a whole;
    ``stream_timeout`` is the read timeout between two chunks of a stream and
    bounds the wait for its headers.
    """

    def __init__(self, *, timeout: float, stream_timeout: float, max_body_bytes: int,
                 transport: Any | None = None, max_connections: int = 64) -> None:
        self.max_body_bytes = max_body_bytes
        self.seconds = timeout
        self.stream_seconds = stream_timeout
        self._timeout = httpx2.Timeout(timeout)
        self._stream_timeout = httpx2.Timeout(timeout, read=stream_timeout)
        self._client = httpx2.AsyncClient(
            headers={"user-agent": USER_AGENT},
            timeout=self._timeout,
            limits=httpx2.Limits(max_connections=max_connections, max_keepalive_connections=max_connections,
                                 keepalive_expiry=30.0),
            follow_redirects=False,  # followed by hand: same host only
            transport=transport,
        )
        self._timeouts: dict[tuple[float | None, bool], dict] = {}
        self._deadlines = _Deadlines()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _timeout_for(self, seconds: float | None, stream: bool = False) -> dict:
        """The request's timeout extension, built once per value.

        Handing ``build_request`` a ``Timeout`` makes httpx copy and convert
        it on every request; handing it the (cached) extension does not.
        """
        key = (seconds, stream)
        t = self._timeouts.get(key)
        if t is None:
            if seconds is None:
                t = (self._stream_timeout if stream else self._timeout).as_dict()
            else:
                t = httpx2.Timeout(seconds).as_dict()
            if len(self._timeouts) < 64:
                self._timeouts[key] = t
        return t

    def _build(self, method: str, url: str, headers, content, params, timeout: dict):
        return self._client.build_request(method, url, headers=headers, content=content, params=params,
                                          extensions={"timeout": timeout})

    async def request(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                      content: bytes | None = None, params: Any = None, timeout: float | None = None,
                      follow_same_host: bool = False) -> Response:
        """Send and read the whole body (bounded by ``max_body_bytes``), all within ``timeout``.

        With ``follow_same_host``, 30x redirects are followed only while they
        stay on the same scheme+host+port (the token goes along only there); a
        redirect elsewhere is returned as is, one to an invalid URL, a loop or
        too many hops raise :class:`RedirectError`.
        """
        seconds = self.seconds if timeout is None else timeout
        entry = self._deadlines.add(seconds + DEADLINE_GRACE)
        try:
            return await self._exchange(method, url, headers, content, params, timeout, follow_same_host)
        except asyncio.CancelledError:
            if entry[2]:  # our deadline cancelled it: a Timeout, unless someone else cancels too
                entry[2] = False
                if entry[1].uncancel() == 0:
                    raise deadline_error(url, seconds) from None
            raise
        finally:
            self._deadlines.remove(entry)
            if entry[2]:  # fired, but the cancellation was swallowed below us and the call ended anyway
                entry[1].uncancel()

    async def _exchange(self, method: str, url: str, headers, content, params, timeout: float | None,
                        follow_same_host: bool) -> Response:
        hops = 0
        visited: set[tuple[str, str]] = set()
        while True:
            reading = False
            try:
                request = self._build(method, url, headers, content, params, self._timeout_for(timeout))
                response = await self._client.send(request, stream=True)
                reading = True
                try:
                    await self._read_bounded(response)
                finally:
                    await response.aclose()
            except HFError:
                raise
            except _ANY_ERROR as exc:
                raise _map_error(exc, url, reading) from None
            status = response.status_code
            if not (follow_same_host and status in REDIRECTS):
                return response
            location = response.headers.get("location")
            if not location:
                return response
            here = str(response.url)
            target = join_url(here, location)
            kw = {"status": status, "request_id": request_id(response.headers)}
            if target is None:
                raise RedirectError(f"redirect ({status}) to an invalid URL; not followed", **kw)
            if origin(target) != origin(here):
                return response  # never carry the request (and its token) to another host
            visited.add((method, here))
            if status == 303:
                method, content = "GET", None
            if (method, target) in visited:
                raise RedirectError(f"redirect loop at {_host(here)}; not followed", **kw)
            if hops >= MAX_REDIRECTS:
                raise RedirectError(f"too many redirects (more than {MAX_REDIRECTS}) at {_host(here)}; "
                                    "not followed", **kw)
            url, params, hops = target, None, hops + 1

    async def _read_bounded(self, response: Response) -> None:
        # What ``aread()`` does, with a size bound. No header look-ups first: a
        # small body is one chunk either way, and httpx's header lookups cost
        # more than the loop on the batch's per-request path.
        parts: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise HFError(f"response larger than {self.max_body_bytes} bytes; not read")
            parts.append(chunk)
        response._content = parts[0] if len(parts) == 1 else b"".join(parts)  # what aread() would have stored

    async def read_text_tail(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                             params: Any = None, limit: int, timeout: float | None = None
                             ) -> tuple[Response, bytes, bool]:
        """Read a (possibly huge, possibly endless) body keeping only its last ``limit`` bytes.

        Everything within ``timeout`` (default: the client's): a 2xx body still
        arriving then is cut there, and ``complete`` (the third item) is False.
        """
        seconds = self.seconds if timeout is None else timeout
        response: Response | None = None
        tail = bytearray()
        try:
            async with asyncio.timeout(seconds + DEADLINE_GRACE):
                async with self.stream(method, url, headers=headers, params=params, timeout=seconds) as response:
                    if response.status_code >= 300:
                        await self.aread(response, quiet=True)
                        return response, response.content, True
                    async for chunk in self.aiter_bytes(response):
                        tail += chunk
                        if len(tail) > 2 * limit:
                            del tail[: len(tail) - limit]
                    return response, bytes(tail[-limit:]), True
        except TimeoutError:
            if response is None or response.status_code >= 300:
                raise deadline_error(url, seconds) from None
            return response, bytes(tail[-limit:]), False

    @asynccontextmanager
    async def stream(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                     content: bytes | None = None, params: Any = None,
                     timeout: float | None = None) -> AsyncIterator[Response]:
        """Open a streamed response (headers within ``timeout``, default the stream timeout);
        the body is read with :meth:`aiter_bytes`."""
        seconds = self.stream_seconds if timeout is None else timeout
        try:
            async with asyncio.timeout(seconds + DEADLINE_GRACE):
                request = self._build(method, url, headers, content, params,
                                      self._timeout_for(timeout, stream=True))
                response = await self._client.send(request, stream=True)
        except TimeoutError:
            raise deadline_error(url, seconds, "no answer") from None
        except _ANY_ERROR as exc:
            raise _map_error(exc, url) from None
        try:
            yield response
        finally:
            try:
                await response.aclose()
            except _ANY_ERROR:
                pass

    async def aread(self, response: Response, *, quiet: bool = False, timeout: float | None = None) -> bytes:
        """Read the rest of a streamed body (bounded in size, and in time by ``timeout``, default
        the client's), mapping transport errors.

        ``quiet``: on failure keep an empty body instead of raising (used for
        error responses, where the status is what matters)."""
        seconds = self.seconds if timeout is None else timeout
        try:
            async with asyncio.timeout(seconds + DEADLINE_GRACE):
                await self._read_bounded(response)
        except _ANY_ERROR as exc:
            if quiet:
                response._content = b""
                return b""
            if isinstance(exc, HFError):
                raise
            if isinstance(exc, TimeoutError):
                raise deadline_error(str(response.url), seconds) from None
            raise _map_error(exc, str(response.url), reading=True) from None
        return response.content

    async def aiter_bytes(self, response: Response, clock: StreamClock | None = None) -> AsyncIterator[bytes]:
        """The body's chunks as they arrive (decompressed), mapping transport errors.

        With a ``clock``, no read goes past its deadline and the bytes count as
        idle until the reader reports progress (see :class:`StreamClock`)."""
        iterator = response.aiter_bytes()
        if clock is None:
            while True:
                try:
                    chunk = await iterator.__anext__()
                except StopAsyncIteration:
                    return
                except _ANY_ERROR as exc:
                    raise _map_error(exc, str(response.url), reading=True) from None
                yield chunk
        try:
            while True:
                if not clock.begin_read():
                    raise clock.expired(str(response.url))
                try:
                    chunk = await iterator.__anext__()
                except StopAsyncIteration:
                    return
                except asyncio.CancelledError:
                    if clock.timed_out():
                        raise clock.expired(str(response.url)) from None
                    raise
                except _ANY_ERROR as exc:
                    raise _map_error(exc, str(response.url), reading=True) from None
                finally:
                    clock.end_read()
                clock.idle += len(chunk)
                if clock.idle > clock.idle_limit:
                    raise clock.flooded(str(response.url))
                yield chunk
        finally:
            clock.stop()
