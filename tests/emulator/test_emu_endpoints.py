"""Inference Endpoints API v2 and deployed endpoint URLs (speed 50: phases last ~0.1 s)."""

from __future__ import annotations

import json
import re
import time

import httpx2
import pytest

NS = "demo-user"
RFC3339_NS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")


def payload(name: str = "my-endpoint", repo: str = "openai-community/gpt2", **over) -> dict:
    body = {"name": name, "type": "authenticated", "provider": {"vendor": "aws", "region": "us-east-1"},
            "compute": {"accelerator": "cpu", "instanceType": "intel-icl", "instanceSize": "x2",
                        "scaling": {"minReplica": 0, "maxReplica": 1, "scaleToZeroTimeout": 15}},
            "model": {"repository": repo, "framework": "pytorch", "image": {"huggingface": {}},
                      "task": "text-generation", "env": {"A": "1"}, "secrets": {"S": "hidden"}},
            "tags": ["dev"]}
    body.update(over)
    return body


def wait_state(client, name: str, wanted: str, ns: str = NS, timeout: float = 10.0) -> tuple[dict, list[str]]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ep = client.get(f"/v2/endpoint/{ns}/{name}").json()
        state = ep["status"]["state"]
        if not seen or seen[-1] != state:
            seen.append(state)
        if state == wanted:
            return ep, seen
        time.sleep(0.01)
    raise AssertionError(f"{name} never reached {wanted}: {seen}")


def test_seeded_endpoints(client):
    items = client.get(f"/v2/endpoint/{NS}").json()["items"]
    states = {e["name"]: e["status"]["state"] for e in items}
    assert len(items) >= 7
    assert {"running", "paused", "scaledToZero", "failed"} <= set(states.values())
    for e in items:
        assert RFC3339_NS.match(e["status"]["createdAt"]) and e["status"]["createdAt"] < "2026-10-26T13:00"
        assert e["model"]["repository"] and e["model"]["framework"] and e["model"]["task"] and e["healthRoute"]
    acme = client.get("/v2/endpoint/acme-ml").json()["items"]
    lab = client.get("/v2/endpoint/demo-lab").json()["items"]
    assert len(acme) == 3 and len(lab) == 1


def test_unknown_namespace_and_bad_token(client, anon):
    assert client.get("/v2/endpoint/someone-else").status_code == 401
    assert anon.get(f"/v2/endpoint/{NS}").status_code == 401
    r = anon.get(f"/v2/endpoint/{NS}", headers={"Authorization": "Bearer hf_wrong"})
    assert r.status_code == 401 and "error" in r.json()


def test_create_lifecycle(client):
    r = client.post(f"/v2/endpoint/{NS}", json=payload())
    assert r.status_code == 200
    created = r.json()
    assert created["status"]["state"] == "pending" and created["status"]["url"] is None
    assert created["model"]["secrets"] == {"S": "********"}
    assert created["model"]["revision"]
    ep, seen = wait_state(client, "my-endpoint", "running")
    assert seen[-3:] == ["pending", "initializing", "running"] or seen[-2:] == ["initializing", "running"]
    assert ep["status"]["url"].endswith(f"/_ep/{NS}/my-endpoint") and ep["status"]["readyReplica"] >= 1
    assert ep["status"]["updatedAt"] > ep["status"]["createdAt"]
    assert "my-endpoint" in [e["name"] for e in client.get(f"/v2/endpoint/{NS}").json()["items"]]


@pytest.mark.parametrize("name", ["Has_Upper", "x" * 33, "-leading", "with space", ""])
def test_create_rejects_bad_names(client, name):
    r = client.post(f"/v2/endpoint/{NS}", json=payload(name))
    assert r.status_code == 422 and "error" in r.json()


