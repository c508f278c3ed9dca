"""The client against the emulator over real loopback: every call, every fault kind."""

from __future__ import annotations

import io
import json

import httpx2
import pytest

from hftui.auth import Secret
from hftui.client import HFClient, Target
from hftui.client.core import CallOptions
from hftui.client.endpoints import CustomImage, EndpointSpec, EndpointUpdate
from hftui.client.inference import result_to_json
from hftui.client.errors import (
    AuthError,
    BadRequest,
    ConnectionFailed,
    EndpointFailed,
    InvalidResponse,
    ModelLoading,
    NotFound,
    RateLimited,
    ServerError,
    StreamInterrupted,
    Timeout,
)
from hftui.client.models import EndpointState
from hftui.client.results import ChatMessage

FILL = Target.hf_model("google-bert/bert-base-uncased")
CHAT = Target.hf_model("meta-llama/Llama-3.1-8B-Instruct")
GEN = Target.hf_model("openai-community/gpt2")
MSGS = [ChatMessage("user", "Tell me about the moon.")]


@pytest.fixture
async def hf(settings, token):
    async with HFClient(settings, token, token_source="HF_TOKEN", max_retries=0) as client:
        yield client


def png_bytes(w=64, h=48) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def wav_bytes() -> bytes:
    import struct

    data = b"\0\0" * 8000
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000,
                                                                                     32000, 2, 16)
            + b"data" + struct.pack("<I", len(data)) + data)


# --- Hub ----------------------------------------------------------------------------------------

async def test_hub(hf):
    me = await hf.hub.whoami()
    assert me.name == "demo-user" and len(me.orgs) == 2 and me.token_role == "fineGrained"
    assert await hf.hub.whoami() is me  # cached
    page = await hf.hub.search_models(task="text-generation", sort="downloads", limit=3)
    assert len(page.models) == 3 and page.next_url
    assert all(m.pipeline_tag == "text-generation" for m in page.models)
    downloads = [m.downloads for m in page.models]
    assert downloads == sorted(downloads, reverse=True)
    page2 = await hf.hub.next_models(page.next_url)
    assert page2.models and not {m.id for m in page2.models} & {m.id for m in page.models}
    warm = await hf.hub.search_models(servable_only=True, limit=100)
    assert warm.models and all(m.servable for m in warm.models)
    found = await hf.hub.search_models(search="bert", task="fill-mask")
    assert "google-bert/bert-base-uncased" in {m.id for m in found.models}

    info = await hf.hub.model_info("bert-base-uncased")  # renamed: 307 followed on the same host
    assert info.id == "google-bert/bert-base-uncased" and info.mask_token == "[MASK]"
    assert info.pipeline_tag == "fill-mask" and info.hf_inference is not None and info.warm
    llama = await hf.hub.model_info("meta-llama/Llama-3.1-8B-Instruct")  # dict-form mapping
    assert {"hf-inference", "together"} <= {p.provider for p in llama.live_providers}
    assert info.legacy_status is None or info.legacy_status.state
    card = await hf.hub.model_card("google-bert/bert-base-uncased", max_bytes=100)
    assert 0 < len(card.encode()) <= 100
    assert await hf.hub.model_card("nobody/nothing-here") == ""
    with pytest.raises(NotFound):
        await hf.hub.model_info("nobody/nothing-here")


async def test_private_repo_without_token_is_not_found(settings):
    async with HFClient(settings, None, max_retries=0) as anon:
        with pytest.raises(NotFound):
            await anon.hub.model_info("demo-user/private-classifier")


async def test_bad_token_is_auth_error(settings):
    async with HFClient(settings, Secret("hf_wrongwrongwrong"), token_source="HF_TOKEN", max_retries=0) as bad:
        with pytest.raises(AuthError) as err:
            await bad.hub.whoami()
    assert "hf_wrongwrongwrong" not in str(err.value) and err.value.token_source == "HF_TOKEN"


# --- inference ------------------------------------------------------------------------------------

