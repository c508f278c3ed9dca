"""The Endpoints screen: a live table of Inference Endpoints and actions on keys.

Polling (dolphie habit): one poll at a time; the next is scheduled only when
the previous one finished; on errors the delay doubles (up to 2 min) and the
status line says why while the last good rows stay. ``ctrl+r`` polls now.
A poll is one request, never retried by the client (the next poll is the
retry), so a stalled server shows as an error after one timeout; while a poll
is slow the status line counts the seconds ("refreshing… 4s"), the header says
"refreshing…".

Actions run in workers, show "⋯ pausing" in the row while in flight, apply
the server's answer to the row, and the next poll reconciles. Costly
actions (resume, scale-up, create) say the hourly price first.

The screen posts ``EndpointsStats`` (bubbles to the app) so the header can
show running count, burn rate and the refresh state.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from hftui.clock import now
from hftui.sanitize import safe_url
from hftui.keys import bindings_for
from hftui.client.models import EndpointState as S
from hftui.widgets.endpoint_states import idle_reason
from hftui.widgets.endpoint_table import EndpointTable
from hftui.widgets.header import AppHeader
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Catalog, Endpoint

ALL = "*"
"""Namespace value meaning the user and every org."""

INTERVALS = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0)
MAX_BACKOFF = 120.0
SLOW_POLL = 2.0
"""A poll running longer than this (seconds) is shown as "refreshing… Ns"."""


class EndpointsStats(Message):
    """Numbers for the header (handled by the app)."""

    def __init__(self, namespace: str | None, running: int, burn_per_hour: float | None, interval: float,
                 state: str) -> None:
        super().__init__()
        self.namespace = namespace
        self.running = running
        self.burn_per_hour = burn_per_hour
        self.interval = interval
        self.state = state


def make_filter(text: str, faults_only: bool, with_namespace: bool = False) -> Callable[[Endpoint], bool] | None:
    """``/`` text -> predicate over name, model and state (and namespace in the all-namespaces view).

    ``!`` inverts; a regex when the text has regex characters and compiles, else a substring.
    """
    text = text.strip()
    invert = text.startswith("!")
    if invert:
        text = text[1:].strip()
    match: Callable[[str], bool] | None = None
    if text:
        needle = text.lower()
        try:
            pattern = re.compile(text, re.IGNORECASE) if re.escape(text) != text else None
        except re.error:
            pattern = None
        if pattern is not None:
            match = lambda s: pattern.search(s) is not None  # noqa: E731
        else:
            match = lambda s: needle in s.lower()  # noqa: E731
    if match is None and not faults_only:
        return None

    def predicate(ep: Endpoint) -> bool:
        if faults_only and not ep.state.is_fault:
            return False
        if match is None:
            return True
        hit = match(ep.name) or match(ep.repository or "") or match(ep.raw_state) \
            or (with_namespace and match(ep.namespace))
        return not hit if invert else hit

    return predicate


def billed_replicas(ep: Endpoint) -> int:
    """Replicas being charged for: ready ones in any state but paused/scaled to zero (an
    ``updateFailed`` or ``updating`` endpoint keeps serving, and billing, on its old replicas),
    and the ones starting while ``initializing`` (billed from then on)."""
    if not ep.state.is_billed:
        return 0
    ready = ep.ready_replica or 0
    if ep.state is S.INITIALIZING or (ep.state is S.RUNNING and ep.ready_replica is None):
        return max(ready, ep.target_replica or 0)
    return ready


def burn_rate(endpoints, price: Callable[[Endpoint], float | None]) -> float | None:
    """Sum of billed replicas × $/replica-hour; None when nothing billed has a known price."""
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


class EndpointsScreen(Screen[None]):
    """See the module docstring."""

    title_text = "Endpoints"
    DEFAULT_CSS = """
    EndpointsScreen EndpointTable {
        border: round $primary-muted;
        border-title-color: $text;
        border-title-style: bold;
    }
    EndpointsScreen EndpointTable:focus { border: round $primary; }
    EndpointsScreen #filter { height: 1; border: none; padding: 0 1; background: $panel; }
    EndpointsScreen #filter.-hidden { display: none; }
    """

    BINDINGS = bindings_for("EndpointsScreen")
    FILTER_INPUT = "#filter"  # Esc on the table clears an active filter (HFTUIApp._clear_filter)

    def __init__(self, namespace: str | None = None, *, interval: float | None = None) -> None:
        super().__init__()
        self._namespace_arg = namespace
        self.namespace: str = ALL
        """The namespace shown: a user/org name or ``ALL``."""
        self._interval_arg = interval
        self.interval: float = interval or 5.0
        self.filter_text = ""
        self.faults_only = False
        self.catalog: Catalog | None = None
        self.last_error: str | None = None
        self.last_ok = None
        self.poll_count = 0
        """Polls finished (ok or not); tests wait on it."""
        self._failures = 0
        self._timer: Timer | None = None
        self._polling = False
        self._poll_started: float | None = None
        self._poll_again = False
        self._generation = 0
        self._deleting: set[str] = set()
        self._poll_status: tuple[str, str | None] = ("", None)
        self._poll_status_at = 0.0
        self._action_note: tuple[str, str | None, float | None, float] | None = None
        """(text, kind, expires at, set at)"""
        self._busy: dict[str, str] = {}
        self._unsure: dict[str, tuple[str, str, Callable[[Endpoint | None], bool], float]] = {}
        """Actions that got no answer: key -> (verb, done, applied(endpoint or None), deadline)."""
        self._titles: tuple[str, str] | None = None
        self.polling_enabled = True
        """False stops scheduling polls (screenshots); ctrl+r still polls once."""

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Input(placeholder="filter: text or regex over name, model, state — ! inverts — esc: back",
                    id="filter", classes="-hidden")
        yield EndpointTable(id="endpoint-table")
        yield Static("", id="status-line", markup=False)
        yield Footer()

    @property
    def table(self) -> EndpointTable:
        return self.query_one(EndpointTable)

    def main_widget(self) -> EndpointTable:
        return self.table

    def on_mount(self) -> None:
        app = self.app
        settings = getattr(app, "settings", None)
        if settings is not None and self._interval_arg is None:
            self.interval = float(settings.refresh_interval or 5.0)
        whoami = getattr(app, "whoami", None)
        ns = self._namespace_arg or (settings.namespace if settings else None) or (whoami.name if whoami else None)
        self.namespace = ns or ALL
        self.table.set_show_namespace(self.namespace == ALL)
        self.table.focus()
        self._update_title()
        self._set_status("Loading…")
        self._load_catalog()
        self.poll_now()
        self.set_interval(1.0, self._poll_tick, name="endpoints-poll-clock")

    def on_screen_resume(self) -> None:
        self._post_stats()

    # --- polling --------------------------------------------------------------------

    def poll_now(self) -> None:
        """Poll at once, or right after the poll in flight."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._polling:
            self._poll_again = True
            return
        import time

        self._polling = True
        self._poll_started = time.monotonic()
        self._poll()

    def poll_seconds(self) -> float | None:
        """How long the poll in flight has been running (None: no poll in flight)."""
        import time

        return time.monotonic() - self._poll_started if self._polling and self._poll_started else None

    def _poll_tick(self) -> None:
        """Once a second: a slow poll says so (the rows shown may be stale)."""
        seconds = self.poll_seconds()
        if seconds is None or seconds < SLOW_POLL:
            return
        kept = f" — showing rows from {self.last_ok:%H:%M:%S}" if self.last_ok else ""
        timeout = getattr(getattr(self.app, "settings", None), "timeout", None)
        limit = f" (gives up after {timeout:g}s)" if timeout else ""
        self._set_status(f"Refreshing… {seconds:.0f}s, no answer yet{limit}{kept}", "busy")
        self._post_stats()

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = None
        if not self.is_attached:
            return
        if delay <= 0:  # Textual timers cannot have a zero interval
            self.call_later(self.poll_now)
            return
        self._timer = self.set_timer(delay, self.poll_now, name="endpoints-poll")

    @work(group="endpoints-poll", exit_on_error=False, description="list endpoints")
    async def _poll(self) -> None:
        from hftui.client import HFError

        generation = self._generation
        namespace = self.namespace
        delay = self.interval
        try:
            client = self.app.client
            # No client retries: a stalled server must show after one timeout, not four.
            if namespace == ALL:
                endpoints = await client.endpoints.list_all(retry=False)
            else:
                endpoints = await client.endpoints.list(namespace, retry=False)
        except asyncio.CancelledError:
            self._polling = False
            self._poll_started = None
            raise
        except Exception as exc:  # typed HFError, or anything: keep the last good rows
            self._poll_started = None  # answered (with an error): no longer "refreshing…"
            if generation == self._generation:
                self._failures += 1
                delay = min(self.interval * (2 ** self._failures), MAX_BACKOFF)
                retry_after = getattr(exc, "retry_after", None)  # RateLimited: the server says when
                if isinstance(retry_after, (int, float)) and retry_after > delay:
                    delay = min(float(retry_after), 10 * MAX_BACKOFF)
                text = exc.user_message() if isinstance(exc, HFError) else f"{type(exc).__name__}: {exc}"
                self.last_error = text
                kept = f" — showing rows from {self.last_ok:%H:%M:%S}" if self.last_ok else ""
                self._set_status(f"⚠ {one_line(text, 300)} — retrying in {delay:g}s{kept}", "error")
                self._post_stats()
        else:
            self._poll_started = None
            if generation == self._generation:
                self._failures = 0
                self.last_error = None
                try:
                    self._apply_poll(endpoints)
                except Exception as exc:  # a bug here must not stop the polling
                    self.app.show_error(exc, title="Showing the endpoints failed")
        self.poll_count += 1
        self._polling = False
        self._poll_started = None
        if self._poll_again:
            self._poll_again = False
            delay = 0
        if self.polling_enabled or delay == 0:
            self._schedule(delay)

    def _apply_poll(self, endpoints: list[Endpoint]) -> None:
        table = self.table
        first = not table.loaded
        result = table.update(endpoints)
        if self._deleting:
            present = {ep.key for ep in endpoints}
            self._deleting &= present
            for key in self._deleting:
                table.set_pending(key, "deleting")
        if not first and result.transitions:
            self._notify_transitions(result.transitions)
        self.last_ok = now()
        if self._unsure:
            self._reconcile_unsure()
        self._update_title()
        self._set_status(f"Updated {self.last_ok:%H:%M:%S} · {table.row_count} endpoint"
                         f"{'' if table.row_count == 1 else 's'}")
        self._post_stats()

    def _notify_transitions(self, transitions) -> None:
        """One toast per state change (a summary past three), one bell per poll."""
        faults = any(S.parse(new).is_fault for _, _, new in transitions)
        transitions = [(one_line(k, 80), one_line(o, 30), one_line(n, 30)) for k, o, n in transitions]
        if len(transitions) <= 3:
            for key, old, new in transitions:
                severity = "error" if S.parse(new).is_fault else "information"
                self.notify(f"{key}: {old} → {new}", title="State changed", severity=severity, markup=False)
        else:
            lines = [f"{key}: {old} → {new}" for key, old, new in transitions[:5]]
            if len(transitions) > 5:
                lines.append(f"… and {len(transitions) - 5} more")
            self.notify("\n".join(lines), title=f"{len(transitions)} endpoints changed state",
                        severity="error" if faults else "information", markup=False)
        self.app.bell()

    @work(group="endpoints-catalog", exclusive=True, exit_on_error=False, description="hardware catalog")
    async def _load_catalog(self) -> None:
        namespace = None if self.namespace == ALL else self.namespace
        try:
            self.catalog = await self.app.client.endpoints.catalog(namespace)
        except Exception:
            try:  # the public list has the prices too
                self.catalog = await self.app.client.endpoints.catalog(None)
            except Exception as exc:
                self.notify(f"No hardware catalog, prices unknown: {_message(exc)}", severity="warning",
                            markup=False)
                return
        catalog = self.catalog
        self.table.set_prices(catalog.hourly_cost)
        self._post_stats()

    def price_of(self, ep: Endpoint) -> float | None:
        return self.catalog.hourly_cost(ep) if self.catalog else None

    def _post_stats(self) -> None:
        table = self.table
        eps = table.endpoints()
        running = sum(1 for ep in eps if ep.state is S.RUNNING)
        burn = burn_rate(eps, self.price_of) if self.catalog else None
        seconds = self.poll_seconds()
        if seconds is not None and seconds >= SLOW_POLL:
            state = f"refreshing… {seconds:.0f}s"
        elif self.last_error:
            state = "error"
        elif not table.loaded:
            state = "loading"
        elif not self.polling_enabled:
            state = "paused"
        else:
            state = "ok"
        ns = None if self.namespace == ALL else self.namespace
        self.post_message(EndpointsStats(ns or "*", running, burn, self.interval, state))

    # --- title, status ------------------------------------------------------------------

    def _update_title(self) -> None:
        table = self.table
        ns = "all" if self.namespace == ALL else self.namespace
        count = f"{table.visible_count}/{table.row_count}" if (self.filter_text or self.faults_only) \
            else f"{table.row_count}"
        title = f"Endpoints({one_line(ns, 40)})[{count}]"
        if self.filter_text:
            title += f" </{one_line(self.filter_text, 40)}>"
        if self.faults_only:
            title += " faults-only"
        subtitle = f"⟳ {self.interval:g}s"
        if (title, subtitle) != self._titles:  # setting a border title repaints the whole table
            self._titles = (title, subtitle)
            table.border_title = safe_content(title)
            table.border_subtitle = subtitle

    def _set_status(self, text: str, kind: str | None = None) -> None:
        """The poll's part of the status line (an action's recent outcome stays next to it)."""
        import time

        if (text, kind) != self._poll_status:
            self._poll_status_at = time.monotonic()
        self._poll_status = (text, kind)
        self._render_status()

    def _note(self, text: str, kind: str | None = None, ttl: float | None = None) -> None:
        """An action's outcome: shown until ``ttl`` seconds pass (None: until replaced)."""
        import time

        self._action_note = (text, kind, None if ttl is None else time.monotonic() + ttl, time.monotonic())
        self._render_status()

    def _render_status(self) -> None:
        import time

        text, kind = self._poll_status
        note = self._action_note
        if note is not None and note[2] is not None and time.monotonic() > note[2]:
            note = self._action_note = None
        if note is not None and (kind != "error" or note[3] >= self._poll_status_at):
            # A poll must not wipe out why an action failed a moment ago (a poll error that is
            # older than the action's outcome comes second).
            text, kind = f"{note[0]} · {text[0].lower()}{text[1:]}" if text else note[0], note[1]
        status = self.query_one("#status-line", Static)
        status.update(one_line(text, 400))
        status.set_class(kind == "error", "-error")
        status.set_class(kind == "busy", "-busy")

    # --- public ---------------------------------------------------------------------

    def set_namespace(self, namespace: str | None) -> None:
        """Show another namespace (None or ``*`` = all)."""
        namespace = ALL if namespace in (None, "", "*", "all") else namespace
        if namespace == self.namespace and self.table.loaded:
            return
        self.namespace = namespace
        self._generation += 1
        self._failures = 0
        self.last_error = None
        self.table.clear()
        self.table.set_show_namespace(namespace == ALL)
        if self.filter_text:
            self._apply_filter()
        self._update_title()
        self._set_status(f"Loading {'all namespaces' if namespace == ALL else namespace}…")
        self.poll_now()

    # --- filter / view ----------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.query_one("#filter", Input).add_class("-hidden")
        self.table.focus()

    def on_descendant_blur(self, event) -> None:
        box = self.query_one("#filter", Input)
        if event.widget is box and not box.value.strip():
            box.add_class("-hidden")

    def action_faults(self) -> None:
        self.faults_only = not self.faults_only
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.table.set_filter(make_filter(self.filter_text, self.faults_only, self.namespace == ALL))
        self._update_title()

    def action_namespace(self) -> None:
        from hftui.screens.endpoint_namespace import NamespaceScreen

        whoami = getattr(self.app, "whoami", None)
        names = whoami.namespaces if whoami else []
        if self.namespace != ALL and self.namespace not in names:
            names.append(self.namespace)

        def chosen(value: str | None) -> None:
            if value is not None:
                self.set_namespace(value)

        self.app.push_screen(NamespaceScreen(names, self.namespace), chosen)

    def action_refresh(self) -> None:
        self._set_status("Refreshing…", "busy")
        self.poll_now()

    def _change_interval(self, step: int) -> None:
        values = list(INTERVALS)
        current = min(range(len(values)), key=lambda i: abs(values[i] - self.interval))
        self.interval = values[max(0, min(len(values) - 1, current + step))]
        self._update_title()
        self._post_stats()
        if not self._polling and self.polling_enabled:
            self._schedule(self.interval)
        self.notify(f"Refreshing every {self.interval:g}s", timeout=2)

    def action_slower(self) -> None:
        self._change_interval(+1)

    def action_faster(self) -> None:
        self._change_interval(-1)

    # --- row actions ------------------------------------------------------------------

    def _current(self) -> Endpoint | None:
        ep = self.table.cursor_endpoint
        if ep is None:
            self.notify("No endpoint selected.", severity="warning")
        return ep

    def _run(self, ep: Endpoint, verb: str, pending: str, call, done: str,
             applied: Callable[[Endpoint | None], bool] | None = None) -> None:
        """Run ``call`` for ``ep``; ``applied(endpoint or None when gone)`` tells from a later poll
        whether an action that got no answer happened after all."""
        key = ep.key
        self._unsure.pop(key, None)
        if key in self._busy:
            self.notify(f"{one_line(key, 80)}: already {self._busy[key]}…", severity="warning", markup=False)
            return
        self._busy[key] = pending
        self.table.set_pending(key, pending)
        self._note(f"{verb} {key}…", "busy")
        self.run_worker(self._do(ep, verb, call, done, applied), group=f"action:{key}", exit_on_error=False,
                        description=f"{verb} {key}")

    async def _do(self, ep: Endpoint, verb: str, call, done: str, applied=None) -> None:
        from hftui.client import Endpoint as EndpointType

        key = ep.key
        try:
            result = await call()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if maybe_applied(exc):
                self._no_answer(key, verb, done, applied, exc)
            else:
                self._deleting.discard(key)  # a refused delete: the row is not going away
                self.app.show_error(exc, title=f"{verb} {key} failed")
                self._note(f"⚠ {verb} {key} failed: {_message(exc)}", "error", ttl=20)
        else:
            if isinstance(result, EndpointType):
                self.table.update_one(result)
            self._note(f"{done} {key}", None, ttl=5)
            self._post_stats()
            # Reconcile soon: the server moves on from the answer we got.
            if not self._polling and self.polling_enabled:
                self._schedule(min(self.interval, 1.0))
        finally:
            self._busy.pop(key, None)
            self.table.clear_pending(key)
            if key in self._deleting:
                self.table.set_pending(key, "deleting")

    def _no_answer(self, key: str, verb: str, done: str, applied, exc: BaseException | None = None) -> None:
        """The request went out but no answer came back: it may have been applied. The polls tell."""
        import time

        from hftui.client import ConnectionFailed

        if isinstance(exc, ConnectionFailed):  # cut, not slow: saying "no answer within 30s" would mislead
            what = f"the connection was cut ({one_line(exc.message, 120)})"
        else:
            timeout = getattr(getattr(self.app, "settings", None), "timeout", None)
            what = f"no answer within {timeout:g}s" if timeout else "no answer"
        text = (f"⏱ {verb} {one_line(key, 80)}: {what} — it may still have been applied; "
                "the next refresh will tell")
        self.notify(text, title="No answer", severity="warning", markup=False, timeout=8)
        self._note(text, "busy", ttl=60)
        if applied is not None:
            self._unsure[key] = (verb, done, applied, time.monotonic() + 60)
        if self._polling:
            self._poll_again = True
        elif self.polling_enabled:
            self._schedule(min(self.interval, 1.0))

    def _reconcile_unsure(self) -> None:
        """After a good poll: say whether each unanswered action happened after all."""
        import time

        table = self.table
        for key, (verb, done, applied, deadline) in list(self._unsure.items()):
            if applied(table.get(key)):
                del self._unsure[key]
                self._note(f"{done} {one_line(key, 80)} (no answer came, but the refresh shows it)", None, ttl=10)
            elif time.monotonic() > deadline:
                del self._unsure[key]
                if key in self._deleting:
                    self._deleting.discard(key)
                    table.clear_pending(key)
                self._note(f"⚠ {verb} {one_line(key, 80)}: not seen on the server — try again if needed",
                           "error", ttl=20)

    def _targets(self) -> list[Endpoint]:
        """The marked rows (space) when there are any, else the row under the cursor."""
        table = self.table
        marked = [ep for key in sorted(table.selected_keys) if (ep := table.get(key)) is not None]
        if marked:
            return marked
        ep = self._current()
        return [ep] if ep is not None else []

    def action_pause(self) -> None:
        eps = self.app.client.endpoints
        for ep in self._targets():
            if ep.state is S.PAUSED:
                self.notify(f"{one_line(ep.key, 80)} is already paused.", markup=False)
                continue
            self._run(ep, "Pausing", "pausing", lambda ep=ep: eps.pause(ep.namespace, ep.name), "Paused",
                      applied=lambda cur: cur is not None and cur.state is S.PAUSED)

    def action_scale_to_zero(self) -> None:
        eps = self.app.client.endpoints
        for ep in self._targets():
            self._run(ep, "Scaling to zero", "scaling to 0",
                      lambda ep=ep: eps.scale_to_zero(ep.namespace, ep.name), "Scaled to zero",
                      applied=lambda cur: cur is not None and cur.state is S.SCALED_TO_ZERO)

    def cost_text(self, ep: Endpoint, min_replica: int | None = None, max_replica: int | None = None) -> str:
        price = self.price_of(ep)
        lo = max(1, min_replica if min_replica is not None else (ep.min_replica or 0))
        hi = max(lo, max_replica if max_replica is not None else (ep.max_replica or lo))
        if price is None:
            return "Hourly price unknown (no catalog entry for this hardware)."
        text = f"${price:,.2f} per replica-hour: ${price * lo:,.2f}/h with {lo} replica{'s' if lo > 1 else ''}"
        if hi > lo:
            text += f", up to ${price * hi:,.2f}/h at {hi} replicas"
        return text + "."

    def action_resume(self) -> None:
        targets = self._targets()
        if not targets:
            return
        from hftui.widgets.confirm import ConfirmScreen

        eps = self.app.client.endpoints

        def confirmed(ok: bool | None) -> None:
            if ok:
                for ep in targets:
                    self._run(ep, "Resuming", "resuming", lambda ep=ep: eps.resume(ep.namespace, ep.name),
                              "Resumed", applied=lambda cur: cur is not None
                              and not cur.state.is_idle)

        if len(targets) == 1:
            title = f"Resume {targets[0].key}?"
            body = f"Billing starts when it is initializing. {self.cost_text(targets[0])}"
        else:
            title = f"Resume {len(targets)} endpoints?"
            lines = [f"{ep.name}: {self.cost_text(ep)}" for ep in targets[:8]]
            if len(targets) > 8:
                lines.append(f"… and {len(targets) - 8} more")
            prices = [self.price_of(ep) for ep in targets]
            if all(p is not None for p in prices):
                total = sum(p * max(1, ep.min_replica or 0) for p, ep in zip(prices, targets))
                lines.append(f"Together: ${total:,.2f}/h while running.")
            body = "Billing starts when they are initializing.\n" + "\n".join(lines)
        self.app.push_screen(ConfirmScreen(title, body, confirm="Resume", variant="warning"), confirmed)

    def action_delete(self) -> None:
        ep = self._current()
        if ep is None:
            return
        from hftui.screens.endpoint_delete import DeleteEndpointScreen

        eps = self.app.client.endpoints

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._deleting.add(ep.key)
                self._run(ep, "Deleting", "deleting", lambda: eps.delete(ep.namespace, ep.name), "Deleted",
                          applied=lambda cur: cur is None)

        self.app.push_screen(DeleteEndpointScreen(ep), confirmed)

    def action_wait(self) -> None:
        ep = self._current()
        if ep is None:
            return
        from hftui.screens.endpoint_wait import WaitScreen

        if not ep.state.is_idle:
            self.app.push_screen(WaitScreen(ep), lambda _r: self.poll_now())
            return
        # Waiting on an idle endpoint would only wait for the timeout: say so, offer to resume.
        from hftui.widgets.confirm import ConfirmScreen

        eps = self.app.client.endpoints

        def chosen(resume: bool | None) -> None:
            if not resume:
                self._note(f"Not waiting: {one_line(ep.key, 80)} {idle_reason(ep.state)} — "
                           "press r to resume", None, ttl=15)
                return
            self._run(ep, "Resuming", "resuming", lambda: eps.resume(ep.namespace, ep.name), "Resumed",
                      applied=lambda cur: cur is not None and not cur.state.is_idle)
            self.app.push_screen(WaitScreen(ep, resuming=True), lambda _r: self.poll_now())

        body = (f"{one_line(ep.key, 80)} {idle_reason(ep.state)}, so waiting alone would only "
                f"time out.\n\nResume it and wait until it runs? Billing starts when it is initializing. "
                f"{self.cost_text(ep)}")
        self.app.push_screen(ConfirmScreen(f"{ep.key} is {ep.raw_state}", body, confirm="Resume and wait",
                                           variant="warning"), chosen)

    def action_describe(self) -> None:
        ep = self._current()
        if ep is None:
            return
        from hftui.screens.endpoint_describe import DescribeScreen

        self.app.push_screen(DescribeScreen(ep, price=self.price_of(ep)))

    def action_logs(self) -> None:
        ep = self._current()
        if ep is None:
            return
        from hftui.screens.endpoint_logs import LogsScreen

        self.app.push_screen(LogsScreen(ep))

    def action_copy_url(self) -> None:
        ep = self._current()
        if ep is None:
            return
        if not ep.url:
            self.notify(no_url_reason(ep), severity="warning", markup=False)
            return
        if self.app.copy_to_clipboard_osc52(ep.url, single_line=True):
            from hftui.widgets.clipboard import note

            self._note(f"Copied URL {note()}", None, ttl=8)
            self.notify(f"Copied URL {note()}\n{one_line(ep.url, 120)}", timeout=4, markup=False)

    async def action_playground(self) -> None:
        ep = self._current()
        if ep is None:
            return
        from hftui.client import Target

        if not ep.url:
            self.notify(no_url_reason(ep, "; resume it first" if not ep.url_invalid else ""), severity="warning",
                        markup=False)
            return
        if safe_url(Target.for_endpoint(ep).url) is None:  # status.url is checked; its route path too
            self.notify(f"{one_line(ep.key, 80)}: the server's route path makes an invalid URL: not opened.",
                        severity="warning", markup=False)
            return
        await self.app.open_playground(Target.for_endpoint(ep), task=ep.task, endpoint=ep)

    def action_batch(self) -> None:
        ep = self._current()
        if ep is not None:
            self.app.open_batch(ep)

    def action_create(self) -> None:
        from hftui.screens.endpoint_form import EndpointFormScreen

        namespace = self.namespace if self.namespace != ALL else None
        whoami = getattr(self.app, "whoami", None)
        if namespace is None and whoami is not None:
            namespace = whoami.name
        self.app.push_screen(EndpointFormScreen(namespace=namespace, catalog=self.catalog), self._form_done)

    def action_update(self) -> None:
        ep = self._current()
        if ep is None:
            return
        from hftui.screens.endpoint_form import EndpointFormScreen

        self.app.push_screen(EndpointFormScreen(namespace=ep.namespace, catalog=self.catalog, endpoint=ep),
                             self._form_done)

    def _form_done(self, result: Endpoint | None) -> None:
        if result is not None:
            self.table.update_one(result)
            self.table.move_cursor_to(result.key)
            self._post_stats()
            self.poll_now()


def no_url_reason(ep: Endpoint, then: str = "") -> str:
    """Why ``ep`` has no URL to copy or try: not yet, or the server sent one that is not a URL."""
    if ep.url_invalid:
        return f"{one_line(ep.key, 80)}: the server sent an invalid URL (controls, spaces or not http/https): " \
               "not copied or opened."
    return f"{one_line(ep.key, 80)} has no URL yet ({one_line(ep.raw_state, 30)}){then}."


def maybe_applied(exc: BaseException) -> bool:
    """True when a request was sent but its answer never came (timeout, dropped connection):
    the server may have done it. Refused connections and timeouts while connecting were never sent."""
    from hftui.client import ConnectionFailed, Timeout

    if isinstance(exc, Timeout):
        text = exc.message or ""
        return "connecting to" not in text and "free connection" not in text
    if isinstance(exc, ConnectionFailed):
        text = exc.message or ""
        return "closed the connection" in text
    return False


def _message(exc: BaseException) -> str:
    from hftui.client import HFError

    return one_line(exc.user_message() if isinstance(exc, HFError) else f"{type(exc).__name__}: {exc}", 300)
