"""URLs a server sends, and what ``c`` puts on the clipboard (issue 9, items 5 and 7).

- An endpoint's ``status.url`` that is not a plain http(s) URL (an escape, a newline,
  a space, another scheme) is treated as no URL: the table and describe say it is
  invalid, ``i`` does not open it in the Playground, ``c`` does not copy it.
- ``c`` copies exactly what the screen shows: text with a control character or an
  escape sequence (or, for a one-line value, a line break) is refused with a message,
  and nothing is written to the terminal; checked on the bytes a real ``hftui`` writes
  to its pty.
"""

from __future__ import annotations

import base64
import copy
import re

import pytest
from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go
from tests.hardening.hostile_server import json_reply, upstream_json
from tests.hardening.ptyapp import PtyApp, ptys_available

from hftui.client.models import Endpoint
from hftui.widgets.clipboard import copy as osc52_copy
from hftui.widgets.clipboard import refusal

BAD_URLS = {
    "newline": "https://x.example/ok\n; rm -rf ~ #",
    "osc": "https://x.example/\x1b]0;pwned\x07",
    "osc52": "https://x.example/\x1b]52;c;SGVsbG8=\x07",
    "c1": "https://x.example/\x9b31m",
    "space": "https://x.example/a b",
    "scheme": "javascript:alert(1)",
    "file": "file:///etc/passwd",
    "bidi": "https://x.example/\u202egnp.exe",
}


# --- parsing: an invalid status.url is no URL ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BAD_URLS))
def test_an_invalid_status_url_is_no_url(name):
    ep = Endpoint.from_json({"name": "e", "status": {"state": "running", "url": BAD_URLS[name]}}, "ns")
    assert ep.url is None and ep.url_invalid


def test_a_plain_status_url_is_kept_and_none_is_not_invalid():
    ep = Endpoint.from_json({"name": "e", "status": {"state": "running", "url": "https://e.x.aws.endpoints"
                                                                                   ".huggingface.cloud"}}, "ns")
    assert ep.url == "https://e.x.aws.endpoints.huggingface.cloud" and not ep.url_invalid
    for missing in ({}, {"url": None}, {"url": ""}):
        ep = Endpoint.from_json({"name": "e", "status": {"state": "pending", **missing}}, "ns")
        assert ep.url is None and not ep.url_invalid
    assert Endpoint.from_json({"name": "e", "status": {"url": 12}}, "ns").url_invalid


# --- the clipboard module: what is written to the terminal ------------------------------------------


class Recorder:
    """An app stand-in whose driver keeps what would go to the terminal."""

    is_headless = False

    def __init__(self) -> None:
        self.written: list[str] = []
        self._clipboard = ""
        recorder = self

        class Driver:
            def write(self, data: str) -> None:
                recorder.written.append(data)

        self._driver = Driver()