async def test_text_tasks(hf):
    inf = hf.inference
    cands = await inf.fill_mask(FILL, "Paris is the [MASK] of France.", {"top_k": 3})
    assert len(cands) == 3 and all("[MASK]" not in c.sequence for c in cands)
    summary = await inf.summarization(Target.hf_model("facebook/bart-large-cnn"), "The tower is 324 metres tall. " * 5)
    assert isinstance(summary, str) and summary
    fr = await inf.translation(Target.hf_model("Helsinki-NLP/opus-mt-en-fr"), "Hello world")
    assert isinstance(fr, str) and fr
    context = "My name is Clara and I live in Berkeley."
    answers = await inf.question_answering(Target.hf_model("deepset/roberta-base-squad2"), "Where do I live?", context)
    a = answers[0]
    assert context[a.start:a.end] == a.answer
    labels = await inf.zero_shot_classification(Target.hf_model("facebook/bart-large-mnli"), "I love my phone",
                                                ["tech", "food", "sport"])
    assert sorted(x.label for x in labels) == ["food", "sport", "tech"]
    assert [x.score for x in labels] == sorted((x.score for x in labels), reverse=True)
    legacy = await inf.zero_shot_classification(Target.hf_model("valhalla/distilbart-mnli-12-1"), "x", ["a", "b"])
    assert {x.label for x in legacy} == {"a", "b"}
    cls = await inf.text_classification(Target.hf_model("distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
                                        "I like you")
    assert cls and cls[0].score >= cls[-1].score
    ents = await inf.token_classification(Target.hf_model("dslim/bert-base-NER"), "My name is Sarah Parker")
    assert all(isinstance(e.group, str) for e in ents)
    gen = await inf.text_generation(GEN, "Once upon a time", {"max_new_tokens": 8, "details": True})
    assert gen.text
    chat = await inf.chat_completion(CHAT, MSGS, {"max_tokens": 12})
    assert chat.content and chat.finish_reason
    routed = await inf.chat_completion(Target.router("meta-llama/Llama-3.1-8B-Instruct", "together"), MSGS,
                                       {"max_tokens": 5})
    assert routed.content
    vec = await inf.feature_extraction(Target.hf_model("BAAI/bge-small-en-v1.5"), "hello", {"normalize": True})
    assert isinstance(vec, list) and vec
    sims = await inf.sentence_similarity(Target.hf_model("sentence-transformers/all-MiniLM-L6-v2"), "a cat",
                                         ["a cat", "a car"])
    assert len(sims) == 2
    table = await inf.table_question_answering(Target.hf_model("google/tapas-base-finetuned-wtq"), "How many stars?",
                                               {"Repository": ["Transformers", "Datasets"], "Stars": ["36542", "4512"]})
    assert isinstance(table.answer, str)


async def test_binary_tasks(hf):
    inf = hf.inference
    img = png_bytes()
    image = await inf.text_to_image(Target.hf_model("black-forest-labs/FLUX.1-schnell"), "a red square",
                                    {"width": 64, "height": 64})
    assert image.media_type in ("image/jpeg", "image/png") and len(image.data) > 100
    labels = await inf.image_classification(Target.hf_model("google/vit-base-patch16-224"), img)
    labels_b64 = await inf.image_classification(Target.hf_model("google/vit-base-patch16-224"), img, {"top_k": 2})
    assert labels and len(labels_b64) <= 2
    boxes = await inf.object_detection(Target.hf_model("facebook/detr-resnet-50"), img)
    assert all(0 <= b.xmin <= b.xmax <= 64 and 0 <= b.ymin <= b.ymax <= 48 for b in boxes)
    caption = await inf.image_to_text(Target.hf_model("Salesforce/blip-image-captioning-large"), img)
    assert isinstance(caption, str) and caption
    asr = await inf.automatic_speech_recognition(Target.hf_model("openai/whisper-large-v3"), wav_bytes())
    assert isinstance(asr.text, str)


async def test_streams(hf):
    chunks = [c async for c in hf.inference.text_generation_stream(GEN, "Once", {"max_new_tokens": 10,
                                                                                 "details": True})]
    assert chunks[-1].final and sum(c.final for c in chunks) == 1 and "".join(c.text for c in chunks)
    chunks = [c async for c in hf.inference.chat_completion_stream(CHAT, MSGS, {"max_tokens": 10})]
    assert chunks[-1].final and chunks[-1].finish_reason and "".join(c.text for c in chunks)


async def test_run_dispatch(hf):
    out = await hf.inference.run("question-answering", Target.hf_model("deepset/roberta-base-squad2"),
                                 {"question": "Who?", "context": "Clara is here."})
    assert out[0].answer
    out = await hf.inference.run("chat-completion", CHAT, {"messages": [{"role": "user", "content": "hi"}]},
                                 {"max_tokens": 4})
    assert out.content


async def test_cold_model_waits(hf):
    cold = Target.hf_model("distilbert/distilbert-base-uncased")
    with pytest.raises(ModelLoading) as err:
        await hf.inference.fill_mask(cold, "a [MASK] b")
    assert err.value.estimated_time and err.value.estimated_time > 0
    seen: list[float] = []
    out = await hf.inference.fill_mask(cold, "a [MASK] b", options=CallOptions(wait_for_model=True, timeout=60),
                                       on_loading=seen.append)
    assert out and seen


# --- text-generation details, plain (non-TGI) models ------------------------------------------------

PLAIN = Target.hf_model("distilbert/distilgpt2")  # a plain transformers pipeline, not TGI


class RecordingTransport(httpx2.AsyncHTTPTransport):
    """The real loopback transport, keeping each request's JSON body."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list = []

    async def handle_async_request(self, request):
        self.bodies.append(json.loads(request.content) if request.content else None)
        return await super().handle_async_request(request)


@pytest.fixture
async def recorded(settings, token):
    transport = RecordingTransport()
    async with HFClient(settings, token, max_retries=0, transport=transport) as client:
        yield client, transport.bodies


async def test_text_generation_keeps_every_detail(hf):
    gen = await hf.inference.text_generation(GEN, "Hello there", {
        "max_new_tokens": 4, "details": True, "decoder_input_details": True, "top_n_tokens": 3, "best_of": 2,
        "do_sample": True})
    d = gen.details
    assert d.finish_reason == gen.finish_reason == "length" and d.generated_tokens == gen.generated_tokens == 4
    assert isinstance(d.seed, int) and gen.seed == d.seed  # sampled without a seed: the one drawn
    assert "".join(p.text for p in d.prefill) == "Hello there" and d.prefill[0].logprob is None
    assert all(isinstance(p.id, int) and isinstance(p.logprob, float) for p in d.prefill[1:])
    assert "".join(t.text for t in d.tokens) == gen.text
    assert all(isinstance(t.id, int) and isinstance(t.logprob, float) and t.special is False for t in d.tokens)
    assert len(d.top_tokens) == 4 and all(len(step) == 3 for step in d.top_tokens)
    assert [step[0] for step in d.top_tokens] == list(d.tokens)
    (other,) = d.best_of_sequences
    assert other.text == "".join(t.text for t in other.tokens) and other.generated_tokens == len(other.tokens) == 4
    assert isinstance(other.seed, int) and other.seed != d.seed and other.finish_reason == "length"
    assert other.prefill == d.prefill and [step[0] for step in other.top_tokens] == list(other.tokens)
    assert d.input_length is None and gen.dropped_parameters == ()
    # batch goes through run() and result_to_json: the same answer, all of it in the output
    ran = await hf.inference.run("text-generation", GEN, {"inputs": "Hello there"}, {
        "max_new_tokens": 4, "details": True, "decoder_input_details": True, "top_n_tokens": 3, "best_of": 2,
        "do_sample": True})
    assert ran == gen
    exported = result_to_json(ran)
    assert exported["details"]["best_of_sequences"][0]["tokens"] == [
        {"id": t.id, "text": t.text, "logprob": t.logprob, "special": t.special} for t in other.tokens]
    assert len(exported["details"]["top_tokens"]) == 4 and exported["details"]["prefill"][0]["logprob"] is None

    plain = await hf.inference.text_generation(GEN, "Hello there", {"max_new_tokens": 4, "details": True})
    assert plain.seed is None and plain.details.prefill == () and len(plain.details.tokens) == 4
    assert plain.details.top_tokens is None and plain.details.best_of_sequences is None
    bare = await hf.inference.text_generation(GEN, "Hello there", {"max_new_tokens": 4})
    assert bare.details is None and bare.text == plain.text


async def test_text_generation_stream_keeps_tokens_and_details(hf):
    chunks = [c async for c in hf.inference.text_generation_stream(GEN, "Once", {
        "max_new_tokens": 5, "details": True, "top_n_tokens": 2, "do_sample": True})]
    assert len(chunks) == 5 and [c.token.text for c in chunks] == [c.text for c in chunks]
    assert all(isinstance(c.token.id, int) and isinstance(c.token.logprob, float) and not c.token.special
               for c in chunks)
    assert all(len(c.top_tokens) == 2 and c.top_tokens[0] == c.token for c in chunks)
    final = chunks[-1].details
    assert final.finish_reason == "length" and final.generated_tokens == 5
    assert isinstance(final.seed, int) and isinstance(final.input_length, int) and final.input_length > 0
    assert final.tokens == () and final.top_tokens is None  # what the stream's last event says
    whole = await hf.inference.text_generation(GEN, "Once", {"max_new_tokens": 5, "details": True,
                                                             "do_sample": True, "seed": final.seed})
    assert whole.text == "".join(c.text for c in chunks) and whole.seed == final.seed
    plain = [c async for c in hf.inference.text_generation_stream(GEN, "Once", {"max_new_tokens": 3})]
    assert all(c.top_tokens is None and c.token is not None for c in plain) and plain[-1].details is None


async def test_plain_model_refused_parameters_are_dropped_once(recorded):
    hf, bodies = recorded
    params = {"max_new_tokens": 5, "details": True, "watermark": False, "temperature": 0.5, "stop": [],
              "decoder_input_details": False}
    gen = await hf.inference.text_generation(PLAIN, "Hello", params)
    assert gen.text and gen.details is None
    assert gen.dropped_parameters == ("details", "watermark", "stop", "decoder_input_details")
    assert len(bodies) == 2 and bodies[0]["parameters"] == params
    assert bodies[1]["parameters"] == {"max_new_tokens": 5, "temperature": 0.5}
    # remembered for this model: left out at once, and reported
    again = await hf.inference.run("text-generation", PLAIN, {"inputs": "Hello"},
                                   {"max_new_tokens": 5, "watermark": True})
    assert again.dropped_parameters == ("watermark",) and len(bodies) == 3
    assert bodies[2]["parameters"] == {"max_new_tokens": 5}
    # such a model cannot stream: its answer comes whole, as the one final chunk
    chunks = [c async for c in hf.inference.text_generation_stream(PLAIN, "Hello", {"max_new_tokens": 5,
                                                                                    "details": True})]
    assert len(chunks) == 1 and chunks[0].final and chunks[0].text == again.text
    assert chunks[0].dropped_parameters == ("details",) and len(bodies) == 4 and bodies[3]["stream"] is False
    # a TGI model keeps them
    tgi = await hf.inference.text_generation(GEN, "Hello", params)
    assert tgi.dropped_parameters == () and tgi.details is not None and len(bodies) == 5


async def test_plain_model_stream_falls_back_once_and_other_400s_are_not_retried(recorded):
    hf, bodies = recorded
    with pytest.raises(BadRequest) as err:  # a 400 naming no parameter is the user's to see
        async for _ in hf.inference.text_generation_stream(PLAIN, "Hello", {"max_new_tokens": 5}):
            pass
    assert err.value.status == 400 and len(bodies) == 1
    chunks = [c async for c in hf.inference.text_generation_stream(PLAIN, "Hello", {"max_new_tokens": 5,
                                                                                    "watermark": False})]
    assert len(chunks) == 1 and chunks[0].final and chunks[0].text
    assert chunks[0].dropped_parameters == ("watermark",)
    assert [b["stream"] for b in bodies] == [True, True, False]
    assert bodies[1]["parameters"] == {"max_new_tokens": 5, "watermark": False}
    assert bodies[2]["parameters"] == {"max_new_tokens": 5}


# --- faults ----------------------------------------------------------------------------------------

FAULTS = [("401", AuthError), ("403", AuthError), ("404", NotFound), ("429", RateLimited), ("503", ModelLoading),
          ("500", ServerError), ("cut", ConnectionFailed), ("malformed", InvalidResponse), ("html", ServerError)]


@pytest.mark.parametrize("fault,cls", FAULTS)
async def test_fault_on_inference(hf, emulator, fault, cls):
    emulator.inject(fault, path=r"/hf-inference/", times=1)
    with pytest.raises(cls) as err:
        await hf.inference.fill_mask(FILL, "a [MASK] b")
    e = err.value
    assert emulator.token not in str(e) and "<html" not in e.message.lower()
    if fault == "429":
        assert e.retry_after and e.retry_after > 0
    if fault == "503":
        assert e.estimated_time and e.estimated_time > 0
    if fault == "403":
        assert e.status == 403
    assert await hf.inference.fill_mask(FILL, "a [MASK] b")  # armed once: next call is fine


@pytest.mark.parametrize("fault,cls", FAULTS)
async def test_fault_on_hub_and_endpoints(hf, emulator, fault, cls):
    if fault == "503":
        cls = ServerError  # no estimated_time off the inference routes... unless the emulator sends one
    emulator.inject(fault, path=r"^/api/models$", times=1)
    with pytest.raises((cls, ModelLoading) if fault == "503" else cls):
        await hf.hub.search_models(search="bert")
    emulator.inject(fault, path=r"^/v2/endpoint/", times=1)
    with pytest.raises((cls, ModelLoading) if fault == "503" else cls):
        await hf.endpoints.list("demo-user")


async def test_slow_fault_times_out(emulator, token):
    from dataclasses import replace

    from hftui.config import Settings

    settings = replace(Settings().with_base_url(emulator.base_url), timeout=0.3)
    async with HFClient(settings, token, max_retries=0) as fast:
        emulator.inject("slow:2", path=r"/hf-inference/", times=1)
        with pytest.raises(Timeout):
            await fast.inference.fill_mask(FILL, "a [MASK] b")


async def test_get_retries_through_a_transient_fault(emulator, settings, token):
    async with HFClient(settings, token, max_retries=2) as hf:
        emulator.inject("500", path=r"^/api/models$", times=1)
        page = await hf.hub.search_models(search="bert")
        assert page.models
        emulator.inject("500", path=r"/hf-inference/", times=1)
        with pytest.raises(ServerError):  # POSTs are never retried
            await hf.inference.fill_mask(FILL, "a [MASK] b")


@pytest.mark.parametrize("kind", ["textgen", "chat"])
async def test_cut_stream_keeps_partial(hf, emulator, kind):
    emulator.inject("cut", path=r"/hf-inference/", times=1)
    got = []
    with pytest.raises(StreamInterrupted) as err:
        if kind == "textgen":
            async for c in hf.inference.text_generation_stream(GEN, "Once", {"max_new_tokens": 30}):
                got.append(c.text)
        else:
            async for c in hf.inference.chat_completion_stream(CHAT, MSGS, {"max_tokens": 30}):
                got.append(c.text)
    assert err.value.partial and err.value.partial == "".join(got)


# --- endpoints --------------------------------------------------------------------------------------

async def test_endpoint_lifecycle(hf, emulator):
    ep_api = hf.endpoints
    catalog = await ep_api.catalog("demo-user")
    assert catalog.computes() and any(c.deployable for c in catalog.computes())
    public_catalog = await ep_api.catalog()
    assert public_catalog.computes()
    mine = await ep_api.list("demo-user")
    assert {"gpt2-demo", "llama-chat"} <= {e.name for e in mine}
    everything = await ep_api.list_all()
    assert {e.namespace for e in everything} >= {"demo-user", "acme-ml"}

    spec = EndpointSpec(name="test-ep", repository="openai-community/gpt2", task="text-generation",
                        env={"A": "1"}, secrets={"S": "secret"}, tags=("ci",),
                        custom_image=CustomImage("ghcr.io/acme/server:1", health_route="/health", port=80,
                                                 env={"X": "y"}))
    created = await ep_api.create("demo-user", spec)
    assert created.name == "test-ep" and created.type == "authenticated"
    assert created.state in (EndpointState.PENDING, EndpointState.INITIALIZING)
    assert created.image.get("custom", {}).get("healthRoute") == "/health"
    states: list[str] = []
    running = await ep_api.wait_until_running("demo-user", "test-ep", timeout=30, poll_interval=0.05,
                                              on_state=lambda e: states.append(e.raw_state))
    assert running.state is EndpointState.RUNNING and states[-1] == "running" and len(states) >= 2
    answer = await hf.inference.text_generation(Target.for_endpoint(running), "Hello", {"max_new_tokens": 4})
    assert answer.text

    paused = await ep_api.pause("demo-user", "test-ep")
    assert paused.state is EndpointState.PAUSED
    resumed = await ep_api.resume("demo-user", "test-ep")
    assert resumed.state in (EndpointState.INITIALIZING, EndpointState.PENDING, EndpointState.RUNNING)
    await ep_api.wait_until_running("demo-user", "test-ep", timeout=30, poll_interval=0.05)
    again = await ep_api.resume("demo-user", "test-ep")  # already running -> GET
    assert again.state is EndpointState.RUNNING
    with pytest.raises(BadRequest):
        await ep_api.resume("demo-user", "test-ep", running_ok=False)
    zero = await ep_api.scale_to_zero("demo-user", "test-ep")
    assert zero.state is EndpointState.SCALED_TO_ZERO
    updated = await ep_api.update("demo-user", "test-ep", EndpointUpdate(max_replica=2, tags=["ci", "v2"]))
    assert updated.max_replica == 2 and set(updated.tags) == {"ci", "v2"}
    logs = await ep_api.logs("demo-user", "test-ep", tail=5)
    assert isinstance(logs, str) and len(logs.splitlines()) <= 5
    await ep_api.delete("demo-user", "test-ep")


async def test_endpoint_failures(hf):
    spec = EndpointSpec(name="broken-one", repository="demo-user/broken-model")
    await hf.endpoints.create("demo-user", spec)
    with pytest.raises(EndpointFailed):
        await hf.endpoints.wait_until_running("demo-user", "broken-one", timeout=30, poll_interval=0.05)
    with pytest.raises(BadRequest):
        await hf.endpoints.create("demo-user", EndpointSpec(name="bad-hw", repository="openai-community/gpt2",
                                                            instance_type="nvidia-nope"))
    with pytest.raises(NotFound):
        await hf.endpoints.get("demo-user", "does-not-exist")


async def test_token_never_in_errors(hf, emulator):
    for fault in ("401", "403", "500", "malformed", "html"):
        emulator.inject(fault, times=1)
        try:
            await hf.inference.fill_mask(FILL, "a [MASK] b")
        except Exception as exc:  # noqa: BLE001
            for text in (str(exc), repr(exc), getattr(exc, "user_message", lambda: "")()):
                assert emulator.token not in text
        else:
            raise AssertionError(f"fault {fault} did not raise")
    assert emulator.token not in repr(hf)
