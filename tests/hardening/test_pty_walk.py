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
from tests.hardening.terminal_stream import CLI_CSI, TerminalStream, assert_clean_stream, mask, stream_problems
from tests.support.cli import service_env

needs_pty = pytest.mark.skipif(not ptys_available(), reason="needs POSIX ptys and the hftui script")

SIZE = (120, 40)
COPY_ME = "gpt2-demo"
"""The endpoint that stays usable: its state is kept (batch runs on it) and its URL is valid, with markup."""
URL_TAIL = "/[link=https://x]L[/link]"
"""What the server adds to that URL: markup, no control character, so the app may show and copy it."""

ESC, CTRL_D, CTRL_P, CTRL_Q, CTRL_R, CTRL_S = b"\x1b", b"\x04", b"\x10", b"\x11", b"\x12", b"\x13"


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
        # a server's escape that reached the terminal garbles the screen: say so first
        found = "".join(f"\n  {mask(p, self.token)}" for p in stream_problems(self.app.output, token=self.token)[:8])
        return AssertionError(f"{what}: {expect!r} not on screen after {timeout}s (exit status {self.app.poll()})"
                              + (f"; what reached the terminal so far:{found}" if found else "")
                              + f"\nthe screen:\n{screen}")

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

    def click(self, label: str, row_has: str, expect: str, what: str, *, gone: bool = False) -> None:
        """Click (SGR mouse, as the app asks the terminal for) on ``label`` in the row that also holds
        ``row_has``; wait for ``expect`` (``gone``: until it is no longer on screen)."""
        for y, line in enumerate(self.app.screen_text.splitlines()):
            x = line.find(f" {label}")
            if row_has in line and x >= 0:
                at = f"{x + 2};{y + 1}"
                self.do(f"\x1b[<0;{at}M\x1b[<0;{at}m".encode(), expect, what, gone=gone)
                return
        raise self.fail(what, f"{label} (to click)", 0)

    def command(self, line: str, expect: str, what: str, timeout: float = 15.0) -> None:
        """``:line`` on the command line. A text field takes ``:`` as text: Esc leaves it first (the
        footer offers ``? Keys`` only outside text fields)."""
        self.leave_text_field()
        self.do(b":", r"\? Keys", "the : line", gone=True)  # it opens over the footer
        self.do(line.encode() + b"\r", expect, what, timeout=timeout)

    def leave_text_field(self) -> None:
        if not re.search(r"\? Keys", self.app.screen_text):
            self.do(ESC, r"\? Keys", "leave the text field")

    def run(self, expect: str, what: str, timeout: float = 30.0) -> None:
        """ctrl+r until a run starts (a key typed while the form is still being built is dropped, with a
        bell: the app says so), then wait for ``expect``; a chat run gives the message box the focus back."""
        for _ in range(3):
            self.app.write(CTRL_R)
            if self.app.wait_screen(rf"{expect}|Running|Streaming|Failed|Done|Not run", 4):
                break
        if not self.app.wait_screen(expect, timeout):
            raise self.fail(what, expect, timeout)
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
        # Esc leaves the logs for Describe: wait for it to be drawn (reading the screen at once
        # raced the redraw on a loaded machine, and W then went to Describe), then close it too.
        if app.wait_screen(r"Revision|accountId", 3):
            walk.close(r"Revision|accountId", "describe")
        # wait (the state is unknown to the app: it waits), then stop
        walk.do(b"W", r"Waiting for", "wait")
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
        walk.command("models boom", r"Search failed", "models: a failing search")
        walk.command("models llama", r"Model card", "models: search and detail")
        # Playground: a chat run (poisoned stream), History and an export
        walk.command("play meta-llama/Llama-3.1-8B-Instruct", r"Message", "playground: chat")
        walk.run(r"Done", "chat run")
        walk.click("Raw", "Tokens", r"Response", "the Raw tab: request and response as sent and received")
        walk.click("Tokens", "Output", r"No token details|Generated ·", "the Tokens tab")
        walk.click("Output", "Tokens", r"No token details|Generated ·|Response", "back to the output", gone=True)
        walk.leave_text_field()
        walk.do(b"h", r"History\[", "history")
        walk.do(b"x", r"Export run", "export")
        walk.do(CTRL_S, r"Saved to", "export: save")
        walk.do(b"c", r"[Cc]opied", "export: copy")
        walk.close(r"Export run", "export")
        # a TGI run: first an error (poisoned body, request id), then the poisoned stream
        walk.command("play openai-community/gpt2", r"Prompt", "playground: text generation")
        walk.run(r"BadRequest", "TGI error")
        walk.run(r"Done", "TGI run")
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


