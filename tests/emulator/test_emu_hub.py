"""Hub routes of the emulator: whoami, search, model info, tasks, cards, legacy status."""

from __future__ import annotations

import re

import httpx2


def test_whoami_ok(client):
    r = client.get("/api/whoami-v2")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "demo-user" and body["type"] == "user"
    assert [o["name"] for o in body["orgs"]] == ["acme-ml", "demo-lab"]
    token = body["auth"]["accessToken"]
    assert token["role"] == "fineGrained"
    perms = token["fineGrained"]["scoped"][0]["permissions"]
    assert {"inference.serverless.write", "inference.endpoints.write"} <= set(perms)
    assert re.match(r'"api";r=\d+;t=\d+', r.headers["ratelimit"])
    assert "q=" in r.headers["ratelimit-policy"]


def test_whoami_rejects_other_tokens(emulator, anon):
    for headers in ({}, {"Authorization": "Bearer hf_notTheDemoToken"}):
        r = anon.get("/api/whoami-v2", headers=headers)
        assert r.status_code == 401
        assert r.json() == {"error": "Invalid credentials in Authorization header"}
        assert r.headers["X-Error-Message"] == "Invalid credentials in Authorization header"


def test_search_filters(client):
    ids = [m["id"] for m in client.get("/api/models", params={"search": "bert"}).json()]
    assert "google-bert/bert-base-uncased" in ids and all("bert" in i.lower() for i in ids)
    items = client.get("/api/models", params={"pipeline_tag": "fill-mask"}).json()
    assert items and {m["pipeline_tag"] for m in items} == {"fill-mask"}
    authored = client.get("/api/models", params={"author": "facebook"}).json()
    assert authored and all(m["id"].startswith("facebook/") for m in authored)
    tagged = client.get("/api/models", params=[("filter", "sentence-transformers")]).json()
    assert tagged and all("sentence-transformers" in m["tags"] for m in tagged)


def test_search_sort_is_descending(client):
    items = client.get("/api/models", params={"sort": "downloads", "limit": 20}).json()
    downloads = [m["downloads"] for m in items]
    assert downloads == sorted(downloads, reverse=True)
    likes = [m["likes"] for m in client.get("/api/models", params={"sort": "likes"}).json()]
    assert likes == sorted(likes, reverse=True)


def test_search_warm_and_provider(client):
    params = [("inference", "warm"), ("expand[]", "inference"), ("expand[]", "inferenceProviderMapping")]
    warm = client.get("/api/models", params=params).json()
    assert warm and all(m.get("inference") == "warm" for m in warm)
    every = client.get("/api/models", params={"limit": 1000}).json()
    assert len(warm) < len(every)
    hf = client.get("/api/models", params=[("inference_provider", "together"),
                                           ("expand", "inferenceProviderMapping")]).json()
    assert hf
    for m in hf:
        mapping = m["inferenceProviderMapping"]
        assert isinstance(mapping, list)  # the list form on search
        assert any(e["provider"] == "together" and e["status"] == "live" for e in mapping)


def test_expand_both_spellings_return_only_requested(client):
    a = client.get("/api/models", params=[("search", "gpt2"), ("expand", "downloads"), ("expand", "likes")]).json()
    b = client.get("/api/models", params=[("search", "gpt2"), ("expand[]", "downloads"), ("expand[]", "likes")]).json()
    assert a == b and a
    assert set(a[0]) == {"_id", "id", "downloads", "likes"}


def test_pagination_link_cursor(client):
    seen: list[str] = []
    url = "/api/models?limit=7&sort=likes"
    pages = 0
    while url:
        r = client.get(url)
        assert r.status_code == 200
        seen += [m["id"] for m in r.json()]
        link = r.headers.get("Link")
        pages += 1
        if not link:
            break
        match = re.match(r'<([^>]+)>; rel="next"', link)
        assert match and "cursor=" in match.group(1) and "limit=7" in match.group(1)
        url = match.group(1)
    assert pages >= 5
    assert len(seen) == len(set(seen)) == int(r.headers["X-Total-Count"])
    assert len(seen) >= 30


