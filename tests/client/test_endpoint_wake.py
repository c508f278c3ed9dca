"""Deployed endpoints scaled to zero wake on the first call; paused ones have no URL (issue 12, items 4, 9)."""

from __future__ import annotations

import pytest

from hftui.client import HFClient, Target
from hftui.client.core import CallOptions
from hftui.client.errors import EndpointWaking, ServerError
from hftui.client.models import EndpointState
from hftui.client.results import ChatMessage

NS = "demo-user"


@pytest.fixture
async def hf(settings, token):
    async with HFClient(settings, token, max_retries=0) as client:
        yield client


@pytest.fixture
def scale_up_headers(monkeypatch):
    """The X-Scale-Up-Timeout of every call the deployed endpoints receive (None: not sent)."""
    from hftui.emulator import deployed

    seen: list[str | None] = []
    real = deployed._hold_seconds

    def spy(request) -> float:
        seen.append(request.headers.get("X-Scale-Up-Timeout"))
        return real(request)

    monkeypatch.setattr(deployed, "_hold_seconds", spy)
    return seen


async def test_scaled_to_zero_endpoint_answers_the_first_call(hf, emulator, scale_up_headers):
    ep = await hf.endpoints.get(NS, "sentiment-api")
    assert ep.state is EndpointState.SCALED_TO_ZERO and ep.url  # it keeps its URL
    waits: list[float] = []
    labels = await hf.inference.text_classification(Target.for_endpoint(ep), "I love it", on_loading=waits.append)
    assert labels[0].label == "POSITIVE"
    # the first call began the wake and got its 503; the countdown was reported; the second was held
    assert waits == [1.0] and scale_up_headers == [None, "600"]
    assert (await hf.endpoints.get(NS, "sentiment-api")).state is EndpointState.RUNNING
    scale_up_headers.clear()
    await hf.inference.text_classification(Target.for_endpoint(ep), "again", on_loading=waits.append)
    assert scale_up_headers == [None] and waits == [1.0]  # awake: one plain call, no countdown


async def test_a_stream_wakes_the_endpoint_too(hf, emulator):
    emulator.set_state(NS, "llama-chat", "scaledToZero")
    ep = await hf.endpoints.get(NS, "llama-chat")
    waits: list[float] = []
    chunks = [c async for c in hf.inference.chat_completion_stream(
        Target.for_endpoint(ep), [ChatMessage("user", "hi")], {"max_tokens": 5}, on_loading=waits.append)]
    assert chunks[-1].final and "".join(c.text for c in chunks) and len(waits) == 1


async def test_the_hold_follows_the_calls_timeout(token, scale_up_headers):
    from hftui.config import Settings
    from hftui.emulator import start_background

    slow = start_background(seed=0, speed=1.0, token_rate=2000.0)  # a wake of 3 real seconds
    try:
        async with HFClient(Settings().with_base_url(slow.base_url), token, max_retries=0) as hf:
            ep = await hf.endpoints.get(NS, "sentiment-api")
            # a 1 s hold is shorter than the 3 s wake: the held call gives up
            with pytest.raises(EndpointWaking) as err:
                await hf.inference.text_classification(Target.for_endpoint(ep), "ok",
                                                       options=CallOptions(timeout=1.5))
    finally:
        slow.close()
    assert scale_up_headers == [None, "1"]
    assert err.value.status == 503 and err.value.estimated_time and "X-Scale-Up-Timeout" in err.value.message
    assert isinstance(err.value, ServerError)  # batch retries it like any 503


async def test_an_explicit_scale_up_timeout_is_sent_from_the_first_call(hf, scale_up_headers):
    ep = await hf.endpoints.get(NS, "sentiment-api")
    waits: list[float] = []
    out = await hf.inference.text_classification(Target.for_endpoint(ep), "great",
                                                 options=CallOptions(scale_up_timeout=120), on_loading=waits.append)
    assert out and scale_up_headers == ["120"] and waits == []


async def test_a_paused_endpoint_has_no_url_and_does_not_wake(hf, emulator):
    ep = await hf.endpoints.get(NS, "bert-fill")
    assert ep.state is EndpointState.PAUSED and ep.url is None
    with pytest.raises(ValueError, match="no URL"):
        Target.for_endpoint(ep)
    # a URL kept from before the pause: the endpoint answers 503 and stays paused
    remembered = Target.at_url(f"{emulator.base_url}/_ep/{NS}/bert-fill")
    with pytest.raises(EndpointWaking, match="paused"):
        await hf.inference.fill_mask(remembered, "a [MASK] b")
    assert (await hf.endpoints.get(NS, "bert-fill")).state is EndpointState.PAUSED
    listed = {e.name: e for e in await hf.endpoints.list(NS)}
    assert listed["bert-fill"].url is None and listed["sentiment-api"].url


@pytest.mark.parametrize("target", [Target.hf_model("o/m"), Target.at_url("http://tgi.test")])
async def test_only_endpoint_urls_are_waited_for(settings, target):
    """A 503 from the router is an error at once; from an endpoint URL the call is sent again, held."""
    from hftui.client._http import MockResponse, MockTransport

    sent: list[dict] = []

    def handle(request):
        sent.append(dict(request.headers))
        return MockResponse(503, json={"error": "Service Unavailable"}, headers={"Retry-After": "7"})

    async with HFClient(settings, None, transport=MockTransport(handle), max_retries=0) as hf:
        waits: list[float] = []
        with pytest.raises(ServerError) as err:
            await hf.inference.fill_mask(target, "a [MASK] b", on_loading=waits.append)
    if target.kind == "url":
        assert isinstance(err.value, EndpointWaking) and err.value.estimated_time == 7.0 and waits == [7.0]
        assert [h.get("x-scale-up-timeout") for h in sent] == [None, "600"]
    else:
        assert not isinstance(err.value, EndpointWaking) and len(sent) == 1 and waits == []
