"""The only module that knows the HTTP library (httpx2).

Everything else in the client talks to :class:`Http` and duck-types the
responses (``status_code``, ``headers``, ``content``, ``url``) so swapping the
library means rewriting this file only. Transport exceptions leave this module
as :class:`~hftui.client.errors.Timeout` / :class:`ConnectionFailed`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx2

from hftui import __version__
from hftui.client.errors import ConnectionFailed, HFError, Timeout

USER_AGENT = f"hftui/{__version__}"
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5

Response = httpx2.Response
MockTransport = httpx2.MockTransport
"""Re-exported for tests: ``Http(transport=MockTransport(handler))``."""
MockResponse = httpx2.Response


def origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) lower-cased: what "same host" means for tokens and redirects."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or url
    except ValueError:
        return "?"


def _map_error(exc: Exception, url: str) -> HFError:
    host = _host(url)
    if isinstance(exc, httpx2.TimeoutException):
        kind = {
            httpx2.ConnectTimeout: "connecting to",
            httpx2.ReadTimeout: "waiting for an answer from",
            httpx2.WriteTimeout: "sending to",
            httpx2.PoolTimeout: "waiting for a free connection to",
        }.get(type(exc), "talking to")
        return Timeout(f"timed out {kind} {host}")
    if isinstance(exc, httpx2.RemoteProtocolError):
        return ConnectionFailed(f"{host} closed the connection unexpectedly")
    if isinstance(exc, httpx2.ConnectError):
        return ConnectionFailed(f"could not connect to {host}")
    if isinstance(exc, httpx2.UnsupportedProtocol):
        return ConnectionFailed(f"unsupported URL: {host}")
    if isinstance(exc, httpx2.InvalidURL):
        return ConnectionFailed("invalid URL")
    return ConnectionFailed(f"network error talking to {host} ({type(exc).__name__})")


_LIB_ERRORS = (httpx2.HTTPError, httpx2.InvalidURL, httpx2.StreamError)


class Http:
    """A pooled async HTTP client with hftui's defaults.

    ``timeout`` bounds connect/read/write/pool; ``stream_timeout`` is the read
    timeout between two chunks of a stream.
    """

    def __init__(self, *, timeout: float, stream_timeout: float, max_body_bytes: int,
                 transport: Any | None = None, max_connections: int = 64) -> None:
        self.max_body_bytes = max_body_bytes
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
        """Send and read the whole body (bounded by ``max_body_bytes``).

        With ``follow_same_host``, 30x redirects are followed only while they
        stay on the same scheme+host+port (the token goes along only there).
        """
        hops = 0
        while True:
            try:
                request = self._build(method, url, headers, content, params, self._timeout_for(timeout))
                response = await self._client.send(request, stream=True)
                try:
                    await self._read_bounded(response)
                finally:
                    await response.aclose()
            except _LIB_ERRORS as exc:
                raise _map_error(exc, url) from None
            if not (follow_same_host and response.status_code in REDIRECTS and hops < MAX_REDIRECTS):
                return response
            location = response.headers.get("location")
            if not location:
                return response
            target = str(response.url.join(location))
            if origin(target) != origin(str(response.url)):
                return response  # never carry the request (and its token) to another host
            url, params, hops = target, None, hops + 1
            if response.status_code == 303:
                method, content = "GET", None

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
                             params: Any = None, limit: int) -> tuple[Response, bytes]:
        """Stream a (possibly huge) body keeping only its last ``limit`` bytes."""
        async with self.stream(method, url, headers=headers, params=params) as response:
            if response.status_code >= 300:
                await self.aread(response)
                return response, response.content
            tail = bytearray()
            async for chunk in self.aiter_bytes(response):
                tail += chunk
                if len(tail) > 2 * limit:
                    del tail[: len(tail) - limit]
            return response, bytes(tail[-limit:])

    @asynccontextmanager
    async def stream(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                     content: bytes | None = None, params: Any = None,
                     timeout: float | None = None) -> AsyncIterator[Response]:
        """Open a streamed response; the body is read with :meth:`aiter_bytes`."""
        try:
            request = self._build(method, url, headers, content, params, self._timeout_for(timeout, stream=True))
            response = await self._client.send(request, stream=True)
        except _LIB_ERRORS as exc:
            raise _map_error(exc, url) from None
        try:
            yield response
        finally:
            try:
                await response.aclose()
            except _LIB_ERRORS:
                pass

    async def aread(self, response: Response, *, quiet: bool = False) -> bytes:
        """Read the rest of a streamed body (bounded), mapping transport errors.

        ``quiet``: on failure keep an empty body instead of raising (used for
        error responses, where the status is what matters)."""
        try:
            await self._read_bounded(response)
        except (*_LIB_ERRORS, HFError) as exc:
            if quiet:
                response._content = b""
                return b""
            if isinstance(exc, HFError):
                raise
            raise _map_error(exc, str(response.url)) from None
        return response.content

    async def aiter_bytes(self, response: Response) -> AsyncIterator[bytes]:
        """The body's chunks as they arrive (decompressed), mapping transport errors."""
        iterator = response.aiter_bytes()
        while True:
            try:
                chunk = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except _LIB_ERRORS as exc:
                raise _map_error(exc, str(response.url)) from None
            yield chunk
