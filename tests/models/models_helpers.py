"""Wait helpers for the Models / History / Export tests (imported by name: tests dirs are not packages)."""

from __future__ import annotations

import time

async def wait_until(pilot, predicate, timeout: float = 20.0, what: str = "condition") -> None:
    """Pause the pilot until ``predicate()`` is true (fails the test after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001 - widgets may not exist yet
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def models_screen(app):
    from hftui.screens.models import ModelsScreen

    screen = app.screen
    return screen if isinstance(screen, ModelsScreen) else None


async def wait_models_ready(pilot, *, card: bool = True, timeout: float = 20.0):
    """Wait for the Models screen, its results, and (optionally) the detail + card of the cursor row."""
    app = pilot.app
    await wait_until(pilot, lambda: models_screen(app).query_one("ModelTable") is not None, timeout,
                     "the Models screen")
    screen = models_screen(app)
    table = screen.query_one("ModelTable")
    await wait_until(pilot, lambda: table.row_count > 0 and not screen.searching,
                     timeout, "search results")
    if card:
        detail = screen.query_one("ModelDetail")
        await wait_until(pilot, lambda: detail.card_loaded and detail.model_id == table.current.id,
                         timeout, "the detail pane")
    await pilot.pause()
    return screen
