"""Start-up time: process start to first frame, hftui --demo vs a bare Textual app.

    python bench/startup.py [--runs 7]

Both run headless in a fresh interpreter and exit right after their first
frame; the wall time of the whole process is measured from here. Also prints
the slowest imports of ``import hftui.app`` (``python -X importtime``).
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
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")

async def first_frame(pilot):
    await pilot.pause()
    pilot.app.exit()

Bare().run(headless=True, auto_pilot=first_frame)
"""

HFTUI = r"""
import sys
from hftui.cli import _parser, run_app
from hftui.config import load_settings
import hftui.app as app_module

async def first_frame(pilot):
    await pilot.pause()
    pilot.app.exit()

# Same path as `hftui --demo`, but headless and leaving after the first frame.
_orig_run = app_module.HFTUIApp.run
def run(self, *a, **kw):
    return _orig_run(self, headless=True, auto_pilot=first_frame)
app_module.HFTUIApp.run = run
sys.exit(run_app(_parser().parse_args(["--demo"]), load_settings()))
"""


def time_once(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return time.perf_counter() - start


def importtime(top: int) -> list[tuple[int, str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import hftui.app"],
                         capture_output=True, text=True, check=True).stderr
    rows = []
    for line in out.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, self_us, cumulative, name = (p.strip() for p in line.split("|", 1)[0:1] + line.split("|")[1:])
        rows.append((int(cumulative), name))
    rows.sort(reverse=True)
    return rows[:top]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "XDG_CONFIG_HOME": f"{home}/c", "XDG_DATA_HOME": f"{home}/d",
               "XDG_CACHE_HOME": f"{home}/x", "HF_HOME": f"{home}/hf"}
        env.pop("HF_TOKEN", None)
        # warm the file cache and bytecode once, then alternate the two
        time_once(BARE, env), time_once(HFTUI, env)
        bare, hftui = [], []
        for _ in range(args.runs):
            bare.append(time_once(BARE, env))
            hftui.append(time_once(HFTUI, env))
    b, h = statistics.median(bare), statistics.median(hftui)
    print(f"{'app':<28}{'median s':>10}{'min s':>10}{'ratio':>8}")
    print(f"{'bare Textual (one line)':<28}{b:>10.3f}{min(bare):>10.3f}{1.0:>8.2f}")
    print(f"{'hftui --demo':<28}{h:>10.3f}{min(hftui):>10.3f}{h / b:>8.2f}")
    print(f"\ngoal: hftui under 1.3x the bare app -> {'met' if h / b < 1.3 else 'NOT met'}")
    print("\nimport hftui.app, slowest cumulative imports (ms):")
    for cumulative, name in importtime(args.top):
        print(f"  {cumulative / 1000:8.1f}  {name}")


if __name__ == "__main__":
    main()
