"""The test suite's pytest plugin (``pytest_plugins`` in ``tests/conftest.py``).

Registers the shared fixtures (``tests.support.env``, ``tests.support.emulator``) and runs the token
scan (``tests.support.token_scan``) once every test of the session has finished: after the test loop,
in the process that ran it or, under ``pytest -n``, in the controller once every worker is done. A
token found is reported as the failed test ``TOKEN_SCAN`` and fails the session.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import token_scan

pytest_plugins = ["tests.support.env", "tests.support.emulator"]

TOKEN_SCAN = "no test token in anything the suite produced"
_SCANNED = pytest.StashKey[int]()


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session):
    result = yield
    config = session.config
    if not hasattr(config, "workerinput") and not config.option.collectonly and session.testscollected:
        _run_token_scan(session)
    return result


def _run_token_scan(session: pytest.Session) -> None:
    tokens = token_scan.known_tokens()
    files = token_scan.produced_files(session.config._tmp_path_factory.getbasetemp())
    if len(tokens) < 2:
        problem = f"the scan found too few tokens to look for ({len(tokens)}): are the tests where it looks?"
    elif not any(f.suffix == ".svg" for f in files):
        problem = "the scan found no snapshot SVG: is it looking in the right place?"
    else:
        hits = token_scan.scan(files, tokens)
        problem = token_scan.report(hits) if hits else None
    if problem is None:
        session.config.stash[_SCANNED] = len(files)
        return
    where = _relative(Path(token_scan.__file__), session.config.rootpath)
    report = pytest.TestReport(nodeid=f"{where}::{TOKEN_SCAN}", location=(where, None, TOKEN_SCAN), keywords={},
                               outcome="failed", longrepr=problem, when="call")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
    session.testscollected += 1  # one more check ran: the progress shows 100%, not 101%
    # as for any test: counted in session.testsfailed (the exit status), listed among the failures
    session.config.hook.pytest_runtest_logreport(report=report)


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    scanned = config.stash.get(_SCANNED, None)
    if scanned is not None:
        terminalreporter.write_line(f"token scan: no test token in {scanned} files the suite produced")
