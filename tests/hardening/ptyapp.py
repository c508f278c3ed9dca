"""Run ``hftui --demo`` (or ``hftui`` against the services in the environment: ``demo=False``) in a
real pseudo-terminal: read what it draws, type, hang up.

``output`` keeps every byte the program wrote; ``screen_text`` is what a terminal shows now (the
bytes fed to ``pyte``, a VT100 emulator), for waiting on what is really on screen.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

HFTUI = str(Path(sys.executable).with_name("hftui"))


def ptys_available() -> bool:
    """Containers without /dev/ptmx (or a Windows box) cannot run these tests."""
    try:
        master, slave = os.openpty()
    except (OSError, AttributeError):
        return False
    os.close(master)
    os.close(slave)
    return Path(HFTUI).exists()


class PtyApp:
    def __init__(self, *args: str, env: dict[str, str] | None = None, size: tuple[int, int] = (100, 30),
                 ignore_sighup: bool = False, demo: bool = True) -> None:
        """``demo=False``: the real app, configured by ``env`` (e.g. pointed at a hostile server)."""
        cols, rows = size
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows),
                    **(env or {})}
        for var in [k for k, v in full_env.items() if v is None]:
            del full_env[var]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            try:
                if ignore_sighup:
                    signal.signal(signal.SIGHUP, signal.SIG_IGN)
                os.execve(HFTUI, [HFTUI, *(["--demo"] if demo else []), *args], full_env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = b""
        self.status: int | None = None
        self.closed = False
        import pyte

        self._screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self._screen)

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def _pump(self, timeout: float) -> None:
        if self.closed:
            time.sleep(timeout)
            return
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            self.output += data
            self._stream.feed(data)

    @property
    def screen_text(self) -> str:
        """What the terminal shows now, one line per row."""
        return "\n".join(self._screen.display)

    def wait_screen(self, pattern: str, timeout: float = 30.0, *, gone: bool = False) -> bool:
        """Until ``pattern`` (a regex) is on the screen now (or, ``gone``, no longer is)."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            self._pump(0)
            if bool(rx.search(self.screen_text)) != gone:
                return True
            if time.monotonic() >= end or self.poll() is not None:
                return False
            self._pump(0.05)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> bool:
        rx = re.compile(pattern.encode())
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if rx.search(self.output):
                return True
            if self.poll() is not None:
                return bool(rx.search(self.output))
            self._pump(0.05)
        return False

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def hangup(self) -> None:
        """The terminal goes away: close our side of the pty."""
        if not self.closed:
            os.close(self.fd)
            self.closed = True

    def poll(self) -> int | None:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def wait_exit(self, timeout: float = 10.0) -> int | None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.poll() is not None:
                self._pump(0.01)  # whatever is still buffered
                return self.status
            self._pump(0.05)
        return None

    def session_processes(self) -> list[int]:
        """Pids still alive in the app's session (it is the session leader)."""
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            # fields after "pid (comm)": state ppid pgrp session ...
            if fields[0] != "Z" and int(fields[3]) == self.pid:
                alive.append(int(entry.name))
        return alive

    def threads(self) -> list[str]:
        try:
            return [(t / "comm").read_text().strip() for t in Path(f"/proc/{self.pid}/task").iterdir()]
        except OSError:
            return []

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait_exit(5)
        if not self.closed:
            os.close(self.fd)
            self.closed = True