# --- hftui login and hftui batch, in a pty ---------------------------------------------------------

def run_cli(*argv: str, env: dict[str, str], answer: bytes | None = None, prompt: str = "", timeout: float = 60):
    """``hftui ARGV`` in a pty (its stdout and stderr are the terminal); ``answer`` is typed once
    ``prompt`` is on screen. Returns the app (output recorded, exited)."""
    app = PtyApp(*argv, env=env, size=SIZE, demo=False)
    try:
        if answer is not None:
            assert app.wait_screen(prompt, 30), mask(app.screen_text, answer.decode().strip())
            app.write(answer)
        assert app.wait_exit(timeout) is not None, "still running"
    finally:
        app.kill()
    return app


@needs_pty
def test_login_in_a_pty_against_a_poisoned_server(hostile, upstream, tmp_path):
    """The token typed at the prompt is not echoed; the user's name and the token's role (poisoned,
    the token in them) are printed clean; a rejection (poisoned error, token echoed) too."""
    token = upstream.token
    poisoned_services(hostile)
    env = child_env(hostile, None)
    app = run_cli("login", env=env, answer=token.encode() + b"\r", prompt="token")
    text = assert_clean_stream(app.output, token=token, what="the terminal of hftui login", app_csi=CLI_CSI).plain
    assert app.status == 0, mask(text, token)
    assert "Logged in as demo-user" in text and POISON_MARK in text, mask(text, token)
    saved = [p for p in written_files(tmp_path) if p.name == "token"]
    assert saved and saved[0].read_text().strip() == token  # where the token belongs, and only there
    assert_token_in_no_file(tmp_path, token, allowed={"token"})

    saved[0].unlink()
    hostile.on("GET", r"^/api/whoami", poisoned_error(401, "token refused"), times=1)
    app = run_cli("login", env=env, answer=token.upper().encode() + b"\r", prompt="token")
    text = assert_clean_stream(app.output, token=token, what="the terminal of a refused login",
                               app_csi=CLI_CSI).plain
    assert app.status == 1 and "token refused" in text, mask(text, token)
    assert not [p for p in written_files(tmp_path) if p.name == "token"]


@needs_pty
def test_batch_in_a_pty_against_a_poisoned_server(hostile, upstream, tmp_path):
    """Namespace, endpoint name, message, states (pause), error bodies and request ids: all poisoned,
    all echoing the token. The terminal gets none of it raw; the results file neither."""
    token = upstream.token
    poisoned_services(hostile)
    hostile.on("POST", r"^/_ep/", poisoned_error(400, "input refused"))
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"inputs": f"hello {i}"}) + "\n" for i in range(3)))
    out = tmp_path / "out.jsonl"
    app = run_cli("batch", COPY_ME, "-i", str(inputs), "-o", str(out), "--pause-after", "--progress-interval",
                  "0.01", env=child_env(hostile, token))
    text = assert_clean_stream(app.output, token=token, what="the terminal of hftui batch", app_csi=CLI_CSI).plain
    assert app.status == 1, mask(text, token)  # every input failed
    assert hostile.count("POST", r"^/_ep/") == 3 and hostile.count("POST", r"/pause$") == 1
    assert POISON_MARK in text and "input refused" in text, mask(text, token)  # printed, cleaned
    data = out.read_bytes()
    assert token.lower().encode() not in data.lower(), "the token is in the results file"
    assert re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", data) is None, "a raw control byte in the results file"
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert len(records) == 3

    def strings(value):
        if isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)
        elif isinstance(value, str):
            yield value

    for record in records:
        for s in strings(record):
            assert re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", s) is None, f"a control character in {s!r}"
            assert not any(mark in s for mark in SERVER_MARKS), f"an escape payload in {s!r}"
    assert "input refused" in json.dumps(records)
    assert_token_in_no_file(tmp_path, token)


