"""The main screens are built in the background once the first one is shown and idle, so a
first open is a switch; nothing of it shows on the screen in use."""

from __future__ import annotations

import gc

from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app


def warm_app(emulator, first_screen: str):
    app = make_app(emulator, first_screen=first_screen)
    app.warm_screens = True
    calls: list[tuple[str, str, int | None]] = []
    init_mode = app._init_mode

    def recorded(mode: str):
        # which screen was in use, and how far it was, when a mode was built
        try:
            in_use = app.screen
        except Exception:  # no screen yet (start-up)
            in_use = None
        calls.append((mode, type(in_use).__name__, getattr(in_use, "poll_count", None)))
        return init_mode(mode)

    app._init_mode = recorded
    return app, calls


def built(app, mode: str):
    try:
        return app.get_screen_stack(mode)[0]
    except KeyError:
        return None


async def test_the_other_screens_are_built_after_the_first_one_has_its_data(emulator):
    app, calls = warm_app(emulator, "endpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_screen(pilot)
        await wait_until(pilot, lambda: built(app, "models") and built(app, "playground"), timeout=15,
                         what="the warm-up")
        assert [c[0] for c in calls] == ["_default", "endpoints", "models", "playground"]
        for _mode, in_use, polls in calls[2:]:
            assert in_use == "EndpointsScreen" and polls >= 1  # after the first screen's data
        models = built(app, "models")
        table = models.query_one("ModelTable")
        await wait_until(pilot, lambda: table.row_count > 0, what="the models, loaded in the background")
        # the screen in use did not change: same screen, same header
        assert app.screen is screen and app.header_info.screen not in ("Models", "Playground")
        await pilot.press("1")
        assert app.screen is models and app.header_info.screen == "Models"
        assert table.row_count > 0


async def test_a_slow_first_list_still_comes_before_the_warm_up(emulator):
    """The poller is a loop the warm-up's idle check ignores: it waits for the first poll itself
    (a CI run on a loaded machine built Models before the endpoints were listed)."""
    emulator.inject("slow:4", path=r"/v2/endpoint/demo-user$", method="GET", times=1)
    app, calls = warm_app(emulator, "endpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_screen(pilot, loaded=False)
        await wait_until(pilot, lambda: built(app, "models") and built(app, "playground"), timeout=20,
                         what="the warm-up")
        assert [c[0] for c in calls][2:] == ["models", "playground"]
        assert all(polls >= 1 for _mode, _in_use, polls in calls[2:]), calls
        assert screen.poll_count >= 1


async def test_a_screen_opened_before_the_warm_up_got_to_it_is_kept(emulator):
    app, calls = warm_app(emulator, "endpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        await endpoints_screen(pilot)
        await pilot.press("2")
        playground = app.screen
        await wait_until(pilot, lambda: built(app, "models"), timeout=15, what="the warm-up")
        await pilot.pause(0.5)
        assert built(app, "playground") is playground and app.screen is playground
        assert [c[0] for c in calls].count("playground") == 1


async def test_once_warm_the_long_lived_objects_leave_the_collectors_reach(emulator):
    """A full collection over a warm app took 0.1–0.25 s, often in the middle of a key press."""
    app, _calls = warm_app(emulator, "models")
    assert gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: gc.get_freeze_count() > 0, timeout=20, what="the warm-up's end")
        assert built(app, "playground") and built(app, "endpoints")
        # and from now on the full passes wait for a quiet keyboard (hftui.idle_gc)
        assert app._idle_gc.started and gc.get_threshold()[2] > thresholds[2]
    assert gc.get_freeze_count() == 0  # the app gave them back when it ended
    assert gc.get_threshold() == thresholds


def test_no_warm_up_under_a_frozen_clock(emulator, monkeypatch):
    """Tests and screenshots see only the screens they open."""
    assert make_app(emulator).warm_screens is False
    monkeypatch.delenv("HFTUI_FROZEN_TIME")
    assert make_app(emulator).warm_screens is True
