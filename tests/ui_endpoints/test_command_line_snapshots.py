"""Issue 11.5: the ``:`` line at 80x24 and 120x40 shows the typed text, the completion (dimmed)
and the hint row (the old one showed only the field's border rows)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app


async def _typing_ep(pilot):
    from hftui.widgets.command_line import CommandLine

    await endpoints_screen(pilot)
    await pilot.press("colon")
    line = await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandLine) and pilot.app.screen)
    box = line.query_one(Input)
    box.cursor_blink = False
    await pilot.press(*"ep d")
    await wait_until(pilot, lambda: box._suggestion == ":ep demo-user", what="the completion")
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_command_line(snap_compare, still_emulator, size):
    assert snap_compare(make_app(still_emulator), terminal_size=size, run_before=_typing_ep)
