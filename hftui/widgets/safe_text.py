"""Render untrusted strings (anything a server sent) safely.

The cleaning itself is :mod:`hftui.sanitize` (no Textual, shared with the
CLI); this module adds the markup side. Server text may carry Rich/Textual markup (``[bold]``, ``[@click=...]``),
terminal escape sequences (``\\x1b]52;...`` would write the clipboard,
``\\x1b[2J`` clear the screen) or be megabytes long. Pass it through these
helpers before it reaches a widget:

    clean(s, limit=2000)       -> str   controls/ESC sequences removed, bounded
    one_line(s, limit=200)     -> str   clean() + newlines/tabs folded to spaces
    safe_markup(s, limit=...)  -> str   clean(), then every ``[`` escaped: safe to embed in Textual markup
    safe_text(s, style="", limit=...) -> rich.text.Text   never interpreted as markup
    safe_content(s, limit=...) -> textual.content.Content  plain content, no markup

``limit`` is in characters; text past it is cut and ends with ``…``.
None becomes ``""``. Non-str values are ``str()``-ed first.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from hftui.sanitize import DEFAULT_LIMIT, ELLIPSIS, clean, one_line

__all__ = ["DEFAULT_LIMIT", "ELLIPSIS", "clean", "one_line", "safe_markup", "safe_text", "safe_content"]


def safe_markup(value: Any, limit: int | None = DEFAULT_LIMIT) -> str:
    """``clean()`` (which cuts) *then* escape, for embedding in a Textual markup string.

    Every ``[`` becomes ``\\[``: Textual's parser reads ``\\[`` as a literal ``[`` and
    treats a backslash before anything else as text, so the result shows exactly the
    cleaned string. (``rich.markup.escape`` and ``textual.markup.escape`` only escape
    whole ``[tag]``-looking runs: a cut ``[link=https:`` or ``[$var]`` still parses as
    markup, and a backslash before ``[`` is lost.) Prefer ``safe_text``/``safe_content``
    where a widget takes them; and put no markup tag right after this text (a trailing
    backslash would escape it).
    """
    return clean(value, limit).replace("[", "\\[")


def safe_text(value: Any, style: str = "", limit: int | None = DEFAULT_LIMIT) -> Text:
    """A Rich ``Text`` of the cleaned string: never parsed as markup."""
    return Text(clean(value, limit), style=style, end="")


def safe_content(value: Any, limit: int | None = DEFAULT_LIMIT):
    """A Textual ``Content`` of the cleaned string (no markup parsing)."""
    from textual.content import Content

    return Content(clean(value, limit))
