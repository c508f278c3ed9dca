"""SSE streams (TGI and OpenAI formats) and chat routing."""

from __future__ import annotations

import json
import time

import httpx2

from hftui.emulator import start_background


def stream_text(client, url: str, body: dict, **kw) -> tuple[httpx2.Response, str]:
    with client.stream("POST", url, json=body, **kw) as r:
        return r, r.read().decode()


def test_tgi_stream_format(client, sse_data):
    r, text = stream_text(client, "/hf-inference/models/openai-community/gpt2",
                          {"inputs": "Tell me", "stream": True, "parameters": {"max_new_tokens": 20, "details": True}})
    assert r.headers["content-type"].startswith("text/event-stream")
    data_lines = [line for line in text.splitlines() if line.startswith("data")]
    assert all(line.startswith("data:{") for line in data_lines)  # no space after the colon
    assert any(line.startswith(":") for line in text.splitlines())  # keep-alive comments
    events = [json.loads(d) for d in sse_data(text)]
    assert "[DONE]" not in text
    assert [e["index"] for e in events] == list(range(1, 21))
    assert all(e["generated_text"] is None for e in events[:-1])
    last = events[-1]
    assert last["generated_text"] == "".join(e["token"]["text"] for e in events)
    assert last["details"] == {"finish_reason": "length", "generated_tokens": 20, "seed": None,
                               "input_length": last["details"]["input_length"]}


def test_stream_matches_non_stream(client, sse_data):
    body = {"inputs": "Same prompt", "parameters": {"max_new_tokens": 15}}
    plain = client.post("/hf-inference/models/openai-community/gpt2", json=body).json()[0]["generated_text"]
    _, text = stream_text(client, "/hf-inference/models/openai-community/gpt2", {**body, "stream": True})
    assert json.loads(sse_data(text)[-1])["generated_text"] == plain


def test_stop_sequence(client):
    body = {"inputs": "x", "parameters": {"max_new_tokens": 60, "stop": ["."], "details": True}}
    out = client.post("/hf-inference/models/openai-community/gpt2", json=body).json()[0]
    assert out["generated_text"].endswith(".") and out["details"]["finish_reason"] == "stop_sequence"