def test_create_validation(client):
    assert client.post(f"/v2/endpoint/{NS}", json=payload("dup-ep")).status_code == 200
    assert client.post(f"/v2/endpoint/{NS}", json=payload("dup-ep")).status_code == 409
    bad_hw = payload("hw-ep")
    bad_hw["compute"]["instanceType"] = "c6i"
    r = client.post(f"/v2/endpoint/{NS}", json=bad_hw)
    assert r.status_code == 400 and "Instance compute" in r.json()["error"] and "not found" in r.json()["error"]
    no_model = payload("nm-ep")
    del no_model["model"]["repository"]
    assert client.post(f"/v2/endpoint/{NS}", json=no_model).status_code == 422
    null_task = payload("nt-ep")
    null_task["model"]["task"] = None
    assert client.post(f"/v2/endpoint/{NS}", json=null_task).status_code == 422
    assert client.post(f"/v2/endpoint/{NS}", content=b"{nope").status_code == 400
    two_images = payload("img-ep")
    two_images["model"]["image"] = {"huggingface": {}, "tgi": {"url": "x"}}
    assert client.post(f"/v2/endpoint/{NS}", json=two_images).status_code == 422


def test_broken_repository_fails(client):
    client.post(f"/v2/endpoint/{NS}", json=payload("will-fail", repo="someone/broken-weights"))
    ep, seen = wait_state(client, "will-fail", "failed")
    assert "initializing" in seen and ep["status"]["message"]


def test_pause_resume_scale_to_zero(client):
    client.post(f"/v2/endpoint/{NS}", json=payload("cycle"))
    wait_state(client, "cycle", "running")
    r = client.post(f"/v2/endpoint/{NS}/cycle/resume")
    assert r.status_code == 400 and "already running" in r.json()["error"]
    assert client.post(f"/v2/endpoint/{NS}/cycle/pause").json()["status"]["state"] == "paused"
    assert client.post(f"/v2/endpoint/{NS}/cycle/scale-to-zero").status_code == 400  # paused first
    assert client.post(f"/v2/endpoint/{NS}/cycle/resume").json()["status"]["state"] == "initializing"
    wait_state(client, "cycle", "running")
    out = client.post(f"/v2/endpoint/{NS}/cycle/scale-to-zero").json()
    assert out["status"]["state"] == "scaledToZero"


def test_update_partial_deep_merge(client):
    client.post(f"/v2/endpoint/{NS}", json=payload("upd"))
    wait_state(client, "upd", "running")
    r = client.put(f"/v2/endpoint/{NS}/upd", json={"compute": {"instanceSize": "x4", "scaling": {"maxReplica": 3}},
                                                 "model": {"env": {"B": "2"}}})
    assert r.status_code == 200
    body = r.json()
    assert body["status"]["state"] == "updating"
    assert body["compute"]["instanceSize"] == "x4" and body["compute"]["scaling"]["maxReplica"] == 3
    assert body["compute"]["scaling"]["minReplica"] == 0  # kept
    assert body["model"]["env"] == {"B": "2"} and body["model"]["repository"] == "openai-community/gpt2"
    wait_state(client, "upd", "running")
    bad = client.put(f"/v2/endpoint/{NS}/upd", json={"compute": {"instanceType": "nvidia-nope"}})
    assert bad.status_code == 400
    engine = client.put(f"/v2/endpoint/{NS}/upd", json={"model": {"image": {"vLLM": {"url": "vllm/vllm-openai"}}}})
    assert engine.status_code == 400 and "engine" in engine.json()["error"]


def test_update_failure_and_recovery(client):
    client.post(f"/v2/endpoint/{NS}", json=payload("upd-fail"))
    wait_state(client, "upd-fail", "running")
    client.put(f"/v2/endpoint/{NS}/upd-fail", json={"model": {"env": {"FAIL_UPDATE": "1"}}})
    _, seen = wait_state(client, "upd-fail", "updateFailed")
    assert seen[0] == "updating"
    client.put(f"/v2/endpoint/{NS}/upd-fail", json={"model": {"env": {}}})
    wait_state(client, "upd-fail", "running")


