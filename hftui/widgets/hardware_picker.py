"""Hardware for an endpoint, from the catalog: vendor → region → accelerator → instance.

Every instance is labelled with its hourly price and the cost line under the
choices follows the replica range (``show_cost``). Each choice keeps what it
had when the one above it changes to a value it was already filled for, and
an update starts on the endpoint's own hardware (vendor and region fixed).

    picker = HardwarePicker(endpoint)      # endpoint None: a new one
    picker.set_catalog(catalog) / picker.unavailable()
    picker.selected()                      # Compute | None
    picker.show_cost(min_replica, max_replica)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Select, Static

from hftui.controllers.cost import CostEstimate, money
from hftui.widgets.form_rows import choice_value, form_row, placeholder, set_choices
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Catalog, Compute, Endpoint

CHOICES = (("Vendor", "vendor"), ("Region", "region"), ("Accelerator", "accelerator"), ("Instance", "instance"))


class HardwarePicker(Vertical):
    """See the module docstring."""

    DEFAULT_CSS = "HardwarePicker { height: auto; }"

    def __init__(self, endpoint: Endpoint | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.endpoint = endpoint
        self.catalog: Catalog | None = None
        self._replicas = (0, 1)
        self._filled: dict[str, Any] = {}
        """What each dependent Select was last filled for (``regions`` -> vendor, ...): a Changed
        event for the value just filled in refills nothing (the cascade ran ~20 fills per open)."""

    def compose(self) -> ComposeResult:
        moving = self.endpoint is None  # an update cannot move an endpoint to another vendor or region
        for label, key in CHOICES:
            yield from form_row(label, Select(placeholder("loading the catalog…"), id=key, compact=True,
                                              allow_blank=False,
                                              disabled=not moving and key in ("vendor", "region")), key)
        yield Static("", id="cost", markup=False)

    def value(self, key: str) -> Any:
        return choice_value(self.query_one(f"#{key}", Select))

    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._fill_vendors()

    def unavailable(self) -> None:
        for _, key in CHOICES:
            set_choices(self.query_one(f"#{key}", Select), [], None, empty="catalog unavailable")

    def computes(self) -> list[Compute]:
        """The instances of the chosen vendor and region."""
        catalog, vendor, region = self.catalog, self.value("vendor"), self.value("region")
        if catalog is None:
            return []
        return [c for r in catalog.regions if r.vendor == vendor and r.name == region for c in r.computes]

    def selected(self) -> Compute | None:
        cid = self.value("instance")
        return next((c for c in self.computes() if c.id == cid), None)

    def show_cost(self, min_replica: int, max_replica: int) -> None:
        self._replicas = (min_replica, max_replica)
        compute = self.selected()
        self.query_one("#cost", Static).update(
            CostEstimate(compute.price_per_hour, *self._replicas).line() if compute else "")

    # --- the cascade: each fill fills the choice under it ----------------------------

    def _fill_vendors(self) -> None:
        catalog, ep = self.catalog, self.endpoint
        if catalog is None:
            return
        vendors = catalog.vendors
        want = ep.vendor if ep and ep.vendor in vendors else None
        set_choices(self.query_one("#vendor", Select), [(safe_content(v, 60), v) for v in vendors], want)
        self._fill_regions()

    def _fill_regions(self) -> None:
        catalog, vendor, ep = self.catalog, self.value("vendor"), self.endpoint
        if catalog is None or vendor is None:
            return
        self._filled["regions"] = vendor
        regions = catalog.regions_of(vendor)
        names = [r.name for r in regions]
        set_choices(self.query_one("#region", Select),
                    [(safe_content(r.name + (f" ({r.label})" if r.label else ""), 80), r.name) for r in regions],
                    ep.region if ep and ep.region in names else None)
        self._fill_accelerators()

    def _fill_accelerators(self) -> None:
        if self.catalog is None:  # still loading, or unavailable: the choices already say so
            return
        self._filled["accelerators"] = (self.value("vendor"), self.value("region"))
        accels = list(dict.fromkeys(c.accelerator for c in self.computes()))
        ep = self.endpoint
        set_choices(self.query_one("#accelerator", Select), [(safe_content(a, 40), a) for a in accels],
                    ep.accelerator if ep and ep.accelerator in accels else None)
        self._fill_instances()

    def _fill_instances(self) -> None:
        if self.catalog is None:
            return
        accel = self.value("accelerator")
        self._filled["instances"] = (self.value("vendor"), self.value("region"), accel)
        computes = [c for c in self.computes() if c.accelerator == accel]
        ep = self.endpoint
        want = next((c.id for c in reversed(computes) if ep and
                     (c.instance_type, c.instance_size) == (ep.instance_type, ep.instance_size)), None)
        if want is None:
            want = next((c.id for c in computes if c.deployable), None)
        set_choices(self.query_one("#instance", Select), [(_instance_label(c), c.id) for c in computes], want)
        self.show_cost(*self._replicas)

    @on(Select.Changed, "#vendor")
    def _vendor_changed(self) -> None:
        if self._filled.get("regions") != self.value("vendor"):
            self._fill_regions()

    @on(Select.Changed, "#region")
    def _region_changed(self) -> None:
        if self._filled.get("accelerators") != (self.value("vendor"), self.value("region")):
            self._fill_accelerators()

    @on(Select.Changed, "#accelerator")
    def _accel_changed(self) -> None:
        if self._filled.get("instances") != (self.value("vendor"), self.value("region"), self.value("accelerator")):
            self._fill_instances()

    @on(Select.Changed, "#instance")
    def _instance_changed(self) -> None:
        self.show_cost(*self._replicas)


def _instance_label(c: Compute):
    label = f"{c.instance_type} {c.instance_size}"
    if c.price_per_hour is not None:
        label += f" · {money(c.price_per_hour)}/h"
    if c.gpu_memory_gb:
        label += f" · {c.gpu_memory_gb:g} GB"
    if not c.deployable:
        label += " · unavailable"
    return safe_content(one_line(label, 80))  # catalog = server data
