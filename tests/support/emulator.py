"""The emulator on a loopback port, as fixtures.

- ``emulator``: a fresh emulator whose clock runs 50x (states move), fast token rate;
- ``still_emulator``: one whose clock (practically) stands still, so states, ages and logs are the
  same on every run (snapshots);
- ``settings``: Settings pointing every service at ``emulator``; ``token``: its demo token as a Secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

WARM_CLASSIFIER = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
"""A text-classification model the emulator serves warm."""


@contextmanager
def running_emulator(*, seed: int = 0, speed: float = 50.0, token_rate: float = 2000.0, **kw) -> Iterator:
    """An emulator in a background thread for the ``with`` block (``start_background``'s handle)."""
    from hftui.emulator import start_background

    handle = start_background(seed=seed, speed=speed, token_rate=token_rate, **kw)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def emulator():
    with running_emulator() as handle:
        yield handle


@pytest.fixture
def still_emulator():
    with running_emulator(speed=1e-6) as handle:
        yield handle


@pytest.fixture
def settings(emulator):
    from hftui.config import Settings

    return Settings().with_base_url(emulator.base_url)


@pytest.fixture
def token(emulator):
    from hftui.auth import Secret

    return Secret(emulator.token)
