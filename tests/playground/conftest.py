"""Playground test helpers: the real HFTUIApp on the emulator, opened on the Playground."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def make_app(settings, token):
    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken

    def make(base_settings=None):
        return HFTUIApp(base_settings or settings, ResolvedToken(token, "test"), first_screen="playground")

    return make


@pytest.fixture
def slow_settings():
    """Settings of a second emulator streaming only 200 tokens/s (room to cancel mid-stream)."""
    from hftui.config import Settings
    from hftui.emulator import start_background

    handle = start_background(seed=0, speed=50.0, token_rate=200.0)
    try:
        yield Settings().with_base_url(handle.base_url)
    finally:
        handle.close()


