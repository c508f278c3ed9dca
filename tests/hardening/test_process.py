"""The process in a real terminal: SIGHUP and the terminal going away end it promptly with
nothing left behind; Ctrl+C (at start-up or later) restores the terminal."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.hardening.ptyapp import PtyApp, ptys_available

needs_pty = pytest.mark.skipif(not hasattr(signal, "SIGHUP") or not ptys_available(),
                               reason="needs POSIX ptys and the hftui script")

DRAWN = r"running"  # the endpoints table is on screen
RESTORE = (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?25h")  # alt screen off, mouse off, cursor on


@pytest.fixture
def hftui():
    started: list[PtyApp] = []

    def start(*args, **kw) -> PtyApp:
        app = PtyApp(*args, **kw)
        started.append(app)
        return app

    yield start
    for app in started:
        app.kill()


@needs_pty
def test_sighup_exits_promptly_and_leaves_nothing(hftui):
    app = hftui()
    assert app.wait_for(DRAWN), app.text[-2000:]
    os.kill(app.pid, signal.SIGHUP)
    assert app.wait_exit(15) == 128 + signal.SIGHUP  # the app's own deadline is 3 s
    assert app.session_processes() == []
    assert "Traceback" not in app.text


@pytest.mark.parametrize("ignore_sighup", [False, True], ids=["default", "sighup-ignored"])
@needs_pty
def test_terminal_gone_ends_the_process(hftui, ignore_sighup):
    """The pty closes (SSH drop). Even with SIGHUP ignored (nohup), hftui notices and leaves."""
    app = hftui(ignore_sighup=ignore_sighup)
    assert app.wait_for(DRAWN), app.text[-2000:]
    app.hangup()
    assert app.wait_exit(15) is not None, "still running after the terminal went away"
    assert app.session_processes() == []


@pytest.mark.parametrize("delay", [0.3, 0.9])
@needs_pty
def test_ctrl_c_during_start_up(hftui, delay):
    """Ctrl+C before the app owns the keyboard: no traceback; the terminal is left as found."""
    app = hftui()
    time.sleep(delay)
    app.write(b"\x03")
    code = app.wait_exit(10)
    if code is None:  # it got the keyboard in time: the key is a normal quit
        app.write(b"\x03")
        code = app.wait_exit(10)
    assert code in (0, 130), app.text[-2000:]
    assert "Traceback" not in app.text
    if b"\x1b[?1049h" in app.output:
        assert app.output.rfind(b"\x1b[?1049l") > app.output.rfind(b"\x1b[?1049h")
    assert app.session_processes() == []


@needs_pty
def test_ctrl_c_quits_from_a_text_field_and_restores_the_terminal(hftui):
    """Focus in the Playground's text area (which has its own keys): Ctrl+C still quits, and the
    terminal gets its modes back (alt screen, mouse, cursor)."""
    app = hftui("--screen", "playground")
    assert app.wait_for(r"Run", 30), app.text[-2000:]
    assert app.wait_for(r"deep learning", 10)
    app.write(b"typed")
    app.write(b"\x03")
    assert app.wait_exit(8) == 0
    tail = app.output[app.output.rfind(b"\x1b[?1049h"):]
    for seq in RESTORE:
        assert seq in tail, f"{seq!r} missing after Ctrl+C"
    assert "Traceback" not in app.text


def test_terminal_gone_detects_a_hung_up_pty():
    from hftui.signals import terminal_gone

    master, slave = os.openpty()
    try:
        assert not terminal_gone(slave)
        os.close(master)
        assert terminal_gone(slave)
    finally:
        os.close(slave)


@pytest.mark.parametrize("where", ["textarea", "modal", "form", "palette"])
async def test_ctrl_c_quits_wherever_the_focus_is(make_app, where):
    """Text areas, modals, forms and the palette have keys of their own; none swallows Ctrl+C."""
    from tests.hardening.hardening_helpers import endpoints_ready
    from tests.support.screens import go
    from textual.widgets import TextArea

    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        screen.table.focus()
        if where == "textarea":
            play = await go(pilot, "playground")
            play.query(TextArea).first().focus()
        elif where == "modal":
            await pilot.press("ctrl+d")
        elif where == "form":
            await pilot.press("a")
        else:
            await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        assert app.is_running
        await pilot.press("ctrl+c")
        await pilot.pause(0.2)
        assert not app.is_running and app.return_code == 0, f"Ctrl+C did not quit from {where}"
