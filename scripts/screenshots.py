"""Regenerate the README screenshots (SVG) from the demo emulator.

    python scripts/screenshots.py [--out screenshots] [--only endpoints,...]

Each shot starts ``hftui --demo``'s app headless against a fresh emulator
whose clock stands still (seed 0), with the UI clock frozen, drives it with
key presses, waits for the data, and saves an SVG into ``screenshots/``.
No network, no account.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HFTUI_FROZEN_TIME", "2026-10-26T13:00:00Z")
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


async def _wait(pilot, predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:
            pass
        await pilot.pause(0.05)
    raise TimeoutError("the screen did not get ready")


async def _endpoints(pilot):
    from hftui.screens.endpoints import EndpointsScreen

    app = pilot.app
    await _wait(pilot, lambda: isinstance(app.screen, EndpointsScreen) and app.screen.table.loaded
                and app.screen.catalog is not None and app.header_info.burn_per_hour is not None)
    await pilot.pause()
    return app.screen


async def _no_blink(pilot):
    from textual.widgets import Input

    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


async def shot_endpoints(pilot):
    screen = await _endpoints(pilot)
    screen.table.move_cursor_to("demo-user/llama-chat")


async def shot_create(pilot):
    from hftui.screens.endpoint_form import EndpointFormScreen

    await _endpoints(pilot)
    await pilot.press("a")
    await _wait(pilot, lambda: isinstance(pilot.app.screen, EndpointFormScreen)
                and pilot.app.screen.selected_compute() is not None)
    await pilot.press(*"llama-demo", "tab", *"meta-llama/Llama-3.1-8B-Instruct")
    form = pilot.app.screen
    form.query_one("#accelerator").value = "gpu"
    await pilot.pause()
    await _no_blink(pilot)


async def shot_delete(pilot):
    from hftui.screens.endpoint_delete import DeleteEndpointScreen

    screen = await _endpoints(pilot)
    screen.table.move_cursor_to("demo-user/bert-fill")
    await pilot.press("ctrl+d")
    await _wait(pilot, lambda: isinstance(pilot.app.screen, DeleteEndpointScreen))
    await _no_blink(pilot)


async def shot_describe(pilot):
    from hftui.screens.endpoint_describe import DescribeScreen

    screen = await _endpoints(pilot)
    screen.table.move_cursor_to("demo-user/broken-model")
    await pilot.press("enter")
    await _wait(pilot, lambda: isinstance(pilot.app.screen, DescribeScreen))
    others = [w for w in pilot.app.workers if w.group != "endpoints-poll"]  # the poller runs for good
    if others:
        await pilot.app.workers.wait_for_complete(others)


async def shot_logs(pilot):
    from hftui.screens.endpoint_logs import LogsScreen

    screen = await _endpoints(pilot)
    screen.table.move_cursor_to("demo-user/llama-chat")
    await pilot.press("l")
    await _wait(pilot, lambda: isinstance(pilot.app.screen, LogsScreen) and pilot.app.screen.fetches)


async def shot_help(pilot):
    await _endpoints(pilot)
    await pilot.press("question_mark")
    await pilot.pause(0.2)


SHOTS = {
    "endpoints": (shot_endpoints, (120, 32)),
    "endpoints-80x24": (shot_endpoints, (80, 24)),
    "endpoint-create": (shot_create, (100, 34)),
    "endpoint-delete": (shot_delete, (100, 24)),
    "endpoint-describe": (shot_describe, (100, 30)),
    "endpoint-logs": (shot_logs, (120, 24)),
    "endpoint-keys": (shot_help, (100, 34)),
}


async def take(name: str, out: Path) -> Path:
    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken, Secret
    from hftui.config import Settings
    from hftui.emulator import start_background

    script, size = SHOTS[name]
    emulator = start_background(seed=0, speed=1e-6)
    try:
        settings = Settings().with_base_url(emulator.base_url)
        app = HFTUIApp(settings, ResolvedToken(Secret(emulator.token), "demo"), demo=True)
        async with app.run_test(size=size) as pilot:
            await script(pilot)
            await pilot.pause(0.1)
            path = out / f"{name}.svg"
            svg = app.export_screenshot(title=f"hftui — {name}")
            # the emulator's loopback port changes every run; keep the files stable
            svg = svg.replace(emulator.base_url.split("//", 1)[1], "127.0.0.1:8080")
            path.write_text(svg, encoding="utf-8")
    finally:
        emulator.close()
    return path


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--only", help="comma-separated shot names: " + ", ".join(SHOTS))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    names = args.only.split(",") if args.only else list(SHOTS)
    for name in names:
        path = await take(name, args.out)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    asyncio.run(main())
