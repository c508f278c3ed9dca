"""ModelTable / ModelDetail helpers and the widgets in a small host app (no network)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from hftui.client.models import LegacyStatus, ModelInfo
from hftui.screens.models import playground_task
from hftui.widgets.model_detail import CARD_DISPLAY_CHARS, ModelDetail, card_markdown, strip_front_matter
from hftui.widgets.model_table import ModelTable, compact_number, serving_status


def _info(**over) -> ModelInfo:
    data = {"id": "org/m", "pipeline_tag": "fill-mask", "downloads": 1234, "likes": 5,
            "lastModified": "2026-10-20T13:00:00Z", "tags": ["a"], "inference": "warm",
            "inferenceProviderMapping": [{"provider": "hf-inference", "status": "live", "task": "fill-mask"}]}
    data.update(over)
    return ModelInfo.from_json(data)


def test_compact_number():
    assert [compact_number(v) for v in (None, 0, 999, 1000, 12_345, 6_766_852, 2_000_000_000)] == \
        ["-", "0", "999", "1k", "12.3k", "6.8M", "2B"]


def test_serving_status_has_a_word_and_a_glyph():
    # the number says what it counts: live providers ("● warm 2" read as nothing in particular)
    assert serving_status(_info()) == ("● 1 live", "success")
    assert serving_status(_info(), wide=True) == ("● warm · 1 live", "success")
    assert serving_status(_info(inference=None)) == ("◐ cold", "warning")
    assert serving_status(_info(inference=None), wide=True) == ("◐ cold · 1 live", "warning")
    assert serving_status(_info(inference=None, inferenceProviderMapping=[
        {"provider": "x", "status": "error"}])) == ("✖ error", "error")
    assert serving_status(_info(inference=None, inferenceProviderMapping=[])) == ("○ none", "muted")
    assert serving_status(_info(inference=None, inferenceProviderMapping=[]), wide=True) == ("○ not served", "muted")


def test_serving_summary_says_what_it_means_first():
    from hftui.widgets.model_table import serving_summary

    two = _info(id="meta-llama/Llama-3.3-70B-Instruct", pipeline_tag="text-generation",
                inferenceProviderMapping=[{"provider": "together", "status": "live"},
                                          {"provider": "hf-inference", "status": "live"}])
    assert serving_summary(two) == ("warm: served now by 2 live providers — meta-llama/Llama-3.3-70B-Instruct"
                                    " (text-generation)")
    assert serving_summary(_info(inference=None)).startswith("not warm: 1 live provider, loads on the first call")
    assert serving_summary(_info(inference=None, inferenceProviderMapping=[])).startswith(
        "not served by any provider — org/m")


def test_card_markdown_strips_front_matter_escapes_and_bounds():
    card = "---\nlicense: mit\ntags:\n- x\n---\n\n# Title\n\nBody \x1b[2J\x1b]52;c;QQ==\x07 text\n"
    assert strip_front_matter(card).lstrip().startswith("# Title")
    out = card_markdown(card)
    assert out.startswith("# Title") and "\x1b" not in out and "\x07" not in out and "Body" in out
    big = "# Big\n\n" + ("word " * 50 + "\n\n") * 2000
    out = card_markdown(big)
    assert len(out) < CARD_DISPLAY_CHARS + 200 and out.endswith("*… model card truncated (see the Hub for the rest).*")
    assert card_markdown("") == "*This model has no model card.*"


def test_playground_task():
    assert playground_task(_info()) == "fill-mask"
    chat = _info(pipeline_tag="text-generation", tags=["conversational"])
    assert playground_task(chat) == "chat-completion"
    by_provider = _info(pipeline_tag="text-generation", tags=[], inferenceProviderMapping=[
        {"provider": "together", "status": "live", "task": "conversational"}])
    assert playground_task(by_provider) == "chat-completion"
    assert playground_task(_info(pipeline_tag="text-generation", tags=[])) == "text-generation"


class Host(App):
    def compose(self) -> ComposeResult:
        yield ModelTable()
        yield ModelDetail()


async def test_table_updates_rows_in_place_and_keeps_the_cursor():
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ModelTable)
        table.set_models([_info(id=f"org/m{i}") for i in range(5)])
        await pilot.pause()
        table.move_cursor(row=3)
        table.append_models([_info(id="org/m1", likes=999), _info(id="org/m9")])  # one known, one new
        await pilot.pause()
        assert table.row_count == 6 and table.current.id == "org/m3"
        assert table.get_cell("org/m1", "likes").plain == "999"
        table.update_model(_info(id="org/m3", inference=None, inferenceProviderMapping=[]))
        await pilot.pause()
        assert table.get_cell("org/m3", "serving").plain == "○ none"
        assert table.current.id == "org/m3"


async def test_detail_shows_legacy_status_and_gating():
    from dataclasses import replace

    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        detail = app.query_one(ModelDetail)
        info = replace(_info(gated="manual"), legacy_status=LegacyStatus(True, "Loaded", "gpu a100 x8",
                                                                         "text-generation-inference"))
        await detail.show(info, "# Card")
        await pilot.pause()
        text = str(detail.query_one("#detail-fields").render())
        assert "Legacy    loaded yes · state Loaded · compute gpu a100 x8 · framework text-generation-inference" \
            in text
        assert "Gated     manual" in text
        assert "Updated   6d ago (2026-10-20)" in text  # frozen clock: 2026-10-26T13:00Z
        assert detail.card_loaded
