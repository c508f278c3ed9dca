"""Every screen, the palette and the ``:`` line with markup-laden server names cut at every length.

A name from a server is cut (``one_line(s, 60)``) before it is shown; if the
cut text then goes into markup, a ``[`` cut in half or a ``[link=...`` with no
``]`` raises ``MarkupError`` (the app dies) and a whole tag becomes a link or a
click action. So each walk below puts the prefixes of one nasty string, of
every length 1..80, into one server field and visits what shows it: nothing
may crash, no control character may be painted, nothing may turn into a link
or an action, and the text is shown as sent (cleaned of escapes, cut).

One app session per walk, all 80 names in it (the hostile server answers with
all of them at once, or one per refresh).
"""

from __future__ import annotations

import copy
from urllib.parse import unquote

import pytest
from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go
from tests.hardening.hostile_server import json_reply, proxy, raw_reply, upstream_json

from hftui.sanitize import clean, one_line

NASTY = "[link=https://evil.example]o[/]rg[@click=app.quit]\x1b]52;c;x\x07[b]\\[i]$v[/i] [on red]q[/"
ALPHABET = NASTY * 3
NAMES = [ALPHABET[:n] for n in range(1, 81)]
"""The nasty string cut at every length 1..80: every way a tag can be cut in half."""

assert len(ALPHABET) >= 80 and len(set(NAMES)) == 80


def alive(app) -> None:
    assert app.is_running and app._exception is None, f"the app died: {app._exception!r}"


async def check(pilot, *expected: str) -> str:
    """The app is alive, the screen clean, and each ``expected`` text is on it."""
    await pilot.pause(0)  # messages handled, layout refreshed (no wait for the CPU to idle)
    alive(pilot.app)
    text = assert_clean_screen(pilot.app)
    for part in expected:
        assert part in text, f"{part!r} not on the screen:\n{text}"
    return text


def segments(request) -> list[str]:
    """The path segments after ``/v2/endpoint/``, decoded one by one (a name may hold a ``/``)."""
    path = request.raw_path.split("?", 1)[0]
    return [unquote(s) for s in path.split("/")[3:]]


def nasty_endpoint(template: dict, name: str, i: int) -> dict:
    item = copy.deepcopy(template)
    item["name"] = name
    item["model"]["repository"] = name
    item["model"]["task"] = name
    item["provider"]["region"] = name
    item["compute"]["instanceType"] = name
    item["status"]["message"] = name
    item["status"]["state"] = name
    # even: the raw name in the URL (controls: not a URL); odd: a printable URL full of brackets
    item["status"]["url"] = "https://x.example/" + (name if i % 2 == 0 else one_line(name).replace(" ", ""))
    return item


def install_nasty_endpoints(hostile) -> None:
    """Every endpoint list (any namespace) holds 80 endpoints named after NAMES; one endpoint by name."""
    cache: dict = {}

    async def template(request) -> dict:
        if "t" not in cache:
            _, body = await upstream_json(request, "/v2/endpoint/demo-user")
            cache["t"] = next(i for i in body["items"] if i["name"] == "gpt2-demo")
        return cache["t"]

    async def endpoints(request):
        segs = segments(request)
        if len(segs) == 1:
            t = await template(request)
            return await json_reply({"items": [nasty_endpoint(t, n, i) for i, n in enumerate(NAMES)]})(request)
        if len(segs) == 2:
            t = await template(request)
            i = NAMES.index(segs[1]) if segs[1] in NAMES else 0
            return await json_reply(nasty_endpoint(t, NAMES[i], i))(request)
        if segs[-1] == "logs":  # the endpoint's own name, and the longest one
            lines = "".join(f"2026-10-26T12:00:00Z {n}\n" for n in (segs[1], NAMES[-1]))
            return await raw_reply(lines.encode(), content_type="text/plain")(request)
        return await proxy(request)

    hostile.on("GET", r"^/v2/endpoint/", endpoints)


