"""Helpers for the Models / History / Export tests: the Models screen ready, history records."""

from __future__ import annotations

from tests.support.pilot import wait_until


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
