"""What a program wrote to its terminal, taken apart, and the checks of issue 9 on it.

``TerminalStream(raw)`` decodes the bytes (UTF-8; a byte that is not part of a UTF-8 sequence is
kept as a lone surrogate, so a raw 8-bit C1 byte cannot hide in a replacement character), splits
out every escape sequence (CSI, OSC, DCS/SOS/PM/APC strings, two-character escapes) and decodes
what the program put on the clipboard (OSC 52).

``stream_problems(raw, token=...)`` lists what must never be there when the text came from a
hostile server (empty list: clean):

- a raw 8-bit C1 byte (0x80-0x9F outside a UTF-8 sequence) or a C1 code point (U+0080-U+009F):
  terminals act on both;
- an escape sequence carrying one of the server's payload words (``SERVER_MARKS``), a CSI of a
  shape the app never sends (``APP_CSI``: clear screen ``2J``, window operations ``t``...) or with
  the server's ``4242``, an OSC the app never sends (title, colours: anything but the clipboard,
  links and the pointer shape), a link to the server's ``https://x``, any DCS/SOS/PM/APC string;
- something on the clipboard with a control character or a payload word;
- the token, in any letter case, in the text or on the clipboard.

The app's own output legitimately holds many CSI sequences (colours, cursor moves, modes) and an
OSC 52 whenever the user copies: those pass; ``test_pty_walk.py`` shows the checks fail on a
recorded clean stream with a server's sequence put in.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from dataclasses import dataclass, field

from tests.hardening.hostile_server import SERVER_MARKS

_SEQUENCE = re.compile(
    r"""
    \x1b\[(?P<csi>[0-?]*[ -/]*)(?P<final>[@-~])         # CSI params intermediates final
  | \x1b\](?P<osc>[^\x07\x1b]*)(?:\x07|\x1b\\)?         # OSC ... BEL | ST
  | \x1b(?P<kind>[PX^_])(?P<string>.*?)(?:\x1b\\|\Z)    # DCS / SOS / PM / APC ... ST
  | \x1b(?P<esc>[ -/]*[0-~]?)                           # two-character escapes, a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)
_STRING_KINDS = {"P": "DCS", "X": "SOS", "^": "PM", "_": "APC"}
_C1 = re.compile("[\x80-\x9f]")
_STRAY_BYTE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

APP_OSC = {"52", "8", "22"}
"""OSC numbers the app itself sends: the clipboard when the user copies, links it makes itself, the
mouse pointer's shape (``22;default``: a plain word)."""
APP_CSI = {"m", "H", "?h", "?l", "?$p", ">u", "<u"}
"""CSI shapes (private marker, intermediates, final) the app itself sends: colours, cursor position,
modes (alternate screen, mouse, focus, paste...), mode queries, the kitty keyboard protocol. A
recorded walk holds nothing else: no clear screen (``2J``), no window operation (``t``), no
device report request (``n``)."""
CLI_CSI = {"K"}
"""What ``hftui batch`` sends itself: erase the progress line (``2K``) before rewriting it."""
SERVER_LINK = "https://x"
"""Where the server's ``[link=...]`` markup points: never an OSC 8 link."""
_POINTER = re.compile(r"22;[a-z-]+")


@dataclass
class Sequence:
    kind: str
    """``CSI``, ``OSC``, ``DCS``, ``SOS``, ``PM``, ``APC`` or ``ESC``."""
    text: str
    """The whole sequence, introducer included."""
    body: str
    """CSI: parameters and intermediates; OSC and strings: what is between introducer and end."""
    final: str = ""
    """CSI: the final character."""


@dataclass
class TerminalStream:
    raw: bytes
    text: str = field(init=False)
    sequences: list[Sequence] = field(init=False)
    clipboard: list[str | None] = field(init=False)
    """What each OSC 52 put on the clipboard (None: not valid base64 / UTF-8)."""

    def __post_init__(self) -> None:
        self.text = self.raw.decode("utf-8", "surrogateescape")
        self.sequences = []
        self.clipboard = []
        for m in _SEQUENCE.finditer(self.text):
            if m.group("final") is not None:
                seq = Sequence("CSI", m.group(), m.group("csi"), m.group("final"))
            elif m.group("osc") is not None:
                seq = Sequence("OSC", m.group(), m.group("osc"))
                number, _, rest = seq.body.partition(";")
                if number == "52":
                    self.clipboard.append(_clipboard_text(rest.partition(";")[2]))
            elif m.group("kind") is not None:
                seq = Sequence(_STRING_KINDS[m.group("kind")], m.group(), m.group("string"))
            else:
                seq = Sequence("ESC", m.group(), m.group("esc"))
            self.sequences.append(seq)

    @property
    def plain(self) -> str:
        """The text with every escape sequence taken out."""
        return _SEQUENCE.sub("", self.text)

    def signatures(self) -> Counter:
        """How many sequences of each shape (CSI by final and private marker, OSC by number...)."""
        shapes: Counter = Counter()
        for seq in self.sequences:
            if seq.kind == "CSI":
                shapes[f"CSI {csi_shape(seq)}"] += 1
            elif seq.kind == "OSC":
                shapes[f"OSC {seq.body.partition(';')[0]}"] += 1
            else:
                shapes[seq.kind] += 1
        return shapes


