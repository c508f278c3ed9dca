"""Command line: ``hftui [--demo]``, ``hftui login|logout|locate|batch``.

Kept free of heavy imports: Textual, the emulator and the client load only
when the chosen command needs them. Every line printed goes through ``_say``:
text from a server or a file (a user name, a token role, an error message)
reaches the terminal only cleaned (``hftui.sanitize.one_line``).
"""

from __future__ import annotations

import argparse
import sys

from hftui import __version__


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hftui",
        description="Keyboard-driven terminal app for Hugging Face inference: model status, "
        "a per-task playground with streaming, and Inference Endpoints.",
        epilog="Configuration: env HF_TOKEN, HF_ENDPOINT, HFTUI_INFERENCE_URL, HFTUI_ENDPOINTS_API_URL; "
        "file: `hftui locate config`.",
    )
    p.add_argument("--version", action="version", version=f"hftui {__version__}")
    p.add_argument("--demo", action="store_true",
                   help="run against a built-in emulator of the HF services (no account, no network)")
    p.add_argument("--token", help="HF token to use (default: $HF_TOKEN, then the saved token); other users can see command lines, so prefer HF_TOKEN or `hftui login`")
    p.add_argument("--seed", type=int, default=0, help="emulator seed with --demo")
    p.add_argument("--speed", type=float, default=1.0, help="emulator clock speed with --demo")
    p.add_argument("--screen", choices=["models", "playground", "endpoints"],
                   help="screen to open first")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("login", help="save a token (read without echo, validated with whoami)")
    sub.add_parser("logout", help="remove hftui's saved token")
    loc = sub.add_parser("locate", help="print where hftui keeps its files")
    loc.add_argument("what", choices=["config", "data", "token"], nargs="?", default=None)
    from hftui.server_cli import add_parser as add_server_parser

    add_server_parser(sub)
    batch = sub.add_parser("batch", help="run a JSONL file of inputs through a model or endpoint", add_help=False)
    batch.add_argument("rest", nargs=argparse.REMAINDER)
    return p


def _say(text: str, *, err: bool = False) -> None:
    """One line to stdout (or stderr): no escape sequence or control character, bounded."""
    from hftui.sanitize import one_line

    print(one_line(text, 2000), file=sys.stderr if err else sys.stdout)


def _settings_or_exit():
    from hftui.config import ConfigError, config_file, load_settings

    try:
        settings = load_settings()
        if settings.keymap:  # binding ids live in the UI modules: checked before the app starts
            from hftui.keys import check_keymap

            check_keymap(settings.keymap, source=config_file())
        return settings
    except ConfigError as exc:
        _say(f"hftui: config error: {exc}", err=True)
        raise SystemExit(2) from None


def _login(settings) -> int:
    import asyncio
    import getpass

    from hftui.auth import Secret, save_token

    try:
        raw = getpass.getpass("Hugging Face token (input hidden): ").strip()
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        _say("hftui: login cancelled", err=True)
        return 1
    if not raw:
        _say("hftui: no token given", err=True)
        return 1
    token = Secret(raw)
    if token.problem:
        print(f"hftui: not a valid token: {token.problem}", file=sys.stderr)
        return 1

    async def check():
        from hftui.client import HFClient

        async with HFClient(settings, token, token_source="login") as hf:
            return await hf.hub.whoami()

    from hftui.client import HFError

    try:
        me = asyncio.run(check())
    except HFError as exc:
        _say(f"hftui: token rejected: {exc.user_message()}", err=True)
        return 1
    from hftui.sanitize import one_line

    try:
        path = save_token(token)
    except OSError as exc:  # an untrusted or unwritable config folder: say which and why
        _say(f"hftui: the token was not saved: {exc}", err=True)
        return 1
    role = f", token role {one_line(me.token_role, 40)}" if me.token_role else ""
    _say(f"Logged in as {one_line(me.name, 100)}{role}. Token saved to {path}")
    return 0


def _logout() -> int:
    from hftui.auth import delete_token, hftui_token_path

    if delete_token():
        _say(f"Removed {hftui_token_path()}")
    else:
        _say("No hftui token was saved.")
    return 0


def _locate(what: str | None) -> int:
    from hftui.auth import hftui_token_path
    from hftui.config import config_dir, config_file, data_dir

    paths = {"config": config_file(), "data": data_dir(), "token": hftui_token_path()}
    if what:
        _say(str(paths[what]))
    else:
        _say(f"config dir: {config_dir()}")
        for name, path in paths.items():
            _say(f"{name}: {path}")
        from hftui.server_cli import locate_lines

        for line in locate_lines():
            _say(line)
    return 0


def run_app(args, settings) -> int:
    from hftui.auth import resolve_token

    emulator = None
    if args.demo:
        from hftui.demo import start_demo

        emulator, token = start_demo(seed=args.seed, speed=args.speed)
        settings = settings.with_base_url(emulator.base_url)
    else:
        token = resolve_token(args.token)
    try:
        from hftui.app import HFTUIApp

        from hftui.signals import exit_when_terminal_goes

        app = HFTUIApp(settings, token, demo=args.demo, first_screen=args.screen)
        with exit_when_terminal_goes(app):
            app.run()
        return app.return_code or 0
    finally:
        if emulator is not None:
            emulator.close()


def _parse(argv: list[str] | None):
    """Parse; everything after ``batch`` goes to the batch command as is.

    (argparse's REMAINDER does not take a leading option such as
    ``hftui batch --help`` or ``hftui batch -i in.jsonl TARGET``.)
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if "batch" in argv:
        i = argv.index("batch")
        head = _parser().parse_args(argv[: i + 1])
        if head.command == "batch":
            head.rest = argv[i + 1:]
            if head.token and "--token" not in head.rest:
                head.rest += ["--token", head.token]
            return head
    return _parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.command == "logout":
        return _logout()
    if args.command == "locate":
        return _locate(args.what)
    if args.command == "server":
        from hftui.server_cli import main as server_main

        return server_main(args)
    settings = _settings_or_exit()
    if args.command == "login":
        return _login(settings)
    if args.command == "batch":
        from hftui.batch.cli import main as batch_main

        return batch_main(args.rest, settings)
    try:
        return run_app(args, settings)
    except KeyboardInterrupt:  # Ctrl+C during start-up, before the app owns the keyboard: no traceback
        return 130
    except RuntimeError as exc:  # Python 3.11 wraps a Ctrl+C that lands in a class's __set_name__
        if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):
            return 130
        raise
