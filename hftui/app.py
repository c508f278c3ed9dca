"""The Textual app: one HF client, the header, screens by name, ``:`` and the palette.

Screens reach the session through the app (``client``, ``settings``, ``whoami``,
``history``, ``token``; typed for them by ``hftui.screens.base``) and open each
other through ``open_playground`` / ``open_models`` / ``open_endpoints`` /
``open_batch``. Errors reach the user through ``show_error`` only.

Screens are Textual *modes* created lazily on first use, so each keeps its
state (and its stack of modals) while another is shown. Once the first
screen has its data, the main screens are built in the background (warm-up).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import time
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from hftui import clock
from hftui.idle_gc import TICK as IDLE_GC_TICK
from hftui.idle_gc import IdleCollector
from hftui.key_hold import KeyHold
from hftui.keys import apply_keymap, bindings_for
from hftui.screens.base import HFScreen
from hftui.widgets.header import AppHeader, HeaderInfo
from hftui.widgets.safe_text import one_line

if TYPE_CHECKING:
    from textual.binding import Binding

    from hftui.auth import ResolvedToken, Secret
    from hftui.client import Endpoint, HFClient, ModelInfo, Target, WhoAmI
    from hftui.config import Settings
    from hftui.history import History

log = logging.getLogger(__name__)

SCREENS: dict[str, tuple[str, str, str]] = {
    "models": ("hftui.screens.models", "ModelsScreen", "Models"),
    "playground": ("hftui.screens.playground", "PlaygroundScreen", "Playground"),
    "endpoints": ("hftui.screens.endpoints", "EndpointsScreen", "Endpoints"),
    "history": ("hftui.screens.history", "HistoryScreen", "History"),
}
"""Mode name -> (module, class, title). Modules are imported on first use."""

WARM_SCREENS = ("models", "playground", "endpoints")
"""Composed in the background once the first screen is shown and idle (see ``_warm_up``)."""
FIRST_DATA_LONGEST = 10.0
"""The warm-up waits at most this long (seconds) for the first screen's data."""

LOOP_GROUPS = frozenset({"endpoints-poll"})
"""Worker groups of loops that live as long as their screen, asleep between rounds (``until_idle``)."""

WARM_MODULES = ("hftui.widgets.command_line", "hftui.screens.endpoint_form", "hftui.screens.endpoint_describe",
                "hftui.widgets.confirm")
"""Screens built anew on every open (the create form, ``:``, Describe): imported, and their CSS parsed,
in the background after the warm screens."""


class StartScreen(Screen[None]):
    """Shown while the token is checked."""

    DEFAULT_CSS = """
    StartScreen { align: center middle; }
    StartScreen > Static { width: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("Connecting to Hugging Face…", id="start-message")
        yield Footer()


def _system_commands():
    """The palette's system commands with plain-text titles (imported when the palette opens)."""
    from hftui.widgets.palette import PlainSystemCommands

    return PlainSystemCommands


