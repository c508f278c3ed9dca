"""Leave cleanly when the terminal goes away (SSH drop, closed tmux pane, SIGHUP).

Textual restores the terminal on a normal exit; this module covers the
terminal itself disappearing:

- SIGHUP's default action kills the process on the spot: no ``finally``
  runs (run history, batch output, the demo emulator are not closed);
- if SIGHUP is ignored (``nohup``, some wrappers), nothing tells the app: its
  input thread reads end-of-file forever and spins a core while the app runs
  on with nobody to see it.

    with exit_when_terminal_goes(app):
        app.run()

installs a SIGHUP handler and a watcher thread that checks the controlling
terminal once a second (``tcgetattr`` fails with EIO once it is hung up);
either asks the app to exit with :data:`EXIT_HANGUP`, and a hard deadline
ends the process if that exit itself gets stuck writing to the dead terminal.
"""

from __future__ import annotations

import errno
import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

EXIT_HANGUP = 128 + signal.SIGHUP
"""Exit status after a hang-up, as a shell reports a process killed by SIGHUP."""
DEADLINE = 3.0
"""Seconds the graceful exit may take before the process is ended anyway."""
CHECK_EVERY = 1.0

_GONE = {errno.EIO, errno.ENXIO, errno.EBADF, errno.ENOTTY}


def terminal_gone(fd: int) -> bool:
    """True when ``fd`` was a terminal that has been hung up (or closed)."""
    import termios

    try:
        termios.tcgetattr(fd)
    except termios.error as exc:
        return bool(exc.args) and exc.args[0] in _GONE
    except (OSError, ValueError):
        return True
    return False


class _Hangup:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.fired = threading.Event()
        self.stop = threading.Event()

    def __call__(self, why: str) -> None:
        if self.fired.is_set():
            return
        self.fired.set()
        deadline = threading.Timer(DEADLINE, os._exit, args=(EXIT_HANGUP,))
        deadline.daemon = True
        deadline.start()
        loop = getattr(self.app, "_loop", None)
        if loop is None or loop.is_closed():
            os._exit(EXIT_HANGUP)
        try:
            loop.call_soon_threadsafe(functools.partial(self.app.exit, return_code=EXIT_HANGUP))
        except RuntimeError:  # the loop just closed: the app is leaving anyway
            pass

    def on_signal(self, signum: int, frame: object) -> None:
        self("SIGHUP")

    def watch(self, fd: int) -> None:
        while not self.stop.wait(CHECK_EVERY):
            if terminal_gone(fd):
                self("terminal gone")
                return


def _tty_fd() -> int | None:
    stream = sys.__stdin__
    try:
        fd = stream.fileno() if stream is not None else None
    except (OSError, ValueError):
        return None
    return fd if fd is not None and os.isatty(fd) else None


@contextmanager
def exit_when_terminal_goes(app: Any) -> Iterator[None]:
    """Around ``app.run()`` in the main thread; a no-op where signals or ttys do not apply."""
    hangup = _Hangup(app)
    previous = None
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP"):
        previous = signal.signal(signal.SIGHUP, hangup.on_signal)
    fd = _tty_fd()
    watcher = None
    try:
        import termios  # noqa: F401 - POSIX only
    except ImportError:
        fd = None
    if fd is not None:
        watcher = threading.Thread(target=hangup.watch, args=(fd,), name="hftui-tty-watch", daemon=True)
        watcher.start()
    try:
        yield
    finally:
        hangup.stop.set()
        if previous is not None:
            try:
                signal.signal(signal.SIGHUP, previous)
            except (ValueError, TypeError):
                pass
