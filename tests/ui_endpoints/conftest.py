"""Helpers for the Endpoints screen / app shell tests.

``still_emulator``: an emulator whose virtual clock (practically) stands
still, so states, ages and logs are the same on every run (snapshots).
The shared ``emulator`` fixture (speed 50) is used where states must move.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def still_emulator():
    from hftui.emulator import start_background

    handle = start_background(seed=0, speed=1e-6, token_rate=2000.0)
    try:
        yield handle
    finally:
        handle.close()


