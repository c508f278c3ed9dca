"""Untrusted text made safe for a terminal, a file or a URL field.

The one place that knows what a server (or a file) may smuggle into text we
print: terminal escape sequences (``ESC ] 52`` writes the clipboard, ``ESC ] 0``
the title, ``ESC [ 2J`` clears the screen), C0/C1 controls, bidi overrides that
disguise text, megabytes where a line was expected — and the user's token
echoed back. No Textual, no Rich: the CLI, the batch runner, the client and
the widgets all use it (``hftui.widgets.safe_text`` adds the markup side).

    clean(s, limit)      controls and ESC sequences removed (keeps \\n, \\t), bounded
    one_line(s, limit)   clean() with newlines/tabs folded to one space
    safe_url(s)          the URL if it is http(s) with no control or space, else None
    redact(s, secrets)   every secret replaced by ***, case-insensitively
    add_secret(s)        from now on clean(), one_line() and safe_url() never let ``s`` through
    scrub(s)             every registered secret masked (the client's errors use it too)
    holds_secret(s)      whether a registered secret is in ``s``
    secret_start(s)      how many characters at the end of ``s`` may begin a secret (a stream holds them back)
    mask_pieces(pieces)  a stream's pieces with a secret masked even where it spans several of them

A server may echo the token back in any string it sends (a name, a message, a
URL): ``HFClient`` registers its token, so whatever is cleaned for a terminal
or a file has it masked, before any cut could leave half of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

ELLIPSIS = "…"
DEFAULT_LIMIT = 10_000
MASK = "***"

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL|ST),
# DCS/SOS/PM/APC (ESC P/X/^/_ ... ST), and two-char escapes (ESC x); their
# 8-bit C1 forms too. The payload goes with the introducer: "]52;c;..." left
# behind would still be noise a server chose.
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
# C0 except \t and \n, DEL, C1; bidi overrides/isolates; line/paragraph separators.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_WS = re.compile(r"[\n\t\r]+")


_SECRETS: dict[str, None] = {}
"""The tokens this process was given (insertion-ordered, bounded): never shown, in any letter case."""
_MAX_SECRETS = 16


def add_secret(value: str | None) -> None:
    """Never let ``value`` through :func:`clean`, :func:`one_line`, :func:`scrub` or :func:`safe_url`."""
    if value and len(value) >= 4:
        _SECRETS.pop(value, None)
        _SECRETS[value] = None
        while len(_SECRETS) > _MAX_SECRETS:
            del _SECRETS[next(iter(_SECRETS))]


def scrub(text: str, *, cut: bool = False) -> str:
    """``text`` with every registered secret masked.

    ``cut``: ``text`` was cut at its end, so a secret's first characters may be
    all that is left of it there: mask those too.
    """
    if not _SECRETS or not text:
        return text
    text = redact(text, _SECRETS)
    if cut:
        for secret in _SECRETS:
            k = _begun_at_end(text, secret, shortest=4)
            if k:
                text = text[:-k] + MASK
    return text


def _begun_at_end(text: str, secret: str, shortest: int) -> int:
    """The length (at least ``shortest``, else 0) of the longest start of ``secret`` that ``text``
    ends with, in any letter case."""
    low, s = text[-len(secret):].lower(), secret.lower()
    for k in range(min(len(s) - 1, len(low)), shortest - 1, -1):
        if low.endswith(s[:k]):
            return k
    return 0


def _same(text: str, *, cut: bool = False) -> str:
    return text


def holds_secret(text: str) -> bool:
    """``text`` holds a registered secret, in any letter case."""
    low = text.lower()
    return any(secret.lower() in low for secret in _SECRETS)


def secret_start(text: str) -> int:
    """How many characters at the end of ``text`` may be the first ones of a registered secret
    (0: none). A stream shows text as it comes: it holds these back until the next piece says
    whether the secret follows (a token sent in pieces was shown whole)."""
    if not _SECRETS or not text:
        return 0
    return max(_begun_at_end(text, secret, shortest=1) for secret in _SECRETS)


def _secret_spans(text: str) -> list[tuple[int, int]]:
    spans = sorted((m.start(), m.end()) for secret in _SECRETS
                   for m in re.finditer(re.escape(secret), text, re.IGNORECASE))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_pieces(pieces: Sequence[str]) -> list[str]:
    """``pieces`` (a stream's tokens, in order) with every registered secret their concatenation
    holds masked, also one spread over several pieces: the piece where it starts shows ``***``
    in its place, and the rest of it is gone from the pieces it covers."""
    if not _SECRETS:
        return list(pieces)
    joined = "".join(pieces)
    spans = _secret_spans(joined)
    if not spans:
        return list(pieces)
    out: list[str] = []
    start = 0
    for piece in pieces:
        end = start + len(piece)
        parts, at = [], start
        for first, last in spans:
            if last <= start or first >= end:
                continue
            if first > at:
                parts.append(joined[at:first])
            if first >= start:
                parts.append(MASK)
            at = min(last, end)
        parts.append(joined[at:end])
        out.append("".join(parts))
        start = end
    return out


def _bound(text: str, limit: int | None) -> str:
    if limit is not None and limit >= 0 and len(text) > limit:
        return text[: max(0, limit - 1)] + ELLIPSIS if limit > 0 else ""
    return text


def _as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def clean(value: Any, limit: int | None = DEFAULT_LIMIT, *, mask_secrets: bool = True) -> str:
    """Strip terminal escape sequences and control characters (keeps ``\\n``, ``\\t``); bound the length;
    mask every registered secret (``mask_secrets=False``: text the user asked to hold the token, e.g.
    an export "with my token", only checked for controls)."""
    text = _as_str(value)
    mask = scrub if mask_secrets else _same
    if text.isascii() and text.isprintable():  # the common case: nothing to strip (C-speed check)
        return _bound(mask(text), limit)
    # Pre-cut very long input so the regexes never scan megabytes for one label.
    precut = limit is not None and len(text) > limit * 4 + 64
    if precut:
        text = text[: limit * 4 + 64]
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    # A lone surrogate cannot be encoded for the terminal or a UTF-8 file.
    text = text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text
    # Masked once the controls are gone (they could hide a secret), before the cut (it could halve one).
    return _bound(mask(text, cut=precut), limit)


def one_line(value: Any, limit: int | None = 200, *, mask_secrets: bool = True) -> str:
    """``clean()`` for a table cell, a title or a CLI line: newlines and tabs become single spaces."""
    text = _as_str(value)
    if text.isascii() and text.isprintable():
        return _bound(scrub(text) if mask_secrets else text, limit)
    precut = limit is not None and len(text) > limit * 4 + 64
    if precut:
        text = text[: limit * 4 + 64]
    text = clean(_WS.sub(" ", text), limit, mask_secrets=mask_secrets)
    return scrub(text, cut=True) if precut and mask_secrets else text


MAX_URL = 2048


def safe_url(value: Any) -> str | None:
    """``value`` if it is an http(s) URL with a host and no control, space or escape; else None.

    For URLs a server hands us (an endpoint's ``status.url``, a ``Location``):
    a URL that fails this is neither used, nor shown, nor copied.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        return None
    if not value.isprintable() or any(ch.isspace() for ch in value) or _CONTROLS.search(value):
        return None
    if _SECRETS and holds_secret(value):  # a server that hands out our token in a URL: not shown, not used
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


def redact(value: str, secrets: Iterable[str | None]) -> str:
    """``value`` with every secret (at least 4 characters long) replaced by ``***``, in any letter case."""
    for secret in secrets:
        if secret and len(secret) >= 4 and secret.lower() in value.lower():
            value = re.sub(re.escape(secret), MASK, value, flags=re.IGNORECASE)
    return value
