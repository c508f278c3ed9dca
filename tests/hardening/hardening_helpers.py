"""Helpers of the hardening tests: hostile text, checking the screen is clean and the app alive.

(Waiting and reading the screen: ``tests.support.pilot``; switching screens: ``tests.support.screens``.)
"""

from __future__ import annotations

import re

from tests.support.pilot import screen_text, strips, wait_until
from tests.support.screens import endpoints_screen, go

# What must never reach the terminal from server data: ESC, BEL, other C0 (but \n/\t are
# never inside a rendered segment either), DEL and C1 (8-bit CSI/OSC/ST...).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

MARKUP = "[bold red]B[/] [@click=app.quit]Q[/] [link=https://evil.example]L[/link]"
"""Textual/Rich markup that must be shown literally: nothing bold, no click action, no link."""

ESCAPES = "\x1b[2J\x1b]52;c;SGVsbG8=\x07\x1b]8;;https://evil.example\x1b\\ln\x1b]8;;\x1b\\\x07\x9b31m\x90dcs\x9c\x00\x08"
"""CSI clear screen, OSC 52 clipboard write, OSC 8 link, BEL, 8-bit CSI, DCS, NUL, BS."""


def hostile_text(tag: str) -> str:
    """A string with markup and escapes around a recognisable ``tag``."""
    return f"{tag}{MARKUP}{ESCAPES}"


def assert_clean_screen(app) -> str:
    """No control character in any rendered segment; no link or click meta from server text.

    Returns the screen text.
    """
    for y, strip in enumerate(strips(app)):
        for seg in strip:
            bad = CONTROL.search(seg.text)
            assert bad is None, f"control char {bad.group()!r} on row {y}: {seg.text!r}"
            style = seg.style
            if style is not None and style.link:
                assert "evil" not in style.link, f"server link rendered on row {y}: {style.link}"
            if style is not None and style.meta:
                action = str(style.meta.get("@click", ""))
                assert "quit" not in action, f"server click action on row {y}: {action}"
    for note in app._notifications:  # toasts (painted on their own layer)
        for part in (note.message, note.title or ""):
            bad = CONTROL.search(part.replace("\n", " "))  # a toast may have lines; nothing else
            assert bad is None, f"control char {bad.group()!r} in a notification: {part!r}"
        if note.markup and "[@click" in note.message:
            raise AssertionError(f"server markup in a markup notification: {note.message!r}")
    return screen_text(app)


def assert_markup_literal(text: str) -> None:
    """The markup tags are on screen as typed (at least the start of the string)."""
    assert "[bold red]B[/]" in text, text


async def endpoints_ready(pilot, polls: int = 1, timeout: float = 20.0):
    """The Endpoints screen after ``polls`` polls, whether or not the (hostile) listing could be shown."""
    return await endpoints_screen(pilot, polls, loaded=False, timeout=timeout)


async def still_works(pilot) -> None:
    """The app still answers: switch to Models and back to Endpoints, and both render."""
    screen = await go(pilot, "models")
    await wait_until(pilot, lambda: screen.query_one("ModelTable").row_count > 0, 10, "models listed")
    ep = await go(pilot, "endpoints")
    await pilot.pause()
    assert ep.is_current
    assert_clean_screen(pilot.app)


def no_retries(app) -> None:
    """Idempotent GETs are retried with back-off (tested in tests/client); here one failure is the case."""
    app.client.max_retries = 0
