"""Every test runs in its own world: own config/data/cache dirs, no token from the machine, a frozen UI clock."""

from __future__ import annotations

import pytest

FROZEN_TIME = "2026-10-26T13:00:00Z"

_MACHINE_VARS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HFTUI_INFERENCE_URL", "HFTUI_ENDPOINTS_API_URL",
                 "HF_TOKEN_PATH", "NO_COLOR", "HFTUI_IMAGE_PROTOCOL")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    for var in _MACHINE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("HFTUI_FROZEN_TIME", FROZEN_TIME)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    yield tmp_path
