"""Inference router routes: ``/hf-inference/...`` and the OpenAI-compatible ``/v1/...``."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from hftui.emulator import catalog, chat, generation, media, tasks
from hftui.emulator.catalog import HF, ModelSpec
from hftui.emulator.state import ENTERPRISE_ORGS, ORGS, USER, State
from hftui.emulator.tasks import BadInput, Request
from hftui.emulator.webutil import (
    FAULT_KEY,
    error,
    json_response,
    router_unauthorized,
    state_of,
    token_state,
)

BINARY_TASKS = {"image-classification", "object-detection", "image-to-text", "automatic-speech-recognition"}


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


def compute_headers(state: State, spec: ModelSpec | None, started: float, size: int = 0) -> dict[str, str]:
    elapsed = max(time.monotonic() - started, 0.001)
    headers = {"x-compute-type": spec.compute if spec else "cpu", "x-compute-time": f"{elapsed:.3f}",
               "x-request-id": state.next_id(), "x-inference-id": state.next_id()}
    if spec:
        headers["x-sha"] = spec.sha
    if size:
        headers["x-compute-characters"] = str(size)
    return headers


def _bill_to_refusal(request: web.Request) -> web.Response | None:
    """``X-HF-Bill-To``: only an Enterprise org the user belongs to can be billed."""
    org = (request.headers.get("X-HF-Bill-To") or "").strip()
    if not org or org == USER:
        return None
    if org not in ORGS:
        return error(403, f"You are not a member of the organization '{org}': cannot bill it.")
    if org not in ENTERPRISE_ORGS:
        return error(403, f"Billing to '{org}' needs an Enterprise Hub subscription; '{org}' has none.")
    return None


def run_task(state: State, spec: ModelSpec, task: str, req: Request) -> Any:
    """Dispatch a non-generative task; returns JSON value or bytes (images)."""
    seed, mid = state.seed, spec.id
    if task == "fill-mask":
        return tasks.run_fill_mask(seed, mid, spec.mask_token or "[MASK]", req)
    if task == "summarization":
        return tasks.run_summarization(seed, mid, req)
    if task in ("translation", "text2text-generation"):
        return tasks.run_translation(seed, mid, req)
    if task == "question-answering":
        return tasks.run_question_answering(seed, mid, req)
    if task == "zero-shot-classification":
        return tasks.run_zero_shot(seed, mid, req, legacy=spec.legacy_zero_shot)
    if task == "text-classification":
        return tasks.run_text_classification(seed, mid, spec.labels, req)
    if task == "token-classification":
        return tasks.run_token_classification(seed, mid, req)
    if task == "feature-extraction":
        return tasks.run_feature_extraction(seed, mid, spec.dims, req, token_level=spec.token_level_features)
    if task == "sentence-similarity":
        return tasks.run_sentence_similarity(seed, mid, spec.dims, req)
    if task == "text-to-image":
        return media.run_text_to_image(seed, mid, req)
    if task == "image-classification":
        return media.run_image_classification(seed, mid, req)
    if task == "object-detection":
        return media.run_object_detection(seed, mid, req)
    if task == "image-to-text":
        return media.run_image_to_text(seed, mid, req)
    if task == "automatic-speech-recognition":
        return media.run_asr(seed, mid, req)
    if task == "table-question-answering":
        return tasks.run_table_qa(seed, mid, req)
    raise BadInput(f"Task {task} is not supported by the emulator", 400)


def task_response(result: Any, headers: dict[str, str]) -> web.Response:
    if isinstance(result, bytes):
        return web.Response(body=result, content_type="image/jpeg", headers=headers)
    return json_response(result, headers=headers)


async def answer_task(request: web.Request, state: State, spec: ModelSpec, task: str,
                      headers: dict[str, str] | None = None) -> web.StreamResponse:
    """Run ``task`` for ``spec`` on this request's body (text-generation included)."""
    started = time.monotonic()
    body = await request.read()
    try:
        req = Request.decode(body, request.headers.get("Content-Type", ""))
    except BadInput as exc:
        return web.Response(status=exc.status, text=exc.message, content_type="text/plain")
    if task == "text-generation" or (task == "text2text-generation" and spec.tgi):
        if req.json is None:
            return error(422, "Failed to deserialize the JSON body into the target type: expected a JSON object")
        return await generation.text_generation(request, state, spec.id, req.json, tgi=spec.tgi,
                                                fault=request.get(FAULT_KEY), max_total=spec.max_total,
                                                headers={**compute_headers(state, spec, started), **(headers or {})})
    if task not in BINARY_TASKS and req.json is None:
        return error(400, "The request body must be JSON: {\"inputs\": ..., \"parameters\": {...}}")
    try:
        result = run_task(state, spec, task, req)
    except BadInput as exc:
        return error(exc.status, exc.message, **exc.extra)
    if task == "text-to-image":
        await asyncio.sleep(min(0.5, 0.05 * max(1.0, 40.0 / max(state.token_rate, 1.0))))
    hdrs = {**compute_headers(state, spec, started, len(body)), **(headers or {})}
    if task == "automatic-speech-recognition":
        hdrs["x-compute-audio-length"] = f"{media.audio_seconds(req.binary_input()):.3f}"
    if state.seen_before(request.path, body) and (request.headers.get("x-use-cache") or "").lower() not in (
            "false", "0", "no"):
        hdrs["x-compute-type"] = "cache"  # an identical earlier request: served from the cache
    return task_response(result, hdrs)


