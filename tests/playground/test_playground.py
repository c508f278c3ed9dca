"""Pilot tests: the Playground in the real app against the emulator."""

from __future__ import annotations

import asyncio

import pytest

from hftui.client.inference import TASKS

from tests.playground.playground_helpers import MODELS, make_png, open_task, playground, run_and_wait
from tests.support.app import hftui_app
from tests.support.pilot import screen_text, wait_until

ON_SCREEN = {
    "fill-mask": ["happiness", "Best: the goal of life is happiness."],
    "summarization": ["The tower is 324 metres"],
    "translation": ["Mon nom est Wolfgang"],
    "question-answering": ["Answer: Clara", "score 1.000"],
    "zero-shot-classification": ["legal", "refund", "faq", "%"],
    "text-classification": ["POSITIVE", "100.00%", "NEGATIVE"],
    "token-classification": ["Sarah Jessica Parker PER", "entity", "span", "11–31"],
    "text-generation": ["Done ·"],
    "chat-completion": ["You", "What is deep learning?", "Assistant", "About deep learning"],
    "feature-extraction": ["Dimensions", "L2 norm", "Preview"],
    "sentence-similarity": ["Similarity to: Machine learning is so easy.", "Deep learning is so"],
    "text-to-image": ["saved: ", "▀"],
    "image-classification": ["%", "██"],
    "object-detection": ["label", "score", "top-left", "▀"],
    "image-to-text": ["a wide photo of"],
    "automatic-speech-recognition": ["It helps to"],
    "table-question-answering": ["Answer: 36542", "Transformers", "36542 ✓"],
}


@pytest.mark.parametrize("task", TASKS)
async def test_every_task_runs_and_shows_its_result(task, make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, task, tmp_path)
        await run_and_wait(pilot, screen)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert screen.error_text == "", screen.error_text
        for expected in ON_SCREEN[task]:
            assert expected in text, f"{expected!r} not on screen:\n{text}"
        result = screen.last_record["result"]
        if task == "image-classification":
            assert result[0]["label"][:12] in text
        if task == "object-detection":
            assert result and all(f"{o['xmin']},{o['ymin']}" in text and o["label"] in text for o in result)
        if task == "text-generation":
            assert len(screen.output.plain_text().split()) > 10
        assert screen.last_record["task"] == task and screen.last_record["error"] is None
        assert screen.last_run_id is not None


async def test_run_is_saved_and_reopens_from_history(make_app, tmp_path):
    from hftui.history import History

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "question-answering", tmp_path)
        screen.form.set_value("question", "Where do I live?")
        await run_and_wait(pilot, screen)
        runs = History.default().list()
        assert len(runs) == 1 and runs[0]["inputs"]["question"] == "Where do I live?"
        record = History.default().get(runs[0]["id"])
        # Move away, then re-open the past run: target, task and inputs come back.
        screen.set_target(task="fill-mask")
        await wait_until(pilot, lambda: screen.spec.task == "fill-mask")
        screen.load_run(record)
        await wait_until(pilot, lambda: screen.spec.task == "question-answering")
        await pilot.pause()
        assert screen.form.values()["question"] == "Where do I live?"
        assert screen.build_target().model == MODELS["question-answering"]
        await run_and_wait(pilot, screen)
        assert "Answer:" in screen_text(app)
        assert len(History.default().list()) == 2


async def test_form_errors_are_shown_beside_the_fields_and_nothing_runs(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "zero-shot-classification", tmp_path)
        screen.form.set_value("candidate_labels", "")
        screen.form.set_value("hypothesis_template", "no slot")
        await run_and_wait(pilot, screen)
        text = screen_text(app)
        assert "required" in text and "the template needs a {}" in text
        assert "Fix the highlighted fields" in screen.error_text
        assert screen.last_record is None


async def test_server_error_is_shown_beside_the_form_and_input_kept(make_app, emulator, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "summarization", tmp_path)
        screen.form.set_value("inputs", "Keep this text.")
        emulator.inject("500", path="/hf-inference/")
        await run_and_wait(pilot, screen)
        assert "ServerError" in screen.error_text and "Internal Server Error" in screen.error_text
        assert screen.form.values()["inputs"] == "Keep this text."
        assert screen.last_record["error"]


async def test_rate_limit_says_when_to_retry(make_app, emulator, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "text-classification", tmp_path)
        emulator.inject("429:7", path="/hf-inference/")
        await run_and_wait(pilot, screen)
        assert "Rate limited. You may retry in 7 s." in screen.error_text
        assert "Rate limited. You may retry in 7 s." in screen_text(app)


async def test_loading_model_shows_a_countdown_and_waits(make_app, tmp_path):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        # distilbert-base-uncased is cold in the emulator: 503 + estimated_time until loaded.
        screen.set_target(Target.hf_model("distilbert/distilbert-base-uncased"), task="fill-mask")
        await wait_until(pilot, lambda: screen.spec.task == "fill-mask")
        screen.form.set_value("wait_for_model", True)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen._worker is not None and screen._worker.is_finished, timeout=30)
        # The countdown was shown (in the status line) while the client waited for the model.
        assert any(s.startswith("Model loading… ready in ~") and s.endswith("s (waiting for it; Esc cancels)")
                   for s in screen.status_history)
        assert screen.error_text == ""
        await wait_until(pilot, lambda: "Best:" in screen_text(app))