class HFTUIApp(App[int]):
    """hftui."""

    TITLE = "hftui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {_system_commands}
    """Titles such as ``Endpoints: <org>`` hold server text: never markup (see widgets/palette.py)."""

    BINDINGS = bindings_for("HFTUIApp")

    header_info: var[HeaderInfo] = var(HeaderInfo)
    """What the header shows; screens change it via messages the app handles."""

    def __init__(self, settings: Settings, token: ResolvedToken | None, *, demo: bool = False,
                 first_screen: str | None = None, warm_screens: bool | None = None) -> None:
        super().__init__()
        from hftui.widgets.footer import install as install_stable_footer
        from hftui.widgets.toggles import install as install_toggle_glyphs

        install_toggle_glyphs()  # checkbox / radio state readable without colour, on every screen
        install_stable_footer()  # a screen switch does not rebuild an unchanged footer
        self.settings = settings
        self.demo = demo
        self.whoami: WhoAmI | None = None
        self.client: HFClient | None = None
        self._token = token
        self._history: History | None = None
        self._first_screen = first_screen if first_screen in SCREENS else None
        """None: Endpoints, or Models for a user without endpoints (``hftui.first_screen``)."""
        self.header_info = HeaderInfo(demo=demo, interval=None)
        # A frozen clock (tests, screenshots): no screen is opened but the ones a test opens.
        self.warm_screens = not clock.frozen() if warm_screens is None else warm_screens
        self._gc_frozen = False
        self._idle_gc = IdleCollector(busy=self.is_busy)
        """After the warm-up, full garbage collections run while nobody types (``hftui.idle_gc``)."""
        self._emulator = None
        """The demo's emulator when the login screen started it (``start_demo``)."""
        self.previous_screen: str | None = None
        """The screen shown before the current one (History's Esc goes back to it)."""
        self.key_hold = KeyHold(self)
        """Buffers keys typed while a screen or form is being built (``hftui.key_hold``)."""
        for name in SCREENS:
            self.add_mode(name, self._screen_factory(name))

    # --- lifecycle ------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return StartScreen()

    async def on_mount(self) -> None:
        apply_keymap(self, self.settings.keymap)
        if self._token is None:
            self._show_login(None)
            return
        # The client (httpx2) is imported and opened after the first frame: start-up stays fast.
        self.call_after_refresh(self._check_token)

    async def on_unmount(self) -> None:
        await self._close_client()
        if self._emulator is not None:
            self._emulator.close()
        self._idle_gc.stop()
        if self._gc_frozen:
            gc.unfreeze()

    async def start_demo(self) -> None:
        """From the login screen's Esc: the demo (as ``hftui --demo``) in this process, its own data dir."""
        from hftui.demo import start_demo

        self._emulator, self._token = await asyncio.to_thread(start_demo)
        self.settings = self.settings.with_base_url(self._emulator.base_url)
        self.demo = True
        self._update_header(demo=True)
        if self.screen.__class__.__name__ == "LoginScreen":
            self.pop_screen()
        self._check_token()

    async def _open_client(self, token: Secret, source: str | None) -> None:
        from hftui.client import HFClient

        await self._close_client()
        client = HFClient(self.settings, token, token_source=source)
        await client.__aenter__()
        self.client = client

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                await client.__aexit__(None, None, None)
            except Exception:  # closing must never crash the exit path
                log.debug("closing the client failed", exc_info=True)

    @work(exclusive=True, group="whoami", exit_on_error=False)
    async def _check_token(self) -> None:
        from hftui.client import AuthError, HFError

        if self.client is None:
            await self._open_client(self._token.token, self._token.source)
        try:
            self.whoami = await self.client.hub.whoami()
        except AuthError as exc:
            self._show_login(exc.user_message())
            return
        except HFError as exc:
            self.show_error(exc)
        self._update_header(user=self.whoami.name if self.whoami else None)
        await self._open_first_screen()

    def _show_login(self, message: str | None) -> None:
        from hftui.screens.login import LoginScreen

        self.push_screen(LoginScreen(message))

    async def login_with(self, token: Secret) -> None:
        """Validate ``token`` with whoami, save it, and open the first screen.

        Raises the client's typed error when the token is refused.
        """
        from hftui.auth import ResolvedToken, save_token
        from hftui.client import HFClient

        probe = HFClient(self.settings, token, token_source="login")
        async with probe:
            me = await probe.hub.whoami()
        path = save_token(token)
        self._token = ResolvedToken(token, str(path))
        await self._open_client(token, str(path))
        self.whoami = me
        self._update_header(user=me.name)
        # An app worker, not this call's: the login screen's worker (the caller) is cancelled
        # as soon as the screen is popped, which could stop halfway to the first screen.
        self.run_worker(self._open_first_screen(), group="first-screen", exclusive=True, exit_on_error=False)
        if self.screen.__class__.__name__ == "LoginScreen":
            self.pop_screen()

    async def _open_first_screen(self) -> None:
        await self.switch_mode(await self._choose_first_screen())
        self._start_warm_up()

    async def _choose_first_screen(self) -> str:
        if self._first_screen is None:
            from hftui.first_screen import first_screen

            self._first_screen = await first_screen(self.client, self.whoami, self.settings)
        return self._first_screen

    # --- screens --------------------------------------------------------------------

    def _screen_factory(self, name: str):
        def make() -> Screen:
            module_name, class_name, _ = SCREENS[name]
            return getattr(importlib.import_module(module_name), class_name)()

        return make

    def switch_to(self, name: str) -> Awaitable[Screen | None]:
        """Show screen ``name`` (created on first use); returns its base screen.

        Keys typed from this call on wait until the screen is shown and ready for them
        (``hftui.key_hold``): the hold starts here, not when a worker gets to run the awaitable.
        """
        return self.keys_held_while(self._switch_to(name), typing_only=name == "playground")

    def keys_held_while(self, work: Awaitable[Any], *, typing_only: bool = True,
                        longest: float = 5.0) -> Awaitable[Any]:
        """``work``, with the keys typed from now until it is done held (``hftui.key_hold``)."""
        token = self.key_hold.hold(longest=longest, typing_only=typing_only)

        async def run() -> Any:
            try:
                return await work
            finally:
                self.key_hold.release(token)

        return run()

    async def _switch_to(self, name: str) -> Screen | None:
        if name not in SCREENS:
            return None
        if self.client is None or (self._token is None and self.whoami is None):
            connecting = self._token is not None and self.whoami is None
            self.notify("Still connecting…" if connecting else "Log in first.", severity="warning")
            return None
        if self.current_mode in SCREENS and self.current_mode != name:
            self.previous_screen = self.current_mode
        # Leave any login/start screen that sits on the default stack.
        await self.switch_mode(name)
        screen = self.screen_stack[0] if self.screen_stack else self.screen
        self._ensure_header(screen)
        self._update_header(screen=SCREENS[name][2])
        arrived = getattr(self.screen, "on_arrival", None)
        if arrived is not None:
            arrived()  # the Playground puts the focus in its form before the next key is handled
        ready = getattr(self.screen, "keys_ready", None)
        if ready is not None and not ready():  # its form is still on its way (the Playground)
            self.key_hold.hold(ready, typing_only=True)
        return screen

    async def action_switch_to(self, name: str) -> None:
        await self.switch_to(name)

    def _ensure_header(self, screen: Screen) -> None:
        if screen.is_mounted and not screen.query(AppHeader):
            screen.mount(AppHeader())

    def _mode_screen(self, name: str) -> Screen | None:
        stack = self._screen_stacks.get(name)
        return stack[0] if stack else None

    def open_playground(self, target: Target | None = None, *, task: str | None = None,
                        model: ModelInfo | None = None, endpoint: Endpoint | None = None) -> Awaitable[None]:
        """Keys typed from this call on wait for the Playground's form (they type into it)."""
        return self.keys_held_while(self._open_playground(target, task, model, endpoint))

    async def _open_playground(self, target: Target | None, task: str | None, model: ModelInfo | None,
                               endpoint: Endpoint | None) -> None:
        from hftui.screens.playground import PlaygroundScreen

        screen = await self._switch_to("playground")
        if not isinstance(screen, PlaygroundScreen):  # not connected yet: switch_to said so
            return
        try:
            screen.set_target(target=target, task=task, model=model, endpoint=endpoint)
        except Exception as exc:
            self.show_error(exc)

    def open_models(self, search: str | None = None) -> Awaitable[None]:
        return self.keys_held_while(self._open_models(search), typing_only=False)

    async def _open_models(self, search: str | None) -> None:
        from hftui.screens.models import ModelsScreen

        screen = await self._switch_to("models")
        if search and isinstance(screen, ModelsScreen):
            screen.set_search(search)

    def open_endpoints(self, namespace: str | None = None) -> Awaitable[None]:
        return self.keys_held_while(self._open_endpoints(namespace), typing_only=False)

    async def _open_endpoints(self, namespace: str | None) -> None:
        from hftui.screens.endpoints import EndpointsScreen

        screen = await self._switch_to("endpoints")
        if namespace is not None and isinstance(screen, EndpointsScreen):
            screen.set_namespace(None if namespace in ("*", "all") else namespace)

    def open_batch(self, endpoint: Endpoint | None) -> None:
        from hftui.screens.batch import BatchScreen

        try:
            self.push_screen(BatchScreen(endpoint))
        except Exception as exc:
            self.show_error(exc)

    # --- warm-up ----------------------------------------------------------------------

    def _start_warm_up(self) -> None:
        if self.warm_screens:
            self.run_worker(self._warm_up(), group="warm-up", exclusive=True, exit_on_error=False,
                            description="compose the other screens")

    async def _warm_up(self) -> None:
        """Compose the main screens not opened yet, one at a time, whenever the app is idle.

        A first open then costs what a switch costs (the screen is built, laid out and has
        its data) instead of ~0.5 s. This runs after the first frame, off the start-up path.
        A screen built here is exactly what its first open would build: Textual's own mode
        initialisation, only without making it the current screen.
        """
        # The Endpoints poller is a loop that ``until_idle`` does not wait for: its first poll is.
        first, end = self.screen, time.monotonic() + FIRST_DATA_LONGEST
        while isinstance(first, HFScreen) and not first.has_first_data() and time.monotonic() < end:
            await asyncio.sleep(0.05)
        for name in WARM_SCREENS:
            await self.until_idle()
            try:
                self.get_screen_stack(name)
                continue  # opened meanwhile
            except KeyError:
                pass
            try:
                await self._init_mode(name)
                screen = self.get_screen_stack(name)[0]
                # Textual re-applies the whole app's CSS (0.1–0.3 s) when a screen is first shown
                # unless the screen is up to date with it: bring it up to date now, in the background.
                self.stylesheet.update(screen, animate=False)
                if isinstance(screen, HFScreen):
                    screen.mark_styled()
            except Exception:  # a screen that cannot be built fails on its real first open, with a message
                log.debug("warming up %s failed", name, exc_info=True)
                break
        await self.until_idle()
        await self._warm_modules()
        # What is alive now (the screens, their widgets) mostly lives as long as the app: out of
        # the collector's reach, its full passes take ~20 ms instead of 0.1–0.25 s (they landed
        # mid-keypress). The price: a cycle among these objects dropped later is never freed (a
        # one-off, bounded by what exists now).
        await self.until_idle()
        gc.collect()
        gc.freeze()
        self._gc_frozen = True
        self._idle_gc.start()
        self.set_interval(IDLE_GC_TICK, self._idle_gc.tick)
        # After the freeze: a spare is used once and dropped, the collector must reach it.
        await self.until_idle()
        self._prepare_spares()

    def _prepare_spares(self) -> None:
        """Let each open main screen build, in the background, what it opens anew on a key (``prepare_spares``)."""
        for name in WARM_SCREENS:
            try:
                screen = self.get_screen_stack(name)[0]
            except (KeyError, IndexError):
                continue
            if isinstance(screen, HFScreen):
                screen.prepare_spares()

    async def prebuild(self, screen: HFScreen) -> None:
        """Compose, mount, style and lay out ``screen`` now, off screen: pushing it later costs what
        showing a built screen costs. A screen built anew on a key spends ~0.5 s on this (compose,
        mount, a CSS pass over every widget) between the key and its first frame."""
        _, await_mount = self._get_screen(screen)
        await await_mount
        self._load_screen_css(screen)
        self.stylesheet.update(screen, animate=False)
        screen.mark_styled()
        screen._screen_resized(self.size)

    async def _warm_modules(self) -> None:
        """Import ``WARM_MODULES`` and parse their widgets' CSS now. On a first open, a widget class
        new to the app adds its DEFAULT_CSS and Textual re-parses the whole stylesheet (~0.1 s) before
        the screen is shown: done here, in the background, that open costs what the next ones cost."""
        import types

        from textual.dom import DOMNode

        added = False
        for name in WARM_MODULES:
            try:
                module = await asyncio.to_thread(importlib.import_module, name)
            except Exception:  # a module that cannot load fails on its real first open, with a message
                log.debug("warming %s failed", name, exc_info=True)
                continue
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, DOMNode) and value.__module__ == name:
                    bases = types.SimpleNamespace(_node_bases=value._css_bases(value))
                    for read_from, css, tie_breaker, scope in DOMNode._get_default_css(bases):  # type: ignore[arg-type]
                        if not self.stylesheet.has_source(*read_from):
                            self.stylesheet.add_source(css, read_from=read_from, is_default_css=True,
                                                       tie_breaker=tie_breaker, scope=scope)
                            added = True
        if added:
            self.stylesheet.reparse()

    async def until_idle(self, quiet: float = 0.3, longest: float = 3.0) -> None:
        """Wait until no worker but this one has run for ``quiet`` seconds (at most ``longest``).

        Workers that live as long as their screen and mostly sleep (``LOOP_GROUPS``) do not count:
        the Endpoints poller is always "running", which made every wait here last ``longest``."""
        from textual.worker import get_current_worker

        me = get_current_worker()
        end = time.monotonic() + longest
        idle_since = time.monotonic()
        while (now := time.monotonic()) < end:
            if self.is_busy(but=me):
                idle_since = now
            elif now - idle_since >= quiet:
                return
            await asyncio.sleep(0.05)

    def is_busy(self, but: object = None) -> bool:
        """A worker other than ``but`` is running (a run, a load, a build), ``LOOP_GROUPS`` aside."""
        return any(w.is_running and w is not but and w.group not in LOOP_GROUPS for w in self.workers)

    def update_styles(self, node, animate: bool = True) -> None:
        """Textual restyles a node whenever its classes change, even one not in the DOM yet: each
        Input restyles itself twice while it is constructed (its compact and valid classes), ~2 ms
        each, dozens per form. A node is styled anyway when it is mounted (registered), so the
        restyle of a node that has no parent is skipped."""
        if node is not self and node.parent is None:
            return
        super().update_styles(node, animate)

    async def action_quit(self) -> None:
        """Quit once what is mounting has mounted (at most a second): a quit that lands while the
        warm-up or a spare builds a screen in the background stopped the app with widgets half
        mounted, and those that mount after the app stops fail (a pty test's ``ctrl+q`` on a loaded
        machine exited with status 1)."""
        await self._until_mounted()
        self.exit(0)

    async def _shutdown(self) -> None:
        """Textual's shutdown, once what is mounting has mounted (at most a second).

        The test pilot shuts the app down as soon as a test ends: a test that ended right after
        opening the Playground closed it while its Selects were still mounting, each failed in
        its own Mount (its children removed under it) and the run failed with those tracebacks.
        (A quit by key or ``:q`` waits in ``action_quit`` already.) Hooked on a private name: if
        Textual renames it, this is not called and shutting down is as before."""
        await self._until_mounted()
        await super()._shutdown()

    async def _until_mounted(self, longest: float = 1.0) -> None:
        from textual.widget import Widget

        end = time.monotonic() + longest
        while time.monotonic() < end:
            nodes = list(getattr(self, "_registry", ()))
            if all(node.is_mounted for node in nodes if isinstance(node, Widget) and node.is_running):
                return
            await asyncio.sleep(0.01)

    # --- helpers for every screen ------------------------------------------------------

    @property
    def history(self) -> History:
        """The run history (``{data_dir}/history.sqlite3``), one for the session; opened on first use."""
        if self._history is None:
            from hftui.history import History

            self._history = History.default()
        return self._history

    @property
    def token(self) -> Secret | None:
        """The session's token (a Secret: never displayed), None before login."""
        return self._token.token if self._token is not None else None

    def copy_to_clipboard_osc52(self, text: str, *, single_line: bool = False, token_ok: bool = False) -> bool:
        """Copy ``text`` with OSC 52, or refuse it and say why (too long, or controls in it:
        ``single_line`` for a URL or an id, which must not hold a line break either; the token, but
        when ``token_ok``: the user asked for it)."""
        from hftui.widgets.clipboard import copy, refusal

        reason = refusal(text, single_line=single_line, token_ok=token_ok)
        if reason is not None:
            self.notify(reason, severity="warning", markup=False)
            return False
        return copy(self, text, single_line=single_line, token_ok=token_ok)

    def show_error(self, exc_or_text: BaseException | str, *, title: str | None = None) -> None:
        """The one way errors reach the user: a readable, escaped message, never a traceback."""
        from hftui.client import HFError

        if isinstance(exc_or_text, HFError):
            text, head = exc_or_text.user_message(), title or exc_or_text.title
        elif isinstance(exc_or_text, BaseException):
            log.debug("unexpected error", exc_info=exc_or_text)
            text, head = f"{type(exc_or_text).__name__}: {exc_or_text}", title or "Error"
        else:
            text, head = str(exc_or_text), title or "Error"
        self.notify(one_line(text, 500), title=one_line(head, 60), severity="error", markup=False, timeout=8)

    def on_endpoints_stats(self, message) -> None:  # hftui.widgets.header.EndpointsStats
        self._update_header(namespace=message.namespace, running=message.running,
                            burn_per_hour=message.burn_per_hour, interval=message.interval, state=message.state)

    def _update_header(self, **changes: Any) -> None:
        from dataclasses import replace

        if self.whoami and "user" not in changes and not self.header_info.user:
            changes["user"] = self.whoami.name
        self.header_info = replace(self.header_info, **changes)

    # --- keys -----------------------------------------------------------------------

    async def on_event(self, event) -> None:
        from textual import events

        if isinstance(event, (events.Key, events.MouseEvent)):
            self._idle_gc.input_seen()
        if isinstance(event, events.Key) and not event.is_forwarded and self.key_hold.take(event):
            return  # a screen or form is on its way: the key waits for it (hftui.key_hold)
        await super().on_event(event)

    async def on_key_hold_replay(self, message: KeyHold.Replay) -> None:
        message.stop()
        await self.key_hold.replay(super().on_event)

    def action_focus_main(self) -> None:
        from hftui.key_hold import is_text_field

        if not is_text_field(self.focused):
            self._clear_filter()  # back one level: an active filter goes before anything else
            return
        main = getattr(self.screen, "main_widget", None)
        if callable(main):
            main = main()
        if main is None:
            for selector in ("EndpointTable", "DataTable", "ListView", "OptionList", "Tree"):
                found = self.screen.query(selector)
                if found:
                    main = found.first()
                    break
        if main is not None and main.focusable:
            main.focus()
        else:
            self.screen.set_focus(None)

    def _clear_filter(self) -> bool:
        """Clear the current screen's active filter: its ``clear_filter()``, or the text of its
        ``FILTER_INPUT`` field (Endpoints' ``/``). False when no filter was active."""
        screen = self.screen
        clear = getattr(screen, "clear_filter", None)
        if callable(clear):
            return bool(clear())
        selector = getattr(screen, "FILTER_INPUT", None)
        found = screen.query(selector) if selector else []
        box = found.first() if found else None
        if isinstance(box, Input) and box.value:
            box.value = ""  # Changed -> the screen shows every row again
            box.add_class("-hidden")  # a filter line shown while it filters (Endpoints) goes with it
            return True
        return False

    def action_pick(self, selector: str) -> None:
        """Focus (and open, for a list) the control ``selector`` of the current screen: the
        Playground's ctrl+t / ctrl+o / ctrl+l (``hftui.keys``), from inside a text field too."""
        from hftui.widgets.pickers import open_picker

        found = self.screen.query(selector)
        if not found or not open_picker(found.first()):
            self.bell()

    def action_help(self) -> None:
        from hftui.screens.help import HelpScreen, rows_for

        screen = self.screen
        if screen.__class__.__name__ == "HelpScreen":
            return
        title = getattr(screen, "title_text", None) or screen.__class__.__name__.removesuffix("Screen")
        self.push_screen(HelpScreen(str(title), rows_for(screen)))

    def action_command_line(self) -> None:
        from hftui.widgets.command_line import CommandLine

        if isinstance(self.screen, CommandLine):
            return
        calling = self.screen

        def done(text: str | None) -> None:
            if text:  # what is typed right after enter waits for the command's screen
                self.run_worker(self.keys_held_while(self.run_command_line(text, calling), typing_only=False),
                                group="command-line", exit_on_error=False)

        suggestions = [":ep", ":models", ":play", ":history", ":batch", ":q", ":help"]
        suggestions += [f":{name}" for name, *_ in self._screen_actions(calling)]
        namespaces = list(self.whoami.namespaces) if self.whoami else []
        self.push_screen(CommandLine(suggestions, arguments={"namespaces": [*namespaces, "*"]}, runs=self.history),
                         done)

    def _screen_actions(self, screen: Screen) -> list[tuple[str, Binding, Any]]:
        """(command word, binding, node) for the screen's own bindings, e.g. ``pause``."""
        out = []
        seen = set()
        for _key, active in screen.active_bindings.items():
            b = active.binding
            if b.system or not b.id or active.node is self:
                continue
            word = b.id.rsplit(".", 1)[-1].replace("-", "_")
            if word in seen:
                continue
            seen.add(word)
            out.append((word, b, active.node))
        return out

    async def run_command_line(self, text: str, screen: Screen | None = None) -> bool:
        """Run one ``:`` command; False (and a message) when it is not understood."""
        from hftui.widgets.command_line import parse

        cmd = parse(text)
        if cmd is None:
            return False
        screen = screen or self.screen
        if cmd.known:
            if cmd.name == "quit":
                await self.action_quit()
            elif cmd.name == "endpoints":
                await self.open_endpoints(cmd.arg)
            elif cmd.name == "models":
                await self.open_models(cmd.arg)
            elif cmd.name == "playground":
                if cmd.arg:
                    from hftui.client import Target

                    await self.open_playground(Target.router(cmd.arg))
                else:
                    await self.open_playground()
            elif cmd.name == "history":
                await self.switch_to("history")
            elif cmd.name == "help":
                self.action_help()
            elif cmd.name == "batch":
                action = getattr(screen, "action_batch", None)
                if action is not None:
                    await self.run_action("batch", screen)
                else:
                    self.open_batch(None)
            return True
        wanted = cmd.name
        for word, b, node in self._screen_actions(screen):
            action_name = b.action.split("(", 1)[0]
            if wanted in (word, action_name, (b.description or "").lower().replace(" ", "_")):
                await self.run_action(b.action, node)
                return True
        self.notify(f"Unknown command :{one_line(text.lstrip(':'), 60)} — try :help", severity="warning",
                    markup=False)
        return False

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for name, (_m, _c, title) in SCREENS.items():
            yield SystemCommand(f"Go to {title}", f"Show the {title} screen",
                                lambda name=name: self.run_worker(self.switch_to(name), exit_on_error=False))
        yield SystemCommand("Endpoints: all namespaces", "List the endpoints of the user and every org",
                            lambda: self.run_worker(self.open_endpoints("*"), exit_on_error=False))
        for ns in (self.whoami.namespaces if self.whoami else []):
            yield SystemCommand(f"Endpoints: {one_line(ns, 60)}", f"List the endpoints of {one_line(ns, 60)}",
                                lambda ns=ns: self.run_worker(self.open_endpoints(ns), exit_on_error=False))
        yield SystemCommand("Command line", "Type a : command", self.action_command_line)
        yield SystemCommand("Keys", "Show this screen's keys", self.action_help)
        for word, b, node in self._screen_actions(screen):
            title = b.description or word
            yield SystemCommand(f"{title} ({self.get_key_display(b)})", b.tooltip or title,
                                lambda b=b, node=node: self.run_worker(self.run_action(b.action, node),
                                                                      exit_on_error=False))
        yield SystemCommand("Theme", "Change the current theme", self.action_change_theme)
        yield SystemCommand("Quit", "Quit hftui", self.action_quit)
