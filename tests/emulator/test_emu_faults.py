"""Fault injection: header, query parameter and armed faults; robustness on bad input."""

from __future__ import annotations

import json

import httpx2
import pytest

MASK_URL = "/hf-inference/models/google-bert/bert-base-uncased"
MASK_BODY = {"inputs": "Hello [MASK]."}


@pytest.mark.parametrize("how", ["header", "query"])
@pytest.mark.parametrize("kind,status", [("401", 401), ("403", 403), ("404", 404), ("429", 429), ("503", 503),
                                         ("500", 500), ("html", 502), ("malformed", 200)])
def test_status_faults(client, how, kind, status):
    kw = {"headers": {"X-Emulator-Fault": kind}} if how == "header" else {"params": {"emulator_fault": kind}}
    r = client.post(MASK_URL, json=MASK_BODY, **kw)
    assert r.status_code == status
    if kind == "html":
        assert r.headers["content-type"].startswith("text/html") and "<html>" in r.text
    elif kind == "malformed":
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.text)
    else:
        assert isinstance(r.json()["error"], str)


def test_429_retry_after(client):
    assert client.get("/api/whoami-v2", headers={"X-Emulator-Fault": "429"}).headers["Retry-After"] == "2"
    r = client.get("/api/whoami-v2", headers={"X-Emulator-Fault": "429:7"})
    assert r.headers["Retry-After"] == "7" and r.headers["ratelimit"].startswith('"api";r=0;')


def test_503_loading_shape(client):
    r = client.post(MASK_URL, json=MASK_BODY, headers={"X-Emulator-Fault": "503:12.5"})
    assert r.json() == {"error": "Model google-bert/bert-base-uncased is currently loading", "estimated_time": 12.5}


def test_404_on_hub_has_error_code(client):
    r = client.get("/api/models/openai-community/gpt2", params={"emulator_fault": "404"})
    assert r.status_code == 404 and r.headers["X-Error-Code"] == "RepoNotFound"


def test_401_fault_message(client):
    r = client.get("/api/whoami-v2", headers={"X-Emulator-Fault": "401"})
    assert r.headers["X-Error-Message"] and r.json()["error"] == "Invalid credentials in Authorization header"


def test_slow_first_byte(emulator):
    with httpx2.Client(base_url=emulator.base_url, headers={"Authorization": f"Bearer {emulator.token}"},
                       timeout=httpx2.Timeout(5, read=0.3)) as c:
        with pytest.raises(httpx2.ReadTimeout):
            c.get("/api/whoami-v2", headers={"X-Emulator-Fault": "slow:3"})
        ok = c.get("/api/whoami-v2", headers={"X-Emulator-Fault": "slow:0.05"}, timeout=10)
        assert ok.status_code == 200 and ok.json()["name"] == "demo-user"


def test_cut_non_stream_body(client):
    with pytest.raises(httpx2.RemoteProtocolError):
        client.post(MASK_URL, json=MASK_BODY, headers={"X-Emulator-Fault": "cut"})


def test_cut_tgi_stream_keeps_partial_events(client):
    received: list[dict] = []
    with pytest.raises(httpx2.RemoteProtocolError):
        with client.stream("POST", "/hf-inference/models/openai-community/gpt2",
                           json={"inputs": "x", "stream": True, "parameters": {"max_new_tokens": 20}},
                           headers={"X-Emulator-Fault": "cut"}) as r:
            for line in r.iter_lines():
                if line.startswith("data:"):
                    received.append(json.loads(line[5:]))
    assert 1 <= len(received) < 20
    assert all(e["generated_text"] is None for e in received)


def test_cut_chat_stream_has_no_done(client):
    lines: list[str] = []
    with pytest.raises(httpx2.RemoteProtocolError):
        with client.stream("POST", "/v1/chat/completions",
                           json={"model": "Qwen/Qwen2.5-7B-Instruct", "stream": True, "max_tokens": 20,
                                 "messages": [{"role": "user", "content": "hi"}]},
                           params={"emulator_fault": "cut"}) as r:
            lines.extend(line for line in r.iter_lines() if line.startswith("data:"))
    assert lines and "[DONE]" not in "".join(lines)


