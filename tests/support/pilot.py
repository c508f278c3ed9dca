"""Waiting on a running app, and reading what its screen shows (Pilot tests)."""

from __future__ import annotations

import inspect
import time

STEP = 0.03
"""Seconds the app runs between two looks at the predicate."""


async def wait_until(pilot, predicate, timeout: float = 20.0, what: str | None = None):
    """Let the app run until ``predicate()`` is truthy, and return that value.

    Fails the test after ``timeout`` seconds with a message naming ``what`` (by default the
    predicate's source), the last error the predicate raised and the screen at that moment. A
    predicate that raises counts as "not yet": widgets may not exist yet.
    """
    deadline = time.monotonic() + timeout
    error: Exception | None = None
    while True:
        try:
            value = predicate()
        except Exception as exc:  # noqa: BLE001 - not mounted yet, no result yet...
            value, error = None, exc
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(_timed_out(pilot, predicate, timeout, what, error))
        await pilot.pause(STEP)


def _timed_out(pilot, predicate, timeout: float, what: str | None, error: Exception | None) -> str:
    lines = [f"timed out after {timeout:g}s waiting for {what or _describe(predicate)}"]
    if error is not None:
        lines.append(f"the last check raised {error!r}")
    lines += ["--- screen ---", screen_text(pilot.app)]
    return "\n".join(lines)


def _describe(predicate) -> str:
    try:
        source = " ".join(inspect.getsource(predicate).split())
    except (OSError, TypeError):
        return repr(predicate)
    return source if len(source) <= 200 else source[:199] + "…"


def strips(app):
    """The current screen as Textual paints it, modal backgrounds included (like ``export_screenshot``)."""
    from textual._context import visible_screen_stack

    token = visible_screen_stack.set(app._background_screens)
    try:
        return app.screen._compositor.render_strips()
    finally:
        visible_screen_stack.reset(token)


def screen_text(app) -> str:
    """What the screen shows, one line per row (plain text)."""
    try:
        return "\n".join(strip.text for strip in strips(app))
    except Exception as exc:  # noqa: BLE001 - a screen that cannot render is itself worth showing
        return f"<cannot render: {exc!r}>"


async def workers_done(app) -> None:
    """Wait for the app's workers to finish, but the Endpoints screen's poller (it runs for good)."""
    others = [w for w in app.workers if w.group != "endpoints-poll"]
    if others:  # (an empty list would mean every worker)
        await app.workers.wait_for_complete(others)
