"""Result views of the Playground, one per ``TaskSpec.result_kind``.

    view = build_result_view(kind, result, values=..., data_dir=..., protocol=...)

Every string in a result came from a model: it is cleaned of control
characters and escape sequences and put in ``rich.text.Text`` /
``Content`` objects, never in a markup string.

Adding a kind of output = adding one view class and one entry in ``VIEWS``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static

from hftui.imaging import label_color
from hftui.widgets.safe_text import clean, one_line

BAR_FULL = "█"
BAR_PARTS = " ▏▎▍▌▋▊▉"


def score_bar(score: float, width: int) -> str:
    """A horizontal bar of ``width`` cells filled to ``score`` (0..1), eighth-cell precision."""
    if width <= 0:
        return ""
    score = 0.0 if not isinstance(score, (int, float)) or math.isnan(score) else max(0.0, min(1.0, float(score)))
    eighths = round(score * width * 8)
    full, part = divmod(eighths, 8)
    bar = BAR_FULL * full + (BAR_PARTS[part] if part else "")
    return bar.ljust(width, " ")


def _rgb(color: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*color)


class ResultView(Widget):
    """Base: ``summary`` is a one-line plain description (tests, notifications)."""

    DEFAULT_CSS = """
    ResultView { height: auto; }
    """

    summary: str = ""


class ScoreBars(ResultView):
    """Ranked (label, score) rows with bars, sized to the widget's width."""

    DEFAULT_CSS = """
    ScoreBars { height: auto; padding: 0 1; }
    """

    def __init__(self, rows: list[tuple[str, float]], *, title: str | None = None, note: str | None = None,
                 percent: bool = True) -> None:
        super().__init__()
        self.rows = [(one_line(label, 80), float(score) if isinstance(score, (int, float)) else 0.0)
                     for label, score in rows][:100]
        self.title = title
        self.note = note
        self.percent = percent
        self.summary = ", ".join(f"{label} {score:.3f}" for label, score in self.rows[:5])

    def get_content_height(self, container, viewport, width: int) -> int:
        from rich.cells import cell_len

        note_rows = 1 + -(-cell_len(self.note) // max(1, width)) if self.note else 0
        title_rows = -(-cell_len(self.title) // max(1, width)) if self.title else 0
        return len(self.rows) + title_rows + note_rows or 1

    def render(self) -> Text:
        width = max(20, self.size.width - 2 if self.size.width else 60)
        label_w = min(max((len(label) for label, _ in self.rows), default=5), max(8, width // 3))
        num_w = 7
        bar_w = max(4, width - label_w - num_w - 3)
        out = Text(end="")
        if self.title:
            out.append(self.title + "\n", style="bold")
        if not self.rows:
            out.append("(no results)", style="italic")
        for i, (label, score) in enumerate(self.rows):
            shown = label if len(label) <= label_w else label[: label_w - 1] + "…"
            out.append(shown.ljust(label_w), style="bold" if i == 0 else "")
            out.append(" ")
            out.append(score_bar(score, bar_w), style="green" if i == 0 else "cyan")
            number = f"{score * 100:6.2f}%" if self.percent else f"{score:7.4f}"
            out.append(" " + number)
            if i < len(self.rows) - 1:
                out.append("\n")
        if self.note:
            out.append("\n\n")
            out.append(self.note, style="italic")
        return out


class TextResult(ResultView):
    """Plain text (summaries, translations, captions, transcriptions)."""

    DEFAULT_CSS = """
    TextResult { height: auto; padding: 0 1; }
    TextResult > .title { color: $text-muted; }
    """

    def __init__(self, text: str, *, title: str | None = None, extra: Widget | None = None) -> None:
        super().__init__()
        self.text = clean(text, limit=200_000)
        self.title = title
        self.extra = extra
        self.summary = one_line(self.text, 200)

    def compose(self) -> ComposeResult:
        if self.title:
            yield Static(Text(self.title), classes="title")
        yield Static(Text(self.text or "(empty)"), id="result-text")
        if self.extra is not None:
            yield self.extra


def _table(columns: list[str], rows: list[list[Any]], *, id: str | None = None) -> DataTable:
    table = DataTable(id=id, cursor_type="row", zebra_stripes=True, show_cursor=False)
    table.styles.height = "auto"
    table.styles.max_height = 16
    table.add_columns(*columns)
    for row in rows:
        table.add_row(*[cell if isinstance(cell, Text) else Text(one_line(cell, 120)) for cell in row])
    return table


class EntitiesView(ResultView):
    """token-classification: the text with entities highlighted, and a table of them."""

    DEFAULT_CSS = """
    EntitiesView { height: auto; padding: 0 1; }
    EntitiesView > #entities-text { margin-bottom: 1; }
    """

    def __init__(self, entities: list, text: str) -> None:
        super().__init__()
        self.entities = list(entities)[:500]
        self.text = clean(text, limit=50_000)
        self.summary = ", ".join(f"{one_line(e.word, 40)}={one_line(e.group, 20)}" for e in self.entities[:8])

    def highlighted(self) -> Text:
        out = Text(self.text, end="")
        for e in self.entities:
            if e.start is None or e.end is None or not (0 <= e.start < e.end <= len(self.text)):
                continue
            color = _rgb(label_color(str(e.group)))
            out.stylize(f"bold black on {color}", e.start, e.end)
        # Labels after each entity, inserted from the end so offsets stay valid.
        for e in sorted((e for e in self.entities if e.end is not None and e.start is not None
                         and 0 <= e.start < e.end <= len(self.text)), key=lambda e: e.end, reverse=True):
            color = _rgb(label_color(str(e.group)))
            tag = Text(f" {one_line(e.group, 20)}", style=f"{color} italic")
            out = out[: e.end] + tag + out[e.end:]
        return out

    def compose(self) -> ComposeResult:
        yield Static(self.highlighted() if self.text else Text("(no text)"), id="entities-text")
        rows = []
        for e in self.entities:
            color = _rgb(label_color(str(e.group)))
            span = "" if e.start is None else f"{e.start}–{'' if e.end is None else e.end}"
            rows.append([Text(one_line(e.group, 20), style=f"bold {color}"), one_line(e.word, 60), f"{e.score:.3f}",
                         span])
        if not rows:
            yield Static(Text("No entities found.", style="italic"))
        else:
            # One "span" column (not start + end): at 80 columns five overflowed into a scrollbar row.
            yield _table(["entity", "word", "score", "span"], rows, id="entities-table")


class AnswerView(ResultView):
    """question-answering: the answer, its score, and the context with the span highlighted."""

    DEFAULT_CSS = """
    AnswerView { height: auto; padding: 0 1; }
    AnswerView > #answer { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self, answers: list, context: str) -> None:
        super().__init__()
        self.answers = list(answers)[:20]
        self.context = clean(context, limit=50_000)
        best = self.answers[0] if self.answers else None
        self.summary = f"{one_line(best.answer, 100)} ({best.score:.3f})" if best else "no answer"

    def compose(self) -> ComposeResult:
        if not self.answers:
            yield Static(Text("No answer.", style="italic"), id="answer")
            return
        best = self.answers[0]
        head = Text("Answer: ", style="bold")
        head.append(one_line(best.answer, 500) or "(no answer)", style="bold green")
        head.append(f"   score {best.score:.3f}", style="")
        yield Static(head, id="answer")
        if len(self.answers) > 1:
            yield ScoreBars([(a.answer, a.score) for a in self.answers], title="Candidates")
        ctx = Text(self.context, end="")
        if best.start is not None and best.end is not None and 0 <= best.start < best.end <= len(self.context):
            ctx.stylize("bold black on green", best.start, best.end)
        yield Static(Text("Context", style="dim"))
        yield Static(ctx, id="answer-context")


class VectorView(ResultView):
    """feature-extraction: dimensions, norm and a preview of the vector."""

    DEFAULT_CSS = """
    VectorView { height: auto; padding: 0 1; }
    """

    def __init__(self, data: Any) -> None:
        super().__init__()
        self.shape = _shape(data)
        flat = list(_flatten(data, limit=1_000_000))
        self.count = len(flat)
        self.first = _first_vector(data)
        self.norm = math.sqrt(sum(x * x for x in self.first)) if self.first else 0.0
        self.min = min(flat) if flat else 0.0
        self.max = max(flat) if flat else 0.0
        self.summary = f"shape {'x'.join(map(str, self.shape))}, norm {self.norm:.4f}"

    def render(self) -> Text:
        out = Text(end="")
        out.append("Shape      ", style="bold")
        out.append(" × ".join(str(n) for n in self.shape) or "scalar")
        out.append(f"   ({self.count} values)\n")
        out.append("Dimensions ", style="bold")
        out.append(f"{len(self.first)}\n")
        out.append("L2 norm    ", style="bold")
        out.append(f"{self.norm:.6f}\n")
        out.append("Min / max  ", style="bold")
        out.append(f"{self.min:.6f} / {self.max:.6f}\n")
        out.append("Preview    ", style="bold")
        preview = ", ".join(f"{x:.4f}" for x in self.first[:8])
        more = ", …" if len(self.first) > 8 else ""
        out.append(f"[{preview}{more}]")
        spark = _sparkline(self.first[:64])
        if spark:
            out.append("\n           ")
            out.append(spark, style="cyan")
        return out


def _shape(data: Any) -> list[int]:
    shape = []
    node = data
    while isinstance(node, list):
        shape.append(len(node))
        if not node:
            break
        node = node[0]
    return shape


def _flatten(data: Any, limit: int):
    stack = [data]
    n = 0
    while stack and n < limit:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and math.isfinite(node):
            n += 1
            yield float(node)


def _first_vector(data: Any) -> list[float]:
    node = data
    while isinstance(node, list) and node and isinstance(node[0], list):
        node = node[0]
    if not isinstance(node, list):
        return []
    return [float(x) for x in node if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)]


def _sparkline(values: list[float]) -> str:
    if not values:
        return ""
    ticks = "▁▂▃▄▅▆▇█"
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(ticks[min(7, int((v - lo) / span * 8))] for v in values)


class TableAnswerView(ResultView):
    """table-question-answering: the answer, and the input table with the cells used highlighted."""

    DEFAULT_CSS = """
    TableAnswerView { height: auto; padding: 0 1; }
    TableAnswerView > #table-answer { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self, answer: Any, table: dict[str, list[str]]) -> None:
        super().__init__()
        self.answer = answer
        self.table = table or {}
        self.summary = one_line(getattr(answer, "answer", ""), 200)

    def grid(self) -> Table:
        cols = list(self.table)[:30]
        used = {tuple(c) for c in getattr(self.answer, "coordinates", []) or [] if len(c) == 2}
        grid = Table(show_lines=False, expand=False, header_style="bold")
        grid.add_column("#", style="dim", justify="right")
        for c in cols:
            grid.add_column(Text(one_line(c, 30)))
        rows = max((len(v) for v in self.table.values()), default=0)
        for r in range(min(rows, 200)):
            cells: list[Text | str] = [str(r)]
            for ci, c in enumerate(cols):
                value = self.table[c][r] if r < len(self.table[c]) else ""
                cell = Text(one_line(value, 40))
                if (r, ci) in used:
                    cell.stylize("bold black on green")
                    cell.append(" ✓")
                cells.append(cell)
            grid.add_row(*cells)
        return grid

    def compose(self) -> ComposeResult:
        a = self.answer
        head = Text("Answer: ", style="bold")
        head.append(one_line(getattr(a, "answer", ""), 500), style="bold green")
        if getattr(a, "aggregator", None) and a.aggregator != "NONE":
            head.append(f"   aggregator {one_line(a.aggregator, 30)}")
        cells = getattr(a, "cells", []) or []
        if cells:
            head.append("\nCells: " + ", ".join(one_line(c, 40) for c in cells[:20]))
        yield Static(head, id="table-answer")
        yield Static(self.grid(), id="table-grid")


class DetectionsView(ResultView):
    """object-detection: the picture with its boxes, and a table of labels, scores and boxes."""

    DEFAULT_CSS = """
    DetectionsView { height: auto; padding: 0 1; }
    """

    def __init__(self, objects: list, image_bytes: bytes | None, *, protocol: str = "halfblock",
                 saved: Path | None = None) -> None:
        super().__init__()
        self.objects = list(objects)[:500]
        self.image_bytes = image_bytes
        self.protocol = protocol
        self.saved = saved
        self.summary = ", ".join(f"{one_line(o.label, 30)} {o.score:.2f}" for o in self.objects[:8])

    def compose(self) -> ComposeResult:
        from hftui.widgets.image_view import ImageView

        if self.image_bytes:
            yield ImageView.from_bytes(self.image_bytes, boxes=self.objects, protocol=self.protocol,
                                       caption=f"saved: {self.saved}" if self.saved else None)
        rows = []
        for o in self.objects:
            color = _rgb(label_color(str(o.label)))
            rows.append([Text("■ ", style=color) + Text(one_line(o.label, 30)), f"{o.score:.3f}",
                         f"{o.xmin},{o.ymin}", f"{o.xmax},{o.ymax}"])
        if rows:
            yield _table(["label", "score", "top-left", "bottom-right"], rows, id="detections-table")
        else:
            yield Static(Text("No objects above the threshold.", style="italic"))


class ImageResultView(ResultView):
    """text-to-image: the picture in the terminal and the path of the saved file."""

    DEFAULT_CSS = """
    ImageResultView { height: auto; padding: 0 1; }
    """

    def __init__(self, data: bytes, *, saved: Path | None, protocol: str = "halfblock") -> None:
        super().__init__()
        self.data = data
        self.saved = saved
        self.protocol = protocol
        self.summary = f"image saved to {saved}" if saved else "image"

    def compose(self) -> ComposeResult:
        from hftui.widgets.image_view import ImageView

        yield ImageView.from_bytes(self.data, protocol=self.protocol,
                                   caption=f"saved: {self.saved}" if self.saved else None)


def transcription_view(result: Any) -> TextResult:
    chunks = getattr(result, "chunks", None) or []
    extra = None
    if chunks:
        rows = [[one_line(t, 80), "" if a is None else f"{a:.2f}", "" if b is None else f"{b:.2f}"]
                for t, a, b in chunks[:500]]
        extra = _table(["text", "start s", "end s"], rows, id="chunks-table")
    return TextResult(getattr(result, "text", str(result)), extra=extra)


def build_result_view(kind: str, result: Any, *, values: dict | None = None, data_dir: Path | None = None,
                      protocol: str = "halfblock", image_bytes: bytes | None = None,
                      saved: Path | None = None) -> Widget:
    """The view of one result (``kind`` is the spec's ``result_kind``)."""
    values = values or {}
    if kind == "labels":
        return ScoreBars([(lab.label, lab.score) for lab in result])
    if kind == "fill_mask":
        rows = [(c.token_str.strip() or c.token_str, c.score) for c in result]
        note = f"Best: {one_line(result[0].sequence, 300)}" if result else None
        return ScoreBars(rows, note=note)
    if kind == "entities":
        return EntitiesView(result, values.get("inputs") or "")
    if kind == "answer":
        return AnswerView(result if isinstance(result, list) else [result], values.get("context") or "")
    if kind == "vector":
        return VectorView(result)
    if kind == "similarity":
        sentences = values.get("sentences") or []
        rows = [(sentences[i] if i < len(sentences) else f"#{i}", float(s)) for i, s in enumerate(result)]
        return ScoreBars(rows, title=f"Similarity to: {one_line(values.get('source_sentence'), 80)}",
                         percent=False)
    if kind == "table_answer":
        return TableAnswerView(result, values.get("table") or {})
    if kind == "image":
        return ImageResultView(result.data, saved=saved, protocol=protocol)
    if kind == "detections":
        return DetectionsView(result, image_bytes, protocol=protocol, saved=saved)
    if kind == "transcription":
        return transcription_view(result)
    text = result if isinstance(result, str) else getattr(result, "text", None) or getattr(result, "content", None)
    return TextResult(text if isinstance(text, str) else str(result))


def view_of_run(kind: str, result: Any, values: dict, saved: Path | None, *, protocol: str) -> Widget:
    """A Playground run's one-shot result in its view (detections are drawn over the input image)."""
    from hftui.imaging import check_image_file

    image_bytes = None
    if kind == "detections" and values.get("inputs"):
        try:
            image_bytes = check_image_file(values["inputs"])
        except Exception:  # the file changed since the run: the boxes without the picture
            image_bytes = None
    return build_result_view(kind, result, values=values, protocol=protocol, image_bytes=image_bytes, saved=saved)


class ResultArea(VerticalScroll):
    """Holds the current result view (replaced on each run)."""

    DEFAULT_CSS = """
    ResultArea { height: 1fr; scrollbar-gutter: stable; }
    """

    def show(self, view: Widget) -> None:
        self.remove_children()
        self.mount(view)
        self.scroll_home(animate=False)

    def clear(self) -> None:
        self.remove_children()

    @property
    def view(self) -> Widget | None:
        children = list(self.children)
        return children[0] if children else None


__all__ = ["AnswerView", "DetectionsView", "EntitiesView", "ImageResultView", "ResultArea", "ResultView",
           "ScoreBars", "TableAnswerView", "TextResult", "VectorView", "build_result_view", "score_bar",
           "view_of_run"]
