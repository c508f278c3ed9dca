"""Markup and terminal escapes from the Hub and the router: model ids, tags, providers, cards,
generated text, error messages, the user's name. Shown literally, nothing executed."""

from __future__ import annotations

import json

from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready, hostile_text, still_works
from tests.hardening.hostile_server import chat_chunk, json_reply, raw_reply, sse_reply, tgi_token
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go


EVIL_ID = "evil/[bold red]pwn[/]-[@click=app.quit]x"


def hostile_model(i: int = 0) -> dict:
    return {"_id": f"{i:024d}", "id": f"{EVIL_ID}{i}", "pipeline_tag": hostile_text("PTAG"),
            "downloads": 5, "likes": 1, "tags": [hostile_text("TAG")], "library_name": hostile_text("LIB"),
            "inference": "warm",
            "inferenceProviderMapping": [{"provider": hostile_text("PROV"), "providerId": hostile_text("PID"),
                                          "status": "live", "task": hostile_text("PTASK")}]}


async def test_models_screen_shows_hub_markup_literally(make_app, hostile):
    hostile.on("GET", r"^/api/models$", json_reply([hostile_model(i) for i in range(3)]))
    hostile.on("GET", r"^/api/models/.+", json_reply(hostile_model(0)))
    card = ("---\nlicense: mit\n---\n# Title [red]hi[/red]\n\nClick [@click=app.quit]there[/]."
            "\n\nSneaky \x1b]52;c;SGVsbG8=\x07 osc52, \x1b[2J clear, \x07 bell, \x9b31m c1.\n")
    hostile.on("GET", r"/README\.md$", raw_reply(card.encode(), content_type="text/plain"))
    app = make_app(first_screen="models")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await go(pilot, "models")
        await wait_until(pilot, lambda: "pwn" in screen_text(app), what="the hostile ids")
        await wait_until(pilot, lambda: "PROV" in screen_text(app) or "Title" in screen_text(app),
                         what="the detail pane")
        await pilot.pause(0.3)
        text = assert_clean_screen(app)
        assert "evil/[bold red]pwn[/]-[@click=app.quit]x0" in text
        assert app.is_running
        await go(pilot, "endpoints")
        await endpoints_ready(pilot)
        assert_clean_screen(app)


async def test_whoami_name_and_orgs_with_markup(make_app, hostile, upstream):
    async def whoami(request):
        from tests.hardening.hostile_server import upstream_json

        _, body = await upstream_json(request)
        body["fullname"] = hostile_text("FULL")
        body["orgs"][0]["name"] = "[bold]org[/]\x1b[2J"
        return body

    hostile.on("GET", r"^/api/whoami", json_reply(whoami))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await endpoints_ready(pilot)
        assert_clean_screen(app)
        await pilot.press("n")  # namespace picker lists the orgs
        await pilot.pause(0.3)
        text = assert_clean_screen(app)
        assert "[bold]org[/]" in text, text
        await pilot.press("escape")
        await still_works(pilot)


async def open_playground(pilot, task: str, model: str):
    from hftui.client import Target

    screen = await go(pilot, "playground")
    screen.set_target(Target.hf_model(model), task=task)
    await wait_until(pilot, lambda: screen.spec.task == task, what=f"the {task} form")
    await pilot.pause()
    return screen


async def run(pilot, screen, timeout: float = 15.0):
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: screen._worker is not None, what="the run to start")
    await wait_until(pilot, lambda: not screen._worker.is_running, timeout, "the run to end")
    await pilot.pause()


async def test_chat_stream_with_markup_and_escapes(make_app, hostile):
    events = [chat_chunk(hostile_text("GEN") + "\n"), chat_chunk("second [i]line[/i]\x1b]8;;http://e\x07x"),
              chat_chunk("", finish="stop"), "[DONE]"]
    hostile.on("POST", r"/v1/chat/completions$", sse_reply(events))
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_playground(pilot, "chat-completion", "meta-llama/Llama-3.1-8B-Instruct")
        await run(pilot, screen)
        text = assert_clean_screen(app)
        assert "GEN[bold red]B[/]" in text, text
        assert "second [i]line[/i]" in text
        assert screen.error_text == ""
        # the next action works: a second run against the (now friendly) router
        hostile.clear()
        await run(pilot, screen)
        assert_clean_screen(app)
        await still_works(pilot)