def _clipboard_text(data: str) -> str | None:
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def mask(text: str, token: str) -> str:
    """``text`` with ``token`` (any case, even cut after its first 8 characters) replaced: a failure
    message must not leak it either."""
    if not token:
        return text
    return re.sub(re.escape(token[:8]) + r"[A-Za-z0-9]*", "<TOKEN>", text, flags=re.IGNORECASE)


def _excerpt(text: str, start: int, end: int, around: int = 60) -> str:
    return repr(text[max(0, start - around):end + around])


def csi_shape(seq: Sequence) -> str:
    """``?h``, ``m``, ``?$p``...: private marker, intermediates and final of a CSI (no numbers)."""
    marker = seq.body[:1] if seq.body[:1] in "<=>?" else ""
    return marker + re.sub(r"[0-?]", "", seq.body) + seq.final


def stream_problems(raw: bytes, *, token: str, marks: tuple[str, ...] = SERVER_MARKS,
                    app_csi: frozenset[str] | set[str] = APP_CSI) -> list[str]:
    """Everything in ``raw`` (what the app wrote to its terminal) that a server chose or that leaks
    ``token``; empty when clean. ``app_csi``: the CSI shapes this program sends itself."""
    stream = TerminalStream(raw)
    text = stream.text
    problems: list[str] = []
    for m in _STRAY_BYTE.finditer(text):
        byte = ord(m.group()) - 0xDC00
        what = "raw 8-bit C1 byte" if 0x80 <= byte <= 0x9F else "byte outside UTF-8"
        problems.append(f"{what} 0x{byte:02x} at {m.start()}: {_excerpt(text, m.start(), m.end())}")
    for m in _C1.finditer(text):
        problems.append(f"C1 control U+{ord(m.group()):04X} at {m.start()}: {_excerpt(text, m.start(), m.end())}")
    for seq in stream.sequences:
        found = [w for w in marks if w in seq.body]
        if found:
            problems.append(f"the server's escape sequence reached the terminal ({found[0]}): {seq.text!r}")
            continue
        if seq.kind == "CSI":
            if "4242" in seq.body or csi_shape(seq) not in app_csi:
                problems.append(f"a CSI the app never sends: {seq.text!r}")
        elif seq.kind == "OSC":
            number = seq.body.partition(";")[0]
            if number not in APP_OSC:
                problems.append(f"OSC {number} (the app sends only {sorted(APP_OSC)}): {seq.text!r}")
            elif number == "8" and SERVER_LINK in seq.body:
                problems.append(f"a link the server chose: {seq.text!r}")
            elif number == "22" and not _POINTER.fullmatch(seq.body):
                problems.append(f"an OSC 22 that is not a pointer shape: {seq.text!r}")
        elif seq.kind != "ESC":
            problems.append(f"a {seq.kind} string (the app sends none): {seq.text[:200]!r}")
    for copied in stream.clipboard:
        if copied is None:
            problems.append("an OSC 52 whose payload is not base64 of UTF-8 text")
            continue
        bad = _CONTROL.search(copied.replace("\n", "").replace("\t", ""))
        if bad:
            problems.append(f"a control character {bad.group()!r} put on the clipboard: {copied[:300]!r}")
        if any(w in copied for w in marks):
            problems.append(f"the server's escape payload put on the clipboard: {copied[:300]!r}")
        if token and token.lower() in copied.lower():
            problems.append("the token was put on the clipboard")
    if token:
        low = text.lower()
        at = low.find(token.lower())
        if at >= 0:
            problems.append(f"the token reached the terminal ({low.count(token.lower())} times), first at {at}: "
                            f"{mask(text[max(0, at - 80):at], token)!r}<TOKEN>")
    return problems


def assert_clean_stream(raw: bytes, *, token: str, what: str = "the terminal",
                        app_csi: frozenset[str] | set[str] = APP_CSI) -> TerminalStream:
    """Fail with every problem :func:`stream_problems` finds; returns the parsed stream."""
    problems = stream_problems(raw, token=token, app_csi=app_csi)
    if problems:
        shown = "\n  ".join(mask(p, token) for p in problems[:25])
        more = f"\n  … and {len(problems) - 25} more" if len(problems) > 25 else ""
        raise AssertionError(f"{len(problems)} problem(s) in what reached {what}:\n  {shown}{more}")
    return TerminalStream(raw)
