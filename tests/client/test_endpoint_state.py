"""One vocabulary for endpoint states: the enum decides, every consumer agrees."""

from __future__ import annotations

import pytest

from hftui.client.models import EndpointState as S
from hftui.widgets.endpoint_states import GLYPHS, idle_reason, state_class, state_label

ALL = [s for s in S if s is not S.OTHER]


def test_every_known_state_has_exactly_one_kind():
    for state in ALL:
        kinds = [state is S.RUNNING, state.is_fault, state.is_transitional, state.is_idle]
        assert sum(kinds) == 1, state


@pytest.mark.parametrize("state", ALL)
def test_every_known_state_has_a_glyph_and_a_class(state):
    assert state in GLYPHS
    assert state_class(state) != "other"
    assert state_label(state.value).startswith(GLYPHS[state] + " ")


def test_unknown_states_keep_their_word_behind_a_question_mark():
    assert S.parse("rebooting") is S.OTHER
    assert state_class(S.OTHER) == "other"
    assert state_label("rebooting") == "? rebooting"
    assert "\x1b" not in state_label("[b]x\x1b[2J")


def test_billed_states_are_the_ones_whose_replicas_cost():
    # updateFailed keeps serving (and billing) on its old replicas; idle states cost nothing.
    assert S.UPDATE_FAILED.is_billed and S.UPDATING.is_billed and S.INITIALIZING.is_billed
    assert not any(s.is_billed for s in (S.PAUSED, S.SCALED_TO_ZERO, S.PENDING, S.FAILED, S.OTHER))


def test_idle_reason_names_the_state():
    assert "paused" in idle_reason(S.PAUSED)
    assert "scaled to zero" in idle_reason(S.SCALED_TO_ZERO)
