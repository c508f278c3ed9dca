"""Error mapping, retries, redirects, payload building and SSE parsing against a mock transport."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from hftui.auth import Secret
from hftui.client import HFClient, Target
from hftui.client._http import MockResponse, MockTransport
from hftui.client._wire import parse_retry_after
from hftui.client.core import CallOptions
from hftui.client.endpoints import CustomImage, EndpointSpec, EndpointUpdate, validate_name
from hftui.client.models import Endpoint
from hftui.client.errors import (
    AuthError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    HFError,
    InvalidResponse,
    ModelLoading,
    NotFound,
    RateLimited,
    ServerError,
    StreamInterrupted,
    Timeout,
)
from hftui.client.inference import chat_url, result_to_json
from hftui.client.results import Label
from hftui.config import Settings

TOKEN = "hf_unitTESTtoken1234567890"
SETTINGS = Settings(hub_url="https://hub.test", inference_url="https://router.test",
                    endpoints_api_url="https://ep.test/v2", timeout=5.0)
MODEL = Target.hf_model("org/model")


def client(handler, **kw) -> HFClient:
    kw.setdefault("max_retries", 0)
    return HFClient(SETTINGS, Secret(TOKEN), token_source="HF_TOKEN", transport=MockTransport(handler), **kw)


def answer(status, **kw):
    return lambda request: MockResponse(status, **kw)


async def fill(handler, **kw):
    async with client(handler, **kw) as hf:
        return await hf.inference.fill_mask(MODEL, "a [MASK]")


# --- error mapping ----------------------------------------------------------------------------

@pytest.mark.parametrize("status,body,headers,cls", [
    (400, {"error": "bad"}, {}, BadRequest),
    (401, {"error": "Invalid username or password."}, {}, AuthError),
    (402, {"error": "You have exceeded your monthly included credits"}, {}, AuthError),
    (403, {"error": "forbidden"}, {}, AuthError),
    (404, None, {"content-type": "text/plain"}, NotFound),
    (409, {"error": "exists"}, {}, Conflict),
    (410, {"error": "https://api-inference.huggingface.co is no longer supported."}, {}, BadRequest),
    (422, {"error": "Input validation error", "error_type": "validation"}, {}, BadRequest),
    (424, {"error": "generation", "error_type": "generation"}, {}, ServerError),
    (429, {"error": "Rate limit reached"}, {"retry-after": "7"}, RateLimited),
    (500, {"error": "boom"}, {}, ServerError),
    (503, {"error": "Model x is currently loading", "estimated_time": 12.5}, {}, ModelLoading),
    (503, None, {"content-type": "text/html"}, ServerError),
    (504, None, {}, ServerError),
])
async def test_status_maps_to_typed_error(status, body, headers, cls):
    kw = {"json": body} if body is not None else {"content": b"<html><body>Bad gateway</body></html>"
                                                  if "html" in headers.get("content-type", "") else b"Not Found"}
    with pytest.raises(cls) as err:
        await fill(answer(status, headers={**headers, "x-request-id": "req-123"}, **kw))
    e = err.value
    assert type(e) is cls or cls is BadRequest and isinstance(e, BadRequest)
    assert e.status == status and e.request_id == "req-123"
    assert "<html" not in e.message and TOKEN not in str(e)
    if status == 410:
        assert "legacy API retired, use the router" in e.message
    if status == 429:
        assert e.retry_after == 7
    if status == 503 and cls is ModelLoading:
        assert e.estimated_time == 12.5
    if status == 422:
        assert e.error_type == "validation"


@pytest.mark.parametrize("body,expected", [
    ({"error": ["first", "second", "first"]}, "first; second"),
    ({"error": {"message": "from tgi", "http_status_code": 422}}, "from tgi"),
    ({"error": "invalid_grant", "error_description": "token expired"}, "invalid_grant; token expired"),
    ({"errors": [{"message": "name too long"}, {"message": "bad region"}]}, "name too long; bad region"),
    ({"detail": [{"msg": "field required"}]}, "field required"),
])
async def test_error_message_extraction(body, expected):
    with pytest.raises(BadRequest) as err:
        await fill(answer(400, json=body))
    assert err.value.message == expected


async def test_error_message_header_first_control_chars_stripped_and_bounded():
    headers = {"x-error-message": "header says\x1b[31m no", "x-amzn-trace-id": "Root=1-abc"}
    with pytest.raises(BadRequest) as err:
        await fill(answer(400, headers=headers, content=("x" * 5000).encode()))
    msg = err.value.message
    assert msg.startswith("header says no; ") and "\x1b" not in msg and "[31m" not in msg and len(msg) < 1300
    assert err.value.request_id == "Root=1-abc"


async def test_token_echoed_by_server_is_redacted():
    with pytest.raises(AuthError) as err:
        await fill(answer(401, json={"error": f"token {TOKEN} is invalid"}))
    assert TOKEN not in str(err.value) and TOKEN not in err.value.user_message() and "***" in err.value.message
    assert TOKEN not in repr(err.value)


def test_retry_after_forms():
    now = datetime(2026, 10, 26, 13, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("12") == 12
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert parse_retry_after("garbage") is None and parse_retry_after(None) is None
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0


async def test_hub_ratelimit_header_when_exhausted():
    headers = {"ratelimit": '"api";r=0;t=189', "ratelimit-policy": '"fixed window";"api";q=500;w=300'}
    async with client(answer(429, headers=headers, json={"error": "too many"})) as hf:
        with pytest.raises(RateLimited) as err:
            await hf.hub.whoami()
    assert err.value.retry_after == 189 and "'api' rate limit" in err.value.message and "0/500 in 300 s" in err.value.message


async def test_hub_401_without_token_is_not_found():
    async with HFClient(SETTINGS, None, transport=MockTransport(answer(401, json={"error": "x"}))) as hf:
        with pytest.raises(NotFound):
            await hf.hub.model_info("org/private")


async def test_fine_grained_scope_named():
    def handler(request):
        if request.url.path == "/api/whoami-v2":
            return MockResponse(200, json={"name": "alice", "type": "user", "auth": {"accessToken": {
                "role": "fineGrained", "fineGrained": {"scoped": [{"permissions": ["repo.content.read"]}]}}}})
        return MockResponse(403, json={"error": "Forbidden"})

    async with client(handler) as hf:
        with pytest.raises(AuthError) as err:
            await hf.inference.fill_mask(MODEL, "x")
        with pytest.raises(AuthError) as err2:
            await hf.endpoints.list("alice")
        with pytest.raises(AuthError) as err3:
            await hf.inference.fill_mask(Target.at_url("https://xyz.endpoints.huggingface.cloud"), "x")
    assert err.value.scope == "inference.serverless.write" and "inference.serverless.write" in str(err.value)
    assert err2.value.scope == "inference.endpoints.write"
    assert err3.value.scope == "inference.endpoints.infer.write"
    assert "HF_TOKEN" in str(err.value)


async def test_classic_token_names_no_scope():
    def handler(request):
        if request.url.path == "/api/whoami-v2":
            return MockResponse(200, json={"name": "alice", "auth": {"accessToken": {"role": "write"}}})
        return MockResponse(403, json={"error": "Forbidden"})

    async with client(handler) as hf:
        with pytest.raises(AuthError) as err:
            await hf.inference.fill_mask(MODEL, "x")
    assert err.value.scope is None


async def test_malformed_json_is_invalid_response():
    with pytest.raises(InvalidResponse):
        await fill(answer(200, content=b"{not json", headers={"content-type": "application/json"}))
    with pytest.raises(InvalidResponse):
        await fill(answer(200, json={"unexpected": True}))


async def test_transport_errors_map():
    def refuse(request):
        import httpx2
        raise httpx2.ConnectError("refused", request=request)

    def slow(request):
        import httpx2
        raise httpx2.ReadTimeout("slow", request=request)

    with pytest.raises(ConnectionFailed):
        await fill(refuse)
    with pytest.raises(Timeout):
        await fill(slow)


# --- retries ----------------------------------------------------------------------------------

async def test_get_retried_then_succeeds_post_never(monkeypatch):
    calls = {"GET": 0, "POST": 0}
    sleeps: list[float] = []

    async def fake_sleep(delay):
        sleeps.append(delay)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)

    def handler(request):
        calls[request.method] += 1
        if request.method == "GET" and calls["GET"] < 3:
            return MockResponse(429 if calls["GET"] == 1 else 502, headers={"retry-after": "2"}, json={"error": "x"})
        if request.method == "POST":
            return MockResponse(503, json={"error": "overloaded"})
        return MockResponse(200, json={"name": "alice"})

    async with client(handler, max_retries=3) as hf:
        me = await hf.hub.whoami()
        with pytest.raises(ServerError):
            await hf.inference.fill_mask(MODEL, "x")
    assert me.name == "alice" and calls == {"GET": 3, "POST": 1}
    assert len(sleeps) == 2 and all(2 <= s <= 2.6 for s in sleeps)  # Retry-After honoured, jittered up


async def test_get_retry_bounded_and_long_retry_after_not_waited(monkeypatch):
    sleeps: list[float] = []

    async def fake_sleep(delay):
        sleeps.append(delay)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    async with client(answer(500, json={"error": "x"}), max_retries=2) as hf:
        with pytest.raises(ServerError):
            await hf.hub.whoami()
    assert len(sleeps) == 2
    sleeps.clear()
    async with client(answer(429, headers={"retry-after": "3600"}, json={"error": "x"}), max_retries=2) as hf:
        with pytest.raises(RateLimited) as err:
            await hf.hub.whoami()
    assert sleeps == [] and err.value.retry_after == 3600


async def test_wait_for_model_gives_up_at_timeout():
    def handler(request):
        return MockResponse(503, json={"error": "loading", "estimated_time": 100.0})

    seen: list[float] = []
    async with client(handler) as hf:
        with pytest.raises(ModelLoading):
            await hf.inference.fill_mask(MODEL, "x", options=CallOptions(wait_for_model=True, timeout=1.2),
                                         on_loading=seen.append)
    assert seen and seen[0] == 100.0


# --- tokens and redirects ---------------------------------------------------------------------

async def test_token_only_to_trusted_hosts_and_chosen_urls():
    seen = {}

    def handler(request):
        seen[str(request.url.host)] = request.headers.get("authorization")
        if request.url.path.startswith("/api/models"):
            return MockResponse(200, json=[], headers={"link": '<https://evil.test/api/models?cursor=1>; rel="next"'})
        return MockResponse(200, json=[{"score": 1, "token_str": "a", "sequence": "a"}])

    async with client(handler) as hf:
        page = await hf.hub.search_models(search="x")
        await hf.hub.next_models(page.next_url)
        await hf.inference.fill_mask(Target.at_url("https://public.test", send_token=False), "x")
        await hf.inference.fill_mask(Target.at_url("https://mine.test"), "x")
        await hf.inference.fill_mask(MODEL, "x")
    assert seen["hub.test"] == f"Bearer {TOKEN}" and seen["router.test"] == f"Bearer {TOKEN}"
    assert seen["evil.test"] is None and seen["public.test"] is None
    assert seen["mine.test"] == f"Bearer {TOKEN}"


async def test_redirect_followed_on_same_host_only():
    hosts = []

    def handler(request):
        hosts.append((request.url.host, request.url.path, request.headers.get("authorization")))
        if request.url.path == "/api/models/old/name":
            return MockResponse(307, headers={"location": "/api/models/new/name"})
        if request.url.path == "/api/models/away/name":
            return MockResponse(307, headers={"location": "https://elsewhere.test/api/models/x"})
        return MockResponse(200, json={"id": "new/name"})

    async with client(handler) as hf:
        info = await hf.hub.model_info("old/name")
        with pytest.raises(HFError):
            await hf.hub.model_info("away/name")
    assert info.id == "new/name"
    hub_calls = [h for h, path, _ in hosts if not path.startswith("/status/")]  # legacy status goes to the router
    assert hub_calls == ["hub.test", "hub.test", "hub.test"]  # never went to elsewhere.test


# --- payloads ---------------------------------------------------------------------------------

async def test_payload_rules():
    sent = []

    def handler(request):
        sent.append(request)
        path = request.url.path
        if path.endswith("/pipeline/feature-extraction"):
            return MockResponse(200, json=[0.1, 0.2])
        if path.endswith("/pipeline/sentence-similarity"):
            return MockResponse(200, json=[0.5, 0.25])
        if path.endswith("/chat/completions"):
            return MockResponse(200, json={"choices": [{"message": {"role": "assistant", "content": "hi"},
                                                        "finish_reason": "stop"}]})
        return MockResponse(200, json=[{"label": "cat", "score": 0.9}])

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    async with client(handler) as hf:
        await hf.inference.feature_extraction(MODEL, "hi", {"normalize": True, "truncate": None, "x": 1})
        await hf.inference.sentence_similarity(MODEL, "a", ["b", "c"])
        await hf.inference.image_classification(MODEL, png)
        await hf.inference.image_classification(MODEL, png, {"top_k": 2})
        await hf.inference.chat_completion(Target.router("meta/llama", "together"), [{"role": "user", "content": "x"}],
                                           {"max_tokens": 5, "seed": None})
        await hf.inference.chat_completion(Target.at_url("https://vllm.test/v1"), [{"role": "user", "content": "x"}])
        await hf.inference.chat_completion(MODEL, [{"role": "user", "content": "x"}],
                                           {"response_format": {"type": "json_schema",
                                                                "json_schema": {"name": "s", "schema": {"a": 1}}}})
        await hf.inference.fill_mask(MODEL, "x", options=CallOptions(use_cache=False, bill_to="acme"))
    fe, ss, raw, b64, router, url, hfchat, opts = sent
    assert fe.url.path == "/hf-inference/models/org/model/pipeline/feature-extraction"
    assert json.loads(fe.content) == {"inputs": "hi", "normalize": True, "parameters": {"x": 1}}
    assert json.loads(ss.content) == {"inputs": {"source_sentence": "a", "sentences": ["b", "c"]}}
    assert raw.content == png and raw.headers["content-type"] == "image/png"
    assert json.loads(b64.content) == {"inputs": base64.b64encode(png).decode(), "parameters": {"top_k": 2}}
    assert router.url.path == "/v1/chat/completions"
    body = json.loads(router.content)
    assert list(body)[0] == "model" and body["model"] == "meta/llama:together" and "seed" not in body
    assert url.url.path == "/v1/chat/completions" and url.url.host == "vllm.test"
    assert hfchat.url.path == "/hf-inference/models/org/model/v1/chat/completions"
    assert json.loads(hfchat.content)["response_format"] == {"type": "json_object", "value": {"a": 1}}
    assert opts.headers["x-use-cache"] == "false" and opts.headers["x-hf-bill-to"] == "acme"


def test_chat_url_rule():
    assert chat_url("https://x.test") == "https://x.test/v1/chat/completions"
    assert chat_url("https://x.test/") == "https://x.test/v1/chat/completions"
    assert chat_url("https://x.test/v1") == "https://x.test/v1/chat/completions"
    assert chat_url("https://x.test/v1/chat/completions") == "https://x.test/v1/chat/completions"
    assert chat_url("https://x.test/models/a/b") == "https://x.test/models/a/b/v1/chat/completions"


async def test_tolerant_result_shapes():
    cases = [
        ("text_classification", [{"label": "A", "score": 0.1}, {"label": "B", "score": 0.9}], ["B", "A"]),
        ("zero_shot_classification", [{"label": "x", "score": 0.2}, {"label": "y", "score": 0.8}], ["y", "x"]),
        ("question_answering", [{"answer": "a", "score": 0.5, "start": 0, "end": 1},
                                {"answer": "b", "score": 0.4, "start": 2, "end": 3}], ["a", "b"]),
        ("image_to_text", {"generated_text": "a cat"}, "a cat"),
        ("image_to_text", [{"generated_text": "a dog"}], "a dog"),
        ("text_generation", {"generated_text": "out", "details": {"finish_reason": "length"}}, "out"),
        ("translation", {"translation_text": "bonjour"}, "bonjour"),
    ]
    for method, body, expected in cases:
        async with client(answer(200, json=body)) as hf:
            fn = getattr(hf.inference, method)
            if method == "zero_shot_classification":
                out = await fn(MODEL, "t", ["x", "y"])
            elif method == "question_answering":
                out = await fn(MODEL, "q", "c")
            elif method == "image_to_text":
                out = await fn(MODEL, b"\xff\xd8\xff\xe0")
            else:
                out = await fn(MODEL, "t")
        if isinstance(out, list):
            out = [getattr(o, "label", None) or getattr(o, "answer", None) for o in out]
        elif hasattr(out, "text"):
            out = out.text
        assert out == expected, method


WIRE_DETAILS = [{"generated_text": " 3 4", "details": {
    "finish_reason": "length", "generated_tokens": 2, "seed": 12345678901234567,
    "prefill": [{"id": 0, "text": "<pad>", "logprob": None}, {"id": 9, "text": " 2", "logprob": -1.5}],
    "tokens": [{"id": 3, "text": " 3", "logprob": -2.0078, "special": False},
               {"id": 4, "text": " 4", "logprob": -0.25, "special": False}],
    "top_tokens": [[{"id": 3, "text": " 3", "logprob": -2.0078, "special": False}],
                   [{"id": 4, "text": " 4", "logprob": -0.25, "special": False}]],
    "best_of_sequences": [{"generated_text": " 5", "finish_reason": "eos_token", "generated_tokens": 1, "seed": 7,
                           "prefill": [], "tokens": [{"id": 5, "text": " 5", "logprob": -3, "special": False}]}]}}]


async def test_tgi_details_are_kept_whole():
    from hftui.client.results import BestOfSequence, PrefillToken, Token

    async with client(answer(200, json=WIRE_DETAILS)) as hf:
        gen = await hf.inference.text_generation(MODEL, "1 2")
    d = gen.details
    assert (gen.text, gen.finish_reason, gen.generated_tokens, gen.seed) == (" 3 4", "length", 2, 12345678901234567)
    assert d.prefill == (PrefillToken(0, "<pad>", None), PrefillToken(9, " 2", -1.5))
    assert d.tokens == (Token(3, " 3", -2.0078, False), Token(4, " 4", -0.25, False))
    assert d.top_tokens == ((d.tokens[0],), (d.tokens[1],))
    assert d.best_of_sequences == (BestOfSequence(" 5", "eos_token", 1, 7, (), (Token(5, " 5", -3.0, False),), None),)
    exported = result_to_json(gen)  # batch output keeps all of it
    assert exported["details"]["best_of_sequences"][0]["tokens"][0] == {"id": 5, "text": " 5", "logprob": -3.0,
                                                                        "special": False}
    assert exported["details"]["prefill"][0] == {"id": 0, "text": "<pad>", "logprob": None}
    odd = [{"generated_text": "x", "details": {"finish_reason": 3, "seed": "7", "tokens": [None, "t", {
        "id": "1", "text": 2, "logprob": "low", "special": "yes"}], "top_tokens": "none", "prefill": {}}}]
    async with client(answer(200, json=odd)) as hf:
        weird = await hf.inference.text_generation(MODEL, "p")
    assert weird.details.tokens == (Token(None, "2", None, False),) and weird.details.top_tokens is None
    assert weird.seed is None and weird.finish_reason is None and weird.details.prefill == ()


REFUSED = ("The following `model_kwargs` are not used by the model: ['watermark', 'stop; rm -rf /', 'not_sent', "
           "'details'] (note: typos in the generate arguments will also show up in this list)")


async def test_refused_parameters_dropped_only_if_named_sent_and_well_formed():
    seen = []

    def handler(request):
        seen.append(json.loads(request.content))
        if len(seen) == 1:
            return MockResponse(400, json={"error": REFUSED, "warnings": ["unused model_kwargs"]})
        return MockResponse(200, json=[{"generated_text": "ok"}])

    async with client(handler) as hf:
        gen = await hf.inference.text_generation(MODEL, "p", {"watermark": False, "details": True, "top_k": 5})
    assert gen.text == "ok" and gen.dropped_parameters == ("watermark", "details")
    assert [b.get("parameters") for b in seen] == [{"watermark": False, "details": True, "top_k": 5}, {"top_k": 5}]

    for status, second in ((422, 200), (400, 400)):  # only a 400 is retried, and only once
        seen.clear()

        def again(request, status=status, second=second):
            seen.append(request)
            return MockResponse(status if len(seen) == 1 else second, json={"error": REFUSED})

        async with client(again) as hf:
            with pytest.raises(BadRequest):
                await hf.inference.text_generation(MODEL, "p", {"watermark": False})
        assert len(seen) == (1 if status == 422 else 2)


async def test_text_to_image_detects_by_magic_bytes():
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 10
    async with client(answer(200, content=png, headers={"content-type": "image/jpeg"})) as hf:
        img = await hf.inference.text_to_image(MODEL, "x")
    assert img.media_type == "image/png"
    assert result_to_json(img) == {"media_type": "image/png", "base64": base64.b64encode(png).decode()}
    assert result_to_json([Label("a", 0.5)]) == [{"label": "a", "score": 0.5}]


async def test_run_dispatches_input_records():
    def handler(request):
        body = json.loads(request.content) if request.headers.get("content-type") == "application/json" else None
        if request.url.path.endswith("/chat/completions"):
            return MockResponse(200, json={"choices": [{"message": {"content": "hey"}, "finish_reason": "stop"}]})
        if body and isinstance(body.get("inputs"), dict) and "query" in body["inputs"]:
            return MockResponse(200, json={"answer": "36542", "coordinates": [[0, 1]], "cells": ["36542"],
                                           "aggregator": "NONE"})
        if body and isinstance(body.get("inputs"), dict):
            return MockResponse(200, json={"answer": "Clara", "score": 0.9, "start": 11, "end": 16})
        return MockResponse(200, json=[{"label": "cat", "score": 0.9}])

    async with client(handler) as hf:
        qa = await hf.inference.run("question-answering", MODEL, {"question": "q", "context": "My name is Clara."})
        table = await hf.inference.run("table-question-answering", MODEL,
                                       {"query": "stars?", "table": {"Stars": [36542, 4512]}})
        chat = await hf.inference.run("chat-completion", MODEL, {"messages": [{"role": "user", "content": "hi"}]})
        img = await hf.inference.run("image-classification", MODEL,
                                     {"inputs": base64.b64encode(b"\xff\xd8\xff\xe0abc").decode()})
        with pytest.raises(BadRequest):
            await hf.inference.run("nonsense-task", MODEL, {"inputs": "x"})
    assert qa[0].answer == "Clara" and table.cells == ["36542"] and chat.content == "hey" and img[0].label == "cat"
    raw = hf.inference.raw_request("table-question-answering", MODEL, {"query": "q", "table": {"a": ["1"]}})
    assert "authorization" not in {k.lower() for k in raw["headers"]}
    assert raw["json"] == {"inputs": {"query": "q", "table": {"a": ["1"]}}}


# --- SSE --------------------------------------------------------------------------------------

def stream_handler(chunks, status=200, ctype="text/event-stream"):
    import httpx2

    class S(httpx2.AsyncByteStream):
        async def __aiter__(self):
            for c in chunks:
                if isinstance(c, Exception):
                    raise c
                yield c

    return lambda request: MockResponse(status, headers={"content-type": ctype}, stream=S())


def tgi_event(i, text, *, special=False, final=None, space=False):
    ev = {"index": i, "token": {"id": i, "text": text, "logprob": -0.1, "special": special},
          "generated_text": final, "details": {"finish_reason": "eos_token", "generated_tokens": i} if final else None}
    return (b"data: " if space else b"data:") + json.dumps(ev).encode() + b"\n\n"


def chat_event(text=None, finish=None, usage=None, choices=True):
    ev = {"object": "chat.completion.chunk", "choices": ([{"index": 0, "delta": ({"content": text} if text else {}),
                                                          "finish_reason": finish}] if choices else []),
          "usage": usage}
    return b"data: " + json.dumps(ev).encode() + b"\n\n"


async def tgen(chunks, **kw):
    async with client(stream_handler(chunks, **kw)) as hf:
        return [c async for c in hf.inference.text_generation_stream(MODEL, "p")]


async def chat(chunks, **kw):
    async with client(stream_handler(chunks, **kw)) as hf:
        return [c async for c in hf.inference.chat_completion_stream(MODEL, [{"role": "user", "content": "x"}])]


async def test_tgi_stream_skips_special_and_ends_on_final():
    body = b": keep-alive\n\n" + tgi_event(1, "Hel") + tgi_event(2, "lo", space=True) + \
        tgi_event(3, "</s>", special=True, final="Hello")
    # split at awkward places, including inside a multi-byte character
    text = body.replace(b"lo", "lö".encode())
    pieces = [text[i:i + 7] for i in range(0, len(text), 7)]
    out = await tgen(pieces)
    assert "".join(c.text for c in out) == "Hellö" and out[-1].final and out[-1].finish_reason == "eos_token"
    assert [c.final for c in out] == [False, False, True]


async def test_tgi_stream_without_final_is_interrupted_with_partial():
    with pytest.raises(StreamInterrupted) as err:
        await tgen([tgi_event(1, "par"), tgi_event(2, "tial")])
    assert err.value.partial == "partial"


async def test_tgi_in_stream_error_keeps_partial():
    err_ev = b'data:{"error":"Request failed during generation: out of memory","error_type":"generation"}\n\n'
    with pytest.raises(StreamInterrupted) as err:
        await tgen([tgi_event(1, "so "), tgi_event(2, "far"), err_ev])
    assert err.value.partial == "so far" and err.value.error_type == "generation"
    assert "out of memory" in err.value.message


async def test_network_cut_mid_stream_keeps_partial():
    import httpx2

    with pytest.raises(StreamInterrupted) as err:
        await tgen([tgi_event(1, "cut "), tgi_event(2, "here"), httpx2.RemoteProtocolError("peer closed")])
    assert err.value.partial == "cut here"
    with pytest.raises(StreamInterrupted) as err:
        await chat([chat_event("a"), chat_event("b"), httpx2.ReadTimeout("slow")])
    assert err.value.partial == "ab"


async def test_chat_stream_usage_done_and_no_done():
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    out = await chat([chat_event("A"), chat_event("B", finish="stop"), chat_event(usage=usage, choices=False),
                      b"data: [DONE]\n\n"])
    assert "".join(c.text for c in out) == "AB"
    assert out[-1].final and out[-1].finish_reason == "stop" and out[-1].prompt_tokens == 3
    assert out[-1].generated_tokens == 2 and sum(c.final for c in out) == 1
    out = await chat([chat_event("A"), chat_event(finish="length")])  # no [DONE]
    assert out[-1].final and out[-1].finish_reason == "length"
    out = await chat([b"data:" + chat_event("x")[6:], b"data: [DONE]"])  # no newline at the very end
    assert out[-1].final


async def test_chat_stream_reasoning_and_crlf():
    ev = {"choices": [{"delta": {"reasoning": "think", "content": ""}, "finish_reason": None}]}
    fin = {"choices": [{"delta": {"content": "ok"}, "finish_reason": "stop"}]}
    body = b"event: message\r\ndata: " + json.dumps(ev).encode() + b"\r\n\r\ndata: " + json.dumps(fin).encode() + \
        b"\r\n\r\ndata: [DONE]\r\n\r\n"
    out = await chat([body])
    assert out[0].reasoning == "think" and out[1].text == "ok" and out[-1].finish_reason == "stop"


async def test_chat_in_stream_error_object():
    err_ev = b'data: {"error":{"message":"Template error","http_status_code":422}}\n\ndata: [DONE]\n\n'
    with pytest.raises(StreamInterrupted) as err:
        await chat([chat_event("so"), err_ev])
    assert err.value.partial == "so" and err.value.status == 422 and err.value.message == "Template error"


async def test_stream_malformed_event_and_too_large():
    with pytest.raises(StreamInterrupted) as err:
        await chat([chat_event("ok"), b"data: {broken\n\n"])
    assert err.value.partial == "ok"
    with pytest.raises(StreamInterrupted):
        await chat([b"data: " + b"x" * (2 * 1024 * 1024)])


async def test_stream_http_error_and_non_sse_answers():
    with pytest.raises(ModelLoading):
        await chat([b'{"error":"loading","estimated_time":3}'], status=503, ctype="application/json")
    out = await chat([json.dumps({"choices": [{"message": {"content": "whole"}, "finish_reason": "stop"}]}).encode()],
                     ctype="application/json")
    assert out[0].text == "whole" and out[0].final
    with pytest.raises(StreamInterrupted):
        await chat([b'{"error":"boom"}'], ctype="application/json")
    with pytest.raises(InvalidResponse):
        await tgen([b"<html>oops</html>"], ctype="text/html")


async def test_stream_cancel_closes():
    import httpx2

    closed = asyncio.Event()

    class S(httpx2.AsyncByteStream):
        async def __aiter__(self):
            yield tgi_event(1, "a")
            await asyncio.sleep(30)
            yield tgi_event(2, "b")

        async def aclose(self):
            closed.set()

    async with client(lambda r: MockResponse(200, headers={"content-type": "text/event-stream"}, stream=S())) as hf:
        got = []

        async def consume():
            async for c in hf.inference.text_generation_stream(MODEL, "p"):
                got.append(c)

        task = asyncio.create_task(consume())
        while not got:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert closed.is_set() and got[0].text == "a"


# --- endpoints ---------------------------------------------------------------------------------

def test_endpoint_spec_payload():
    spec = EndpointSpec(name="my-ep", repository="openai-community/gpt2", type="private", env={"A": "1"},
                        secrets={"S": "v"}, tags=("dev",),
                        custom_image=CustomImage("ghcr.io/x/y:1", health_route="/ready", port=8080,
                                                 env={"MODEL": "m"}))
    p = spec.to_payload()
    assert p["type"] == "private" and "task" not in p["model"] and p["model"]["revision"] is None
    assert p["model"]["image"] == {"custom": {"url": "ghcr.io/x/y:1", "healthRoute": "/ready", "port": 8080,
                                              "env": {"MODEL": "m"}}}
    assert p["model"]["env"] == {"A": "1"} and p["model"]["secrets"] == {"S": "v"} and p["tags"] == ["dev"]
    assert p["compute"]["scaling"] == {"minReplica": 0, "maxReplica": 1, "scaleToZeroTimeout": 15}
    assert EndpointSpec(name="x", repository="r", type="protected").to_payload()["type"] == "authenticated"
    assert EndpointSpec(name="x", repository="r", task="fill-mask").to_payload()["model"]["task"] == "fill-mask"
    assert "topsecretvalue" not in repr(EndpointSpec(name="x", repository="r", secrets={"S": "topsecretvalue"}))
    with pytest.raises(BadRequest):
        EndpointSpec(name="Bad_Name", repository="r").to_payload()


def test_custom_image_payload_round_trip_and_switch_back_to_default():
    image = CustomImage("ghcr.io/acme/private:2", health_route="/ping", port=8080, username="bot",
                        password="registry-pass")
    assert image.to_payload() == {"custom": {"url": "ghcr.io/acme/private:2", "healthRoute": "/ping", "port": 8080,
                                             "credentials": {"username": "bot", "password": "registry-pass"}}}
    assert "registry-pass" not in repr(image)
    with pytest.raises(BadRequest):
        CustomImage("  ").to_payload()
    with pytest.raises(BadRequest):
        CustomImage("x/y:1", password="p").to_payload()
    # What the API answers (password redacted) parses back, without the password.
    ep = Endpoint.from_json({"name": "e", "model": {"image": {"custom": {
        "url": "ghcr.io/acme/private:2", "healthRoute": "/ping", "port": 8080, "env": {"A": "1"},
        "credentials": {"username": "bot", "password": "********"}}}}}, "ns")
    assert ep.image_kind == "custom" and ep.image_settings["port"] == 8080
    back = CustomImage.from_endpoint(ep)
    assert back == CustomImage("ghcr.io/acme/private:2", health_route="/ping", port=8080, env={"A": "1"},
                               username="bot")
    plain = Endpoint.from_json({"name": "e", "model": {"image": {"huggingface": {}}}}, "ns")
    assert plain.image_kind == "huggingface" and CustomImage.from_endpoint(plain) is None
    assert Endpoint.from_json({"name": "e", "model": {"image": "weird"}}, "ns").image_kind is None
    # An update can go back to the default container; both at once is a mistake.
    assert EndpointUpdate(default_image=True).to_payload() == {"model": {"image": {"huggingface": {}}}}
    assert EndpointUpdate(custom_image=CustomImage("x/y:1")).to_payload() == {
        "model": {"image": {"custom": {"url": "x/y:1", "healthRoute": "/health", "port": 80}}}}
    with pytest.raises(BadRequest):
        EndpointUpdate(default_image=True, custom_image=CustomImage("x/y:1")).to_payload()


def test_endpoint_update_payload_only_set_fields():
    assert EndpointUpdate().to_payload() == {}
    assert EndpointUpdate(instance_size="x4", max_replica=2, revision="abc", tags=["prod"]).to_payload() == {
        "compute": {"instanceSize": "x4", "scaling": {"maxReplica": 2}}, "model": {"revision": "abc"},
        "tags": ["prod"]}
    assert EndpointUpdate(min_replica=0).to_payload() == {"compute": {"scaling": {"minReplica": 0}}}


def test_validate_name():
    assert validate_name("gpt2-demo") is None
    assert validate_name("a" * 33) and validate_name("-x") and validate_name("UPPER") and validate_name("")


async def test_resume_already_running_and_list_all_skips_refusing_orgs():
    def handler(request):
        path = request.url.path
        if path == "/api/whoami-v2":
            return MockResponse(200, json={"name": "alice", "type": "user", "orgs": [{"name": "acme"},
                                                                                     {"name": "nobill"}]})
        if path.endswith("/resume"):
            return MockResponse(400, json={"error": "Endpoint is already running"})
        if path == "/v2/endpoint/nobill":
            return MockResponse(401, json={"error": "no billing"})
        if path.startswith("/v2/endpoint/"):
            ns = path.split("/")[3]
            ep = {"name": f"{ns}-ep", "type": "public", "status": {"state": "running", "url": "https://e.test"}}
            if path.count("/") == 4:
                return MockResponse(200, json=ep)
            return MockResponse(200, json={"items": [ep]})
        return MockResponse(404)

    async with client(handler) as hf:
        ep = await hf.endpoints.resume("alice", "alice-ep")
        with pytest.raises(BadRequest):
            await hf.endpoints.resume("alice", "alice-ep", running_ok=False)
        everything = await hf.endpoints.list_all()
    assert ep.state.value == "running"
    assert [e.key for e in everything] == ["alice/alice-ep", "acme/acme-ep"]


async def test_wait_until_running_reports_states_and_failures(monkeypatch):
    import itertools

    states = itertools.chain(["pending", "initializing", "initializing"], itertools.repeat("running"))
    health = iter([503, 200])

    def handler(request):
        if request.url.host == "e.test":
            return MockResponse(next(health))
        return MockResponse(200, json={"name": "ep", "type": "authenticated", "healthRoute": "/health",
                                       "status": {"state": next(states), "url": "https://e.test"}})

    seen = []
    async with client(handler) as hf:
        ep = await hf.endpoints.wait_until_running("alice", "ep", poll_interval=0.01, timeout=5,
                                                   on_state=lambda e: seen.append(e.raw_state))
    assert ep.state.value == "running" and seen == ["pending", "initializing", "running"]

    from hftui.client.errors import EndpointFailed, WaitTimeout

    async with client(answer(200, json={"name": "ep", "status": {"state": "failed", "message": "boom"}})) as hf:
        with pytest.raises(EndpointFailed):
            await hf.endpoints.wait_until_running("alice", "ep", poll_interval=0.01)
    async with client(answer(200, json={"name": "ep", "status": {"state": "pending"}})) as hf:
        with pytest.raises(WaitTimeout) as err:
            await hf.endpoints.wait_until_running("alice", "ep", poll_interval=0.01, timeout=0.05)
    assert err.value.last_state == "pending"


async def test_wait_timeout_is_a_deadline_like_huggingface_hub():
    """``timeout`` bounds the wait; it is not a reason to give up before it is over (huggingface_hub's
    ``wait(timeout=…)`` looks again until the time is up, then raises)."""
    import time

    from hftui.client.errors import WaitTimeout

    states = iter(["initializing", "running"])

    def handler(request):
        if request.url.host == "e.test":
            return MockResponse(200)
        return MockResponse(200, json={"name": "ep", "healthRoute": "/health",
                                       "status": {"state": next(states, "running"), "url": "https://e.test"}})

    async with client(handler) as hf:
        # The poll interval is longer than the timeout: it still looks once more at the deadline.
        ep = await hf.endpoints.wait_until_running("alice", "ep", poll_interval=30, timeout=0.2)
    assert ep.raw_state == "running"

    async with client(answer(200, json={"name": "ep", "status": {"state": "initializing"}})) as hf:
        start = time.monotonic()
        with pytest.raises(WaitTimeout) as err:
            await hf.endpoints.wait_until_running("alice", "ep", poll_interval=30, timeout=0.2)
        assert time.monotonic() - start >= 0.2
        assert err.value.last_state == "initializing" and "initializing" in err.value.user_message()
        with pytest.raises(ValueError):
            await hf.endpoints.wait_until_running("alice", "ep", timeout=-1)


async def test_logs_tail_and_bound():
    lines = b"".join(f"line {i}\n".encode() for i in range(100_000))
    seen = []

    def handler(request):
        seen.append(request.url.params.get("tail"))
        return MockResponse(200, content=lines, headers={"content-type": "text/plain"})

    async with client(handler) as hf:
        text = await hf.endpoints.logs("alice", "ep", tail=50, max_bytes=1000)
    assert seen == ["50"] and len(text) <= 1000 and text.endswith("line 99999\n") and text.startswith("line ")


# --- hygiene ----------------------------------------------------------------------------------

def test_reprs_never_show_the_token():
    hf = client(answer(200))
    assert TOKEN not in repr(hf) and TOKEN not in repr(hf.__dict__.get("_token"))
    assert TOKEN not in str(vars(hf.inference)) and TOKEN not in str(vars(hf.hub))


def test_build_request_for_export():
    from hftui.client.inference import build_request

    rec = {"task": "chat-completion", "target": {"kind": "router", "model": "m/x", "provider": "together"},
           "inputs": {"messages": [{"role": "user", "content": "hi"}]}, "parameters": {"max_tokens": 5, "seed": None},
           "options": {"stream": True, "use_cache": False}}
    out = build_request(rec, SETTINGS)
    assert out["url"] == "https://router.test/v1/chat/completions" and out["stream"] and out["auth"]
    assert list(out["json"]) == ["model", "messages", "max_tokens", "stream"] and out["json"]["model"] == "m/x:together"
    assert out["headers"]["x-use-cache"] == "false" and "authorization" not in out["headers"]
    fe = build_request({"task": "feature-extraction", "target": {"kind": "url", "url": "https://tei.test",
                                                                 "send_token": False},
                        "inputs": {"inputs": "hi"}, "parameters": {"normalize": True}}, SETTINGS)
    assert fe["url"] == "https://tei.test" and fe["json"] == {"inputs": "hi", "normalize": True} and not fe["auth"]
    assert build_request({"task": "image-classification", "target": {}, "inputs": {"inputs": "a.png"}}, SETTINGS) is None


async def test_odd_stream_events_and_inputs_are_typed_errors():
    with pytest.raises(StreamInterrupted):
        await chat([b'data: {"choices": ["not a dict"]}\n\n'])
    with pytest.raises(StreamInterrupted):
        await chat([b'data: [1, 2]\n\n'])
    async with client(answer(200, json=[])) as hf:
        with pytest.raises(BadRequest):
            await hf.inference.run("image-classification", MODEL, {"inputs": {"path": "/nonexistent/x.png"}})
        with pytest.raises(BadRequest):
            await hf.inference.chat_completion(MODEL, ["not a message"])
