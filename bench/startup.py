"""Start-up time: process start to first frame, hftui --demo vs a bare Textual app.

    python bench/startup.py [--runs 7] [--top 12]

Both run headless in a fresh interpreter. Each child prints the wall-clock
instant of its first frame (Textual's ``Ready`` event, posted once the first
screen has been laid out and painted); the parent subtracts the instant it
spawned the child. Interpreter start-up is therefore included, the exit path
is not. For hftui the time to the first *data* (the Endpoints table filled
from the demo emulator) is shown too, for information.

Also prints the slowest imports of ``import hftui.app`` (``python -X
importtime``) and which heavy modules the first frame pulled in.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = r"""
import sys, time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")

    def on_ready(self):
        print(f"frame {time.time():.6f}", flush=True)
        self.exit()

Bare().run(headless=True)
"""

HFTUI = r"""
import os, sys, time
import hftui.app as app_module
from hftui.cli import _parser, run_app
from hftui.config import load_settings

HEAVY = ("hftui.client", "httpx2", "PIL", "aiohttp", "sqlite3", "textual_image", "hftui.history", "hftui.screens.models",
         "hftui.screens.playground", "hftui.screens.history", "hftui.emulator.server")

# Same path as `hftui --demo`, but headless; report the first frame and the first data, then leave.
class Timed(app_module.HFTUIApp):
    CSS_PATH = os.path.join(os.path.dirname(app_module.__file__), app_module.HFTUIApp.CSS_PATH)

    def on_ready(self):
        loaded = ",".join(m for m in HEAVY if m in sys.modules) or "-"
        print(f"frame {time.time():.6f} {loaded}", flush=True)
        self.set_interval(0.01, self._probe)

    def _probe(self):
        table = self.screen.query("EndpointTable")
        if table and getattr(table.first(), "row_count", 0):
            print(f"data {time.time():.6f}", flush=True)
            self.exit()

    def run(self, *a, **kw):
        return super().run(headless=True)

app_module.HFTUIApp = Timed
sys.exit(run_app(_parser().parse_args(["--demo", "--screen", "endpoints"]), load_settings()))
"""


def time_once(code: str, env: dict[str, str]) -> dict[str, object]:
    """Seconds from spawn to each reported event (``frame``, ``data``) plus what was loaded."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                         text=True, timeout=60).stdout
    result: dict[str, object] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("frame", "data"):
            result[parts[0]] = float(parts[1]) - start
            if len(parts) > 2:
                result["loaded"] = parts[2]
    if "frame" not in result:
        raise RuntimeError(f"no first frame reported:\n{out}")
    return result


def importtime(top: int) -> list[tuple[int, str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import hftui.app"],
                         capture_output=True, text=True, check=True).stderr
    rows = []
    for line in out.splitlines():
        # "import time:  self [us] | cumulative | imported package"
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative, name = line.split("|")
        rows.append((int(cumulative), name.rstrip()))
    rows.sort(reverse=True)
    return rows[:top]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "XDG_CONFIG_HOME": f"{home}/c", "XDG_DATA_HOME": f"{home}/d",
               "XDG_CACHE_HOME": f"{home}/x", "HF_HOME": f"{home}/hf", "TEXTUAL_ANIMATIONS": "none"}
        for var in ("HF_TOKEN", "NO_COLOR", "HFTUI_FROZEN_TIME"):
            env.pop(var, None)
        # warm the file cache and bytecode once, then alternate the two
        time_once(BARE, env), time_once(HFTUI, env)
        bare, hftui = [], []
        for _ in range(args.runs):
            bare.append(time_once(BARE, env))
            hftui.append(time_once(HFTUI, env))
    b_frames = [r["frame"] for r in bare]
    h_frames = [r["frame"] for r in hftui]
    h_data = [r["data"] for r in hftui if "data" in r]
    b, h = statistics.median(b_frames), statistics.median(h_frames)
    print(f"{'first frame':<32}{'median s':>10}{'min s':>10}{'ratio':>8}")
    print(f"{'bare Textual (one line)':<32}{b:>10.3f}{min(b_frames):>10.3f}{1.0:>8.2f}")
    print(f"{'hftui --demo':<32}{h:>10.3f}{min(h_frames):>10.3f}{h / b:>8.2f}")
    if h_data:
        d = statistics.median(h_data)
        print(f"{'hftui --demo, endpoints shown':<32}{d:>10.3f}{min(h_data):>10.3f}{d / b:>8.2f}")
    print(f"\ngoal: hftui first frame under 1.3x the bare app -> {'met' if h / b < 1.3 else 'NOT met'}")
    print(f"heavy modules loaded at hftui's first frame: {hftui[-1].get('loaded', '?')}")
    print("\nimport hftui.app, slowest cumulative imports (ms):")
    for cumulative, name in importtime(args.top):
        print(f"  {cumulative / 1000:8.1f}  {name}")


if __name__ == "__main__":
    main()
