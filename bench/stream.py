"""Streaming view cost: 20,000 tokens at 2,000 tokens/s from the emulator into a headless 120x40 app.

    python bench/stream.py [--tokens 20000] [--rate 2000] [--baseline-tokens 20000] [--no-baseline]

The emulator (a child process) streams a TGI
``text-generation`` answer of ``--tokens`` tokens at ``--rate`` tokens/s;
the app's client (hftui's HFClient, on the app's event loop) reads the SSE
stream and appends each token to the view under test. Rows:

- ``StreamOutput markdown``: hftui's view in Markdown mode (what chat uses):
  finished blocks frozen to strips, a bounded live tail, <= 20 frames/s;
- ``StreamOutput plain``: the same view in plain-text mode (text-generation);
- ``Markdown.get_stream``: Textual's stock streaming Markdown (appending to
  one growing Markdown widget), the reference, same tokens, same run.

Columns: CPU time of the UI thread (``time.thread_time``: event loop = client
+ view + compositor; the emulator is another process) per 1,000 tokens at the
start and at the end (median of the first / last three 1,000-token windows),
their ratio (must stay < 1.5), the lag
from a token's arrival to the frame that shows it (p99, and for the last
token), wall time, and peak memory (tracemalloc) of the run.

The emulator runs in a child process. Its text-generation models cap
input+output at 4,096 tokens like TGI; the child raises that cap for the
bench's model before serving (the emulator has no option for it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MODEL = "openai-community/gpt2"
DEBUG = False


class Emulator:
    """The emulator in a child process (so its CPU and the GIL are not the UI's)."""

    def __init__(self, rate: float, max_total: int) -> None:
        # --max-tokens-cap lifts the real services' 4,096-token limit for long streams.
        self.proc = subprocess.Popen([sys.executable, "-m", "hftui.emulator", "--seed", "0", "--token-rate",
                                      str(rate), "--max-tokens-cap", str(max_total)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.base_url = self.proc.stdout.readline().strip()
        self.token = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise SystemExit("the emulator did not start")

    def close(self) -> None:
        self.proc.stdin.close()  # the child exits when its stdin pipe closes
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Probe:
    """Per-token arrival times and per-frame render times of one run."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.thread_cpu: list[float] = []
        self.frames: list[tuple[float, int]] = []  # (time the frame was painted, tokens included)


def make_app(kind: str, probe: Probe):
    from textual.app import App, ComposeResult
    from textual.widgets import Markdown

    from hftui.widgets.stream_output import StreamOutput

    class Measured(StreamOutput):
        flushed = 0

        def _flush(self, final: bool = False) -> None:
            tokens = len(probe.arrivals)
            super()._flush(final)
            self.flushed = tokens

    class Host(App):
        def _display(self, screen, renderable) -> None:
            # Every screen update that reaches the (headless) terminal: what it shows is the view's
            # state at its last flush.
            super()._display(screen, renderable)
            if renderable is not None and kind != "baseline":
                probe.frames.append((time.perf_counter(), self.query_one("#view").flushed))

        def compose(self) -> ComposeResult:
            if kind == "baseline":
                yield Markdown(id="view")
            else:
                yield Measured(id="view")

    return Host()


async def run_one(kind: str, base_url: str, token, tokens: int, paragraph: int = 0) -> dict:
    from hftui.client import HFClient, Target
    from hftui.config import Settings

    probe = Probe()
    app = make_app(kind, probe)
    settings = Settings(stream_timeout=600.0, timeout=600.0).with_base_url(base_url)
    gc.collect()
    tracemalloc.start()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one("#view")
        # Warm up (imports of markdown-it, pygments...) so the first window measures streaming only.
        warm = "# Warm *up*\n\nSome `code` and a list:\n\n- a\n- b\n\n```python\nx = 1\n```\n"
        if kind == "baseline":
            await view.update(warm)
            await view.update("")
        else:
            view.add_block(warm, "markdown")
            view.clear()
        await pilot.pause()
        stream_writer = None
        if kind == "baseline":
            from textual.widgets import Markdown

            stream_writer = Markdown.get_stream(view)
        else:
            view.begin("markdown" if kind == "markdown" else "plain")
        t0 = time.perf_counter()
        async with HFClient(settings, token) as hf:
            stream = hf.inference.text_generation_stream(
                Target.hf_model(MODEL), "Once upon a time", parameters={"max_new_tokens": tokens, "details": True})
            async for chunk in stream:
                if not chunk.text:
                    continue
                probe.arrivals.append(time.perf_counter())
                text = chunk.text
                if paragraph and len(probe.arrivals) % paragraph == 0:
                    text += "\n\n"  # the emulator writes one endless paragraph; real answers have several
                if len(probe.arrivals) == 1:
                    probe.thread_cpu.append(time.thread_time())  # CPU is counted from the first token
                if stream_writer is not None:
                    await stream_writer.write(text)
                    probe.frames.append((time.perf_counter(), len(probe.arrivals)))
                else:
                    view.append(text)
                if len(probe.arrivals) % 1000 == 0:
                    probe.thread_cpu.append(time.thread_time())
        if stream_writer is not None:
            await stream_writer.stop()
        else:
            view.flush_now()
        await pilot.pause()
        last_shown = time.perf_counter()
        if stream_writer is None:
            while not probe.frames or probe.frames[-1][1] < len(probe.arrivals):
                await pilot.pause(0.005)
            last_shown = probe.frames[-1][0]
        wall = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cpu = [b - a for a, b in zip(probe.thread_cpu, probe.thread_cpu[1:])]
    lags = _lags(probe)
    if DEBUG:
        print(kind, [round(x * 1000) for x in lags[::4]])
    return {
        "tokens": len(probe.arrivals),
        # Median of three 1,000-token windows at each end: the machine is shared, single windows are noisy.
        "start": statistics.median(cpu[:3]) if cpu else float("nan"),
        "end": statistics.median(cpu[-3:]) if cpu else float("nan"),
        "lag_p99": statistics.quantiles(lags, n=100)[98] if len(lags) > 2 else float("nan"),
        "lag_last": last_shown - probe.arrivals[-1] if probe.arrivals else float("nan"),
        "wall": wall,
        "peak_mb": peak / 1e6,
        "frames": len(probe.frames),
    }


def _lags(probe: Probe) -> list[float]:
    """For every 50th token: time from its arrival to the first painted frame that includes it."""
    out = []
    frames = probe.frames
    j = 0
    for i in range(0, len(probe.arrivals), 50):
        while j < len(frames) and frames[j][1] < i + 1:
            j += 1
        if j == len(frames):
            break
        out.append(frames[j][0] - probe.arrivals[i])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--baseline-tokens", type=int, default=None,
                        help="tokens for the Markdown.get_stream reference (default: --tokens)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--paragraph", type=int, default=60,
                        help="start a new paragraph every N tokens (0: one endless paragraph)")
    args = parser.parse_args()

    from hftui.auth import Secret

    handle = Emulator(args.rate, max_total=max(args.tokens, args.baseline_tokens or 0) * 2 + 1000)
    token = Secret(handle.token)
    rows = []
    try:
        for kind, label, para in (("markdown", "StreamOutput markdown", args.paragraph),
                                  ("markdown", "  same, one long paragraph", 0),
                                  ("plain", "StreamOutput plain", args.paragraph)):
            rows.append((label, asyncio.run(run_one(kind, handle.base_url, token, args.tokens, para))))
        if not args.no_baseline:
            n = args.baseline_tokens or args.tokens
            rows.append(("Markdown.get_stream (ref)",
                         asyncio.run(run_one("baseline", handle.base_url, token, n, args.paragraph))))
    finally:
        handle.close()

    print(f"\nStreaming {args.tokens} tokens at {args.rate:.0f} tokens/s, headless 120x40, a paragraph every "
          f"{args.paragraph or 'never'} tokens (CPU = UI thread time per 1,000 tokens)\n")
    head = (f"{'view':<28}{'tokens':>7}{'cpu/1k start':>14}{'cpu/1k end':>12}{'end/start':>11}"
            f"{'lag p99':>10}{'lag last':>10}{'wall s':>8}{'frames':>8}{'peak MB':>9}")
    print(head)
    print("-" * len(head))
    for label, r in rows:
        ratio = r["end"] / r["start"] if r["start"] else float("nan")
        print(f"{label:<28}{r['tokens']:>7}{r['start']:>13.3f}s{r['end']:>11.3f}s{ratio:>11.2f}"
              f"{r['lag_p99'] * 1000:>8.0f}ms{r['lag_last'] * 1000:>8.0f}ms{r['wall']:>8.1f}{r['frames']:>8}"
              f"{r['peak_mb']:>9.1f}")
    if not args.no_baseline:
        ref = rows[-1][1]
        for label, r in rows[:-1]:
            print(f"{label.strip()}: {ref['start'] / r['start']:.1f}x cheaper than the reference at the start, "
                  f"{ref['end'] / r['end']:.1f}x at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
