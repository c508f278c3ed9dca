"""A local, deterministic emulator of the Hugging Face services hftui talks to.

One loopback HTTP server (aiohttp) serves, at the real paths:

- the Hub: ``/api/whoami-v2``, ``/api/models`` (search/filter/sort/expand,
  ``Link`` pagination), ``/api/models/{id}`` (+ ``/revision/{rev}``),
  ``/api/tasks``, ``/{id}/raw/main/README.md``, legacy ``/status/{id}``;
- the inference router: ``/hf-inference/models/{id}`` (every task),
  ``.../pipeline/{feature-extraction|sentence-similarity}``,
  ``.../v1/chat/completions``, ``/v1/chat/completions`` (``model`` = ``id`` or
  ``id:provider``), ``/v1/models``;
- the Inference Endpoints API v2 under ``/v2`` and every endpoint's URL at
  ``/_ep/{namespace}/{name}`` (TGI-like: ``/``, ``/generate``,
  ``/generate_stream``, ``/v1/chat/completions``, ``/info``, ``/health``).

Point hftui at it with ``HF_ENDPOINT=<base> HFTUI_INFERENCE_URL=<base>
HFTUI_ENDPOINTS_API_URL=<base>/v2``. Only :data:`DEMO_TOKEN` is accepted.

Clock: endpoint states move on a virtual clock = 2026-10-26T12:00:00Z + wall
time elapsed × ``speed`` (pending 3 s → initializing 5 s → running, updating
4 s, waking 3 s, delete visible 2 s; virtual seconds). A repository whose name
contains ``broken`` fails to deploy; an update whose ``model.env`` has
``FAIL_UPDATE=1`` ends in ``updateFailed``. Running endpoints with ``minReplica: 0``
scale to zero after ``scaleToZeroTimeout`` idle minutes. A call wakes a scaled-to-zero
endpoint: 503 at once (``Retry-After``: the wake left), or held while it wakes with
``X-Scale-Up-Timeout: <s>`` (virtual seconds too). Paused endpoints report ``url: null``.
``handle.advance(s)`` jumps the virtual clock; ``start_background(epoch="now")`` starts it at today's date.

Catalog highlights (``hftui/emulator/catalog.py``)
--------------------------------------------------
- cold on hf-inference (503 loading first): ``distilbert/distilbert-base-uncased``,
  ``dbmdz/bert-large-cased-finetuned-conll03-english``, ``google/gemma-2-2b-it``, ``openai/whisper-small``, ...
- mapping in the dict form on model-info: ``meta-llama/Llama-3.1-8B-Instruct``,
  ``meta-llama/Meta-Llama-3-8B-Instruct`` (list form everywhere else);
- provider status ``staging``/``error``: ``fireworks-ai`` on Llama-3.1-8B, ``hf-inference`` on
  ``mistralai/Mistral-7B-Instruct-v0.3``; third-party only: ``meta-llama/Llama-3.3-70B-Instruct``,
  ``deepseek-ai/DeepSeek-R1``, ``black-forest-labs/FLUX.1-dev``; not served: ``google-t5/t5-11b``;
- old shapes: ``valhalla/distilbart-mnli-12-1`` (zero-shot ``{sequence,labels,scores}``),
  ``HuggingFaceH4/zephyr-7b-beta`` (TGI 1.4 chat stream: no ``[DONE]``);
- ``distilbert/distilgpt2`` is a plain transformers pipeline (no streaming, no TGI parameters);
  ``facebook/bart-base``'s feature-extraction is token-level (``[1 x tokens x 768]`` per text);
  ``csebuetnlp/mT5_multilingual_XLSum`` is the Endpoints tutorial's summarizer;
  ``deepseek-ai/DeepSeek-R1`` streams ``reasoning`` deltas first;
- renamed (307): ``bert-base-uncased``, ``gpt2``, ``roberta-base``, ``t5-base``, ...;
  private: ``demo-user/private-classifier``, ``acme-ml/acme-sentiment``.

Seeded endpoints: demo-user has ``gpt2-demo`` (running), ``llama-chat`` (running, TGI, GPU),
``bert-fill`` (paused, public), ``sentiment-api`` (scaledToZero), ``broken-model`` (failed),
``sdxl-images`` (initializing), ``embeddings-v2`` (updating); acme-ml has ``acme-summarizer``
(running), ``acme-ner`` (paused, private), ``acme-qwen`` (updateFailed, vLLM); demo-lab has
``lab-whisper`` (running, public).

Fault injection
---------------
Per request, with the header ``X-Emulator-Fault: <kind>`` or the query
parameter ``emulator_fault=<kind>``, or armed from Python with
``handle.inject(kind, path=regex, method=..., times=n)``:

- ``401``: 401 ``{"error": "Invalid credentials in Authorization header"}``
- ``402``: 402 credits exhausted (``{"error": ...}``)
- ``403``: 403 missing-permission error (with ``X-Error-Message``)
- ``404``: 404 (Hub paths add ``X-Error-Code: RepoNotFound``)
- ``429[:N]``: 429 with ``Retry-After: N`` (default 2; Hub paths add ``ratelimit`` with r=0)
- ``503[:N]``: 503 ``{"error": "Model X is currently loading", "estimated_time": N}`` (default 20)
- ``500``: 500 ``{"error": "Internal Server Error"}``
- ``cut``: streams send about half their SSE events, then the connection is dropped;
  other responses send half the body (Content-Length announces all), then drop
- ``stream_error``: streams send about half their events, then an in-stream error
  (TGI: ``data:{"error": "...", "error_type": "generation"}``; chat:
  ``data: {"error": {"message": ..., "http_status_code": 424}}`` then ``[DONE]``);
  other responses: 424 ``{"error": ..., "error_type": "generation"}``
- ``malformed``: 200 with an invalid JSON body; streams send about half their events, then a
  broken one (invalid JSON) and end
- ``slow[:N]``: the first byte comes after N seconds (default 5), then the normal answer
- ``html``: 502 with an HTML error page (``text/html``)

The retired api-inference host's paths (``/models/{id}``, ``/pipeline/{task}/{id}``)
answer 410 with the retirement message.

Cold models (``warm=False`` in the catalog) answer 503 loading on hf-inference
until loaded; ``x-wait-for-model: true`` holds the request until they are.
Handler errors never crash the server: they become 500 ``{"error": ...}``.
"""

