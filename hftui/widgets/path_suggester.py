"""PathSuggester: completes a file path from the filesystem as the user types (→ accepts)."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """The first match in the typed directory: a file with one of ``suffixes`` (any file when none,
    case ignored), else a directory (with a trailing separator). Hidden names only once a dot is typed."""

    def __init__(self, suffixes: tuple[str, ...] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = tuple(s.lower() for s in suffixes)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, _, stem = expanded.rpartition(os.sep)
        directory = Path(folder or ".") if folder or not expanded.startswith(os.sep) else Path(os.sep)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return None
        dirs, files = [], []
        for name in names:
            if not name.startswith(stem) or name == stem or (name.startswith(".") and not stem.startswith(".")):
                continue
            if (directory / name).is_dir():
                dirs.append(name + os.sep)
            elif not self.suffixes or name.lower().endswith(self.suffixes):
                files.append(name)
        match = next(iter(files + dirs), None)
        if match is None:
            return None
        # keep what the user typed (e.g. "~/") and append the rest
        return value + match[len(stem):]
