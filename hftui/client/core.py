"""HFClient: one pooled HTTP client for the app, and the three service APIs.

    async with HFClient(settings, token) as hf:     # opens/closes the pool
        hf.hub, hf.inference, hf.endpoints          # hub.py, inference.py, endpoints.py

``Target`` says where an inference call goes, ``CallOptions`` holds the
per-call knobs (wait_for_model, use_cache, timeout, bill_to).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hftui.client._http import Http, Response, origin
from hftui.client._wire import dumps, error_from_response, parse_retry_after
from hftui.client.errors import AuthError, ConnectionFailed, HFError, RateLimited, Timeout, add_secret

if TYPE_CHECKING:
    from hftui.auth import Secret
    from hftui.client.models import Endpoint, WhoAmI
    from hftui.config import Settings

HF_HOST_SUFFIXES = (".huggingface.co", ".huggingface.cloud")


def _site(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) with the scheme's default port filled in; None for a URL that does not parse."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or {"https": 443, "http": 80}.get(scheme)


def token_allowed(url: str, settings: Settings | None) -> bool:
    """May the token go to ``url`` when the user named it (a URL target)? The one rule, everywhere.

    Yes for the configured services (hub, inference, Endpoints API: same scheme,
    host and port) and for Hugging Face's own hosts over https (``huggingface.co``,
    ``*.huggingface.co``, deployed endpoints on ``*.huggingface.cloud``). Any
    other server gets it only when the user asks explicitly (``--token-for-url``).
    """
    site = _site(url)
    if site is None or not site[1]:
        return False
    if settings is not None:
        for base in (settings.hub_url, settings.inference_url, settings.endpoints_api_url):
            if base and _site(base) == site:
                return True
    scheme, host, _ = site
    return scheme == "https" and (host == "huggingface.co" or host.endswith(HF_HOST_SUFFIXES))


NO_TIMEOUT = 7 * 24 * 3600.0
"""``CallOptions.timeout`` for "no limit" (huggingface_hub's ``timeout=None``): a week, finite so
that deadlines, hold headers and timers stay plain arithmetic."""

RETRY_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
MAX_RETRY_WAIT = 20.0
"""A Retry-After longer than this is not waited for: the error goes to the user."""


@dataclass(frozen=True, repr=False)
class ServerAuth:
    """A named self-hosted server's own credential (``hftui.servers``).

    A call whose target carries one sends ``Authorization: Bearer <key>`` —
    only to ``url``'s scheme, host and port — and never the HF token; errors
    name the server and where its key came from, with the key redacted.
    """

    server: str
    key: Secret | None = None
    source: str | None = None
    """Where the key came from, e.g. ``$MY_KEY`` (never the key)."""
    url: str | None = None
    """The server's URL: the key goes to its origin only."""

    def __repr__(self) -> str:
        return f"ServerAuth({self.server!r}, key={'set' if self.key else 'none'})"

    def describe(self) -> str:
        """What a refusal should tell the user about the credential sent."""
        if self.key is None:
            return (f"server {self.server} has no key: set key_env in its [servers.{self.server}] table "
                    f"or store one with `hftui server add`")
        return f"key of server {self.server} from {self.source or '?'}"


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
    ``auth``: a named server's own key, sent instead of the HF token (``hftui.servers.server_target``).
    """

    kind: str
    model: str | None = None
    url: str | None = None
    provider: str | None = None
    send_token: bool = True
    label: str | None = None
    auth: ServerAuth | None = field(default=None, compare=False)

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
    ``use_cache=False`` sends ``x-use-cache: false``. ``timeout`` None: the
    client's (``Settings.timeout``, a stream's ``stream_timeout``);
    ``NO_TIMEOUT``: no practical limit.
    """

    wait_for_model: bool = False
    use_cache: bool = True
    timeout: float | None = None
    bill_to: str | None = None
    scale_up_timeout: float | None = None
    """Sent as ``X-Scale-Up-Timeout`` to a deployed endpoint scaled to zero."""
    recorder: Any = field(default=None, compare=False)
    """An ``hftui.client.exchange.ExchangeRecorder``: keeps the call's last request and response."""


class HFClient:
    """One pooled HTTP client and the three service APIs. Use as an async context manager.

    ``transport``: an httpx2 transport (tests pass ``MockTransport``); ``max_retries``: retries of
    idempotent GETs (0: none).
    """

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

    def headers(self, url: str, send_token: bool | None = None, extra: Mapping[str, str] | None = None,
                auth: ServerAuth | None = None) -> dict[str, str]:
        """Request headers; the token only for trusted hosts or an explicit ``send_token``;
        with ``auth`` (a named server) that server's key instead, and never the token."""
        headers = dict(extra) if extra else {}
        if auth is not None:
            if auth.key is not None and auth.url and origin(url) == origin(auth.url):
                headers["authorization"] = "Bearer " + auth.key.reveal()
            return headers
        if self._token is not None and (send_token if send_token is not None else self.trusted(url)):
            if self._token_problem:
                # Never sent (an HTTP header cannot carry it); a typed error the login flow handles.
                raise AuthError(f"{self._token_problem}; log in again with a valid token",
                                token_source=self.token_source)
            headers["authorization"] = "Bearer " + self._token.reveal()
        return headers

    def token_allowed(self, url: str) -> bool:
        """``token_allowed(url, settings)``: may the token go to this user-named URL?"""
        return token_allowed(url, self.settings)

    def secrets(self) -> tuple[str, ...]:
        """What a server may echo back and must then be masked wherever it is shown or stored."""
        return (self._token.reveal(),) if self._token is not None else ()

    async def make_error(self, response: Response, *, service: str, had_token: bool, scope: str | None = None,
                         auth: ServerAuth | None = None) -> HFError:
        """The typed error for a non-2xx response; names a missing fine-grained scope."""
        if auth is not None:
            return self._server_error(response, service, auth)
        missing = None
        if scope and had_token and response.status_code in (401, 403):
            missing = scope if await self._scope_missing(scope, fetch=response.status_code == 403) else None
        return error_from_response(response, service=service, had_token=had_token,
                                   token_source=self.token_source, scope=missing)

    def _server_error(self, response: Response, service: str, auth: ServerAuth) -> HFError:
        """A named server's refusal speaks of its key (not of HF tokens); the key never shows."""
        from hftui.sanitize import redact

        if auth.key is not None:
            add_secret(auth.key.reveal())  # like the token: no later error shows it either
        error = error_from_response(response, service=service, had_token=True)
        if isinstance(error, AuthError):
            error.message = f"{error.message} — {auth.describe()}"
        if auth.key is not None:
            error.message = redact(error.message or "", [auth.key.reveal()])
            if error.request_id:
                error.request_id = redact(error.request_id, [auth.key.reveal()])
        error.args = (error.user_message(),)
        return error

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
                      follow_same_host: bool = False, auth: ServerAuth | None = None,
                      recorder: Any = None) -> Response:
        """Send a request; return the 2xx response or raise the typed error.

        Idempotent GETs are retried (network errors, 408/429/5xx) with jittered
        exponential backoff honouring ``Retry-After``; nothing else is.
        """
        hdrs = self.headers(url, send_token, headers, auth)
        had_token = "authorization" in hdrs
        if json is not None:
            content = dumps(json)
            hdrs.setdefault("content-type", "application/json")
        retry = (method == "GET") if retry is None else retry
        attempt = 0
        while True:
            if recorder is not None:  # (masks the credentials as it records)
                recorder.sent(method, url, hdrs, content)
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
            if recorder is not None:
                recorder.received(response)
            status = response.status_code
            if 200 <= status < 300:
                return response
            if retry and attempt < self.max_retries and status in RETRY_STATUSES:
                error = await self.make_error(response, service=service, had_token=had_token, scope=scope, auth=auth)
                wait = error.retry_after if isinstance(error, RateLimited) else \
                    parse_retry_after(response.headers.get("retry-after"))
                if wait is None or wait <= MAX_RETRY_WAIT:
                    await self.backoff(attempt, wait)
                    attempt += 1
                    continue
                raise error
            raise await self.make_error(response, service=service, had_token=had_token, scope=scope, auth=auth)

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
                     json: Any = None, content: bytes | None = None, timeout: float | None = None,
                     auth: ServerAuth | None = None, recorder: Any = None) -> AsyncIterator[Response]:
        """Open a streamed request; raise the typed error (body read) unless 2xx."""
        hdrs = self.headers(url, send_token, headers, auth)
        had_token = "authorization" in hdrs
        if json is not None:
            content = dumps(json)
            hdrs.setdefault("content-type", "application/json")
        if recorder is not None:
            recorder.sent(method, url, hdrs, content)
        async with self._http.stream(method, url, headers=hdrs, content=content, timeout=timeout) as response:
            ok = 200 <= response.status_code < 300
            if not ok:
                await self._http.aread(response, quiet=True)
            if recorder is not None:
                recorder.received(response, streamed=ok)
            if not ok:
                raise await self.make_error(response, service=service, had_token=had_token, scope=scope,
                                            auth=auth)
            yield response
