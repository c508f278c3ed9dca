"""No test token in anything the suite produced or committed.

Scanned: every snapshot SVG (``tests/**/__snapshots__``), ``screenshots/*.svg``, and every file the
session wrote under its pytest temp root, every xdist worker's included (logs, history databases,
exported snippets, batch outputs, saved images, config files). The token files themselves
(``token``, ``stored_tokens``) are where a token is meant to be and are skipped.

Tokens looked for: the emulator's demo token and every quoted ``hf_…`` literal in the tests.
The plugin (``tests.support.plugin``) runs the scan once every test of the session has finished.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from tests.support.paths import ROOT, TESTS

TOKEN_FILES = {"token", "stored_tokens"}
MAX_BYTES = 64 * 1024 * 1024
_LITERAL = re.compile(r"""["'](hf_[A-Za-z0-9]{8,})["']""")


def known_tokens() -> set[str]:
    """The demo token and every quoted ``hf_`` literal in the tests that is not a name in hftui's code."""
    from hftui.emulator import DEMO_TOKEN

    found = {DEMO_TOKEN}
    for path in TESTS.rglob("*.py"):
        found.update(_LITERAL.findall(path.read_text(encoding="utf-8", errors="replace")))
    code = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (ROOT / "hftui").rglob("*.py"))
    # identifiers such as hf_inference are not tokens: they occur in the app's own code
    return {t for t in found if t == DEMO_TOKEN or not re.search(rf"\b{re.escape(t)}\b", code)}


def scan(paths: Iterable[Path], tokens: set[str]) -> list[tuple[Path, str]]:
    """(file, token) for each token found in the files (bytes; UTF-8 and UTF-16 text)."""
    needles = {}
    for t in tokens:
        for enc in ("utf-8", "utf-16-le"):
            needles[t.encode(enc)] = t
    hits = []
    for path in paths:
        try:
            if not path.is_file() or path.is_symlink() or path.name in TOKEN_FILES:
                continue
            if path.stat().st_size > MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        for needle, token in needles.items():
            if needle in data:
                hits.append((path, token))
    return hits


def produced_files(basetemp: Path) -> list[Path]:
    """Everything under the session's temp root, every snapshot SVG and every screenshot."""
    files = list(basetemp.rglob("*"))
    files += list(TESTS.rglob("__snapshots__/**/*.svg"))
    files += list((ROOT / "screenshots").glob("*.svg"))
    return files


def report(hits: list[tuple[Path, str]], limit: int = 20) -> str:
    """Where the tokens are, each shown by its first 6 characters only (the report must not leak it either)."""
    lines = [f"a test token leaked into {len(hits)} file(s):"]
    lines += [f"  {path}: {token[:6]}…" for path, token in hits[:limit]]
    if len(hits) > limit:
        lines.append(f"  … and {len(hits) - limit} more")
    return "\n".join(lines)
