"""HFClient: one pooled HTTP client for the app, and the three service APIs.

CONTRACT (stable; the UI and batch code are written against it):

    HFClient(settings: Settings, token: Secret | None, *, token_source: str | None = None)
        async with HFClient(...) as hf: ...          # opens/closes the pool
        hf.settings, hf.hub, hf.inference, hf.endpoints

    Target  — where an inference call goes (see below).
    CallOptions — per-call knobs (wait_for_model, use_cache, timeout, bill_to).

The service classes live in hub.py, inference.py, endpoints.py; see their
module docstrings for every method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hftui.auth import Secret
    from hftui.client.models import Endpoint
    from hftui.config import Settings


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
