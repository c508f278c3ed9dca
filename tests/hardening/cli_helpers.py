"""Running the ``hftui`` command line against the hostile server: in-process (fast) or as a process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.support.cli import child_env, service_env

# What a server must never get onto the user's terminal: C0 controls but \t and \n (ESC, BEL, CR...),
# DEL, C1 (8-bit CSI, OSC, ST...).
TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

EVIL = ("\x1b]52;c;U1RPTEVOQ0xJUA==\x07"   # OSC 52: write the clipboard
        "\x1b]0;pwned-title\x07"           # OSC 0: the window title
        "\x1b[2J\x1b[H"                    # CSI: clear the screen, cursor home
        "\x9b2J"                           # 8-bit CSI
        "\x9d0;c1-title\x9c"               # 8-bit OSC ... ST
        "\x07\x00\x08\r")
"""Escape sequences a server may put in any text; their payloads must not survive either."""
PAYLOADS = ("U1RPTEVOQ0xJUA", "pwned-title", "c1-title")


def evil(tag: str) -> str:
    return f"{tag}{EVIL}{tag}-end"


def assert_terminal_safe(data: bytes, what: str = "output") -> str:
    """``data`` (what the CLI wrote) holds no control character and no escape payload; returns it as text."""
    text = data.decode("utf-8", "replace")
    bad = TERMINAL_CONTROL.search(text)
    assert bad is None, f"control {bad.group()!r} in the {what}: {text[max(0, bad.start() - 80):bad.end() + 80]!r}"
    for payload in PAYLOADS:
        assert payload not in text, f"escape payload {payload!r} left in the {what}: {text}"
    return text


def use_services(monkeypatch, base_url: str, token: str | None) -> None:
    for key, value in service_env(base_url, token).items():
        monkeypatch.setenv(key, value)


def run_inprocess(capfdbinary, *argv: str) -> tuple[int, bytes, bytes]:
    """``hftui ARGV`` in this process (the environment set by ``use_services``): (exit code, stdout, stderr)."""
    from hftui.cli import main

    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse
        rc = exc.code if isinstance(exc.code, int) else 2
    captured = capfdbinary.readouterr()
    return rc, captured.out, captured.err


def run_process(base_url: str, token: str | None, *argv: str, timeout: float = 30.0, preexec_fn=None,
                stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """``python -m hftui ARGV`` as its own process, killed after ``timeout`` seconds."""
    env = {**child_env(base_url, token), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "hftui", *argv], env=env, stdout=stdout, stderr=subprocess.PIPE,
                          timeout=timeout, preexec_fn=preexec_fn, stdin=subprocess.DEVNULL)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


def inputs(n: int) -> list[str]:
    return [json.dumps({"inputs": f"input number {i} is great"}) for i in range(1, n + 1)]


def strict_records(path: Path) -> list[dict]:
    """Every line of a results file, parsed as strict JSON (no NaN/Infinity) from strict UTF-8."""
    def no_constant(name: str):
        raise AssertionError(f"{name} in the output: not JSON")

    data = path.read_bytes()
    text = data.decode("utf-8")  # strict: no lone surrogate, no invalid byte
    return [json.loads(line, parse_constant=no_constant) for line in text.splitlines() if line.strip()]