from __future__ import annotations

import threading
from typing import Any

from hftui.emulator.state import DEMO_TOKEN, FAULT_KINDS

__all__ = ["DEMO_TOKEN", "FAULT_KINDS", "EmulatorHandle", "start_background"]


class EmulatorHandle:
    """A running emulator (server thread + its event loop)."""

    def __init__(self, state: Any, sock: Any, base_url: str) -> None:
        self._state = state
        self._sock = sock
        self.base_url = base_url
        self.token = DEMO_TOKEN
        self._ready = threading.Event()
        self._closed = False
        self._close_lock = threading.Lock()
        self._loop: Any = None
        self._stop: Any = None
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self._lazy = False
        self._wake: Any = None  # (reader, writer) socketpair that ends a lazy wait early

    def __repr__(self) -> str:
        return f"EmulatorHandle(base_url={self.base_url!r})"

    # -- server thread
    def _run(self) -> None:
        import asyncio

        loop = self._loop
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(_quiet_loop_error)
        try:
            if self._lazy:
                self._wait_for_first_use()
            if not self._closed:
                loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported through .error
            self.error = exc
            self._ready.set()
        finally:
            try:
                # requests still in flight (a slow fault, a long stream) are cancelled, not leaked
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    def _wait_for_first_use(self) -> None:
        """Lazy mode: import and start aiohttp only once a client connects (or someone asks).

        ``hftui --demo`` shows its first frame before it ever talks to the emulator, so
        the server's imports stay off the start-up path (they would hold the GIL).
        """
        import select

        reader = self._wake[0]
        while not self._closed:
            ready, _, _ = select.select([self._sock, reader], [], [])
            if self._sock in ready or reader in ready:
                return

    def _wake_up(self) -> None:
        if self._wake is not None:
            try:
                self._wake[1].send(b"x")
            except OSError:
                pass

    async def _serve(self) -> None:
        from aiohttp import web

        from hftui.emulator.server import build_app

        app = build_app(self._state)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await runner.setup()
        site = web.SockSite(runner, self._sock)
        await site.start()
        self._ready.set()
        try:
            await self._stop
        finally:
            await runner.cleanup()

    def wait_ready(self, timeout: float = 10.0) -> None:
        self._wake_up()
        self._ready.wait(timeout)
        if self.error is not None:
            raise RuntimeError(f"emulator failed to start: {self.error!r}")

    # -- control
    def close(self) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        loop, stop = self._loop, self._stop

        def _finish() -> None:
            if not stop.done():
                stop.set_result(None)

        try:
            loop.call_soon_threadsafe(_finish)
        except RuntimeError:
            pass  # loop already closed
        self._wake_up()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        for sock in (self._sock, *(self._wake or ())):
            try:
                sock.close()
            except OSError:
                pass

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def inject(self, fault: str, *, path: str | None = None, method: str | None = None, times: int = 1) -> None:
        """Arm ``fault`` (e.g. ``"429"``, ``"429:5"``, ``"cut"``) for the next matching request(s)."""
        from hftui.emulator.state import parse_fault

        parsed = parse_fault(fault)
        if parsed is None:
            raise ValueError(f"unknown fault {fault!r}; kinds: {', '.join(FAULT_KINDS)}")
        self._state.arm(parsed[0], parsed[1], path, method, times)

    def clear_faults(self) -> None:
        self._state.clear_faults()

    def _store(self):
        self.wait_ready()
        return self._state.store

    def set_state(self, namespace: str, name: str, state: str) -> None:
        """Force an endpoint into ``state`` (it then stays there until an action moves it)."""
        from hftui.emulator import epstore

        if state not in epstore.STATES:
            raise ValueError(f"unknown endpoint state {state!r}")
        store = self._store()
        with self._state.lock:
            now = self._state.vnow()
            ep = store.get(namespace, name, now)
            if ep is None:
                raise KeyError(f"{namespace}/{name}")
            ep.plan, ep.phase_start, ep.updated = [(state, None)], now, now
            epstore.enter_state(ep, state, now)

    def advance(self, seconds: float) -> None:
        """Jump the virtual clock ``seconds`` (virtual) forward: pending endpoints get scheduled,
        initializing ones come up, idle ones scale to zero, logs grow — without waiting."""
        self._state.advance(seconds)

    def now(self) -> str:
        """The virtual clock, RFC 3339 (what endpoint timestamps are measured against)."""
        from hftui.emulator.state import rfc3339

        return rfc3339(self._state.vnow())

    def endpoint(self, namespace: str, name: str) -> dict | None:
        """The endpoint's API object as ``GET /v2/endpoint/{ns}/{name}`` would answer, or None."""
        from hftui.emulator import epstore

        store = self._store()
        with self._state.lock:
            ep = store.get(namespace, name, self._state.vnow())
            return None if ep is None else epstore.to_json(ep, self.base_url)


    def received(self, namespace: str, name: str) -> list[dict]:
        """The create/update bodies the emulator was sent for this endpoint, oldest first, as sent
        (secret values in clear: what a request carried, not what the API answers)."""
        import copy

        store = self._store()
        with self._state.lock:
            ep = store.by_ns.get(namespace, {}).get(name)
            return [] if ep is None else copy.deepcopy(ep.received)


