"""SVG snapshots of the Models screen (frozen clock, seeded emulator; waits for results + detail)."""

from __future__ import annotations

import pytest

from tests.models.models_helpers import wait_models_ready
from tests.support.pilot import wait_until


async def _ready(pilot):
    screen = await wait_models_ready(pilot)
    await pilot.pause(0.2)
    return screen


async def _search_bert(pilot):
    screen = await wait_models_ready(pilot)
    screen.set_search("bert")
    table = screen.query_one("ModelTable")
    detail = screen.query_one("ModelDetail")
    await wait_until(pilot, lambda: not screen.searching and table.current.id.startswith("google-bert")
                     and detail.card_loaded and detail.model_id == table.current.id, what="bert detail")
    await pilot.pause(0.2)


class TestModelsScreen:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_first_listing(self, snap_compare, make_app, size):
        assert snap_compare(make_app("models"), terminal_size=size, run_before=_ready)

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_search_with_detail(self, snap_compare, make_app, size):
        assert snap_compare(make_app("models"), terminal_size=size, run_before=_search_bert)