def test_chat_stream_format(client, sse_data):
    body = {"model": "meta-llama/Llama-3.1-8B-Instruct", "stream": True, "max_tokens": 10,
            "stream_options": {"include_usage": True},
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Explain attention"}]}
    r, text = stream_text(client, "/v1/chat/completions", body)
    assert r.status_code == 200
    data_lines = [line for line in text.splitlines() if line.startswith("data")]
    assert all(line.startswith("data: ") for line in data_lines)
    payloads = sse_data(text)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    usage = chunks[-1]
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] == 10
    content = [c for c in chunks[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in content)
    assert content[-1]["choices"][0]["finish_reason"] == "length"
    assert all(c["choices"][0]["finish_reason"] is None for c in content[:-1])
    assert len(content) == 10


def test_chat_stream_without_usage_and_natural_stop(client, sse_data):
    body = {"model": "Qwen/Qwen2.5-7B-Instruct", "stream": True, "max_tokens": 500,
            "messages": [{"role": "user", "content": "hello"}]}
    _, text = stream_text(client, "/v1/chat/completions", body)
    payloads = sse_data(text)
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert all(c["choices"] for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert len(chunks) < 500


def test_chat_non_stream_and_routes(client):
    messages = [{"role": "user", "content": [{"type": "text", "text": "Describe transformers"}]}]
    for url, model in (("/v1/chat/completions", "meta-llama/Llama-3.1-8B-Instruct:hf-inference"),
                       ("/v1/chat/completions", "meta-llama/Llama-3.1-8B-Instruct:together"),
                       ("/hf-inference/models/meta-llama/Llama-3.1-8B-Instruct/v1/chat/completions", "x")):
        r = client.post(url, json={"model": model, "messages": messages, "max_tokens": 12})
        assert r.status_code == 200, (url, model, r.text)
        out = r.json()
        assert out["object"] == "chat.completion"
        assert out["model"] == "meta-llama/Llama-3.1-8B-Instruct"
        assert out["choices"][0]["message"]["role"] == "assistant" and out["choices"][0]["message"]["content"]
        assert out["usage"]["completion_tokens"] == 12


def test_chat_answer_has_no_invented_keys_and_tgi_headers(client):
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 9}
    r = client.post("/hf-inference/models/meta-llama/Llama-3.1-8B-Instruct/v1/chat/completions", json=body)
    message = r.json()["choices"][0]["message"]
    assert set(message) == {"role", "content"}  # no "tool_calls": null / "reasoning": null
    assert r.headers["x-prompt-tokens"] == str(r.json()["usage"]["prompt_tokens"])
    assert r.headers["x-generated-tokens"] == "9"
    assert int(r.headers["x-total-time"]) >= int(r.headers["x-inference-time"]) > 0
    n2 = client.post("/v1/chat/completions", json={**body, "model": "Qwen/Qwen2.5-7B-Instruct", "n": 2}).json()
    assert all(set(c["message"]) == {"role", "content"} for c in n2["choices"])
    together = client.post("/v1/chat/completions", json={**body, "model": "meta-llama/Llama-3.1-8B-Instruct:together"})
    assert together.json()["choices"][0]["message"]["tool_calls"] == []  # recorded: together sends []
    assert "x-prompt-tokens" not in together.headers  # not TGI
    streamed = client.post("/v1/chat/completions", json={**body, "model": "Qwen/Qwen2.5-7B-Instruct", "stream": True})
    assert "x-generated-tokens" not in streamed.headers  # known only once the stream is over


def test_chat_provider_errors(client):
    msgs = [{"role": "user", "content": "hi"}]
    staging = client.post("/v1/chat/completions", json={"model": "meta-llama/Llama-3.1-8B-Instruct:fireworks-ai",
                                                        "messages": msgs})
    assert staging.status_code == 400 and "fireworks-ai" in staging.json()["error"]
    none_live = client.post("/v1/chat/completions", json={"model": "meta-llama/Llama-3.1-405B-Instruct",
                                                          "messages": msgs})
    assert none_live.status_code == 400 and "not supported by any provider" in none_live.json()["error"]
    unknown = client.post("/v1/chat/completions", json={"model": "nobody/nothing", "messages": msgs})
    assert unknown.status_code == 404
    empty = client.post("/v1/chat/completions", json={"model": "Qwen/Qwen2.5-7B-Instruct", "messages": []})
    assert empty.status_code == 422


def test_chat_tools_and_json_mode(client):
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
    out = client.post("/v1/chat/completions", json={
        "model": "Qwen/Qwen2.5-7B-Instruct", "messages": [{"role": "user", "content": "call get_weather for Paris"}],
        "tools": tools, "tool_choice": "auto"}).json()
    choice = out["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
    js = client.post("/v1/chat/completions", json={
        "model": "Qwen/Qwen2.5-7B-Instruct", "messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_object"}}).json()
    assert "answer" in json.loads(js["choices"][0]["message"]["content"])


def test_chat_is_deterministic_per_prompt(client):
    def ask(prompt: str) -> str:
        body = {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": [{"role": "user", "content": prompt}],
                "max_tokens": 30}
        return client.post("/v1/chat/completions", json=body).json()["choices"][0]["message"]["content"]

    assert ask("first question") == ask("first question")
    assert ask("first question") != ask("another topic entirely")


def test_token_rate_paces_the_stream():
    handle = start_background(token_rate=50.0)
    try:
        started = time.monotonic()
        with httpx2.Client(base_url=handle.base_url, headers={"Authorization": f"Bearer {handle.token}"}) as c:
            with c.stream("POST", "/hf-inference/models/openai-community/gpt2",
                          json={"inputs": "x", "stream": True, "parameters": {"max_new_tokens": 25}}) as r:
                first_at = None
                for line in r.iter_lines():
                    if line.startswith("data:") and first_at is None:
                        first_at = time.monotonic() - started
        total = time.monotonic() - started
        # 25 tokens at 50/s cannot all arrive before ~0.5 s (a lower bound only: load can only slow it),
        # and events are flushed one by one, so the first one arrives well before the end
        assert total > 0.4
        assert first_at is not None and first_at < total - 0.2
    finally:
        handle.close()


def test_reasoning_model_streams_reasoning_first(client, sse_data):
    body = {"model": "deepseek-ai/DeepSeek-R1", "messages": [{"role": "user", "content": "Why is the sky blue?"}],
            "max_tokens": 8, "stream": True}
    _, text = stream_text(client, "/v1/chat/completions", body)
    deltas = [json.loads(p)["choices"][0]["delta"] for p in sse_data(text)[:-1]]
    kinds = ["reasoning" if "reasoning" in d else "content" for d in deltas]
    assert kinds[0] == "reasoning" and kinds[-1] == "content"
    assert kinds == sorted(kinds, key=lambda k: k == "content")  # all reasoning, then all content
    assert kinds.count("content") == 8
    plain = client.post("/v1/chat/completions", json={**body, "stream": False}).json()
    message = plain["choices"][0]["message"]
    assert message["reasoning"] == "".join(d["reasoning"] for d in deltas if "reasoning" in d)
    assert message["content"] == "".join(d["content"] for d in deltas if "content" in d)
    assert plain["usage"]["completion_tokens"] == len(deltas)


def test_old_tgi_chat_stream_has_no_done(client, sse_data):
    body = {"model": "HuggingFaceH4/zephyr-7b-beta", "messages": [{"role": "user", "content": "hi"}],
            "max_tokens": 6, "stream": True}
    _, text = stream_text(client, "/v1/chat/completions", body)
    assert "[DONE]" not in text
    assert all(line.startswith("data:{") for line in text.splitlines() if line.startswith("data"))
    chunks = [json.loads(p) for p in sse_data(text)]
    assert {c["object"] for c in chunks} == {"text_completion"}
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "length"}
    assert len(chunks) == 7


