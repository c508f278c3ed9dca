"""The one-line app header: ``hftui · user@namespace · 3 running · $4.20/h · ⟳ 5s ok``.

Every screen shows it (the app mounts one on screens that do not compose
it). It renders ``app.header_info`` and follows it with a watch, so screens
never talk to the header directly: the Endpoints screen posts
``EndpointsStats`` and the app updates ``header_info``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from hftui.widgets.safe_text import one_line


@dataclass(frozen=True)
class HeaderInfo:
    user: str | None = None
    namespace: str | None = None
    running: int | None = None
    burn_per_hour: float | None = None
    interval: float | None = None
    state: str = ""
    demo: bool = False
    screen: str = ""


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


_SECONDS_COUNT = re.compile(r"\s+\d+s$")


def header_text(info: HeaderInfo) -> str:
    """The plain header line (also what tests assert on).

    A state's running seconds count ("refreshing… 4s") is left out: the status line of the
    screen counts, and a count here would redraw the whole header line every second.
    """
    parts = ["hftui"]
    if info.user:
        ns = info.namespace or info.user
        parts.append(f"{one_line(info.user, 40)}@{one_line(ns, 40)}")
    if info.running is not None:
        parts.append(f"{info.running} running")
    if info.burn_per_hour is not None:
        parts.append(f"${info.burn_per_hour:,.2f}/h")
    if info.interval is not None:
        interval = f"{info.interval:g}s"
        state = _SECONDS_COUNT.sub("", one_line(info.state, 40))
        parts.append(f"⟳ {interval} {state}".rstrip())
    return " · ".join(parts)


class AppHeader(Widget):
    """One line, docked at the top."""

    DEFAULT_CSS = """
    AppHeader {
        dock: top;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text;
    }
    """

    _shown: tuple | None = None

    def on_mount(self) -> None:
        self.watch(self.app, "header_info", self._info_changed, init=True)

    def _info_changed(self, info: HeaderInfo | None = None) -> None:
        # Only when the line would change: a repaint rewrites the whole line on the terminal.
        info = info or HeaderInfo()
        shown = (header_text(info), info.screen, info.demo)
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def render(self) -> Content:
        info: HeaderInfo = self.app.header_info  # type: ignore[attr-defined]
        text = Content(header_text(info))
        if info.screen:
            text = Content.assemble(text, "  ", (f"[{info.screen}]", "dim"))
        if info.demo:
            return Content.assemble((" DEMO ", "bold reverse $warning"), " ", text)
        return text
