"""Export snippets without a server: no token, shapes, quoting (see test_export_emulator for live runs)."""

from __future__ import annotations

import ast
import inspect
import shlex

import pytest

from hftui.auth import Secret
from hftui.config import Settings
from hftui.export import FORMATS, export_run, request_for_record, save_snippet

TOKEN = Secret("hf_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3" * 2)

RECORDS = {
    "fill-mask": ({"kind": "model", "model": "google-bert/bert-base-uncased"},
                  {"inputs": "It's the [MASK] of 'France'."}, {"top_k": 3, "targets": None}),
    "chat-completion": ({"kind": "router", "model": "meta-llama/Llama-3.1-8B-Instruct", "provider": "together"},
                        {"messages": [{"role": "system", "content": "Be brief."},
                                      {"role": "user", "content": "Hi"}]},
                        {"max_tokens": 32, "temperature": 0.5}),
    "text-generation": ({"kind": "model", "model": "openai-community/gpt2"}, {"inputs": "Once"},
                        {"max_new_tokens": 8, "do_sample": False}),
    "question-answering": ({"kind": "model", "model": "deepset/roberta-base-squad2"},
                           {"question": "Who?", "context": "My name is Clara."}, {"top_k": 1}),
    "zero-shot-classification": ({"kind": "model", "model": "facebook/bart-large-mnli"},
                                 {"inputs": "I love rockets", "candidate_labels": ["space", "food"]},
                                 {"multi_label": False}),
    "feature-extraction": ({"kind": "model", "model": "BAAI/bge-small-en-v1.5"}, {"inputs": "Hi"},
                           {"normalize": True}),
    "sentence-similarity": ({"kind": "model", "model": "sentence-transformers/all-MiniLM-L6-v2"},
                            {"source_sentence": "a", "sentences": ["b", "c"]}, {}),
    "table-question-answering": ({"kind": "model", "model": "google/tapas-base-finetuned-wtq"},
                                 {"query": "How many?", "table": {"A": ["1", "2"]}}, {}),
    "text-to-image": ({"kind": "model", "model": "stabilityai/sdxl"}, {"inputs": "a cat"}, {"seed": 1}),
    "image-classification": ({"kind": "model", "model": "google/vit-base-patch16-224"},
                             {"image": "/tmp/my cat.jpg"}, {}),
    "object-detection": ({"kind": "model", "model": "facebook/detr-resnet-50"}, {"image": "/tmp/cat.jpg"},
                         {"threshold": 0.5}),
    "summarization": ({"kind": "url", "url": "https://x.endpoints.huggingface.cloud", "model": "t5"},
                      {"inputs": "long text"}, {}),
}


def _rec(task):
    target, inputs, params = RECORDS[task]
    return {"id": 7, "task": task, "target": target, "inputs": inputs, "parameters": params,
            "options": {"use_cache": False}, "result": None, "error": None, "timings": {}}


@pytest.mark.parametrize("task", sorted(RECORDS))
def test_no_token_unless_asked(task):
    out = export_run(_rec(task), settings=Settings(), token=TOKEN)
    assert set(out) == set(FORMATS)
    for fmt, text in out.items():
        assert TOKEN.reveal() not in text, fmt
        assert "hf_" not in text, fmt
    assert "$HF_TOKEN" in out["curl"]
    assert "os.environ['HF_TOKEN']" in out["httpx"]
    if not out["huggingface_hub"].startswith("#"):
        assert "os.environ['HF_TOKEN']" in out["huggingface_hub"]
    for fmt in ("httpx", "huggingface_hub"):
        ast.parse(out[fmt])  # valid Python
    shlex.split(out["curl"].replace("\\\n", " "))  # valid shell quoting


def test_token_written_when_asked():
    out = export_run(_rec("fill-mask"), settings=Settings(), include_token=True, token=TOKEN)
    for text in out.values():
        assert TOKEN.reveal() in text
        assert "HF_TOKEN" not in text


def test_curl_carries_the_exact_body():
    out = export_run(_rec("fill-mask"), settings=Settings())["curl"]
    argv = shlex.split(out.replace("\\\n", " "))
    assert argv[argv.index("-X") + 1] == "POST"
    assert "https://router.huggingface.co/hf-inference/models/google-bert/bert-base-uncased" in argv
    import json

    body = json.loads(argv[argv.index("--data-raw") + 1])
    assert body == {"inputs": "It's the [MASK] of 'France'.", "parameters": {"top_k": 3}}
    assert "x-use-cache: false" in argv


def test_routes():
    s = Settings()
    assert request_for_record(_rec("feature-extraction"), s).url.endswith(
        "/hf-inference/models/BAAI/bge-small-en-v1.5/pipeline/feature-extraction")
    assert request_for_record(_rec("feature-extraction"), s).json == {"inputs": "Hi", "normalize": True}
    chat = request_for_record(_rec("chat-completion"), s)
    assert chat.url == "https://router.huggingface.co/v1/chat/completions"
    assert list(chat.json)[0] == "model" and chat.json["model"].endswith(":together")
    assert request_for_record(_rec("summarization"), s).url == "https://x.endpoints.huggingface.cloud"
    img = request_for_record(_rec("image-classification"), s)
    assert img.file == "/tmp/my cat.jpg" and img.headers["content-type"] == "image/jpeg" and img.json is None
    zs = request_for_record(_rec("zero-shot-classification"), s)
    assert zs.json["parameters"]["candidate_labels"] == ["space", "food"]


@pytest.mark.parametrize("task", sorted(RECORDS))
def test_hub_snippet_uses_real_keyword_arguments(task):
    """Every keyword in the huggingface_hub snippet exists on the InferenceClient method."""
    from huggingface_hub import InferenceClient

    code = export_run(_rec(task), settings=Settings())["huggingface_hub"]
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id == "client":
            params = inspect.signature(getattr(InferenceClient, node.func.attr)).parameters
            for kw in node.keywords:
                assert kw.arg in params, (task, node.func.attr, kw.arg)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "InferenceClient":
            params = inspect.signature(InferenceClient.__init__).parameters
            assert all(kw.arg in params for kw in node.keywords)


def test_save_snippet(tmp_path):
    rec = _rec("fill-mask")
    path = save_snippet(export_run(rec, settings=Settings())["curl"], "curl", rec, tmp_path)
    assert path.name == "run-7-curl.sh" and path.read_text().startswith("curl")
    assert path.stat().st_mode & 0o077 == 0


def test_export_imports_no_textual():
    import subprocess
    import sys

    code = "import sys, hftui.export, hftui.history; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
