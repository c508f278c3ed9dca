"""``python -m hftui.emulator [--port N] [--seed S] [--speed X] [--token-rate T]``.

Prints the base URL (first line) and the demo token (second line), then
serves until SIGINT/SIGTERM, or until stdin reaches EOF when stdin is a pipe
(so the emulator dies with the process that started it).
"""

from __future__ import annotations

import argparse
import os
import signal
import stat
import sys
import threading


def _stdin_is_pipe() -> bool:
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hftui.emulator", description="Local Hugging Face emulator.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speed", type=float, default=1.0, help="endpoint clock speed-up factor")
    parser.add_argument("--token-rate", type=float, default=None, help="streamed tokens per second (default 40)")
    parser.add_argument("--max-tokens-cap", type=int, default=None,
                        help="allow generations longer than 4096 tokens (benchmarks)")
    parser.add_argument("--epoch", default=None,
                        help='virtual clock start: "now", or RFC 3339 (default 2026-10-26T12:00:00Z)')
    args = parser.parse_args(argv)

    import logging

    from hftui.emulator import start_background

    # as a standalone server, errors go to stderr (stdout carries only the URL and the token)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")

    epoch = args.epoch
    if epoch not in (None, "now"):
        from datetime import datetime

        try:
            epoch = datetime.fromisoformat(epoch.replace("Z", "+00:00")).timestamp()
        except ValueError:
            parser.error(f"--epoch: not a date: {args.epoch!r}")
    handle = start_background(seed=args.seed, speed=args.speed, token_rate=args.token_rate, port=args.port,
                              host=args.host, epoch=epoch, max_tokens_cap=args.max_tokens_cap)
    done = threading.Event()

    def stop(*_: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if _stdin_is_pipe():
        def watch_stdin() -> None:
            # raw os.read: a thread blocked inside a buffered reader aborts interpreter shutdown
            fd = sys.stdin.fileno()
            try:
                while os.read(fd, 65536):
                    pass
            except OSError:
                pass
            done.set()

        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    try:
        handle.wait_ready()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(f"{handle.base_url}\n{handle.token}\n")
    sys.stdout.flush()
    while not done.wait(0.5):
        pass
    handle.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
