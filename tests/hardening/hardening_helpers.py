"""Helpers of the hardening tests: waiting, reading the screen, checking it is clean and alive."""

from __future__ import annotations

import re
import time

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


async def wait_until(pilot, predicate, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - widgets may not exist yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n--- screen ---\n{screen_text(pilot.app)}")
        await pilot.pause(0.03)


def strips(app):
    """The current screen as Textual would paint it, modal backgrounds included (like export_screenshot)."""
    from textual._context import visible_screen_stack

    token = visible_screen_stack.set(app._background_screens)
    try:
        return app.screen._compositor.render_strips()
    finally:
        visible_screen_stack.reset(token)


def screen_text(app) -> str:
    """What the screen shows, one line per row (plain text)."""
    try:
        return "\n".join(strip.text for strip in strips(app))
    except Exception as exc:  # noqa: BLE001
        return f"<cannot render: {exc!r}>"


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


async def go(pilot, name: str, timeout: float = 10.0):
    """Switch to screen ``name`` like a user would (``:`` line would need focus rules; use the action)."""
    from hftui.app import SCREENS

    module, cls, _ = SCREENS[name]
    # like a user, wait for the first screen (the token checked) before switching
    await wait_until(pilot, lambda: pilot.app.whoami is not None and pilot.app.client is not None, timeout,
                     "the app to connect")
    await pilot.app.run_action(f"switch_to('{name}')")
    screen = await wait_until(
        pilot, lambda: pilot.app.screen if type(pilot.app.screen).__name__ == cls and pilot.app.screen.is_mounted
        else None, timeout, f"the {name} screen")
    await pilot.pause()
    return screen


async def endpoints_ready(pilot, polls: int = 1, timeout: float = 10.0):
    from hftui.screens.endpoints import EndpointsScreen

    app = pilot.app
    return await wait_until(
        pilot, lambda: app.screen if isinstance(app.screen, EndpointsScreen) and app.screen.poll_count >= polls
        else None, timeout, "the endpoints screen")


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