def loading_response(spec: ModelSpec, remaining: float) -> web.Response:
    return error(503, f"Model {spec.id} is currently loading", estimated_time=round(remaining, 2))


async def wait_or_503(request: web.Request, state: State, spec: ModelSpec) -> web.Response | None:
    """Cold-start behaviour of hf-inference: 503 unless ``x-wait-for-model``."""
    remaining = state.loading_remaining(spec)
    if remaining is None:
        return None
    wants_wait = _truthy(request.headers.get("x-wait-for-model"))
    if not wants_wait:
        # legacy body option {"options": {"wait_for_model": true}} is honoured too
        try:
            body = await request.json() if request.can_read_body else None
        except Exception:  # noqa: BLE001 - any bad body just means "no option"
            body = None
        if isinstance(body, dict) and isinstance(body.get("options"), dict):
            wants_wait = bool(body["options"].get("wait_for_model"))
    if not wants_wait:
        return loading_response(spec, remaining)
    await asyncio.sleep(min(remaining, 2.0))
    state.mark_loaded(spec.id)
    return None


def _resolve_hf(model_id: str, *, chat: bool = False) -> tuple[ModelSpec | None, web.Response | None]:
    spec = catalog.resolve(model_id)
    if spec is None or spec.private:
        return None, error(404, f"Model {model_id} does not exist")
    if not spec.on_hf_inference:
        status = next((s for p, s, _, _ in spec.providers if p == HF), None)
        why = f"its hf-inference status is '{status}'" if status else "it is not deployed on hf-inference"
        return None, error(404, f"Model {spec.id} is not served by hf-inference ({why})")
    if chat and not (spec.is_chat or spec.tgi):
        return None, error(400, f"Model {spec.id} does not support chat completion (task {spec.pipeline_tag})")
    return spec, None


