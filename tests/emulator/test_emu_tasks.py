"""Every inference task on /hf-inference answers the wire doc's shapes with plausible values."""

from __future__ import annotations

import base64
import io
import math
import wave

import pytest


def post(client, model: str, body, **kw):
    return client.post(f"/hf-inference/models/{model}", json=body, **kw)


def test_inference_requires_the_token(anon):
    r = anon.post("/hf-inference/models/google-bert/bert-base-uncased", json={"inputs": "a [MASK]"})
    assert r.status_code == 401 and r.json()["error"] == "Invalid username or password."
    assert "WWW-Authenticate" in r.headers


@pytest.mark.parametrize("model,mask", [("google-bert/bert-base-uncased", "[MASK]"),
                                        ("FacebookAI/roberta-base", "<mask>")])
def test_fill_mask(client, model, mask):
    r = post(client, model, {"inputs": f"The goal of life is {mask}.", "parameters": {"top_k": 3}})
    assert r.status_code == 200
    out = r.json()
    assert len(out) == 3
    scores = [o["score"] for o in out]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)
    for o in out:
        assert set(o) == {"score", "token", "token_str", "sequence"}
        assert mask not in o["sequence"] and o["token_str"].strip() in o["sequence"]
    assert r.headers["x-compute-type"] and r.headers["x-compute-time"] and r.headers["x-request-id"]


def test_fill_mask_needs_the_models_mask_token(client):
    r = post(client, "FacebookAI/roberta-base", {"inputs": "The goal of life is [MASK]."})
    assert r.status_code == 400 and "<mask>" in r.json()["error"]


def test_fill_mask_targets(client):
    out = post(client, "FacebookAI/roberta-base",
               {"inputs": "I feel <mask>.", "parameters": {"targets": ["happy", "sad"]}}).json()
    assert {o["token_str"].strip() for o in out} == {"happy", "sad"}


def test_fill_mask_is_deterministic(client):
    body = {"inputs": "Paris is the [MASK] of France."}
    assert post(client, "google-bert/bert-base-uncased", body).json() == post(
        client, "google-bert/bert-base-uncased", body).json()


def test_summarization(client):
    text = ("The tower is 324 metres tall, about the same height as an 81-storey building. "
            "Its base is square, measuring 125 metres on each side. It was the tallest man-made structure "
            "in the world for 41 years. It is located in Paris.")
    out = post(client, "facebook/bart-large-cnn", {"inputs": text}).json()
    assert isinstance(out, list) and set(out[0]) == {"summary_text"}
    assert 0 < len(out[0]["summary_text"]) < len(text)


def test_summarization_honours_min_and_max_length(client):
    text = "The tower is 324 metres tall. It is located in Paris. It was built in 1889 for the World's Fair."
    plain = post(client, "facebook/bart-large-cnn", {"inputs": text}).json()[0]["summary_text"]
    assert len(plain.split()) < 30
    for params in ({"min_length": 30}, {"generate_parameters": {"min_length": 30, "max_length": 40}}):
        out = post(client, "facebook/bart-large-cnn", {"inputs": text, "parameters": params}).json()
        assert 30 <= len(out[0]["summary_text"].split()) <= 40, params
    short = post(client, "facebook/bart-large-cnn", {"inputs": text, "parameters": {
        "generate_parameters": {"max_length": 6}}}).json()
    assert len(short[0]["summary_text"].split()) == 6
    bad = post(client, "facebook/bart-large-cnn", {"inputs": text, "parameters": {"min_length": "many"}})
    assert bad.status_code == 422 and "min_length" in bad.json()["error"]


def test_the_tutorials_summarization_model_is_served(client):
    info = client.get("/api/models/csebuetnlp/mT5_multilingual_XLSum").json()
    assert info["pipeline_tag"] == "summarization" and info["inference"] == "warm"
    out = post(client, "csebuetnlp/mT5_multilingual_XLSum", {
        "inputs": "Videos that say approved vaccines are dangerous and cause autism, cancer or infertility "
                  "are among those that will be taken down, the company said.",
        "parameters": {"min_length": 12, "max_length": 20}})
    assert out.status_code == 200 and 12 <= len(out.json()[0]["summary_text"].split()) <= 20


def test_translation(client):
    out = post(client, "Helsinki-NLP/opus-mt-en-fr", {"inputs": "Hello world"}).json()
    assert out == [{"translation_text": "Bonjour monde"}]
    bad = post(client, "facebook/mbart-large-50-many-to-many-mmt",
               {"inputs": "Hello", "parameters": {"src_lang": "en_XX"}}, headers={"x-wait-for-model": "true"})
    assert bad.status_code == 400


