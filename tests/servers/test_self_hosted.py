"""hftui against a real OpenAI-compatible server it did not write: a LiteLLM proxy with a mock model.

LiteLLM's proxy cannot be a test dependency (it pins ``huggingface_hub<2`` and ``rich<14``, which
hftui's tests and Textual cannot share), so it runs from its own venv: ``python
bench/peer_server.py --setup`` makes one (or set ``HFTUI_LITELLM`` to a ``litellm`` executable).
The README's test command (and so CI) makes it first, so there the test always runs: under
``CI`` a missing proxy fails instead of skipping. Elsewhere it is skipped without one.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

from tests.support.paths import ROOT


def _bench_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


peer_server = _bench_module("peer_server")

LITELLM = peer_server.find_litellm()

pytestmark = pytest.mark.skipif(
    LITELLM is None and not os.environ.get("CI"), reason="LiteLLM proxy not installed (its pins clash with the test env): "
    "run `python bench/peer_server.py --setup` or set HFTUI_LITELLM")


def test_litellm_proxy_gets_the_servers_key_and_never_the_token(tmp_path):
    assert LITELLM is not None, "CI must run this test: `python bench/peer_server.py --setup-only` first"
    with peer_server.litellm_proxy(LITELLM) as proxy:
        results = peer_server.run_checks(proxy, tmp_path)
        seen = proxy.seen()
    failed = [f"{name}: {detail}" for name, ok, detail in results if not ok]
    assert not failed, failed
    assert len(seen) == 8 and sum(1 for s in seen if s["key"] == peer_server.MASTER_KEY) == 7
    assert not any(s["forbidden_seen"] for s in seen)
