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

    def make():
        return HFTUIApp(settings, ResolvedToken(token, "test"), first_screen="playground")

    return make


