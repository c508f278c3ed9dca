"""``hftui batch TARGET --task TASK --input in.jsonl --output out.jsonl ...``

Exit status: 0 every input succeeded; 1 some input failed (in this run or
recorded by an earlier one); 2 the batch could not run (usage, target,
endpoint); 130 interrupted (Ctrl+C / SIGTERM) — what was written is kept
and running the same command again continues where it stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hftui.config import Settings

EPILOG = """\
TARGET is an Inference Endpoint (namespace/name, or name in your namespace),
a model id (serverless hf-inference), or a URL. Prefix with endpoint: or
model: to say which when a name could be both.
server:NAME (or server:NAME/MODEL) is a [servers.NAME] of config.toml: a
self-hosted server sent its own key, never your HF token (task default: chat).

Each input line is a JSON object in the task's input form, e.g.
  {"inputs": "I love this!"}                        text-classification
  {"inputs": {"question": "...", "context": "..."}}  question-answering
  {"messages": [{"role": "user", "content": "Hi"}]}   chat-completion
A "parameters" object on a line is merged over --parameters.

Results are appended to the output as each input finishes:
  {"line": 3, "input": {...}, "result": ..., "latency_ms": 41.2}
  {"line": 4, "input": {...}, "error": {"type": "BadRequest", "message": "..."}, "latency_ms": 12.0}
An input line over 64 KiB is not copied: "input" is null, "input_excerpt" holds
its first 1000 characters and "input_bytes" its size. A line over
--max-line-bytes is not read at all (error "LineTooLong"). The output is strict
JSON: a NaN or Infinity in a result is written as null (NaN/Infinity in an
input line make it malformed), and your token is masked (***) wherever a
server echoed it. A new output file is created readable by you only (0600);
the output must be a regular file (not a FIFO, device or symbolic link).
Each record is handed to the operating system as its input finishes, so it
survives hftui being killed; the file is fsync-ed when the run ends (a power
cut mid-run can lose recent records: those inputs simply run again).
Run the same command again to continue an interrupted batch: lines already
in the output are skipped. Ctrl+C stops cleanly (twice: at once).
A malformed or failed line is named on stderr with its line number as it
happens (the first 10; then a count, every one is in the output).

The token goes to a URL target only if it is a Hugging Face host (https) or
one of the configured services; --token-for-url sends it to another server.

Exit status: 0 all inputs succeeded; 1 some failed (this run or an earlier
one); 2 the batch could not run (or the output could not be written);
130 interrupted.
"""


def _number(convert, what: str, low, *, inclusive: bool):
    """An argparse type: ``convert(text)``, at least (or more than) ``low``."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if value < low or (value == low and not inclusive):
            raise argparse.ArgumentTypeError(f"must be {'at least' if inclusive else 'more than'} {low}")
        return value
    return parse


_positive_int = _number(int, "a whole number", 1, inclusive=True)
_seconds = _number(float, "a number of seconds", 0, inclusive=False)


_UNITS = {"": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30}


def _size(text: str) -> int:
    """``16777216``, ``16M``, ``16MiB``, ``512k``: a number of bytes."""
    raw = text.strip().lower()
    digits = raw.rstrip("kmgib")
    unit = raw[len(digits):]
    try:
        value = int(digits) * _UNITS[unit]
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"not a size in bytes: {text!r} (e.g. 16777216 or 16M)") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 byte")
    return value


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object, e.g. '{\"top_k\": 3}'")
    return value


