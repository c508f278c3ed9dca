"""Peer check: huggingface_hub's own clients, unmodified, against the emulator.

Pointing it locally, without patching its code:
- Hub: ``HfApi(endpoint=...)``, and ``constants.ENDPOINT`` (read at call time).
- Endpoints API: ``constants.INFERENCE_ENDPOINTS_ENDPOINT`` (read at call time).
- hf-inference tasks: the model is passed as its full router URL
  (``{base}/hf-inference/models/{id}``, ``.../pipeline/feature-extraction``):
  ``INFERENCE_PROXY_TEMPLATE`` cannot be re-pointed in-process, because the
  provider helpers capture ``base_url`` when ``huggingface_hub.inference`` is
  first imported, and each test's emulator has a new port.
- The OpenAI-compatible auto-router (``model="id:provider"``) via ``base_url``.
"""

from __future__ import annotations

import pytest

hf_hub = pytest.importorskip("huggingface_hub")

from huggingface_hub import AsyncInferenceClient, HfApi, InferenceClient, constants  # noqa: E402
from huggingface_hub.inference._providers import _common  # noqa: E402

FILL = "google-bert/bert-base-uncased"
CHAT = "meta-llama/Llama-3.1-8B-Instruct"
MSGS = [{"role": "user", "content": "Tell me about the moon."}]


@pytest.fixture
def peer(emulator, monkeypatch):
    base = emulator.base_url
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(constants, "ENDPOINT", base)
    monkeypatch.setattr(constants, "INFERENCE_ENDPOINTS_ENDPOINT", base + "/v2")
    _common._fetch_inference_provider_mapping.cache_clear()  # mappings cached from another emulator
    yield emulator
    _common._fetch_inference_provider_mapping.cache_clear()


def test_hub_calls(peer):
    api = HfApi(endpoint=peer.base_url, token=peer.token)
    me = api.whoami()
    assert me["name"] == "demo-user" and len(me["orgs"]) == 2
    models = list(api.list_models(search="bert", pipeline_tag="fill-mask", limit=5,
                                  expand=["pipeline_tag", "downloads", "inference", "inferenceProviderMapping"]))
    assert models and all(m.pipeline_tag == "fill-mask" for m in models)
    many = list(api.list_models(limit=250))  # crosses pages through the Link header
    assert len(many) == len({m.id for m in many}) >= 40
    info = api.model_info(FILL, expand=["inference", "inferenceProviderMapping", "pipeline_tag"])
    assert info.inference == "warm" and info.pipeline_tag == "fill-mask"
    assert any(m.provider == "hf-inference" and m.status == "live" for m in info.inference_provider_mapping)
    dict_form = api.model_info(CHAT, expand=["inferenceProviderMapping"])
    assert {m.provider for m in dict_form.inference_provider_mapping} >= {"hf-inference", "together"}


def url(peer, model: str, suffix: str = "") -> str:
    return f"{peer.base_url}/hf-inference/models/{model}{suffix}"


