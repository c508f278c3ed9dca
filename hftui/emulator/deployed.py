"""Deployed endpoints: ``{base}/_ep/{namespace}/{name}/...`` behaves like the endpoint's container.

TGI-like (``/``, ``/generate``, ``/generate_stream``, ``/v1/chat/completions``, ``/v1/completions``,
``/info``, ``/health``, ``/tokenize``, ``/metrics``); vLLM/SGLang/llama.cpp images answer the OpenAI
routes only. Serves only while the endpoint runs; scaled-to-zero ones wake on a call (503 meanwhile
unless ``X-Scale-Up-Timeout``); auth per the endpoint's ``type``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import math
import time
from typing import Any

from aiohttp import web

from hftui.emulator import catalog, chat, epstore, generation
from hftui.emulator.catalog import ModelSpec
from hftui.emulator.epstore import Endpoint, EndpointStore
from hftui.emulator.router import answer_task
from hftui.emulator.state import DEMO_TOKEN, State
from hftui.emulator.webutil import FAULT_KEY, bearer, error, json_response, state_of


def _store(request: web.Request) -> EndpointStore:
    return state_of(request).store


def _spec_for(ep_data: dict) -> ModelSpec:
    return _spec(ep_data["model"]["repository"], ep_data["model"].get("task") or "text-generation")


@functools.lru_cache(maxsize=256)
def _spec(repo: str, task: str) -> ModelSpec:
    """The model an endpoint serves: its catalog entry, re-tasked as the endpoint says (always warm)."""
    task = {"conversational": "text-generation", "text2text-generation": "translation",
            "sentence-embeddings": "feature-extraction", "sentence-ranking": "sentence-similarity"}.get(task, task)
    spec = catalog.lookup(repo)
    if spec is None:
        return ModelSpec(id=repo, pipeline_tag=task, tgi=True, warm=True, mask_token="[MASK]")
    return dataclasses.replace(spec, pipeline_tag=task, warm=True, tgi=spec.tgi or task == "text-generation")


_SERVING = ("running", "updating", "updateFailed")


MAX_SCALE_UP_HOLD = 600.0
"""Longest hold a request can ask for with ``X-Scale-Up-Timeout`` (seconds)."""


def _hold_seconds(request: web.Request) -> float:
    try:
        value = float(request.headers.get("X-Scale-Up-Timeout") or 0)
    except ValueError:
        return 0.0
    return max(0.0, min(value, MAX_SCALE_UP_HOLD)) if value == value else 0.0  # NaN holds nothing


async def _ready(request: web.Request, state: State, ns: str, name: str) -> tuple[dict | None, web.Response | None]:
    """A serving replica's endpoint data, or the proxy's answer while there is none.

    A request wakes a scaled-to-zero endpoint. Without ``X-Scale-Up-Timeout`` the proxy answers 503
    at once (the replica keeps starting); with it the request is held until the replica serves or the
    timeout passes, counted on the emulator's clock (a sped-up clock wakes and times out sooner).
    """
    hold = _hold_seconds(request)
    deadline = state.vnow() + hold
    real_deadline = time.monotonic() + hold  # never hold longer than asked in real time either
    while True:
        with state.lock:
            now = state.vnow()
            ep = _store(request).get(ns, name, now)
            if ep is None or ep.deleted_at is not None:
                return None, error(404, "Not Found")
            auth = _endpoint_auth(request, ep)
            if auth is not None:
                return None, auth
            current = ep.state
            if current in _SERVING:
                ep.last_request = now
                # no copy: ``ep.data`` is replaced, never mutated, by updates
                return ep.data, None
            if current == "scaledToZero":
                ep.plan = [("initializing", epstore.WAKE_S), ("running", None)]
                ep.phase_start = ep.updated = now
                epstore.enter_state(ep, "initializing", now)
                current = "initializing"
            # virtual seconds until a replica serves, when the plan says
            left = ep.phase_start + ep.plan[0][1] - now if current == "initializing" and ep.plan[0][1] else None
        if current in ("paused", "failed"):
            return None, error(503, f"Endpoint is {current}" + (": resume it first" if current == "paused" else ""))
        if now >= deadline or time.monotonic() >= real_deadline:
            wait = state.vsleep_seconds(left) if left is not None else 5.0
            return None, error(503, "Service Unavailable: the endpoint is scaling up, retry later or send "
                                    "X-Scale-Up-Timeout", {"Retry-After": str(max(1, math.ceil(wait)))})
        await asyncio.sleep(min(0.05, max(0.005, 0.5 / max(state.speed, 0.1))))


def _endpoint_auth(request: web.Request, ep: Endpoint) -> web.Response | None:
    if ep.data.get("type") == "public":
        return None
    if bearer(request) != DEMO_TOKEN:
        return error(401, "Unauthorized: this endpoint requires an Authorization: Bearer <hf token> header",
                     {"WWW-Authenticate": 'Bearer realm="Inference Endpoint"'})
    return None


def _log_request(request: web.Request, state: State, ns: str, name: str, status: int) -> None:
    """An access-log line; the latency is made up (deterministic) so logs snapshot well."""
    import zlib

    path = "/" + (request.match_info.get("tail") or "").strip("/")
    with state.lock:
        ep = _store(request).by_ns.get(ns, {}).get(name)
        if ep is not None:
            ms = 8 + zlib.crc32(f"{path}{len(ep.logs)}".encode()) % 60
            line = f"{epstore.replica_name(ep)} INFO {request.method} {path} {status} {ms}ms"
            epstore.add_log(ep, state.vnow(), line)


def _tokenize(body: Any) -> web.Response:
    """TGI ``/tokenize``: the pieces of ``inputs`` with their character offsets."""
    import re

    from hftui.emulator.textgen import token_id

    if not isinstance(body, dict) or not isinstance(body.get("inputs"), str):
        return web.Response(status=422, text="Failed to deserialize the JSON body into the target type: "
                                             "missing field `inputs`", content_type="text/plain")
    return json_response([{"id": token_id(m.group(0)), "text": m.group(0), "start": m.start(), "stop": m.end()}
                          for m in re.finditer(r"\s?\w+|\s?[^\w\s]", body["inputs"])])


def _prometheus(data: dict) -> str:
    name = data["name"]
    return ("# HELP tgi_request_count Total number of requests\n# TYPE tgi_request_count counter\n"
            f'tgi_request_count{{endpoint="{name}"}} 42\n'
            "# HELP tgi_queue_size Current queue size\n# TYPE tgi_queue_size gauge\n"
            f'tgi_queue_size{{endpoint="{name}"}} 0\n')


def tgi_info(data: dict) -> dict:
    repo = data["model"]["repository"]
    return {"model_id": repo, "model_sha": data["model"].get("revision"),
            "model_pipeline_tag": data["model"].get("task"), "max_concurrent_requests": 128, "max_best_of": 2,
            "max_stop_sequences": 4, "max_input_tokens": 4095, "max_total_tokens": 4096,
            "validation_workers": 2, "max_client_batch_size": 4, "router": "text-generation-router",
            "version": "3.3.6", "sha": "e1f2d3c4b5a6978812345678909876543210abcd", "docker_label": "sha-e1f2d3c"}


async def deployed(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    ns, name = request.match_info["ns"], request.match_info["name"]
    tail = "/" + request.match_info.get("tail", "").strip("/")
    if request.method == "GET":
        with state.lock:
            ep = _store(request).get(ns, name, state.vnow())
            health = "/" + (ep.data.get("healthRoute") or "/health").strip("/") if ep is not None else "/health"
            if tail in ("/health", health):  # the container's own route (custom images) or TGI's
                if ep is None:
                    return error(404, "Not Found")
                if (auth := _endpoint_auth(request, ep)) is not None:
                    return auth
                ok = ep.state in _SERVING
                return web.Response(status=200 if ok else 503, text="" if ok else "Service Unavailable")
    data, bad = await _ready(request, state, ns, name)
    if bad is not None:
        return bad
    spec = _spec_for(data)
    engine = epstore.engine_of(data["model"].get("image"))
    openai_only = engine in ("vLLM", "sGLang", "llamacpp", "vLLMNeuron")
    fault = request.get(FAULT_KEY)
    body = None
    if request.method == "POST":
        try:
            body = await request.json() if request.can_read_body else None
        except Exception:  # noqa: BLE001
            body = None
    resp: web.StreamResponse
    if request.method == "GET" and tail == "/info" and not openai_only:
        resp = json_response(tgi_info(data))
    elif request.method == "GET" and tail == "/v1/models":
        resp = json_response({"object": "list", "data": [{"id": spec.id, "object": "model", "created": 0,
                                                          "owned_by": spec.author}]})
    elif request.method == "POST" and tail in ("/v1/chat/completions", "/chat/completions"):
        echo = body.get("model") if isinstance(body, dict) and body.get("model") not in (None, "tgi") else spec.id
        resp = await chat.chat_completion(request, state, spec.id, body, fault=fault, echo_model=echo,
                                          tgi=not openai_only)
    elif request.method == "POST" and tail in ("/v1/completions", "/completions"):
        resp = await chat.completion(request, state, spec.id, body, fault=fault)
    elif request.method == "POST" and tail == "/tokenize" and not openai_only:
        resp = _tokenize(body)
    elif request.method == "GET" and tail == "/metrics":
        resp = web.Response(text=_prometheus(data), content_type="text/plain")
    elif request.method == "POST" and tail in ("/generate", "/generate_stream") and not openai_only:
        if not isinstance(body, dict):
            return error(422, "Failed to deserialize the JSON body into the target type")
        resp = await generation.text_generation(request, state, spec.id, body, tgi=True, fault=fault,
                                                as_list=False, force_stream=tail == "/generate_stream")
    elif request.method == "POST" and tail in ("/", "/embed") and not openai_only:
        if spec.pipeline_tag == "text-generation":
            if not isinstance(body, dict):
                return error(422, "Failed to deserialize the JSON body into the target type")
            resp = await generation.text_generation(request, state, spec.id, body, tgi=True, fault=fault)
        else:
            task = "feature-extraction" if tail == "/embed" else spec.pipeline_tag
            resp = await answer_task(request, state, spec, task)
    else:
        resp = error(404, f"Not Found: {request.method} {tail}")
    _log_request(request, state, ns, name, resp.status)
    return resp


def setup(app: web.Application) -> None:
    app.router.add_route("*", "/_ep/{ns}/{name}", deployed)
    app.router.add_route("*", "/_ep/{ns}/{name}/{tail:.*}", deployed)