GPT2 = "/hf-inference/models/openai-community/gpt2"


def test_tgi_top_n_tokens_prefill_and_best_of(client, sse_data):
    out = client.post(GPT2, json={"inputs": "Hello there", "parameters": {
        "max_new_tokens": 4, "details": True, "top_n_tokens": 3, "decoder_input_details": True,
        "best_of": 2, "do_sample": True}}).json()[0]["details"]
    assert [len(alts) for alts in out["top_tokens"]] == [3, 3, 3, 3]
    assert [alts[0]["text"] for alts in out["top_tokens"]] == [t["text"] for t in out["tokens"]]
    assert "".join(p["text"] for p in out["prefill"]) == "Hello there" and out["prefill"][0]["logprob"] is None
    (other,) = out["best_of_sequences"]
    assert other["generated_tokens"] == 4 and other["generated_text"]
    assert "".join(t["text"] for t in other["tokens"]) == other["generated_text"]
    assert [alts[0]["text"] for alts in other["top_tokens"]] == [t["text"] for t in other["tokens"]]
    assert other["prefill"] == out["prefill"]
    # each candidate was sampled with its own seed: asking with it gives that candidate again
    assert isinstance(out["seed"], int) and isinstance(other["seed"], int) and other["seed"] != out["seed"]
    again = client.post(GPT2, json={"inputs": "Hello there", "parameters": {
        "max_new_tokens": 4, "do_sample": True, "seed": other["seed"]}}).json()[0]
    assert again["generated_text"] == other["generated_text"]
    _, text = stream_text(client, GPT2, {"inputs": "x", "stream": True,
                                         "parameters": {"max_new_tokens": 3, "top_n_tokens": 2}})
    assert all(len(json.loads(p)["top_tokens"]) == 2 for p in sse_data(text))


