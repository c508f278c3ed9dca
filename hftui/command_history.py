"""The ``:`` command line's history: ↑/↓ recall, kept for the session and in ``{data_dir}/commands``.

Only lines the app understood are written to the file (a typo or an accidental paste stays in the
session), never one that looks like a token, and the file is written 0600 through
``hftui.file_trust.write_private``. A file hftui cannot trust (another user's, group-writable) is
not read. No Textual.
"""

from __future__ import annotations

import re
from pathlib import Path

from hftui import file_trust
from hftui.sanitize import one_line

LIMIT = 100
"""Lines kept (the oldest go first)."""
MAX_LINE = 300
_TOKENISH = re.compile(r"\bhf_[A-Za-z0-9]{8,}|\b[A-Za-z0-9_\-]{32,}\b")
"""An HF token, or any long key-like run: such a line is never written to disk."""


def default_path() -> Path:
    from hftui.config import data_dir

    return data_dir() / "commands"


class CommandHistory:
    """Lines in the order they were run, oldest first; a repeated line moves to the end."""

    def __init__(self, path: Path | None = None, *, limit: int = LIMIT) -> None:
        self.path = path
        self.limit = limit
        self.lines: list[str] = []
        self._saved: list[str] = []
        self.problem: str | None = None
        """Why the file was not read or written (one line), if it was not."""

    def load(self) -> CommandHistory:
        """Read the file (missing, untrusted or unreadable: start empty and say why in ``problem``)."""
        if self.path is None or not self.path.exists():
            return self
        reason = file_trust.problem(self.path)
        if reason:
            self.problem = reason
            return self
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self.problem = one_line(f"cannot read {self.path}: {exc.strerror or exc}", 300)
            return self
        lines = [one_line(line, MAX_LINE) for line in text.splitlines()]
        self._saved = [line for line in lines if line.strip()][-self.limit:]
        self.lines = list(self._saved)
        return self

    def add(self, line: str, *, persist: bool) -> None:
        """Remember ``line``; ``persist`` writes it to the file as well (when it is safe to)."""
        line = one_line(line, MAX_LINE).strip()
        if not line:
            return
        self.lines = [x for x in self.lines if x != line][-(self.limit - 1):] + [line]
        if not persist or self.path is None or _TOKENISH.search(line):
            return
        self._saved = [x for x in self._saved if x != line][-(self.limit - 1):] + [line]
        try:
            file_trust.write_private(self.path, "\n".join(self._saved) + "\n")
        except (OSError, file_trust.UnsafePath) as exc:
            self.problem = one_line(f"command history not saved: {exc}", 300)


class Recall:
    """↑/↓ through ``lines`` from the newest; the line being typed comes back after the newest."""

    def __init__(self, lines: list[str], typed: str = "") -> None:
        self._lines = list(lines)
        self._index = len(self._lines)
        self._typed = typed

    def previous(self, current: str) -> str:
        if self._index == len(self._lines):
            self._typed = current
        if self._index > 0:
            self._index -= 1
        return self._lines[self._index] if self._lines else current

    def next(self, current: str) -> str:
        if self._index >= len(self._lines):
            return current
        self._index += 1
        return self._typed if self._index == len(self._lines) else self._lines[self._index]
