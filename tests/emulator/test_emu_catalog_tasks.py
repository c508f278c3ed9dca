"""Every model of the emulator's catalog opens on a task it can run.

The model's Hub info (through the client) picks the task (``task_for_model``);
the task's spec, filled with its own example, then runs against the emulator
on the route the Playground would use.
"""

from __future__ import annotations

import io
import struct

import pytest

from hftui.client import HFClient, Target
from hftui.client.core import CallOptions
from hftui.emulator import catalog
from hftui.tasks import get_spec, task_for_model

PUBLIC = [m for m in catalog.MODELS if not m.private]

# Inputs a model needs beyond its task's example (the form would ask for them).
NEEDS = {"facebook/mbart-large-50-many-to-many-mmt": {"src_lang": "en_XX", "tgt_lang": "fr_XX"}}


def _png(path) -> str:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 30, 30)).save(path, "PNG")
    return str(path)


def _wav(path) -> str:
    data = b"\0\0" * 16000
    head = (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16) + b"data" + struct.pack("<I", len(data)))
    with open(path, "wb") as fh:
        fh.write(head + data)
    return str(path)


def test_catalog_is_not_trivially_small():
    assert len(PUBLIC) >= 40
    assert any(m.pipeline_tag == "text2text-generation" for m in PUBLIC)


@pytest.mark.parametrize("spec", PUBLIC, ids=lambda m: m.id)
async def test_every_catalog_model_maps_to_a_task_it_can_run(spec, settings, token, tmp_path):
    async with HFClient(settings, token, max_retries=0) as hf:
        info = await hf.hub.model_info(spec.id)
        task = task_for_model(info)
        assert task is not None, f"{spec.id} ({spec.pipeline_tag}) opens on no task"
        form = get_spec(task)
        if not info.servable:
            return  # mapped, but no provider serves it now: nothing to run
        if info.hf_inference is not None:
            target = Target.hf_model(spec.id)
        elif task == "chat-completion":
            target = Target.router(spec.id)
        else:
            return  # third-party providers only, for a task hftui sends to hf-inference alone (e.g. FLUX.1-dev)
        values = form.defaults(info)
        for f in form.inputs:
            if f.kind == "file-image":
                values[f.name] = _png(tmp_path / "in.png")
            elif f.kind == "file-audio":
                values[f.name] = _wav(tmp_path / "in.wav")
        values.update(NEEDS.get(spec.id, {}))
        values["stream"] = False
        if task == "text-generation" and not spec.tgi:
            values["details"] = None  # a plain pipeline refuses TGI-only parameters (issue 12 item 2)
        parsed, errors = form.parse(values, info)
        assert not errors, errors
        result = await form.call(hf, target, parsed, CallOptions(wait_for_model=True, timeout=60))
        assert result is not None and result != [] and result != ""
