"""The batch's files: streamed input lines, and the append-only results file.

Input: read line by line (never whole), numbered from 1; blank lines are
not inputs. Output: one JSON object per line, ``{"line": n, ...}``, each
written with a single unbuffered ``write`` as soon as the input finishes.
On start the output is scanned: lines already recorded are skipped, and a
torn last line (no newline: the process died mid-write) is cut off so that
input simply runs again.

What is guaranteed: a record is in the operating system's hands (``write(2)``
returned) before its worker takes the next input, so killing hftui (Ctrl+C
twice, SIGKILL, a crash) loses at most the record being written, and that
input runs again next time. Records are not ``fsync``-ed one by one (that
would cost a disk flush per input): the file is ``fsync``-ed when the run
closes it, so an operating-system crash or power cut during a run can lose
records written since the start — those inputs then simply run again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hftui.client._wire import loads  # json.loads, faster on small lines (one per input)

def _record_encoder():
    """``json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)``, built once.

    ``json.dumps`` with options builds a new encoder per call, and even a kept
    ``JSONEncoder`` rebuilds its C encoder on every ``encode``: together more
    than half the cost of writing a record. The C encoder is made once here,
    without the circular-reference check (records are fresh trees of decoded
    JSON and converted results: they cannot contain themselves).
    """
    try:
        from json.encoder import c_make_encoder, encode_basestring
    except ImportError:
        c_make_encoder = None
    if c_make_encoder is None:  # not CPython's C accelerator: the plain path
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    chunks = c_make_encoder(None, str, encode_basestring, None, ":", ",", False, False, True)
    return lambda record: "".join(chunks(record, 0))


_encode = _record_encoder()

MAX_RAW_ECHO = 1000
"""Characters of a malformed input line echoed into its error record."""


class LineSet:
    """A growable bitmap of line numbers: 1 bit per line, not a set of ints."""

    __slots__ = ("_bits", "count")

    def __init__(self) -> None:
        self._bits = bytearray()
        self.count = 0

    def add(self, n: int) -> bool:
        """Mark line n; False if it already was."""
        byte, bit = divmod(n, 8)
        if byte >= len(self._bits):
            self._bits.extend(bytes(byte + 1 - len(self._bits) + 64))
        if self._bits[byte] >> bit & 1:
            return False
        self._bits[byte] |= 1 << bit
        self.count += 1
        return True

    def __contains__(self, n: int) -> bool:
        byte, bit = divmod(n, 8)
        return byte < len(self._bits) and bool(self._bits[byte] >> bit & 1)


def count_inputs(path: Path) -> int:
    """Non-blank lines of the input (one streaming pass, for the ETA)."""
    n = 0
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                n += 1
    return n


def iter_input(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw bytes) of each non-blank line, streamed."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if raw.strip():
                yield n, raw


class MalformedInput(ValueError):
    """A line that is not a JSON object."""


def parse_input(raw: bytes) -> dict[str, Any]:
    try:
        value = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedInput(f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise MalformedInput(f"expected a JSON object, got {type(value).__name__}")
    return value


def raw_echo(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    return text if len(text) <= MAX_RAW_ECHO else text[:MAX_RAW_ECHO] + "…"


class ScanResult:
    """What an existing output file already holds."""

    def __init__(self) -> None:
        self.done = LineSet()
        self.failed = 0
        self.torn_bytes = 0
        """Bytes cut from the end (a record torn by a kill)."""
        self.unreadable = 0
        """Complete lines that are not records (left in place, not counted as done)."""


def _record_line(raw: bytes) -> tuple[int, bool] | None:
    """(line number, is_error) of a result record, None if it is not one."""
    try:
        rec = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(rec, dict):
        return None
    n = rec.get("line")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        return None
    return n, "error" in rec


def scan_output(path: Path, *, drop_failed: bool = False) -> ScanResult:
    """Read what an earlier run wrote; repair a torn tail; optionally drop error records.

    ``drop_failed`` rewrites the file (streamed to a temp file, then an
    atomic rename) without its error records, so those inputs run again
    and still appear exactly once in the end.
    """
    result = ScanResult()
    if not path.exists():
        return result
    good_end = 0
    keep_path = path.with_name(f".{path.name}.rewrite") if drop_failed else None
    keep = open(keep_path, "wb") if keep_path else None
    try:
        with open(path, "rb") as fh:
            for raw in fh:
                if not raw.endswith(b"\n"):
                    result.torn_bytes = len(raw)
                    break
                good_end += len(raw)
                parsed = _record_line(raw)
                if parsed is None:
                    result.unreadable += raw.strip() != b""
                    if keep:
                        keep.write(raw)
                    continue
                n, is_error = parsed
                if is_error and drop_failed:
                    continue
                if result.done.add(n) and is_error:
                    result.failed += 1
                if keep:
                    keep.write(raw)
        if keep:
            keep.flush()
            os.fsync(keep.fileno())
            keep.close()
            keep = None
            os.replace(keep_path, path)
        elif result.torn_bytes:
            with open(path, "r+b") as fh:
                fh.truncate(good_end)
    finally:
        if keep:
            keep.close()
            try:
                os.unlink(keep_path)
            except OSError:
                pass
    return result


class OutputBusy(OSError):
    """Another process is writing the same output file."""


class ResultWriter:
    """Appends one record per line; each record is one ``write`` syscall.

    Holds an exclusive advisory lock on the file while open, so two runs
    (two terminals, or the TUI and the CLI) never interleave into one output.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(path, "ab", buffering=0)  # noqa: SIM115 - closed by close()
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.close()
            raise OutputBusy(f"{path} is being written by another hftui batch run") from None

    def write(self, record: dict[str, Any]) -> None:
        data = (_encode(record) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = self._fh.write(view)
            view = view[written:]

    def close(self) -> None:
        if self._fh.closed:
            return
        try:
            os.fsync(self._fh.fileno())  # once per run, not per record (see the module docstring)
        except OSError:
            pass  # a pipe or a file system without fsync: the records were written all the same
        self._fh.close()
