"""Widgets in a small host app: LogView, EndpointTable, clipboard, header."""

from __future__ import annotations

import base64
import dataclasses

from textual.app import App, ComposeResult

from hftui.widgets.clipboard import copy, note, osc52
from hftui.widgets.endpoint_table import EndpointTable
from hftui.widgets.header import HeaderInfo, header_text
from hftui.widgets.log_view import LogView

from tests.ui_endpoints.helpers import endpoint as ep


class Host(App):
    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def test_log_view_handles_50k_lines_follows_and_appends_only_growth():
    view = LogView()
    async with Host(view).run_test(size=(100, 30)) as pilot:
        text = "".join(f"line {i} \x1b[31mred\x1b[0m\n" for i in range(50_000))
        assert view.set_text(text) == 50_000
        await pilot.pause()
        assert view.line_count == 50_000
        assert view.is_vertical_scroll_end
        assert "\x1b" not in view.text and "line 49999 red" in view.text
        assert view.set_text(text + "more 1\nmore 2\n") == 2
        await pilot.pause()
        assert view.line_count == 50_002 and view.is_vertical_scroll_end
        view.focus()
        await pilot.press("pageup")
        assert not view.is_vertical_scroll_end
        assert view.set_text("rotated\n") == 1  # not a continuation: reset
        assert view.line_count == 1


async def test_endpoint_table_updates_in_place():
    table = EndpointTable()
    async with Host(table).run_test(size=(120, 10)) as pilot:
        eps = [ep(f"e{i:03d}") for i in range(50)]
        table.update(eps)
        await pilot.pause()
        table.focus()
        table.move_cursor_to("ns/e030")
        await pilot.pause()
        offset = table.scroll_offset
        new = list(eps)
        new[5] = ep("e005", state="paused", ready=0)
        new[31] = ep("e031", ready=2)
        result = table.update(new)
        assert set(result.changed) == {"ns/e005", "ns/e031"}
        assert result.transitions == (("ns/e005", "running", "paused"),)
        assert table.cursor_key == "ns/e030" and table.scroll_offset == offset
        assert table.marks("ns/e031") == {"replicas": "↑"}
        assert table.marks("ns/e005")["state"] == "Δ"
        # an unchanged poll clears the markers and changes nothing else
        result = table.update([dataclasses.replace(e) for e in new])
        assert result.changed == () and table.marks("ns/e031") == {}
        # removal and addition keep the cursor on its endpoint
        table.update([e for e in new if e.name != "e000"] + [ep("e999")])
        assert table.cursor_key == "ns/e030"
        assert table.get("ns/e000") is None and table.get("ns/e999") is not None


async def test_endpoint_table_renders_state_words_and_glyphs():
    table = EndpointTable()
    async with Host(table).run_test(size=(120, 10)) as pilot:
        table.update([ep("a", "failed", 0), ep("b", "scaledToZero", 0), ep("c", "weirdNewState", 0)])
        await pilot.pause()
        lines = [table.render_line(y).text for y in range(4)]
        assert "NAME" in lines[0] and "STATE" in lines[0]
        assert "✗ failed" in lines[1] and "○ scaledToZero" in lines[2] and "? weirdNewState" in lines[3]


PLAIN = "\x1b]52;c;aGk=\x07"  # base64("hi") = aGk=


def test_osc52_plain_everywhere_wrapped_only_where_it_helps():
    assert osc52("hi", {}) == PLAIN
    # TERM=screen* is what tmux sets too (and what ssh carries from a local tmux): no screen wrap.
    assert osc52("hi", {"TERM": "screen-256color"}) == PLAIN
    assert osc52("hi", {"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "screen-256color"}) == (
        PLAIN + "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\")
    assert osc52("hi", {"STY": "1234.pts-0.host"}) == PLAIN + "\x1bP\x1b]52;c;aGk=\x07\x1b\\"
    both = osc52("hi", {"TMUX": "x", "STY": "y"})
    assert both == PLAIN + "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\" + "\x1bP\x1b]52;c;aGk=\x07\x1b\\"


def test_osc52_screen_chunks_long_payloads():
    text = "x" * 200
    seq = osc52(text, {"STY": "1"})
    plain = "\x1b]52;c;" + base64.b64encode(text.encode()).decode() + "\x07"
    assert seq.startswith(plain)
    wrapped = seq[len(plain):]
    chunks = wrapped.split("\x1b\\")[:-1]
    assert all(c.startswith("\x1bP") and len(c) <= 2 + 76 for c in chunks)
    assert "".join(c[2:] for c in chunks) == plain


def test_copy_writes_the_sequences_to_the_terminal(monkeypatch):
    written = []

    class Driver:
        def write(self, data):
            written.append(data)

    class FakeApp:
        is_headless = False
        _driver = Driver()

    monkeypatch.setenv("TMUX", "/tmp/tmux")
    monkeypatch.delenv("STY", raising=False)
    app = FakeApp()
    assert copy(app, "hi") and app._clipboard == "hi"
    assert written == [PLAIN + "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"]
    assert note() == "(OSC 52 + tmux passthrough) — your terminal must allow clipboard writes"
    assert not copy(app, "x" * 200_000) and len(written) == 1  # too long: nothing sent
    monkeypatch.delenv("TMUX")
    assert note() == "(OSC 52) — your terminal must allow clipboard writes"


def test_header_text():
    info = HeaderInfo(user="alice", namespace="acme", running=3, burn_per_hour=4.2, interval=5, state="ok")
    assert header_text(info) == "hftui · alice@acme · 3 running · $4.20/h · ⟳ 5s ok"
    assert header_text(HeaderInfo()) == "hftui"


async def test_checkbox_and_radio_state_read_by_glyph_not_colour():
    from textual.containers import Vertical
    from textual.widgets import Checkbox, RadioButton, RadioSet

    from hftui.widgets.toggles import install

    install()
    install()  # idempotent

    class Form(App):
        def compose(self) -> ComposeResult:
            with Vertical():
                yield Checkbox("include my token", id="cb")
                with RadioSet():
                    yield RadioButton("curl", value=True, id="r1")
                    yield RadioButton("python", id="r2")

    app = Form()
    async with app.run_test(size=(40, 10)) as pilot:
        cb = app.query_one("#cb", Checkbox)
        assert str(cb.render()).startswith("▐ ▌")
        cb.value = True
        await pilot.pause()
        assert str(cb.render()).startswith("▐X▌")
        r1, r2 = app.query_one("#r1", RadioButton), app.query_one("#r2", RadioButton)
        assert str(r1.render()).startswith("▐●▌") and str(r2.render()).startswith("▐ ▌")
        r2.value = True
        await pilot.pause()
        assert str(r1.render()).startswith("▐ ▌") and str(r2.render()).startswith("▐●▌")


def test_the_app_installs_the_toggle_glyphs(still_emulator):
    from textual.widgets._radio_button import RadioButton
    from textual.widgets._toggle_button import ToggleButton

    from hftui.widgets.toggles import StateGlyph
    from tests.ui_endpoints.helpers import make_app

    make_app(still_emulator)
    assert isinstance(ToggleButton.__dict__["BUTTON_INNER"], StateGlyph)
    assert isinstance(RadioButton.__dict__["BUTTON_INNER"], StateGlyph)
