"""``hftui server add|list|remove``: named self-hosted servers and their keys (see ``hftui.servers``).

``add`` writes the ``[servers.NAME]`` table into config.toml (appended: the
rest of the file, comments included, is kept as it is) and stores the key,
read without echo, with mode 0600. Nothing here prints a key.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hftui.config import SERVER_KINDS


def add_parser(sub) -> None:
    """The ``server`` command on hftui's sub-parsers."""
    srv = sub.add_parser("server", help="named self-hosted servers (TGI, vLLM, OpenAI-compatible) and their keys")
    actions = srv.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a server to config.toml and store its key (read without echo)",
                             description="Add [servers.NAME] to config.toml; the key is read without echo and "
                             "stored with mode 0600 (empty: no key). Use it in the Playground's target kind "
                             "or as `hftui batch server:NAME`.")
    add.add_argument("name", help="a short name: letters, digits, '-' or '_'")
    add.add_argument("url", help="the server's base URL, e.g. http://127.0.0.1:8080")
    add.add_argument("--kind", choices=SERVER_KINDS, default="openai",
                     help="openai (default): chat only; tgi: chat and text generation")
    add.add_argument("--model", help="the model a call names by default")
    key = add.add_mutually_exclusive_group()
    key.add_argument("--key-env", metavar="VAR", help="read the key from this environment variable (not stored)")
    key.add_argument("--no-key", action="store_true", help="the server needs no key")
    actions.add_parser("list", help="the configured servers and where their keys come from (never the keys)")
    rm = actions.add_parser("remove", help="delete a server's stored key")
    rm.add_argument("name")


def main(args) -> int:
    from hftui.servers import ServerError

    try:
        if args.server_command == "add":
            return _add(args)
        if args.server_command == "list":
            return _list()
        return _remove(args.name)
    except ServerError as exc:
        print(f"hftui server: {exc}", file=sys.stderr)
        return 2


def _settings():
    from hftui.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        print(f"hftui: config error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string of checked text is a TOML basic string


def _table(server) -> str:
    lines = [f"[servers.{server.name}]", f"url = {_toml_string(server.url)}"]
    if server.kind != "openai":
        lines.append(f"kind = {_toml_string(server.kind)}")
    if server.model:
        lines.append(f"model = {_toml_string(server.model)}")
    if server.key_env:
        lines.append(f"key_env = {_toml_string(server.key_env)}")
    return "\n".join(lines) + "\n"


def _add(args) -> int:
    import getpass

    from hftui.auth import write_private_file
    from hftui.config import ConfigError, config_file, parse_servers, server_config
    from hftui.sanitize import one_line
    from hftui.servers import save_key, valid_key

    entry = {"url": args.url, "kind": args.kind}
    if args.model:
        entry["model"] = args.model
    if args.key_env:
        entry["key_env"] = args.key_env
    try:
        server = server_config(args.name, entry, "server add")
    except ConfigError as exc:
        print(f"hftui server: {exc}", file=sys.stderr)
        return 2
    path = config_file()
    existing = _settings().servers.get(server.name)
    if existing is not None and existing != server:
        print(f"hftui server: {server.name} is already in {path} (url {one_line(existing.url, 200)}): "
              f"edit its [servers.{server.name}] table there", file=sys.stderr)
        return 2
    key = None
    if not (args.key_env or args.no_key):
        try:
            raw = getpass.getpass(f"Key for server {server.name} (input hidden; empty: none): ")
        except (EOFError, KeyboardInterrupt):
            print("\nhftui server: cancelled, nothing saved", file=sys.stderr)
            return 1
        key = valid_key(raw) if raw.strip() else None
    if existing is None:
        if path.is_symlink():
            print(f"hftui server: {path} is a symlink: add this table to it by hand:\n{_table(server)}",
                  file=sys.stderr)
            return 2
        text = _read(path)
        text = text + ("\n" if text and not text.endswith("\n") else "") + ("\n" if text else "") + _table(server)
        import tomllib

        try:  # what we write must read back (e.g. not after an inline `servers = {...}`)
            parse_servers(tomllib.loads(text).get("servers", {}), str(path))
        except (tomllib.TOMLDecodeError, ConfigError):
            print(f"hftui server: cannot append to {path}: add this table to it by hand:\n{_table(server)}",
                  file=sys.stderr)
            return 2
        write_private_file(path, text)
        print(f"Added [servers.{server.name}] to {path}")
    if key is not None:
        print(f"Key saved to {save_key(server.name, key)}")
    elif args.key_env:
        print(f"The key is read from ${server.key_env} when the server is used.")
    print(f"Use it in the Playground (target kind: server {server.name}) or as `hftui batch server:{server.name}`.")
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _list() -> int:
    from hftui.config import config_file
    from hftui.sanitize import one_line
    from hftui.servers import key_summary

    servers = _settings().servers
    if not servers:
        print(f"No servers. Add one with `hftui server add NAME URL`, or a [servers.NAME] table in {config_file()}.")
        return 0
    for server in servers.values():
        print(server_line(server, key_summary(server), one_line))
    return 0


def server_line(server, key_summary: str, one_line) -> str:
    model = f"  model {one_line(server.model, 80)}" if server.model else ""
    return f"{server.name}  {server.kind}  {one_line(server.url, 200)}{model}  {key_summary}"


def locate_lines() -> list[str]:
    """What ``hftui locate`` adds: the keys' dir and the servers (a config error is one line)."""
    from hftui.config import ConfigError, load_settings
    from hftui.sanitize import one_line
    from hftui.servers import key_summary, keys_dir

    lines = [f"server keys: {keys_dir()}"]
    try:
        servers = load_settings().servers
    except ConfigError as exc:
        return lines + [f"servers: (config error: {one_line(exc, 300)})"]
    lines += [f"server {server_line(s, key_summary(s), one_line)}" for s in servers.values()]
    return lines


def _remove(name: str) -> int:
    from hftui.config import config_file
    from hftui.servers import delete_key, key_path

    path = key_path(name)
    if delete_key(name):
        print(f"Removed {path}")
    else:
        print(f"No key was stored for {name}.")
    if name in _settings().servers:
        print(f"Its [servers.{name}] table stays in {config_file()}: delete it there to forget the server.")
    return 0

