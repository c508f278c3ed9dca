"""Fixtures shared by every test.

- every test runs with its own config/data/cache dirs and no token from the
  machine (autouse ``isolated_env``), and a frozen UI clock;
- ``emulator``: a fresh emulator on a loopback port, fast token rate;
- ``settings``: Settings pointing every service at that emulator;
- ``token``: the emulator's demo token as a Secret.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_paths import RECORDED, SHAPES  # noqa: F401  (re-exported for older imports)

FROZEN_TIME = "2026-10-26T13:00:00Z"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HFTUI_INFERENCE_URL",
                "HFTUI_ENDPOINTS_API_URL", "HF_TOKEN_PATH", "NO_COLOR", "HFTUI_IMAGE_PROTOCOL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("HFTUI_FROZEN_TIME", FROZEN_TIME)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    yield tmp_path


@pytest.fixture
def emulator():
    from hftui.emulator import start_background

    handle = start_background(seed=0, speed=50.0, token_rate=2000.0)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def settings(emulator):
    from hftui.config import Settings

    return Settings().with_base_url(emulator.base_url)


@pytest.fixture
def token(emulator):
    from hftui.auth import Secret

    return Secret(emulator.token)
