"""Terminals: NO_COLOR snapshots at 80x24, every screen at 80x24, resizing keeps state, and the
real app in xterm / 16-colour / tmux / NO_COLOR terminals shows states as word + glyph."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Input, TextArea

from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready
from tests.hardening.ptyapp import PtyApp, ptys_available
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go

STATES = ("● running", "‖ paused", "✗ failed", "○ scaledToZero")


def _no_blink(app):
    for box in app.screen.query(Input):
        box.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


async def _endpoints(pilot):
    screen = await endpoints_ready(pilot)
    await wait_until(pilot, lambda: screen.catalog is not None and pilot.app.header_info.burn_per_hour is not None,
                     what="the catalog")
    screen.table.move_cursor_to("demo-user/gpt2-demo")
    await pilot.pause(0.3)  # the footer shows the keys for the row under the cursor
    await pilot.pause()


async def _models(pilot):
    screen = await go(pilot, "models")
    table = screen.query_one("ModelTable")
    detail = screen.query_one("ModelDetail")
    await wait_until(pilot, lambda: table.row_count > 0 and not screen.searching and detail.card_loaded
                     and detail.model_id == table.current.id, what="models and the detail")
    _no_blink(pilot.app)
    await pilot.pause(0.2)


async def _playground(pilot):
    screen = await go(pilot, "playground")
    await wait_until(pilot, lambda: screen.spec is not None, what="the form")
    _no_blink(pilot.app)
    await pilot.pause(0.2)


class TestNoColorSnapshots:
    """NO_COLOR=1 at 80x24: everything still reads (states are word + glyph)."""

    @pytest.mark.parametrize("screen,run_before", [("endpoints", _endpoints), ("models", _models),
                                                   ("playground", _playground)],
                             ids=["endpoints", "models", "playground"])
    def test_no_color(self, snap_compare, make_app, monkeypatch, screen, run_before):
        monkeypatch.setenv("NO_COLOR", "1")
        app = make_app(first_screen=screen)
        assert app.no_color
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_every_screen_at_80x24(make_app, hostile):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="rows")
        text = assert_clean_screen(app)
        assert "Endpoints(demo-user)[7]" in text and "running" in text
        assert len(text.splitlines()) == 24 and all(len(line) <= 80 for line in text.splitlines())
        screen.table.focus()
        # every view reachable from the table, each readable at 80x24
        for key, marker in (("d", "Namespace"), ("l", "Logs"), ("question_mark", "Keys"), ("n", "all namespaces"),
                            ("ctrl+d", "Delete"), ("a", "New endpoint")):
            await pilot.press(key)
            await wait_until(pilot, lambda: marker in screen_text(app), 10, f"{marker} after {key}")
            await pilot.pause()
            assert_clean_screen(app)
            for _ in range(3):  # the first esc may only leave a text field
                await pilot.press("escape")
                await pilot.pause(0.1)
                if app.screen is screen:
                    break
            await wait_until(pilot, lambda: app.screen is screen, 10, f"back from {key}")
            screen.table.focus()
        for name, marker in (("models", "Models["), ("playground", "Run"), ("history", "History")):
            await go(pilot, name)
            await wait_until(pilot, lambda: marker in screen_text(app), 10, name)
            await pilot.pause()
            text = assert_clean_screen(app)
            assert all(len(line) <= 80 for line in text.splitlines())
        await go(pilot, "endpoints")
        screen.table.focus()
        await pilot.press("b")  # the batch screen for the endpoint under the cursor
        await wait_until(pilot, lambda: type(app.screen).__name__ == "BatchScreen", 10, "the batch screen")
        await pilot.pause(0.2)
        assert_clean_screen(app)


async def test_resizing_keeps_the_cursor_and_typed_input(make_app, hostile):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="rows")
        screen.table.focus()
        assert screen.table.move_cursor_to("demo-user/llama-chat")
        await pilot.press("space")  # mark a row too
        marked = set(screen.table.selected_keys)
        for size in ((80, 24), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.2)
            assert screen.table.cursor_key == "demo-user/llama-chat", size
            assert set(screen.table.selected_keys) == marked
            assert_clean_screen(app)
        # typed text in a form survives a resize (create form)
        await pilot.press("a")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "EndpointFormScreen", what="the form")
        form = app.screen
        name = form.query_one("#name", Input) if form.query("#name") else form.query(Input).first()
        name.focus()
        name.value = ""
        await pilot.press(*"my-endpoint")
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.2)
        assert name.value == "my-endpoint"
        for _ in range(3):
            await pilot.press("escape")
            await pilot.pause(0.1)
            if app.screen is screen:
                break
        # the models search box and the playground prompt keep what was typed
        models = await go(pilot, "models")
        search = models.query_one("#models-search", Input)
        search.focus()
        await pilot.press(*"bert")
        play = await go(pilot, "playground")
        prompt = play.query(TextArea).first()
        prompt.text = "typed before resizing"
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.2)
        assert prompt.text == "typed before resizing"
        await go(pilot, "models")
        assert search.value == "bert"


TERMINALS = {
    "xterm-16": {"TERM": "xterm"},
    "xterm-256color": {"TERM": "xterm-256color"},
    "tmux-screen-256color": {"TERM": "screen-256color"},
    "linux-console": {"TERM": "linux"},
    "no-color": {"NO_COLOR": "1"},
}


@pytest.mark.skipif(not ptys_available(), reason="needs POSIX ptys and the hftui script")
@pytest.mark.parametrize("name", list(TERMINALS))
def test_states_read_in_every_terminal(name):
    """The real app in a pty: states are word + glyph whatever the colours, and the colour
    depth matches the terminal (no 256-colour codes on a 16-colour terminal)."""
    app = PtyApp(env=TERMINALS[name], size=(100, 30))
    try:
        assert app.wait_for("scaledToZero", 30), app.text[-2000:]
        app.write(b"\x03")
        assert app.wait_exit(10) == 0
        for state in STATES:
            assert state in app.text, f"{state} not shown in {name}"
        out = app.output
        truecolor = re.search(rb"\x1b\[[0-9;]*[34]8;2;", out)
        c256 = re.search(rb"\x1b\[[0-9;]*[34]8;5;", out)
        assert truecolor is None, name  # no terminal here claims truecolor (COLORTERM unset)
        if name in ("xterm-16", "linux-console"):
            assert c256 is None, f"256-colour codes sent to a 16-colour terminal ({name})"
        if name == "no-color":
            greys = {int(n) for n in re.findall(rb"[34]8;5;(\d+)", out)}
            colours = {n for n in greys if not (n >= 232 or n in (0, 7, 8, 15, 16, 59, 102, 145, 188, 231))}
            assert not colours, f"colours under NO_COLOR: {sorted(colours)[:10]}"
    finally:
        app.kill()
