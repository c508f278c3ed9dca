"""Inference Endpoints API v2: ``hf.endpoints`` (``EndpointsAPI``), and what it sends.

``EndpointSpec`` (create) and ``EndpointUpdate`` (partial update: only the
fields set are sent) build the request bodies (``to_payload()``);
``validate_name`` checks a name before anything is sent.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hftui.client._wire import drop_none
from hftui.client.errors import (
    AuthError,
    BadRequest,
    EndpointFailed,
    HFError,
    InvalidResponse,
    NotFound,
    WaitTimeout,
)
from hftui.client.models import Catalog, Endpoint, EndpointState

if TYPE_CHECKING:
    from hftui.client.core import HFClient

__all__ = ["CONTAINER_KINDS", "CustomImage", "EndpointSpec", "EndpointUpdate", "EndpointsAPI",
           "validate_name", "ENDPOINT_TYPES"]

SCOPE_MANAGE = "inference.endpoints.write"
ENDPOINT_TYPES = ("public", "authenticated", "private")
"""What hftui sends; the legacy ``protected`` is accepted when reading only."""
MAX_LIST_ITEMS = 10_000
"""Far above any real quota; a list longer than this is cut so a poll never parses 100,000 items."""
MAX_LOG_BYTES = 512 * 1024
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def validate_name(name: str) -> str | None:
    """Error text for an invalid endpoint name, or None."""
    if not name:
        return "the name is required"
    if len(name) > 32:
        return "at most 32 characters"
    if not _NAME.match(name):
        return "lowercase letters, digits and '-' only, not starting or ending with '-'"
    return None


CONTAINER_KINDS = ("huggingface", "huggingfaceNeuron", "custom")
"""Image variants that are containers, not inference engines: an update may switch between them.
An engine (``tgi``, ``vLLM``, …) cannot be changed on an existing endpoint (wire doc 4.4)."""


@dataclass(frozen=True)
class CustomImage:
    """``model.image.custom``: a container of your own (wire doc 4.3).

    ``env`` here is the image's own environment; the endpoint-wide one is ``EndpointSpec.env``
    (``model.env``), where huggingface_hub's ``env=`` goes. Registry credentials are optional;
    the password is never shown in a repr.
    """

    url: str
    health_route: str | None = "/health"
    port: int | None = 80
    env: dict[str, str] = field(default_factory=dict)
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def to_payload(self) -> dict:
        if not self.url.strip():
            raise BadRequest("a custom image needs its URL (e.g. ghcr.io/org/image:tag)")
        if self.password is not None and not self.username:
            raise BadRequest("a registry password needs its username")
        custom: dict[str, Any] = {"url": self.url.strip()}
        if self.health_route:
            custom["healthRoute"] = self.health_route  # camelCase: snake_case is silently ignored
        if self.port is not None:
            custom["port"] = int(self.port)
        if self.env:
            custom["env"] = dict(self.env)
        if self.username:
            custom["credentials"] = {"username": self.username,
                                     **({"password": self.password} if self.password is not None else {})}
        return {"custom": custom}

    @classmethod
    def from_endpoint(cls, endpoint: Endpoint) -> CustomImage | None:
        """The endpoint's custom image (the password is never sent back by the API, so it is None)."""
        if endpoint.image_kind != "custom":
            return None
        c = endpoint.image_settings
        env = c.get("env") if isinstance(c.get("env"), dict) else {}
        creds = c.get("credentials") if isinstance(c.get("credentials"), dict) else {}
        port = c.get("port")
        return cls(url=str(c.get("url") or ""),
                   health_route=c["healthRoute"] if isinstance(c.get("healthRoute"), str) else None,
                   port=port if isinstance(port, int) and not isinstance(port, bool) else None,
                   env={str(k): str(v) for k, v in env.items()},
                   username=creds["username"] if isinstance(creds.get("username"), str) else None)


def _check_type(value: str) -> str:
    if value == "protected":
        return "authenticated"  # deprecated value: never send it
    if value not in ENDPOINT_TYPES:
        raise BadRequest(f"endpoint type must be one of {', '.join(ENDPOINT_TYPES)}")
    return value


