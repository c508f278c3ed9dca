"""Fixtures of the hardening tests: the real app against a hostile server.

- ``upstream``: a friendly emulator whose clock stands (practically) still (``still_emulator``);
- ``hostile``: a :class:`HostileServer` in front of it (forwards by default);
- ``evil``: a second one, for "another host" the app must not send the token to;
- ``make_app``: the real ``HFTUIApp`` pointed at ``hostile`` with the demo token.
"""

from __future__ import annotations

import pytest

from tests.support.app import hftui_app


@pytest.fixture
def upstream(still_emulator):
    return still_emulator


def _hostile_server(upstream):
    from tests.hardening.hostile_server import HostileServer

    server = HostileServer(upstream.base_url).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def hostile(upstream):
    yield from _hostile_server(upstream)


@pytest.fixture
def evil(upstream):
    yield from _hostile_server(upstream)


@pytest.fixture
def make_app(hostile, upstream):
    def make(first_screen: str = "endpoints", **settings_kw):
        return hftui_app(hostile.base_url, upstream.token, first_screen=first_screen, **settings_kw)

    return make