def test_model_info_full_and_expand(client):
    full = client.get("/api/models/google-bert/bert-base-uncased").json()
    assert full["mask_token"] == "[MASK]" and full["pipeline_tag"] == "fill-mask"
    assert full["inference"] == "warm" and full["siblings"] and full["sha"]
    roberta = client.get("/api/models/FacebookAI/roberta-base").json()
    assert roberta["mask_token"] == "<mask>"
    expanded = client.get("/api/models/openai-community/gpt2",
                          params=[("expand[]", "inference"), ("expand[]", "inferenceProviderMapping"),
                                  ("expand[]", "pipeline_tag")]).json()
    assert set(expanded) == {"_id", "id", "inference", "inferenceProviderMapping", "pipeline_tag"}
    assert isinstance(expanded["inferenceProviderMapping"], list)


def test_model_info_dict_mapping_form(client):
    body = client.get("/api/models/meta-llama/Llama-3.1-8B-Instruct",
                      params={"expand": "inferenceProviderMapping"}).json()
    mapping = body["inferenceProviderMapping"]
    assert isinstance(mapping, dict)
    assert mapping["hf-inference"]["status"] == "live" and mapping["hf-inference"]["task"] == "conversational"
    assert mapping["fireworks-ai"]["status"] == "staging"


def test_cold_model_is_not_warm(client):
    body = client.get("/api/models/distilbert/distilbert-base-uncased", params={"expand": "inference"}).json()
    assert "inference" not in body


