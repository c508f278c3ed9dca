"""Markup and terminal escapes in every string the Endpoints API sends: shown literally, never executed."""

from __future__ import annotations

import copy
import json

from tests.hardening.hardening_helpers import CONTROL, assert_clean_screen, endpoints_ready, hostile_text, still_works
from tests.hardening.hostile_server import json_reply, raw_http, raw_reply, upstream_json
from tests.support.pilot import screen_text, wait_until


def poison_endpoint(item: dict, tag: str = "EVIL") -> dict:
    item = copy.deepcopy(item)
    item["name"] = hostile_text(tag)
    item["model"]["repository"] = hostile_text("REPO")
    item["model"]["task"] = hostile_text("TASK")
    item["status"]["message"] = hostile_text("MSG")
    item["status"]["state"] = hostile_text("STATE")
    item["provider"]["region"] = hostile_text("REGION")
    item["status"]["url"] = "https://x.example/" + hostile_text("URL")
    return item


def install_poisoned_list(hostile):
    async def listing(request):
        status, body = await upstream_json(request)
        items = body["items"]
        body["items"] = [poison_endpoint(items[0])] + items[1:]
        return body

    async def one(request):
        _, body = await upstream_json(request, "/v2/endpoint/demo-user")
        return poison_endpoint(body["items"][0])

    hostile.on("GET", r"^/v2/endpoint/[^/]+$", json_reply(listing))
    hostile.on("GET", r"^/v2/endpoint/[^/]+/[^/]+$", json_reply(one))


async def test_endpoint_table_shows_markup_literally(make_app, hostile):
    install_poisoned_list(hostile)
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: "EVIL" in screen_text(app), what="the poisoned row")
        text = assert_clean_screen(app)
        row = next(line for line in text.splitlines() if "EVIL" in line)
        assert "EVIL[bold red]B[/] [@click=app." in row, row
        assert "REPO[bold" in row
        assert "? STATE[bold" in row  # unknown state: raw word behind "?"
        assert app.is_running
        await still_works(pilot)


async def test_describe_and_raw_json_show_markup_literally(make_app, hostile):
    install_poisoned_list(hostile)
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: "EVIL" in screen_text(app), what="the poisoned row")
        screen.table.focus()
        # the poisoned row sorts first by name ("EVIL..." < lower-case names)
        await pilot.press("home", "d")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DescribeScreen", what="describe")
        await wait_until(pilot, lambda: "MSG[bold red]B[/]" in screen_text(app), what="the status message")
        text = assert_clean_screen(app)
        assert "EVIL[bold red]B[/]" in text
        await pilot.press("y")
        await pilot.pause(0.2)
        assert_clean_screen(app)
        await pilot.press("escape")
        await pilot.pause(0.1)
        if type(app.screen).__name__ != "EndpointsScreen":
            await pilot.press("escape")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "EndpointsScreen", what="back to the table")
        assert app.is_running
        await still_works(pilot)


async def test_logs_with_markup_and_escapes(make_app, hostile):
    lines = "\n".join(f"2026-10-26T12:00:0{i}Z {hostile_text('LOG' + str(i))}" for i in range(5)) + "\n"
    hostile.on("GET", r"/logs$", raw_reply(lines.encode(), content_type="text/plain"))
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count > 0, what="rows")
        screen.table.focus()
        await pilot.press("l")
        await wait_until(pilot, lambda: "LOG4" in screen_text(app), what="the log lines")
        text = assert_clean_screen(app)
        assert "LOG0[bold red]B[/] [@click=app.quit]Q[/]" in text
        assert app.is_running
        await pilot.press("escape")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "EndpointsScreen", what="back to the table")
        await still_works(pilot)


async def test_error_messages_with_markup(make_app, hostile):
    """The server's error text (header and body) is shown literally in the status line and toasts."""
    body = json.dumps({"error": hostile_text("ERRBODY")}).encode()
    head = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nX-Error-Message: "
            + one_line_header("ERRHDR").encode() + b"\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\nConnection: close\r\n\r\n")
    hostile.on("GET", r"^/v2/endpoint/[^/]+$", raw_http(head + body))
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await endpoints_ready(pilot)
        await wait_until(pilot, lambda: "ERR" in screen_text(app), what="the error message")
        text = assert_clean_screen(app)
        assert "[bold red]B[/]" in text, text
        assert app.is_running
        hostile.clear()
        await still_works(pilot)


def one_line_header(tag: str) -> str:
    # header values cannot carry CR/LF or most controls on the wire; keep the markup and an ESC
    return f"{tag}[bold red]B[/] [@click=app.quit]Q[/] \x1b[2J"


async def test_catalog_names_with_markup_in_the_create_form(make_app, hostile):
    """Vendors, regions, instance names from the hardware catalog go into Select options."""
    async def catalog(request):
        _, body = await upstream_json(request, "/v2/provider/demo-user")
        vendor = body["vendors"][0]
        vendor["name"] = "[bold]aws[/]\x1b[2J"
        region = vendor["regions"][0]
        region["label"] = hostile_text("RLABEL")
        for compute in region["computes"]:
            compute["instanceType"] = "[@click=app.quit]icl[/]"
            compute["architecture"] = hostile_text("ARCH")
        return body

    hostile.on("GET", r"^/v2/provider", json_reply(catalog))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.catalog is not None, what="the catalog")
        screen.table.focus()
        await pilot.press("a")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "EndpointFormScreen", what="the form")
        await pilot.pause(0.3)
        text = assert_clean_screen(app)
        assert "[bold]aws[/]" in text, text
        assert "[@click=app.quit]icl[/]" in text, text
        for _ in range(3):
            await pilot.press("escape")
            await pilot.pause(0.1)
            if app.screen is screen:
                break
        await still_works(pilot)


