"""The Endpoints screen: a live table of Inference Endpoints and actions on keys.

It subscribes to two controllers and renders: ``EndpointPoller`` (one poll at
a time, backoff, "refreshing… Ns", state changes) and ``EndpointActions``
(pending words, "may have been applied", one summary for marked rows). What
stops or costs something asks first with the names and the price effect
(``endpoint_confirm``; ``[confirm] pause_resume`` relaxes p/r). Before the
first rows the table's body says why they are late; state changes seen while
another screen is shown are told on return, not toasted over the Playground.
The header's numbers go to the app as ``EndpointsStats``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Footer, Input

from hftui.client.errors import describe_error
from hftui.client.models import EndpointState as S
from hftui.controllers import endpoint_actions
from hftui.controllers.endpoint_actions import Action, ActionListener, EndpointActions
from hftui.controllers.endpoint_filter import make_filter
from hftui.controllers.cost import CostEstimate, burn_rate
from hftui.controllers.endpoint_poller import (EndpointPoller, PollListener, Transition, merge_transitions,
                                               transition_lines)
from hftui.keys import bindings_for
from hftui.sanitize import safe_url
from hftui.screens.base import HFScreen
from hftui.screens.endpoint_form_opener import ALL, FormOpener
from hftui.screens.spare import Spare
from hftui.widgets.endpoint_states import idle_reason, no_url_reason
from hftui.widgets.endpoint_table import EndpointTable
from hftui.widgets.header import AppHeader, EndpointsStats
from hftui.widgets.safe_text import one_line, safe_content
from hftui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from hftui.client import Catalog, Endpoint
    from hftui.screens.endpoint_form import EndpointFormScreen



class EndpointsScreen(FormOpener, HFScreen[None], PollListener, ActionListener):
    """See the module docstring. It is the listener of its poller and of its actions."""

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
        self.filter_text = ""
        self.faults_only = False
        self.catalog: Catalog | None = None
        self._spare_form: Spare[EndpointFormScreen] = Spare(self)
        """The next create form, built ahead (``FormOpener``)."""
        self.poller = EndpointPoller(self._fetch, self, interval=interval or 5.0)
        self.actions = EndpointActions(self)
        self._titles: tuple[str, str] | None = None
        self._missed: list[Transition] = []
        """State changes seen while another screen was shown (told on return, not over it)."""

    def has_first_data(self) -> bool:
        return self.poll_count > 0

    @property
    def poll_count(self) -> int:
        """Polls finished (ok or not); tests wait on it."""
        return self.poller.poll_count

    @property
    def interval(self) -> float:
        return self.poller.interval

    @property
    def last_error(self) -> str | None:
        return self.poller.last_error

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Input(placeholder="filter: text or regex over name, model, state — ! inverts — esc: back",
                    id="filter", classes="-hidden")
        yield EndpointTable(id="endpoint-table")
        yield StatusLine()
        yield Footer()

    @property
    def table(self) -> EndpointTable:
        return self.query_one(EndpointTable)

    def main_widget(self) -> EndpointTable:
        return self.table

    def on_mount(self) -> None:
        settings, whoami = self.app.settings, self.app.whoami
        if self._interval_arg is None:
            self.poller.interval = float(settings.refresh_interval or 5.0)
        self.poller.timeout = self.actions.timeout = settings.timeout
        self.namespace = self._namespace_arg or settings.namespace or (whoami.name if whoami else None) or ALL
        self.table.set_show_namespace(self.namespace == ALL)
        self.table.focus()
        self._update_title()
        self.status_line.set_status("Loading…")
        self._load_catalog()
        self.run_worker(self.poller.run(), group="endpoints-poll", exit_on_error=False, description="list endpoints")
        self.set_interval(1.0, self.poller.tick, name="endpoints-poll-clock")

    def on_screen_resume(self) -> None:
        self._post_stats()
        if self._missed:
            self._notify_transitions(self._missed, title="While you were away")
            self._missed = []

    # --- polling (hftui.controllers.endpoint_poller) ------------------------------------

    def poll_now(self) -> None:
        """Poll at once, or right after the poll in flight."""
        self.poller.poll_now()

    async def _fetch(self) -> list[Endpoint]:
        api = self.app.client.endpoints  # no client retries: a stalled server shows after one timeout, not four
        return await (api.list_all(retry=False) if self.namespace == ALL else api.list(self.namespace, retry=False))

    def polled(self, endpoints: list[Endpoint], transitions: list[Transition]) -> None:
        self.table.update(endpoints)
        self.actions.reconcile(endpoints)
        if transitions:
            if self in self.app.screen_stack:
                self._notify_transitions(transitions)
            else:  # a toast would cover the Playground's output: told when the user comes back
                self._missed = merge_transitions(self._missed, transitions)
                if any(S.parse(new).is_fault for _, _, new in transitions):
                    self.app.bell()
        self._update_title()

    def _notify_transitions(self, transitions: list[Transition], title: str | None = None) -> None:
        """One toast per state change (a summary past three, or when told late), one bell."""
        faults = [S.parse(new).is_fault for _, _, new in transitions]
        lines = transition_lines(transitions)
        if len(transitions) <= 3 and title is None:
            for line, fault in zip(lines, faults):
                self.notify(line, title="State changed", severity="error" if fault else "information", markup=False)
        else:
            head = f"{len(transitions)} endpoint{'s' if len(transitions) > 1 else ''} changed state"
            self.notify("\n".join(lines), title=f"{title}: {head}" if title else head,
                        severity="error" if any(faults) else "information", markup=False)
        self.app.bell()

    def status(self, text: str, kind: str | None = None) -> None:
        table = self.table
        if not table.loaded:  # until the first rows come, the table's body says why (an error, a slow poll)
            poller = self.poller
            table.loading_text = (f"⚠ Not listed, retrying in {poller.retry_in:g}s: {poller.last_error}"
                                  if kind == "error" else text if kind == "busy" else "Loading…")
            table.refresh()
        self.status_line.set_status(text, kind)

    def changed(self) -> None:
        self._update_title()
        self._post_stats()

    def broken(self, exc: BaseException) -> None:
        self.app.show_error(exc, title="Showing the endpoints failed")

    def pending(self, key: str, label: str | None) -> None:
        if label is None:
            self.table.clear_pending(key)
        else:
            self.table.set_pending(key, label)

    def answered(self, ep: Endpoint) -> None:
        self.table.update_one(ep)
        self.poller.seen(ep)
        self._post_stats()

    def failed(self, key: str, verb: str, exc: BaseException) -> None:
        self.app.show_error(exc, title=f"{verb} {one_line(key, 60)} failed")

    def warn(self, text: str, title: str | None = None) -> None:
        self.notify(text, title=title or "", severity="warning", markup=False, timeout=8)

    def poll_soon(self) -> None:
        if self.poller.enabled:
            self.poller.poll_soon(min(self.poller.interval, 1.0))

    @work(group="endpoints-catalog", exclusive=True, exit_on_error=False, description="hardware catalog")
    async def _load_catalog(self) -> None:
        namespace = None if self.namespace == ALL else self.namespace
        try:
            self.catalog = await self.app.client.endpoints.catalog(namespace)
        except Exception:
            try:  # the public list has the prices too
                self.catalog = await self.app.client.endpoints.catalog(None)
            except Exception as exc:
                self.notify(f"No hardware catalog, prices unknown: {describe_error(exc)}", severity="warning",
                            markup=False)
                return
        self.table.set_prices(self.catalog.hourly_cost)
        self._post_stats()

    def price_of(self, ep: Endpoint) -> float | None:
        return self.catalog.hourly_cost(ep) if self.catalog else None

    def _post_stats(self) -> None:
        eps = self.table.endpoints()
        running = sum(1 for ep in eps if ep.state is S.RUNNING)
        burn = burn_rate(eps, self.price_of) if self.catalog else None
        ns = None if self.namespace == ALL else self.namespace
        self.post_message(EndpointsStats(ns or "*", running, burn, self.interval, self.poller.state_word()))

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

    @property
    def status_line(self) -> StatusLine:
        return self.query_one(StatusLine)

    def note(self, text: str, kind: str | None = None, ttl: float | None = None) -> None:
        """An action's outcome, next to the poll's status for ``ttl`` seconds."""
        self.status_line.note(text, kind, ttl)

    # --- public ---------------------------------------------------------------------

    def set_namespace(self, namespace: str | None) -> None:
        """Show another namespace (None or ``*`` = all)."""
        namespace = ALL if namespace in (None, "", "*", "all") else namespace
        if namespace == self.namespace and self.table.loaded:
            return
        self.namespace = namespace
        self.table.clear()
        self.table.loading_text = "Loading…"
        self.table.set_show_namespace(namespace == ALL)
        if self.filter_text:
            self._apply_filter()
        self._update_title()
        self.status_line.set_status(f"Loading {'all namespaces' if namespace == ALL else namespace}…")
        self.poller.reset()

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

        whoami = self.app.whoami
        names = list(whoami.namespaces) if whoami else []
        if self.namespace != ALL and self.namespace not in names:
            names.append(self.namespace)

        def chosen(value: str | None) -> None:
            if value is not None:
                self.set_namespace(value)

        self.app.push_screen(NamespaceScreen(names, self.namespace), chosen)

    def action_refresh(self) -> None:
        self.status_line.set_status("Refreshing…", "busy")
        self.poll_now()

    def action_slower(self) -> None:
        self.notify(f"Refreshing every {self.poller.step(+1):g}s", timeout=2)

    def action_faster(self) -> None:
        self.notify(f"Refreshing every {self.poller.step(-1):g}s", timeout=2)

    # --- row actions (hftui.controllers.endpoint_actions) -------------------------------

    def _current(self) -> Endpoint | None:
        ep = self.table.cursor_endpoint
        if ep is None:
            self.notify("No endpoint selected.", severity="warning")
        return ep

    def _targets(self) -> list[Endpoint]:
        """The marked rows (space) when there are any, else the row under the cursor."""
        table = self.table
        marked = [ep for key in sorted(table.selected_keys) if (ep := table.get(key)) is not None]
        if marked:
            return marked
        ep = self._current()
        return [ep] if ep is not None else []

    def _start(self, eps: list[Endpoint], make: Callable[..., Action]) -> None:
        api = self.app.client.endpoints
        work = self.actions.start([(ep, make(api, ep)) for ep in eps])
        if work is not None:
            self.run_worker(work, group="endpoint-actions", exit_on_error=False,
                            description=f"{len(eps)} endpoint action(s)")

    def _ask_then(self, kind: str, eps: list[Endpoint], make: Callable[..., Action], *,
                  relaxed: bool = False) -> None:
        """Ask first (names, price effect; Cancel focused), then act. ``relaxed``: the user's
        ``[confirm]`` setting lets this one act at once (one endpoint only)."""
        from hftui.screens.endpoint_confirm import ask

        if relaxed and len(eps) == 1:
            self._start(eps, make)
        elif eps:
            self.app.push_screen(ask(kind, eps, self.price_of),
                                 lambda ok: self._start(eps, make) if ok else None)

    def action_pause(self) -> None:
        targets = self._targets()
        for ep in [ep for ep in targets if ep.state is S.PAUSED]:
            self.notify(f"{one_line(ep.key, 80)} is already paused.", markup=False)
        self._ask_then("pause", [ep for ep in targets if ep.state is not S.PAUSED], endpoint_actions.pause,
                       relaxed=not self.app.settings.confirm_pause_resume)

    def action_scale_to_zero(self) -> None:
        self._ask_then("scale_to_zero", self._targets(), endpoint_actions.scale_to_zero)

    def action_resume(self) -> None:
        self._ask_then("resume", self._targets(), endpoint_actions.resume,
                       relaxed=not self.app.settings.confirm_pause_resume)

    def action_delete(self) -> None:
        ep = self._current()
        if ep is None:
            return
        from hftui.screens.endpoint_confirm import stop_effect
        from hftui.screens.endpoint_delete import DeleteEndpointScreen

        self.app.push_screen(DeleteEndpointScreen(ep, effect=stop_effect(ep, self.price_of)[0]),
                             lambda ok: self._start([ep], endpoint_actions.delete) if ok else None)

    def _offer_resume(self, ep: Endpoint, then: Callable[[str | None], object], question: str, *,
                      confirm: str, refused: str, close: bool = False) -> None:
        """Offer to resume an idle endpoint (with its price) and wait until it runs; ``then(outcome)``;
        ``close``: the wait closes itself once it runs."""
        from hftui.screens.endpoint_confirm import offer_resume
        from hftui.screens.endpoint_wait import WaitScreen

        def chosen(resume: bool | None) -> None:
            if not resume:
                self.note(f"{refused}: {one_line(ep.key, 80)} {idle_reason(ep.state)} — press r to resume",
                          None, ttl=15)
                return
            self._start([ep], endpoint_actions.resume)
            self.app.push_screen(WaitScreen(ep, resuming=True, close_when_running=close), then)

        self.app.push_screen(offer_resume(ep, question, confirm, CostEstimate.of(ep, self.price_of(ep)).text()),
                             chosen)

    def action_wait(self) -> None:
        ep = self._current()
        if ep is None:
            return
        if not ep.state.is_idle:
            from hftui.screens.endpoint_wait import WaitScreen

            self.app.push_screen(WaitScreen(ep), lambda _r: self.poll_now())
            return
        # Waiting on an idle endpoint would only wait for the timeout: say so, offer to resume.
        self._offer_resume(ep, lambda _r: self.poll_now(), "waiting alone would only time out.\n\nResume it "
                           "and wait until it runs?", confirm="Resume and wait", refused="Not waiting")

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

            self.note(f"Copied URL {note()}", None, ttl=8)
            self.notify(f"Copied URL {note()}\n{one_line(ep.url, 120)}", timeout=4, markup=False)

    async def action_playground(self) -> None:
        ep = self._current()
        if ep is None:
            return
        if ep.state.is_idle:  # its requests would only get 503: offer to resume it first
            async def opened(outcome: str | None) -> None:
                self.poll_now()
                if outcome == "running":
                    await self._open_playground(self.table.get(ep.key) or ep)

            self._offer_resume(ep, opened, "its requests would fail until it runs.\n\nResume it, wait until it "
                               "runs, then open the Playground?", confirm="Resume and open", refused="Not opened",
                               close=True)
            return
        await self._open_playground(ep)

    async def _open_playground(self, ep: Endpoint) -> None:
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
