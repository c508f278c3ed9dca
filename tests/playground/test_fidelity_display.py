"""Pilot tests: what the Playground shows of issue 12 (wake countdown, call stats, tokens, raw view, timeouts)."""

from __future__ import annotations

from tests.playground.playground_helpers import playground, run_and_wait
from tests.support.pilot import screen_text, wait_until

NS = "demo-user"


async def test_a_scaled_to_zero_endpoint_counts_down_its_wake(make_app, emulator):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        ep = await app.client.endpoints.get(NS, "sentiment-api")
        screen.set_target(endpoint=ep, task="text-classification")
        await wait_until(pilot, lambda: screen.spec.task == "text-classification")
        screen.form.set_value("inputs", "I love it")
        await run_and_wait(pilot, screen, timeout=30)
        assert screen.error_text == ""
        assert any(s.startswith("endpoint waking up (scaled to zero) · ready in ~") for s in screen.status_history)
        assert not any(s.startswith("Model loading") for s in screen.status_history)
        await wait_until(pilot, lambda: "POSITIVE" in screen_text(app))


async def test_chat_without_streaming_shows_tokens_and_time(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.form.set_values({"prompt": "hello", "stream": False})
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        line = screen.status_history[-1]
        assert line.startswith("Done in ") and " · tokens " in line and " in / " in line and "server " in line


async def test_a_loading_model_is_not_waited_for_by_default_and_the_error_offers_to_wait(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.hf_model("distilbert/distilbert-base-uncased"), task="fill-mask")
        await wait_until(pilot, lambda: screen.spec.task == "fill-mask")
        assert screen.form.values()["wait_for_model"] is False  # as huggingface_hub: no x-wait-for-model
        await run_and_wait(pilot, screen)
        assert "The model is loading" in screen.error_text
        button = screen.query_one("#problem-wait")
        await wait_until(pilot, lambda: button.display and button.region.area > 0)
        await pilot.click("#problem-wait")
        await wait_until(pilot, lambda: "Best:" in screen_text(app), timeout=30)
        assert screen.form.values()["wait_for_model"] is True and screen.error_text == ""
        assert screen.last_record["options"]["wait_for_model"] is True


def test_the_timeout_option_takes_seconds_none_or_the_default():
    from hftui.client.core import NO_TIMEOUT
    from hftui.tasks import get_spec

    spec = get_spec("fill-mask")
    form = {f.name: f.to_form(spec.defaults().get(f.name)) for f in spec.fields}
    for raw, sent in (("", None), ("90", 90.0), ("none", NO_TIMEOUT), ("No limit", NO_TIMEOUT)):
        values, errors = spec.parse({**form, "timeout": raw})
        assert errors == {} and spec.prepare(values).options.timeout == sent, raw
    for bad in ("soon", "0", "-3", "inf"):
        assert "timeout" in spec.parse({**form, "timeout": bad})[1], bad
    assert spec.options_record(spec.parse({**form, "timeout": "none"})[0])["timeout"] == "none"


async def test_no_timeout_lets_the_client_wait_for_a_loading_model(settings, token):
    from hftui.client import HFClient, Target
    from hftui.client.core import NO_TIMEOUT, CallOptions

    seen: list[float] = []
    async with HFClient(settings, token, max_retries=0) as hf:
        result = await hf.inference.fill_mask(Target.hf_model("distilbert/distilbert-base-uncased"), "a [MASK] b",
                                              options=CallOptions(wait_for_model=True, timeout=NO_TIMEOUT),
                                              on_loading=seen.append)
    assert result and seen


async def _tokens_view(pilot, screen) -> str:
    await pilot.click("#view-tokens")
    details = screen.query_one("#pg-details")
    await wait_until(pilot, lambda: details.display and details.region.area > 0)
    return details.text


async def test_the_tokens_tab_shows_logprobs_alternatives_prefill_and_best_of(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.hf_model("openai-community/gpt2"), task="text-generation")
        await wait_until(pilot, lambda: screen.spec.task == "text-generation")
        screen.form.set_values({"inputs": "Once upon", "max_new_tokens": 5, "top_n_tokens": 2, "details": "true",
                                "do_sample": True, "best_of": 2, "decoder_input_details": "true", "stream": False})
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        details = screen.session.last_result.details
        text = await _tokens_view(pilot, screen)
        assert f"Generated · {len(details.tokens)} tokens" in text and "logprob" in text and "alternatives" in text
        first = details.tokens[0]
        assert repr(first.text) in text and f"{first.logprob:.3f}" in text
        assert repr(details.top_tokens[0][1].text) in text  # the step's second-best alternative
        assert f"Prompt (prefill) · {len(details.prefill)} tokens" in text
        assert "Best-of alternatives · 1" in text and details.best_of_sequences[0].text.strip()[:20] in text
        assert not screen.query_one("#pg-result").display  # the tab replaces the output...
        await pilot.click("#view-output")
        await wait_until(pilot, lambda: screen.query_one("#pg-stream").display)  # ...until Output is picked


async def test_the_tokens_tab_after_a_stream_and_for_a_result_without_details(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.hf_model("openai-community/gpt2"), task="text-generation")
        await wait_until(pilot, lambda: screen.spec.task == "text-generation")
        screen.form.set_values({"inputs": "Once", "max_new_tokens": 4, "top_n_tokens": 2, "details": "true"})
        await run_and_wait(pilot, screen)  # streamed
        text = await _tokens_view(pilot, screen)
        tokens = screen.session.last_result.details.tokens
        assert len(tokens) == 4 and all(repr(t.text) in text for t in tokens) and "Best-of" not in text
        # the view follows the next run: chat has no token details, and says so
        screen.set_target(task="chat-completion")
        await wait_until(pilot, lambda: screen.spec.task == "chat-completion")
        screen.form.set_values({"prompt": "hi", "stream": False})
        await run_and_wait(pilot, screen)
        assert screen.query_one("#pg-details").text.startswith("No token details")


async def test_the_raw_tab_shows_the_last_exchange_with_the_token_masked(make_app, emulator, tmp_path):
    from tests.playground.playground_helpers import open_task

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        await pilot.click("#view-raw")
        details = screen.query_one("#pg-details")
        await wait_until(pilot, lambda: details.display and details.text.startswith("No exchange yet"))
        screen = await open_task(pilot, "text-to-image", tmp_path)
        await run_and_wait(pilot, screen, timeout=30)
        assert screen.error_text == ""
        await wait_until(pilot, lambda: "Response" in details.text)
        text = details.text
        assert "Request\nPOST http" in text and "/hf-inference/models/" in text
        assert "authorization: Bearer ***" in text and emulator.token not in text
        assert '"inputs"' in text  # the JSON body sent
        assert "status 200" in text and "content-type: image/" in text
        assert "bytes of image/" in text and ": not shown" in text  # binary: its size, never its bytes
        assert emulator.token not in screen_text(app)