def _quiet_loop_error(loop: Any, context: dict) -> None:
    """The emulator loop's unhandled errors go to its (silent by default) logger, never to stderr."""
    import logging

    logging.getLogger("hftui.emulator").debug("event loop error: %s", context.get("message"),
                                              exc_info=context.get("exception"))


def start_background(*, seed: int = 0, speed: float = 1.0, token_rate: float | None = None, port: int = 0,
                     host: str = "127.0.0.1", lazy: bool = False, epoch: float | str | None = None,
                     max_tokens_cap: int | None = None) -> EmulatorHandle:
    """Start an emulator on ``host:port`` (0 = ephemeral) in a daemon thread.

    The socket is bound and listening before this returns, so ``base_url`` is
    usable at once (early connections wait in the backlog). ``lazy``: the HTTP
    server is imported and started only when the first connection arrives.
    ``epoch``: the virtual clock's start (unix seconds, or ``"now"``; default
    2026-10-26T12:00:00Z, which tests rely on). ``max_tokens_cap``: allow generations longer
    than the real services' 4,096 tokens (benchmarks of long streams).
    """
    import asyncio
    import logging
    import socket
    import time

    start = None if epoch is None else time.time() if epoch == "now" else float(epoch)

    from hftui.emulator.state import State

    # a server inside a TUI must not print: without this, stdlib logging's last-resort handler
    # would write handler errors to stderr, over the app's screen (apps that configure logging still get them)
    for name in ("aiohttp", "hftui.emulator"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    base_url = f"http://{shown}:{bound}"
    state = State(seed=seed, speed=float(speed) if speed and speed > 0 else 1.0,
                  token_rate=float(token_rate) if token_rate else 40.0, base_url=base_url,
                  max_tokens_cap=int(max_tokens_cap) if max_tokens_cap else None)
    if start is not None:
        state.epoch = start
    handle = EmulatorHandle(state, sock, base_url)
    if lazy:
        handle._lazy = True
        handle._wake = socket.socketpair()
    handle._loop = asyncio.new_event_loop()
    handle._stop = handle._loop.create_future()
    handle._thread = threading.Thread(target=handle._run, name="hftui-emulator", daemon=True)
    handle._thread.start()
    return handle