# --- the checker can fail ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clean_recording() -> bytes:
    """What ``hftui --demo`` wrote while the user moved, opened a describe view and copied a URL
    (an OSC 52 of the app's own): a real stream with nothing of a server's in it."""
    app = PtyApp(size=SIZE)
    try:
        assert app.wait_screen(r"gpt2-demo", 30), app.screen_text
        walk = Walk(app, "")
        walk.do(b"jjjc", r"Copied URL", "copy")
        walk.do(b"d", r"Revision", "describe")
        walk.close(r"Revision", "describe")
        app.write(CTRL_Q)
        status = app.wait_exit(15)
        # The end of what it wrote: a traceback on the way out is the usual reason for status 1.
        assert status == 0, (status, app.output[-3000:].decode("utf-8", "replace"))
    finally:
        app.kill()
    return app.output


FAKE_TOKEN = "hf_CheckerFakeToken0000000000000000"
BASE64_TOKEN = base64.b64encode(f"curl -H 'Authorization: Bearer {FAKE_TOKEN}'".encode()).decode()

INJECTED = {
    "osc52-clipboard": b"\x1b]52;c;SERVERCLIP\x07",
    "osc0-title": b"\x1b]0;SERVERTITLE\x07",
    "osc0-title-st": b"\x1b]0;SERVERTITLE\x1b\\",
    "csi-clear-screen": b"\x1b[2J",
    "csi-cursor-off-screen": b"\x1b[4242;4242H",
    "csi-report-title": b"\x1b[21t",
    "dcs": b"\x1bPSERVERDCS\x1b\\",
    "apc": b"\x1b_SERVERAPC\x1b\\",
    "8bit-csi-byte": b"\x9b2J",
    "8bit-osc-byte": b"\x9d0;x\x9c",
    "c1-code-point": "\u009b2J".encode(),
    "osc8-server-link": b"\x1b]8;;https://x\x1b\\L\x1b]8;;\x1b\\",
    "osc22-not-a-shape": b"\x1b]22;SERVERTITLE\x07",
    "token-in-text": f"name {FAKE_TOKEN} x".encode(),
    "token-upper-case": f"name {FAKE_TOKEN.upper()} x".encode(),
    "token-on-clipboard": f"\x1b]52;c;{BASE64_TOKEN}\x07".encode(),
    "escape-on-clipboard": b"\x1b]52;c;" + base64.b64encode(b"ok\x1b]0;t\x07") + b"\x07",
}


@needs_pty
@pytest.mark.parametrize("name", list(INJECTED))
def test_the_checker_finds_what_a_server_put_in_a_recorded_stream(clean_recording, name):
    """A real recording passes; the same recording with one server sequence (or the token) put in,
    anywhere, fails."""
    assert stream_problems(clean_recording, token=FAKE_TOKEN) == []
    stream = TerminalStream(clean_recording)
    assert stream.clipboard and all(c and c.startswith("http") for c in stream.clipboard)  # the app's own copy
    for at in (0, len(clean_recording) // 2, len(clean_recording)):
        # not inside one of the app's own sequences: just before an ESC, or at an end
        cut = clean_recording.rfind(b"\x1b", 0, at) if 0 < at < len(clean_recording) else at
        poisoned = clean_recording[:cut] + INJECTED[name] + clean_recording[cut:]
        problems = stream_problems(poisoned, token=FAKE_TOKEN)
        assert problems, f"{name} injected at {cut} was not found"
        with pytest.raises(AssertionError):
            assert_clean_stream(poisoned, token=FAKE_TOKEN)
        assert all(FAKE_TOKEN.lower() not in p.lower() for p in [mask(p, FAKE_TOKEN) for p in problems])


def test_the_poison_holds_every_attack():
    """Guard: what the poisoned upstream appends holds each escape, the markup and the token."""
    text = poison("name", FAKE_TOKEN)
    for piece in ("\x1b]52;c;SERVERCLIP\x07", "\x1b]0;SERVERTITLE\x07", "\x1b[2J", "\x1bP", "\x9b", "\x9d",
                  POISON_MARK, "[@click=app.quit]", FAKE_TOKEN):
        assert piece in text, piece
    assert text.endswith("[") and SERVER_ESCAPES in text
    assert unpoison(text, FAKE_TOKEN) == "name"
    assert stream_problems(text.encode(), token=FAKE_TOKEN)  # raw, it is everything the checker looks for