def osc52_payloads(data: str) -> list[str]:
    return [base64.b64decode(m).decode("utf-8") for m in re.findall(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07", data)]


@pytest.mark.parametrize("name", sorted(BAD_URLS))
def test_one_line_copies_with_controls_or_breaks_write_nothing(name, monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("STY", raising=False)
    text = BAD_URLS[name]
    app = Recorder()
    if name in ("scheme", "file", "space"):  # printable, one line: copied as shown (no URL check here)
        assert refusal(text, single_line=True) is None
        return
    assert refusal(text, single_line=True).startswith("Not copied: it holds")
    assert not osc52_copy(app, text, single_line=True)
    assert app.written == [] and app._clipboard == ""


def test_multi_line_copies_keep_breaks_and_tabs_but_not_escapes(monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("STY", raising=False)
    app = Recorder()
    snippet = "curl -X POST \\\n\t-d '{\"inputs\": \"hi\"}' https://x.example"
    assert osc52_copy(app, snippet)
    assert osc52_payloads("".join(app.written)) == [snippet]
    for bad in ("a\x1b[2Jb", "a\rb", "a\x07b", "a\x9bb", "a\u202eb", "a\ud800b", "a\r\nb"):
        assert refusal(bad) is not None, repr(bad)
        assert not osc52_copy(app, bad)
    assert len(app.written) == 1
    assert refusal("x" * 200_000) == "Too long to copy through the terminal."


def test_a_one_line_copy_is_exactly_the_text_in_the_osc52_bytes(monkeypatch):
    monkeypatch.setenv("TMUX", "/tmp/tmux-1/default,1,0")
    monkeypatch.delenv("STY", raising=False)
    app = Recorder()
    url = "https://e.x.aws.endpoints.huggingface.cloud/v1/"
    assert osc52_copy(app, url, single_line=True)
    out = "".join(app.written)
    plain = "\x1b]52;c;" + base64.b64encode(url.encode()).decode() + "\x07"
    # the plain sequence and tmux's passthrough of it; no other byte
    assert out == plain + "\x1bPtmux;" + plain.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    assert osc52_payloads(out) == [url, url]


# --- the app against a hostile Endpoints API ------------------------------------------------------


def last_note(app) -> str:
    return list(app._notifications)[-1].message



def install_bad_urls(hostile) -> None:
    """The listing: every bad URL on a copy of gpt2-demo (named ``bad-<kind>``), a hostile route
    path on another (``bad-route``), and the friendly rows."""
    async def listing(request):
        _, body = await upstream_json(request)
        items = body["items"]
        good = next(i for i in items if i["name"] == "gpt2-demo")
        for name, url in BAD_URLS.items():
            item = copy.deepcopy(good)
            item["name"] = f"bad-{name}"
            item["status"]["url"] = url
            items.append(item)
        route = copy.deepcopy(good)
        route["name"] = "bad-route"
        route["route"] = {"domain": None, "path": "/v1\x1b]0;pwned\x07"}
        items.append(route)
        return body

    hostile.on("GET", r"^/v2/endpoint/demo-user$", json_reply(listing))

    async def one(request):
        _, body = await upstream_json(request, "/v2/endpoint/demo-user")
        name = request.path.rsplit("/", 1)[-1]
        item = copy.deepcopy(next(i for i in body["items"] if i["name"] == "gpt2-demo"))
        item["name"] = name
        item["status"]["url"] = BAD_URLS.get(name.removeprefix("bad-"), item["status"]["url"])
        return item

    hostile.on("GET", r"^/v2/endpoint/demo-user/bad-[a-z0-9]+$", json_reply(one))


async def test_invalid_urls_are_shown_as_invalid_and_neither_copied_nor_opened(make_app, hostile):
    install_bad_urls(hostile)
    app = make_app(refresh_interval=3600)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await endpoints_ready(pilot)
        table = screen.table
        await wait_until(pilot, lambda: table.get("demo-user/bad-route") is not None, what="the rows")
        table.focus()
        for name in BAD_URLS:
            key = f"demo-user/bad-{name}"
            ep = table.get(key)
            assert ep.url is None and ep.url_invalid, key
            assert table.move_cursor_to(key)
            await pilot.pause()
            assert "⚠ invalid" in table.cell_text(key, "url")
            app.clear_notifications()
            await pilot.press("c")  # copy: refused, says why
            await pilot.press("i")  # try: refused, says why; the Playground is not opened
            await pilot.pause()
            assert app.screen is screen
            notes = [n.message for n in app._notifications]
            assert len(notes) == 2 and all("invalid URL" in n and n.startswith(key) for n in notes), notes
            assert app.clipboard == ""
            text = assert_clean_screen(app)
            assert "pwned" not in text and "rm -rf" not in text
        # describe says so, and its c refuses too
        assert table.move_cursor_to("demo-user/bad-newline")
        await pilot.press("d")
        await wait_until(pilot, lambda: "invalid URL from the server" in screen_text(app), what="describe")
        app.clear_notifications()
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == "" and "invalid URL" in last_note(app)
        assert "rm -rf" not in assert_clean_screen(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back to the table")

        # a valid status.url with a hostile route path: i refuses
        assert table.move_cursor_to("demo-user/bad-route")
        app.clear_notifications()
        await pilot.press("i")
        await pilot.pause()
        assert app.screen is screen
        assert "invalid URL" in last_note(app)

        # the friendly endpoint: c copies exactly the URL the toast shows, i opens it
        good = table.get("demo-user/gpt2-demo")
        assert good.url and not good.url_invalid
        assert table.move_cursor_to(good.key)
        app.clear_notifications()
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == good.url
        assert last_note(app).endswith("\n" + good.url)
        await pilot.press("i")
        playground = await wait_until(pilot, lambda: app.screen if type(app.screen).__name__ == "PlaygroundScreen"
                                      else None, what="the Playground")
        assert playground.query_one("#target-model").value == good.url


async def test_the_playground_refuses_an_invalid_url_target(make_app, hostile):
    """Any way an invalid URL reaches the Playground (an endpoint, a history record): refused, the
    URL field keeps what it had and shows nothing the server chose."""
    from hftui.client import Target

    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "playground")
        field = screen.query_one("#target-model")
        before = field.value
        for name, url in BAD_URLS.items():
            screen.set_target(Target.at_url(url, send_token=False))
            await pilot.pause()
            assert field.value == before, name
            assert "not a valid http(s) URL" in screen.status_history[-1], name
        screen.load_run({"task": "text-classification", "inputs": "hi",
                         "target": {"kind": "url", "url": BAD_URLS["osc"]}})
        await pilot.pause()
        assert field.value == before
        text = assert_clean_screen(app)
        assert "pwned" not in text
        screen.set_target(Target.at_url("https://x.example/ok", send_token=False))
        await pilot.pause()
        assert field.value == "https://x.example/ok"


async def test_models_c_copies_the_id_shown_or_refuses(make_app, hostile):
    evil = "evil/id\x1b]52;c;SGVsbG8=\x07\n; rm -rf ~"
    models = [{"_id": "1" * 24, "id": evil, "downloads": 1, "likes": 1},
              {"_id": "2" * 24, "id": "fine/[bold]id[/]", "downloads": 0, "likes": 0}]
    hostile.on("GET", r"^/api/models$", json_reply(models))
    app = make_app(first_screen="models")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await go(pilot, "models")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: table.row_count == 2, what="the models")
        table.focus()
        table.move_cursor(row=list(table.models).index(evil))
        await pilot.pause()
        app.clear_notifications()
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == ""
        assert last_note(app).startswith("Not copied: it holds line breaks")
        table.move_cursor(row=list(table.models).index("fine/[bold]id[/]"))
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == "fine/[bold]id[/]"
        assert last_note(app) == "fine/[bold]id[/]"
        assert_clean_screen(app)


# --- the bytes a real hftui writes to its terminal ----------------------------------------------------

needs_pty = pytest.mark.skipif(not ptys_available(), reason="needs POSIX ptys and the hftui script")
OSC52 = re.compile(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


@needs_pty
def test_the_terminal_gets_one_osc52_with_exactly_the_url_and_none_for_invalid_ones(hostile, upstream, tmp_path):
    """``hftui`` in a pty against the hostile server: ``c`` on a row whose URL holds a newline and
    an OSC 52 of the server's writes nothing to the clipboard; ``c`` on a good row writes one
    OSC 52 whose payload is exactly the endpoint's URL."""
    async def listing(request):
        _, body = await upstream_json(request)
        good = next(i for i in body["items"] if i["name"] == "gpt2-demo")
        bad = copy.deepcopy(good)
        bad["name"] = "a-bad"  # sorts first: the cursor starts on it
        bad["status"]["url"] = "https://x.example/\x1b]52;c;SGVsbG8=\x07\n; rm -rf ~ #"
        good = copy.deepcopy(good)
        good["name"] = "b-good"
        body["items"] = [bad, good]
        return body

    hostile.on("GET", r"^/v2/endpoint/demo-user$", json_reply(listing))
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache"), "XDG_STATE_HOME": str(home / "state"), "HF_HOME": str(home / "hf"),
           "HF_TOKEN": upstream.token, "HF_ENDPOINT": hostile.base_url, "HFTUI_INFERENCE_URL": hostile.base_url,
           "HFTUI_ENDPOINTS_API_URL": hostile.base_url + "/v2", "HFTUI_REFRESH_INTERVAL": "3600",
           "TMUX": None, "STY": None}
    app = PtyApp(env=env, size=(140, 30), demo=False)
    try:
        assert app.wait_for(r"b-good"), app.text[-3000:]
        assert not OSC52.search(app.output)
        app.write(b"c")
        assert app.wait_for(r"invalid URL"), app.text[-3000:]
        assert not OSC52.search(app.output), "the server's OSC 52 (or the bad URL) reached the terminal"
        app.write(b"j")  # down to b-good
        app.write(b"c")
        assert app.wait_for(r"Copied URL"), app.text[-3000:]
        payloads = [base64.b64decode(m).decode() for m in OSC52.findall(app.output)]
        assert payloads == [f"{hostile.base_url}/_ep/demo-user/gpt2-demo"], payloads
        assert b"rm -rf" not in app.output and b"SGVsbG8" not in app.output
    finally:
        app.kill()