async def test_loading_model_without_waiting_says_so(make_app, tmp_path):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.hf_model("distilbert/distilbert-base-uncased"), task="fill-mask")
        await wait_until(pilot, lambda: screen.spec.task == "fill-mask")
        screen.form.set_value("wait_for_model", False)
        await run_and_wait(pilot, screen)
        assert "The model is loading" in screen.error_text and "Wait for model" in screen.error_text


async def test_cancel_keeps_the_partial_text(make_app, slow_settings, tmp_path):
    app = make_app(slow_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "text-generation", tmp_path)
        screen.form.set_value("max_new_tokens", "4000")  # 20 s of tokens at 200 tokens/s
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(screen.output.live_text.split()) > 20)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen._worker.is_running)
        await pilot.pause()
        kept = screen.last_record["result"]["text"]
        assert screen.last_record["error"] == "cancelled"
        assert 20 < len(kept.split()) < 2000
        text = screen.output.plain_text()
        assert " ".join(kept.split()[:8]) in " ".join(text.split())
        assert "partial output kept" in text
        assert "Cancelled" in screen_text(app)


async def test_cancelled_chat_keeps_the_partial_reply_in_the_conversation(make_app, tmp_path):
    from hftui.client.results import StreamChunk

    async def endless(target, messages, parameters=None, options=None, on_loading=None):
        for i in range(100_000):
            yield StreamChunk(text=f" word{i}")
            await asyncio.sleep(0.001)

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "chat-completion", tmp_path)
        app.client.inference.chat_completion_stream = endless
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(screen.output.live_text.split()) > 30)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen._worker.is_running)
        kept = screen.last_record["result"]["text"]
        assert kept.split()[:3] == ["word0", "word1", "word2"]
        assert [m.role for m in screen.conversation] == ["user", "assistant"]
        assert screen.conversation[-1].content == kept


async def test_cut_stream_keeps_partial_text_and_shows_the_error(make_app, emulator, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "text-generation", tmp_path)
        screen.form.set_value("max_new_tokens", "200")
        emulator.inject("cut", path="/hf-inference/")
        await run_and_wait(pilot, screen)
        kept = screen.last_record["result"]["text"]
        assert kept and len(kept.split()) > 5
        assert "The stream broke off" in screen.error_text
        assert kept.split()[3] in screen.output.plain_text()
        assert "Stream interrupted" in screen_text(app)


async def test_chat_is_multi_turn(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "chat-completion", tmp_path)
        await run_and_wait(pilot, screen)
        assert screen.form.values()["prompt"] == ""
        screen.form.set_value("prompt", "Tell me about quantization")
        await run_and_wait(pilot, screen)
        assert [m.role for m in screen.conversation] == ["user", "assistant", "user", "assistant"]
        messages = screen.last_record["inputs"]["messages"]
        assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
        assert "Tell me about quantization" in screen.output.plain_text()
        await pilot.press("ctrl+n")
        assert screen.conversation == [] and screen.output.plain_text() == ""


async def test_untrusted_output_is_shown_literally(make_app, tmp_path):
    from hftui.client.results import StreamChunk

    hostile = ["[bold red]red?[/] ", "[@click=app.quit]click me[/] ", "[link=https://evil]x[/link] ",
               "\x1b]52;c;ZXZpbA==\x07osc ", "\x1b[2Jclear ", "**bold md** ", "[link](javascript:alert(1))"]

    async def fake_stream(target, messages, parameters=None, options=None, on_loading=None):
        for piece in hostile:
            yield StreamChunk(text=piece)
        yield StreamChunk(final=True, finish_reason="stop")

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "chat-completion", tmp_path)
        app.client.inference.chat_completion_stream = fake_stream
        await run_and_wait(pilot, screen)
        text = screen_text(app)
        assert "[bold red]red?[/]" in text
        assert "[@click=app.quit]click me[/]" in text
        assert "[link=https://evil]x[/link]" in text
        assert "\x1b" not in text and "ZXZpbA==\x07" not in text
        assert "bold md" in text and "**bold md**" not in text  # Markdown is rendered...
        assert "javascript:alert(1)" in text  # ...but links are shown as text, not made clickable
        for strip in app.screen._compositor.render_strips():
            for seg in strip:
                assert not (seg.style and seg.style.meta and "@click" in seg.style.meta)
                assert not (seg.style and seg.style.link)
        assert app.is_running


async def test_enter_in_a_one_line_field_runs(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "question-answering", tmp_path)
        screen.query_one("#f-question").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen._worker is not None and not screen._worker.is_running)
        await pilot.pause()
        assert "Answer: Clara" in screen_text(app)


