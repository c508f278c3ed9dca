"""Fixtures of the self-hosted server tests: a key-checking gate in front of the emulator's TGI
endpoint, and settings naming it as ``[servers.gate]`` (read from a real config.toml)."""

from __future__ import annotations

import pytest


@pytest.fixture
def gate(emulator):
    from tests.servers.key_gate import GATE_KEY, KeyGate

    server = KeyGate(upstream=f"{emulator.base_url}/_ep/demo-user/llama-chat", upstream_token=emulator.token,
                     key=GATE_KEY, forbidden=(emulator.token,)).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def server_settings(emulator, gate, tmp_path, monkeypatch):
    """Settings from a config.toml with ``[servers.gate]`` (TGI, key from $GATE_KEY) and
    ``[servers.nokey]`` (the gate again, no key), every HF service on the emulator."""
    from tests.servers.key_gate import GATE_KEY

    from hftui.config import load_settings

    monkeypatch.setenv("GATE_KEY", GATE_KEY)
    path = tmp_path / "servers.toml"
    path.write_text(f'''
[servers.gate]
url = "{gate.base_url}"
kind = "tgi"
model = "tgi"
key_env = "GATE_KEY"

[servers.nokey]
url = "{gate.base_url}/"
''', encoding="utf-8")
    return load_settings(path, environ={}).with_base_url(emulator.base_url)
