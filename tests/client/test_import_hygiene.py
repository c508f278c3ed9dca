"""The client and the emulator never import Textual; the client never imports aiohttp."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def loaded_after(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(out.stdout))


def test_client_loads_no_textual_and_no_aiohttp():
    mods = loaded_after("hftui.client")
    assert not {m for m in mods if m == "textual" or m.startswith("textual.")}
    assert not {m for m in mods if m == "aiohttp" or m.startswith("aiohttp.")}
    assert "httpx2" in mods


def test_emulator_loads_no_textual():
    pytest.importorskip("hftui.emulator")
    mods = loaded_after("hftui.emulator")
    assert not {m for m in mods if m == "textual" or m.startswith("textual.")}
    assert not {m for m in mods if m.startswith("hftui.client")}, "the emulator must not use the client"
