"""``max_tokens_cap`` lifts the 4,096-token generation limit (bench/stream.py streams 20k tokens)."""

from __future__ import annotations

import httpx2

from hftui.emulator import start_background


def _post(handle, path: str, body: dict) -> httpx2.Response:
    with httpx2.Client(base_url=handle.base_url, headers={"Authorization": f"Bearer {handle.token}"},
                       timeout=15) as c:
        return c.post(path, json=body)


def test_the_default_cap_is_the_real_services_and_the_option_raises_it():
    tgi = {"inputs": "Tell me", "parameters": {"max_new_tokens": 6000}}
    chat = {"model": "meta-llama/Llama-3.1-8B-Instruct", "messages": [{"role": "user", "content": "hi"}],
            "max_tokens": 6000}
    normal = start_background(seed=0, token_rate=100000.0)
    try:
        r = _post(normal, "/hf-inference/models/openai-community/gpt2", tgi)
        assert r.status_code == 422 and "4096" in r.text
        r = _post(normal, "/v1/chat/completions", chat)
        assert r.status_code == 422 and "4096" in r.text
    finally:
        normal.close()
    raised = start_background(seed=0, token_rate=100000.0, max_tokens_cap=10000)
    try:
        r = _post(raised, "/hf-inference/models/openai-community/gpt2", tgi)
        assert r.status_code == 200, r.text
        assert len(r.json()[0]["generated_text"].split()) > 4096
        r = _post(raised, "/v1/chat/completions", chat)
        assert r.status_code == 200, r.text
        r = _post(raised, "/hf-inference/models/openai-community/gpt2",
                  {"inputs": "x", "parameters": {"max_new_tokens": 20000}})
        assert r.status_code == 422 and "10000" in r.text
    finally:
        raised.close()
