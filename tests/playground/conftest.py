"""Playground test helpers: the real HFTUIApp on the emulator, opened on the Playground."""

from __future__ import annotations

import pytest

from tests.support.app import hftui_app
from tests.support.emulator import running_emulator


@pytest.fixture
def make_app(settings, token):
    def make(base_settings=None):
        return hftui_app(settings=base_settings or settings, token=token, first_screen="playground")

    return make


@pytest.fixture
def slow_settings():
    """Settings of a second emulator streaming only 200 tokens/s (room to cancel mid-stream)."""
    from hftui.config import Settings

    with running_emulator(token_rate=200.0) as handle:
        yield Settings().with_base_url(handle.base_url)
