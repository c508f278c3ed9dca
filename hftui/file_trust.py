"""Files only the user controls: trust checks (like ssh's StrictModes) and private writes.

A file another user owns or can write — itself, or through a directory above
it — may have been planted: a ``config.toml`` whose ``hub_url`` is theirs
would receive the token; a token file of theirs logs you in as them; a
symlink where hftui saves a file would write through it. So:

    problem(path)             why ``path`` cannot be trusted (one line, with the fix), or None
    warn(message)             that line on stderr, as ``hftui: warning: …``
    private_dir(path)         create (0700, parents too) or check a directory hftui writes into
    private_file(path)        create an empty 0600 file (never through a symlink) or check the one there
    write_private(path, data) atomic replace through a temp file created 0600 (O_EXCL) in the same dir

Trusted means: owned by you or root, and not writable by group or others
(group write is fine when the group is your own user-private group, as
Debian/Ubuntu's umask 002 makes it: nobody else is in it). The file's own
directory must be trusted too, and every directory above it either trusted
or sticky (others cannot rename your entries in ``/tmp``).
Symlinks are followed for reading (dotfile managers link ``config.toml``),
and both the link's and the target's directories are checked; writes never
go through a symlink. No Textual, no third-party imports.
"""

from __future__ import annotations

import os
import secrets
import shlex
import stat
import sys
from pathlib import Path

from hftui.sanitize import one_line

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class UnsafePath(PermissionError):
    """A path hftui will not read or write: the message says why and how to fix it."""


def _me() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None


def _q(path: os.PathLike | str) -> str:
    return shlex.quote(str(path))


def _own_private_group(gid: int) -> bool:
    """True when ``gid`` is the user's own group with no other member (user private groups)."""
    try:
        import grp
        import pwd

        me = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(gid)
    except (ImportError, KeyError, OSError):
        return False
    return gid == me.pw_gid and group.gr_name == me.pw_name and set(group.gr_mem) <= {me.pw_name}


def _entry_problem(path: str, st: os.stat_result, *, sticky_ok: bool) -> str | None:
    me = _me()
    if st.st_uid not in (me, 0):
        return (f"{path} is owned by another user (uid {st.st_uid}, you are uid {me}); "
                f"fix: remove it, or chown {me} {_q(path)} if it is yours")
    writable = st.st_mode & stat.S_IWOTH or (st.st_mode & stat.S_IWGRP and not _own_private_group(st.st_gid))
    if writable:
        if sticky_ok and stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX:
            return None
        return f"{path} is writable by group or others; fix: chmod go-w {_q(path)}"
    return None


def _chain_problem(path: str, *, lexical: bool) -> str | None:
    """The entry at ``path`` (if any), its directory, and every directory above."""
    current = path
    first = True
    parent_level = True
    while True:
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            return f"cannot check {current}: {exc.strerror}"
        if st is not None and not (lexical and stat.S_ISLNK(st.st_mode)):
            # The file and its own directory must be private; a sticky dir (/tmp) is fine higher up.
            reason = _entry_problem(current, st, sticky_ok=not (first or parent_level))
            if reason:
                return reason
        if not first:
            parent_level = False
        first = False
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def problem(path: os.PathLike | str) -> str | None:
    """Why ``path`` cannot be trusted, as one line with the fix; None when it can (or does not exist)."""
    if _me() is None:  # no POSIX ownership to check
        return None
    lexical = os.path.abspath(os.fspath(path))
    reason = _chain_problem(lexical, lexical=True)
    if reason is None:
        real = os.path.realpath(lexical)
        if real != lexical:
            reason = _chain_problem(real, lexical=False)
    return one_line(reason, 500) if reason else None


def warn(message: str) -> None:
    """One line on stderr (before the UI owns the terminal, like ssh's permission warnings)."""
    print(one_line(f"hftui: warning: {message}", 1000), file=sys.stderr, flush=True)


def private_dir(path: os.PathLike | str) -> Path:
    """Create ``path`` and its missing parents 0700, or check the existing one; raise UnsafePath if untrusted."""
    folder = Path(os.path.abspath(os.fspath(path)))
    missing = []
    probe = folder
    while not os.path.lexists(probe) and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for part in reversed(missing):
        try:
            os.mkdir(part, PRIVATE_DIR)
        except FileExistsError:
            pass
    if not folder.is_dir():
        raise UnsafePath(f"{one_line(folder, 300)} is not a directory")
    reason = problem(folder)
    if reason:
        raise UnsafePath(reason)
    return folder


def private_file(path: os.PathLike | str) -> Path:
    """Make sure ``path`` is a regular file of yours, mode 0600, without following a symlink.

    A missing file is created empty with mode 0600 (O_EXCL|O_NOFOLLOW): for
    files another library then opens (SQLite), which would otherwise create it
    world-readable. An existing one of yours is tightened to 0600.
    """
    file = Path(os.path.abspath(os.fspath(path)))
    private_dir(file.parent)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, PRIVATE_FILE)
    except FileExistsError:
        pass
    else:
        os.close(fd)
        return file
    st = os.lstat(file)
    shown = one_line(file, 300)
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePath(f"{shown} is a symlink; hftui does not write through it (fix: remove it)")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafePath(f"{shown} is not a regular file")
    if st.st_uid not in (_me(), 0):
        raise UnsafePath(one_line(_entry_problem(str(file), st, sticky_ok=False), 500))
    if _me() is not None and st.st_mode & 0o077:  # an older hftui under a loose umask: ours, so tighten it
        fd = os.open(file, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        try:
            os.fchmod(fd, stat.S_IMODE(st.st_mode) & 0o700)
        finally:
            os.close(fd)
    return file


def write_private(path: os.PathLike | str, data: str | bytes, mode: int = PRIVATE_FILE) -> Path:
    """Write ``data`` to ``path`` atomically; the file never exists with a looser ``mode``.

    The temp file is created with ``mode`` (O_EXCL|O_NOFOLLOW) next to
    ``path`` and renamed over it: a symlink planted at ``path`` is replaced,
    never followed.
    """
    file = Path(os.path.abspath(os.fspath(path)))
    folder = private_dir(file.parent)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    while True:
        tmp = folder / f".{file.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, flags, mode & 0o700)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, file)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return file
