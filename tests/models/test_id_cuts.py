"""Issue 11.12: cut model ids stay distinct in the Models table (``distinct_cuts``)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from hftui.widgets.model_table import distinct_cuts, middle_cut
from tests.models.models_helpers import wait_models_ready
from tests.support.pilot import wait_until

LLAMAS = ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.3-70B-Instruct",
          "meta-llama/Llama-3.1-405B-Instruct", "meta-llama/Meta-Llama-3-8B-Instruct",
          "meta-llama/Meta-Llama-3-70B-Instruct"]


def _is_a_cut_of(cut: str, model_id: str) -> bool:
    head, dots, tail = cut.partition("…")
    return (not dots and cut == model_id) or (model_id.startswith(head) and model_id.endswith(tail))


def test_the_two_llamas_of_the_issue_no_longer_read_the_same():
    pair = ["meta-llama/Meta-Llama-3-70B-Instruct", "meta-llama/Llama-3.3-70B-Instruct"]
    assert middle_cut(pair[0], 24) == middle_cut(pair[1], 24) == "meta-llam…3-70B-Instruct"  # the bug
    cuts = distinct_cuts(pair, 24)
    assert cuts[pair[0]] != cuts[pair[1]]
    for model_id, cut in cuts.items():
        assert cell_len(cut) <= 24 and _is_a_cut_of(cut, model_id)


@pytest.mark.parametrize("width", range(16, 41))
def test_distinct_at_every_width_and_only_clashing_ids_move(width):
    others = ["openai-community/gpt2", "FacebookAI/xlm-roberta-base", "FacebookAI/roberta-base",
              "sentence-transformers/all-MiniLM-L6-v2", "black-forest-labs/FLUX.1-dev"]
    ids = LLAMAS + others
    cuts = distinct_cuts(ids, width)
    assert len(set(cuts.values())) == len(ids), cuts
    clashing = {i for i in ids if sum(middle_cut(j, width) == middle_cut(i, width) for j in ids) > 1}
    for model_id, cut in cuts.items():
        assert cell_len(cut) <= width and _is_a_cut_of(cut, model_id)
        if model_id not in clashing:
            assert cut == middle_cut(model_id, width)  # an id that reads fine is left as it was


def test_a_group_shares_one_cut_point_when_it_can():
    cuts = distinct_cuts(["org/model-a-final", "org/model-b-final", "org/model-c-final"], 12)
    heads = {len(c.partition("…")[0]) for c in cuts.values()}
    assert len(set(cuts.values())) == 3 and len(heads) == 1


def test_wide_characters_are_measured_in_cells():
    ids = ["org/模型模型模型-一-final-version", "org/模型模型模型-二-final-version"]
    cuts = distinct_cuts(ids, 20)
    assert len(set(cuts.values())) == 2
    assert all(cell_len(c) <= 20 for c in cuts.values())


def test_a_new_cut_does_not_take_another_ids_text():
    # "x…b" is what the third id shows by default: the clashing pair must not take it
    ids = ["aaaa/zzzzb", "aaaa/yyyyb", "aaaa/y…b"]
    cuts = distinct_cuts(ids, 8)
    assert len(set(cuts.values())) == 3


async def test_models_table_at_80_columns_shows_every_llama_differently(make_app):
    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        table = screen.query_one("ModelTable")
        screen.set_search("meta-llama")
        await wait_until(pilot, lambda: not screen.searching and set(table.models) >= set(LLAMAS),
                         what="the meta-llama search")
        shown = [str(table.get_cell(model_id, "model")) for model_id in table.models]
        assert len(set(shown)) == len(shown), shown
        assert all("…" in s for s in shown)  # the column is narrow: the cut is what is tested