@pytest.mark.parametrize("legacy", [False, True])
def test_question_answering_returns_a_real_span(client, legacy):
    context = "My name is Clara and I live in Berkeley."
    body = ({"question": "What is my name?", "context": context} if legacy else
            {"inputs": {"question": "What is my name?", "context": context}})
    out = post(client, "deepset/roberta-base-squad2", body).json()
    assert set(out) == {"score", "start", "end", "answer"}
    assert context[out["start"]:out["end"]] == out["answer"] == "Clara"


def test_question_answering_top_k_list(client):
    context = "The Eiffel Tower was built in 1889 by Gustave Eiffel in Paris, France."
    out = post(client, "deepset/roberta-base-squad2",
               {"inputs": {"question": "When was it built?", "context": context}, "parameters": {"top_k": 3}}).json()
    assert isinstance(out, list) and len(out) == 3
    for answer in out:
        assert context[answer["start"]:answer["end"]] == answer["answer"]
    assert out[0]["answer"] == "1889"


def test_zero_shot_current_and_legacy_shapes(client):
    body = {"inputs": "I want to travel to space", "parameters": {"candidate_labels": ["space", "cooking"]}}
    current = post(client, "facebook/bart-large-mnli", body).json()
    assert [c["label"] for c in current] == ["space", "cooking"]
    assert math.isclose(sum(c["score"] for c in current), 1.0, abs_tol=1e-4)
    legacy = post(client, "valhalla/distilbart-mnli-12-1", body).json()
    assert set(legacy) == {"sequence", "labels", "scores"} and legacy["labels"][0] == "space"
    multi = post(client, "facebook/bart-large-mnli",
                 {**body, "parameters": {**body["parameters"], "multi_label": True}}).json()
    assert len(multi) == 2 and all(0 < c["score"] < 1 for c in multi)
    missing = post(client, "facebook/bart-large-mnli", {"inputs": "x"})
    assert missing.status_code == 422


def test_text_classification_nested(client):
    sst2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    pos = post(client, sst2, {"inputs": "I love this, great!"}).json()
    neg = post(client, sst2, {"inputs": "Terrible and awful."}).json()
    assert isinstance(pos, list) and isinstance(pos[0], list)
    assert pos[0][0]["label"] == "POSITIVE" and neg[0][0]["label"] == "NEGATIVE"
    top1 = post(client, "cardiffnlp/twitter-roberta-base-sentiment-latest",
                {"inputs": "ok", "parameters": {"top_k": 1}}).json()
    assert len(top1[0]) == 1


@pytest.mark.parametrize("strategy", ["simple", "none"])
def test_token_classification_offsets(client, strategy):
    text = "My name is Sarah Jessica Parker and I work at Hugging Face in Paris"
    out = post(client, "dslim/bert-base-NER",
               {"inputs": text, "parameters": {"aggregation_strategy": strategy}}).json()
    assert out
    key = "entity_group" if strategy == "simple" else "entity"
    for ent in out:
        assert text[ent["start"]:ent["end"]] == ent["word"]
        assert key in ent and 0 < ent["score"] <= 1
    if strategy == "simple":
        assert [(e["word"], e["entity_group"]) for e in out] == [
            ("Sarah Jessica Parker", "PER"), ("Hugging Face", "ORG"), ("Paris", "LOC")]


def test_text_generation_plain_and_details(client):
    r = post(client, "openai-community/gpt2",
             {"inputs": "Once upon a time", "parameters": {"max_new_tokens": 12, "details": True}})
    out = r.json()
    assert isinstance(out, list) and len(out) == 1
    assert out[0]["details"]["generated_tokens"] == 12 and out[0]["details"]["finish_reason"] == "length"
    assert "".join(t["text"] for t in out[0]["details"]["tokens"]) == out[0]["generated_text"]
    assert r.headers["x-generated-tokens"] == "12"
    full = post(client, "openai-community/gpt2",
                {"inputs": "Hello", "parameters": {"max_new_tokens": 3, "return_full_text": True}}).json()
    assert full[0]["generated_text"].startswith("Hello")


def test_text_generation_default_length_and_validation(client):
    out = post(client, "openai-community/gpt2", {"inputs": "Hi", "parameters": {"details": True}}).json()
    assert out[0]["details"]["generated_tokens"] == 64
    r = post(client, "openai-community/gpt2", {"inputs": "Hi", "parameters": {"max_new_tokens": 100000}})
    assert r.status_code == 422 and r.json()["error_type"] == "validation"


def test_non_tgi_model_rejects_tgi_parameters(client):
    r = post(client, "distilbert/distilgpt2", {"inputs": "Hi", "parameters": {"max_new_tokens": 5, "watermark": True}})
    assert r.status_code == 400 and "watermark" in r.json()["error"]
    ok = post(client, "distilbert/distilgpt2", {"inputs": "Hi", "parameters": {"max_new_tokens": 5}}).json()
    assert set(ok[0]) == {"generated_text"}