def test_inference_calls(peer):
    client = InferenceClient(provider="hf-inference", token=peer.token)
    masks = client.fill_mask("Paris is the [MASK] of France.", model=url(peer, FILL))
    assert masks and all("[MASK]" not in m.sequence for m in masks)
    summary = client.summarization("The tower is 324 metres tall. " * 5, model=url(peer, "facebook/bart-large-cnn"))
    assert summary.summary_text
    context = "My name is Clara and I live in Berkeley."
    qa = client.question_answering(question="Where do I live?", context=context,
                                   model=url(peer, "deepset/roberta-base-squad2"))
    assert context[qa.start:qa.end] == qa.answer
    zs = client.zero_shot_classification("I love my phone", ["tech", "food"],
                                         model=url(peer, "facebook/bart-large-mnli"))
    assert {x.label for x in zs} == {"tech", "food"}
    gen = client.text_generation("Once upon a time", model=url(peer, "openai-community/gpt2"), max_new_tokens=8)
    assert isinstance(gen, str) and gen
    streamed = list(client.text_generation("Once upon a time", model=url(peer, "openai-community/gpt2"),
                                           max_new_tokens=8, stream=True))
    assert streamed and all(isinstance(t, str) for t in streamed)
    chat = client.chat_completion(MSGS, model=url(peer, CHAT), max_tokens=10)
    assert chat.choices[0].message.content
    chunks = list(client.chat_completion(MSGS, model=url(peer, CHAT), max_tokens=10, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    image = client.text_to_image("a red square", model=url(peer, "black-forest-labs/FLUX.1-schnell"),
                                 width=64, height=64)
    assert image.size[0] > 0


def test_feature_extraction(peer):
    pytest.importorskip("numpy", reason="huggingface_hub needs numpy for embeddings")
    client = InferenceClient(provider="hf-inference", token=peer.token)
    vec = client.feature_extraction("hello", model=url(peer, "BAAI/bge-small-en-v1.5", "/pipeline/feature-extraction"))
    assert vec.size > 0


def test_router_chat_with_provider(peer):
    client = InferenceClient(base_url=peer.base_url + "/v1", token=peer.token)
    out = client.chat_completion(MSGS, model=f"{CHAT}:together", max_tokens=5)
    assert out.choices[0].message.content


async def test_async_client(peer):
    client = AsyncInferenceClient(provider="hf-inference", token=peer.token)
    try:
        masks = await client.fill_mask("a [MASK] b", model=url(peer, FILL))
        assert masks
        text = ""
        async for c in await client.chat_completion(MSGS, model=url(peer, CHAT), max_tokens=8, stream=True):
            text += (c.choices[0].delta.content or "") if c.choices else ""
        assert text
    finally:
        await client.close()


def test_endpoint_lifecycle(peer, monkeypatch):
    # InferenceEndpoint objects (and namespace="*"'s own-namespace listing) talk through a default
    # HfApi() whose token comes from the environment, not from ``api``: a huggingface_hub quirk.
    monkeypatch.setenv("HF_TOKEN", peer.token)
    api = HfApi(endpoint=peer.base_url, token=peer.token)
    ep = api.create_inference_endpoint("peer-ep", repository="openai-community/gpt2", framework="pytorch",
                                       task="text-generation", accelerator="cpu", vendor="aws", region="us-east-1",
                                       type="authenticated", instance_size="x2", instance_type="intel-icl",
                                       min_replica=0, max_replica=1, scale_to_zero_timeout=15)
    assert ep.name == "peer-ep" and ep.status in ("pending", "initializing")
    assert api.get_inference_endpoint("peer-ep").name == "peer-ep"
    assert "peer-ep" in {e.name for e in api.list_inference_endpoints()}
    everything = api.list_inference_endpoints(namespace="*")
    assert {e.namespace for e in everything} >= {"demo-user", "acme-ml"}
    ep.wait(timeout=60, refresh_every=1)
    assert ep.status == "running" and ep.url
    assert ep.pause().status == "paused"
    assert ep.resume().status in ("pending", "initializing", "running")
    ep.wait(timeout=60, refresh_every=1)
    assert ep.resume(running_ok=True).status == "running"  # the "already running" 400 path
    assert ep.scale_to_zero().status == "scaledToZero"
    updated = ep.update(max_replica=2, min_replica=0)
    assert updated.raw["compute"]["scaling"]["maxReplica"] == 2
    ep.delete()


def test_scaled_to_zero_endpoint_wakes_for_both_clients(peer, monkeypatch):
    """huggingface_hub does not send ``X-Scale-Up-Timeout`` itself; given it (``headers=``, as the HF docs
    advise), its client wakes the endpoint like ours, and both parse the same answer."""
    import asyncio

    from huggingface_hub.errors import HfHubHTTPError

    from hftui.auth import Secret
    from hftui.client import HFClient, Target
    from hftui.config import Settings

    monkeypatch.setenv("HF_TOKEN", peer.token)
    api = HfApi(endpoint=peer.base_url, token=peer.token)
    assert api.get_inference_endpoint("bert-fill").url is None  # paused: no URL, as in the seed
    ep = api.get_inference_endpoint("sentiment-api")
    assert ep.status == "scaledToZero" and ep.url

    with pytest.raises(HfHubHTTPError) as err:  # no header: the proxy's 503, and the wake begins
        InferenceClient(model=ep.url, token=peer.token).text_classification("I love it")
    assert err.value.response.status_code == 503
    peer.set_state("demo-user", "sentiment-api", "scaledToZero")
    theirs = InferenceClient(model=ep.url, token=peer.token, headers={"X-Scale-Up-Timeout": "600"}) \
        .text_classification("I love it")
    assert api.get_inference_endpoint("sentiment-api").status == "running"

    peer.set_state("demo-user", "sentiment-api", "scaledToZero")

    async def ours():
        settings = Settings().with_base_url(peer.base_url)
        async with HFClient(settings, Secret(peer.token)) as hf:
            endpoint = await hf.endpoints.get("demo-user", "sentiment-api")
            return await hf.inference.text_classification(Target.for_endpoint(endpoint), "I love it")

    mine = asyncio.run(ours())
    assert [(x.label, round(x.score, 6)) for x in mine] == [(x.label, round(x.score, 6)) for x in theirs]
    assert mine[0].label == "POSITIVE"
