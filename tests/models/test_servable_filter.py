"""Issue 11.9: ``v`` (servable only) keeps what its help promises: warm, or served by a live provider.

``inference=warm`` dropped a model a provider serves live but that is not loaded (a cold
hf-inference model); the filter now asks the Hub for ``inference_provider=all``.
"""

from __future__ import annotations

from textual.widgets import Checkbox

from tests.models.models_helpers import wait_models_ready

from tests.support.pilot import wait_until

COLD_BUT_LIVE = "distilbert/distilbert-base-uncased"
"""Live on hf-inference, not warm (loads on the first call)."""
NOT_SERVED = "meta-llama/Llama-3.1-405B-Instruct"
"""No live provider at all."""


async def test_servable_search_keeps_live_but_cold_models(settings, token):
    from hftui.client import HFClient

    async with HFClient(settings, token) as hf:
        page = await hf.hub.search_models(search="distilbert-base-uncased", servable_only=True, limit=100)
        ids = {m.id for m in page.models}
        assert COLD_BUT_LIVE in ids
        cold = next(m for m in page.models if m.id == COLD_BUT_LIVE)
        assert not cold.warm and cold.live_providers and cold.servable
        everything = await hf.hub.search_models(servable_only=True, limit=1000)
        assert everything.models and all(m.servable for m in everything.models)
        assert NOT_SERVED not in {m.id for m in everything.models}
        # a provider asked for narrows the servable list to that provider
        together = await hf.hub.search_models(servable_only=True, provider="together", limit=1000)
        assert together.models and all(any(p.provider == "together" for p in m.live_providers)
                                       for m in together.models)


async def test_v_lists_a_model_served_live_but_not_warm(make_app):
    from hftui.screens.models import ModelsScreen

    app = make_app("models")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        assert isinstance(screen, ModelsScreen)
        await pilot.press("slash", *"distilbert-base-uncased", "enter", "v")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: screen.query_one("#models-servable", Checkbox).value
                         and screen.query_state[0] == "distilbert-base-uncased" and not screen.searching
                         and table.row_count > 0, what="the servable search")
        assert COLD_BUT_LIVE in table.models
        assert all(m.servable for m in table.models.values())
