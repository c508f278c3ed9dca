"""Render untrusted strings (anything a server sent) safely.

Server text may carry Rich/Textual markup (``[bold]``, ``[@click=...]``),
terminal escape sequences (``\\x1b]52;...`` would write the clipboard,
``\\x1b[2J`` clear the screen) or be megabytes long. Pass it through these
helpers before it reaches a widget:

    clean(s, limit=2000)       -> str   controls/ESC sequences removed, bounded
    one_line(s, limit=200)     -> str   clean() + newlines/tabs folded to spaces
    safe_markup(s, limit=...)  -> str   clean() + rich.markup.escape: safe to embed in markup
    safe_text(s, style="", limit=...) -> rich.text.Text   never interpreted as markup
    safe_content(s, limit=...) -> textual.content.Content  plain content, no markup

``limit`` is in characters; text past it is cut and ends with ``…``.
None becomes ``""``. Non-str values are ``str()``-ed first.
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape
from rich.text import Text

ELLIPSIS = "…"
DEFAULT_LIMIT = 10_000

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL|ST),
# DCS/SOS/PM/APC (ESC P/X/^/_ ... ST), and two-char escapes (ESC x).
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                  # CSI
  | \x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC / DCS / SOS / PM / APC (+BEL or ST)
  | \x9b[0-?]*[ -/]*[@-~]                    # 8-bit CSI
  | [\x90\x9d\x98\x9e\x9f][^\x07\x9c]*[\x07\x9c]?  # 8-bit DCS/OSC/SOS/PM/APC
  | \x1b[ -/]*[0-~]?                         # other ESC sequences (or a lone ESC)
    """,
    re.VERBOSE,
)
# C0 except \t and \n, DEL, C1; also bidi overrides that can disguise text.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WS = re.compile(r"[\n\t\r]+")


def _bound(text: str, limit: int | None) -> str:
    if limit is not None and limit >= 0 and len(text) > limit:
        return text[: max(0, limit - 1)] + ELLIPSIS if limit > 0 else ""
    return text


def clean(value: Any, limit: int | None = DEFAULT_LIMIT) -> str:
    """Strip terminal escape sequences and control characters (keeps ``\\n``, ``\\t``); bound the length."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():  # the common case: nothing to strip (C-speed check)
        return _bound(text, limit)
    # Pre-cut very long input so the regexes never scan megabytes for one label.
    if limit is not None and len(text) > limit * 4 + 64:
        text = text[: limit * 4 + 64]
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    return _bound(text, limit)


def one_line(value: Any, limit: int | None = 200) -> str:
    """``clean()`` for a table cell or a title: newlines and tabs become single spaces."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return _bound(text, limit)
    if limit is not None and len(text) > limit * 4 + 64:
        text = text[: limit * 4 + 64]
    text = _WS.sub(" ", text)
    return clean(text, limit)


def safe_markup(value: Any, limit: int | None = DEFAULT_LIMIT) -> str:
    """``clean()`` then escape Rich/Textual markup, for embedding in a markup string."""
    return escape(clean(value, limit))


def safe_text(value: Any, style: str = "", limit: int | None = DEFAULT_LIMIT) -> Text:
    """A Rich ``Text`` of the cleaned string: never parsed as markup."""
    return Text(clean(value, limit), style=style, end="")


def safe_content(value: Any, limit: int | None = DEFAULT_LIMIT):
    """A Textual ``Content`` of the cleaned string (no markup parsing)."""
    from textual.content import Content

    return Content(clean(value, limit))