async def test_text_generation_stream_with_markup(make_app, hostile):
    events = [tgi_token(hostile_text("TOK")), tgi_token(" [blink]more[/blink]"),
              json.dumps({"index": 2, "token": {"id": 2, "text": "!", "logprob": 0, "special": False},
                          "generated_text": "x", "details": {"finish_reason": "length", "generated_tokens": 2}})]
    hostile.on("POST", r"^/hf-inference/models/", sse_reply(events))
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_playground(pilot, "text-generation", "openai-community/gpt2")
        await run(pilot, screen)
        text = assert_clean_screen(app)
        assert "TOK[bold red]B[/]" in text, text
        assert "[blink]more[/blink]" in text


async def test_inference_error_message_with_markup(make_app, hostile):
    hostile.on("POST", r"^/hf-inference/models/",
               json_reply({"error": hostile_text("IERR"), "error_type": "[bold]validation[/]"}, status=422))
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_playground(pilot, "text-classification",
                                       "distilbert/distilbert-base-uncased-finetuned-sst-2-english")
        await run(pilot, screen)
        await pilot.pause(0.2)
        text = assert_clean_screen(app)
        assert "IERR[bold red]B[/]" in text, text
        assert "Traceback" not in text
        hostile.clear()
        await run(pilot, screen)
        assert screen.error_text == ""
        assert "POSITIVE" in screen_text(app)


async def test_classification_labels_with_markup(make_app, hostile):
    labels = [{"label": hostile_text("LBL"), "score": 0.9}, {"label": "[@click=app.quit]n[/]", "score": 0.1}]
    hostile.on("POST", r"^/hf-inference/models/", json_reply([labels]))
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_playground(pilot, "text-classification",
                                       "distilbert/distilbert-base-uncased-finetuned-sst-2-english")
        await run(pilot, screen)
        text = assert_clean_screen(app)
        assert "LBL[bold red]B[/]" in text, text
        assert "[@click=app.quit]n[/]" in text


async def test_provider_names_with_markup_in_the_playground(make_app, hostile):
    """Provider names (Hub mapping) fill the provider picker: literal, not markup."""
    from hftui.client import Target

    info = {"_id": "1", "id": "meta-llama/Llama-3.1-8B-Instruct", "pipeline_tag": "text-generation",
            "inference": "warm",
            "inferenceProviderMapping": [
                {"provider": "[bold]evilprov[/]\x1b[2J", "providerId": "x", "status": "live",
                 "task": "conversational"},
                {"provider": "[@click=app.quit]clickprov[/]", "providerId": "y", "status": "live",
                 "task": "conversational"}]}
    hostile.on("GET", r"^/api/models/meta-llama", json_reply(info))
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "playground")
        screen.set_target(Target.router("meta-llama/Llama-3.1-8B-Instruct"))
        await wait_until(pilot, lambda: hostile.count("GET", r"^/api/models/meta-llama") > 0, what="the lookup")
        await pilot.pause(0.5)
        select = screen.query_one("#provider")
        select.focus()
        await pilot.press("enter")  # open the list of providers
        await pilot.pause(0.3)
        text = assert_clean_screen(app)
        assert "[bold]evilprov[/" in text, text  # literal (the narrow menu wraps it)
        assert "[@click=app.quit" in text and "]clickprov[/]" in text
        await pilot.press("escape")
        assert app.is_running


async def test_history_rows_of_a_hostile_run_stay_literal(make_app, hostile):
    """What a hostile server answered is saved in the history and shown there again: still literal."""
    labels = [{"label": hostile_text("HLBL"), "score": 0.9}]
    hostile.on("POST", r"^/hf-inference/models/", json_reply([labels]))
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_playground(pilot, "text-classification",
                                       "distilbert/distilbert-base-uncased-finetuned-sst-2-english")
        screen.form.set_value("inputs", "[bold]typed[/] \x1b[2J by the user")
        await run(pilot, screen)
        history = await go(pilot, "history")
        await wait_until(pilot, lambda: "HLBL" in screen_text(app) or "typed" in screen_text(app), 10,
                         "the run in the history")
        await pilot.pause(0.2)
        text = assert_clean_screen(app)
        assert "[bold]typed[/]" in text or "HLBL[bold red]B[/]" in text, text
        assert history.is_current
        await go(pilot, "endpoints")
