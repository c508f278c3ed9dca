"""ModelDetail: the focused model's serving status, metadata and model card.

``show(info, card)`` renders a ``ModelInfo`` (from model-info: providers,
legacy status) and its README. Everything shown came from a server, so it is
cleaned of terminal escapes and kept out of markup: Rich ``Text`` for the
fields, and a Markdown widget for the card whose links are inert (a click
only shows the address; nothing is opened or run).
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from hftui.client.models import ModelInfo
from hftui.clock import ago
from hftui.widgets.model_table import compact_number, serving_status, serving_summary
from hftui.widgets.safe_text import clean, one_line

CARD_DISPLAY_CHARS = 24_000
"""Markdown rendering cost grows with the text; longer cards are cut (the Hub has the rest)."""

MAX_TAGS = 40

_FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n.*?\n---\s*(\n|\Z)", re.DOTALL)

_PROVIDER_GLYPHS = {"live": ("●", "success"), "staging": ("◐", "warning"), "error": ("✖", "error")}


def strip_front_matter(card: str) -> str:
    """Drop the YAML metadata block the Hub keeps at the top of READMEs (shown as fields instead)."""
    return _FRONT_MATTER.sub("", card, count=1)


def card_markdown(card: str, limit: int = CARD_DISPLAY_CHARS) -> str:
    """The README ready for the Markdown widget: no front matter, no control characters, bounded."""
    text = clean(strip_front_matter(card), limit=None)
    if len(text) > limit:
        cut = text.rfind("\n\n", 0, limit)
        text = text[: cut if cut > limit // 2 else limit] + "\n\n*… model card truncated (see the Hub for the rest).*"
    return text.strip() or "*This model has no model card.*"


class ModelDetail(VerticalScroll):
    """Detail pane of the Models screen."""

    DEFAULT_CSS = """
    ModelDetail { padding: 0 1; }
    ModelDetail > #detail-title { text-style: bold; }
    ModelDetail > #detail-card { margin: 0; padding: 0; }
    ModelDetail > #detail-card-title { color: $text-muted; margin-top: 1; border-top: solid $primary 30%; }
    ModelDetail #detail-card MarkdownH1 { margin: 1 0 0 0; content-align: left top; }
    """

    can_focus = True

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model_id: str | None = None
        """Id of the model shown (None when empty)."""
        self.info: ModelInfo | None = None
        self.card_loaded = False
        """True once the card of ``model_id`` is rendered (tests and snapshots wait on it)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title")
        yield Static("Select a model to see its serving status and card.", id="detail-fields")
        yield Static("", id="detail-card-title")
        yield Markdown("", id="detail-card", open_links=False)

    # -- rendering -------------------------------------------------------------

    def _style(self, level: str) -> str:
        if level == "muted":
            return "dim"
        return f"bold {self.app.theme_variables.get(level, '')}".strip()

    def _fields(self, info: ModelInfo) -> Text:
        out = Text(end="")
        label_style = "bold"

        def row(label: str, value: Text | str) -> None:
            out.append(f"{label:<10}", style=label_style)
            out.append(value if isinstance(value, Text) else Text(value))
            out.append("\n")

        status, level = serving_status(info)
        # the glyph and what it means in words ("● warm: served now by 2 live providers")
        summary = Text(status[:1] + " " + serving_summary(info).split(" — ", 1)[0], style=self._style(level))
        row("Serving", summary)
        width = max((len(one_line(p.provider, 30)) for p in info.providers), default=0)
        for p in info.providers:
            glyph, plevel = _PROVIDER_GLYPHS.get(p.status, ("?", "muted"))
            line = Text("  ")
            line.append(f"{one_line(p.provider, 30):<{width}}  ")
            line.append(f"{glyph} {one_line(p.status, 12):<8}", style=self._style(plevel))
            line.append(one_line(p.task or "-", 40), style="dim")
            out.append(line)
            out.append("\n")
        legacy = info.legacy_status
        if legacy is not None:
            parts = []
            if legacy.loaded is not None:
                parts.append(f"loaded {'yes' if legacy.loaded else 'no'}")
            for name, value in (("state", legacy.state), ("compute", legacy.compute_type),
                                ("framework", legacy.framework), ("error", legacy.error)):
                if value:
                    parts.append(f"{name} {one_line(value, 60)}")
            row("Legacy", " · ".join(parts) or "-")
        row("Task", one_line(info.pipeline_tag or "-", 60))
        row("Library", one_line(info.library_name or "-", 60))
        row("License", one_line(info.license or "-", 60))
        stats = Text(f"{compact_number(info.downloads)} downloads · {compact_number(info.likes)} likes")
        row("Stats", stats)
        modified = "-"
        if info.last_modified:
            modified = f"{ago(info.last_modified)} ago ({info.last_modified.date().isoformat()})"
        row("Updated", modified)
        if info.gated:
            row("Gated", one_line(str(info.gated), 20))
        tags = [one_line(t, 60) for t in info.tags[:MAX_TAGS]]
        if len(info.tags) > MAX_TAGS:
            tags.append(f"… +{len(info.tags) - MAX_TAGS}")
        row("Tags", ", ".join(tags) or "-")
        out.rstrip()
        return out

    def show_loading(self, info: ModelInfo) -> None:
        """Show what the search result already knows while model-info and the card load."""
        self.model_id = info.id
        self.info = info
        self.card_loaded = False
        self.query_one("#detail-title", Static).update(Text(one_line(info.id, 200)))
        self.query_one("#detail-fields", Static).update(self._fields(info))
        self.query_one("#detail-card-title", Static).update("Model card")
        card = self.query_one("#detail-card", Markdown)
        card.loading = True

    async def show(self, info: ModelInfo, card: str | None) -> None:
        """Render a model; ``card`` None keeps the card already shown (status refresh)."""
        changed = info.id != self.model_id
        self.model_id = info.id
        self.info = info
        self.query_one("#detail-title", Static).update(Text(one_line(info.id, 200)))
        self.query_one("#detail-fields", Static).update(self._fields(info))
        self.query_one("#detail-card-title", Static).update("Model card")
        markdown = self.query_one("#detail-card", Markdown)
        if card is not None:
            await markdown.update(card_markdown(card))
            markdown.loading = False
            self.card_loaded = True
        if changed:
            self.scroll_home(animate=False)

    async def show_error(self, model_id: str, message: str) -> None:
        """Model-info failed: say why in the pane (the table stays usable)."""
        self.model_id = model_id
        self.info = None
        self.query_one("#detail-title", Static).update(Text(one_line(model_id, 200)))
        self.query_one("#detail-fields", Static).update(
            Text(f"Could not load this model: {one_line(message, 400)}", style=self._style("error")))
        self.query_one("#detail-card-title", Static).update("")
        markdown = self.query_one("#detail-card", Markdown)
        await markdown.update("")
        markdown.loading = False
        self.card_loaded = True

    async def show_empty(self, text: str) -> None:
        """No model to show (an empty search)."""
        self.model_id = None
        self.info = None
        self.query_one("#detail-title", Static).update("")
        self.query_one("#detail-fields", Static).update(Text(text, style="dim"))
        self.query_one("#detail-card-title", Static).update("")
        markdown = self.query_one("#detail-card", Markdown)
        await markdown.update("")
        markdown.loading = False
        self.card_loaded = True

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        # Links in a card are untrusted: show where they point, never open or act on them.
        event.stop()
        self.notify(one_line(event.href, 300), title="Link (not opened)", markup=False)