def test_renamed_repo_redirects(client):
    r = client.get("/api/models/bert-base-uncased", params={"expand": "pipeline_tag"})
    assert r.status_code == 307
    assert r.headers["Location"].startswith("/api/models/google-bert/bert-base-uncased")
    followed = client.get("/api/models/bert-base-uncased", follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["id"] == "google-bert/bert-base-uncased"


def test_unknown_repo_404_with_token_401_without(client, anon):
    r = client.get("/api/models/nobody/nothing-here")
    assert r.status_code == 404 and r.headers["X-Error-Code"] == "RepoNotFound"
    assert r.json()["error"]
    assert anon.get("/api/models/nobody/nothing-here").status_code == 401


def test_private_model_needs_token(client, anon):
    assert client.get("/api/models/demo-user/private-classifier").json()["private"] is True
    assert anon.get("/api/models/demo-user/private-classifier").status_code == 401
    assert "demo-user/private-classifier" not in [m["id"] for m in anon.get("/api/models").json()]


def test_revision_route(client):
    sha = client.get("/api/models/openai-community/gpt2").json()["sha"]
    assert client.get(f"/api/models/openai-community/gpt2/revision/{sha}").status_code == 200
    assert client.get("/api/models/openai-community/gpt2/revision/main").status_code == 200
    bad = client.get("/api/models/openai-community/gpt2/revision/nope")
    assert bad.status_code == 404 and bad.headers["X-Error-Code"] == "RevisionNotFound"


def test_catalog_covers_every_task(client):
    items = client.get("/api/models", params={"limit": 1000}).json()
    tasks = {m["pipeline_tag"] for m in items}
    for task in ("fill-mask", "summarization", "translation", "question-answering", "zero-shot-classification",
                 "text-classification", "token-classification", "text-generation", "feature-extraction",
                 "sentence-similarity", "text-to-image", "image-classification", "object-detection",
                 "image-to-text", "automatic-speech-recognition", "table-question-answering"):
        assert task in tasks, task
    assert len(items) >= 30


def test_tasks_endpoint(client):
    body = client.get("/api/tasks").json()
    assert "fill-mask" in body and body["fill-mask"]["widgetModels"]
    assert body["conversational"]["widgetModels"]


def test_tasks_have_the_hubs_shape_and_recommend_served_models(client):
    """``/api/tasks``: keyed by task id, TaskData fields; widgetModels[0] runs on hf-inference now."""
    from hftui.client.inference import TASKS
    from hftui.emulator import catalog

    body = client.get("/api/tasks").json()
    for task in [t for t in TASKS if t != "chat-completion"] + ["conversational"]:
        entry = body[task]
        assert entry["id"] == task and isinstance(entry["label"], str) and isinstance(entry["summary"], str)
        for key in ("datasets", "metrics", "spaces", "libraries", "widgetModels"):
            assert isinstance(entry[key], list), (task, key)
        assert entry["models"] and all(set(m) == {"id", "description"} for m in entry["models"])
        recommended = catalog.lookup(entry["widgetModels"][0])
        assert recommended is not None and recommended.on_hf_inference and recommended.warm, task
        assert entry["widgetModels"][0] in {m["id"] for m in entry["models"]}
    assert body["fill-mask"]["label"] == "Fill-Mask"
    assert catalog.lookup(body["conversational"]["widgetModels"][0]).is_chat


def test_model_card(client, anon):
    r = anon.get("/google-bert/bert-base-uncased/raw/main/README.md")
    assert r.status_code == 200 and r.text.startswith("---\n") and "# bert-base-uncased" in r.text
    assert anon.get("/nobody/nothing/raw/main/README.md").status_code == 401
    assert client.get("/nobody/nothing/raw/main/README.md").status_code == 404


def test_legacy_status(client):
    warm = client.get("/status/google-bert/bert-base-uncased").json()
    assert warm == {"loaded": True, "state": "Loaded", "compute_type": "cpu", "framework": "transformers"}
    cold = client.get("/status/distilbert/distilbert-base-uncased").json()
    assert cold["loaded"] is False and cold["state"] == "Loadable"
    big = client.get("/status/meta-llama/Llama-3.1-405B-Instruct").json()
    assert big["state"] == "TooBig"
    gpu = client.get("/status/meta-llama/Llama-3.1-8B-Instruct").json()
    assert gpu["compute_type"] == {"gpu": {"gpu": "a10g", "count": 1}}
    assert gpu["framework"] == "text-generation-inference"


def test_unknown_route_is_json_404(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and "error" in r.json()


def test_router_v1_models(client):
    data = client.get("/v1/models").json()["data"]
    ids = {d["id"] for d in data}
    assert "meta-llama/Llama-3.1-8B-Instruct" in ids and "google-bert/bert-base-uncased" not in ids


def test_handle_base_url_is_usable_immediately():
    from hftui.emulator import start_background

    handle = start_background()
    try:
        assert httpx2.get(handle.base_url + "/api/tasks", timeout=10).status_code == 200
    finally:
        handle.close()
        handle.close()  # idempotent


def test_every_answer_has_a_request_id(client, anon):
    assert client.get("/api/whoami-v2").headers["X-Request-Id"].startswith("Root=1-")
    assert anon.get("/api/whoami-v2").headers["X-Request-Id"]  # errors too
    assert client.get("/v2/endpoint/demo-user").headers["X-Request-Id"]
    assert client.get("/api/whoami-v2", headers={"X-Emulator-Fault": "500"}).headers["X-Request-Id"]


def test_num_parameters_and_legacy_switches(client):
    mid = client.get("/api/models", params={"num_parameters": "min:6B,max:9B", "limit": 100}).json()
    ids = {m["id"] for m in mid}
    assert "meta-llama/Llama-3.1-8B-Instruct" in ids and "openai-community/gpt2" not in ids
    assert "meta-llama/Llama-3.3-70B-Instruct" not in ids
    assert client.get("/api/models", params={"num_parameters": "lots"}).status_code == 400
    with_card = client.get("/api/models", params={"search": "gpt2", "cardData": "true"}).json()
    assert with_card and all("cardData" in m for m in with_card)


def test_request_ids_are_deterministic_per_emulator():
    from hftui.emulator import start_background

    seen = []
    for _ in range(2):
        handle = start_background(seed=7)
        try:
            auth = {"Authorization": f"Bearer {handle.token}"}
            seen.append([httpx2.get(handle.base_url + "/api/whoami-v2", headers=auth).headers["X-Request-Id"]
                         for _ in range(3)])
        finally:
            handle.close()
    assert seen[0] == seen[1] and len(set(seen[0])) == 3
