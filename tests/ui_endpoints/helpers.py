"""Helpers shared by the ui_endpoints tests."""

from __future__ import annotations

import asyncio
import time


def make_app(emulator, *, token: bool = True, first_screen: str | None = None, **settings_kw):
    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken, Secret
    from hftui.config import Settings

    settings = Settings(**settings_kw).with_base_url(emulator.base_url)
    resolved = ResolvedToken(Secret(emulator.token), "test") if token else None
    return HFTUIApp(settings, resolved, demo=False, first_screen=first_screen)


async def wait_until(pilot, predicate, timeout: float = 8.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:
            value = None
        if value:
            return value
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def endpoints_screen(pilot, polls: int = 1):
    """Wait for the Endpoints screen and its first ``polls`` polls; returns the screen."""
    from hftui.screens.endpoints import EndpointsScreen

    app = pilot.app
    screen = await wait_until(
        pilot, lambda: app.screen if isinstance(app.screen, EndpointsScreen) and app.screen.poll_count >= polls
        and app.screen.table.loaded else None, what="the endpoints screen")
    await pilot.pause()
    return screen


async def poll_once(pilot, screen):
    """Force one poll and wait until it finished."""
    before = screen.poll_count
    screen.poll_now()
    await wait_until(pilot, lambda: screen.poll_count > before, what="a poll")
    await pilot.pause()


async def settle_workers(pilot):
    await pilot.app.workers.wait_for_complete()
    await asyncio.sleep(0)
    await pilot.pause()
