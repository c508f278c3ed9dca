"""Copy text to the user's clipboard with OSC 52, so it works over SSH.

The terminal (not the remote machine) owns the clipboard; OSC 52 asks it
to set it. Inside tmux the sequence is wrapped in a DCS passthrough (tmux
also forwards plain OSC 52 when ``set-clipboard`` is on; the wrapped form
works with ``allow-passthrough``), inside GNU screen in screen's DCS.
"""

from __future__ import annotations

import base64
import os

MAX_BYTES = 100_000
"""Terminals cap OSC 52 payloads (xterm: ~100 kB); longer text is refused."""


def osc52(text: str, environ: dict[str, str] | None = None) -> str:
    """The escape sequence that sets the clipboard to ``text``."""
    env = os.environ if environ is None else environ
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    seq = f"\x1b]52;c;{data}\x07"
    if env.get("TMUX"):
        return "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    if env.get("STY") or env.get("TERM", "").startswith("screen"):
        return "\x1bP" + seq + "\x1b\\"
    return seq


def copy(app, text: str) -> bool:
    """Send ``text`` to the terminal clipboard. False when too long to send."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        return False
    app._clipboard = text  # what Textual's own copy_to_clipboard keeps (tests read app.clipboard)
    driver = getattr(app, "_driver", None)
    if driver is not None and not app.is_headless:
        driver.write(osc52(text))
    return True
