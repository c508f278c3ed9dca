"""Exported snippets reproduce the run: executed against the emulator in a subprocess."""

from __future__ import annotations

import ast
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from hftui.export import export_run, request_for_record


def _record(task, target, inputs, parameters=None, options=None):
    return {"id": 1, "task": task, "target": target, "inputs": inputs, "parameters": parameters or {},
            "options": options or {"wait_for_model": False, "use_cache": True}, "result": None, "error": None,
            "timings": {}, "created_at": "2026-10-26T12:00:00Z"}


MODEL = {"kind": "model", "label": None, "url": None, "provider": None}
CASES = {
    "fill-mask": _record("fill-mask", {**MODEL, "model": "google-bert/bert-base-uncased"},
                         {"inputs": "Paris is the [MASK] of France."}, {"top_k": 2}),
    "text-classification": _record("text-classification",
                                   {**MODEL, "model": "distilbert/distilbert-base-uncased-finetuned-sst-2-english"},
                                   {"inputs": "I love it"}, {"top_k": None}),
    "question-answering": _record("question-answering", {**MODEL, "model": "deepset/roberta-base-squad2"},
                                  {"question": "What is my name?", "context": "My name is Clara."}),
    "zero-shot-classification": _record("zero-shot-classification", {**MODEL, "model": "facebook/bart-large-mnli"},
                                        {"inputs": "rockets to the moon", "candidate_labels": ["space", "food"]}),
    "feature-extraction": _record("feature-extraction",
                                  {**MODEL, "model": "sentence-transformers/all-MiniLM-L6-v2"},
                                  {"inputs": "hello"}, {"normalize": True}),
    "chat-router": _record("chat-completion", {"kind": "router", "model": "meta-llama/Llama-3.1-8B-Instruct",
                                               "provider": "together", "url": None, "label": None},
                           {"messages": [{"role": "user", "content": "Hi"}]}, {"max_tokens": 8},
                           {"stream": True, "use_cache": False}),
    "text-generation": _record("text-generation", {**MODEL, "model": "openai-community/gpt2"},
                               {"inputs": "Once upon a time"}, {"max_new_tokens": 5}),
}


@pytest.fixture
def shim(tmp_path):
    """The snippets import ``httpx``; here the maintained fork is installed as ``httpx2``."""
    d = tmp_path / "shim"
    d.mkdir()
    (d / "httpx.py").write_text("from httpx2 import *  # noqa\nfrom httpx2 import stream, request  # noqa\n")
    return d


def _run_python(code: str, shim: Path, token: str | None, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN",)}
    env["PYTHONPATH"] = str(shim)
    env["NO_PROXY"] = "*"
    env["HF_HUB_DISABLE_TELEMETRY"] = "1"
    if token is not None:
        env["HF_TOKEN"] = token
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=60)


@pytest.mark.parametrize("case", sorted(CASES))
def test_httpx_snippet_runs_against_the_emulator(case, settings, token, shim, tmp_path):
    out = export_run(CASES[case], settings=settings)
    for text in out.values():
        assert token.reveal() not in text
    ok = _run_python(out["httpx"], shim, token.reveal(), tmp_path)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert ok.stdout.strip()
    if case == "fill-mask":
        assert "capital" in ok.stdout or "token_str" in ok.stdout
    if case in ("chat-router", "text-generation"):
        assert ok.stdout.count("\n") > 2  # one SSE event per line
    # the token really comes from $HF_TOKEN: a wrong one is refused
    bad = _run_python(out["httpx"], shim, "hf_wrong", tmp_path)
    assert bad.returncode != 0 and "401" in bad.stderr


def _replay_curl(command: str, token: str) -> httpx2.Response:
    """Parse the curl command like a shell would and send it with httpx2."""
    argv = shlex.split(command.replace("\\\n", " ").replace("$HF_TOKEN", token))
    assert argv[0] == "curl"
    method = argv[argv.index("-X") + 1]
    url = next(a for a in argv if a.startswith("http"))
    headers = {}
    for i, a in enumerate(argv):
        if a == "-H":
            k, v = argv[i + 1].split(":", 1)
            headers[k.strip()] = v.strip()
    body = argv[argv.index("--data-raw") + 1].encode()
    return httpx2.request(method, url, headers=headers, content=body, timeout=30)


@pytest.mark.parametrize("case", ["fill-mask", "question-answering", "feature-extraction"])
def test_curl_reproduces_the_request(case, settings, token, shim, tmp_path):
    record = CASES[case]
    curl = export_run(record, settings=settings)["curl"]
    assert "$HF_TOKEN" in curl and token.reveal() not in curl
    response = _replay_curl(curl, token.reveal())
    assert response.status_code == 200, response.text
    # the same request as hftui's client builds
    spec = request_for_record(record, settings)
    argv = shlex.split(curl.replace("\\\n", " "))
    assert json.loads(argv[argv.index("--data-raw") + 1]) == spec.json
    assert spec.url in argv


async def test_export_matches_the_client_request(settings, token):
    """The JSON body and URL are exactly what InferenceAPI would send for the run."""
    from hftui.client import HFClient
    from hftui.tasks.record import target_from_record

    record = CASES["zero-shot-classification"]
    async with HFClient(settings, token) as hf:
        raw = hf.inference.raw_request(record["task"], target_from_record(record["target"]), record["inputs"],
                                       record["parameters"])
    spec = request_for_record(record, settings)
    assert spec.url == raw["url"] and spec.json == raw["json"]


def test_hub_snippet_runs_against_the_emulator(settings, token, shim, tmp_path):
    out = export_run(CASES["fill-mask"], settings=settings)["huggingface_hub"]
    ast.parse(out)
    assert "os.environ['HF_TOKEN']" in out
    done = _run_python(out, shim, token.reveal(), tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "FillMaskOutputElement" in done.stdout or "token_str" in done.stdout


def test_binary_task_exports_a_file_reference(settings, token, shim, tmp_path):
    from PIL import Image

    image = tmp_path / "cat.png"
    Image.new("RGB", (32, 32), (200, 100, 50)).save(image)
    record = _record("image-classification", {**MODEL, "model": "google/vit-base-patch16-224"},
                     {"inputs": str(image)})
    out = export_run(record, settings=settings)
    assert f"--data-binary @{image}" in out["curl"] and "content-type: image/png" in out["curl"]
    done = _run_python(out["httpx"], shim, token.reveal(), tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "label" in done.stdout