def install_nasty_orgs(hostile) -> None:
    async def whoami(request):
        _, body = await upstream_json(request)
        org = body["orgs"][0]
        body["orgs"] = [dict(org, name=n, fullname=n) for n in NAMES]
        return body

    hostile.on("GET", r"^/api/whoami", json_reply(whoami))


def option_plains(option_list) -> list[str]:
    return [str(getattr(o.prompt, "plain", o.prompt)) for o in option_list.options]


def test_safe_markup_shows_every_cut_literally():
    """What the palette's help (and any markup string) embeds: every cut of NASTY and random bracket
    soup parse back to exactly the cleaned text, with no style, link or action."""
    import random

    from textual.content import Content

    from hftui.widgets.safe_text import safe_markup

    rng = random.Random(9)
    soup = ["".join(rng.choice("[]\\/$@=:#linkbq \x1b") for _ in range(rng.randint(0, 24))) for _ in range(3000)]
    for text in NAMES + [ALPHABET[i:i + 40] for i in range(80)] + soup:
        content = Content.from_markup(safe_markup(text))
        assert content.plain == clean(text) and not content.spans, repr(text)


# --- the palette and the namespaces -------------------------------------------------------------


async def test_palette_namespace_picker_and_titles_with_every_cut_of_a_markup_org_name(make_app, hostile):
    from textual.command import CommandInput, CommandList, CommandPalette

    install_nasty_orgs(hostile)
    hostile.on("GET", r"^/v2/endpoint/", json_reply({"items": []}))  # every namespace: no endpoints
    app = make_app(refresh_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_ready(pilot)
        # each org: "Endpoints: <org>" over "List the endpoints of <org>", the org cut to 60, as sent
        expected = [f"Endpoints: {one_line(n, 60)}\nList the endpoints of {one_line(n, 60)}" for n in NAMES]

        # ctrl+p lists every org; typing searches them (the fuzzy highlight path)
        await pilot.press("ctrl+p")
        palette = await wait_until(pilot, lambda: app.screen if isinstance(app.screen, CommandPalette) else None,
                                   what="the palette")
        commands = palette.query_one(CommandList)
        await wait_until(pilot, lambda: commands.option_count >= 80, what="the palette's commands")
        await check(pilot)
        shown = option_plains(commands)
        missing = [e for e in expected if e not in shown]
        assert not missing, f"{len(missing)} org names not shown literally, e.g. {missing[:3]}"
        # searching: the fuzzy matcher highlights the hits (a second way to markup)
        query = "Endpoints: [link=https://evil"
        palette.query_one(CommandInput).value = query
        long_enough = [e for n, e in zip(NAMES, expected) if len(n) >= len(query) - len("Endpoints: ")]
        await wait_until(pilot, lambda: commands.option_count == len(long_enough), what=f"the hits for {query!r}")
        await check(pilot)
        shown = option_plains(commands)
        assert sorted(shown) == sorted(long_enough), (shown[:3], long_enough[:3])
        await pilot.press("escape")
        if isinstance(app.screen, CommandPalette):
            await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="the palette to close")

        # n: the picker lists them all
        await pilot.press("n")
        picker = await wait_until(pilot, lambda: app.screen if type(app.screen).__name__ == "NamespaceScreen"
                                  else None, what="the namespace picker")
        options = picker.query_one("OptionList")
        plains = option_plains(options)
        for n in NAMES:
            assert one_line(n, 60) in plains, (n, plains[:5])
        for _ in range(4):
            await check(pilot)
            await pilot.press("pagedown")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="the picker to close")

        # each org in turn: the table title and the header name it
        for n in NAMES:
            before = screen.poll_count
            screen.set_namespace(n)
            await wait_until(pilot, lambda: screen.poll_count > before, what=f"the poll of {n!r}")
            await check(pilot, f"Endpoints({one_line(n, 40)})", f"@{one_line(n, 40)}")
        alive(app)


# --- the Endpoints table and every screen opened from a row ----------------------------------------


