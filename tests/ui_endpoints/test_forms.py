"""Create / update forms: catalog-driven, validated at the field, only changes sent."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from hftui.screens.endpoint_form import EndpointFormScreen, parse_pairs
from hftui.widgets.confirm import ConfirmScreen

from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app

SIZE = (120, 40)


def field_error(form, key) -> str:
    return str(form.query_one(f"#err-{key}", Static).render())


def form_error(form) -> str:
    return str(form.query_one("#form-error", Static).render())


async def open_create(pilot):
    app = pilot.app
    screen = await endpoints_screen(pilot)
    await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
    await pilot.press("a")
    form = await wait_until(pilot, lambda: isinstance(app.screen, EndpointFormScreen) and app.screen)
    await wait_until(pilot, lambda: form.selected_compute() is not None, what="instance chosen")
    return screen, form


def test_parse_pairs():
    assert parse_pairs("A=1, B = two") == ({"A": "1", "B": "two"}, None)
    assert parse_pairs("")[0] == {}
    assert parse_pairs("oops")[1]
    assert parse_pairs("bad key=1")[1]


async def test_create_validates_at_the_field_and_sends_nothing(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        _, form = await open_create(pilot)
        await pilot.press(*"Bad_Name")
        await pilot.pause()
        assert "lowercase" in field_error(form, "name")
        form.query_one("#max_replica", Input).value = "x"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "nothing was sent" in form_error(form)
        assert "required" in field_error(form, "repository")
        assert "whole number" in field_error(form, "max_replica")
        assert form.sent is None
        assert isinstance(app.screen, EndpointFormScreen)
        assert form.query_one("#name", Input).value == "Bad_Name"  # kept


async def test_catalog_cascade_shows_prices(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        _, form = await open_create(pilot)
        accel = form.query_one("#accelerator", Select)
        accel.value = "gpu"
        await pilot.pause()
        compute = form.selected_compute()
        assert compute.accelerator == "gpu"
        cost = str(form.query_one("#cost", Static).render())
        assert f"${compute.price_per_hour:,.2f} per replica-hour" in cost
        form.query_one("#min_replica", Input).value = "2"
        form.query_one("#max_replica", Input).value = "3"
        await pilot.pause()
        cost = str(form.query_one("#cost", Static).render())
        assert f"${compute.price_per_hour * 2:,.2f}/h running" in cost
        assert f"${compute.price_per_hour * 3:,.2f}/h at 3 replicas" in cost


async def test_create_shows_cost_keeps_form_on_server_error_then_creates(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen, form = await open_create(pilot)
        form.query_one("#name", Input).value = "new-gpt2"
        form.query_one("#repository", Input).value = "openai-community/gpt2"
        form.query_one("#task", Input).value = "text-generation"
        form.query_one("#env", Input).value = "A=1"
        await pilot.pause()
        emulator.inject("500", path=r"/v2/endpoint/demo-user$", method="POST")
        await pilot.press("ctrl+s")
        confirm = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        body = str(confirm.query_one(".confirm-body", Static).render())
        assert "per replica-hour" in body and "$" in body
        await pilot.press("y")  # Cancel has the focus
        await wait_until(pilot, lambda: "refused" in form_error(form), what="server error in the form")
        assert "500" in form_error(form)
        assert app.screen is form
        assert form.query_one("#name", Input).value == "new-gpt2"
        assert form.query_one("#repository", Input).value == "openai-community/gpt2"
        assert emulator.endpoint("demo-user", "new-gpt2") is None
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the table")
        created = emulator.endpoint("demo-user", "new-gpt2")
        assert created is not None
        assert created["model"]["repository"] == "openai-community/gpt2"
        assert created["model"]["env"] == {"A": "1"}
        assert screen.table.get("demo-user/new-gpt2") is not None
        assert screen.table.cursor_key == "demo-user/new-gpt2"


async def test_update_sends_only_changed_fields(still_emulator):
    from hftui.client.endpoints import EndpointUpdate

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
        screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.press("e")
        form = await wait_until(pilot, lambda: isinstance(app.screen, EndpointFormScreen) and app.screen)
        await wait_until(pilot, lambda: form.selected_compute() is not None)
        assert form.query_one("#repository", Input).value == "openai-community/gpt2"
        assert form.query_one("#name", Input).disabled
        compute = form.selected_compute()
        assert (compute.instance_type, compute.instance_size) == ("intel-icl", "x2")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Nothing changed" in form_error(form)
        form.query_one("#max_replica", Input).value = "3"
        await pilot.pause()
        await pilot.press("ctrl+s")
        confirm = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        assert "3 replicas" in str(confirm.query_one(".confirm-body", Static).render())
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen, what="form closed")
        assert form.sent == EndpointUpdate(max_replica=3)
        assert form.sent.to_payload() == {"compute": {"scaling": {"maxReplica": 3}}}
        assert still_emulator.endpoint("demo-user", "gpt2-demo")["compute"]["scaling"]["maxReplica"] == 3


async def test_escape_in_a_form_field_leaves_the_field_first(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen, form = await open_create(pilot)
        await pilot.press(*"abc")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form and not isinstance(app.focused, Input)
        # Something was typed: the second Esc asks before throwing it away (Cancel focused).
        await pilot.press("escape")
        confirm = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        assert confirm._title == "Discard your changes?"
        await pilot.press("enter")  # Cancel: back to the form, text kept
        await wait_until(pilot, lambda: app.screen is form)
        assert form.query_one("#name", Input).value == "abc"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("right", "enter")  # Discard
        await wait_until(pilot, lambda: app.screen is screen, what="the form closed")


async def test_escape_closes_an_untouched_form_at_once(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen, form = await open_create(pilot)
        await pilot.press("escape")  # leaves the name field
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="the form closed")


async def test_update_sends_each_edited_field_and_nothing_untouched(still_emulator):
    from hftui.client.endpoints import EndpointUpdate

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
        screen.table.move_cursor_to("demo-user/llama-chat")
        await pilot.press("e")
        form = await wait_until(pilot, lambda: isinstance(app.screen, EndpointFormScreen) and app.screen)
        await wait_until(pilot, lambda: form.selected_compute() is not None)
        assert form.query_one("#env", Input).value == "MAX_INPUT_LENGTH=4096, MAX_TOTAL_TOKENS=8192"
        form.query_one("#env", Input).value = "MAX_INPUT_LENGTH=2048, MAX_TOTAL_TOKENS=8192"
        form.query_one("#revision", Input).value = "main"
        form.query_one("#secrets", Input).value = "TOKEN=s3cret"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="form closed")
        env = {"MAX_INPUT_LENGTH": "2048", "MAX_TOTAL_TOKENS": "8192"}
        assert form.sent == EndpointUpdate(revision="main", env=env,
                                           secrets={"TOKEN": "s3cret"})
        assert "s3cret" not in repr(form.sent)
        assert still_emulator.endpoint("demo-user", "llama-chat")["model"]["env"]["MAX_INPUT_LENGTH"] == "2048"


async def test_markup_typed_into_fields_is_shown_as_text(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        _, form = await open_create(pilot)
        form.query_one("#env", Input).value = "[b]K[/b]"
        await pilot.pause()
        assert "[b]K[/b]" in field_error(form, "env")
        form.query_one("#name", Input).value = "[/]"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "nothing was sent" in form_error(form)


async def test_hardware_choices_have_no_blank_option_not_even_by_wrapping(still_emulator):
    """Issue 11 #14: a blank accelerator was reachable by wrapping round the list, and emptied Instance."""
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        _, form = await open_create(pilot)
        accel = form.query_one("#accelerator", Select)
        kinds = {c.accelerator for c in form.hardware.computes()}
        accel.focus()
        seen = []
        for direction in ("up", "down"):
            for _ in range(len(kinds) + 2):  # all the way round, and past the wrap
                await pilot.press("enter")
                await pilot.press(direction, "enter")
                await pilot.pause()
                seen.append(accel.value)
                assert accel.value is not Select.NULL, seen
                assert form.selected_compute() is not None, seen
        assert set(seen) == kinds
        for key in ("vendor", "region", "instance"):
            sel = form.query_one(f"#{key}", Select)
            sel.focus()
            for _ in range(3):
                await pilot.press("enter", "up", "enter")
                await pilot.pause()
                assert sel.value is not Select.NULL, key
                assert form.selected_compute() is not None, key


async def test_without_a_catalog_the_hardware_choices_say_so_and_nothing_is_sent(still_emulator):
    from textual.widgets import Button

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        still_emulator.inject("500", path=r"/v2/provider", times=20)
        screen.catalog = None
        app.push_screen(EndpointFormScreen(namespace="demo-user"))
        form = await wait_until(pilot, lambda: isinstance(app.screen, EndpointFormScreen) and app.screen)
        await wait_until(pilot, lambda: "catalog unavailable" in form_error(form).lower(), what="the error")
        for key in ("vendor", "region", "accelerator", "instance"):
            sel = form.query_one(f"#{key}", Select)
            await wait_until(pilot, lambda sel=sel: "catalog unavailable" in str(sel.query_one("SelectCurrent").label),
                             what=key)
            assert form.hardware.value(key) is None
        form.query_one("#name", Input).value = "x"
        form.query_one("#repository", Input).value = "openai-community/gpt2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "choose an instance" in field_error(form, "instance") and form.sent is None
        assert not form.query_one("#submit", Button).disabled
