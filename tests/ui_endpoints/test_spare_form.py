"""The create form built ahead (a spare): opens built, and a fresh ``a`` is still a fresh form."""

from __future__ import annotations

from textual.widgets import Input, Static

from hftui.screens.endpoint_form import EndpointFormScreen
from hftui.widgets.confirm import ConfirmScreen

from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app

SIZE = (120, 40)


def spare_of(screen):
    spare = screen._spare_form
    return spare._screen if spare._ready else None


async def test_a_opens_the_spare_and_the_next_a_a_fresh_form(still_emulator):
    app = make_app(still_emulator)
    app.warm_screens = True  # tests switch the warm-up off (frozen clock); spares come with it
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        spare = await wait_until(pilot, lambda: spare_of(screen), what="a spare create form", timeout=30)
        assert not spare.is_current
        await pilot.press("a")
        form = await wait_until(pilot, lambda: isinstance(app.screen, EndpointFormScreen) and app.screen)
        assert form is spare
        assert app.focused is form.query_one("#name", Input)
        await wait_until(pilot, lambda: form.selected_compute() is not None, what="instance chosen")
        # What a user does in it: type, fail to submit, discard.
        await pilot.press(*"Bad_Name", "ctrl+s")
        await wait_until(pilot, lambda: "Fix" in str(form.query_one("#form-error", Static).render()))
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("right", "enter")  # Discard
        await wait_until(pilot, lambda: app.screen is screen, what="the form closed")
        # The next spare is another form: nothing of the first attempt in it.
        second = await wait_until(pilot, lambda: spare_of(screen), what="the next spare", timeout=30)
        assert second is not form
        await pilot.press("a")
        await wait_until(pilot, lambda: app.screen is second, what="the second form")
        assert second.query_one("#name", Input).value == ""
        assert second.query_one("#form-error", Static).has_class("-empty")
        assert not second.dirty
        assert app.focused is second.query_one("#name", Input)


async def test_a_spare_for_another_namespace_is_not_used(still_emulator):
    app = make_app(still_emulator)
    app.warm_screens = True
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        spare = await wait_until(pilot, lambda: spare_of(screen), what="a spare create form", timeout=30)
        assert spare.namespace is not None
        screen._spare_form._key = ("someone-else", 0)  # as if built before a namespace change
        await pilot.press("a")
        form = await wait_until(pilot, lambda: isinstance(app.screen, EndpointFormScreen) and app.screen)
        assert form is not spare
        assert form.namespace == spare.namespace
