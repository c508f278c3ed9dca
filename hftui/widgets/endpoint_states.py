"""How an endpoint state looks: its glyph, its CSS class and its label.

The meaning of states (fault, transitional, idle, billed) lives on
``hftui.client.models.EndpointState``; this module only presents them, so the
table, Describe and the wait screen show a state the same way.
"""

from __future__ import annotations

from hftui.client.models import EndpointState as S
from hftui.widgets.safe_text import one_line

GLYPHS = {
    S.RUNNING: "●",
    S.PENDING: "◌",
    S.INITIALIZING: "◔",
    S.UPDATING: "↻",
    S.UPDATE_FAILED: "✗",
    S.FAILED: "✗",
    S.PAUSED: "‖",
    S.SCALED_TO_ZERO: "○",
}


def state_class(state: S) -> str:
    """The CSS-ish style name of a state: running, pending, failed, paused or other."""
    if state is S.RUNNING:
        return "running"
    if state.is_fault:
        return "failed"
    if state.is_transitional:
        return "pending"
    if state.is_idle:
        return "paused"
    return "other"


def state_label(raw_state: str) -> str:
    """``● running``; unknown states keep their raw word behind ``?``."""
    return f"{GLYPHS.get(S.parse(raw_state), '?')} {one_line(raw_state, 20)}"


def idle_reason(state: S) -> str:
    """Why an idle endpoint will not become running by waiting: ``is paused: …``."""
    if state is S.PAUSED:
        return "is paused: it will not start by itself"
    return "is scaled to zero: it starts only when a request comes or when resumed"
