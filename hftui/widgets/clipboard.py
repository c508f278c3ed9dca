"""Copy text to the user's clipboard with OSC 52, so it works over SSH.

The terminal (not the remote machine) owns the clipboard; OSC 52 asks it
to set it. The plain sequence is always sent: terminals read it directly,
and tmux forwards it when ``set-clipboard`` is ``on``. Inside tmux
(``TMUX`` set) a DCS-passthrough copy follows, for tmux with
``allow-passthrough on`` (tmux's default ``set-clipboard external`` ignores
the plain one). Inside GNU screen (``STY`` set; not ``TERM=screen*``, which
tmux sets too) a copy in screen's DCS follows, in 76-byte chunks (screen
drops longer strings). Whether the clipboard changed is up to the terminal:
nothing comes back, so the UI says what was sent, not that it worked.

Only text that is exactly what the screen shows is sent: text holding an
escape sequence, a control character (C0, DEL, C1) or a bidi override is
refused (``refusal``), and a one-line value (a URL, a model id) must not hold
a line break or a tab either: a pasted ``https://x\n; rm -rf ~ #`` would run.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from hftui.sanitize import clean, holds_secret, one_line

MAX_BYTES = 100_000
"""Terminals cap OSC 52 payloads (xterm: ~100 kB); longer text is refused."""
_SCREEN_CHUNK = 76


def _plain(text: str) -> str:
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{data}\x07"


def tmux_wrap(seq: str) -> str:
    """tmux DCS passthrough: every ESC inside doubled."""
    return "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def screen_wrap(seq: str) -> str:
    """GNU screen DCS, chunked."""
    return "".join(f"\x1bP{seq[i:i + _SCREEN_CHUNK]}\x1b\\" for i in range(0, len(seq), _SCREEN_CHUNK))


def osc52(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Every escape sequence sent to set the clipboard to ``text`` (see the module docstring)."""
    env = os.environ if environ is None else environ
    seq = _plain(text)
    out = seq
    if env.get("TMUX"):
        out += tmux_wrap(seq)
    if env.get("STY"):
        out += screen_wrap(seq)
    return out


def method(environ: Mapping[str, str] | None = None) -> str:
    """What ``osc52`` sends, for the user: ``OSC 52``, ``OSC 52 + tmux passthrough``…"""
    env = os.environ if environ is None else environ
    parts = ["OSC 52"]
    if env.get("TMUX"):
        parts.append("tmux passthrough")
    if env.get("STY"):
        parts.append("screen passthrough")
    return " + ".join(parts)


def note(environ: Mapping[str, str] | None = None) -> str:
    """The caveat shown after a copy: ``(OSC 52) — your terminal must allow clipboard writes``."""
    return f"({method(environ)}) — your terminal must allow clipboard writes"


def refusal(text: str, *, single_line: bool = False, token_ok: bool = False) -> str | None:
    """Why ``text`` must not go to the clipboard (one line, for the user), or None when it may.

    It may when cleaning would not change it: ``clean`` (multi-line text keeps line breaks and
    tabs) or ``one_line`` for ``single_line`` values, so what is copied is what is shown. The
    token (a server may echo it in any text; the screen masks it) only when the user asked for it
    (``token_ok``: an export "with my token").
    """
    if len(text) > MAX_BYTES:
        return "Too long to copy through the terminal."
    if (one_line(text, None, mask_secrets=False) if single_line else clean(text, None, mask_secrets=False)) != text:
        what = "line breaks, tabs, " if single_line else ""
        return f"Not copied: it holds {what}control characters or escape sequences (the screen shows it cleaned)."
    if not token_ok and holds_secret(text):
        return "Not copied: it holds your token (the screen shows it masked)."
    if len(text.encode("utf-8")) > MAX_BYTES:
        return "Too long to copy through the terminal."
    return None


def copy(app, text: str, *, single_line: bool = False, token_ok: bool = False) -> bool:
    """Send ``text`` to the terminal clipboard. False (nothing sent) when ``refusal`` says why not."""
    if refusal(text, single_line=single_line, token_ok=token_ok) is not None:
        return False
    app._clipboard = text  # what Textual's own copy_to_clipboard keeps (tests read app.clipboard)
    driver = getattr(app, "_driver", None)
    if driver is not None and not app.is_headless:
        driver.write(osc52(text))
    return True
