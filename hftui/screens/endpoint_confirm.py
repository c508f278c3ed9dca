"""The question asked before an endpoint action that stops or costs something.

    app.push_screen(ask("pause", endpoints, price), callback)

It names every endpoint (the marked rows too) with what the action does to
the bill: "stops billing $1.60/h", "billing starts: $0.80/h". Cancel has the
focus; ``y`` does it (``hftui.widgets.confirm``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hftui.controllers.cost import CostEstimate, billed_replicas, money
from hftui.widgets.confirm import ConfirmScreen
from hftui.widgets.endpoint_states import idle_reason
from hftui.widgets.safe_text import one_line

if TYPE_CHECKING:
    from hftui.client import Endpoint

Price = Callable[["Endpoint"], "float | None"]

LISTED = 8
"""Endpoints named one by one (the rest are counted)."""

QUESTIONS = {
    # kind: (verb, what it means, stops billing?)
    "pause": ("Pause", "A paused endpoint answers no request until resumed (r).", True),
    "scale_to_zero": ("Scale to zero", "It wakes on the next request (a cold start of minutes), billed again "
                      "from then.", True),
    "resume": ("Resume", "Billing starts when it is initializing.", False),
}


def stop_effect(ep: Endpoint, price: Price) -> tuple[str, float | None]:
    """What stopping ``ep`` saves: (text, $/h; None when unknown)."""
    replicas = billed_replicas(ep)
    if replicas == 0:
        return f"bills nothing now ({one_line(ep.raw_state, 30)})", 0.0
    p = price(ep)
    if p is None:
        return f"stops billing {replicas} replica{'s' if replicas > 1 else ''} (hourly price unknown)", None
    return f"stops billing {money(p * replicas)}/h", p * replicas


def start_effect(ep: Endpoint, price: Price) -> tuple[str, float | None]:
    """What resuming ``ep`` costs: (text, $/h at its minimum; None when unknown)."""
    est = CostEstimate.of(ep, price(ep))
    low, high = est.hourly(est.running_replicas), est.hourly(est.peak_replicas)
    if low is None or high is None:
        return "billing starts (hourly price unknown)", None
    text = f"billing starts: {money(low)}/h"
    return (text + f", up to {money(high)}/h" if high > low else text), low


def ask(kind: str, eps: list[Endpoint], price: Price) -> ConfirmScreen:
    """The modal for ``kind`` (pause, scale_to_zero, resume) on ``eps``."""
    verb, meaning, stops = QUESTIONS[kind]
    effect = stop_effect if stops else start_effect
    if len(eps) == 1:
        ep = eps[0]
        text, _ = effect(ep, price)
        detail = "" if stops else f"\n{CostEstimate.of(ep, price(ep)).text()}"
        return ConfirmScreen(f"{verb} {one_line(ep.key, 80)}?",
                             f"{one_line(ep.key, 80)}: {text}.{detail}\n\n{meaning}", confirm=verb,
                             variant="warning")
    lines = []
    total: float | None = 0.0
    for ep in eps:
        text, dollars = effect(ep, price)
        total = None if total is None or dollars is None else total + dollars
        if len(lines) < LISTED:
            lines.append(f"• {one_line(ep.key, 80)}: {text}")
    if len(eps) > LISTED:
        lines.append(f"… and {len(eps) - LISTED} more")
    if total:
        lines.append(f"Together: {'stops billing' if stops else 'billing starts:'} {money(total)}/h.")
    return ConfirmScreen(f"{verb} {len(eps)} endpoints?", "\n".join(lines) + f"\n\n{meaning}",
                         confirm=f"{verb} {len(eps)}", variant="warning")


def offer_resume(ep: Endpoint, question: str, confirm: str, cost: str) -> ConfirmScreen:
    """An idle endpoint was asked for something only a running one does: resume it first?"""
    return ConfirmScreen(f"{ep.key} is {ep.raw_state}",
                         f"{one_line(ep.key, 80)} {idle_reason(ep.state)}, so {question} Billing starts when it is "
                         f"initializing. {cost}", confirm=confirm, variant="warning")
