"""ImageView: a picture in the terminal.

Coloured Unicode half-blocks by default (they work over SSH, in tmux, in
tests and snapshots); Kitty graphics or Sixel through ``textual-image`` when
``hftui.imaging.detect_protocol`` says the terminal supports them (setting
``image_protocol``). The image is decoded with the bomb guard of
``hftui.imaging``; an undecodable image shows a message instead.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from hftui.imaging import ImageRejected, decode_image, draw_boxes, fit_cells, halfblock_segments

MAX_ROWS = 40


class HalfBlockImage(Widget):
    """Renders a PIL image with '▀' cells, re-sampled to the widget's width (cached per size)."""

    DEFAULT_CSS = """
    HalfBlockImage { height: auto; width: 1fr; }
    """

    def __init__(self, image: Any, *, max_rows: int | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.image = image
        self.max_rows = max_rows
        self._cache: tuple[tuple[int, int], list[Strip]] | None = None

    def _rows_for(self, width: int, viewport_height: int) -> tuple[int, int]:
        # leave room for the header, target and status lines, the caption and the footer,
        # so the picture and the saved path fit without a scrollbar eating its right edge
        limit = self.max_rows or max(6, min(MAX_ROWS, viewport_height - 12))
        return fit_cells(self.image.size, width, limit)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._rows_for(width, viewport.height)[1]

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._rows_for(container.width, viewport.height)[0]

    def _strips(self) -> list[Strip]:
        cols, rows = self._rows_for(self.size.width, self.app.size.height)
        if self._cache and self._cache[0] == (cols, rows):
            return self._cache[1]
        strips = [Strip(line) for line in halfblock_segments(self.image, cols, rows)] if cols and rows else []
        self._cache = ((cols, rows), strips)
        return strips

    def render_line(self, y: int) -> Strip:
        strips = self._strips()
        if 0 <= y < len(strips):
            return strips[y].crop_extend(0, self.size.width, self.rich_style)
        return Strip.blank(self.size.width, self.rich_style)


class ImageView(Widget):
    """A picture (optionally with detection boxes drawn on it) and a caption."""

    DEFAULT_CSS = """
    ImageView { height: auto; layout: vertical; }
    ImageView > .caption { color: $text-muted; }
    ImageView > .image-error { color: $error; }
    """

    def __init__(self, image: Any | None, *, protocol: str = "halfblock", caption: str | None = None,
                 error: str | None = None, max_rows: int | None = None) -> None:
        super().__init__()
        self.image = image
        self.protocol = protocol
        self.caption = caption
        self.error = error
        self.max_rows = max_rows

    @classmethod
    def from_bytes(cls, data: bytes, *, boxes: list | None = None, protocol: str = "halfblock",
                   caption: str | None = None, max_rows: int | None = None) -> ImageView:
        try:
            image = decode_image(data)
        except ImageRejected as exc:
            return cls(None, error=f"Cannot show the image: {exc}", caption=caption)
        if boxes:
            image = draw_boxes(image, boxes)
        return cls(image, protocol=protocol, caption=caption, max_rows=max_rows)

    def compose(self) -> ComposeResult:
        if self.image is None:
            yield Static(Text(self.error or "No image."), classes="image-error")
        else:
            yield self._picture()
        if self.caption:
            yield Static(Text(self.caption), classes="caption", id="image-caption")

    def _picture(self) -> Widget:
        if self.protocol in ("kitty", "sixel"):
            try:
                from textual_image.widget import SixelImage, TGPImage

                cls = TGPImage if self.protocol == "kitty" else SixelImage
                widget = cls(self.image)
                widget.styles.height = "auto"
                widget.styles.width = "auto"
                widget.styles.max_width = "100%"
                return widget
            except Exception:  # no usable graphics after all: half-blocks always work
                pass
        return HalfBlockImage(self.image, max_rows=self.max_rows, id="halfblock")