async def walk_screens(pilot, make, expected=lambda ep: (), ready=None, eps=()) -> None:
    """Show ``make(ep)`` for each endpoint, each replacing the last (the table is not redrawn in
    between), and check every one."""
    app = pilot.app
    base = app.screen
    first = True
    for ep in eps:
        screen = make(ep)
        await (app.push_screen(screen) if first else app.switch_screen(screen))
        first = False
        if ready is not None:
            await wait_until(pilot, lambda: ready(screen), what=f"{type(screen).__name__} ready")
        await check(pilot, *expected(ep))
    await app.pop_screen()
    await wait_until(pilot, lambda: app.screen is base, what="back to the table")


WALKS = ["table", "describe", "logs", "wait", "delete", "form", "keys"]


@pytest.mark.parametrize("walk", WALKS)
async def test_every_endpoint_screen_with_every_cut_of_a_markup_name(make_app, hostile, walk):
    from hftui.screens.endpoint_delete import DeleteEndpointScreen
    from hftui.screens.endpoint_describe import DescribeScreen
    from hftui.screens.endpoint_form import EndpointFormScreen
    from hftui.screens.endpoint_logs import LogsScreen
    from hftui.screens.endpoint_wait import WaitScreen

    install_nasty_endpoints(hostile)
    app = make_app(refresh_interval=3600)
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 80 and screen.catalog is not None,
                         what="80 rows and the catalog")
        eps = sorted(screen.table.endpoints(), key=lambda e: len(e.name))
        assert [e.name for e in eps] == NAMES

        if walk == "table":
            for _ in range(4):
                await check(pilot)
                await pilot.press("pagedown")
            for query in ("o[/]rg", "[link", "q[/"):  # the filter title echoes what was typed
                await pilot.press("slash", *query, "enter")
                await check(pilot, f"</{query}>")
                await pilot.press("slash", "ctrl+u", "enter")
        elif walk == "describe":
            await walk_screens(pilot, lambda ep: DescribeScreen(ep, refresh=False),
                               lambda ep: [f"Name           {clean(ep.name)}"], eps=eps)
        elif walk == "logs":
            await walk_screens(pilot, lambda ep: LogsScreen(ep, poll_logs=False),
                               lambda ep: [one_line(NAMES[-1])[:60], f"Z {one_line(ep.name)}"[:60]],
                               ready=lambda s: s.fetches > 0, eps=eps)
        elif walk == "wait":
            await walk_screens(pilot, lambda ep: WaitScreen(ep, poll_interval=3600), eps=eps)
        elif walk == "delete":
            def wrong_name(modal) -> bool:  # a wrong name typed: the error quotes the real one
                if modal.is_mounted and not modal.query_one("#delete-name").value:
                    modal.query_one("#delete-name").value = "not it"
                    modal._try_delete()
                return modal.is_mounted and "does not match" in str(modal.query_one("#delete-error").render())

            await walk_screens(pilot, DeleteEndpointScreen, lambda ep: [one_line(ep.name, 64)[:30]],
                               ready=wrong_name, eps=eps)
        elif walk == "form":
            # The name is cut only in the title (``Update <ns/name>`` at 60): every name longer than
            # 50 shows the title of the 51-long one, so these 51 forms show every title there is
            # (a form costs ~0.5 s of CPU). The longer names go into the fields meanwhile.
            from dataclasses import replace

            titled = [replace(ep, repository=NAMES[-1 - i], revision=NAMES[-1 - i], task=NAMES[-1 - i])
                      for i, ep in enumerate(eps) if len(ep.key) <= 61]
            assert len(titled) == 51
            await walk_screens(pilot, lambda ep: EndpointFormScreen(namespace=ep.namespace, catalog=screen.catalog,
                                                                    endpoint=ep),
                               lambda ep: [f"Update {one_line(ep.key, 60)}"], eps=titled)
        elif walk == "keys":
            # c on every row (the toast quotes the URL, or says why there is none); r (the price
            # confirm names the endpoint) and i (the Playground) on every tenth
            for i, ep in enumerate(eps):
                assert screen.table.move_cursor_to(ep.key)
                app.clear_notifications()
                await pilot.press("c")
                await check(pilot)
                if i % 10 != 9:
                    continue
                await pilot.press("r")
                await wait_until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="the confirm")
                await check(pilot, f"Resume {one_line(ep.key, 80)}"[:30])  # (the border cuts it)
                await pilot.press("escape")
                await wait_until(pilot, lambda: app.screen is screen, what="back to the table")
                await pilot.press("i")
                await check(pilot)
                if app.screen is not screen:  # "i" opened the Playground
                    await go(pilot, "endpoints")
                    screen.table.focus()
        alive(app)


