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

Hostile files: an input line longer than ``max_line_bytes`` is read in
bounded memory and becomes that line's error (``LineTooLong``); an input is
echoed into its record only when it is small (``MAX_INPUT_ECHO``), else as a
short excerpt. The output must be a regular file (or a new path): it is
opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked with ``fstat`` — a FIFO,
a device or a planted symlink is refused, never read or written — and a new
output is created 0600. Records stay strict JSON: NaN/±Infinity are written
as ``null``, a lone surrogate as its ``\\udXXX`` escape, and a token a server
echoed back is masked (``***``) before anything is written.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from hftui.client._wire import loads  # json.loads, faster on small lines (one per input)
from hftui.sanitize import redact

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
    # allow_nan=False: NaN/Infinity raise ValueError (they are not JSON); encode_record() then nulls them
    chunks = c_make_encoder(None, str, encode_basestring, None, ":", ",", False, False, False)
    return lambda record: "".join(chunks(record, 0))


_encode = _record_encoder()
_encode_ascii = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=str, allow_nan=False).encode

MAX_RAW_ECHO = 1000
"""Characters of an input line echoed into a record when the line is not echoed whole."""
MAX_INPUT_ECHO = 64 * 1024
"""An input line longer than this (bytes) is echoed as an excerpt, not copied into its record."""
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
"""An input line longer than this is not read (``--max-line-bytes``)."""
_SKIP_CHUNK = 1024 * 1024


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


def fmt_bytes(n: int) -> str:
    """``16 MiB``, ``1.5 MiB``, ``300 KiB``, ``12 bytes``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n // size} {unit}" if n % size == 0 else f"{n / size:.1f} {unit}"
    return f"{n} bytes"


class LineTooLong:
    """An input line over the cap: its size and its first bytes, never the whole of it."""

    __slots__ = ("size", "excerpt")

    def __init__(self, size: int, excerpt: bytes) -> None:
        self.size = size
        """Bytes of the line, without its newline."""
        self.excerpt = excerpt

    def __repr__(self) -> str:
        return f"LineTooLong({self.size})"


def _lines(fh, max_line_bytes: int) -> Iterator[bytes | LineTooLong]:
    """Each physical line of ``fh``; one longer than ``max_line_bytes`` is skipped in bounded chunks."""
    readline = fh.readline
    limit = max_line_bytes + 1  # room for the newline
    while True:
        raw = readline(limit)
        if not raw:
            return
        if len(raw) < limit or raw[-1] == 10:  # b"\n": a whole line (or the last one, without newline)
            yield raw
            continue
        size = len(raw)
        excerpt = raw[:MAX_RAW_ECHO]
        del raw  # never hold more than the cap
        while True:
            chunk = readline(_SKIP_CHUNK)
            size += len(chunk)
            if not chunk or chunk[-1] == 10:
                break
        yield LineTooLong(size - (1 if chunk else 0), excerpt)


def count_inputs(path: Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> int:
    """Non-blank lines of the input (one streaming pass, for the ETA)."""
    n = 0
    with open(path, "rb") as fh:
        for raw in _lines(fh, max_line_bytes):
            if type(raw) is not bytes or raw.strip():
                n += 1
    return n


def count_left(path: Path, done: LineSet, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> tuple[int, int]:
    """(inputs, inputs without a record in ``done``): one streaming pass over the input."""
    total = left = 0
    for n, _raw in iter_input(path, max_line_bytes):
        total += 1
        left += n not in done
    return total, left


def iter_input(path: Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
               ) -> Iterator[tuple[int, bytes | LineTooLong]]:
    """(line number, raw bytes) of each non-blank line, streamed; ``LineTooLong`` for one over the cap."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(_lines(fh, max_line_bytes), start=1):
            if type(raw) is not bytes or raw.strip():
                yield n, raw


