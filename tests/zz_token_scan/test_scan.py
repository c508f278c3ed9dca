"""Runs last (``zz``): no test token in anything the test suite produced or committed.

Scanned: every snapshot SVG (``tests/**/__snapshots__``), ``screenshots/*.svg``, and every
file the suite wrote under this session's pytest temp root (logs, history databases, exported
snippets, batch outputs, saved images, config files). The token files themselves (``token``,
``stored_tokens``) are where a token is meant to be and are skipped.

Tokens looked for: the emulator's demo token and every quoted ``hf_…`` literal in the tests.
Under ``pytest -n`` the scan sees what the workers wrote before it ran (it is scheduled last,
but another worker may still be finishing); run ``pytest`` without ``-n`` for the full sweep.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
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


def scan(paths, tokens: set[str]) -> list[tuple[Path, str]]:
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


def produced_files(tmp_path_factory) -> list[Path]:
    base = tmp_path_factory.getbasetemp()
    root = base.parent if base.name.startswith("popen-gw") else base  # pytest-xdist: every worker's temp
    files = list(root.rglob("*"))
    files += list(TESTS.rglob("__snapshots__/**/*.svg"))
    files += list((ROOT / "screenshots").glob("*.svg"))
    return files


def test_the_scanner_finds_a_planted_token(tmp_path):
    """The scan can fail: a token in a log, an SVG or a SQLite file is found; a token file is not."""
    import sqlite3

    token = "hf_plantedTokenForTheScanner0000"
    (tmp_path / "app.log").write_text(f"Authorization: Bearer {token}\n")
    (tmp_path / "shot.svg").write_text(f"<svg><text>{token}</text></svg>")
    db = sqlite3.connect(tmp_path / "history.db")
    db.execute("create table runs (inputs text)")
    db.execute("insert into runs values (?)", (f'{{"token": "{token}"}}',))
    db.commit()
    db.close()
    (tmp_path / "token").write_text(token)
    hits = {p.name for p, _ in scan(tmp_path.iterdir(), {token})}
    assert hits == {"app.log", "shot.svg", "history.db"}
    for p in list(tmp_path.iterdir()):
        p.unlink()


def test_no_token_in_anything_the_suite_produced(tmp_path_factory):
    tokens = known_tokens()
    assert len(tokens) >= 2, tokens
    files = produced_files(tmp_path_factory)
    assert any(f.suffix == ".svg" for f in files), "no snapshot found: is the scan looking in the right place?"
    hits = scan(files, tokens)
    report = "\n".join(f"{p}: {t[:6]}…" for p, t in hits[:20])
    assert not hits, f"a test token leaked into {len(hits)} file(s):\n{report}"