@dataclass(frozen=True)
class EndpointSpec:
    """Everything needed to create an endpoint (wire doc 4.3)."""

    name: str
    repository: str
    vendor: str = "aws"
    region: str = "us-east-1"
    accelerator: str = "cpu"
    instance_type: str = "intel-icl"
    instance_size: str = "x2"
    framework: str = "pytorch"
    task: str | None = None
    min_replica: int = 0
    max_replica: int = 1
    scale_to_zero_timeout: int | None = 15
    type: str = "authenticated"
    revision: str | None = None
    custom_image: CustomImage | None = None
    env: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    tags: tuple[str, ...] = ()

    def to_payload(self) -> dict:
        problem = validate_name(self.name)
        if problem:
            raise BadRequest(f"endpoint name: {problem}")
        scaling: dict[str, Any] = {"minReplica": int(self.min_replica), "maxReplica": int(self.max_replica)}
        if self.scale_to_zero_timeout is not None:
            scaling["scaleToZeroTimeout"] = int(self.scale_to_zero_timeout)
        model: dict[str, Any] = {
            "repository": self.repository,
            "revision": self.revision,  # null = latest commit of main
            "framework": self.framework,
            "image": self.custom_image.to_payload() if self.custom_image else {"huggingface": {}},
        }
        if self.task:  # not nullable: omit rather than null
            model["task"] = self.task
        if self.env:
            model["env"] = dict(self.env)
        if self.secrets:
            model["secrets"] = dict(self.secrets)
        payload: dict[str, Any] = {
            "name": self.name,
            "type": _check_type(self.type),
            "provider": {"vendor": self.vendor, "region": self.region},
            "compute": {"accelerator": self.accelerator, "instanceType": self.instance_type,
                        "instanceSize": self.instance_size, "scaling": scaling},
            "model": model,
        }
        if self.tags:
            payload["tags"] = list(self.tags)
        return payload


@dataclass(frozen=True)
class EndpointUpdate:
    """A partial update: only the fields set (not None) are sent (wire doc 4.4)."""

    accelerator: str | None = None
    instance_type: str | None = None
    instance_size: str | None = None
    min_replica: int | None = None
    max_replica: int | None = None
    scale_to_zero_timeout: int | None = None
    repository: str | None = None
    framework: str | None = None
    revision: str | None = None
    task: str | None = None
    custom_image: CustomImage | None = None
    default_image: bool = False
    """Switch back to the default container (``{"huggingface": {}}``)."""
    env: dict[str, str] | None = None
    secrets: dict[str, str] | None = field(default=None, repr=False)
    tags: tuple[str, ...] | list[str] | None = None

    def _image(self) -> dict | None:
        if self.custom_image is not None and self.default_image:
            raise BadRequest("choose either a custom image or the default one, not both")
        if self.default_image:
            return {"huggingface": {}}
        return self.custom_image.to_payload() if self.custom_image else None

    def to_payload(self) -> dict:
        scaling = drop_none({"minReplica": self.min_replica, "maxReplica": self.max_replica,
                             "scaleToZeroTimeout": self.scale_to_zero_timeout})
        compute = drop_none({"accelerator": self.accelerator, "instanceType": self.instance_type,
                             "instanceSize": self.instance_size})
        if scaling:
            compute["scaling"] = scaling
        model = drop_none({"repository": self.repository, "framework": self.framework, "revision": self.revision,
                           "task": self.task,
                           "image": self._image(),
                           "env": dict(self.env) if self.env is not None else None,
                           "secrets": dict(self.secrets) if self.secrets is not None else None})
        payload: dict[str, Any] = {}
        if compute:
            payload["compute"] = compute
        if model:
            payload["model"] = model
        if self.tags is not None:
            payload["tags"] = list(self.tags)
        return payload

    @property
    def empty(self) -> bool:
        return not self.to_payload()


def _seconds(value: float | None) -> str:
    value = float(value or 0)
    return f"{value:.0f} s" if value >= 10 or value == int(value) else f"{value:.1f} s"


