"""Inference API: any task from its input record, typed results, SSE streaming.

``hf.inference.run(task, target, inputs, parameters=None, options=None,
on_loading=None)`` calls any task of the registry (``client/wire_tasks.py``:
route, input shape, parser, binary body, streaming); ``stream(...)`` the
same for the streaming tasks (an async iterator of ``StreamChunk``).
``inputs`` is the task's input record ({"inputs": ...}, {"question",
"context"}, {"query", "table"}, {"source_sentence", "sentences"},
{"messages": [...]}...); ``parameters`` the task's parameters as named in
wire doc 3.4 (None values dropped); ``on_loading`` is called with estimated
seconds while waiting for a loading model. Results are from
client/results.py. ``build(...)`` / ``raw_request(...)`` give the request
without sending it (export).

One method per task is kept as a shorthand (``fill_mask(target, text)``,
``question_answering(target, question, context)``, ``chat_completion(target,
messages)``, ``text_generation_stream(target, prompt)``...).

On a model not served by TGI, the TGI-only parameters text generation
sends and the model refuses (400 "model_kwargs are not used") are dropped
and the call made once more; the result's ``dropped_parameters`` names
them (see _tgi_fallback).

    Streams raise StreamInterrupted(partial=...) when the body ends before a
    final event or carries an in-stream error; cancellation (task cancel)
    closes the connection.

    No model: a ``model``/``router`` target without a model runs the Hub's
    recommended model of the task (``hf.hub.recommended_model``), as
    huggingface_hub does when no model is given.

    Deployed endpoints (``url`` targets) scaled to zero wake on the first
    call: the endpoint answers 503 at once (the wake has begun), the client
    reports the expected wait through ``on_loading`` and sends the call again
    with ``X-Scale-Up-Timeout`` so that the endpoint holds it until a replica
    serves (up to ``options.timeout``, else DEFAULT_SCALE_UP_TIMEOUT). A wake
    that does not finish raises EndpointWaking. ``options.scale_up_timeout``
    sends the header from the first request instead (no countdown).

    Chat and speech-recognition results carry ``stats`` (CallStats): what the
    response headers say about tokens, times and the audio length.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, aclosing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hftui.client import _parse
from hftui.client._http import StreamClock
from hftui.client._parse import result_to_json, sniff
from hftui.client._tgi_fallback import RefusedParameters, refused_parameters
from hftui.client._wire import clean_text, drop_none, dumps, loads, parse_error_body
from hftui.client.core import CallOptions, ServerAuth, Target
from hftui.client.errors import (
    BadRequest,
    ConnectionFailed,
    EndpointWaking,
    InvalidResponse,
    ModelLoading,
    ServerError,
    StreamInterrupted,
    Timeout,
)
from hftui.client.hub import repo_path
from hftui.client.results import (
    Answer,
    ChatCompletion,
    ChatMessage,
    DetectedObject,
    Entity,
    FillMaskCandidate,
    Generation,
    ImageResult,
    Label,
    StreamChunk,
    TableAnswer,
    Transcription,
)
from hftui.client.stats import CallStats
from hftui.client.wire_tasks import TASKS, Protocol, WireTask, wire_task

if TYPE_CHECKING:
    from hftui.client.core import HFClient

__all__ = ["TASKS", "InferenceAPI", "RawRequest", "build_request", "chat_url", "result_to_json"]

SCOPE_SERVERLESS = "inference.serverless.write"
SCOPE_ENDPOINT = "inference.endpoints.infer.write"
MAX_EVENT_BYTES = 1024 * 1024
"""One SSE event larger than this ends the stream (a broken or hostile server)."""
MAX_STREAM_CHARS = 8 * 1024 * 1024
"""Total streamed text kept; beyond it the stream is cut (StreamInterrupted)."""
MAX_STREAM_SECONDS = 3600.0
"""A stream still going after this long is cut (StreamInterrupted), however much text it brings.
Between two events that bring text it may stall ``Settings.stream_timeout`` at most."""
MAX_IDLE_BYTES = 16 * 1024 * 1024
"""Bytes a stream may send without any text (keep-alives, comments, empty events) before it is cut."""
_DEFAULT_OPTIONS = CallOptions()
_DONE = object()
DEFAULT_SCALE_UP_TIMEOUT = 600.0
"""How long a scaled-to-zero endpoint may hold a call while it wakes, unless the call has a timeout
(the value of the HF docs' example: cold starts take minutes)."""
DEFAULT_WAKE_ESTIMATE = 60.0
"""The wake countdown when the endpoint does not say (``Retry-After``) how long it will take."""

OnLoading = Callable[[float], None]


@dataclass(frozen=True)
class RawRequest:
    """A built inference request, without the token (for export/"show request")."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    json: Any | None
    send_token: bool | None
    scope: str
    auth: ServerAuth | None = None
    """A named server's own key (sent instead of the token); never in ``to_json``."""

    def to_json(self) -> dict:
        out: dict[str, Any] = {"method": self.method, "url": self.url, "headers": dict(self.headers)}
        if self.json is not None:
            out["json"] = self.json
        else:
            out["body_base64"] = base64.b64encode(self.body).decode("ascii")
        return out


def chat_url(base: str) -> str:
    """huggingface_hub's rule for chat on any base URL."""
    base = base.rstrip("/")
    try:
        path = urlsplit(base).path
    except ValueError:
        raise BadRequest("not a valid URL") from None
    if path.endswith("/chat/completions"):
        return base
    if path.endswith("/v1"):
        return base + "/chat/completions"
    return base + "/v1/chat/completions"


def _message_json(m: Any) -> dict:
    if isinstance(m, ChatMessage):
        return {"role": m.role, "content": m.content}
    if isinstance(m, dict):
        return m
    raise BadRequest("chat-completion: each message must be a {role, content} object")


def _as_bytes(value: Any, what: str) -> bytes:
    """Binary input: bytes, a data: URL / base64 string, or ``{"path": ...}``."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    try:
        if isinstance(value, dict) and isinstance(value.get("path"), str):
            return Path(value["path"]).expanduser().read_bytes()
        if isinstance(value, Path):
            return value.read_bytes()
    except OSError as exc:
        raise BadRequest(f"{what}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    if isinstance(value, str):
        if len(value) < 4096 and not value.startswith("data:"):
            path = Path(value).expanduser()
            if path.is_file():
                try:
                    return path.read_bytes()
                except OSError as exc:
                    raise BadRequest(f"{what}: cannot read the file ({exc.strerror or type(exc).__name__})") \
                        from None
        text = value.split(",", 1)[1] if value.startswith("data:") and "," in value else value
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            pass
    raise BadRequest(f"{what}: expected the file's bytes, base64, or a path")


def build_request(record: dict, settings: Any) -> dict | None:
    """The request a saved run (``hftui.tasks.record``) sends, for export.

    Returns ``{method, url, headers, json, auth, stream, accept_image}``
    (headers without the token; ``auth`` = send ``Authorization``), or None
    for binary tasks, whose file input the exporter handles itself.
    """
    try:
        wire = wire_task(record.get("task"))
    except BadRequest:
        return None
    if wire.binary:
        return None
    task = wire.name
    t = record.get("target") or {}
    target = Target(kind=str(t.get("kind") or "model"), model=t.get("model"), url=t.get("url"),
                    provider=t.get("provider"), send_token=t.get("send_token", True) is not False)
    opts = record.get("options") or {}
    options = CallOptions(wait_for_model=bool(opts.get("wait_for_model")), use_cache=opts.get("use_cache") is not False,
                          bill_to=opts.get("bill_to") or None)
    stream = wire.streams and opts.get("stream", True) is not False

    class _Settings:
        pass

    holder = _Settings()
    holder.settings = settings  # type: ignore[attr-defined]
    req = InferenceAPI(holder).build(task, target, dict(record.get("inputs") or {}),  # type: ignore[arg-type]
                                     record.get("parameters"), options, stream=stream)
    return {"method": req.method, "url": req.url, "headers": dict(req.headers), "json": req.json,
            "auth": target.send_token, "stream": stream,
            "accept_image": wire.protocol is Protocol.IMAGE}


class InferenceAPI:
    def __init__(self, client: HFClient) -> None:
        self._c = client
        self._refused = RefusedParameters()

    # --- building requests -------------------------------------------------------------

    def _route(self, target: Target, wire: WireTask) -> tuple[str, bool | None, str]:
        """(url, send_token, scope) of a task call."""
        if target.kind in ("model", "router"):
            if not target.model:
                raise BadRequest("no model chosen")
            url = f"{self._c.settings.inference_url.rstrip('/')}/hf-inference/models/{repo_path(target.model)}"
            if wire.pipeline_path:
                url += f"/pipeline/{wire.name}"
            return url, (None if target.send_token else False), SCOPE_SERVERLESS
        if target.kind == "url" and target.url:
            return target.url, target.send_token, SCOPE_ENDPOINT
        raise BadRequest(f"unknown target kind {target.kind!r}")

    def _chat_route(self, target: Target) -> tuple[str, str, bool | None, str, bool]:
        """(url, model field, send_token, scope, is_hf_inference)."""
        base = self._c.settings.inference_url.rstrip("/")
        if target.kind == "model":
            if not target.model:
                raise BadRequest("no model chosen")
            return (f"{base}/hf-inference/models/{repo_path(target.model)}/v1/chat/completions", target.model,
                    None if target.send_token else False, SCOPE_SERVERLESS, True)
        if target.kind == "router":
            if not target.model:
                raise BadRequest("no model chosen")
            model = f"{target.model}:{target.provider}" if target.provider else target.model
            return (f"{base}/v1/chat/completions", model, None if target.send_token else False, SCOPE_SERVERLESS,
                    target.provider == "hf-inference")
        if target.kind == "url" and target.url:
            return chat_url(target.url), target.model or "tgi", target.send_token, SCOPE_ENDPOINT, False
        raise BadRequest(f"unknown target kind {target.kind!r}")

    @staticmethod
    def _headers(options: CallOptions, content_type: str | None, accept: str | None = None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if content_type:
            headers["content-type"] = content_type
        if accept:
            headers["accept"] = accept
        if not options.use_cache:
            headers["x-use-cache"] = "false"
        if options.bill_to:
            headers["x-hf-bill-to"] = options.bill_to
        if options.scale_up_timeout is not None:
            headers["x-scale-up-timeout"] = str(int(options.scale_up_timeout))
        return headers

    def build(self, task: str, target: Target, record: dict, parameters: dict | None = None,
              options: CallOptions | None = None, *, stream: bool = False) -> RawRequest:
        """The request of one task call; ``record`` is a task input record (see ``run``)."""
        req = self._build(task, target, record, parameters, options, stream=stream)
        if target.auth is not None:  # a named server: its key, never the token, no HF scope
            req = dataclasses.replace(req, auth=target.auth, send_token=False, scope="")
        return req

    def _build(self, task: str, target: Target, record: dict, parameters: dict | None,
               options: CallOptions | None, *, stream: bool) -> RawRequest:
        wire = wire_task(task)
        options = options or _DEFAULT_OPTIONS
        params = drop_none(parameters) if parameters else {}
        if wire.protocol is Protocol.CHAT:
            url, model, send_token, scope, hf_inference = self._chat_route(target)
            messages = wire.body_inputs(record)
            if not isinstance(messages, list):
                raise BadRequest(f"{wire.name}: 'messages' must be a list")
            body: dict[str, Any] = {"model": model}  # first: the router peeks at it
            params.pop("model", None)
            rf = params.get("response_format")
            if hf_inference and isinstance(rf, dict) and rf.get("type") == "json_schema":
                schema = rf.get("json_schema") if isinstance(rf.get("json_schema"), dict) else {}
                params["response_format"] = {"type": "json_object", "value": schema.get("schema", {})}
            body["messages"] = [_message_json(m) for m in messages]
            body.update(params)
            body["stream"] = stream
            return RawRequest("POST", url, self._headers(options, "application/json"), dumps(body), body,
                              send_token, scope)
        url, send_token, scope = self._route(target, wire)
        accept = "image/png" if wire.protocol is Protocol.IMAGE else None
        if wire.binary:
            data = _as_bytes(record.get("inputs", record.get("image", record.get("audio"))), wire.name)
            if params:
                body = {"inputs": base64.b64encode(data).decode("ascii"), "parameters": params}
                return RawRequest("POST", url, self._headers(options, "application/json"), dumps(body), body,
                                  send_token, scope)
            media = sniff(data) or "application/octet-stream"
            return RawRequest("POST", url, self._headers(options, media), data, None, send_token, scope)
        body = {"inputs": wire.body_inputs(record)}
        for key in wire.root_options:
            if key in params:
                body[key] = params.pop(key)
        if wire.record_parameters is not None:
            for key, value in wire.record_parameters(record).items():
                params.setdefault(key, value)
        if params:
            body["parameters"] = params
        if wire.protocol is Protocol.TGI:
            body["stream"] = stream
        return RawRequest("POST", url, self._headers(options, "application/json", accept), dumps(body), body,
                          send_token, scope)

    # --- sending ----------------------------------------------------------------------------

    async def _send(self, req: RawRequest, options: CallOptions | None, on_loading: OnLoading | None):
        """POST; a deployed endpoint waking from zero is sent the call again, held until it serves."""
        try:
            return await self._post(req, options, on_loading)
        except ServerError as exc:
            held = self._held(req, options, exc, on_loading)
            if held is None:
                raise
            try:
                return await self._post(*held, on_loading)
            except ServerError as again:
                raise _not_awake(again) from None

    def _held(self, req: RawRequest, options: CallOptions | None, exc: ServerError,
              on_loading: OnLoading | None) -> tuple[RawRequest, CallOptions] | None:
        """After a 503 from an endpoint URL: the same call asking the endpoint to hold it while it
        wakes (and the countdown reported), or None when this 503 is not one to wait out."""
        options = options or _DEFAULT_OPTIONS
        if (exc.status != 503 or isinstance(exc, EndpointWaking) or req.scope != SCOPE_ENDPOINT
                or options.scale_up_timeout is not None or "x-scale-up-timeout" in req.headers):
            return None
        hold = options.timeout or DEFAULT_SCALE_UP_TIMEOUT
        if on_loading is not None:
            on_loading(exc.retry_after if exc.retry_after is not None else DEFAULT_WAKE_ESTIMATE)
        held = dataclasses.replace(req, headers={**req.headers, "x-scale-up-timeout": str(max(1, int(hold)))})
        # the hold, then the answer itself within the usual timeout
        return held, dataclasses.replace(options, timeout=hold + (options.timeout or self._c.settings.timeout))

    async def _post(self, req: RawRequest, options: CallOptions | None, on_loading: OnLoading | None):
        """POST (never retried) — except a 503-loading when the caller chose to wait for the model."""
        options = options or _DEFAULT_OPTIONS
        c = self._c
        headers = req.headers
        if not options.wait_for_model:
            return await c.request("POST", req.url, service="inference", scope=req.scope, send_token=req.send_token,
                                   headers=headers, content=req.body, timeout=options.timeout, retry=False,
                                   auth=req.auth, recorder=options.recorder)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (options.timeout or c.settings.timeout)
        while True:
            remaining = deadline - loop.time()
            try:
                return await c.request("POST", req.url, service="inference", scope=req.scope,
                                       send_token=req.send_token, headers=headers, content=req.body,
                                       timeout=max(1.0, remaining), retry=False, auth=req.auth,
                                       recorder=options.recorder)
            except ModelLoading as exc:
                headers = await self._wait_loading(exc, headers, deadline, on_loading)

    async def _wait_loading(self, exc: ModelLoading, headers: dict, deadline: float,
                            on_loading: OnLoading | None) -> dict:
        """Before retrying a loading model: report the countdown, pause if the server did not hold."""
        loop = asyncio.get_running_loop()
        remaining = deadline - loop.time()
        if remaining <= 0.5:
            raise exc
        estimate = exc.estimated_time if exc.estimated_time is not None else 10.0
        if on_loading is not None:
            on_loading(estimate)
        if "x-wait-for-model" in headers:  # the server answered at once anyway: don't hammer it
            await asyncio.sleep(min(max(1.0, min(estimate, 5.0)), remaining))
            return headers
        return {**headers, "x-wait-for-model": "true"}

    @staticmethod
    def _decode(response, task: str) -> Any:
        try:
            return loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InvalidResponse(f"{task}: the server did not answer with valid JSON",
                                  status=response.status_code) from None

    async def _call(self, wire: WireTask, target: Target, record: dict, parameters, options, on_loading):
        target = await self._with_model(target, wire.name)
        req = self.build(wire.name, target, record, parameters, options)
        response = await self._send(req, options, on_loading)
        if wire.protocol is Protocol.IMAGE:
            return self._image(response)
        return _with_stats(wire.parse(self._decode(response, wire.name)), response)

    async def _with_model(self, target: Target, task: str) -> Target:
        """A model/router target without a model: the Hub's recommended model of the task."""
        if target.kind not in ("model", "router") or target.model:
            return target
        model = await self._c.hub.recommended_model(task)
        if model is None:
            raise BadRequest(f"no model chosen, and the Hub recommends none for {task}")
        return dataclasses.replace(target, model=model, label=model)

    def raw_request(self, task: str, target: Target, inputs: dict, parameters: dict | None = None,
                    options: CallOptions | None = None, *, stream: bool = False) -> dict:
        """The request a call would send (method, url, headers without the token, json/body)."""
        return self.build(task, target, inputs, parameters, options, stream=stream).to_json()

    # --- the one way in: run / stream any task from its input record ---------------------------

    async def run(self, task: str, target: Target, inputs: dict, parameters: dict | None = None,
                  options: CallOptions | None = None, on_loading: OnLoading | None = None) -> Any:
        """One call of ``task`` (or an alias) from an input record; returns the typed result.

        Records: ``{"inputs": ...}`` (text tasks; binary tasks: bytes, base64,
        a data: URL, or ``{"path": ...}``), ``{"question", "context"}``,
        ``{"query", "table"}``, ``{"source_sentence", "sentences"}``,
        ``{"inputs", "candidate_labels"}`` (zero-shot), ``{"messages": [...]}``.
        """
        wire = wire_task(task)
        if not isinstance(inputs, dict):
            inputs = {"inputs": inputs}
        if wire.protocol is Protocol.TGI:
            return await self._generate(wire, target, inputs, parameters, options, on_loading)
        return await self._call(wire, target, inputs, parameters, options, on_loading)

    def stream(self, task: str, target: Target, inputs: dict, parameters: dict | None = None,
               options: CallOptions | None = None, on_loading: OnLoading | None = None
               ) -> AsyncIterator[StreamChunk]:
        """The ``StreamChunk`` stream of a streaming task (``WireTask.streams``), from an input record."""
        wire = wire_task(task)
        if wire.protocol is Protocol.TGI:
            return self.text_generation_stream(target, wire.body_inputs(inputs), parameters, options, on_loading)
        if wire.protocol is Protocol.CHAT:
            return self.chat_completion_stream(target, wire.body_inputs(inputs), parameters, options, on_loading)
        raise BadRequest(f"{wire.name} does not stream")

    # --- one method per task (shorthands for run) ------------------------------------------------

    async def fill_mask(self, target: Target, text: str, parameters: dict | None = None,
                        options: CallOptions | None = None, on_loading: OnLoading | None = None
                        ) -> list[FillMaskCandidate]:
        return await self.run("fill-mask", target, {"inputs": text}, parameters, options, on_loading)

    async def summarization(self, target: Target, text: str, parameters: dict | None = None,
                            options: CallOptions | None = None, on_loading: OnLoading | None = None) -> str:
        return await self.run("summarization", target, {"inputs": text}, parameters, options, on_loading)

    async def translation(self, target: Target, text: str, parameters: dict | None = None,
                          options: CallOptions | None = None, on_loading: OnLoading | None = None) -> str:
        return await self.run("translation", target, {"inputs": text}, parameters, options, on_loading)

    async def question_answering(self, target: Target, question: str, context: str, parameters: dict | None = None,
                                 options: CallOptions | None = None, on_loading: OnLoading | None = None
                                 ) -> list[Answer]:
        return await self.run("question-answering", target, {"question": question, "context": context},
                              parameters, options, on_loading)

    async def zero_shot_classification(self, target: Target, text: str, labels: list[str],
                                       parameters: dict | None = None, options: CallOptions | None = None,
                                       on_loading: OnLoading | None = None) -> list[Label]:
        return await self.run("zero-shot-classification", target, {"inputs": text, "candidate_labels": labels},
                              parameters, options, on_loading)

    async def text_classification(self, target: Target, text: str, parameters: dict | None = None,
                                  options: CallOptions | None = None, on_loading: OnLoading | None = None
                                  ) -> list[Label]:
        return await self.run("text-classification", target, {"inputs": text}, parameters, options, on_loading)

    async def token_classification(self, target: Target, text: str, parameters: dict | None = None,
                                   options: CallOptions | None = None, on_loading: OnLoading | None = None
                                   ) -> list[Entity]:
        return await self.run("token-classification", target, {"inputs": text}, parameters, options, on_loading)

    async def text_generation(self, target: Target, prompt: str, parameters: dict | None = None,
                              options: CallOptions | None = None, on_loading: OnLoading | None = None) -> Generation:
        """TGI's answer with its details; on a model not served by TGI, the TGI-only parameters it
        refuses are dropped and the call made once more (``Generation.dropped_parameters``)."""
        return await self.run("text-generation", target, {"inputs": prompt}, parameters, options, on_loading)

    async def _generate(self, wire: WireTask, target: Target, record: dict, parameters: dict | None,
                        options: CallOptions | None, on_loading: OnLoading | None) -> Generation:
        target = await self._with_model(target, wire.name)
        params = drop_none(parameters) if parameters else {}
        url = self._route(target, wire)[0]
        params, dropped = self._refused.strip(url, params)
        try:
            gen = await self._call(wire, target, record, params, options, on_loading)
        except BadRequest as exc:
            params, refused = self._drop_refused(url, params, exc)
            dropped += refused
            gen = await self._call(wire, target, record, params, options, on_loading)
        return replace(gen, dropped_parameters=tuple(dropped)) if dropped else gen

    def _drop_refused(self, url: str, params: dict, exc: BadRequest) -> tuple[dict, list[str]]:
        """After a 400 naming refused parameters: the parameters without them (else re-raise ``exc``)."""
        refused = [name for name in refused_parameters(exc) if name in params]
        if not refused:
            raise exc
        self._refused.add(url, refused)
        return {k: v for k, v in params.items() if k not in refused}, refused

    async def chat_completion(self, target: Target, messages: list, parameters: dict | None = None,
                              options: CallOptions | None = None, on_loading: OnLoading | None = None
                              ) -> ChatCompletion:
        return await self.run("chat-completion", target, {"messages": messages}, parameters, options, on_loading)

    async def feature_extraction(self, target: Target, text: str | list[str], parameters: dict | None = None,
                                 options: CallOptions | None = None, on_loading: OnLoading | None = None) -> list:
        return await self.run("feature-extraction", target, {"inputs": text}, parameters, options, on_loading)

    async def sentence_similarity(self, target: Target, source: str, sentences: list[str],
                                  parameters: dict | None = None, options: CallOptions | None = None,
                                  on_loading: OnLoading | None = None) -> list[float]:
        return await self.run("sentence-similarity", target, {"source_sentence": source, "sentences": list(sentences)},
                              parameters, options, on_loading)

    async def text_to_image(self, target: Target, prompt: str, parameters: dict | None = None,
                            options: CallOptions | None = None, on_loading: OnLoading | None = None) -> ImageResult:
        return await self.run("text-to-image", target, {"inputs": prompt}, parameters, options, on_loading)

    @staticmethod
    def _image(response) -> ImageResult:
        content_type = response.headers.get("content-type")
        try:
            return _parse.image(response.content, content_type)
        except InvalidResponse:
            # Some providers answer JSON with a base64 image.
            try:
                data = json.loads(response.content)
            except (ValueError, UnicodeDecodeError, RecursionError):
                raise InvalidResponse("text-to-image: the answer is not an image", status=response.status_code) \
                    from None
            b64 = None
            if isinstance(data, dict):
                items = data.get("data") if isinstance(data.get("data"), list) else [data]
                first = items[0] if items and isinstance(items[0], dict) else {}
                b64 = first.get("b64_json") or first.get("image") or first.get("images")
            if isinstance(b64, list) and b64:
                b64 = b64[0]
            if isinstance(b64, str):
                try:
                    raw = base64.b64decode(b64.split(",", 1)[-1], validate=False)
                    return _parse.image(raw, None)
                except (binascii.Error, ValueError, InvalidResponse):
                    pass
            raise InvalidResponse("text-to-image: the answer is not an image", status=response.status_code) from None

    async def image_classification(self, target: Target, image: bytes, parameters: dict | None = None,
                                   options: CallOptions | None = None, on_loading: OnLoading | None = None
                                   ) -> list[Label]:
        return await self.run("image-classification", target, {"inputs": image}, parameters, options, on_loading)

    async def object_detection(self, target: Target, image: bytes, parameters: dict | None = None,
                               options: CallOptions | None = None, on_loading: OnLoading | None = None
                               ) -> list[DetectedObject]:
        return await self.run("object-detection", target, {"inputs": image}, parameters, options, on_loading)

    async def image_to_text(self, target: Target, image: bytes, parameters: dict | None = None,
                            options: CallOptions | None = None, on_loading: OnLoading | None = None) -> str:
        return await self.run("image-to-text", target, {"inputs": image}, parameters, options, on_loading)

    async def automatic_speech_recognition(self, target: Target, audio: bytes, parameters: dict | None = None,
                                           options: CallOptions | None = None, on_loading: OnLoading | None = None
                                           ) -> Transcription:
        return await self.run("automatic-speech-recognition", target, {"inputs": audio}, parameters, options,
                              on_loading)

    async def table_question_answering(self, target: Target, query: str, table: dict[str, list[str]],
                                       parameters: dict | None = None, options: CallOptions | None = None,
                                       on_loading: OnLoading | None = None) -> TableAnswer:
        return await self.run("table-question-answering", target, {"query": query, "table": table}, parameters,
                              options, on_loading)

    # --- streaming -------------------------------------------------------------------------------

    async def _open_stream(self, stack: AsyncExitStack, req: RawRequest, options: CallOptions | None,
                           on_loading: OnLoading | None):
        """The stream's response; a deployed endpoint waking from zero is asked again, held (see _send)."""
        try:
            return await self._open_stream_once(stack, req, options, on_loading)
        except ServerError as exc:
            held = self._held(req, options, exc, on_loading)
            if held is None:
                raise
            try:
                return await self._open_stream_once(stack, *held, on_loading)
            except ServerError as again:
                raise _not_awake(again) from None

    async def _open_stream_once(self, stack: AsyncExitStack, req: RawRequest, options: CallOptions | None,
                                on_loading: OnLoading | None):
        options = options or _DEFAULT_OPTIONS
        c = self._c
        headers = {**req.headers, "accept": "text/event-stream"}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (options.timeout or c.settings.timeout)
        while True:
            try:
                return await stack.enter_async_context(c.stream(
                    "POST", req.url, service="inference", scope=req.scope, send_token=req.send_token,
                    headers=headers, content=req.body, timeout=options.timeout, auth=req.auth,
                    recorder=options.recorder))
            except ModelLoading as exc:
                if not options.wait_for_model:
                    raise
                headers = await self._wait_loading(exc, headers, deadline, on_loading)

    def _clock(self, options: CallOptions | None) -> StreamClock:
        """The stream's deadlines: stall (the call's timeout, else the stream timeout), total, idle bytes."""
        stall = (options.timeout if options is not None else None) or self._c.settings.stream_timeout
        return StreamClock(stall=stall, total=MAX_STREAM_SECONDS, idle_limit=MAX_IDLE_BYTES)

    async def text_generation_stream(self, target: Target, prompt: str, parameters: dict | None = None,
                                     options: CallOptions | None = None, on_loading: OnLoading | None = None
                                     ) -> AsyncIterator[StreamChunk]:
        """TGI SSE: one chunk per token (special tokens' text skipped); the last has ``final``.

        A model not served by TGI cannot stream: once it refused TGI-only
        parameters (see ``text_generation``), its whole answer comes as one
        final chunk, with ``dropped_parameters``.
        """
        wire = wire_task("text-generation")
        target = await self._with_model(target, wire.name)
        params = drop_none(parameters) if parameters else {}
        url = self._route(target, wire)[0]
        if self._refused.known_plain(url):
            yield _generation_chunk(await self._generate(wire, target, {"inputs": prompt}, params, options,
                                                         on_loading))
            return
        req = self.build("text-generation", target, {"inputs": prompt}, params, options, stream=True)
        async with AsyncExitStack() as stack:
            try:
                response = await self._open_stream(stack, req, options, on_loading)
            except BadRequest as exc:
                params, refused = self._drop_refused(url, params, exc)
                gen = await self._generate(wire, target, {"inputs": prompt}, params, options, on_loading)
                yield _generation_chunk(replace(gen, dropped_parameters=(*refused, *gen.dropped_parameters)))
                return
            clock = self._clock(options)
            if not _is_sse(response):
                yield await self._non_sse(response, "text-generation", clock)
                return
            pieces: list[str] = []
            size = 0
            token_of = _parse.token
            tokens_of = _parse.tokens
            try:
                batches = await stack.enter_async_context(aclosing(_batches(self._c.http, response, clock)))
                async for events in batches:
                    progressed = False
                    for event in events:
                        if event is _DONE:
                            raise StreamInterrupted("the stream ended before the generation finished",
                                                    partial="".join(pieces))
                        if not isinstance(event, dict):
                            raise _malformed(pieces)
                        if event.get("error"):
                            raise _stream_error(event, pieces)
                        raw = event.get("token")
                        text = ""
                        token = None
                        if isinstance(raw, dict):
                            token = token_of(raw)
                            if not raw.get("special"):
                                text = raw.get("text") or ""
                                if text:
                                    if not isinstance(text, str):
                                        raise _malformed(pieces)
                                    progressed = True
                                    pieces.append(text)
                                    size += len(text)
                                    if size > MAX_STREAM_CHARS:
                                        raise StreamInterrupted("the stream is too long; stopped",
                                                                partial="".join(pieces))
                        top = event.get("top_tokens")
                        top_tokens = tokens_of(top) if isinstance(top, list) else None
                        if event.get("generated_text") is not None:
                            details = _parse.generation_details(event.get("details"))
                            if details is not None:
                                yield StreamChunk(text=text, final=True, finish_reason=details.finish_reason,
                                                  generated_tokens=details.generated_tokens, token=token,
                                                  top_tokens=top_tokens, details=details)
                            else:
                                yield StreamChunk(text=text, final=True, token=token, top_tokens=top_tokens)
                            return
                        yield StreamChunk(text, token=token, top_tokens=top_tokens)
                    if progressed:  # once per network chunk: cheaper than per event
                        clock.progress()
            except (ConnectionFailed, Timeout, InvalidResponse) as exc:
                raise _stopped(exc, pieces) from None
            except (_MalformedEvent, AttributeError, TypeError, IndexError):  # an event of an unexpected shape
                raise _malformed(pieces) from None
            raise StreamInterrupted("the stream ended before the generation finished", partial="".join(pieces))

    async def chat_completion_stream(self, target: Target, messages: list, parameters: dict | None = None,
                                     options: CallOptions | None = None, on_loading: OnLoading | None = None
                                     ) -> AsyncIterator[StreamChunk]:
        """OpenAI SSE: chunks of content/reasoning; exactly one last chunk with ``final``.

        The final chunk comes at ``[DONE]`` or at the end of the body once a
        ``finish_reason`` was seen, so a trailing usage chunk is merged in.
        """
        target = await self._with_model(target, "chat-completion")
        req = self.build("chat-completion", target, {"messages": messages}, parameters, options, stream=True)
        async with AsyncExitStack() as stack:
            response = await self._open_stream(stack, req, options, on_loading)
            clock = self._clock(options)
            if not _is_sse(response):
                yield await self._non_sse(response, "chat-completion", clock)
                return
            pieces: list[str] = []
            size = 0
            finish: str | None = None
            usage: dict | None = None
            done = False
            try:
                batches = await stack.enter_async_context(aclosing(_batches(self._c.http, response, clock)))
                async for events in batches:
                    progressed = False
                    for event in events:
                        if event is _DONE:
                            done = True
                            break
                        if not isinstance(event, dict):
                            raise _malformed(pieces)
                        if event.get("error"):
                            raise _stream_error(event, pieces)
                        choices = event.get("choices")
                        if choices and not choices[0].get("index"):  # n > 1: the first choice only
                            choice = choices[0]
                            delta = choice.get("delta")
                            if delta:
                                text = delta.get("content") or ""
                                reasoning = delta.get("reasoning") or delta.get("reasoning_content") or ""
                                if text or reasoning:
                                    if not isinstance(text, str) or not isinstance(reasoning, str):
                                        raise _malformed(pieces)
                                    progressed = True
                                    if text:
                                        pieces.append(text)
                                        size += len(text)
                                    size += len(reasoning)
                                    if size > MAX_STREAM_CHARS:
                                        raise StreamInterrupted("the stream is too long; stopped",
                                                                partial="".join(pieces))
                                    yield StreamChunk(text, reasoning)
                            reason = choice.get("finish_reason")
                            if reason:
                                finish = reason
                                progressed = True
                        u = event.get("usage")
                        if u:
                            usage = u
                    if done:
                        break
                    if progressed:  # once per network chunk: cheaper than per event
                        clock.progress()
            except (ConnectionFailed, Timeout, InvalidResponse) as exc:
                if finish is None:
                    raise _stopped(exc, pieces) from None
            except (_MalformedEvent, AttributeError, TypeError, IndexError):  # an event of an unexpected shape
                raise _malformed(pieces) from None
            if not done and finish is None:
                raise StreamInterrupted("the stream ended before the answer finished", partial="".join(pieces))
            usage = usage if isinstance(usage, dict) else {}
            yield StreamChunk(final=True, finish_reason=finish if isinstance(finish, str) else None,
                              generated_tokens=_opt_int(usage.get("completion_tokens")),
                              prompt_tokens=_opt_int(usage.get("prompt_tokens")))

    async def _non_sse(self, response, task: str, clock: StreamClock) -> StreamChunk:
        """A 2xx answer that is not SSE: an error object, or a non-streamed result."""
        body = await self._c.http.aread(response, timeout=clock.stall)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            messages, _, _ = parse_error_body(response.headers, body)
            raise InvalidResponse("expected a stream (text/event-stream), got: "
                                  + ("; ".join(messages) or "an empty answer"), status=response.status_code) from None
        if isinstance(data, dict) and data.get("error"):
            messages, error_type, _ = parse_error_body(response.headers, body)
            raise StreamInterrupted("; ".join(messages) or "the server reported an error", error_type=error_type)
        if task == "chat-completion":
            result = _parse.chat(data)
            return StreamChunk(text=result.content, reasoning=result.reasoning or "", final=True,
                               finish_reason=result.finish_reason, generated_tokens=result.completion_tokens,
                               prompt_tokens=result.prompt_tokens)
        return _generation_chunk(_parse.generation(data))


def _generation_chunk(gen: Generation) -> StreamChunk:
    """A whole (non-streamed) answer as the one final chunk of a stream."""
    return StreamChunk(text=gen.text, final=True, finish_reason=gen.finish_reason,
                       generated_tokens=gen.generated_tokens, details=gen.details,
                       dropped_parameters=gen.dropped_parameters)


# --- SSE ---------------------------------------------------------------------------------------


class _MalformedEvent(Exception):
    pass


_scan = json.JSONDecoder().scan_once
"""The C scanner behind json.loads, minus its whitespace regexes and type checks:
per-event cost matters when a stream carries tens of thousands of tokens."""


class SSEDecoder:
    """Incremental SSE decoder for JSON ``data:`` events.

    Splits each network chunk at its last newline, decodes the complete lines
    at once (a newline never occurs inside a UTF-8 sequence, so a character
    split across chunks stays in the pending tail), and returns the chunk's
    events as a list, keeping per-event overhead small. Accepts ``data:``
    with or without a space and CRLF; ignores comments, blank lines and
    ``event:``/``id:``/``retry:``. A data payload that is not valid JSON on
    its own is joined with the next data line (multi-line events).
    """

    __slots__ = ("_pending", "_pending_size", "_partial")

    def __init__(self) -> None:
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._partial: str | None = None

    def feed(self, chunk: bytes) -> list[Any]:
        cut = chunk.rfind(b"\n")
        if cut < 0:
            self._pending.append(chunk)
            self._pending_size += len(chunk)
            if self._pending_size > MAX_EVENT_BYTES:
                raise _MalformedEvent
            return []
        if self._pending:
            self._pending.append(chunk[:cut])
            complete = b"".join(self._pending)
            self._pending = []
        else:
            complete = chunk[:cut]
        tail = chunk[cut + 1:]
        if tail:
            self._pending.append(tail)
        self._pending_size = len(tail)
        out: list[Any] = []
        append = out.append
        scan = _scan
        for line in complete.decode("utf-8", "replace").split("\n"):
            if line[:5] != "data:":
                if self._partial is not None and not line.strip():
                    raise _MalformedEvent
                continue
            payload = line[5:].strip()
            if self._partial is not None:
                payload = self._partial + "\n" + payload
                if len(payload) > MAX_EVENT_BYTES:
                    raise _MalformedEvent
            elif not payload:
                continue
            if payload == "[DONE]":
                append(_DONE)
                continue
            try:
                event, end = scan(payload, 0)
            except (ValueError, StopIteration):
                self._partial = payload
                continue
            if end != len(payload):
                self._partial = payload
                continue
            self._partial = None
            append(event)
        return out

    def close(self) -> list[Any]:
        """End of body: the events of a last line without newline; an unfinished event is an error."""
        events: list[Any] = []
        if self._pending:
            rest = b"".join(self._pending)
            self._pending = []
            self._pending_size = 0
            events = self.feed(rest + b"\n")
        if self._partial is not None:
            raise _MalformedEvent
        return events


async def _batches(http, response, clock: StreamClock) -> AsyncIterator[list[Any]]:
    """The stream's events, one list per network chunk (keeps per-event overhead low).

    The reader reports progress to ``clock`` for events that carried something."""
    decoder = SSEDecoder()
    async with aclosing(http.aiter_bytes(response, clock)) as chunks:  # closed at once: its timer too
        async for raw in chunks:
            events = decoder.feed(raw)
            if events:
                yield events
    events = decoder.close()
    if events:
        yield events


_HAS_STATS: dict[type, bool] = {}
"""Result classes with a ``stats`` field (looked up once per class: batch calls this per input)."""


def _with_stats(result: Any, response) -> Any:
    """A result with a ``stats`` field gets what the response headers say (tokens, times, audio)."""
    kind = type(result)
    has = _HAS_STATS.get(kind)
    if has is None:
        has = _HAS_STATS[kind] = dataclasses.is_dataclass(result) and any(
            f.name == "stats" for f in dataclasses.fields(result))
    if has:
        return dataclasses.replace(result, stats=CallStats.from_headers(response.headers))
    return result


def _not_awake(exc: ServerError) -> ServerError:
    """The held call failed: a 503 means the endpoint did not come up within the hold."""
    if exc.status != 503 or isinstance(exc, EndpointWaking):
        return exc
    return EndpointWaking(f"the endpoint did not come up in time: {exc.message}", status=exc.status,
                          request_id=exc.request_id, estimated_time=exc.retry_after, retry_after=exc.retry_after)


def _is_sse(response) -> bool:
    return response.headers.get("content-type", "").lstrip().lower().startswith("text/event-stream")


def _opt_int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _stopped(exc: ConnectionFailed | Timeout | InvalidResponse, pieces: list[str]) -> StreamInterrupted:
    """A stream ended by the network (cut) or by us (stalled, too long, only keep-alives)."""
    how = "was cut" if isinstance(exc, ConnectionFailed) else "stopped"
    return StreamInterrupted(f"the stream {how}: {exc.message}", partial="".join(pieces))


def _malformed(pieces: list[str]) -> StreamInterrupted:
    return StreamInterrupted("the stream carried a malformed event", partial="".join(pieces))


def _stream_error(event: dict, pieces: list[str]) -> StreamInterrupted:
    err = event.get("error")
    error_type = event.get("error_type")
    status = None
    if isinstance(err, dict):
        message = err.get("message")
        status = _opt_int(err.get("http_status_code"))
        error_type = error_type or err.get("type")
    else:
        message = err
    text = clean_text(message if isinstance(message, str) else json.dumps(message)[:600]) or "error in the stream"
    return StreamInterrupted(text, partial="".join(pieces), status=status,
                             error_type=clean_text(error_type, 60) if isinstance(error_type, str) else None)