async def test_model_lookup_picks_task_and_providers(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.hf_model("dslim/bert-base-NER"))
        await wait_until(pilot, lambda: screen.spec.task == "token-classification")
        screen.set_target(Target.router("meta-llama/Llama-3.1-8B-Instruct"))
        await wait_until(pilot, lambda: screen.spec.task == "chat-completion")
        await wait_until(pilot, lambda: len(screen.query_one("#provider")._options) > 1)
        assert screen.build_target().kind == "router"


@pytest.mark.parametrize("task", ["chat-completion", "text-generation"])
async def test_generation_with_streaming_off(task, make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, task, tmp_path)
        screen.form.set_value("stream", False)
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        assert screen.last_record["options"]["stream"] is False
        text = screen.output.plain_text()
        assert len(text.split()) > 5
        if task == "chat-completion":
            assert "Assistant" in text and [m.role for m in screen.conversation] == ["user", "assistant"]


async def test_fill_mask_uses_the_models_mask_token(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.hf_model("FacebookAI/roberta-base"), task="fill-mask")
        await wait_until(pilot, lambda: screen.model_info is not None and screen.spec.task == "fill-mask")
        await wait_until(pilot, lambda: "<mask>" in screen.form.values()["inputs"])
        screen.form.set_value("inputs", "Paris is the [MASK] of France.")
        await run_and_wait(pilot, screen)
        assert "mask token <mask>" in str(screen.form.query_one("#err-inputs").render())
        assert "mask token <mask>" in screen.error_text
        assert screen.last_record is None
        screen.form.set_value("inputs", "Paris is the <mask> of France.")
        await run_and_wait(pilot, screen)
        assert screen.error_text == "" and "Best:" in screen_text(app)


async def test_models_search_enter_opens_the_playground_and_runs(settings, token):
    from hftui.screens.playground import PlaygroundScreen

    app = hftui_app(settings=settings, token=token, first_screen="models")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ModelsScreen"
                         and bool(app.screen.query("#models-search")))  # composed, not just pushed
        app.screen.set_search("bert-base-NER")
        await wait_until(pilot, lambda: "</bert-base-NER>" in screen_text(app) and "dslim/bert-base-NER" in screen_text(app))
        app.screen.query_one("#models-table").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.spec.task == "token-classification")
        assert screen.build_target().model == "dslim/bert-base-NER"
        await run_and_wait(pilot, screen)
        assert "Sarah Jessica Parker PER" in screen_text(app)


async def test_chat_through_the_router_with_a_live_provider(make_app):
    from textual.widgets import Select

    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.router("meta-llama/Llama-3.1-8B-Instruct"))
        provider = screen.query_one("#provider", Select)
        await wait_until(pilot, lambda: len(provider._options) == 3)
        # live providers only: hf-inference and together (fireworks-ai is staging)
        assert [v for _, v in provider._options] == ["auto", "hf-inference", "together"]
        provider.value = "together"
        await pilot.pause()
        assert screen.build_target() == Target.router("meta-llama/Llama-3.1-8B-Instruct", "together")
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        assert screen.last_record["target"]["provider"] == "together"
        assert "Assistant" in screen.output.plain_text()


async def test_reasoning_model_shows_its_thinking_apart_from_the_answer(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.router("deepseek-ai/DeepSeek-R1"), task="chat-completion")
        await wait_until(pilot, lambda: screen.spec.task == "chat-completion")
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        text = screen.output.plain_text()
        thinking, answer_shown = text.split("\nThinking\n", 1)[1].split("\nAssistant\n", 1)
        answer = screen.conversation[-1].content
        assert thinking.strip() and " ".join(answer_shown.split()) == answer
        assert answer not in " ".join(thinking.split())  # the reasoning is not kept as the reply
        assert screen.last_record["result"]["text"] == answer


async def test_text_generation_details_land_in_the_record_and_dropped_parameters_are_said(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.hf_model("openai-community/gpt2"), task="text-generation")
        await wait_until(pilot, lambda: screen.spec.task == "text-generation")
        screen.form.set_values({"inputs": "Once", "max_new_tokens": 6, "top_n_tokens": 2, "do_sample": True})
        await run_and_wait(pilot, screen)  # streamed (the default)
        assert screen.error_text == ""
        result = screen.last_record["result"]
        assert len(result["details"]["tokens"]) == 6 and len(result["details"]["top_tokens"]) == 6
        assert "".join(t["text"] for t in result["details"]["tokens"]) == result["text"]
        assert isinstance(result["seed"], int) and "warnings" not in screen.last_record

        # a plain pipeline model refuses the TGI flags even false: dropped, said, and the answer comes whole
        screen.set_target(Target.hf_model("distilbert/distilgpt2"), task="text-generation")
        await pilot.pause()
        screen.form.set_values({"inputs": "Once", "max_new_tokens": 6, "top_n_tokens": None, "watermark": False})
        await run_and_wait(pilot, screen)
        assert screen.error_text == "", screen.error_text
        record = screen.last_record
        assert set(record["result"]["dropped_parameters"]) == {"details", "watermark"} and record["result"]["text"]
        assert record["warnings"] and "details, watermark" in record["warnings"][0]
        assert any("details, watermark" in str(n.message) for n in app._notifications)
