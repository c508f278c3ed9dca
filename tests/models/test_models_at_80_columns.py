"""The Models screen at 80 columns: ids cut in the middle stay distinct, the title counts the rows
shown, the serving summary keeps its words apart."""

from __future__ import annotations

from textual.widgets import Static

from hftui.widgets.model_table import middle_cut

from tests.models.models_helpers import models_screen, wait_models_ready
from tests.support.pilot import wait_until


def test_middle_cut_keeps_both_ends():
    a = middle_cut("distilbert/distilbert-base-uncased-finetuned-sst-2-english", 24)
    b = middle_cut("distilbert/distilbert-base-uncased", 24)
    assert len(a) == len(b) == 24 and a != b
    assert a.startswith("distil") and a.endswith("sst-2-english") and "…" in a
    assert middle_cut("gpt2", 24) == "gpt2"
    assert middle_cut("black-forest-labs/FLUX.1-dev", 24) == "black-forest…/FLUX.1-dev"
    assert middle_cut("sentence-transformers/all-MiniLM-L6-v2", 24).endswith("…/all-MiniLM-L6-v2")
    assert middle_cut("abcdef", 3) == "abc"


async def test_80_columns_ids_distinct_and_title_counts_rows(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_models_ready(pilot, card=False)
        screen = models_screen(app)
        table = screen.query_one("ModelTable")
        screen.set_search("distilbert")
        await wait_until(pilot, lambda: "</distilbert>" in str(table.border_title) and not screen.searching,
                         what="the search")
        await wait_until(pilot, lambda: str(table.get_cell_at((0, 0))).startswith("distil"), what="rows")
        shown = [str(table.get_cell_at((row, 0))) for row in range(table.row_count)]
        assert len(set(shown)) == len(shown) > 1, shown
        assert f"Models[{table.row_count}]" in str(table.border_title)
        screen.set_search("bert-base-NER")
        await wait_until(pilot, lambda: "</bert-base-NER>" in str(table.border_title) and not screen.searching,
                         what="the second search")
        assert table.row_count == 1 and "Models[1]" in str(table.border_title)
        detail = screen.query_one("ModelDetail")
        await wait_until(pilot, lambda: detail.model_id == "dslim/bert-base-NER", what="the detail")
        await wait_until(pilot, lambda: "live provider" in str(detail.query_one("#detail-fields", Static).render()),
                         what="the serving line")
        assert "● warm: served now by 1 live provider" in str(detail.query_one("#detail-fields", Static).render())