def test_non_tgi_model_rejects_tgi_parameters_present_but_false(client):
    # the plain pipeline refuses them when present, whatever the value; null is "absent"
    params = {"max_new_tokens": 5, "watermark": False, "temperature": 0.5, "stop": [], "details": False,
              "decoder_input_details": False, "top_n_tokens": None}
    r = post(client, "distilbert/distilgpt2", {"inputs": "Hi", "parameters": params})
    body = r.json()
    assert r.status_code == 400 and set(body) == {"error", "warnings"} and body["warnings"]
    assert body["error"].startswith("The following `model_kwargs` are not used by the model: "
                                    "['watermark', 'stop', 'details', 'decoder_input_details']")
    ok = post(client, "distilbert/distilgpt2",
              {"inputs": "Hi", "parameters": {"max_new_tokens": 5, "temperature": 0.5, "watermark": None}})
    assert ok.status_code == 200 and set(ok.json()[0]) == {"generated_text"}


def test_feature_extraction(client):
    url = "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction"
    one = client.post(url, json={"inputs": "Hi, who are you?", "normalize": True}).json()
    assert len(one) == 384 and math.isclose(math.sqrt(sum(v * v for v in one)), 1.0, abs_tol=1e-3)
    two = client.post(url, json={"inputs": ["a", "b"]}).json()
    assert len(two) == 2 and len(two[1]) == 384
    assert client.post(url, json={"inputs": "Hi, who are you?"}).json() == one
    legacy = client.post("/hf-inference/pipeline/feature-extraction/BAAI/bge-small-en-v1.5", json={"inputs": "x"})
    assert legacy.status_code == 200 and len(legacy.json()) == 384
    assert legacy.headers["X-HF-Warning"].startswith("deprecated-route; ")


def test_feature_extraction_of_a_plain_transformers_model_is_token_level(client):
    url = "/hf-inference/models/facebook/bart-base/pipeline/feature-extraction"
    one = client.post(url, json={"inputs": "That is a happy person"}).json()
    # batch x tokens x hidden: <s> That is a happy person </s>
    assert len(one) == 1 and len(one[0]) == 7 and {len(tok) for tok in one[0]} == {768}
    assert all(isinstance(v, float) for v in one[0][3])
    many = client.post(url, json={"inputs": ["hello", "That is a happy person"]}).json()
    assert len(many) == 2 and len(many[0]) == 1 and len(many[0][0]) == 3 and len(many[1][0]) == 7
    assert many[1] == one  # each text's features do not depend on the batch
    info = client.get("/api/models/facebook/bart-base").json()
    assert info["library_name"] == "transformers" and "sentence-transformers" not in info["tags"]
    st = client.post("/hf-inference/models/BAAI/bge-small-en-v1.5/pipeline/feature-extraction",
                     json={"inputs": ["a", "b"]}).json()
    assert len(st) == 2 and isinstance(st[0][0], float)  # sentence-transformers: one vector per text


def test_sentence_similarity(client):
    url = "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/sentence-similarity"
    body = {"source_sentence": "That is a happy person",
            "sentences": ["That is a happy person", "That is a happy dog", "Today is a sunny day"]}
    new = client.post(url, json={"inputs": body}).json()
    old = client.post(url, json={"inputs": None, **body}).json()
    assert new == old and len(new) == 3
    assert all(0 <= s <= 1 for s in new) and new[0] > new[1] > new[2]


