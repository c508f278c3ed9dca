"""Named self-hosted servers (TGI, vLLM, an OpenAI-compatible proxy), each with its own key.

In config.toml (parsed by ``hftui.config.parse_servers``)::

    [servers.gpu-box]
    url = "http://127.0.0.1:8080"     # the server's base URL
    kind = "tgi"                      # "openai" (default): chat only; "tgi": chat and text generation
    model = "meta-llama/Llama-3.1-8B-Instruct"   # the model a call names when none is given
    key_env = "GPU_BOX_KEY"           # the key from this variable...

...or, without ``key_env``, the key ``hftui server add`` stored (mode 0600, beside the
token), or no key at all. The key is a :class:`~hftui.auth.Secret` that goes only to that
server, as ``Authorization: Bearer``; the HF token never goes to a named server.

    server_target(server, task=..., model=...)  the Target of a call (key resolved now)
    find_server(settings, name)                   the ServerConfig, or ServerError naming the known ones
    parse_spec("gpu-box/org/model")               ("gpu-box", "org/model"): a batch target's name and model
    save_key / delete_key / key_path              the stored key of a server
    key_summary(server)                           where the key comes from, for listings (never the key)

No Textual: the Playground, ``hftui batch server:NAME`` and ``hftui server`` use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hftui.auth import Secret, read_private_file, write_private_file
from hftui.config import SERVER_KINDS, ServerConfig, config_dir, is_server_name
from hftui.sanitize import one_line

if TYPE_CHECKING:
    from hftui.client.core import Target
    from hftui.config import Settings

__all__ = ["SERVER_KINDS", "ServerConfig", "ServerError", "TASKS_BY_KIND", "delete_key", "find_server",
           "key_path", "key_summary", "parse_spec", "resolve_auth", "save_key", "server_target", "valid_key"]

TASKS_BY_KIND = {
    "openai": ("chat-completion",),
    "tgi": ("chat-completion", "text-generation"),
}
"""What each kind of server answers: ``/v1/chat/completions`` everywhere, TGI's generate route on TGI."""
DEFAULT_TASK = "chat-completion"
MAX_KEY = 4096


class ServerError(ValueError):
    """A named server cannot be used as asked (unknown, key missing, task it does not serve)."""


def keys_dir() -> Path:
    return config_dir() / "server-keys"


def key_path(name: str) -> Path:
    """Where ``hftui server add`` keeps the server's key (names are checked: no path tricks)."""
    if not is_server_name(name):
        raise ServerError(f"not a server name: {one_line(name, 80)!r} (1-64 letters, digits, '-' or '_')")
    return keys_dir() / name


def valid_key(raw: str) -> Secret:
    """A key as typed or read: one printable ASCII word (an HTTP header carries it)."""
    key = raw.strip()
    if not key:
        raise ServerError("the key is empty")
    if len(key) > MAX_KEY or not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise ServerError("a key is one word of printable ASCII characters (no spaces), at most 4096")
    return Secret(key)


def save_key(name: str, key: Secret) -> Path:
    """Store the server's key: written atomically with mode 0600, like the token."""
    return write_private_file(key_path(name), key.reveal())


def delete_key(name: str) -> bool:
    """Remove the server's stored key. True if there was one."""
    try:
        key_path(name).unlink()
    except FileNotFoundError:
        return False
    return True


def resolve_auth(server: ServerConfig, environ: Mapping[str, str] | None = None):
    """The server's credential (``ServerAuth``): from ``key_env`` if set (which must then be set
    in the environment), else the stored key, else none."""
    from hftui.client.core import ServerAuth

    env = os.environ if environ is None else environ
    if server.key_env:
        value = env.get(server.key_env, "")
        if not value.strip():
            raise ServerError(f"server {server.name}: ${server.key_env} (its key_env) is not set")
        try:
            key = valid_key(value)
        except ServerError as exc:
            raise ServerError(f"server {server.name}: ${server.key_env}: {exc}") from None
        return ServerAuth(server.name, key, f"${server.key_env}", server.url)
    stored = read_private_file(key_path(server.name))
    if stored is None:
        return ServerAuth(server.name, None, None, server.url)
    try:
        key = valid_key(stored)
    except ServerError as exc:
        raise ServerError(f"server {server.name}: the stored key: {exc}") from None
    return ServerAuth(server.name, key, "hftui's stored key", server.url)


def key_summary(server: ServerConfig, environ: Mapping[str, str] | None = None) -> str:
    """Where the key comes from, for a listing (never the key itself)."""
    env = os.environ if environ is None else environ
    if server.key_env:
        state = "set" if env.get(server.key_env, "").strip() else "NOT SET"
        return f"key from ${server.key_env} ({state})"
    try:
        stored = key_path(server.name).is_file()
    except OSError:
        stored = False
    return "stored key" if stored else "no key"


def find_server(settings: Settings, name: str) -> ServerConfig:
    servers = settings.servers
    server = servers.get(name)
    if server is None:
        known = ", ".join(sorted(servers)) or "none configured"
        raise ServerError(f"no server named {one_line(name, 80)!r} in config.toml (servers: {known})")
    return server


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME/MODEL`` (the model may hold more slashes) -> (name, model or None)."""
    name, _, model = spec.partition("/")
    return name, (model.strip() or None)


def server_target(server: ServerConfig, *, task: str | None = None, model: str | None = None,
                  environ: Mapping[str, str] | None = None) -> Target:
    """The Target of a call to ``server``: its URL, its key (resolved now), never the HF token.

    ``task`` is checked against what the server's kind answers; ``model`` (else the server's
    default) is the ``model`` field of a chat call and shown in the label.
    """
    from hftui.client.core import Target

    if task is not None:
        task = "chat-completion" if task == "conversational" else task
        served = TASKS_BY_KIND.get(server.kind, ())
        if task not in served:
            hint = " (set kind = \"tgi\" if it is a TGI server)" if server.kind == "openai" and \
                task == "text-generation" else ""
            raise ServerError(f"server {server.name} ({server.kind}) answers {', '.join(served)}, not {task}{hint}")
    auth = resolve_auth(server, environ)
    model = model or server.model
    label = f"server {server.name}" + (f" · {model}" if model else "")
    return Target("url", url=server.url, model=model, send_token=False, label=label, auth=auth)
