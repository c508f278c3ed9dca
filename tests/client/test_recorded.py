"""Every recorded real exchange (shared/fixtures/recorded) replayed to the client."""

from __future__ import annotations

import json

import pytest

from hftui.auth import Secret
from hftui.client import HFClient, Target
from hftui.client.core import CallOptions
from hftui.client.errors import AuthError, BadRequest, ModelLoading, RateLimited
from hftui.client.models import Catalog, Endpoint, EndpointState, ModelInfo
from hftui.client.results import (
    Answer,
    ChatCompletion,
    Entity,
    FillMaskCandidate,
    GenerationDetails,
    ImageResult,
    Label,
    Token,
)
from hftui.config import Settings

from tests.client.client_replay import Replay
from tests.support.paths import RECORDED, SHAPES

SETTINGS = Settings()  # the real services' URLs: cassettes were recorded against them
TOKEN = Secret("hf_recordedreplaytoken0000")
LEGACY = "https://api-inference.huggingface.co"
MESSAGES = [{"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "What is deep learning?"}]


def replay(name: str) -> tuple[Replay, HFClient]:
    r = Replay.load(RECORDED / name)
    return r, HFClient(SETTINGS, TOKEN, token_source="HF_TOKEN", transport=r.transport(), max_retries=0)


async def collect(stream):
    return [c async for c in stream]


def test_every_cassette_has_a_test():
    names = {p.name for p in RECORDED.glob("*.yaml")}
    assert names == set(CASES), f"untested cassettes: {names - set(CASES)}"


async def _text_classification():
    r, hf = replay("hf-inference_text-classification.yaml")
    async with hf:
        info = await hf.hub.model_info("distilbert/distilbert-base-uncased-finetuned-sst-2-english")
        labels = await hf.inference.text_classification(
            Target.hf_model("distilbert/distilbert-base-uncased-finetuned-sst-2-english"), "I like you")
    assert isinstance(info, ModelInfo) and info.warm and info.pipeline_tag == "text-classification"
    assert info.mask_token == "[MASK]" and info.license == "apache-2.0"
    assert all(isinstance(x, Label) for x in labels)
    assert [x.label for x in labels] == ["POSITIVE", "NEGATIVE"] and labels[0].score > 0.99
    post = [q for q in r.seen if q.method == "POST"][0]
    assert json.loads(post.content) == {"inputs": "I like you"}
    assert post.headers["user-agent"].startswith("hftui/")


async def _token_classification_loading():
    # Without waiting: the typed error carries the estimate.
    r, hf = replay("hf-inference_token-classification_503-loading-then-wait.yaml")
    target = Target.hf_model("dbmdz/bert-large-cased-finetuned-conll03-english")
    text = "My name is Sarah Jessica Parker but you can call me Jessica"
    async with hf:
        with pytest.raises(ModelLoading) as err:
            await hf.inference.token_classification(target, text)
    assert err.value.estimated_time == pytest.approx(53.374, abs=0.01) and err.value.status == 503
    # Waiting: one retry with x-wait-for-model, countdown reported.
    r, hf = replay("hf-inference_token-classification_503-loading-then-wait.yaml")
    countdown: list[float] = []
    async with hf:
        entities = await hf.inference.token_classification(
            target, text, options=CallOptions(wait_for_model=True, timeout=30), on_loading=countdown.append)
    assert countdown and countdown[0] == pytest.approx(53.374, abs=0.01)
    assert [e.word for e in entities] == ["Sarah Jessica Parker", "Jessica"]
    assert all(isinstance(e, Entity) and e.group == "PER" for e in entities)
    assert entities[0].start == 11 and entities[0].end == 31
    assert "x-wait-for-model" not in r.seen[0].headers and r.seen[1].headers["x-wait-for-model"] == "true"


async def _chat_stream():
    r, hf = replay("hf-inference_chat-completion_stream.yaml")
    async with hf:
        chunks = await collect(hf.inference.chat_completion_stream(
            Target.hf_model("meta-llama/Llama-3.1-8B-Instruct"), MESSAGES, {"max_tokens": 20}))
    text = "".join(c.text for c in chunks)
    assert text.startswith("Deep learning") and text.endswith(")")
    assert chunks[-1].final and chunks[-1].finish_reason == "length"
    assert sum(c.final for c in chunks) == 1
    body = json.loads(r.seen[0].content)
    assert list(body)[0] == "model" and body["stream"] is True and body["max_tokens"] == 20


async def _chat_401():
    r, hf = replay("hf-inference_chat-completion_401.yaml")
    async with hf:
        with pytest.raises(AuthError) as err:
            await hf.inference.chat_completion(Target.hf_model("meta-llama/Meta-Llama-3-70B-Instruct"), MESSAGES)
    assert err.value.status == 401
    assert err.value.message == "Invalid username or password."  # header and body de-duplicated
    assert err.value.token_source == "HF_TOKEN" and TOKEN.reveal() not in str(err.value)


async def _summarization():
    r, hf = replay("hf-inference_summarization.yaml")
    async with hf:
        text = await hf.inference.summarization(Target.hf_model("sshleifer/distilbart-cnn-12-6"),
                                                "The sky is blue, the tree is green.")
    assert isinstance(text, str) and text.startswith(" eloqu")


async def _textgen_422():
    r, hf = replay("hf-inference_text-generation_422-validation.yaml")
    async with hf:
        with pytest.raises(BadRequest) as err:
            await hf.inference.text_generation(Target.hf_model("google/flan-t5-xxl"), "test",
                                               {"max_new_tokens": 10000})
    assert err.value.status == 422 and err.value.error_type == "validation"
    assert "must be <= 1512" in err.value.message


async def _textgen_stream():
    r, hf = replay("hf-inference_text-generation_stream-details.yaml")
    async with hf:
        chunks = await collect(hf.inference.text_generation_stream(
            Target.hf_model("google/flan-t5-xxl"), "test", {"details": True, "max_new_tokens": 1}))
    assert [c.text for c in chunks] == [" "]
    assert chunks[-1].final and chunks[-1].finish_reason == "length" and chunks[-1].generated_tokens == 1
    # everything the real event carries: the token's id/logprob/special, the stream's details
    assert chunks[-1].token == Token(id=3, text=" ", logprob=-2.0078125, special=False)
    assert chunks[-1].details == GenerationDetails(finish_reason="length", generated_tokens=1, seed=None)
    assert chunks[-1].top_tokens is None and chunks[-1].dropped_parameters == ()
    body = json.loads(r.seen[0].content)
    assert body["stream"] is True and body["parameters"]["details"] is True


async def _text_to_image():
    r, hf = replay("hf-inference_text-to-image.yaml")
    async with hf:
        image = await hf.inference.text_to_image(Target.hf_model("CompVis/stable-diffusion-v1-4"),
                                                 "An astronaut riding a horse on the moon.")
    assert isinstance(image, ImageResult) and image.media_type == "image/jpeg"
    assert image.data[:3] == b"\xff\xd8\xff"
    assert r.seen[0].headers["accept"] == "image/png"


async def _zero_shot_legacy():
    r, hf = replay("hf-inference_zero-shot-classification_legacy-shape.yaml")
    labels_in = ["space & cosmos", "scientific discovery", "microbiology", "robots", "archeology"]
    async with hf:
        labels = await hf.inference.zero_shot_classification(
            Target.hf_model("facebook/bart-large-mnli"), "text", labels_in, {"multi_label": False})
    assert labels[0].label == "scientific discovery"
    assert [x.score for x in labels] == sorted((x.score for x in labels), reverse=True)
    body = json.loads(r.seen[0].content)
    assert body["parameters"] == {"candidate_labels": labels_in, "multi_label": False}


async def _provider_mapping_and_together():
    r, hf = replay("hub_model-info-expand-inferenceProviderMapping_and_router-together.yaml")
    async with hf:
        info = await hf.hub.model_info("meta-llama/Meta-Llama-3-8B-Instruct")
        answer = await hf.inference.chat_completion(Target.at_url("https://router.huggingface.co/together/v1"),
                                                    MESSAGES)
    providers = {p.provider: p for p in info.providers}
    assert providers["together"].live and not providers["fireworks-ai"].live
    assert info.hf_inference is not None and info.hf_inference.task == "conversational"
    assert isinstance(answer, ChatCompletion) and answer.content.startswith("Deep learning")
    assert answer.finish_reason == "stop"  # the retry-after on this 200 is ignored


async def _legacy_429():
    r, hf = replay("legacy-api-inference_429-rate-limit.yaml")
    async with hf:
        with pytest.raises(RateLimited) as err:
            await hf.inference.question_answering(
                Target.at_url(f"{LEGACY}/pipeline/question-answering/deepset/roberta-base-squad2"),
                "What's my name?", "")
    assert err.value.retry_after is None and "Rate limit reached" in err.value.message


async def _legacy_422_text():
    r, hf = replay("legacy-api-inference_chat-422-text-plain.yaml")
    async with hf:
        with pytest.raises(BadRequest) as err:
            await hf.inference.chat_completion(Target.at_url(f"{LEGACY}/models/meta-llama/Meta-Llama-3-70B-Instruct"),
                                               MESSAGES)
    assert err.value.status == 422 and err.value.message.startswith("Failed to deserialize the JSON body")
    assert r.seen[0].url.path.endswith("/v1/chat/completions")
    assert json.loads(r.seen[0].content)["model"] == "tgi"  # a URL target without a model name


async def _legacy_fill_mask():
    r, hf = replay("legacy-api-inference_fill-mask.yaml")
    async with hf:
        out = await hf.inference.fill_mask(Target.at_url(f"{LEGACY}/models/distilroberta-base"),
                                           "The goal of life is <mask>.")
    assert all(isinstance(c, FillMaskCandidate) for c in out) and out[0].token_str == " happiness"
    assert out[0].sequence == "The goal of life is happiness." and out[0].token == 11098


async def _legacy_qa():
    r, hf = replay("legacy-api-inference_question-answering.yaml")
    async with hf:
        out = await hf.inference.question_answering(Target.at_url(f"{LEGACY}/models/deepset/roberta-base-squad2"),
                                                    "What is the meaning of life?", "42")
    assert out == [Answer("42", pytest.approx(1.43e-08, rel=0.01), 0, 2)]


async def _tgi14_no_done():
    r, hf = replay("legacy-api-inference_tgi14-chat-stream-no-done.yaml")
    async with hf:
        chunks = await collect(hf.inference.chat_completion_stream(
            Target.at_url(f"{LEGACY}/models/HuggingFaceH4/zephyr-7b-beta"), MESSAGES))
    assert "".join(c.text for c in chunks).startswith("Deep learning")
    assert chunks[-1].final and chunks[-1].finish_reason == "length"


CASES = {
    "hf-inference_text-classification.yaml": _text_classification,
    "hf-inference_token-classification_503-loading-then-wait.yaml": _token_classification_loading,
    "hf-inference_chat-completion_stream.yaml": _chat_stream,
    "hf-inference_chat-completion_401.yaml": _chat_401,
    "hf-inference_summarization.yaml": _summarization,
    "hf-inference_text-generation_422-validation.yaml": _textgen_422,
    "hf-inference_text-generation_stream-details.yaml": _textgen_stream,
    "hf-inference_text-to-image.yaml": _text_to_image,
    "hf-inference_zero-shot-classification_legacy-shape.yaml": _zero_shot_legacy,
    "hub_model-info-expand-inferenceProviderMapping_and_router-together.yaml": _provider_mapping_and_together,
    "legacy-api-inference_429-rate-limit.yaml": _legacy_429,
    "legacy-api-inference_chat-422-text-plain.yaml": _legacy_422_text,
    "legacy-api-inference_fill-mask.yaml": _legacy_fill_mask,
    "legacy-api-inference_question-answering.yaml": _legacy_qa,
    "legacy-api-inference_tgi14-chat-stream-no-done.yaml": _tgi14_no_done,
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_recorded(name):
    await CASES[name]()


def test_recorded_hub_model_info_bodies_parse():
    """Every recorded Hub model-info body (the pre-flight GETs) parses."""
    import yaml

    count = 0
    for path in RECORDED.glob("*.yaml"):
        for it in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            if it["request"]["method"] == "GET" and "/api/models/" in it["request"]["uri"]:
                info = ModelInfo.from_json(json.loads(it["response"]["body"]["string"]))
                assert info.id in it["request"]["uri"]
                count += 1
    assert count >= 8


def _shapes() -> dict:
    return json.loads((SHAPES / "inference-endpoints-v2.json").read_text(encoding="utf-8"))


def test_endpoint_shapes_parse():
    shapes = _shapes()
    items = shapes["list_response_GET_/v2/endpoint/{namespace}"]["items"]
    running = Endpoint.from_json(items[0], "alice")
    assert running.state is EndpointState.RUNNING and running.url and running.created_at.microsecond == 263078
    base = shapes["endpoint_pending_after_create"]
    assert Endpoint.from_json(base, "alice").state is EndpointState.PENDING
    for key, state in (("endpoint_failed", EndpointState.FAILED), ("endpoint_updating", EndpointState.UPDATING)):
        patch = {k: v for k, v in shapes[key].items() if not k.startswith("_")}
        merged = {**base, **patch, "status": {**base["status"], **patch["status"]}}
        ep = Endpoint.from_json(merged, "alice")
        assert ep.state is state and ep.repository == "openai-community/gpt2"
    catalog = Catalog.from_json(shapes["provider_catalog_GET_/v2/provider/{namespace}"])
    computes = catalog.computes()
    assert computes and all(c.price_per_hour is not None for c in computes)
    assert catalog.find("aws", "us-east-1", "nvidia-l4", "x1") is not None


async def test_endpoint_shapes_through_the_client():
    """The example bodies served by a mock Endpoints API parse through hf.endpoints."""
    from hftui.client._http import MockResponse, MockTransport

    shapes = _shapes()

    def handler(request):
        path = request.url.path
        if path == "/v2/endpoint/alice":
            return MockResponse(200, json=shapes["list_response_GET_/v2/endpoint/{namespace}"])
        if path == "/v2/endpoint/alice/gpt2-demo":
            return MockResponse(200, json=shapes["endpoint_pending_after_create"])
        if path == "/v2/provider/alice":
            return MockResponse(200, json=shapes["provider_catalog_GET_/v2/provider/{namespace}"])
        return MockResponse(404, json={"error": "not found"})

    settings = Settings(endpoints_api_url="https://api.endpoints.test/v2")
    async with HFClient(settings, TOKEN, transport=MockTransport(handler)) as hf:
        listed = await hf.endpoints.list("alice")
        one = await hf.endpoints.get("alice", "gpt2-demo")
        catalog = await hf.endpoints.catalog("alice")
    assert [e.key for e in listed] == ["alice/gpt2-demo"] and listed[0].state is EndpointState.RUNNING
    assert one.state is EndpointState.PENDING and one.url is None
    assert catalog.computes()
