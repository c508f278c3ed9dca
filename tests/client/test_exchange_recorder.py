"""CallOptions.recorder keeps a call's last request and response, credentials masked, bodies bounded."""

from __future__ import annotations

import json

from hftui.auth import Secret
from hftui.client import HFClient, Target
from hftui.client._http import MockResponse, MockTransport
from hftui.client.core import CallOptions, ServerAuth
from hftui.client.errors import ModelLoading
from hftui.client.exchange import BODY_BYTES, ExchangeRecorder
from hftui.config import Settings

SETTINGS = Settings(hub_url="https://hub.test", inference_url="https://router.test",
                    endpoints_api_url="https://ep.test/v2", timeout=5.0)
TOKEN = "hf_recorderTESTtoken1234567890"


def client(handler) -> HFClient:
    return HFClient(SETTINGS, Secret(TOKEN), transport=MockTransport(handler), max_retries=0)


async def test_a_call_keeps_its_request_with_the_token_masked_and_its_response():
    rec = ExchangeRecorder()
    answer = [[{"label": "POSITIVE", "score": 0.9}]]
    async with client(lambda r: MockResponse(200, json=answer, headers={"x-compute-time": "0.1"})) as hf:
        await hf.inference.text_classification(Target.hf_model("org/m"), "I love it",
                                               options=CallOptions(recorder=rec))
    ex = rec.last
    assert ex.method == "POST" and ex.url == "https://router.test/hf-inference/models/org/m"
    assert ex.request_headers["authorization"] == "Bearer ***" and TOKEN not in repr(ex)
    assert json.loads(ex.request_body) == {"inputs": "I love it"} and ex.request_size == len(ex.request_body)
    assert ex.status == 200 and ex.response_headers["x-compute-time"] == "0.1"
    assert json.loads(ex.response_body) == answer and not ex.streamed


async def test_an_error_answer_is_kept_and_a_big_body_is_cut():
    rec = ExchangeRecorder()
    async with client(lambda r: MockResponse(503, json={"error": "loading", "estimated_time": 5.0})) as hf:
        try:
            await hf.inference.fill_mask(Target.hf_model("org/m"), "x" * (3 * BODY_BYTES),
                                         options=CallOptions(recorder=rec))
        except ModelLoading:
            pass
    ex = rec.last
    assert ex.status == 503 and b"loading" in ex.response_body
    assert len(ex.request_body) == BODY_BYTES and ex.request_size > 3 * BODY_BYTES


async def test_a_stream_keeps_its_headers_not_its_body():
    rec = ExchangeRecorder()
    event = {"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}]}
    body = b"data: " + json.dumps(event).encode() + b"\n\ndata: [DONE]\n\n"
    handler = lambda r: MockResponse(200, headers={"content-type": "text/event-stream"}, content=body)  # noqa: E731
    async with client(handler) as hf:
        chunks = [c async for c in hf.inference.chat_completion_stream(
            Target.hf_model("org/m"), [{"role": "user", "content": "hi"}], options=CallOptions(recorder=rec))]
    assert "".join(c.text for c in chunks) == "hi"
    ex = rec.last
    assert ex.streamed and ex.status == 200 and ex.response_size is None and ex.response_body == b""
    assert ex.request_headers["accept"] == "text/event-stream"


async def test_a_named_servers_key_is_masked_too():
    rec = ExchangeRecorder()
    key = "sk-serverKEY-0123456789"
    auth = ServerAuth("box", Secret(key), "$BOX_KEY", "http://box.local:8000")
    target = Target("url", url="http://box.local:8000", model="m", send_token=False, label="server box", auth=auth)
    seen = []

    def handler(request):
        seen.append(request.headers.get("authorization"))
        return MockResponse(200, json=[[{"label": "A", "score": 1.0}]])

    async with client(handler) as hf:
        await hf.inference.text_classification(target, "x", options=CallOptions(recorder=rec))
    assert seen == [f"Bearer {key}"]  # sent...
    assert rec.last.request_headers["authorization"] == "Bearer ***" and key not in repr(rec.last)  # ...never kept