async def hf_inference(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    if token_state(request) != "valid":
        return router_unauthorized()
    if (refused := _bill_to_refusal(request)) is not None:
        return refused
    tail = request.match_info["tail"].strip("/")
    task_override = None
    is_chat = False
    if tail.endswith("/v1/chat/completions"):
        tail, is_chat = tail[: -len("/v1/chat/completions")], True
    elif "/pipeline/" in tail:
        tail, task_override = tail.split("/pipeline/", 1)
        if task_override not in ("feature-extraction", "sentence-similarity"):
            return error(404, f"Unknown pipeline suffix '{task_override}'")
    spec, failure = _resolve_hf(tail, chat=is_chat)
    if failure:
        return failure
    assert spec is not None
    if task_override and spec.pipeline_tag not in ("feature-extraction", "sentence-similarity"):
        return error(400, f"Model {spec.id} has pipeline_tag '{spec.pipeline_tag}', not '{task_override}'")
    if (loading := await wait_or_503(request, state, spec)) is not None:
        return loading
    if is_chat:
        body = await _json_or_none(request)
        return await chat.chat_completion(request, state, spec.id, body, fault=request.get(FAULT_KEY),
                                          headers=compute_headers(state, spec, time.monotonic()))
    return await answer_task(request, state, spec, task_override or spec.pipeline_tag)


async def legacy_pipeline(request: web.Request) -> web.StreamResponse:
    """``/hf-inference/pipeline/{task}/{id}`` — the pre-May-2025 embedding URLs."""
    state = state_of(request)
    if token_state(request) != "valid":
        return router_unauthorized()
    if (refused := _bill_to_refusal(request)) is not None:
        return refused
    task = request.match_info["task"]
    spec, failure = _resolve_hf(request.match_info["tail"].strip("/"))
    if failure:
        return failure
    assert spec is not None
    if (loading := await wait_or_503(request, state, spec)) is not None:
        return loading
    warning = (f"deprecated-route; use /hf-inference/models/{spec.id}/pipeline/{task} instead of "
               f"/hf-inference/pipeline/{task}/{spec.id}")
    return await answer_task(request, state, spec, task, headers={"X-HF-Warning": warning})


async def _json_or_none(request: web.Request) -> Any:
    try:
        return await request.json()
    except Exception:  # noqa: BLE001 - invalid JSON → the planner reports a 422
        return None


def _pick_provider(spec: ModelSpec, wanted: str | None) -> tuple[str | None, str | None]:
    """(provider, error message)."""
    live = spec.live_providers()
    chat_live = [p for p, status, _, task in spec.providers if status == "live" and
                 (task or spec.mapping_task) == "conversational"]
    if not chat_live:
        if wanted and wanted not in ("fastest", "cheapest", "preferred", "auto"):
            return None, f"The requested model '{spec.id}' is not supported by provider '{wanted}'."
        return None, f"The requested model '{spec.id}' is not supported by any provider you have enabled."
    if wanted in (None, "", "auto", "preferred", "fastest"):
        return chat_live[0], None
    if wanted == "cheapest":
        return chat_live[-1], None
    if wanted in chat_live:
        return wanted, None
    status = next((s for p, s, _, _ in spec.providers if p == wanted), None)
    if status:
        return None, f"The requested model '{spec.id}' is not available on provider '{wanted}' (status: {status})."
    _ = live
    return None, f"The requested model '{spec.id}' is not supported by provider '{wanted}'."


async def openai_chat(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    if token_state(request) != "valid":
        return router_unauthorized()
    if (refused := _bill_to_refusal(request)) is not None:
        return refused
    body = await _json_or_none(request)
    if not isinstance(body, dict):
        return error(422, "Failed to deserialize the JSON body into the target type: expected an object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return error(400, "`model` is required (e.g. \"meta-llama/Llama-3.1-8B-Instruct\" or \"<id>:<provider>\")")
    model_id, _, wanted = model.partition(":")
    spec = catalog.resolve(model_id)
    if spec is None or spec.private:
        return error(404, f"The requested model '{model_id}' does not exist.")
    provider, message = _pick_provider(spec, wanted or None)
    if provider is None:
        return error(400, message or "no provider")
    headers: dict[str, str] = {"x-inference-provider": provider, "x-request-id": state.next_id()}
    if provider == HF:
        if (loading := await wait_or_503(request, state, spec)) is not None:
            return loading
        headers.update(compute_headers(state, spec, time.monotonic()))
    elif provider == "together":
        # third-party providers send rate-limit headers (and retry-after!) on 200s
        headers.update({"x-ratelimit-limit": "600", "x-ratelimit-remaining": "599", "x-ratelimit-reset": "1",
                        "retry-after": "1"})
    return await chat.chat_completion(request, state, spec.id, body, fault=request.get(FAULT_KEY),
                                      provider=provider, echo_model=spec.id, headers=headers)


async def provider_chat(request: web.Request) -> web.StreamResponse:
    """``/{provider}/v1/chat/completions`` with the provider's own model id."""
    state = state_of(request)
    provider = request.match_info["provider"]
    if token_state(request) != "valid":
        return router_unauthorized()
    if (refused := _bill_to_refusal(request)) is not None:
        return refused
    body = await _json_or_none(request)
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return error(422, "`model` is required")
    pid = body["model"]
    spec = next((m for m in catalog.MODELS for p, status, prov_id, _ in m.providers
                 if p == provider and status == "live" and (prov_id or m.id) == pid), None)
    if spec is None:
        return error(404, f"Model {pid} is not served by {provider}")
    return await chat.chat_completion(request, state, spec.id, body, fault=request.get(FAULT_KEY),
                                      provider=provider, echo_model=pid, headers={"x-inference-provider": provider})


async def list_v1_models(request: web.Request) -> web.Response:
    data = []
    for spec in catalog.MODELS:
        chat_providers = [{"provider": p, "status": s, "task": t or spec.mapping_task}
                          for p, s, _, t in spec.providers if (t or spec.mapping_task) == "conversational"]
        if not chat_providers or spec.private:
            continue
        data.append({"id": spec.id, "object": "model", "created": 1727740800, "owned_by": spec.author,
                     "providers": chat_providers})
    return json_response({"object": "list", "data": data})


def setup(app: web.Application) -> None:
    app.router.add_post("/hf-inference/pipeline/{task}/{tail:.+}", legacy_pipeline)
    app.router.add_post("/hf-inference/models/{tail:.+}", hf_inference)
    app.router.add_post("/v1/chat/completions", openai_chat)
    app.router.add_get("/v1/models", list_v1_models)
    for provider in ("together", "fireworks-ai", "fal-ai"):
        app.router.add_post(f"/{{provider:{provider}}}/v1/chat/completions", provider_chat)
