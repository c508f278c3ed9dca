"""Helpers of the Playground tests (imported by test modules)."""

from __future__ import annotations

import time


async def wait_until(pilot, predicate, timeout: float = 10.0, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(step)


async def playground(pilot):
    from hftui.screens.playground import PlaygroundScreen

    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PlaygroundScreen) and pilot.app.screen.is_mounted)
    await pilot.pause()
    return pilot.app.screen


async def run_and_wait(pilot, screen, timeout: float = 15.0) -> None:
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: screen._worker is not None)
    await wait_until(pilot, lambda: not screen._worker.is_running, timeout=timeout)
    await pilot.pause()


def screen_text(app) -> str:
    """Everything the screen shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)
