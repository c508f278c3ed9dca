"""Fixtures for the Models / History / Export tests: the real app on the emulator."""

from __future__ import annotations

import pytest

from tests.support.app import hftui_app


@pytest.fixture
def make_app(settings, token):
    def make(first_screen: str = "models"):
        return hftui_app(settings=settings, token=token, demo=True, first_screen=first_screen)

    return make


@pytest.fixture
def hub_spy():
    """Wraps ``app.client.hub`` methods to record their calls: ``spy.install(app)``."""

    class Spy:
        def __init__(self):
            self.calls: list[tuple[str, tuple, dict]] = []

        def install(self, app):
            hub = app.client.hub
            for name in ("search_models", "next_models", "model_info", "model_card"):
                original = getattr(hub, name)

                def wrapper(*args, _original=original, _name=name, **kwargs):
                    self.calls.append((_name, args, kwargs))
                    return _original(*args, **kwargs)

                setattr(hub, name, wrapper)

        def of(self, name):
            return [c for c in self.calls if c[0] == name]

    return Spy()
