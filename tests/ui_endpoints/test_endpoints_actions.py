"""The Endpoints screen driven like a user, against the emulator."""

from __future__ import annotations

from textual.widgets import Button, Input, Static

from hftui.screens.endpoints import EndpointsScreen
from hftui.widgets.confirm import ConfirmScreen

from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app, poll_once

SIZE = (120, 40)


def status(screen) -> str:
    return str(screen.query_one("#status-line", Static).render())


async def goto(pilot, screen: EndpointsScreen, key: str) -> None:
    assert screen.table.move_cursor_to(key), key
    await pilot.pause()


def server_state(emulator, ns, name):
    ep = emulator.endpoint(ns, name)
    return None if ep is None else ep["status"]["state"]


async def test_table_lists_the_users_endpoints_with_header(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        table = screen.table
        keys = [ep.key for ep in table.endpoints()]
        assert "demo-user/gpt2-demo" in keys and "demo-user/bert-fill" in keys
        assert all(k.startswith("demo-user/") for k in keys)
        assert table.cell_text("demo-user/gpt2-demo", "state") == "● running"
        assert table.cell_text("demo-user/bert-fill", "state") == "‖ paused"
        assert table.cell_text("demo-user/broken-model", "state") == "✗ failed"
        await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
        await pilot.pause()
        assert table.cell_text("demo-user/llama-chat", "price") == "$0.80"
        from hftui.widgets.header import header_text

        line = header_text(app.header_info)
        assert "demo-user@demo-user" in line
        running = sum(1 for ep in table.endpoints() if ep.raw_state == "running")
        assert f"{running} running" in line
        assert "⟳ 5s ok" in line
        assert "$" in line
        assert table.border_title == f"Endpoints(demo-user)[{table.row_count}]"


async def test_pause_moves_the_row_to_paused(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/gpt2-demo")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.table.get("demo-user/gpt2-demo").raw_state == "paused",
                         what="paused row")
        assert server_state(emulator, "demo-user", "gpt2-demo") == "paused"
        await wait_until(pilot, lambda: screen.table.pending_of("demo-user/gpt2-demo") is None)
        assert "Paused demo-user/gpt2-demo" in status(screen)


async def test_pause_answered_with_500_leaves_the_row_and_says_why(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/gpt2-demo")
        still_emulator.inject("500", path=r"/pause$")
        await pilot.press("p", "y")
        await wait_until(pilot, lambda: "failed" in status(screen), what="failure status")
        await wait_until(pilot, lambda: screen.table.pending_of("demo-user/gpt2-demo") is None)
        assert screen.table.get("demo-user/gpt2-demo").raw_state == "running"
        assert screen.table.cell_text("demo-user/gpt2-demo", "state") == "● running"
        assert "500" in status(screen)
        assert server_state(still_emulator, "demo-user", "gpt2-demo") == "running"
        messages = [str(n.message) for n in app._notifications]
        assert any("500" in m for m in messages), messages
        assert not any("Traceback" in m for m in messages)


async def test_resume_shows_the_price_first_and_cancel_does_nothing(emulator):
    from hftui.widgets.confirm import ConfirmScreen

    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
        await goto(pilot, screen, "demo-user/bert-fill")
        await pilot.press("r")
        modal = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        body = str(modal.query_one(".confirm-body", Static).render())
        assert "$0.13" in body and "/h" in body
        await pilot.press("escape")
        await pilot.pause()
        assert server_state(emulator, "demo-user", "bert-fill") == "paused"
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # Cancel has the focus: y resumes
        await wait_until(pilot, lambda: server_state(emulator, "demo-user", "bert-fill") != "paused",
                         what="resumed on the server")
        await wait_until(pilot, lambda: screen.table.get("demo-user/bert-fill").raw_state != "paused",
                         what="row resumed")


async def test_scale_to_zero(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/gpt2-demo")
        await pilot.press("z", "y")
        await wait_until(pilot, lambda: screen.table.get("demo-user/gpt2-demo").raw_state == "scaledToZero",
                         what="scaled to zero")
        assert server_state(emulator, "demo-user", "gpt2-demo") == "scaledToZero"


async def test_delete_with_a_wrong_name_deletes_nothing(still_emulator):
    from hftui.screens.endpoint_delete import DeleteEndpointScreen

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/gpt2-demo")
        await pilot.press("ctrl+d")
        modal = await wait_until(pilot, lambda: isinstance(app.screen, DeleteEndpointScreen) and app.screen)
        assert app.focused is modal.query_one("#cancel", Button)
        await pilot.press("enter")  # Enter on the focused Cancel: nothing happens
        await pilot.pause()
        assert not isinstance(app.screen, DeleteEndpointScreen)
        assert still_emulator.endpoint("demo-user", "gpt2-demo") is not None
        await pilot.press("ctrl+d")
        modal = await wait_until(pilot, lambda: isinstance(app.screen, DeleteEndpointScreen) and app.screen)
        assert app.focused is modal.query_one("#cancel", Button)
        await pilot.press(*"gpt2-dem")  # typed while Cancel has the focus: goes to the name field
        assert modal.query_one("#delete-name", Input).value == "gpt2-dem"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DeleteEndpointScreen)
        assert "nothing was deleted" in str(modal.query_one("#delete-error", Static).render())
        await pilot.click("#delete")
        await pilot.pause()
        assert isinstance(app.screen, DeleteEndpointScreen)
        assert still_emulator.endpoint("demo-user", "gpt2-demo") is not None
        await pilot.press("escape")
        await pilot.pause()
        await poll_once(pilot, screen)
        assert screen.table.get("demo-user/gpt2-demo") is not None


async def test_delete_with_the_right_name(emulator):
    from hftui.screens.endpoint_delete import DeleteEndpointScreen

    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/bert-fill")
        await pilot.press("ctrl+d")
        modal = await wait_until(pilot, lambda: isinstance(app.screen, DeleteEndpointScreen) and app.screen)
        modal.query_one("#delete-name", Input).focus()
        await pilot.press(*"bert-fill", "enter")
        await wait_until(pilot, lambda: emulator.endpoint("demo-user", "bert-fill") is None
                         or emulator.endpoint("demo-user", "bert-fill")["status"].get("state") != "paused"
                         or screen.table.pending_of("demo-user/bert-fill") == "deleting", what="deleting")
        await wait_until(pilot, lambda: screen.table.get("demo-user/bert-fill") is None, timeout=10,
                         what="row gone after polls")


async def test_cursor_and_scroll_survive_refreshes_and_changes_are_marked(emulator):
    app = make_app(emulator)
    async with app.run_test(size=(120, 12)) as pilot:
        screen = await endpoints_screen(pilot)
        table = screen.table
        await goto(pilot, screen, "demo-user/sentiment-api")
        table.focus()
        scroll_before = table.scroll_offset
        await pilot.press("space")
        assert "demo-user/sentiment-api" in table.selected_keys
        emulator.set_state("demo-user", "gpt2-demo", "failed")
        await poll_once(pilot, screen)
        assert table.cursor_key == "demo-user/sentiment-api"
        assert table.scroll_offset == scroll_before
        assert "demo-user/sentiment-api" in table.selected_keys
        assert table.cell_text("demo-user/gpt2-demo", "state") == "✗ failed"
        assert "state" in table.marks("demo-user/gpt2-demo")
        messages = [str(n.message) for n in app._notifications]
        assert any("demo-user/gpt2-demo: running → failed" in m for m in messages), messages
        await poll_once(pilot, screen)
        assert table.marks("demo-user/gpt2-demo") == {}
        assert table.cursor_key == "demo-user/sentiment-api"


async def test_poll_errors_keep_the_rows_and_back_off(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        rows = screen.table.row_count
        still_emulator.inject("500", path=r"/v2/endpoint/demo-user$", method="GET", times=100)
        await poll_once(pilot, screen)
        assert screen.table.row_count == rows
        assert "retrying in 10s" in status(screen)
        assert "500" in status(screen)
        assert app.header_info.state == "error"
        await poll_once(pilot, screen)
        assert "retrying in 20s" in status(screen)
        still_emulator.clear_faults()
        await poll_once(pilot, screen)
        assert status(screen).startswith("Updated")
        assert app.header_info.state == "ok"


async def test_filter_regex_invert_and_faults(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        table = screen.table
        total = table.row_count
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"gpt2")
        await pilot.pause()
        assert [e.name for e in table.visible_endpoints()] == ["gpt2-demo"]
        assert "</gpt2>" in table.border_title and f"[1/{total}]" in table.border_title
        await pilot.press("escape")  # back to the table: screen keys work again
        assert app.focused is table
        filt = screen.query_one("#filter", Input)
        filt.value = "^(bert|sdxl)"
        await pilot.pause()
        assert sorted(e.name for e in table.visible_endpoints()) == ["bert-fill", "sdxl-images"]
        filt.value = "!running"
        await pilot.pause()
        assert all(e.raw_state != "running" for e in table.visible_endpoints())
        assert table.visible_count > 0
        filt.value = ""
        await pilot.pause()
        table.focus()
        await pilot.press("f")
        assert [e.name for e in table.visible_endpoints()] == ["broken-model"]
        assert "faults-only" in table.border_title
        await pilot.press("f")
        assert table.visible_count == total


async def test_namespace_picker_and_all(still_emulator):
    from hftui.screens.endpoint_namespace import NamespaceScreen

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await pilot.press("n")
        picker = await wait_until(pilot, lambda: isinstance(app.screen, NamespaceScreen) and app.screen)
        from textual.widgets import OptionList

        options = picker.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids[0] == "demo-user" and ids[-1] == "*" and "acme-ml" in ids
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: screen.namespace == ids[1] and screen.table.loaded
                         and screen.table.row_count > 0, what="org endpoints")
        assert all(e.namespace == ids[1] for e in screen.table.endpoints())
        assert app.header_info.namespace == ids[1]
        screen.set_namespace("*")
        await wait_until(pilot, lambda: screen.table.loaded
                         and len({e.namespace for e in screen.table.endpoints()}) > 1,
                         what="all namespaces")
        assert "Endpoints(all)" in str(screen.table.border_title)
        assert screen.table.cell_text("acme-ml/acme-ner", "name") == "acme-ml/acme-ner"
        screen.set_namespace("demo-user")
        await wait_until(pilot, lambda: screen.table.get("demo-user/gpt2-demo") is not None)
        assert screen.table.cell_text("demo-user/gpt2-demo", "name") == "gpt2-demo"


async def test_refresh_interval_keys(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await pilot.press("plus")
        assert screen.interval == 10
        await pilot.press("minus", "minus")
        assert screen.interval == 2
        assert app.header_info.interval == 2
        before = screen.poll_count
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.poll_count > before)


async def test_copy_url_uses_the_clipboard(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/gpt2-demo")
        await pilot.press("c")
        assert app.clipboard == screen.table.get("demo-user/gpt2-demo").url
        assert app.clipboard.startswith("http")
        await pilot.pause()
        assert status(screen).startswith("Copied URL (OSC 52") and "must allow clipboard writes" in status(screen)


async def test_describe_raw_json_and_logs(still_emulator):
    from hftui.screens.endpoint_describe import DescribeScreen
    from hftui.screens.endpoint_logs import LogsScreen
    from hftui.widgets.log_view import LogView

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/llama-chat")
        await pilot.press("enter")
        desc = await wait_until(pilot, lambda: isinstance(app.screen, DescribeScreen) and app.screen)
        await pilot.pause()
        shown = desc.query_one("#describe-body", Static)  # a label/value grid: read the lines it shows
        body = "\n".join(strip.text for strip in shown.render_lines(shown.size.region))
        assert "meta-llama/Llama-3.1-8B-Instruct" in body and "Endpoint is ready" in body
        assert "MAX_INPUT_LENGTH=4096" in body
        await pilot.press("y")
        body = str(desc.query_one("#describe-body", Static).render())
        assert '"repository": "meta-llama/Llama-3.1-8B-Instruct"' in body
        await pilot.press("escape")  # back one level: the description
        await pilot.pause()
        assert app.screen is desc and not desc.raw
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("l")
        logs = await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.fetches and app.screen)
        view = logs.query_one(LogView)
        assert view.line_count > 3
        assert "llama-chat" in view.text
        assert view.is_vertical_scroll_end or view.max_scroll_y == 0


async def test_wait_shows_states_until_running(emulator):
    from hftui.screens.endpoint_wait import WaitScreen

    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await app.client.endpoints.pause("demo-user", "gpt2-demo")
        await poll_once(pilot, screen)
        await goto(pilot, screen, "demo-user/gpt2-demo")
        await pilot.press("W")
        # Paused: waiting alone would never end, so it offers to resume first (with the price).
        confirm = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        body = str(confirm.query_one(".confirm-body", Static).render())
        assert "is paused: it will not start by itself" in body and "per replica-hour" in body, body
        await pilot.press("y")
        wait = await wait_until(pilot, lambda: isinstance(app.screen, WaitScreen) and app.screen)
        hint = await wait_until(pilot, lambda: wait.query_one("#wait-hint", Static), what="the hint")
        assert hint.has_class("-hidden")  # resuming: no "press r" hint
        await wait_until(pilot, lambda: wait.outcome is not None, timeout=15, what="wait outcome")
        assert wait.outcome == "running"
        seen = [s for _, s in wait.states]
        assert seen[0] == "paused" and len(seen) >= 2, seen
        log = str(wait.query_one("#wait-log", Static).render())
        assert "‖ paused" in log and "● running" in log
        assert "running after" in str(wait.query_one("#wait-elapsed", Static).render())
        assert wait.states[-1][1] == "running"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_wait_on_a_paused_endpoint_says_press_r_when_not_resumed(still_emulator):
    from hftui.screens.endpoint_wait import WaitScreen

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/bert-fill")  # paused
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert "Not waiting: demo-user/bert-fill is paused: it will not start by itself — press r to resume" \
            in status(screen)
        assert server_state(still_emulator, "demo-user", "bert-fill") == "paused"
        # A wait that finds the endpoint idle (paused by someone else) says what to do.
        app.push_screen(WaitScreen(screen.table.get("demo-user/sentiment-api")))
        wait = await wait_until(pilot, lambda: isinstance(app.screen, WaitScreen) and app.screen)
        hint = await wait_until(pilot, lambda: wait.query_one("#wait-hint", Static), what="the hint")
        await wait_until(pilot, lambda: not hint.has_class("-hidden"), what="the hint shown")
        assert "is scaled to zero: it starts only when a request comes or when resumed — esc, then r" \
            in str(hint.render())


async def test_wait_can_be_stopped_with_escape(still_emulator):
    from hftui.screens.endpoint_wait import WaitScreen

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/sdxl-images")
        await pilot.press("W")
        wait = await wait_until(pilot, lambda: isinstance(app.screen, WaitScreen) and app.screen)
        await wait_until(pilot, lambda: wait.states)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert wait._worker.is_cancelled or wait._worker.is_finished


async def test_playground_and_batch_keys_do_not_crash(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await goto(pilot, screen, "demo-user/gpt2-demo")
        await pilot.press("i")
        await pilot.pause(0.3)
        assert app.current_mode == "playground"
        await pilot.press("escape", "3")  # the Playground focuses its form: esc leaves the text field
        await pilot.pause()
        assert app.screen is screen
        assert screen.table.cursor_key == "demo-user/gpt2-demo"


async def test_marked_rows_are_paused_together(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        for key in ("demo-user/gpt2-demo", "demo-user/llama-chat"):
            await goto(pilot, screen, key)
            await pilot.press("space")
        await goto(pilot, screen, "demo-user/bert-fill")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: server_state(emulator, "demo-user", "gpt2-demo") == "paused"
                         and server_state(emulator, "demo-user", "llama-chat") == "paused", what="both paused")
        assert server_state(emulator, "demo-user", "bert-fill") == "paused"  # was paused already
        assert screen.table.cursor_key == "demo-user/bert-fill"


async def test_rate_limited_poll_waits_what_the_server_asks(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        still_emulator.inject("429:90", path=r"/v2/endpoint/demo-user$", method="GET", times=100)
        await poll_once(pilot, screen)
        assert "retrying in 90s" in status(screen), status(screen)
        assert screen.table.row_count == 7


async def test_polls_never_overlap(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        workers = lambda: [w for w in app.workers if w.group == "endpoints-poll" and not w.is_finished]  # noqa: E731
        still_emulator.inject("slow:1", path=r"/v2/endpoint/demo-user$", method="GET")
        before = screen.poll_count
        screen.poll_now()
        await pilot.pause(0.2)
        for _ in range(5):  # ctrl+r hammered while the slow poll runs
            await pilot.press("ctrl+r")
            assert len(workers()) <= 1
        await wait_until(pilot, lambda: screen.poll_count >= before + 2, what="two polls")
        await pilot.pause(0.3)
        # the five requests collapsed into one poll after the slow one
        assert screen.poll_count == before + 2
        assert len(workers()) <= 1


def test_make_filter():
    from hftui.client.models import Endpoint
    from hftui.screens.endpoints import make_filter

    def ep(ns, name, repo, state):
        return Endpoint.from_json({"name": name, "model": {"repository": repo}, "status": {"state": state}}, ns)

    a = ep("acme", "chat-bot", "meta-llama/Llama", "running")
    b = ep("me", "ner", "dslim/bert", "failed")
    assert make_filter("", False) is None
    assert make_filter("llama", False)(a) and not make_filter("llama", False)(b)
    assert make_filter("!llama", False)(b) and not make_filter("!llama", False)(a)
    assert make_filter("^n.r$", False)(b)
    assert make_filter("[unclosed", False)(a) is False  # bad regex: a plain substring
    assert make_filter("", True)(b) and not make_filter("", True)(a)
    assert not make_filter("acme", False)(a) and make_filter("acme", False, with_namespace=True)(a)


def test_burn_rate_counts_every_billed_replica():
    from hftui.client.models import Endpoint
    from hftui.screens.endpoints import burn_rate

    def ep(name, state, ready, target=1):
        return Endpoint.from_json({"name": name, "status": {"state": state, "readyReplica": ready,
                                                            "targetReplica": target}}, "ns")

    price = {"a": 2.5, "b": 1.0, "c": 0.5, "d": 4.0, "e": 3.0, "f": 7.0, "g": 9.0}
    eps = [ep("a", "updateFailed", 1),   # still serving on its old replica: billed
           ep("b", "running", 2, 2),
           ep("c", "updating", 1),
           ep("d", "initializing", 0, 1),  # billed from initializing on
           ep("e", "paused", 0, 0), ep("f", "scaledToZero", 0, 0), ep("g", "failed", 0)]
    assert burn_rate(eps, lambda e: price[e.name]) == 2.5 + 2 * 1.0 + 0.5 + 4.0
    assert burn_rate([ep("x", "paused", 0)], lambda e: None) == 0.0
    assert burn_rate([ep("x", "running", 1)], lambda e: None) is None
