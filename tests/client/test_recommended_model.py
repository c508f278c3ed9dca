"""model=None: every task runs with the Hub's recommended model, as InferenceClient does (issue 12, item 6)."""

from __future__ import annotations

import struct

import pytest

from hftui.client import HFClient, Target
from hftui.client.errors import BadRequest
from hftui.client.inference import TASKS
from hftui.tasks import get_spec


@pytest.fixture
async def hf(settings, token):
    async with HFClient(settings, token, max_retries=0) as client:
        yield client


async def test_recommended_model_per_task_is_cached(hf, emulator):
    tasks = await hf.hub.tasks()
    assert tasks["fill-mask"]["widgetModels"][0] == "google-bert/bert-base-uncased"
    assert await hf.hub.recommended_model("fill-mask") == "google-bert/bert-base-uncased"
    assert await hf.hub.recommended_model("chat-completion") == "meta-llama/Llama-3.1-8B-Instruct"
    assert await hf.hub.recommended_model("no-such-task") is None
    emulator.inject("500", path=r"^/api/tasks", times=5)  # a second fetch would fail
    assert await hf.hub.tasks() is tasks


def _inputs(form, tmp_path) -> dict:
    values = form.defaults()
    for f in form.inputs:
        if f.kind == "file-image":
            from PIL import Image

            Image.new("RGB", (32, 32), (10, 200, 10)).save(tmp_path / "in.png")
            values[f.name] = str(tmp_path / "in.png")
        elif f.kind == "file-audio":
            data = b"\0\0" * 8000
            (tmp_path / "in.wav").write_bytes(
                b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
                + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16) + b"data" + struct.pack("<I", len(data))
                + data)
            values[f.name] = str(tmp_path / "in.wav")
    values["stream"] = False
    return values


@pytest.mark.parametrize("task", TASKS)
async def test_every_task_runs_without_a_model(hf, task, tmp_path):
    form = get_spec(task)
    values, errors = form.parse(_inputs(form, tmp_path))
    assert not errors
    result = await form.call(hf, Target("model"), values)
    assert result not in (None, "", [])


async def test_streams_and_run_without_a_model(hf):
    chunks = [c async for c in hf.inference.chat_completion_stream(Target("router"), [
        {"role": "user", "content": "hi"}], {"max_tokens": 4})]
    assert chunks[-1].final and "".join(c.text for c in chunks)
    gen = [c async for c in hf.inference.text_generation_stream(Target("model"), "Once", {"max_new_tokens": 4})]
    assert gen[-1].final
    out = await hf.inference.run("question-answering", Target("model"),
                                 {"question": "Where?", "context": "Clara lives in Berkeley."})
    assert out[0].answer


async def test_no_recommendation_is_a_clear_error(hf, emulator, monkeypatch):
    tasks = dict(await hf.hub.tasks())
    tasks["fill-mask"] = {**tasks["fill-mask"], "widgetModels": []}
    monkeypatch.setattr(hf.hub, "_tasks", tasks)
    with pytest.raises(BadRequest, match="recommends none for fill-mask"):
        await hf.inference.fill_mask(Target("model"), "a [MASK] b")


async def test_a_strange_recommendation_is_not_used(hf, monkeypatch):
    tasks = dict(await hf.hub.tasks())
    monkeypatch.setattr(hf.hub, "_tasks", tasks)
    for strange in ("../..", "a/../../api/whoami-v2", "x?y=1", "a b", "", 42, None):
        tasks["fill-mask"] = {"widgetModels": [strange]}
        assert await hf.hub.recommended_model("fill-mask") is None, strange
    tasks["fill-mask"] = {"widgetModels": ["FacebookAI/xlm-roberta-base"]}
    assert await hf.hub.recommended_model("fill-mask") == "FacebookAI/xlm-roberta-base"
