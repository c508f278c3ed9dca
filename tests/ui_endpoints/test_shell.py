"""App shell: login, screens by number, `:` line, palette, help, keymap, safe text."""

from __future__ import annotations

from textual.widgets import Input, Static

from hftui.screens.endpoints import EndpointsScreen

from tests.support.app import hftui_app
from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app

SIZE = (120, 40)


async def command(pilot, text: str) -> None:
    from hftui.widgets.command_line import CommandLine

    await pilot.press("colon")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandLine))
    await pilot.press(*text, "enter")
    await pilot.pause(0.2)


async def test_login_rejects_a_bad_token_then_saves_a_good_one(still_emulator):
    from hftui.auth import hftui_token_path
    from hftui.screens.login import LoginScreen

    app = make_app(still_emulator, token=False)
    async with app.run_test(size=SIZE) as pilot:
        login = await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        box = login.query_one("#token-input", Input)
        assert box.password
        await pilot.press(*"hf_wrong", "enter")
        await wait_until(pilot, lambda: "Token rejected: 401" in str(login.query_one("#login-message", Static).render()))
        assert box.value == "hf_wrong"  # kept (masked) and selected: a new paste replaces it
        assert box.selection.start == 0 and box.selection.end == len("hf_wrong")
        assert not hftui_token_path().exists()
        await pilot.press(*still_emulator.token, "enter")
        screen = await endpoints_screen(pilot)
        assert isinstance(screen, EndpointsScreen)
        assert hftui_token_path().read_text() == still_emulator.token
        assert app.whoami.name == "demo-user"
        # the token is never on screen
        assert still_emulator.token not in app.export_screenshot()


async def test_login_when_the_hub_cannot_be_reached_keeps_the_token(still_emulator):
    import socket

    from hftui.app import HFTUIApp
    from hftui.auth import hftui_token_path
    from hftui.config import Settings
    from hftui.screens.login import LoginScreen

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = HFTUIApp(Settings().with_base_url(f"http://127.0.0.1:{port}"), None)
    async with app.run_test(size=SIZE) as pilot:
        login = await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        box = login.query_one("#token-input", Input)
        await pilot.press(*"hf_pasted", "enter")
        message = login.query_one("#login-message", Static)
        await wait_until(pilot, lambda: "Could not reach" in str(message.render()), timeout=15)
        text = str(message.render())
        assert f"Could not reach 127.0.0.1:{port}" in text and "rejected" not in text, text
        assert "press Enter to try again" in text
        assert box.value == "hf_pasted"
        assert not hftui_token_path().exists()


async def test_a_refused_token_sends_back_to_login_with_the_message(still_emulator):
    from hftui.screens.login import LoginScreen

    still_emulator.inject("401", path=r"/api/whoami-v2$")
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        def message() -> str:
            if not isinstance(app.screen, LoginScreen):
                return ""
            found = app.screen.query("#login-message")
            return str(found.first(Static).render()) if found else ""

        # the screen can be up a frame before its message is set
        assert "401" in await wait_until(pilot, lambda: "401" in message() and message())


