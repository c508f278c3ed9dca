"""The end-of-session token scan (``tests.support.plugin``) can fail, and then fails the run.

The scan itself runs once every test has finished; here: it finds a planted token where a leak
would be (a log, an SVG, a SQLite file) and not in a token file, and a run in which a test writes
the demo token somewhere exits non-zero with a report that names the file but not the token,
with and without ``pytest -n``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from tests.support.plugin import TOKEN_SCAN
from tests.support.token_scan import scan


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
    for p in list(tmp_path.iterdir()):  # this session's own scan must not find them
        p.unlink()


INNER_TESTS = '''
from hftui.emulator import DEMO_TOKEN


def test_writes_a_log(tmp_path):
    (tmp_path / "app.log").write_text("Authorization: Bearer " + ({leak} and DEMO_TOKEN or "***") + "\\n")


def test_something_else():
    assert True
'''


def run_inner_session(leak: bool, *args: str) -> subprocess.CompletedProcess:
    """A pytest run with the suite's plugin, of two tests of which one writes a log (with the token if ``leak``).

    It runs in a temporary directory outside this session's temp root, so that the token it may
    plant is not found by this session's own scan.
    """
    with tempfile.TemporaryDirectory(prefix="hftui-token-scan-") as tmp:
        inner = Path(tmp)
        (inner / "pytest.ini").write_text("[pytest]\n")
        (inner / "test_inner.py").write_text(INNER_TESTS.format(leak=leak))
        # not this session's xdist worker id, addopts or current test: a session of its own
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env.update(PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
        command = [sys.executable, "-m", "pytest", "-p", "tests.support.plugin", "-p", "no:cacheprovider",
                   "--rootdir", str(inner), "--basetemp", str(inner / "basetemp"), *args, str(inner / "test_inner.py")]
        return subprocess.run(command, cwd=inner, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [("-p", "no:xdist"), ("-n", "2")], ids=["one-process", "xdist"])
def test_a_leaked_token_fails_the_run_after_every_test(args):
    from hftui.emulator import DEMO_TOKEN

    run = run_inner_session(True, *args)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "2 passed" in out and "1 failed" in out, out  # both tests ran, then the scan failed the session
    assert f"token_scan.py::{TOKEN_SCAN}" in out, out
    assert "a test token leaked into 1 file(s)" in out and "app.log" in out, out
    assert DEMO_TOKEN not in out  # the report itself does not leak it


def test_a_clean_run_passes_and_says_it_scanned():
    run = run_inner_session(False, "-p", "no:xdist")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "2 passed" in out and "failed" not in out, out
    assert "token scan: no test token in" in out, out
