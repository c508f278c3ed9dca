"""Fixtures of the hardening tests: the real app against a hostile server.

- ``upstream``: a friendly emulator whose clock stands (practically) still;
- ``hostile``: a :class:`HostileServer` in front of it (forwards by default);
- ``make_app``: the real ``HFTUIApp`` pointed at ``hostile`` with the demo token.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def upstream():
    from hftui.emulator import start_background

    handle = start_background(seed=0, speed=1e-6, token_rate=2000.0)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def hostile(upstream):
    from hostile_server import HostileServer

    server = HostileServer(upstream.base_url).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def make_app(hostile, upstream):
    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken, Secret
    from hftui.config import Settings

    def make(first_screen: str = "endpoints", **settings_kw):
        settings = Settings(**settings_kw).with_base_url(hostile.base_url)
        return HFTUIApp(settings, ResolvedToken(Secret(upstream.token), "test"), first_screen=first_screen)

    return make