# --- Models, the Playground, the ``:`` line, help ----------------------------------------------------


def nasty_model(model_id: str) -> dict:
    return {"_id": "0" * 24, "id": model_id, "pipeline_tag": "text-classification", "downloads": 5, "likes": 1,
            "tags": [model_id], "library_name": model_id, "inference": "warm",
            "inferenceProviderMapping": [{"provider": model_id, "providerId": model_id, "status": "live",
                                          "task": model_id}]}


async def test_models_playground_and_command_line_with_every_cut_of_a_markup_id(make_app, hostile):
    from textual.widgets import DataTable

    from hftui.client import Target
    from hftui.client.models import ModelInfo
    from hftui.widgets.model_detail import ModelDetail

    ids = [f"o/{n}" for n in NAMES]
    hostile.on("GET", r"^/api/models$", json_reply([nasty_model(i) for i in ids]))

    async def info(request):
        return nasty_model(request.path.removeprefix("/api/models/"))

    hostile.on("GET", r"^/api/models/.+", json_reply(info))
    hostile.on("GET", r"/README\.md$", raw_reply(NASTY.encode(), content_type="text/plain"))
    app = make_app(first_screen="models", refresh_interval=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        models = await go(pilot, "models")
        table = models.query_one("ModelTable")
        detail = models.query_one(ModelDetail)
        await wait_until(pilot, lambda: table.row_count == 80, what="80 models")
        await wait_until(pilot, lambda: detail.model_id == ids[0] and detail.card_loaded, what="the first detail")
        for _ in range(3):
            await check(pilot)
            await pilot.press("pagedown")
        await pilot.press("home")
        await wait_until(pilot, lambda: detail.model_id == ids[0] and detail.card_loaded, what="the first detail")

        # the detail pane: id (title), providers, tags, library (the card, NASTY, is shown already)
        for model_id in ids:
            await detail.show(ModelInfo.from_json(nasty_model(model_id)), None)
            await check(pilot, one_line(model_id, 200)[:40])
        # c on every row: the toast names the id, or says why it was not copied
        for model_id in ids:
            with table.prevent(DataTable.RowHighlighted):  # no detail fetch per row: shown above
                table.move_cursor(row=list(table.models).index(model_id))
            app.clear_notifications()
            await pilot.press("c")
            await check(pilot)
            assert app._notifications, "c said nothing"

        # the Playground's target: a model id, then a URL
        playground = await go(pilot, "playground")
        for model_id in ids:  # (each looks the model up; the status line quotes the id)
            playground.set_target(Target.hf_model(model_id))
            await check(pilot, f"→ {one_line(model_id, 200)}"[:50])
        for n in NAMES:
            playground.set_target(Target.at_url("https://x.example/" + n, send_token=False))
            await check(pilot)

        # the : line: not a command (the toast quotes it), a search, the typed line itself; help
        for n in NAMES:
            app.clear_notifications()
            await app.run_command_line(":" + n)
            await check(pilot)
        for n in NAMES[::8]:
            await app.run_command_line(":models " + n)
            await check(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="help")
        await check(pilot)
        await pilot.press("escape")
        await pilot.press("colon", *NAMES[-1].replace("\x1b", "").replace("\x07", ""))
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CommandLine", what="the : line")
        await check(pilot)
        await pilot.press("enter")
        await check(pilot)
        alive(app)
