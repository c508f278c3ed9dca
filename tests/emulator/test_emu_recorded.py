"""Fidelity: every recorded real request to the Hub and the router, replayed against the emulator,
gets the same status and a response of the same shape (keys and value types)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

RECORDED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "recorded"
LIVE_HOSTS = {"huggingface.co", "router.huggingface.co"}
SKIP_HEADERS = {"user-agent", "accept-encoding", "connection", "x-amzn-trace-id", "content-length", "authorization"}


def _cassettes() -> list[Path]:
    return sorted(RECORDED.glob("*.yaml")) if RECORDED.is_dir() else []


def shape(value, *, depth: int = 0):
    """A comparable skeleton: dict keys, the first list element, and JSON scalar kinds."""
    if depth > 6:
        return "…"
    if isinstance(value, dict):
        return {k: shape(v, depth=depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0], depth=depth + 1)] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return None
    return type(value).__name__


def assert_covers(recorded, emulated, path: str = "$") -> None:
    """Every key the real service sent is present in the emulator's answer, with the same kind.

    ``None`` in the recording matches anything (optional field); empty lists match any list.
    """
    if recorded is None or recorded == "…":
        return
    if isinstance(recorded, dict):
        assert isinstance(emulated, dict), f"{path}: expected an object, got {emulated!r}"
        for key, sub in recorded.items():
            assert key in emulated, f"{path}: missing key {key!r} (has {sorted(emulated)})"
            assert_covers(sub, emulated[key], f"{path}.{key}")
    elif isinstance(recorded, list):
        assert isinstance(emulated, list), f"{path}: expected a list, got {emulated!r}"
        if recorded and emulated:
            assert_covers(recorded[0], emulated[0], f"{path}[0]")
    else:
        assert emulated is None or recorded == emulated, f"{path}: {recorded} vs {emulated}"


def _body(rec: dict) -> dict | None:
    raw = rec["body"]["string"]
    if isinstance(raw, bytes):
        return None
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        return None


def _sse_events(text: str) -> list:
    out = []
    for line in text.splitlines():
        if line.startswith("data:"):
            payload = line[5:].strip()
            if payload != "[DONE]":
                out.append(json.loads(payload))
    return out


# Keys of full model-info objects that the emulator does not model (real-world bulk of no use to hftui).
HUB_IGNORED = {"spaces", "widgetData", "cardData", "config", "transformersInfo", "model-index", "siblings"}


@pytest.mark.parametrize("cassette", _cassettes(), ids=lambda p: p.stem)
def test_recorded_exchange_replays(emulator, client, cassette):
    interactions = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]
    replayed = 0
    for it in interactions:
        req, rec = it["request"], it["response"]
        parts = urlsplit(req["uri"])
        if parts.hostname not in LIVE_HOSTS:
            continue  # the legacy api-inference host is retired
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {k: v[0] for k, v in (req.get("headers") or {}).items() if k.lower() not in SKIP_HEADERS}
        status = rec["status"]["code"]
        if status == 401:
            headers["Authorization"] = "Bearer hf_invalidTokenForReplay"
        body = req.get("body")
        content = body if isinstance(body, bytes) else (body.encode() if isinstance(body, str) else None)
        r = client.request(req["method"], url, content=content, headers=headers)
        assert r.status_code == status, (url, r.status_code, r.text[:300])
        replayed += 1
        rec_type = next((v[0] for k, v in rec["headers"].items() if k.lower() == "content-type"), "")
        if rec_type.startswith("image/"):
            assert r.headers["content-type"].startswith("image/") and r.content[:2] == b"\xff\xd8"
            continue
        raw = rec["body"]["string"]
        if rec_type.startswith("text/event-stream"):
            real, mine = _sse_events(raw), _sse_events(r.text)
            assert real and mine
            assert_covers(shape(real[0]), shape(mine[0]), "first event")
            assert_covers(shape(real[-1]), shape(mine[-1]), "last event")
            continue
        real = _body(rec)
        if real is None:
            continue
        mine = r.json()
        if isinstance(real, dict) and {"sequence", "labels", "scores"} <= set(real):
            # zero-shot changed shape in Nov 2025; this model answers the current one
            assert sorted(m["label"] for m in mine) == sorted(real["labels"])
            continue
        if parts.path.startswith("/api/models/") and isinstance(real, dict):
            real = {k: v for k, v in real.items() if k not in HUB_IGNORED}
            if isinstance(real.get("safetensors"), dict):  # dtype names are data, not shape
                real["safetensors"] = {**real["safetensors"], "parameters": None}
        assert_covers(shape(real), shape(mine))
    assert replayed or "legacy" in cassette.stem


SHAPES = RECORDED.parent / "shapes" / "inference-endpoints-v2.json"


@pytest.mark.skipif(not SHAPES.is_file(), reason="shared/fixtures/shapes not present")
def test_endpoint_objects_have_the_documented_shape(client):
    examples = json.loads(SHAPES.read_text(encoding="utf-8"))
    listed = examples["list_response_GET_/v2/endpoint/{namespace}"]
    mine = client.get("/v2/endpoint/demo-user").json()
    assert_covers(shape(listed), shape(mine))
    running = next(e for e in mine["items"] if e["status"]["state"] == "running")
    assert_covers(shape(listed["items"][0]), shape(running))
    catalog = examples["provider_catalog_GET_/v2/provider/{namespace}"]
    assert_covers(shape(catalog), shape(client.get("/v2/provider/demo-user").json()))
