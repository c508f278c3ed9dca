"""Helpers shared by the ui_endpoints tests."""

from __future__ import annotations

from tests.support.app import hftui_app
from tests.support.pilot import wait_until


def make_app(emulator, *, token: bool = True, first_screen: str | None = None, **settings_kw):
    """The real app on ``emulator`` (with its token unless ``token=False``)."""
    return hftui_app(emulator.base_url, emulator.token if token else None, first_screen=first_screen, **settings_kw)


async def poll_once(pilot, screen):
    """Force one poll and wait until it finished."""
    before = screen.poll_count
    screen.poll_now()
    await wait_until(pilot, lambda: screen.poll_count > before, what="a poll")
    await pilot.pause()