async def test_user_name_with_markup_in_the_header(make_app, hostile):
    """The user's own name (the default namespace) is server text too: header and title stay literal."""
    async def whoami(request):
        _, body = await upstream_json(request)
        body["name"] = "[bold]me[/]\x1b]52;c;SGVsbG8=\x07"
        return body

    hostile.on("GET", r"^/api/whoami", json_reply(whoami))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await endpoints_ready(pilot)
        await pilot.pause(0.2)
        text = assert_clean_screen(app)
        assert "[bold]me[/]" in text.splitlines()[0], text.splitlines()[0]
        assert "Endpoints([bold]me[/])" in text, text


async def test_wait_screen_with_hostile_states_and_messages(make_app, hostile):
    """``w`` shows each state the endpoint goes through (server words): literal."""
    async def one(request):
        _, body = await upstream_json(request, "/v2/endpoint/demo-user")
        item = body["items"][0]
        item["status"]["state"] = hostile_text("WST")
        item["status"]["message"] = hostile_text("WMSG")
        return item

    hostile.on("GET", r"^/v2/endpoint/[^/]+/[^/]+$", json_reply(one))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count > 0, what="rows")
        screen.table.focus()
        assert screen.table.move_cursor_to("demo-user/sdxl-images")  # not paused: waiting polls it
        await pilot.press("W")
        await wait_until(pilot, lambda: "WST" in screen_text(app), 10, "the wait log")
        text = assert_clean_screen(app)
        assert "? WST[bold red]B[/" in text, text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, 10, "back to the table")


async def test_state_change_notification_with_hostile_state(make_app, hostile):
    """A row changing state raises a toast with the name and both states: all server words."""
    app = make_app(refresh_interval=3600)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="rows")

        async def listing(request):
            _, body = await upstream_json(request)
            for item in body["items"]:
                if item["name"] == "gpt2-demo":
                    item["status"]["state"] = hostile_text("NEWST")
            return body

        hostile.on("GET", r"^/v2/endpoint/[^/]+$", json_reply(listing))
        before = screen.poll_count
        screen.poll_now()
        await wait_until(pilot, lambda: screen.poll_count > before, 10, "the second poll")
        await wait_until(pilot, lambda: any("NEWST" in n.message for n in app._notifications), 10, "the toast")
        assert_clean_screen(app)
        for note in app._notifications:  # what the toasts will paint
            assert CONTROL.search(note.message) is None, repr(note.message)
            assert CONTROL.search(note.title or "") is None
            if "NEWST" in note.message:
                assert not note.markup, "server words in a toast must not be markup"


async def test_batch_against_a_hostile_endpoint(make_app, hostile, tmp_path):
    """A batch run whose every call fails with hostile error text: readable log, the run ends."""
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"inputs": f"hello {i}"}) + "\n" for i in range(5)))
    hostile.on("POST", r"^/_ep/demo-user/gpt2-demo", json_reply({"error": hostile_text("BERR")}, status=400))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="rows")
        assert screen.table.move_cursor_to("demo-user/gpt2-demo")
        assert "127.0.0.1" in (screen.table.get("demo-user/gpt2-demo").url or "")
        screen.table.focus()
        await pilot.press("b")
        batch = await wait_until(pilot, lambda: app.screen if type(app.screen).__name__ == "BatchScreen" else None,
                                 what="the batch screen")
        batch.query_one("#batch-input").value = str(inputs)
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: batch.summary is not None, 30, "the batch to end")
        await pilot.pause(0.2)
        assert hostile.count("POST", r"^/_ep/demo-user/gpt2-demo") >= 5
        text = assert_clean_screen(app)
        assert "Traceback" not in text
        assert batch.summary.stats.ok == 0
        assert "5 failed" in text


UNICODE_NASTY = ("Z\u0351\u0352\u0353\u0354" * 50 + "界" * 40 + "👩‍👩‍👧‍👦" * 5 + "\u202egnp.exe\u202c"
                 + "\u200b" * 100 + "\ufeff" + "\U000e0041" + "\ud7ff")


async def test_combining_wide_and_bidi_characters_keep_the_layout(make_app, hostile):
    """Zalgo marks, wide CJK, emoji sequences, RTL overrides, zero-width spaces in server text:
    every painted row is exactly the screen's width, no bidi override reaches the terminal."""
    async def listing(request):
        _, body = await upstream_json(request)
        body["items"][0]["name"] = "uni-" + UNICODE_NASTY
        body["items"][0]["model"]["repository"] = UNICODE_NASTY
        body["items"][0]["status"]["message"] = UNICODE_NASTY
        return body

    hostile.on("GET", r"^/v2/endpoint/[^/]+$", json_reply(listing))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: "uni-" in screen_text(app), 10, "the row")
        for size in ((120, 30), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.2)
            text = assert_clean_screen(app)
            assert "\u202e" not in text
            from tests.support.pilot import strips

            widths = {strip.cell_length for strip in strips(app)}
            assert widths == {size[0]}, f"rows of widths {widths} at {size}"