def test_text_to_image_is_a_real_jpeg(client):
    from PIL import Image

    r = post(client, "stabilityai/stable-diffusion-xl-base-1.0",
             {"inputs": "An astronaut riding a horse", "parameters": {"width": 320, "height": 192}},
             headers={"Accept": "image/png"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(r.content))
    assert image.format == "JPEG" and image.size == (320, 192)
    default = post(client, "black-forest-labs/FLUX.1-schnell", {"inputs": "a cat"})
    assert Image.open(io.BytesIO(default.content)).size == (512, 512)
    huge = post(client, "black-forest-labs/FLUX.1-schnell", {"inputs": "a cat", "parameters": {"width": 99999}})
    assert Image.open(io.BytesIO(huge.content)).size[0] <= 1024


def test_image_tasks_raw_and_base64(client, make_png):
    png = make_png(200, 100)
    raw = client.post("/hf-inference/models/google/vit-base-patch16-224", content=png,
                      headers={"Content-Type": "image/png"}).json()
    assert len(raw) == 5 and {"label", "score"} == set(raw[0])
    b64 = client.post("/hf-inference/models/google/vit-base-patch16-224",
                      json={"inputs": base64.b64encode(png).decode(), "parameters": {"top_k": 2}}).json()
    assert len(b64) == 2 and b64[0]["label"] == raw[0]["label"]
    boxes = client.post("/hf-inference/models/facebook/detr-resnet-50", content=png).json()
    assert boxes
    for det in boxes:
        box = det["box"]
        assert 0 <= box["xmin"] < box["xmax"] < 200 and 0 <= box["ymin"] < box["ymax"] < 100
        assert isinstance(box["xmin"], int) and det["label"]
    caption = client.post("/hf-inference/models/Salesforce/blip-image-captioning-large", content=png).json()
    assert isinstance(caption, list) and "blue" in caption[0]["generated_text"]


def test_image_tasks_reject_non_images(client):
    r = client.post("/hf-inference/models/facebook/detr-resnet-50", content=b"not an image at all",
                    headers={"Content-Type": "image/png"})
    assert r.status_code == 400 and "image" in r.json()["error"]


def _wav(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * int(16000 * seconds))
    return out.getvalue()


def test_asr(client):
    audio = _wav(4.0)
    out = client.post("/hf-inference/models/openai/whisper-large-v3", content=audio,
                      headers={"Content-Type": "audio/wav"}).json()
    assert set(out) == {"text"} and out["text"]
    timed = client.post("/hf-inference/models/openai/whisper-large-v3",
                        json={"inputs": base64.b64encode(audio).decode(),
                              "parameters": {"return_timestamps": True}}).json()
    assert timed["chunks"] and timed["chunks"][-1]["timestamp"][1] == pytest.approx(4.0, abs=0.05)


def test_asr_reports_the_audio_length(client):
    r = client.post("/hf-inference/models/openai/whisper-large-v3", content=_wav(2.5),
                    headers={"Content-Type": "audio/wav"})
    assert r.status_code == 200 and float(r.headers["x-compute-audio-length"]) == pytest.approx(2.5)


def test_table_question_answering(client):
    table = {"Repository": ["Transformers", "Datasets", "Tokenizers"], "Stars": ["36542", "4512", "3934"]}
    out = post(client, "google/tapas-base-finetuned-wtq",
               {"inputs": {"query": "How many stars does the transformers repository have?", "table": table}}).json()
    assert out == {"answer": "36542", "coordinates": [[0, 1]], "cells": ["36542"], "aggregator": "NONE"}
    legacy = post(client, "google/tapas-base-finetuned-wtq",
                  {"inputs": None, "query": "What is the total of stars?", "table": table}).json()
    assert legacy["aggregator"] == "SUM" and legacy["answer"].startswith("SUM > ")


def test_cold_model_loads(client):
    body = {"inputs": "Hello [MASK]."}
    first = post(client, "distilbert/distilbert-base-uncased", body)
    assert first.status_code == 503
    err = first.json()
    assert "currently loading" in err["error"] and err["estimated_time"] > 0
    waited = post(client, "distilbert/distilbert-base-uncased", body, headers={"x-wait-for-model": "true"})
    assert waited.status_code == 200
    assert post(client, "distilbert/distilbert-base-uncased", body).status_code == 200  # stays loaded


def test_not_served_and_unknown_models(client):
    assert post(client, "black-forest-labs/FLUX.1-dev", {"inputs": "x"}).status_code == 404
    assert post(client, "mistralai/Mistral-7B-Instruct-v0.3", {"inputs": "x"}).status_code == 404  # status error
    assert post(client, "nobody/nothing", {"inputs": "x"}).status_code == 404


def test_bad_json_is_a_clean_error(client):
    r = client.post("/hf-inference/models/google-bert/bert-base-uncased", content=b"{not json",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    r = client.post("/hf-inference/models/google-bert/bert-base-uncased", json={"inputs": 42})
    assert r.status_code == 422 and "error" in r.json()


def test_identical_requests_report_the_cache(client):
    body = {"inputs": "Cache me [MASK]."}
    first = post(client, "google-bert/bert-base-uncased", body)
    again = post(client, "google-bert/bert-base-uncased", body)
    fresh = post(client, "google-bert/bert-base-uncased", body, headers={"x-use-cache": "false"})
    assert first.headers["x-compute-type"] == "cpu" and again.headers["x-compute-type"] == "cache"
    assert fresh.headers["x-compute-type"] == "cpu" and first.json() == again.json() == fresh.json()


def test_bill_to_an_enterprise_org_only(client):
    body = {"inputs": "Hello [MASK]."}
    assert post(client, "google-bert/bert-base-uncased", body, headers={"X-HF-Bill-To": "acme-ml"}).status_code == 200
    for org in ("demo-lab", "someone-else"):
        r = post(client, "google-bert/bert-base-uncased", body, headers={"X-HF-Bill-To": org})
        assert r.status_code == 403 and org in r.json()["error"]
