"""Issue 9, "Done when": the whole app in a real terminal against a server that poisons everything.

Every string the Hub, the Endpoints API, the router and the deployed endpoints send (user and org
names, the token's role, endpoint names / states / messages / URLs / regions / instances / logs,
model ids / tags / cards / providers, generated text of chat and TGI streams, catalog names, error
bodies and request ids) carries markup, a ``[`` cut in half, terminal escapes with unique payloads
(OSC 52, OSC 0, CSI 2J, DCS, APC, 8-bit CSI/OSC) and the token the request came with
(``hostile_server.install_poisoned_upstream``). ``hftui`` runs in a pty at 120x40 and is driven
through every screen, the ``:`` line and the palette; ``hftui login`` and ``hftui batch`` run in a
pty too. Every byte they write is recorded, and ``terminal_stream.stream_problems`` must find no
escape sequence the server chose, no 8-bit C1, no token (text or clipboard); no file the app wrote
holds the token.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import pytest

from tests.hardening.hostile_server import (
    POISON_MARK,
    SERVER_ESCAPES,
    SERVER_MARKS,
    install_poisoned_upstream,
    poison,
    poisoned_error,
    poisoned_json,
    unpoison,
)
from tests.hardening.ptyapp import PtyApp, ptys_available
from tests.hardening.terminal_stream import TerminalStream, assert_clean_stream, mask, stream_problems
from tests.support.cli import service_env

needs_pty = pytest.mark.skipif(not ptys_available(), reason="needs POSIX ptys and the hftui script")

SIZE = (120, 40)
COPY_ME = "gpt2-demo"
"""The endpoint that stays usable: its state is kept (batch runs on it) and its URL is valid, with markup."""
URL_TAIL = "/[link=https://x]L[/link]"
"""What the server adds to that URL: markup, no control character, so the app may show and copy it."""

ESC, CTRL_D, CTRL_P, CTRL_Q, CTRL_R = b"\x1b", b"\x04", b"\x10", b"\x11", b"\x12"


def edit_endpoints(body, token: str):
    """Keep ``COPY_ME`` running with a valid URL (markup in it); give another endpoint a URL that
    carries the token (valid as a URL: it must be neither shown nor copied)."""
    items = body.get("items") if isinstance(body, dict) and isinstance(body.get("items"), list) else [body]
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("status"), dict):
            continue
        name = unpoison(str(item.get("name", "")), token)
        status = item["status"]
        url = unpoison(str(status.get("url") or ""), token)
        if name == COPY_ME:
            status["state"] = unpoison(str(status.get("state", "")), token)
            status["url"] = url + URL_TAIL
        elif name == "llama-chat" and url:
            status["url"] = f"{url}?key={token}"
    return body


def poisoned_services(hostile):
    """The poisoned upstream, and a few answers that are errors (body + request id poisoned)."""
    install_poisoned_upstream(hostile, endpoint_edit=edit_endpoints)
    search = poisoned_json()
    failing = poisoned_error(400, "search failed")  # 4xx: not retried

    async def models(request):  # a search for "boom" fails, with the token echoed in the error
        return await (failing if "boom" in request.query_string else search)(request)

    hostile.on("GET", r"^/api/models$", models)
    hostile.on("POST", r"^/hf-inference/models/openai-community/gpt2", poisoned_error(422, "bad inputs"), times=1)


def child_env(hostile, token: str | None) -> dict[str, str]:
    # XDG_* / HF_HOME come from the test's isolated environment (tests.support.env)
    return {**service_env(hostile.base_url, token), "HFTUI_REFRESH_INTERVAL": "5"}


def written_files(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()]


def assert_token_in_no_file(tmp_path: Path, token: str, *, allowed: set[str] = frozenset()) -> list[Path]:
    """No file under the test's directories (config, data, cache: history, exports, logs, outputs)
    holds the token in any case, but the token file itself (``allowed`` names)."""
    files = written_files(tmp_path)
    needle = token.lower().encode()
    leaked = [p for p in files if p.name not in allowed and needle in p.read_bytes().lower()]
    assert not leaked, f"the token is in {[str(p.relative_to(tmp_path)) for p in leaked]}"
    return files


class Walk:
    """Keys in, then wait for what they draw on the (emulated) screen; a failed wait names the step
    and shows the screen. Every step waits for the screen, so no key is sent before the app is ready
    for it (an Esc followed too fast by a key would read as Alt+key)."""

    def __init__(self, app: PtyApp, token: str) -> None:
        self.app = app
        self.token = token

    def fail(self, what: str, expect: str, timeout: float) -> AssertionError:
        screen = mask(self.app.screen_text, self.token)
        return AssertionError(f"{what}: {expect!r} not on screen after {timeout}s "
                              f"(exit status {self.app.poll()}); the screen:\n{screen}")

    def do(self, keys: bytes, expect: str, what: str, *, gone: bool = False, timeout: float = 15.0) -> None:
        """Send ``keys``; wait until ``expect`` is on screen (``gone``: until it no longer is)."""
        self.app.write(keys)
        if not self.app.wait_screen(expect, timeout, gone=gone):
            raise self.fail(what, ("gone: " if gone else "") + expect, timeout)

    def close(self, marker: str, what: str, tries: int = 3) -> None:
        """Esc until ``marker`` (something only the closing screen shows) is gone; a form takes one Esc
        to leave a field and one to close."""
        for _ in range(tries):
            self.app.write(ESC)
            if self.app.wait_screen(marker, 3, gone=True):
                return
        raise self.fail(what, f"gone: {marker}", 3 * tries)

    def command(self, line: str, expect: str, what: str, timeout: float = 15.0) -> None:
        """``:line`` on the command line. A text field takes ``:`` as text: Esc leaves it first (the
        footer offers ``? Keys`` only outside text fields)."""
        self.leave_text_field()
        self.do(b":", r"\? Keys", "the : line", gone=True)  # it opens over the footer
        self.do(line.encode() + b"\r", expect, what, timeout=timeout)

    def leave_text_field(self) -> None:
        if not re.search(r"\? Keys", self.app.screen_text):
            self.do(ESC, r"\? Keys", "leave the text field")

    def run_done(self, what: str) -> None:
        """ctrl+r, until the run is done; a chat run then gives the message box the focus back."""
        self.do(CTRL_R, r"Done", what, timeout=30)
        self.app.wait_screen(r"f1 Keys", 2)


@needs_pty
def test_every_screen_in_a_pty_against_a_poisoned_server(hostile, upstream, tmp_path):
    token = upstream.token
    poisoned_services(hostile)
    app = PtyApp(env=child_env(hostile, token), size=SIZE, demo=False)
    walk = Walk(app, token)
    try:
        # Endpoints: the table, describe, raw JSON, logs
        assert app.wait_screen(r"7 endpoints", 30), walk.fail("start", "7 endpoints", 30)
        walk.do(b"d", r"Revision", "describe")
        walk.do(b"y", r'"accountId"', "raw JSON")
        walk.do(b"l", r"Pulling image", "logs")
        walk.close(r"Pulling image", "logs")
        if "Revision" in app.screen_text or "accountId" in app.screen_text:
            walk.close(r"Revision|accountId", "describe")
        # wait (the state is unknown to the app: it waits), then stop
        walk.do(b"w", r"Waiting for", "wait")
        walk.close(r"stop waiting", "wait")
        # copy the URL of the usable endpoint (the 4th row by name)
        walk.do(b"jjjc", r"Copied URL", "copy URL")
        # namespace picker, delete modal, create and update forms, help
        walk.do(b"n", r"all namespaces", "namespace picker")
        walk.close(r"all namespaces", "namespace picker")
        walk.do(CTRL_D, r"to confirm", "delete modal")
        walk.close(r"to confirm", "delete modal")
        walk.do(b"a", r"New endpoint", "create form")
        walk.close(r"New endpoint", "create form")
        walk.do(b"e", r"Update ", "update form")
        walk.close(r"Update ", "update form")
        walk.do(b"?", r"Keys — ", "help")
        walk.close(r"Keys — ", "help")
        # Models: a failing search (error body and request id), then a search through the : line
        walk.command("models boom", r"search failed", "models: a failing search")
        walk.command("models llama", r"Model card", "models: search and detail")
        # Playground: a chat run (poisoned stream), History and an export
        walk.command("play meta-llama/Llama-3.1-8B-Instruct", r"Message", "playground: chat")
        app.write(b"hello there")
        walk.run_done("chat run")
        walk.leave_text_field()
        walk.do(b"h", r"History\[", "history")
        walk.do(b"x", r"Export run", "export")
        walk.do(b"s", r"Saved to", "export: save")
        walk.do(b"c", r"[Cc]opied", "export: copy")
        walk.close(r"Export run", "export")
        # a TGI run: first an error (poisoned body, request id), then the poisoned stream
        walk.command("play openai-community/gpt2", r"Prompt", "playground: text generation")
        walk.do(CTRL_R, r"BadRequest", "TGI error", timeout=30)
        walk.run_done("TGI run")
        # the palette, on the Endpoints screen: org names (with markup) offered as namespaces
        walk.leave_text_field()
        walk.do(b"3", r"7 endpoints", "endpoints")
        walk.do(CTRL_P, r"Search for commands", "palette")
        walk.do(b"acme", r"acme-ml", "palette: a namespace")
        walk.close(r"Search for commands|acme-ml", "palette")
        app.write(CTRL_Q)
        assert app.wait_exit(15) == 0, walk.fail("quit", "exit", 15)
    finally:
        app.kill()
        (tmp_path / "pty-walk.out").write_bytes(app.output)  # for a post-mortem (the token scan looks at it)

    stream = assert_clean_stream(app.output, token=token, what="the terminal during the walk")
    plain = stream.plain
    # the poison did reach the app and was shown, literally
    assert POISON_MARK in plain and "[@click=app.quit]Q[/]" in plain
    assert "Traceback" not in plain
    # the user copied twice: the URL exactly as shown (markup and all), the snippet without the token
    url = f"{hostile.base_url}/_ep/demo-user/{COPY_ME}{URL_TAIL}"
    assert url in stream.clipboard, [mask(c or "", token) for c in stream.clipboard]
    assert any(c and "$HF_TOKEN" in c for c in stream.clipboard), "the export was not copied"
    files = assert_token_in_no_file(tmp_path, token)
    assert any(p.suffix == ".sh" for p in files), "the export was not saved"
    assert any("history" in p.name for p in files), "no history database"