def parser() -> argparse.ArgumentParser:
    from hftui.batch.files import DEFAULT_MAX_LINE_BYTES

    p = argparse.ArgumentParser(
        prog="hftui batch", description="Run a JSONL file of inputs through an endpoint, a model or a URL.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", metavar="TARGET", help="endpoint (namespace/name or name), model id, URL, or server:NAME")
    p.add_argument("--task", help="inference task, e.g. text-classification (default: the endpoint's task)")
    p.add_argument("--input", "-i", required=True, type=Path, metavar="FILE", help="JSONL file, one input per line")
    p.add_argument("--output", "-o", type=Path, metavar="FILE",
                   help="JSONL results file, appended to (default: INPUT with .results.jsonl)")
    p.add_argument("--concurrency", "-c", type=_positive_int, default=8, metavar="N", help="requests in flight (default 8)")
    p.add_argument("--parameters", "-p", type=_json_object, default={}, metavar="JSON", help="task parameters as a JSON object")
    p.add_argument("--pause-after", action="store_true",
                   help="pause the endpoint at the end (also after failures or Ctrl+C)")
    p.add_argument("--timeout", type=_seconds, metavar="S",
                   help="seconds per request, in all (default: the configured timeout)")
    p.add_argument("--retries", type=int, default=4, metavar="N",
                   help="retries per input on 429 / 503 (default 4)")
    p.add_argument("--max-retry-wait", type=_seconds, default=120.0, metavar="S",
                   help="longest wait honoured from Retry-After / a loading model's estimate (default 120)")
    p.add_argument("--retry-failed", action="store_true",
                   help="run again the inputs recorded as errors in the output (their old records are dropped)")
    p.add_argument("--wait-timeout", type=_seconds, default=1800.0, metavar="S",
                   help="seconds to wait for the endpoint to be running (default 1800)")
    p.add_argument("--poll-interval", type=_seconds, default=5.0, metavar="S", help="endpoint state poll, seconds (default 5)")
    p.add_argument("--progress-interval", type=_seconds, metavar="S",
                   help="seconds between progress lines when stderr is not a terminal (default 10)")
    p.add_argument("--max-line-bytes", type=_size, default=DEFAULT_MAX_LINE_BYTES, metavar="N",
                   help="longest input line read, in bytes (e.g. 64M; default 16M); a longer one is that line's error")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--no-token", action="store_true", help="never send your token to a URL target")
    where.add_argument("--token-for-url", action="store_true",
                       help="send your token to a URL target that is not a Hugging Face host nor a configured service")
    p.add_argument("--token", help="HF token (default: $HF_TOKEN, then the saved token)")
    return p


def main(argv: list[str], settings: Settings) -> int:
    args = parser().parse_args(argv)
    if args.retries < 0:
        parser().error("--retries must be 0 or more")
    output = args.output or args.input.with_name(args.input.stem + ".results.jsonl")
    from hftui.batch.runner import BatchConfig

    config = BatchConfig(
        target=args.target, task=args.task, input_path=args.input, output_path=output,
        concurrency=args.concurrency, parameters=args.parameters, pause_after=args.pause_after,
        timeout=args.timeout, max_attempts=args.retries + 1, max_retry_wait=args.max_retry_wait,
        retry_failed=args.retry_failed,
        send_token=False if args.no_token else (True if args.token_for_url else None),
        wait_timeout=args.wait_timeout, poll_interval=args.poll_interval, max_line_bytes=args.max_line_bytes)
    try:
        return asyncio.run(_run(config, settings, args.token, args.progress_interval))
    except KeyboardInterrupt:  # a signal before the handlers were in place
        print("hftui batch: interrupted", file=sys.stderr)
        return 130


async def _run(config, settings: Settings, explicit_token: str | None, progress_interval: float | None) -> int:
    from hftui.auth import resolve_token
    from hftui.batch.progress import StderrProgress
    from hftui.batch.runner import BatchRunner
    from hftui.client import HFClient

    resolved = resolve_token(explicit_token)
    progress = StderrProgress(interval=progress_interval, secrets=[resolved.token.reveal()] if resolved else ())
    progress.output = str(config.output_path)
    loop = asyncio.get_running_loop()
    async with HFClient(settings, resolved.token if resolved else None,
                        token_source=resolved.source if resolved else None,
                        # a connection per worker: waiting for a pooled one would count against --timeout
                        max_connections=max(64, config.concurrency)) as hf:
        runner = BatchRunner(hf, config, progress)
        signals = 0

        def on_signal() -> None:
            nonlocal signals
            signals += 1
            if signals == 1:
                what = " and pausing the endpoint" if config.pause_after else ""
                progress.notice(f"Stopping: cancelling requests in flight{what}… (again to force quit)")
                runner.stop()
            else:
                # every record is already on disk (unbuffered writes): only the pause is skipped
                left = " — the endpoint was not paused" if config.pause_after else ""
                progress.notice(f"Force quit{left}.")
                os._exit(130)

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        ticker = asyncio.ensure_future(progress.loop())
        try:
            summary = await runner.run()
        except Exception as exc:  # a bug: still no traceback for the user, and what was written is kept
            progress.finish()
            progress.say(f"hftui batch: unexpected error: {type(exc).__name__}: {exc}")
            return 2
        finally:
            ticker.cancel()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        progress.finish()
    for line in summary.lines():
        progress.say(line)
    return summary.exit_code