def test_delete_is_asynchronous():
    from hftui.emulator import start_background

    # speed 2: the deleted endpoint stays visible for a full real second, whatever the machine's load
    handle = start_background(speed=2.0)
    try:
        with httpx2.Client(base_url=handle.base_url, headers={"Authorization": f"Bearer {handle.token}"},
                           timeout=10) as c:
            c.post(f"/v2/endpoint/{NS}", json=payload("gone-soon"))
            assert c.delete(f"/v2/endpoint/{NS}/gone-soon").status_code == 200
            assert c.get(f"/v2/endpoint/{NS}/gone-soon").status_code == 200  # still there for a moment
            deadline = time.monotonic() + 10
            while c.get(f"/v2/endpoint/{NS}/gone-soon").status_code != 404:
                assert time.monotonic() < deadline, "never disappeared"
                time.sleep(0.05)
            assert "gone-soon" not in [e["name"] for e in c.get(f"/v2/endpoint/{NS}").json()["items"]]
    finally:
        handle.close()


def test_logs_grow_and_tail(client):
    client.post(f"/v2/endpoint/{NS}", json=payload("logged"))
    wait_state(client, "logged", "running")
    r = client.get(f"/v2/endpoint/{NS}/logged/logs")
    assert r.headers["content-type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert any("Starting Webserver" in line for line in lines)
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", line) for line in lines)
    assert lines == sorted(lines)
    time.sleep(1.5)  # 75 virtual seconds: health checks appear
    later = client.get(f"/v2/endpoint/{NS}/logged/logs").text.splitlines()
    assert len(later) > len(lines)
    tail = client.get(f"/v2/endpoint/{NS}/logged/logs", params={"tail": 2}).text.splitlines()
    assert tail == later[-2:] or len(tail) == 2


def test_provider_catalog(client, anon):
    public = anon.get("/v2/provider").json()
    vendors = {v["name"]: v for v in public["vendors"]}
    assert set(vendors) == {"aws", "gcp", "azure"}
    computes = [c for v in public["vendors"] for r in v["regions"] for c in r["computes"]]
    assert {"cpu", "gpu"} <= {c["accelerator"] for c in computes}
    assert all(c["pricePerHour"] > 0 and "quota" not in c for c in computes)
    l4 = next(c for c in computes if c["id"] == "aws-us-east-1-nvidia-l4-x1")
    assert l4["instanceType"] == "nvidia-l4" and l4["gpuMemoryGb"] == 24 and l4["pricePerHour"] == 0.8
    mine = client.get(f"/v2/provider/{NS}").json()
    quota = [c["quota"] for v in mine["vendors"] for r in v["regions"] for c in r["computes"]]
    assert all(q["maxAccelerators"] >= q["usedAccelerators"] >= 0 for q in quota)
    assert any(q["usedAccelerators"] > 0 for q in quota)  # the seeded running llama-chat uses an L4
    assert client.get("/v2/provider/someone-else").status_code == 401


def test_deployed_endpoint_inference(emulator, client, anon, sse_data):
    client.post(f"/v2/endpoint/{NS}", json=payload("tgi-ep"))
    ep, _ = wait_state(client, "tgi-ep", "running")
    url = ep["status"]["url"]
    auth = {"Authorization": f"Bearer {emulator.token}"}
    assert httpx2.post(url, json={"inputs": "hi"}).status_code == 401  # authenticated endpoint
    out = httpx2.post(url, json={"inputs": "hi", "parameters": {"max_new_tokens": 4}}, headers=auth).json()
    assert isinstance(out, list) and out[0]["generated_text"]
    single = httpx2.post(url + "/generate", json={"inputs": "hi", "parameters": {"max_new_tokens": 4}},
                         headers=auth).json()
    assert isinstance(single, dict) and single["generated_text"] == out[0]["generated_text"]
    stream = httpx2.post(url + "/generate_stream", json={"inputs": "hi", "parameters": {"max_new_tokens": 4}},
                         headers=auth).text
    assert json.loads(sse_data(stream)[-1])["generated_text"] == out[0]["generated_text"]
    chat_body = {"model": "tgi", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    chat = httpx2.post(url + "/v1/chat/completions", json=chat_body, headers=auth).text
    assert sse_data(chat)[-1] == "[DONE]"
    info = httpx2.get(url + "/info", headers=auth).json()
    assert info["model_id"] == "openai-community/gpt2" and info["max_total_tokens"]
    assert httpx2.get(url + "/health", headers=auth).status_code == 200
    logs = client.get(f"/v2/endpoint/{NS}/tgi-ep/logs").text
    assert "POST /generate 200" in logs


def test_public_endpoint_and_task_payloads(emulator, client):
    body = payload("public-fill", repo="google-bert/bert-base-uncased", type="public")
    body["model"]["task"] = "fill-mask"
    client.post(f"/v2/endpoint/{NS}", json=body)
    ep, _ = wait_state(client, "public-fill", "running")
    out = httpx2.post(ep["status"]["url"], json={"inputs": "Hello [MASK]."}).json()
    assert out and all("[MASK]" not in o["sequence"] for o in out)


def test_scaled_to_zero_wakes_on_call(emulator, client):
    url = client.get(f"/v2/endpoint/{NS}/sentiment-api").json()["status"]["url"]
    auth = {"Authorization": f"Bearer {emulator.token}"}
    r = httpx2.post(url, json={"inputs": "great"}, headers=auth)
    assert r.status_code == 503
    assert client.get(f"/v2/endpoint/{NS}/sentiment-api").json()["status"]["state"] in ("initializing", "running")
    emulator.set_state(NS, "sentiment-api", "scaledToZero")
    woke = httpx2.post(url, json={"inputs": "great"}, headers={**auth, "X-Scale-Up-Timeout": "10"})
    assert woke.status_code == 200 and woke.json()[0][0]["label"] == "POSITIVE"
    assert emulator.endpoint(NS, "sentiment-api")["status"]["state"] == "running"


def test_scale_up_hold_counts_on_the_emulator_clock():
    """``X-Scale-Up-Timeout`` is a time on the emulator's clock, like the cold start it waits for."""
    from hftui.emulator import start_background

    handle = start_background(seed=0, speed=4.0)  # the 3 s wake lasts 0.75 s of real time
    try:
        url = handle.endpoint(NS, "sentiment-api")["status"]["url"]
        auth = {"Authorization": f"Bearer {handle.token}"}
        started = time.monotonic()
        short = httpx2.post(url, json={"inputs": "great"}, headers={**auth, "X-Scale-Up-Timeout": "2"},
                            timeout=10)
        assert short.status_code == 503 and "X-Scale-Up-Timeout" in short.json()["error"]
        assert time.monotonic() - started < 1.8  # held 2 emulator seconds (0.5 s), not 2 real ones
        assert int(short.headers["Retry-After"]) == 1  # what is left of the wake, in real seconds
        handle.set_state(NS, "sentiment-api", "scaledToZero")
        woke = httpx2.post(url, json={"inputs": "great"}, headers={**auth, "X-Scale-Up-Timeout": "600"},
                           timeout=10)
        assert woke.status_code == 200 and woke.json()[0][0]["label"] == "POSITIVE"
    finally:
        handle.close()


def test_paused_endpoint_has_no_url_scaled_to_zero_keeps_it(emulator, client):
    listed = {e["name"]: e["status"] for e in client.get(f"/v2/endpoint/{NS}").json()["items"]}
    assert listed["bert-fill"]["state"] == "paused" and listed["bert-fill"]["url"] is None
    assert listed["sentiment-api"]["state"] == "scaledToZero" and listed["sentiment-api"]["url"]
    client.post(f"/v2/endpoint/{NS}/bert-fill/resume")
    ep, _ = wait_state(client, "bert-fill", "running")
    assert ep["status"]["url"] == f"{emulator.base_url}/_ep/{NS}/bert-fill"  # the same URL as before the pause
    assert client.post(f"/v2/endpoint/{NS}/bert-fill/pause").json()["status"]["url"] is None


def test_paused_endpoint_does_not_wake(emulator, client):
    assert client.get(f"/v2/endpoint/{NS}/bert-fill").json()["status"]["url"] is None  # the seed: url=None
    url = f"{emulator.base_url}/_ep/{NS}/bert-fill"  # the URL it had (it comes back on resume)
    r = httpx2.post(url, json={"inputs": "a [MASK]"}, headers={"X-Scale-Up-Timeout": "1"})
    assert r.status_code == 503
    assert httpx2.get(url + "/health").status_code == 503
    assert emulator.endpoint(NS, "bert-fill")["status"]["state"] == "paused"


def test_handle_helpers(emulator):
    emulator.set_state("acme-ml", "acme-summarizer", "failed")
    assert emulator.endpoint("acme-ml", "acme-summarizer")["status"]["state"] == "failed"
    assert emulator.endpoint("acme-ml", "nope") is None
    with pytest.raises(ValueError):
        emulator.set_state("acme-ml", "acme-summarizer", "bogus")


def test_deployed_endpoint_openai_completions_tokenize_metrics(emulator, client, sse_data):
    url = client.get(f"/v2/endpoint/{NS}/gpt2-demo").json()["status"]["url"]
    auth = {"Authorization": f"Bearer {emulator.token}"}
    out = httpx2.post(url + "/v1/completions", json={"model": "tgi", "prompt": "Hello", "max_tokens": 5},
                      headers=auth).json()
    assert out["object"] == "text_completion" and out["usage"]["completion_tokens"] == 5
    stream = httpx2.post(url + "/v1/completions", json={"prompt": "Hello", "max_tokens": 5, "stream": True},
                         headers=auth).text
    payloads = sse_data(stream)
    assert payloads[-1] == "[DONE]"
    assert "".join(json.loads(p)["choices"][0]["text"] for p in payloads[:-1]) == out["choices"][0]["text"]
    pieces = httpx2.post(url + "/tokenize", json={"inputs": "Hello, world"}, headers=auth).json()
    assert "".join(p["text"] for p in pieces) == "Hello, world"
    assert all("Hello, world"[p["start"]:p["stop"]] == p["text"] for p in pieces)
    assert "tgi_request_count" in httpx2.get(url + "/metrics", headers=auth).text


def test_vllm_endpoint_serves_openai_routes_only(emulator, client):
    emulator.set_state("acme-ml", "acme-qwen", "running")
    url = client.get("/v2/endpoint/acme-ml/acme-qwen").json()["status"]["url"]
    auth = {"Authorization": f"Bearer {emulator.token}"}
    chat = httpx2.post(url + "/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]},
                       headers=auth)
    assert chat.status_code == 200 and chat.json()["choices"][0]["message"]["content"]
    assert httpx2.post(url + "/generate", json={"inputs": "hi"}, headers=auth).status_code == 404
    assert httpx2.get(url + "/v1/models", headers=auth).json()["data"][0]["id"] == "Qwen/Qwen2.5-7B-Instruct"


def test_quota_is_enforced(client):
    big = payload("too-big", accelerator="gpu")
    big["compute"].update({"accelerator": "gpu", "instanceType": "nvidia-a100", "instanceSize": "x8",
                           "scaling": {"minReplica": 3, "maxReplica": 3}})
    r = client.post(f"/v2/endpoint/{NS}", json=big)
    assert r.status_code == 400 and "Quota" in r.json()["error"]


def test_private_service_reports_its_service_name(client):
    body = payload("linked", type="private", privateService={"accountId": "123456789012", "region": "us-east-1"})
    ep = client.post(f"/v2/endpoint/{NS}", json=body).json()
    assert ep["type"] == "private"
    assert ep["status"]["private"]["serviceName"].startswith("com.amazonaws.vpce.us-east-1.vpce-svc-")


def test_scale_up_timeout_too_short_still_503(emulator, client):
    emulator.set_state(NS, "sentiment-api", "scaledToZero")
    url = client.get(f"/v2/endpoint/{NS}/sentiment-api").json()["status"]["url"]
    r = httpx2.post(url, json={"inputs": "ok"}, headers={"Authorization": f"Bearer {emulator.token}",
                                                          "X-Scale-Up-Timeout": "0.01"})
    assert r.status_code == 503 and r.headers.get("Retry-After")


@pytest.mark.parametrize("patch", [{"tags": 1.5}, {"compute": "x"}, {"model": -1}, {"provider": True},
                                   {"model": {"env": {"A": 1}}}, {"compute": {"scaling": {"minReplica": "1"}}},
                                   {"route": []}, {"cacheHttpResponses": "yes"}])
def test_wrongly_typed_fields_are_422_and_leave_the_endpoint_intact(client, patch):
    before = client.get(f"/v2/endpoint/{NS}/gpt2-demo").json()
    r = client.put(f"/v2/endpoint/{NS}/gpt2-demo", json=patch)
    assert r.status_code == 422 and "invalid type" in r.json()["error"]
    assert client.get(f"/v2/endpoint/{NS}/gpt2-demo").json() == before
    assert client.post(f"/v2/endpoint/{NS}", json=payload("typed") | patch).status_code == 422
    assert client.get(f"/v2/endpoint/{NS}").status_code == 200


def test_update_with_null_revision_means_latest(client):
    r = client.put(f"/v2/endpoint/{NS}/gpt2-demo", json={"model": {"revision": None}})
    assert r.status_code == 200 and r.json()["model"]["revision"]
    client.post(f"/v2/endpoint/{NS}/gpt2-demo/pause")
    assert client.post(f"/v2/endpoint/{NS}/gpt2-demo/resume").status_code == 200
    wait_state(client, "gpt2-demo", "running")
    assert "Downloading model weights" in client.get(f"/v2/endpoint/{NS}/gpt2-demo/logs").text


def test_epoch_moves_the_virtual_clock_and_the_seeded_endpoints():
    from datetime import UTC, datetime

    from hftui.emulator import start_background

    start = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    handle = start_background(epoch=start.timestamp())
    try:
        ep = handle.endpoint(NS, "gpt2-demo")
        created = datetime.fromisoformat(ep["status"]["createdAt"][:19]).replace(tzinfo=UTC)
        assert created.date().isoformat() == "2027-01-02" and created < start
    finally:
        handle.close()
    with pytest.raises(ValueError):
        start_background(epoch="yesterday")


def test_custom_image_health_route(emulator, client):
    body = payload("custom-img")
    body["model"]["image"] = {"custom": {"url": "ghcr.io/acme/server:1", "port": 8080, "healthRoute": "/ready"}}
    created = client.post(f"/v2/endpoint/{NS}", json=body).json()
    assert created["healthRoute"] == "/ready"
    ep, _ = wait_state(client, "custom-img", "running")
    auth = {"Authorization": f"Bearer {emulator.token}"}
    assert httpx2.get(ep["status"]["url"] + "/ready", headers=auth).status_code == 200


def test_advance_moves_states_without_waiting():
    from hftui.emulator import start_background

    handle = start_background(speed=1e-6)  # a clock that stands still
    try:
        assert handle.endpoint(NS, "sdxl-images")["status"]["state"] == "initializing"
        before = handle.now()
        handle.advance(30)
        assert handle.now() > before
        assert handle.endpoint(NS, "sdxl-images")["status"]["state"] == "running"
        handle.advance(20 * 60)  # 15-minute idle timeout: gpt2-demo scales to zero
        assert handle.endpoint(NS, "gpt2-demo")["status"]["state"] == "scaledToZero"
        assert handle.endpoint(NS, "llama-chat")["status"]["state"] == "running"  # minReplica 1: never
    finally:
        handle.close()


TGI_URL = "ghcr.io/huggingface/text-generation-inference:3.0.1"


def test_custom_image_stored_like_the_api_and_switchable_to_the_default(emulator, client):
    body = payload("tgi-custom")
    body["model"]["image"] = {"custom": {"url": TGI_URL, "healthRoute": "/health", "health_route": "/ignored",
                                         "credentials": {"username": "bot", "password": "registry-pass"}}}
    body["model"]["env"] = {"MAX_BATCH_PREFILL_TOKENS": "2048", "MAX_INPUT_LENGTH": "1024"}
    body["model"]["secrets"] = {"MY_SECRET_KEY": "secret_value"}
    created = client.post(f"/v2/endpoint/{NS}", json=body).json()
    # port defaults to 80; snake_case health_route is dropped; the password and secret values never come back
    assert created["model"]["image"] == {"custom": {"url": TGI_URL, "healthRoute": "/health", "port": 80,
                                                    "credentials": {"username": "bot", "password": "********"}}}
    assert created["model"]["env"] == body["model"]["env"]
    assert created["model"]["secrets"] == {"MY_SECRET_KEY": "********"}
    assert "secret_value" not in json.dumps(created) and "registry-pass" not in json.dumps(created)
    assert emulator.received(NS, "tgi-custom") == [body]  # what the server was sent, as sent
    wait_state(client, "tgi-custom", "running")
    logs = client.get(f"/v2/endpoint/{NS}/tgi-custom/logs").text
    assert TGI_URL in logs

    back = client.put(f"/v2/endpoint/{NS}/tgi-custom", json={"model": {"image": {"huggingface": {}}}})
    assert back.status_code == 200, back.text
    assert back.json()["model"]["image"] == {"huggingface": {}} and back.json()["healthRoute"] == "/health"
    wait_state(client, "tgi-custom", "running")
    again = client.put(f"/v2/endpoint/{NS}/tgi-custom",
                       json={"model": {"image": {"custom": {"url": TGI_URL, "healthRoute": "/ready", "port": 8080}}}})
    assert again.status_code == 200, again.text
    assert again.json()["healthRoute"] == "/ready" and again.json()["model"]["image"]["custom"]["port"] == 8080
    assert emulator.received(NS, "tgi-custom")[1:] == [{"model": {"image": {"huggingface": {}}}},
                                                       {"model": {"image": {"custom": {
                                                           "url": TGI_URL, "healthRoute": "/ready", "port": 8080}}}}]
    # an engine is another matter: it cannot be changed on an existing endpoint
    engine = client.put(f"/v2/endpoint/{NS}/tgi-custom", json={"model": {"image": {"tgi": {"url": TGI_URL}}}})
    assert engine.status_code == 400 and "engine" in engine.json()["error"]


@pytest.mark.parametrize("custom, problem", [
    ({"url": TGI_URL, "port": "80"}, "port"),
    ({"url": TGI_URL, "port": 70000}, "port"),
    ({"url": TGI_URL, "healthRoute": 5}, "healthRoute"),
    ({"url": TGI_URL, "env": {"A": 1}}, "env"),
    ({"url": TGI_URL, "credentials": {"password": "p"}}, "username"),
])
def test_custom_image_fields_are_typed(client, custom, problem):
    body = payload("typed-image")
    body["model"]["image"] = {"custom": custom}
    r = client.post(f"/v2/endpoint/{NS}", json=body)
    assert r.status_code == 422 and problem in r.json()["error"], r.text