class MalformedInput(ValueError):
    """A line that is not a JSON object."""


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def parse_input(raw: bytes) -> dict[str, Any]:
    try:
        value = loads(raw)
        if b"NaN" in raw or b"Infinity" in raw:  # Python reads them; JSON has no such values
            value = json.loads(raw, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedInput(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise MalformedInput("not valid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise MalformedInput(f"expected a JSON object, got {type(value).__name__}")
    return value


def raw_echo(raw: bytes) -> str:
    """At most ``MAX_RAW_ECHO`` characters of an input line, for its record."""
    text = raw[:MAX_RAW_ECHO * 4].decode("utf-8", errors="replace").rstrip("\r\n")
    return text if len(text) <= MAX_RAW_ECHO else text[:MAX_RAW_ECHO] + "…"


def _finite(value: Any) -> Any:
    """``value`` with every NaN/±Infinity float replaced by None (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _redacted(value: Any, secrets: tuple[str, ...]) -> Any:
    """``value`` with each secret masked in every string (keys too): the JSON structure stays intact."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {_redacted(k, secrets): _redacted(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(v, secrets) for v in value]
    return value


def secret_forms(secrets: Iterable[str | None]) -> tuple[str, ...]:
    """The secrets as they may appear in a record's JSON text (raw, and JSON-escaped), lower-cased."""
    forms: list[str] = []
    for secret in secrets:
        if secret and len(secret) >= 4:
            for form in (secret, json.dumps(secret, ensure_ascii=False)[1:-1]):
                if form.lower() not in forms:
                    forms.append(form.lower())
    return tuple(forms)


def encode_record(record: dict[str, Any], secrets: tuple[str, ...] = (), forms: tuple[str, ...] = ()) -> bytes:
    """One record as a strict-JSON UTF-8 line; ``forms`` = ``secret_forms(secrets)``.

    Raises RecursionError / TypeError for a record that cannot be written at all.
    """
    try:
        text = _encode(record)
    except ValueError:  # NaN or ±Infinity somewhere
        record = _finite(record)
        text = _encode(record)
    if forms:
        lower = text.lower()
        for form in forms:
            if form in lower:  # rare: walk the record only then
                record = _redacted(record, secrets)
                text = _encode(record)
                break
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: its \\udXXX escape is valid JSON and valid UTF-8
        return (_encode_ascii(record) + "\n").encode("ascii")


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


def scan_output(path: Path, *, drop_failed: bool = False, readonly: bool = False) -> ScanResult:
    """Read what an earlier run wrote; repair a torn tail; optionally drop error records.

    ``drop_failed`` rewrites the file (streamed to a temp file, then an
    atomic rename) without its error records, so those inputs run again
    and still appear exactly once in the end. ``readonly`` only looks (error
    records are still left out of ``done`` with ``drop_failed``): the check,
    before an endpoint is resumed, that some input is left to run.
    """
    result = ScanResult()
    try:
        fd = open_output(path, os.O_RDONLY)
    except FileNotFoundError:
        return result
    good_end = 0
    keep_path = path.with_name(f".{path.name}.rewrite") if drop_failed and not readonly else None
    keep = None
    try:
        if keep_path:
            keep = os.fdopen(_create_private(keep_path), "wb")
        with open(fd, "rb", closefd=False) as fh:
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
        elif result.torn_bytes and not readonly:
            with open(open_output(path, os.O_RDWR), "r+b") as fh:
                fh.truncate(good_end)
    finally:
        os.close(fd)
        if keep:
            keep.close()
            try:
                os.unlink(keep_path)
            except OSError:
                pass
    return result


class OutputBusy(OSError):
    """Another process is writing the same output file."""


class UnsafeOutput(OSError):
    """The output path is not a regular file (a FIFO, a device, a directory) or is a symbolic link."""


_NOT_REGULAR = "is not a regular file (the output must be a file hftui can read back to resume)"
_SYMLINK = "is a symbolic link: give the file's own path"


def check_output_path(path: Path) -> None:
    """Refuse an output that exists and is not a regular file, before anything opens it.

    Opening a FIFO blocks, reading ``/dev/full`` never ends, ``/dev/stdout``
    into a pipe blocks: all are refused here with ``lstat`` (no symlink
    followed); ``open_output`` checks again on the open descriptor.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeOutput(f"{path} {_SYMLINK}")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeOutput(f"{path} {_NOT_REGULAR}")


_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def open_output(path: Path, flags: int) -> int:
    """A descriptor on the regular file ``path`` (created 0600 with ``O_CREAT``); never a FIFO, device or symlink.

    ``O_NONBLOCK`` keeps ``open`` from blocking on a FIFO swapped in after
    ``check_output_path``; ``fstat`` on the descriptor closes that race.
    """
    try:
        fd = os.open(path, flags | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeOutput(f"{path} {_SYMLINK}") from None
        if exc.errno in (errno.ENXIO, errno.EISDIR, errno.ENODEV):  # a FIFO without reader, a directory...
            raise UnsafeOutput(f"{path} {_NOT_REGULAR}") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafeOutput(f"{path} {_NOT_REGULAR}")
        if _O_NONBLOCK:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _create_private(path: Path) -> int:
    """A new file, 0600 from the start, never through a planted symlink (a stale one is removed first)."""
    try:
        os.unlink(path)  # removes a symlink itself, never its target
    except FileNotFoundError:
        pass
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, 0o600)


class ResultWriter:
    """Appends one record per line; each record is one ``write`` syscall.

    Holds an exclusive advisory lock on the file while open, so two runs
    (two terminals, or the TUI and the CLI) never interleave into one output.
    """

    def __init__(self, path: Path, secrets: Iterable[str | None] = ()) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = open_output(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        self._fh = open(fd, "ab", buffering=0)  # noqa: SIM115 - closed by close()
        self._secrets = tuple(s for s in secrets if s and len(s) >= 4)
        self._forms = secret_forms(self._secrets)
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.close()
            raise OutputBusy(f"{path} is being written by another hftui batch run") from None

    def encode(self, record: dict[str, Any]) -> bytes:
        """The record's line, secrets masked (see ``encode_record``)."""
        return encode_record(record, self._secrets, self._forms)

    def write(self, record: dict[str, Any]) -> None:
        self.write_bytes(encode_record(record, self._secrets, self._forms))

    def write_bytes(self, data: bytes) -> None:
        """One encoded record; raises OSError if the file cannot take it (full disk...)."""
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