async def test_number_keys_switch_screens_and_keep_state(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        screen.table.move_cursor_to("demo-user/llama-chat")
        await pilot.press("1")
        await pilot.pause(0.2)
        assert app.current_mode == "models"
        await pilot.press("2")
        await pilot.pause(0.2)
        assert app.current_mode == "playground"
        await pilot.press("escape", "3")  # the Playground opens with focus in its form: Esc leaves it
        await pilot.pause()
        assert app.screen is screen
        assert screen.table.cursor_key == "demo-user/llama-chat"


async def test_command_line_namespace_screen_actions_and_quit(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await command(pilot, "ep acme-ml")
        await wait_until(pilot, lambda: screen.namespace == "acme-ml" and screen.table.row_count
                         and all(e.namespace == "acme-ml" for e in screen.table.endpoints()))
        await command(pilot, "faults")  # a screen action by name
        assert screen.faults_only
        await command(pilot, "nonsense")
        assert any("Unknown command" in str(n.message) for n in app._notifications)
        await command(pilot, "models")
        assert app.current_mode == "models"
        await command(pilot, "ep")
        assert app.screen is screen
        await command(pilot, "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_palette_offers_app_and_screen_commands(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Go to Models" in titles and "Go to Endpoints" in titles
        assert any(t.startswith("Pause") for t in titles)
        assert any(t.startswith("Delete") for t in titles)


async def test_help_lists_the_screen_keys(still_emulator):
    from hftui.screens.help import HelpScreen

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        await endpoints_screen(pilot)
        await pilot.press("question_mark")
        help_screen = await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen)
        await pilot.pause()
        text = "\n".join(str(s.render()) for s in help_screen.query(Static))
        assert "Pause" in text and ("ctrl+d" in text.lower() or "^d" in text)
        # Long explanations wrap inside their column: every tip starts at the same x.
        tips = [s for s in help_screen.query(".help-tip") if str(s.render())]
        assert len({s.region.x for s in tips}) == 1 and any(s.region.height > 1 for s in tips)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EndpointsScreen)


async def test_keymap_from_config_remaps_a_binding(still_emulator):
    app = make_app(still_emulator, keymap={"endpoints.pause": "P"})
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.press("p")
        await pilot.pause(0.3)
        assert still_emulator.endpoint("demo-user", "gpt2-demo")["status"]["state"] == "running"
        await pilot.press("P", "y")  # (the question comes first)
        await wait_until(pilot, lambda: still_emulator.endpoint("demo-user", "gpt2-demo")["status"]["state"]
                         == "paused", what="pause through the remapped key")


def test_every_binding_has_an_id_and_tooltip_and_no_prefix_key():
    from textual.binding import Binding

    from hftui.app import HFTUIApp
    from hftui.keys import FORBIDDEN_DEFAULT_KEYS
    from hftui.screens import (endpoint_delete, endpoint_describe, endpoint_form, endpoint_logs,
                               endpoint_namespace, endpoint_wait, endpoints, help, login)
    from hftui.widgets import command_line, confirm, endpoint_table, log_view

    classes = [HFTUIApp, endpoints.EndpointsScreen, endpoint_delete.DeleteEndpointScreen,
               endpoint_describe.DescribeScreen, endpoint_form.EndpointFormScreen, endpoint_logs.LogsScreen,
               endpoint_namespace.NamespaceScreen, endpoint_wait.WaitScreen, help.HelpScreen, login.LoginScreen,
               command_line.CommandLine, confirm.ConfirmScreen, endpoint_table.EndpointTable, log_view.LogView]
    for cls in classes:
        for b in cls.__dict__.get("BINDINGS", []):
            assert isinstance(b, Binding)
            assert b.id, (cls.__name__, b.key)
            assert b.tooltip, (cls.__name__, b.key)
            keys = {k.strip() for k in b.key.split(",")}
            assert not keys & FORBIDDEN_DEFAULT_KEYS, (cls.__name__, b.key)


async def test_escape_in_the_filter_returns_to_the_table(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await pilot.press("slash", "x")
        assert isinstance(app.focused, Input)
        await pilot.press("escape")
        assert app.focused is screen.table
        await pilot.press("f")  # a screen key works again
        assert screen.faults_only


def test_safe_text_strips_controls_and_escapes_markup():
    from hftui.widgets.safe_text import clean, one_line, safe_markup, safe_text

    evil = "ok\x1b]52;c;aGk=\x07\x1b[2J[bold red]x[/]\x00\u202e\x9b31m"
    assert clean(evil) == "ok[bold red]x[/]"
    assert safe_markup("[link=x]y[/link]") == "\\[link=x]y\\[/link]"
    assert safe_text("[b]x[/b]").plain == "[b]x[/b]"
    assert one_line("a\nb\tc") == "a b c"
    assert len(clean("x" * 50_000, limit=100)) == 100
    assert clean(None) == ""


async def test_server_strings_are_rendered_as_text(still_emulator):
    """A hostile name/message/model reaches the screen as text, not markup or escapes."""
    import dataclasses

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        ep = screen.table.get("demo-user/gpt2-demo")
        evil = dataclasses.replace(ep, repository="[@click=app.quit]x[/] \x1b[2J", message="[red]boom",
                                   raw={**ep.raw, "evil": True})
        screen.table.update_one(evil)
        await pilot.pause()
        assert screen.table.cell_text("demo-user/gpt2-demo", "model").strip() == "[@click=app.quit]x[/]"
        shot = app.export_screenshot()
        assert "[@click=app.quit]x[/]" in shot.replace("&#160;", " ")


async def test_keymap_section_of_the_config_file(still_emulator, tmp_path):
    from hftui.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"endpoints.faults" = "F"\n"app.help" = "f2"\n', encoding="utf-8")
    settings = load_settings(config, environ={})
    app = hftui_app(still_emulator.base_url, still_emulator.token, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await pilot.press("f")
        assert not screen.faults_only
        await pilot.press("F")
        assert screen.faults_only
        await pilot.press("f2")
        await pilot.pause()
        from hftui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Endpoints: acme-ml" in titles


async def test_batch_key_and_command_open_the_batch_screen_on_the_endpoint(still_emulator):
    from hftui.screens.batch import BatchScreen

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.press("b")
        batch = await wait_until(pilot, lambda: isinstance(app.screen, BatchScreen) and app.screen)
        app.pop_screen()
        await pilot.pause()
        assert app.screen is screen
        await command(pilot, "batch")
        assert isinstance(app.screen, BatchScreen) and app.screen is not batch


async def test_play_command_opens_the_playground(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        await endpoints_screen(pilot)
        await command(pilot, "play openai-community/gpt2")
        await wait_until(pilot, lambda: app.current_mode == "playground", what="playground")
        assert app.header_info.screen == "Playground"


async def test_login_reaches_the_first_screen_even_when_choosing_it_is_slow(still_emulator, monkeypatch):
    """The login screen's worker is cancelled when the screen is popped: choosing the first screen
    (a network call) must not run in it, or a slow answer leaves the app on "Connecting…"."""
    import asyncio

    import hftui.first_screen
    from hftui.screens.login import LoginScreen

    real = hftui.first_screen.first_screen

    async def slow(*args, **kw):
        await asyncio.sleep(0.5)
        return await real(*args, **kw)

    monkeypatch.setattr(hftui.first_screen, "first_screen", slow)
    app = make_app(still_emulator, token=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*still_emulator.token, "enter")
        assert isinstance(await endpoints_screen(pilot), EndpointsScreen)
