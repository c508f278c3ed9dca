"""What an idle Endpoints screen sends to the terminal: the spinner repaints one cell per busy
row, slowly unless an action is waited on; an unchanged title, header or footer is not redrawn."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app, poll_once
from tests.ui_endpoints.test_widgets import Host, ep
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from hftui.widgets import endpoint_table
from hftui.widgets.endpoint_table import SPINNER, EndpointTable
from hftui.widgets.header import AppHeader, HeaderInfo, header_text


def spy_refresh(widget) -> list[tuple]:
    """Record the regions of every ``widget.refresh`` call (() = the whole widget)."""
    calls: list[tuple] = []
    original = widget.refresh

    def refresh(*regions, **kw):
        calls.append(regions)
        return original(*regions, **kw)

    widget.refresh = refresh
    return calls


def rows() -> list:
    return [ep("alpha"), ep("bravo", state="initializing", ready=0), ep("charlie", state="paused"),
            ep("delta", state="updating")]


async def test_a_spinner_frame_repaints_only_the_state_glyph_of_busy_rows():
    table = EndpointTable()
    async with Host(table).run_test(size=(120, 10)) as pilot:
        table.update(rows())
        await pilot.pause()
        calls = spy_refresh(table)
        table._spin()
        assert len(calls) == 1
        regions = calls[0]
        assert [r.y for r in regions] == [2, 4]  # the header line, then alpha..delta: bravo and delta are busy
        for region in regions:
            assert (region.width, region.height) == (1, 1)
            line = "".join(seg.text for seg in table.render_line(region.y))
            assert line[region.x] == SPINNER[table.spinner_frame]
            assert line[region.x + 2:].startswith(("initializing", "updating"))


async def test_no_spinner_repaint_when_the_state_column_is_scrolled_off():
    table = EndpointTable()
    async with Host(table).run_test(size=(50, 10)) as pilot:
        table.update(rows())
        await pilot.pause()
        assert not table.layout_info.fits
        table.action_scroll_right()
        await pilot.pause()
        line = "".join(seg.text for seg in table.render_line(2))
        assert "bravo" in line and "initializing" not in line and SPINNER[0] not in line
        calls = spy_refresh(table)
        table._spin()
        assert calls == []


async def test_the_spinner_turns_slowly_unless_an_action_is_waited_on(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(endpoint_table, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    table = EndpointTable()
    async with Host(table).run_test(size=(120, 10)) as pilot:
        table.update(rows())
        await pilot.pause()
        frames = []
        for _ in range(9):  # ticks over two seconds
            table._spin()
            frames.append(table.spinner_frame)
            clock[0] += endpoint_table.SPIN_FAST
        assert endpoint_table.SPIN_SLOW == 2.0
        assert frames == [1] * 8 + [2]  # one new frame every SPIN_SLOW seconds
        table.set_pending("ns/alpha", "pausing")
        before = table.spinner_frame
        table._spin()
        clock[0] += endpoint_table.SPIN_FAST
        table._spin()
        assert table.spinner_frame == (before + 2) % len(SPINNER)


async def test_a_poll_that_changes_nothing_does_not_repaint_the_table(still_emulator):
    app = make_app(still_emulator, first_screen="endpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_screen(pilot)
        await poll_once(pilot, screen)
        calls = spy_refresh(screen.table)
        await poll_once(pilot, screen)
        assert () not in calls  # (the whole widget, border title included)
        screen.filter_text = "gpt2"
        screen._update_title()
        assert () in calls


class HeaderHost(App):
    header_info: var[HeaderInfo] = var(HeaderInfo)

    def compose(self) -> ComposeResult:
        yield AppHeader()


async def test_the_header_repaints_only_when_its_line_changes():
    app = HeaderHost()
    async with app.run_test(size=(100, 3)) as pilot:
        header = app.query_one(AppHeader)
        app.header_info = HeaderInfo(user="alice", interval=5, state="ok")
        await pilot.pause()
        calls = spy_refresh(header)
        for seconds in range(2, 6):  # a slow poll counts the seconds once a second
            app.header_info = dataclasses.replace(app.header_info, state=f"refreshing… {seconds}s")
            await pilot.pause()
        assert len(calls) == 1
        assert header_text(app.header_info) == "hftui · alice@alice · ⟳ 5s refreshing…"
        app.header_info = dataclasses.replace(app.header_info, state="ok", running=2)
        await pilot.pause()
        assert len(calls) == 2


class Counted(Screen):
    BINDINGS = [Binding("x", "toggle", "Toggle"), Binding("y", "other", "Other")]

    def compose(self) -> ComposeResult:
        yield Footer()

    def check_action(self, action: str, parameters) -> bool | None:
        return None if action == "other" and getattr(self.app, "other_off", False) else True

    def action_toggle(self) -> None:
        self.app.other_off = not getattr(self.app, "other_off", False)
        self.refresh_bindings()


class TwoModes(App):
    MODES = {"a": Counted, "b": Counted}
    DEFAULT_MODE = "a"
    BINDINGS = [Binding("1", "switch_mode('a')", "A"), Binding("2", "switch_mode('b')", "B")]


async def test_a_screen_switch_does_not_rebuild_an_unchanged_footer():
    from hftui.widgets.footer import install

    install()
    app = TwoModes()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.press("2", "1")
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        keys = list(footer.query(FooterKey))
        for key in "2121":
            await pilot.press(key)
            await pilot.pause()
        assert app.screen.query_one(Footer) is footer
        assert list(footer.query(FooterKey)) == keys  # the very same widgets: not rebuilt
        other = next(k for k in keys if k.key == "y")
        assert not other.has_class("-disabled")
        await pilot.press("x")  # a binding's state changes: the footer follows
        await pilot.pause()
        await pilot.pause()
        other = next(k for k in footer.query(FooterKey) if k.key == "y")
        assert other.has_class("-disabled")