def test_injected_fault_matches_path_method_and_times(emulator, client):
    emulator.inject("429:4", path=r"^/api/whoami", method="GET", times=2)
    assert client.get("/api/models", params={"limit": 1}).status_code == 200  # other path untouched
    assert client.post("/api/whoami-v2").status_code != 429  # other method untouched
    first, second, third = (client.get("/api/whoami-v2") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["Retry-After"] == "4"
    emulator.inject("500")
    emulator.clear_faults()
    assert client.get("/api/whoami-v2").status_code == 200
    with pytest.raises(ValueError):
        emulator.inject("explode")


def test_injected_cut_on_endpoint_url(emulator, client):
    url = client.get("/v2/endpoint/demo-user/gpt2-demo").json()["status"]["url"]
    emulator.inject("cut", path="/_ep/")
    with pytest.raises(httpx2.RemoteProtocolError):
        httpx2.post(url + "/generate_stream", json={"inputs": "x", "parameters": {"max_new_tokens": 10}},
                    headers={"Authorization": f"Bearer {emulator.token}"})


def test_unknown_fault_kind_is_ignored(client):
    assert client.get("/api/whoami-v2", headers={"X-Emulator-Fault": "nonsense"}).status_code == 200


def test_internal_errors_become_500_json(client, monkeypatch):
    from hftui.emulator import router

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(router, "run_task", boom)
    r = client.post(MASK_URL, json=MASK_BODY)
    assert r.status_code == 500 and "error" in r.json()
    monkeypatch.undo()
    assert client.post(MASK_URL, json=MASK_BODY).status_code == 200


@pytest.mark.parametrize("body", [b"", b"\xff\xfe", b"[]", b"null", b'{"inputs": {"a": 1}}', b'"str"', b"{" * 50])
def test_garbage_never_crashes(client, body):
    for url in (MASK_URL, "/hf-inference/models/deepset/roberta-base-squad2",
                "/hf-inference/models/google/tapas-base-finetuned-wtq", "/hf-inference/models/openai-community/gpt2",
                "/hf-inference/models/facebook/detr-resnet-50", "/v1/chat/completions",
                "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/sentence-similarity",
                "/v2/endpoint/demo-user"):
        r = client.post(url, content=body, headers={"Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (url, body, r.status_code, r.text)
    assert client.get("/api/whoami-v2").status_code == 200


def test_402_credits(client):
    r = client.post(MASK_URL, json=MASK_BODY, headers={"X-Emulator-Fault": "402"})
    assert r.status_code == 402 and "credits" in r.json()["error"]


def test_stream_error_tgi(client):
    with client.stream("POST", "/hf-inference/models/openai-community/gpt2",
                       json={"inputs": "x", "stream": True, "parameters": {"max_new_tokens": 10}},
                       headers={"X-Emulator-Fault": "stream_error"}) as r:
        events = [json.loads(line[5:]) for line in r.iter_lines() if line.startswith("data:")]
    assert r.status_code == 200
    assert 1 <= len(events) - 1 < 10 and all("token" in e for e in events[:-1])
    assert events[-1]["error_type"] == "generation" and events[-1]["error"]


def test_stream_error_chat(client):
    with client.stream("POST", "/v1/chat/completions",
                       json={"model": "Qwen/Qwen2.5-7B-Instruct", "stream": True, "max_tokens": 10,
                             "messages": [{"role": "user", "content": "hi"}]},
                       headers={"X-Emulator-Fault": "stream_error"}) as r:
        payloads = [line[5:].strip() for line in r.iter_lines() if line.startswith("data:")]
    assert payloads[-1] == "[DONE]"
    err = json.loads(payloads[-2])["error"]
    assert err["message"] and err["http_status_code"] == 424
    assert all("choices" in json.loads(p) for p in payloads[:-2])


def test_stream_error_on_a_plain_call(client):
    r = client.post("/hf-inference/models/openai-community/gpt2", json={"inputs": "x"},
                    headers={"X-Emulator-Fault": "stream_error"})
    assert r.status_code == 424 and r.json()["error_type"] == "generation"


def test_legacy_host_paths_are_gone(client):
    for url in ("/models/google-bert/bert-base-uncased", "/pipeline/feature-extraction/BAAI/bge-small-en-v1.5"):
        r = client.post(url, json=MASK_BODY)
        assert r.status_code == 410 and "router.huggingface.co" in r.json()["error"]


@pytest.mark.parametrize("url,body,prefix", [
    ("/hf-inference/models/openai-community/gpt2",
     {"inputs": "x", "stream": True, "parameters": {"max_new_tokens": 10}}, "data:"),
    ("/v1/chat/completions", {"model": "Qwen/Qwen2.5-7B-Instruct", "stream": True, "max_tokens": 10,
                              "messages": [{"role": "user", "content": "hi"}]}, "data: "),
    ("/v1/chat/completions", {"model": "HuggingFaceH4/zephyr-7b-beta", "stream": True, "max_tokens": 10,
                              "messages": [{"role": "user", "content": "hi"}]}, "data:"),
])
def test_malformed_event_inside_a_stream(client, url, body, prefix):
    with client.stream("POST", url, json=body, headers={"X-Emulator-Fault": "malformed"}) as r:
        lines = [line for line in r.iter_lines() if line.startswith("data")]
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    good, broken = lines[:-1], lines[-1]
    assert 1 <= len(good) < 10 and all(json.loads(line[len(prefix):]) for line in good)
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken[len(prefix):])


def test_every_fault_kind_is_documented_and_answers():
    import hftui.emulator as emu

    for kind in emu.FAULT_KINDS:
        assert f"``{kind}" in emu.__doc__, f"fault {kind!r} missing from the module docstring"


@pytest.mark.parametrize("kind", ["401", "402", "403", "404", "429", "503", "500", "malformed", "html", "cut",
                                  "stream_error", "slow:0"])
def test_every_fault_kind_on_every_service(emulator, client, kind):
    """Each service (Hub, router, Endpoints API, a deployed endpoint) takes each fault without breaking."""
    url = client.get("/v2/endpoint/demo-user/gpt2-demo").json()["status"]["url"]
    calls = [("GET", "/api/models/openai-community/gpt2", None), ("POST", MASK_URL, MASK_BODY),
             ("GET", "/v2/endpoint/demo-user", None), ("POST", url + "/generate", {"inputs": "x"})]
    for method, target, body in calls:
        try:
            r = client.request(method, target, json=body, headers={"X-Emulator-Fault": kind})
        except httpx2.RemoteProtocolError:
            assert kind == "cut"
            continue
        assert kind != "cut"
        if kind in ("slow:0",):
            assert r.status_code == 200
        elif kind == "stream_error":  # a generation failure: only where something generates
            assert r.status_code == (200 if target.startswith(("/api/", "/v2/")) else 424)
        elif kind == "malformed":
            assert r.status_code == 200
        else:
            assert r.status_code == (502 if kind == "html" else int(kind))
    assert client.get("/api/whoami-v2").status_code == 200