def _seg(value: str) -> str:
    return quote(value, safe="")


class EndpointsAPI:
    def __init__(self, client: HFClient) -> None:
        self._c = client

    def _url(self, *parts: str) -> str:
        return "/".join((self._c.settings.endpoints_api_url.rstrip("/"), *(_seg(p) for p in parts)))

    async def _json(self, method: str, url: str, *, body: Any = None, retry: bool | None = None) -> Any:
        response = await self._c.request(method, url, service="endpoints", scope=SCOPE_MANAGE, json=body,
                                         retry=retry)
        try:
            return json.loads(response.content) if response.content else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InvalidResponse("the Endpoints API did not answer with valid JSON",
                                  status=response.status_code) from None

    def _endpoint(self, data: Any, namespace: str) -> Endpoint:
        if isinstance(data, dict) and isinstance(data.get("endpoint"), dict):  # catalog-deploy wrapper
            data = data["endpoint"]
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise InvalidResponse("the Endpoints API answered without an endpoint")
        return Endpoint.from_json(data, namespace)

    async def list(self, namespace: str, *, retry: bool | None = None) -> builtins.list[Endpoint]:
        """``retry=False``: one attempt (a background poll: the next poll is the retry, and a
        stalled server shows up after one timeout, not after every retry's)."""
        data = await self._json("GET", self._url("endpoint", namespace), retry=retry)
        items = data.get("items") if isinstance(data, dict) else data
        if not isinstance(items, builtins.list):
            raise InvalidResponse("endpoint list: expected {'items': [...]}")
        return [Endpoint.from_json(d, namespace) for d in items[:MAX_LIST_ITEMS]
                if isinstance(d, dict) and isinstance(d.get("name"), str)]

    async def list_all(self, *, retry: bool | None = None) -> builtins.list[Endpoint]:
        """The user's endpoints, then each org's; orgs that refuse (401/403) are skipped."""
        me = await self._c.hub.whoami()
        namespaces = me.namespaces

        async def one(ns: str, own: bool) -> builtins.list[Endpoint]:
            try:
                return await self.list(ns, retry=retry)
            except (AuthError, NotFound):
                if own:
                    raise
                return []

        results = await asyncio.gather(*(one(ns, i == 0) for i, ns in enumerate(namespaces)))
        return [e for chunk in results for e in chunk]

    async def get(self, namespace: str, name: str) -> Endpoint:
        return self._endpoint(await self._json("GET", self._url("endpoint", namespace, name)), namespace)

    async def create(self, namespace: str, spec: EndpointSpec) -> Endpoint:
        payload = spec.to_payload()
        data = await self._json("POST", self._url("endpoint", namespace), body=payload)
        return self._endpoint(data, namespace)

    async def update(self, namespace: str, name: str, changes: EndpointUpdate) -> Endpoint:
        """Sends only the fields ``changes`` sets."""
        payload = changes.to_payload()
        if not payload:
            return await self.get(namespace, name)
        return self._endpoint(await self._json("PUT", self._url("endpoint", namespace, name), body=payload),
                              namespace)

    async def _action(self, namespace: str, name: str, action: str) -> Endpoint:
        data = await self._json("POST", self._url("endpoint", namespace, name, action))
        if not isinstance(data, dict) or not data:
            return await self.get(namespace, name)
        return self._endpoint(data, namespace)

    async def pause(self, namespace: str, name: str) -> Endpoint:
        return await self._action(namespace, name, "pause")

    async def resume(self, namespace: str, name: str, *, running_ok: bool = True) -> Endpoint:
        """``running_ok``: an "already running" 400 answers with the endpoint (GET) instead."""
        try:
            return await self._action(namespace, name, "resume")
        except BadRequest as exc:
            if running_ok and "already running" in (exc.message or "").lower():
                return await self.get(namespace, name)
            raise

    async def scale_to_zero(self, namespace: str, name: str) -> Endpoint:
        return await self._action(namespace, name, "scale-to-zero")

    async def delete(self, namespace: str, name: str) -> None:
        await self._c.request("DELETE", self._url("endpoint", namespace, name), service="endpoints",
                              scope=SCOPE_MANAGE, retry=False)

    async def catalog(self, namespace: str | None = None) -> Catalog:
        """The hardware on offer, with prices (``/provider``, or the namespace's ``/provider/ns``)."""
        url = self._url("provider", namespace) if namespace else self._url("provider")
        data = await self._json("GET", url)
        if not isinstance(data, dict):
            raise InvalidResponse("hardware catalog: expected an object")
        return Catalog.from_json(data)

    async def logs(self, namespace: str, name: str, *, tail: int | None = None,
                   max_bytes: int = MAX_LOG_BYTES) -> str:
        """The endpoint's logs as text; only the last ``max_bytes`` are kept, and a body still
        arriving after the timeout is cut there, with a last line saying so."""
        c = self._c
        url = self._url("endpoint", namespace, name, "logs")
        params = {"tail": str(int(tail))} if tail else None
        response, body, complete = await c.http.read_text_tail("GET", url, headers=c.headers(url), params=params,
                                                               limit=max_bytes)
        if response.status_code >= 300:
            raise await c.make_error(response, service="endpoints", had_token=c.has_token, scope=SCOPE_MANAGE)
        text = body.decode("utf-8", "replace")
        if len(body) >= max_bytes:  # started mid-line: drop the partial first line
            text = text.split("\n", 1)[-1]
        if not complete:
            # The body did not end within the timeout: what arrived is shown, and said to be cut.
            if text and not text.endswith("\n"):
                text += "\n"
            text += (f"[hftui: the server was still sending logs after {c.settings.timeout:g}s; "
                     "showing what arrived until then]\n")
        return text

    async def wait_until_running(self, namespace: str, name: str, *, timeout: float | None = None,
                                 poll_interval: float = 5.0, on_state: Callable[[Endpoint], None] | None = None,
                                 check_health: bool = True) -> Endpoint:
        """Poll until ``running`` (and healthy); report each state change to ``on_state``; raise
        ``EndpointFailed`` on ``failed`` / ``updateFailed``.

        ``timeout`` (seconds, None = no limit) is a deadline, as in huggingface_hub's
        ``InferenceEndpoint.wait(timeout=…)``: it keeps looking until the time is up (the last look
        is at the deadline, however long ``poll_interval`` is), then raises ``WaitTimeout``. Only the
        waiting stops: the endpoint itself is not touched.
        """
        if timeout is not None and timeout < 0:
            raise ValueError("timeout cannot be negative")
        if poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        last: str | None = None
        while True:
            endpoint = await self.get(namespace, name)
            if endpoint.raw_state != last:
                last = endpoint.raw_state
                if on_state is not None:
                    on_state(endpoint)
            if endpoint.state.is_fault:
                raise EndpointFailed(f"endpoint {endpoint.key} is {endpoint.raw_state}"
                                     + (f": {endpoint.message}" if endpoint.message else ""))
            if endpoint.state is EndpointState.RUNNING and endpoint.url:
                if not check_health or await self._healthy(endpoint):
                    return endpoint
            pause = poll_interval
            if deadline is not None:
                left = deadline - loop.time()
                if left <= 0:
                    raise WaitTimeout(f"timed out after {_seconds(timeout)}: endpoint {endpoint.key} is still "
                                      f"{endpoint.raw_state}", last_state=endpoint.raw_state)
                pause = min(pause, left)
            await asyncio.sleep(pause)

    async def _healthy(self, endpoint: Endpoint) -> bool:
        url = (endpoint.url or "").rstrip("/")
        route = (endpoint.raw.get("route") or {}).get("path") if isinstance(endpoint.raw.get("route"), dict) else None
        if isinstance(route, str) and route.startswith("/"):
            url += route.rstrip("/")
        health = endpoint.health_route or "/health"
        if not health.startswith("/"):
            health = "/" + health
        try:
            await self._c.request("GET", url + health, service="inference", send_token=endpoint.type != "public",
                                  retry=False)
        except HFError:
            return False
        return True
