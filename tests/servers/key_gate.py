"""A self-hosted server stand-in: a reverse proxy that wants its own key, in front of the emulator.

It plays what users run on their box (a LiteLLM / nginx gateway in front of TGI): every request
must carry ``Authorization: Bearer <its key>`` (else 401 ``{"error": ...}``); accepted requests
are forwarded to an emulator endpoint (TGI routes and ``/v1/chat/completions``) with the
emulator's credential, streamed back as they come. It records the ``Authorization`` value of
every request and whether any header or the body held a forbidden string (the HF token), so a
test can say exactly what reached it.

A request whose JSON body contains ``ECHO-THE-KEY`` is answered 401 with the presented
``Authorization`` echoed in the body and in ``x-request-id``: a hostile server echoing a key.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from aiohttp import ClientSession, web

GATE_KEY = "sk-gate-0123456789abcdef"
"""The gate's own key in the tests (not an HF token: the HF token must never reach it)."""
_HOP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive",
        "authorization"}


@dataclass
class KeyGate:
    upstream: str
    """The emulator endpoint URL requests are forwarded to."""
    upstream_token: str
    key: str
    forbidden: tuple[str, ...] = ()
    base_url: str = ""
    auths: list[str | None] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    """Paths of requests that carried a forbidden string anywhere (headers or body)."""

    def start(self) -> KeyGate:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._serve(ready))
            self._loop.close()

        self._thread = threading.Thread(target=run, name="key-gate", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the key gate did not start")
        return self

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(10)

    async def _serve(self, ready: threading.Event) -> None:
        self._stop = self._loop.create_future()
        self._session = ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        ready.set()
        try:
            await self._stop
        finally:
            await self._session.close()
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        auth = request.headers.get("Authorization")
        self.auths.append(auth)
        self.paths.append(request.path)
        self.bodies.append(body)
        seen = "\n".join(f"{k}: {v}" for k, v in request.headers.items()) + "\n" + body.decode("utf-8", "replace")
        if any(secret and secret in seen for secret in self.forbidden):
            self.leaks.append(request.path)
        if b"ECHO-THE-KEY" in body:
            return web.json_response({"error": f"key refused: {auth}"}, status=401,
                                     headers={"x-request-id": str(auth)})
        if auth != f"Bearer {self.key}":
            return web.json_response({"error": "Unauthorized: wrong or missing key"}, status=401)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        headers["Authorization"] = f"Bearer {self.upstream_token}"
        tail = request.path if request.path != "/" else ""
        async with self._session.request(request.method, self.upstream + tail, headers=headers,
                                         data=body) as upstream:
            response = web.StreamResponse(status=upstream.status, headers={
                k: v for k, v in upstream.headers.items() if k.lower() not in _HOP})
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response
