"""HFClient: one pooled HTTP client for the app, and the three service APIs.

CONTRACT (stable; the UI and batch code are written against it):

    HFClient(settings: Settings, token: Secret | None, *, token_source: str | None = None,
             transport=None, max_retries: int = 3)
        async with HFClient(...) as hf: ...          # opens/closes the pool
        hf.settings, hf.hub, hf.inference, hf.endpoints
        ``transport``: an httpx2 transport (tests pass ``MockTransport``);
        ``max_retries``: retries of idempotent GETs (0 disables them).

    Target  — where an inference call goes (see below).
    CallOptions — per-call knobs (wait_for_model, use_cache, timeout, bill_to).

The service classes live in hub.py, inference.py, endpoints.py; see their
module docstrings for every method.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hftui.client._http import Http, Response, origin
from hftui.client._wire import dumps, error_from_response, parse_retry_after
from hftui.client.errors import AuthError, ConnectionFailed, HFError, RateLimited, Timeout, add_secret

if TYPE_CHECKING:
    from hftui.auth import Secret
    from hftui.client.models import Endpoint, WhoAmI
    from hftui.config import Settings

RETRY_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
MAX_RETRY_WAIT = 20.0
"""A Retry-After longer than this is not waited for: the error goes to the user."""


@dataclass(frozen=True)
class Target:
    """Where an inference call goes.

    kind:
      - ``"model"``: ``{inference_url}/hf-inference/models/{model}`` (chat:
        ``.../models/{model}/v1/chat/completions``);
      - ``"router"``: chat through the OpenAI-compatible router
        ``{inference_url}/v1/chat/completions`` with ``model`` =
        ``"{model}"`` (provider auto) or ``"{model}:{provider}"``;
        non-chat tasks fall back to the ``"model"`` route;
      - ``"url"``: any base URL: a deployed endpoint or a self-hosted TGI /
        vLLM / OpenAI-compatible server. Task payloads go to ``POST {url}``;
        chat goes to the URL built like huggingface_hub does (``/v1/chat/completions``
        appended unless the path already ends with it / with ``/v1``).
    ``send_token``: False for public endpoints and foreign servers.
    ``label``: what the UI shows (e.g. ``endpoint acme/gpt2-demo``).
    """

    kind: str
    model: str | None = None
    url: str | None = None
    provider: str | None = None
    send_token: bool = True
    label: str | None = None

    @classmethod
    def hf_model(cls, model: str) -> Target:
        return cls("model", model=model, label=model)

    @classmethod
    def router(cls, model: str, provider: str | None = None) -> Target:
        label = f"{model}:{provider}" if provider else model
        return cls("router", model=model, provider=provider, label=label)

    @classmethod
    def at_url(cls, url: str, *, model: str | None = None, send_token: bool = True) -> Target:
        return cls("url", url=url.rstrip("/"), model=model, send_token=send_token, label=url)

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint) -> Target:
        """A running endpoint: its URL (+route path); token unless ``type == public``."""
        if not endpoint.url:
            raise ValueError(f"endpoint {endpoint.key} has no URL yet (state {endpoint.raw_state})")
        url = endpoint.url.rstrip("/")
        path = (endpoint.raw.get("route") or {}).get("path") if isinstance(endpoint.raw.get("route"), dict) else None
        if isinstance(path, str) and path.startswith("/"):
            url += path.rstrip("/")
        return cls("url", url=url, model=endpoint.repository, send_token=endpoint.type != "public",
                   label=f"endpoint {endpoint.key}")


@dataclass(frozen=True)
class CallOptions:
    """Per-call knobs for inference.

    ``wait_for_model``: on 503-loading, wait (countdown via ``on_loading``)
    and retry with ``x-wait-for-model: true``, bounded by ``timeout``.
    ``use_cache=False`` sends ``x-use-cache: false``.
    """

    wait_for_model: bool = False
    use_cache: bool = True
    timeout: float | None = None
    bill_to: str | None = None
    scale_up_timeout: float | None = None
    """Sent as ``X-Scale-Up-Timeout`` to a deployed endpoint scaled to zero."""


class HFClient:
    """One pooled HTTP client and the three service APIs. Use as an async context manager."""

    def __init__(self, settings: Settings, token: Secret | None, *, token_source: str | None = None,
                 transport: Any | None = None, max_retries: int = 3, max_connections: int = 64) -> None:
        from hftui.client.endpoints import EndpointsAPI
        from hftui.client.hub import HubAPI
        from hftui.client.inference import InferenceAPI

        self.settings = settings
        self._token = token if token else None
        self.token_source = token_source
        self._token_problem: str | None = None
        if self._token is not None:
            add_secret(self._token.reveal())  # from now on no error shows it, whoever echoes it
            self._token_problem = self._token.problem
        self.max_retries = max(0, max_retries)
        self._http = Http(timeout=settings.timeout, stream_timeout=settings.stream_timeout,
                          max_body_bytes=settings.max_body_bytes, transport=transport,
                          max_connections=max_connections)
        self._trusted = frozenset(origin(u) for u in (settings.hub_url, settings.inference_url,
                                                       settings.endpoints_api_url))
        self._trusted_urls: dict[str, bool] = {}
        self._whoami: WhoAmI | None = None
        self._whoami_lock = asyncio.Lock()
        self.hub = HubAPI(self)
        self.inference = InferenceAPI(self)
        self.endpoints = EndpointsAPI(self)

    async def __aenter__(self) -> HFClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"HFClient(hub={self.settings.hub_url!r}, token={'set' if self._token else 'none'})"

    @property
    def has_token(self) -> bool:
        return self._token is not None

    @property
    def http(self) -> Http:
        return self._http

    # --- headers and tokens ---------------------------------------------------------

    def trusted(self, url: str) -> bool:
        """True for the configured HF base URLs (the token may go there)."""
        known = self._trusted_urls.get(url)
        if known is None:  # parsed once per URL: a batch asks for the same one on every input
            known = origin(url) in self._trusted
            if len(self._trusted_urls) >= 256:
                self._trusted_urls.clear()
            self._trusted_urls[url] = known
        return known

    def headers(self, url: str, send_token: bool | None = None, extra: Mapping[str, str] | None = None
                ) -> dict[str, str]:
        """Request headers; the token only for trusted hosts or an explicit ``send_token``."""
        headers = dict(extra) if extra else {}
        if self._token is not None and (send_token if send_token is not None else self.trusted(url)):
            if self._token_problem:
                # Never sent (an HTTP header cannot carry it); a typed error the login flow handles.
                raise AuthError(f"{self._token_problem}; log in again with a valid token",
                                token_source=self.token_source)
            headers["authorization"] = "Bearer " + self._token.reveal()
        return headers

    async def make_error(self, response: Response, *, service: str, had_token: bool, scope: str | None = None
                         ) -> HFError:
        """The typed error for a non-2xx response; names a missing fine-grained scope."""
        missing = None
        if scope and had_token and response.status_code in (401, 403):
            missing = scope if await self._scope_missing(scope, fetch=response.status_code == 403) else None
        return error_from_response(response, service=service, had_token=had_token,
                                   token_source=self.token_source, scope=missing)

    async def _scope_missing(self, scope: str, *, fetch: bool) -> bool:
        who = self._whoami
        if who is None and fetch:
            try:
                who = await self.hub.whoami()
            except HFError:
                return False
        return bool(who and who.missing_permission(scope))

    # --- requests ---------------------------------------------------------------------

    async def request(self, method: str, url: str, *, service: str, scope: str | None = None,
                      send_token: bool | None = None, headers: Mapping[str, str] | None = None,
                      json: Any = None, content: bytes | None = None, params: Any = None,
                      timeout: float | None = None, retry: bool | None = None,
                      follow_same_host: bool = False) -> Response:
        """Send a request; return the 2xx response or raise the typed error.

        Idempotent GETs are retried (network errors, 408/429/5xx) with jittered
        exponential backoff honouring ``Retry-After``; nothing else is.
        """
        hdrs = self.headers(url, send_token, headers)
        had_token = "authorization" in hdrs
        if json is not None:
            content = dumps(json)
            hdrs.setdefault("content-type", "application/json")
        retry = (method == "GET") if retry is None else retry
        attempt = 0
        while True:
            try:
                response = await self._http.request(method, url, headers=hdrs, content=content, params=params,
                                                    timeout=timeout, follow_same_host=follow_same_host)
            except (ConnectionFailed, Timeout) as exc:
                # A total deadline that ran out is not retried: the server was answering, too
                # slowly, and asking again would only multiply the wait.
                if not retry or attempt >= self.max_retries or getattr(exc, "deadline", None) is not None:
                    raise
                await self.backoff(attempt, None)
                attempt += 1
                continue
            status = response.status_code
            if 200 <= status < 300:
                return response
            if retry and attempt < self.max_retries and status in RETRY_STATUSES:
                error = await self.make_error(response, service=service, had_token=had_token, scope=scope)
                wait = error.retry_after if isinstance(error, RateLimited) else \
                    parse_retry_after(response.headers.get("retry-after"))
                if wait is None or wait <= MAX_RETRY_WAIT:
                    await self.backoff(attempt, wait)
                    attempt += 1
                    continue
                raise error
            raise await self.make_error(response, service=service, had_token=had_token, scope=scope)

    async def backoff(self, attempt: int, wait: float | None) -> None:
        """Sleep before a retry (cancellable): the server's wait, else 0.5 s, 1 s, 2 s, ... jittered."""
        if wait is not None:
            delay = wait * random.uniform(1.0, 1.2) + random.uniform(0.0, 0.1)
        else:
            delay = min(8.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
        await asyncio.sleep(delay)

    @asynccontextmanager
    async def stream(self, method: str, url: str, *, service: str, scope: str | None = None,
                     send_token: bool | None = None, headers: Mapping[str, str] | None = None,
                     json: Any = None, content: bytes | None = None, timeout: float | None = None
                     ) -> AsyncIterator[Response]:
        """Open a streamed request; raise the typed error (body read) unless 2xx."""
        hdrs = self.headers(url, send_token, headers)
        had_token = "authorization" in hdrs
        if json is not None:
            content = dumps(json)
            hdrs.setdefault("content-type", "application/json")
        async with self._http.stream(method, url, headers=hdrs, content=content, timeout=timeout) as response:
            if not 200 <= response.status_code < 300:
                await self._http.aread(response, quiet=True)
                raise await self.make_error(response, service=service, had_token=had_token, scope=scope)
            yield response
