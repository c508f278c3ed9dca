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


def test_custom_image_create_sends_what_huggingface_hub_sends(peer, monkeypatch):
    """The seed's TGI example (custom image, env, a secret), created by both clients: the emulator
    receives the same body."""
    import asyncio

    from hftui.auth import Secret
    from hftui.client import HFClient
    from hftui.client.endpoints import CustomImage, EndpointSpec
    from hftui.config import Settings

    monkeypatch.setenv("HF_TOKEN", peer.token)
    env = {"MAX_BATCH_PREFILL_TOKENS": "2048", "MAX_INPUT_LENGTH": "1024", "MAX_TOTAL_TOKENS": "1512",
           "MODEL_ID": "/repository"}
    image_url = "ghcr.io/huggingface/text-generation-inference:3.0.1"
    common = dict(repository="HuggingFaceH4/zephyr-7b-beta", framework="pytorch", task="text-generation",
                  accelerator="gpu", vendor="aws", region="us-east-1", type="authenticated", instance_size="x1",
                  instance_type="nvidia-a10g", min_replica=0, max_replica=1, scale_to_zero_timeout=15)
    HfApi(endpoint=peer.base_url, token=peer.token).create_inference_endpoint(
        "tgi-hf", **common, env=env, secrets={"MY_SECRET_KEY": "secret_value"},
        custom_image={"healthRoute": "/health", "url": image_url, "port": 80}, tags=["dev", "text-generation"])

    spec = EndpointSpec(name="tgi-ours", repository=common["repository"], framework="pytorch", task="text-generation",
                        accelerator="gpu", vendor="aws", region="us-east-1", type="authenticated",
                        instance_size="x1", instance_type="nvidia-a10g", min_replica=0, max_replica=1,
                        scale_to_zero_timeout=15, env=env, secrets={"MY_SECRET_KEY": "secret_value"},
                        custom_image=CustomImage(image_url, health_route="/health", port=80),
                        tags=("dev", "text-generation"))

    async def ours():
        async with HFClient(Settings().with_base_url(peer.base_url), Secret(peer.token), max_retries=0) as hf:
            return await hf.endpoints.create("demo-user", spec)

    created = asyncio.run(ours())
    [theirs] = peer.received("demo-user", "tgi-hf")
    [mine] = peer.received("demo-user", "tgi-ours")
    assert mine == {**theirs, "name": "tgi-ours"}
    assert mine["model"]["image"] == {"custom": {"url": image_url, "healthRoute": "/health", "port": 80}}
    assert created.image_settings["url"] == image_url and created.health_route == "/health"
    assert created.secrets == {"MY_SECRET_KEY": "********"}  # names only come back


# --- text-generation details and plain models: hf_hub's parsed result equals ours ------------------

TGI = "openai-community/gpt2"
PLAIN = "distilbert/distilgpt2"  # a plain transformers pipeline, not TGI


def _tok(t) -> dict:
    """A token's fields, ours or hf_hub's (prefill tokens have no ``special``; hf_hub leaves the
    tokens of ``top_tokens``, a list of lists, as dicts)."""
    if isinstance(t, dict):
        return {"id": t["id"], "text": t["text"], "logprob": t["logprob"], "special": t.get("special")}
    return {"id": t.id, "text": t.text, "logprob": t.logprob, "special": getattr(t, "special", None)}


def _toks(tokens) -> list:
    return [_tok(t) for t in tokens or ()]


def _top(steps) -> list | None:
    return None if steps is None else [_toks(step) for step in steps]


async def _ours(peer, call):
    from hftui.auth import Secret
    from hftui.client import HFClient
    from hftui.config import Settings

    async with HFClient(Settings().with_base_url(peer.base_url), Secret(peer.token), max_retries=0) as hf:
        return await call(hf.inference)


async def test_text_generation_details_equal_hf_hub(peer):
    from hftui.client import Target

    client = InferenceClient(provider="hf-inference", token=peer.token)
    theirs = client.text_generation("Hello there", model=url(peer, TGI), max_new_tokens=4, details=True,
                                    decoder_input_details=True, top_n_tokens=3, best_of=2, do_sample=True)
    ours = await _ours(peer, lambda inf: inf.text_generation(Target.hf_model(TGI), "Hello there", {
        "max_new_tokens": 4, "details": True, "decoder_input_details": True, "top_n_tokens": 3, "best_of": 2,
        "do_sample": True}))
    d, hd = ours.details, theirs.details
    assert ours.text == theirs.generated_text
    assert (d.finish_reason, d.generated_tokens, d.seed) == (hd.finish_reason, hd.generated_tokens, hd.seed)
    assert isinstance(hd.seed, int)  # sampled without a seed: the one drawn, never null
    assert _toks(d.prefill) == _toks(hd.prefill) and len(d.prefill) > 1
    assert _toks(d.tokens) == _toks(hd.tokens) and len(d.tokens) == 4
    assert _top(d.top_tokens) == _top(hd.top_tokens) and len(d.top_tokens) == 4
    assert len(d.best_of_sequences) == len(hd.best_of_sequences) == 1
    for mine, other in zip(d.best_of_sequences, hd.best_of_sequences, strict=True):
        assert mine.text == other.generated_text
        assert (mine.finish_reason, mine.generated_tokens, mine.seed) == (
            other.finish_reason, other.generated_tokens, other.seed)
        assert _toks(mine.prefill) == _toks(other.prefill) and _toks(mine.tokens) == _toks(other.tokens)
        assert _top(mine.top_tokens) == _top(other.top_tokens)

    streamed = list(client.text_generation("Once", model=url(peer, TGI), max_new_tokens=5, details=True,
                                           top_n_tokens=2, do_sample=True, stream=True))
    chunks = await _ours(peer, lambda inf: _collect(inf.text_generation_stream(Target.hf_model(TGI), "Once", {
        "max_new_tokens": 5, "details": True, "top_n_tokens": 2, "do_sample": True})))
    assert [_tok(c.token) for c in chunks] == [_tok(e.token) for e in streamed]
    assert [_toks(c.top_tokens) for c in chunks] == [_toks(e.top_tokens) for e in streamed]
    last, their_last = chunks[-1].details, streamed[-1].details
    assert (last.finish_reason, last.generated_tokens, last.seed, last.input_length) == (
        their_last.finish_reason, their_last.generated_tokens, their_last.seed, their_last.input_length)


async def _collect(stream) -> list:
    return [c async for c in stream]


async def test_plain_model_both_clients_drop_the_same_parameters(peer):
    from huggingface_hub.inference._common import _get_unsupported_text_generation_kwargs

    from hftui.client import Target

    model = url(peer, PLAIN)
    client = InferenceClient(provider="hf-inference", token=peer.token)
    # the model refuses the TGI-only parameters even when false; both clients drop them and ask again
    with pytest.warns(UserWarning, match="not served via TGI"):
        theirs = client.text_generation("Hello", model=model, max_new_tokens=5, temperature=0.5, watermark=False,
                                        stop=[], decoder_input_details=False, details=True)
    ours = await _ours(peer, lambda inf: inf.text_generation(Target.hf_model(PLAIN), "Hello", {
        "max_new_tokens": 5, "temperature": 0.5, "watermark": False, "stop": [], "decoder_input_details": False,
        "details": True}))
    # sampled (temperature) with a seed drawn from the parameters: the same text means the same retry
    assert isinstance(theirs, str) and theirs and ours.text == theirs and ours.details is None
    assert set(ours.dropped_parameters) == set(_get_unsupported_text_generation_kwargs(model))
    assert set(ours.dropped_parameters) == {"watermark", "stop", "decoder_input_details", "details"}

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
