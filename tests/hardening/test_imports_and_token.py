"""Start-up hygiene and the token: heavy modules load only when needed; the token file is 0600
whatever the umask; the token never shows on screen, in errors or in exports."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready
from tests.support.pilot import screen_text, wait_until

HEAVY = ("PIL", "aiohttp", "sqlite3", "textual_image", "httpx2", "hftui.emulator", "hftui.history",
         "hftui.client", "hftui.imaging", "tomllib", "textual.widgets._text_area")


@pytest.mark.parametrize("module", ["hftui.app", "hftui.cli"])
def test_importing_the_app_loads_no_heavy_module(module):
    code = f"import sys, json, {module}; print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [], f"import {module} pulled in heavy modules"


def test_the_endpoints_screen_needs_no_image_or_history_module():
    code = ("import sys, json, hftui.app, hftui.screens.endpoints; "
            "print(json.dumps([m for m in ('PIL', 'textual_image', 'sqlite3', 'hftui.history', 'hftui.imaging') "
            "if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


TOKEN = "hf_hardeningSecretToken0123456789abc"


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_token_file_is_0600_whatever_the_umask(umask):
    from hftui.auth import Secret, hftui_token_path, save_token

    old = os.umask(umask)
    try:
        path = hftui_token_path()
        save_token(Secret("hf_first"))  # hftui makes the missing folders 0700 whatever the umask
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
        path.write_text("hf_old")
        os.chmod(path, 0o644)  # an old, too-open file is replaced, not reused
        save_token(Secret(TOKEN))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text() == TOKEN
    leftovers = [p.name for p in path.parent.iterdir() if p.name != "token" and "token" in p.name]
    assert leftovers == [], "no temporary token copies left behind"


def test_token_is_not_written_into_a_folder_others_can_write():
    """Like ssh: another user could swap the token file there; refused with the fix, nothing written."""
    from hftui.auth import Secret, hftui_token_path, save_token
    from hftui.file_trust import UnsafePath

    path = hftui_token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o777)
    with pytest.raises(UnsafePath, match="writable by group or others; fix: chmod go-w"):
        save_token(Secret(TOKEN))
    assert not path.exists() and list(path.parent.iterdir()) == []


async def test_login_screen_never_shows_the_token(hostile, upstream):
    """Typing a token (the field is a password) and having it refused: never on screen."""
    from hftui.app import HFTUIApp
    from hftui.config import Settings

    wrong = "hf_wrongTokenTypedByHand000000000"
    app = HFTUIApp(Settings().with_base_url(hostile.base_url), None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "LoginScreen", what="the login screen")
        await pilot.press(*wrong)
        await pilot.pause()
        assert wrong not in screen_text(app) and wrong[:8] not in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "401" in screen_text(app) or "nvalid" in screen_text(app), 10,
                         "the refusal")
        text = assert_clean_screen(app)
        assert wrong not in text and wrong[3:12] not in text
        assert wrong not in app.export_screenshot()
        # the right token then logs in, and is saved 0600
        inp = app.screen.query_one("#token-input")
        inp.value = ""
        await pilot.press(*upstream.token, "enter")
        await endpoints_ready(pilot)
        assert upstream.token not in app.export_screenshot()
    from hftui.auth import hftui_token_path

    assert stat.S_IMODE(os.stat(hftui_token_path()).st_mode) == 0o600


async def test_export_snippet_uses_the_variable_not_the_token(make_app, hostile, upstream, tmp_path):
    """A run exported as curl/httpx/huggingface_hub says $HF_TOKEN; the history has no token."""
    from hftui.history import History

    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        from tests.support.screens import go

        from hftui.client import Target

        screen = await go(pilot, "playground")
        screen.set_target(Target.hf_model("distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
                          task="text-classification")
        await wait_until(pilot, lambda: screen.spec.task == "text-classification", what="the form")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen._worker is not None and not screen._worker.is_running, 15, "the run")
        await pilot.press("escape")  # leave the text field (its ctrl+x is "cut")
        await pilot.press("ctrl+x")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ExportScreen", 10, "the export")
        await pilot.pause(0.2)
        for _ in range(3):  # every format
            text = screen_text(app)
            assert upstream.token not in text
            await pilot.press("right")
            await pilot.pause(0.1)
        assert "HF_TOKEN" in screen_text(app)
    db = History.default()
    for run in db.list():
        assert upstream.token not in json.dumps(run, default=str)


SHOWN_ENDPOINTS = r"""
import asyncio, json, sys
from hftui.app import HFTUIApp
from hftui.auth import ResolvedToken, Secret
from hftui.config import Settings
from hftui.emulator import start_background

async def main():
    emulator = start_background(seed=0, speed=1e-6)
    app = HFTUIApp(Settings().with_base_url(emulator.base_url), ResolvedToken(Secret(emulator.token), "t"),
                   first_screen="endpoints")
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(400):
            screen = app.screen
            if type(screen).__name__ == "EndpointsScreen" and screen.poll_count and screen.catalog is not None:
                break
            await pilot.pause(0.025)
        heavy = ("PIL", "textual_image", "sqlite3", "hftui.history", "hftui.imaging", "hftui.export",
                 "hftui.screens.models", "hftui.screens.playground", "hftui.screens.history", "hftui.screens.batch")
        print(json.dumps([type(app.screen).__name__, [m for m in heavy if m in sys.modules]]))
    emulator.close()

asyncio.run(main())
"""


def test_the_first_screen_loads_only_what_it_needs():
    """Endpoints shown (client and emulator running): no image, history, export or other screen module."""
    out = subprocess.run([sys.executable, "-c", SHOWN_ENDPOINTS], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    screen, loaded = json.loads(out.strip().splitlines()[-1])
    assert screen == "EndpointsScreen"
    assert loaded == [], f"loaded before they were needed: {loaded}"
