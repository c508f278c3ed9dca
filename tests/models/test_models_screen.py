"""Models screen driven like a user, on the real app against the emulator."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Markdown, Select, Static

from hftui.client.models import ModelInfo, ModelPage

from tests.models.models_helpers import models_screen, wait_models_ready
from tests.support.pilot import wait_until


def _rows(screen):
    return list(screen.query_one("ModelTable").models.values())


def _fields_text(screen) -> str:
    return str(screen.query_one("#detail-fields", Static).render())


async def test_typing_is_debounced_and_finds_models(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        assert screen.searches == 1  # the initial listing
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"bert")  # four keystrokes, well inside the debounce window
        await wait_until(pilot, lambda: screen.searches == 2 and not screen.searching, what="one search")
        await pilot.pause(0.5)
        assert screen.searches == 2
        rows = _rows(screen)
        assert rows and all("bert" in m.id.lower() for m in rows)
        assert "</bert>" in screen.query_one("ModelTable").border_title
        # Esc in the search box gives the table the focus back (and keys work again)
        await pilot.press("escape")
        assert app.focused is screen.query_one("ModelTable")


async def test_detail_shows_providers_status_and_card(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        screen.set_search("Llama-3.1-8B-Instruct")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: not screen.searching and table.current is not None
                         and table.current.id == "meta-llama/Llama-3.1-8B-Instruct", what="the llama row")
        detail = screen.query_one("ModelDetail")
        await wait_until(pilot, lambda: detail.card_loaded and detail.model_id == table.current.id,
                         what="detail")
        text = _fields_text(screen)
        assert "● warm" in text
        assert "hf-inference" in text and "together" in text and "fireworks-ai" in text
        assert "◐ staging" in text and "● live" in text  # each provider with its status
        assert "conversational" in text  # and its task
        assert "Legacy" in text and "state" in text  # the emulator offers /status
        assert "License   llama3.1" in text and "Library   transformers" in text
        card = screen.query_one("#detail-card", Markdown)
        assert card.source.startswith("# Llama-3.1-8B-Instruct")  # front matter dropped
        assert "Llama 3.1 8B Instruct" in card.source


async def test_enter_opens_the_playground_with_the_task(make_app, monkeypatch):
    app = make_app()
    opened = []

    async def spy(target=None, *, task=None, model=None, endpoint=None):
        opened.append((target, task, model, endpoint))

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        monkeypatch.setattr(app, "open_playground", spy)
        screen.set_search("bert-base-uncased")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: not screen.searching and table.current
                         and table.current.id == "google-bert/bert-base-uncased", what="bert row")
        detail = screen.query_one("ModelDetail")
        # card_loaded alone may still be the previous row's until the highlight reaches the detail
        await wait_until(pilot, lambda: detail.card_loaded and detail.model_id == "google-bert/bert-base-uncased",
                         what="the bert detail")
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: opened, what="open_playground")
        target, task, model, endpoint = opened[0]
        assert task == "fill-mask"
        assert isinstance(model, ModelInfo) and model.id == "google-bert/bert-base-uncased"
        assert model.mask_token == "[MASK]"  # the full model-info, not just the search row
        assert target is None and endpoint is None


async def test_enter_on_a_chat_model_opens_chat(make_app, monkeypatch):
    app = make_app()
    opened = []

    async def spy(target=None, *, task=None, model=None, endpoint=None):
        opened.append((task, model))

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        monkeypatch.setattr(app, "open_playground", spy)
        screen.set_search("Llama-3.1-8B-Instruct")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: not screen.searching and table.current
                         and table.current.id == "meta-llama/Llama-3.1-8B-Instruct", what="llama row")
        await pilot.press("enter")
        await wait_until(pilot, lambda: opened, what="open_playground")
        assert opened[0][0] == "chat-completion" and opened[0][1].pipeline_tag == "text-generation"


async def test_enter_lands_in_the_real_playground(make_app):
    from hftui.screens.playground import PlaygroundScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        screen.set_search("bert-base-NER")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: not screen.searching and table.current
                         and table.current.id == "dslim/bert-base-NER", what="NER row")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen) and app.screen.spec
                         and app.screen.spec.task == "token-classification", what="the playground on NER")
        assert app.screen.query_one("#target-model").value == "dslim/bert-base-NER"
        assert app.screen.model_info.id == "dslim/bert-base-NER"


async def test_pages_load_as_you_scroll(make_app, monkeypatch, hub_spy):
    import hftui.screens.models as models

    monkeypatch.setattr(models, "PAGE_SIZE", 25)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        hub_spy.install(app)
        table = screen.query_one("ModelTable")
        assert table.row_count == 25
        assert "Models[25+]" in table.border_title
        await pilot.pause(0.3)
        assert hub_spy.of("next_models") == []  # nothing fetched before the user scrolls down
        table.focus()
        await pilot.press("pagedown")  # the viewport reaches the last rows: page two comes
        await wait_until(pilot, lambda: table.row_count == 50 and not screen._loading_more, what="page two")
        nexts = hub_spy.of("next_models")
        assert len(nexts) == 1 and "cursor=" in nexts[0][1][0]
        for _ in range(5):  # keep scrolling to the end of the catalog
            if "+" not in table.border_title:
                break
            rows = table.row_count
            await pilot.press("end")
            await wait_until(pilot, lambda: table.row_count > rows or "+" not in table.border_title,
                             what="another page")
        ids = list(table.models)
        assert len(ids) == len(set(ids)) > 50
        assert len(hub_spy.of("next_models")) == -(-len(ids) // 25) - 1  # one fetch per extra page
        assert f"Models[{len(ids)}]" in table.border_title
        # typing still works while pages load, and a new search starts from page one
        await pilot.press("slash", *"gpt")
        await wait_until(pilot, lambda: screen.searches >= 2 and not screen.searching, what="new search")
        assert all("gpt" in m.id.lower() for m in _rows(screen))


async def test_filters_and_sort_change_the_query(make_app, hub_spy):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        hub_spy.install(app)
        table = screen.query_one("ModelTable")

        # servable only (v)
        table.focus()
        await pilot.press("v")
        await wait_until(pilot, lambda: hub_spy.of("search_models") and not screen.searching, what="servable")
        assert hub_spy.of("search_models")[-1][2]["servable_only"] is True
        assert screen.query_one("#models-servable", Checkbox).value is True
        assert all(m.servable for m in _rows(screen))
        assert "servable" in table.border_title

        # task filter
        screen.query_one("#models-task", Select).value = "fill-mask"
        await wait_until(pilot, lambda: hub_spy.of("search_models")[-1][2]["task"] == "fill-mask"
                         and not screen.searching, what="task filter")
        assert _rows(screen) and all(m.pipeline_tag == "fill-mask" for m in _rows(screen))

        # sort: likes, then o cycles to recently updated
        screen.query_one("#models-servable", Checkbox).value = False
        screen.query_one("#models-task", Select).clear()
        screen.query_one("#models-sort", Select).value = "likes"
        await wait_until(pilot, lambda: hub_spy.of("search_models")[-1][2] ==
                         {**hub_spy.of("search_models")[-1][2], "sort": "likes", "task": None,
                          "servable_only": False} and not screen.searching, what="sort by likes")
        likes = [m.likes for m in _rows(screen)]
        assert likes == sorted(likes, reverse=True)
        table.focus()
        await pilot.press("o", "down", "enter")  # o opens the sort picker on "likes"; the next one
        await wait_until(pilot, lambda: hub_spy.of("search_models")[-1][2]["sort"] == "lastModified",
                         what="recently updated")
        assert app.focused is table  # the choice made, the keys move in the list again


async def test_s_refreshes_the_serving_status(make_app, hub_spy):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot)
        hub_spy.install(app)
        model_id = screen.query_one("ModelTable").current.id
        await pilot.press("s")
        await wait_until(pilot, lambda: hub_spy.of("model_info"), what="model_info")
        status = screen.query_one("#models-status", Static)
        await wait_until(pilot, lambda: "refreshed" in str(status.render()), what="refreshed")
        assert hub_spy.of("model_info")[0][1] == (model_id,)
        assert hub_spy.of("model_card") == []  # the card is cached: only the status is fetched again


async def test_detail_is_cached_per_model(make_app, hub_spy):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot)
        hub_spy.install(app)
        table = screen.query_one("ModelTable")
        detail = screen.query_one("ModelDetail")
        first = table.current.id
        await pilot.press("down")
        await wait_until(pilot, lambda: detail.card_loaded and detail.model_id != first, what="second row")
        await pilot.press("up")
        await wait_until(pilot, lambda: detail.model_id == first and detail.card_loaded, what="back")
        await pilot.pause(0.3)
        fetched = [c[1][0] for c in hub_spy.of("model_info")]
        assert len(fetched) == 1 and first not in fetched  # only the new row; the first came from the cache


async def test_c_copies_the_id(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        await pilot.press("c")
        assert app.clipboard == screen.query_one("ModelTable").current.id


async def test_markup_and_escapes_from_the_hub_are_shown_literally(make_app):
    evil_id = "evil/[bold red]pwn[/]-[@click=app.quit]x"
    card = ("# Title [red]hi[/red]\n\nClick [here](app.quit) or [@click=app.quit]there[/].\n\n"
            "Sneaky \x1b]52;c;SGVsbG8=\x07 osc52 and \x1b[2J clear.\n")

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        hub = app.client.hub

        async def search_models(**kwargs):
            return ModelPage([ModelInfo.from_json({
                "id": evil_id, "pipeline_tag": "[blink]fill-mask", "inference": "warm",
                "tags": ["[b]tag[/b]"],
                "inferenceProviderMapping": [{"provider": "[i]prov", "status": "live", "task": "x"}]})], None)

        async def model_info(model_id):
            return (await search_models()).models[0]

        async def model_card(model_id, **kwargs):
            return card

        hub.search_models, hub.model_info, hub.model_card = search_models, model_info, model_card
        screen.set_search("evil")
        table = screen.query_one("ModelTable")
        detail = screen.query_one("ModelDetail")
        # the previous model's card may still be the loaded one: wait for this card's own text
        await wait_until(pilot, lambda: table.current and table.current.id == evil_id and detail.card_loaded
                         and "Title" in screen.query_one("#detail-card", Markdown).source,
                         what="the evil model")
        cell = table.get_cell(evil_id, "model")
        assert cell.plain == evil_id  # literally, brackets included
        title = str(screen.query_one("#detail-title", Static).render())
        assert evil_id in title
        fields = _fields_text(screen)
        assert "[i]prov" in fields and "[b]tag[/b]" in fields and "[blink]fill-mask" in fields
        source = screen.query_one("#detail-card", Markdown).source
        assert "\x1b" not in source and "\x07" not in source
        assert "[red]hi[/red]" in source
        # clicking a card link does not run it: the app is still here, the link only shown
        await pilot.pause()
        md = screen.query_one("#detail-card", Markdown)
        md.post_message(Markdown.LinkClicked(md, "app.quit"))
        await pilot.pause(0.2)
        assert app.is_running
        await pilot.press("enter")  # does not crash on the odd task either
        await pilot.pause(0.2)
        assert app.is_running


async def test_search_error_is_a_readable_message(make_app, emulator):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        emulator.inject("500", path=r"^/api/models$", times=10)
        screen.set_search("gpt2")
        status = screen.query_one("#models-status", Static)
        await wait_until(pilot, lambda: "Search failed" in str(status.render()), timeout=20, what="error")
        assert "Traceback" not in str(status.render())
        assert screen.query_one("ModelTable").row_count > 0  # the previous results stay
        emulator.clear_faults()
        screen.action_reload()
        await wait_until(pilot, lambda: not screen.searching and all(
            "gpt2" in m.id for m in _rows(screen)), timeout=20, what="retry")


async def test_narrow_terminal_stacks_and_toggles_the_detail(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_models_ready(pilot)
        assert screen.has_class("-narrow")
        detail = screen.query_one("ModelDetail")
        table = screen.query_one("ModelTable")
        assert detail.region.y > table.region.y  # under the table
        await pilot.press("d")
        await pilot.pause()
        assert not detail.display or detail.region.height == 0
        assert table.region.height > 12
        await pilot.press("d")
        await pilot.pause()
        assert detail.region.height > 0


async def test_command_line_models_search(make_app):
    app = make_app("models")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        await app.run_command_line(":models whisper")
        await wait_until(pilot, lambda: not screen.searching and _rows(screen)
                         and all("whisper" in m.id for m in _rows(screen)), what=":models whisper")
        assert screen.query_one("#models-search", Input).value == "whisper"
        assert models_screen(app) is screen


async def test_model_info_error_is_shown_in_the_pane(make_app, emulator):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot)
        emulator.inject("404", path=r"^/api/models/.+", times=50)
        await pilot.press("down")
        detail = screen.query_one("ModelDetail")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: detail.model_id == table.current.id and detail.card_loaded
                         and detail.info is None, timeout=20, what="the error in the pane")
        text = _fields_text(screen)
        assert text.startswith("Could not load this model:") and "Traceback" not in text
        await pilot.press("up")  # a cached model still shows
        await wait_until(pilot, lambda: detail.info is not None and detail.model_id == table.current.id,
                         what="cached model")


async def test_a_stale_slow_search_never_overwrites_a_newer_one(make_app, emulator):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        emulator.inject("slow:2", path=r"^/api/models$", times=1)
        screen.set_search("bert")  # hangs for 2 s on the server
        await pilot.pause(0.2)
        screen.set_search("gpt2")  # typed meanwhile: answered at once
        await wait_until(pilot, lambda: not screen.searching and _rows(screen)
                         and all("gpt2" in m.id for m in _rows(screen)), what="the newer search")
        await pilot.pause(2.5)  # the slow answer would have landed by now
        assert all("gpt2" in m.id for m in _rows(screen))
        assert "</gpt2>" in screen.query_one("ModelTable").border_title