def test_tgi_parameter_validation(client):
    for params in ({"best_of": 2, "max_new_tokens": 3},                    # needs sampling
                   {"best_of": 3, "do_sample": True, "max_new_tokens": 3},  # above max_best_of
                   {"top_n_tokens": 50}):
        r = client.post(GPT2, json={"inputs": "x", "parameters": params})
        assert r.status_code == 422 and r.json()["error_type"] == "validation", params
    streamed = client.post(GPT2, json={"inputs": "x", "stream": True,
                                       "parameters": {"best_of": 2, "do_sample": True}})
    assert streamed.status_code == 422
    seeded = client.post(GPT2, json={"inputs": "x", "parameters": {"best_of": 2, "do_sample": True, "seed": 3}})
    assert seeded.status_code == 422 and "`seed` must not be set when `best_of` > 1" in seeded.json()["error"]


def test_tgi_seed_is_the_one_used_when_sampling(client, sse_data):
    def generate(params: dict, **kw) -> dict:
        r = client.post(GPT2, json={"inputs": "Seeds", "parameters": {"max_new_tokens": 6, "details": True,
                                                                      **params}}, **kw)
        assert r.status_code == 200, r.text
        return r.json()[0]

    greedy = generate({})
    assert greedy["details"]["seed"] is None  # greedy decoding reports none (as recorded)
    # the keys the real answer has, no more: top_tokens null when not asked for, no best_of_sequences
    assert set(greedy) == {"generated_text", "details"}
    assert set(greedy["details"]) == {"finish_reason", "generated_tokens", "seed", "prefill", "tokens", "top_tokens"}
    assert greedy["details"]["top_tokens"] is None and greedy["details"]["prefill"] == []
    sampled = generate({"do_sample": True})
    seed = sampled["details"]["seed"]
    assert isinstance(seed, int) and not isinstance(seed, bool)
    assert generate({"do_sample": True, "seed": seed})["generated_text"] == sampled["generated_text"]
    assert generate({"do_sample": True, "seed": 7})["details"]["seed"] == 7
    assert isinstance(generate({"temperature": 0.7})["details"]["seed"], int)  # a warper samples too
    assert generate({"temperature": 1.0, "top_p": 1.0})["details"]["seed"] is None
    fresh = generate({"do_sample": True}, headers={"x-use-cache": "false"})["details"]["seed"]
    assert isinstance(fresh, int) and fresh != seed  # no cache: a fresh draw
    _, text = stream_text(client, GPT2, {"inputs": "Seeds", "stream": True,
                                         "parameters": {"max_new_tokens": 6, "details": True, "do_sample": True}})
    last = json.loads(sse_data(text)[-1])
    assert last["details"]["seed"] == seed and last["generated_text"] == sampled["generated_text"]


def test_tgi_json_grammar(client):
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer"}}}
    out = client.post(GPT2, json={"inputs": "Describe Paris", "parameters": {
        "max_new_tokens": 200, "grammar": {"type": "json", "value": schema}, "details": True}}).json()[0]
    doc = json.loads(out["generated_text"])
    assert set(doc) == {"city", "population"} and isinstance(doc["population"], int)
    assert out["details"]["finish_reason"] == "eos_token"


def test_chat_logprobs_and_n(client, sse_data):
    body = {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": [{"role": "user", "content": "hello"}],
            "max_tokens": 5, "logprobs": True, "top_logprobs": 2, "n": 3}
    out = client.post("/v1/chat/completions", json=body).json()
    assert [c["index"] for c in out["choices"]] == [0, 1, 2]
    first = out["choices"][0]
    entries = first["logprobs"]["content"]
    assert "".join(e["token"] for e in entries) == first["message"]["content"]
    assert all(len(e["top_logprobs"]) == 2 and e["top_logprobs"][0]["token"] == e["token"] for e in entries)
    assert out["choices"][1]["message"]["content"] != first["message"]["content"]
    _, text = stream_text(client, "/v1/chat/completions", {**body, "n": 1, "stream": True})
    chunks = [json.loads(p) for p in sse_data(text)[:-1]]
    assert all(len(c["choices"][0]["logprobs"]["content"]) == 1 for c in chunks)
    bad = client.post("/v1/chat/completions", json={**body, "logprobs": False})
    assert bad.status_code == 422
