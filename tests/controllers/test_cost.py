"""The one cost estimate: billed replicas per state, burn rate, and the words shown for a price."""

from __future__ import annotations

import pytest

from hftui.client.models import Endpoint
from hftui.controllers.cost import UNKNOWN, CostEstimate, billed_replicas, burn_rate


def ep(name="e", state="running", ready=1, target=1, min_replica=None, max_replica=None):
    status = {"state": state, "targetReplica": target}
    if ready is not None:
        status["readyReplica"] = ready
    scaling = {k: v for k, v in (("minReplica", min_replica), ("maxReplica", max_replica)) if v is not None}
    return Endpoint.from_json({"name": name, "status": status, "compute": {"scaling": scaling}}, "ns")


@pytest.mark.parametrize("state, ready, target, billed", [
    ("running", 2, 2, 2),
    ("running", None, 3, 3),          # ready count not reported: its target is billed
    ("running", 0, 0, 0),
    ("updating", 1, 2, 1),            # serves on its old replica meanwhile
    ("updateFailed", 1, 1, 1),        # still serving on its old replica: billed
    ("initializing", 0, 2, 2),        # billed from initializing on
    ("initializing", 1, 0, 1),
    ("pending", 0, 1, 0),
    ("paused", 0, 0, 0),
    ("scaledToZero", 0, 0, 0),
    ("failed", 0, 1, 0),
])
def test_billed_replicas_per_state(state, ready, target, billed):
    assert billed_replicas(ep(state=state, ready=ready, target=target)) == billed


def test_burn_rate_sums_billed_replicas_and_reports_unknown_prices():
    price = {"a": 2.5, "b": 1.0, "c": 0.5, "d": 4.0, "e": 3.0, "f": 7.0, "g": 9.0}
    eps = [ep("a", "updateFailed", 1), ep("b", "running", 2, 2), ep("c", "updating", 1),
           ep("d", "initializing", 0, 1), ep("e", "paused", 0, 0), ep("f", "scaledToZero", 0, 0),
           ep("g", "failed", 0)]
    assert burn_rate(eps, lambda e: price[e.name]) == 2.5 + 2 * 1.0 + 0.5 + 4.0
    assert burn_rate([], lambda e: 1.0) == 0.0
    assert burn_rate([ep("x", "paused", 0)], lambda e: None) == 0.0  # nothing billed: $0, known
    assert burn_rate([ep("x", "running", 1)], lambda e: None) is None  # billed, price unknown
    # some prices known: the known part (a lower bound) rather than nothing
    mixed = [ep("a", "running", 1), ep("b", "running", 2, 2)]
    assert burn_rate(mixed, lambda e: 1.5 if e.name == "b" else None) == 3.0


def test_text_one_replica():
    assert CostEstimate(1.3, 1, 1).text() == "$1.30 per replica-hour: $1.30/h with 1 replica."


def test_text_several_replicas():
    assert CostEstimate(1.3, 2, 5).text() == \
        "$1.30 per replica-hour: $2.60/h with 2 replicas, up to $6.50/h at 5 replicas."
    assert CostEstimate(1250.0, 2, 2).text() == "$1,250.00 per replica-hour: $2,500.00/h with 2 replicas."


def test_text_min_zero_bills_one_replica_while_running_and_nothing_scaled_to_zero():
    est = CostEstimate(0.5, 0, 3)
    assert est.scales_to_zero and est.running_replicas == 1 and est.peak_replicas == 3
    assert est.text() == ("$0.50 per replica-hour: $0.50/h with 1 replica, up to $1.50/h at 3 replicas."
                          " Scaled to zero it costs nothing.")
    assert est.line() == "$0.50 per replica-hour → $0.50/h running, up to $1.50/h at 3 replicas; $0 while scaled to zero"


def test_endpoint_scaled_to_zero_and_unknown_min_replica():
    # an endpoint scaled to zero is estimated at what it costs once a request wakes it
    est = CostEstimate.of(ep(state="scaledToZero", ready=0, target=0, min_replica=0, max_replica=2), 2.0)
    assert est.text() == ("$2.00 per replica-hour: $2.00/h with 1 replica, up to $4.00/h at 2 replicas."
                          " Scaled to zero it costs nothing.")
    # no scaling reported: one replica, scale-to-zero not claimed
    assert CostEstimate.of(ep(), 2.0).text() == "$2.00 per replica-hour: $2.00/h with 1 replica."
    # a form's new values win over the endpoint's
    assert CostEstimate.of(ep(min_replica=1, max_replica=1), 2.0, 3, 4).text() == \
        "$2.00 per replica-hour: $6.00/h with 3 replicas, up to $8.00/h at 4 replicas."


def test_unknown_price_says_so_everywhere():
    est = CostEstimate(None, 1, 3)
    assert est.text() == est.text("nvidia-a10g x1") == UNKNOWN
    assert est.line() == "Price: unknown"
    assert est.per_replica() == "hourly price unknown"
    assert est.hourly(2) is None


def test_text_names_the_hardware_and_line_matches():
    est = CostEstimate(1.0, 2, 3)
    assert est.text("nvidia-t4 x1") == \
        "nvidia-t4 x1 costs $1.00 per replica-hour: $2.00/h with 2 replicas, up to $3.00/h at 3 replicas."
    assert est.line() == "$1.00 per replica-hour → $2.00/h running, up to $3.00/h at 3 replicas"
    assert est.per_replica() == "$1.00/h per replica"
    assert est.hourly(3) == 3.0


def test_update_confirms_only_what_costs_more():
    old = CostEstimate(1.0, 1, 2)
    assert CostEstimate(1.0, 1, 2).change_text(old) is None
    assert CostEstimate(0.5, 0, 1).change_text(old) is None  # cheaper
    assert CostEstimate(2.0, 1, 2).change_text(old, "gpu x1") == (
        "Now: $1.00 per replica-hour, 1–2 replicas. "
        "After: gpu x1 costs $2.00 per replica-hour: $2.00/h with 1 replica, up to $4.00/h at 2 replicas.")
    assert CostEstimate(1.0, 1, 3).change_text(old) is not None  # more replicas at peak
    assert CostEstimate(1.0, 2, 2).change_text(old) is not None  # more while running
    # an unknown price on either side is always said before sending
    assert CostEstimate(1.0, 1, 2).change_text(CostEstimate(None, 1, 2)).startswith("After: $1.00")
    assert CostEstimate(None, 1, 2).change_text(old) == f"Now: $1.00 per replica-hour, 1–2 replicas. After: {UNKNOWN}"
