"""Pointing the ``hftui`` command line (in this process or as a child) at a server."""

from __future__ import annotations

import os


def service_env(base_url: str, token: str | None) -> dict[str, str]:
    """Environment variables pointing every HF service at ``base_url`` (and ``HF_TOKEN`` if given)."""
    base = base_url.rstrip("/")
    env = {"HF_ENDPOINT": base, "HFTUI_INFERENCE_URL": base, "HFTUI_ENDPOINTS_API_URL": base + "/v2"}
    if token:
        env["HF_TOKEN"] = token
    return env


def child_env(base_url: str, token: str | None) -> dict[str, str]:
    """This process's environment for a child ``hftui``, pointed at ``base_url``, output unbuffered."""
    env = dict(os.environ)
    env.pop("HF_TOKEN", None)
    env.update(service_env(base_url, token), PYTHONUNBUFFERED="1")
    return env
