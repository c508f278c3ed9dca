"""The token: where it comes from, how it is stored. Never printed.

Resolution order (first hit wins): ``--token``/``HF_TOKEN`` (then the legacy
``HUGGING_FACE_HUB_TOKEN``) -> hftui's own token file in the platformdirs
config dir -> the HF ecosystem's token file (``HF_TOKEN_PATH``, else
``$HF_HOME/token``, else ``~/.cache/huggingface/token``). A token file that
another user owns or can write (or whose directory they can write) is not
used: a warning on stderr names it and the fix (``hftui.file_trust``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hftui.config import config_dir


def token_problem(value: str) -> str | None:
    """Why ``value`` cannot be a token (it is sent in an HTTP header), or None if it can.

    A token is printable ASCII without spaces (HF tokens are ``hf_`` and
    letters/digits). The text never quotes the token or its characters.
    """
    if not value:
        return "the token is empty"
    if value.isascii() and value.isprintable() and " " not in value:  # the common case, at C speed
        return None
    for ch in value:
        if ch in " \t\n\r\f\v" or ch.isspace():
            return "the token contains a space or a line break (paste it again, without them)"
    for ch in value:
        if not ch.isascii():
            return ("the token contains a character that is not ASCII (a token is letters, digits and "
                    "'_' only: was a quote or another character pasted with it?)")
    return "the token contains a control character (paste it again)"


class Secret:
    """A token that does not leak: repr/str never show it.

    ``problem`` says why it cannot be sent (non-ASCII, spaces, control
    characters), or None: callers refuse such a token with that message.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The raw token, for the Authorization header only."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    @property
    def problem(self) -> str | None:
        return token_problem(self._value)

    def __reduce__(self):  # never pickle the value into a crash dump
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class ResolvedToken:
    token: Secret
    source: str
    """Human description of where it came from, e.g. ``HF_TOKEN`` or a path."""


def hftui_token_path() -> Path:
    return config_dir() / "token"


def hf_ecosystem_token_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("HF_TOKEN_PATH"):
        return Path(os.path.expandvars(os.path.expanduser(env["HF_TOKEN_PATH"])))
    if env.get("HF_HOME"):
        home = Path(os.path.expandvars(os.path.expanduser(env["HF_HOME"])))
    else:
        cache = env.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
        home = Path(cache) / "huggingface"
    return home / "token"


def read_private_file(path: Path) -> str | None:
    """A secret file's stripped text; None if it is missing, unreadable, empty, or not to be trusted."""
    if not path.is_file():
        return None
    from hftui.file_trust import problem, warn

    reason = problem(path)
    if reason:  # someone else could have put their token (their account) there: ssh's rule
        warn(f"not using the token in {path}: {reason}")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    text = text.strip()
    return text or None


def resolve_token(explicit: str | None = None, environ: dict[str, str] | None = None) -> ResolvedToken | None:
    """The token to use, and where it came from; None if there is none."""
    env = os.environ if environ is None else environ
    if explicit and explicit.strip():
        return ResolvedToken(Secret(explicit.strip()), "--token")
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        if env.get(var, "").strip():
            return ResolvedToken(Secret(env[var].strip()), var)
    for path in (hftui_token_path(), hf_ecosystem_token_path(env)):
        value = read_private_file(path)
        if value:
            return ResolvedToken(Secret(value), str(path))
    return None


def save_token(token: Secret) -> Path:
    """Write hftui's own token file atomically, mode 0600 (dir 0700)."""
    return write_private_file(hftui_token_path(), token.reveal())


def write_private_file(path: Path, text: str) -> Path:
    """Write ``path`` atomically with mode 0600 (its dir 0700): a secret, or a file that says where one goes."""
    from hftui.file_trust import write_private

    return write_private(path, text)


def delete_token() -> bool:
    """Remove hftui's own token file. True if there was one."""
    try:
        hftui_token_path().unlink()
    except FileNotFoundError:
        return False
    return True
