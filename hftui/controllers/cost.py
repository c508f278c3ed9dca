"""What endpoints cost, without Textual: one estimate behind every price the app shows.

    billed_replicas(ep)                      # replicas charged for right now
    burn_rate(endpoints, price)              # $/h of everything billed; None when no price is known
    est = CostEstimate.of(ep, price)         # or CostEstimate(price, min_replica, max_replica)
    est.text()          # "$1.30 per replica-hour: $1.30/h with 1 replica, up to $3.90/h at 3 replicas."
    est.line()          # the same, short enough for the line under the form's hardware picker
    est.per_replica()   # "$1.30/h per replica" (batch)
    est.change_text(old, what)   # the confirm text of an update, None when it costs no more

Prices are dollars per replica-hour from the hardware catalog; ``None`` means the
catalog has no entry for the hardware, and every text says so instead of $0.
A running endpoint bills at least one replica; ``min_replica == 0`` means it
scales to zero when idle, and then it costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hftui.client.models import Endpoint, EndpointState

UNKNOWN = "Hourly price unknown (no catalog entry for this hardware)."


def money(dollars: float) -> str:
    return f"${dollars:,.2f}"


def billed_replicas(ep: Endpoint) -> int:
    """Replicas being charged for: ready ones in any billed state (an ``updateFailed`` or
    ``updating`` endpoint keeps serving, and billing, on its old replicas), and the ones
    starting while ``initializing`` (billed from then on). A running endpoint whose ready
    count is not reported bills its target."""
    if not ep.state.is_billed:
        return 0
    ready = ep.ready_replica or 0
    if ep.state is EndpointState.INITIALIZING or (ep.state is EndpointState.RUNNING and ep.ready_replica is None):
        return max(ready, ep.target_replica or 0)
    return ready


def burn_rate(endpoints: Iterable[Endpoint], price: Callable[[Endpoint], float | None]) -> float | None:
    """Sum of billed replicas × $/replica-hour; None when nothing billed has a known price
    (a partial sum is still shown: it is a lower bound)."""
    total = 0.0
    unknown = False
    for ep in endpoints:
        replicas = billed_replicas(ep)
        if replicas <= 0:
            continue
        p = price(ep)
        if p is None:
            unknown = True
            continue
        total += replicas * p
    return None if unknown and total == 0 else total


@dataclass(frozen=True)
class CostEstimate:
    """The hourly cost of one endpoint's hardware over its replica range."""

    price: float | None
    """Dollars per replica-hour; None when unknown."""
    min_replica: int | None = None
    """None when not known (then scale-to-zero is not claimed)."""
    max_replica: int | None = None

    @classmethod
    def of(cls, ep: Endpoint, price: float | None, min_replica: int | None = None,
           max_replica: int | None = None) -> CostEstimate:
        """``ep``'s cost, with the replica range given (a form's new values) or its own."""
        return cls(price, ep.min_replica if min_replica is None else min_replica,
                   ep.max_replica if max_replica is None else max_replica)

    @property
    def running_replicas(self) -> int:
        """Replicas billed while it runs: at least one, even when it may scale to zero."""
        return max(1, self.min_replica or 0)

    @property
    def peak_replicas(self) -> int:
        return max(self.running_replicas, self.max_replica or 0)

    @property
    def scales_to_zero(self) -> bool:
        return self.min_replica == 0

    def hourly(self, replicas: int) -> float | None:
        """Dollars per hour at ``replicas`` replicas."""
        return None if self.price is None else self.price * replicas

    def _range(self, running: str) -> str:
        p, n, peak = self.price or 0.0, self.running_replicas, self.peak_replicas
        text = f"{money(p * n)}/h {running}"
        if peak > n:
            text += f", up to {money(p * peak)}/h at {peak} replicas"
        return text

    def text(self, what: str | None = None) -> str:
        """One or two sentences; ``what`` (the hardware) starts them when given."""
        if self.price is None:
            return UNKNOWN
        n = self.running_replicas
        head = f"{what} costs " if what else ""
        text = (f"{head}{money(self.price)} per replica-hour: "
                + self._range(f"with {n} replica{'s' if n > 1 else ''}") + ".")
        return text + (" Scaled to zero it costs nothing." if self.scales_to_zero else "")

    def line(self) -> str:
        """The one-line version shown under a hardware picker."""
        if self.price is None:
            return "Price: unknown"
        return (f"{money(self.price)} per replica-hour → " + self._range("running")
                + ("; $0 while scaled to zero" if self.scales_to_zero else ""))

    def per_replica(self) -> str:
        return "hourly price unknown" if self.price is None else f"{money(self.price)}/h per replica"

    def rate(self) -> str:
        """``$1.30 per replica-hour, 1–3 replicas`` (what an endpoint is set to now)."""
        price = "unknown price" if self.price is None else f"{money(self.price)} per replica-hour"
        return f"{price}, {self.min_replica or 0}–{self.max_replica or 0} replicas"

    def costs_more_than(self, old: CostEstimate) -> bool:
        """Could this cost more per hour than ``old``? True when either price is unknown."""
        if self.price is None or old.price is None:
            return True
        return (self.price > old.price or (self.min_replica or 0) > (old.min_replica or 0)
                or (self.max_replica or 0) > (old.max_replica or 0))

    def change_text(self, old: CostEstimate, what: str | None = None) -> str | None:
        """What an update to this estimate costs, said before it is sent; None when it costs no more."""
        if not self.costs_more_than(old):
            return None
        before = f"Now: {old.rate()}. " if old.price is not None else ""
        return before + "After: " + self.text(what)
