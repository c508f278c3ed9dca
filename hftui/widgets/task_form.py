"""TaskForm: the Playground form generated from a ``TaskSpec``.

Kinds map to widgets: text/int/float/list -> Input (numbers with a
validator from the spec's bounds), multiline/table/json -> TextArea,
choice -> Select (blank = the server's default), bool -> Switch (or a
default/true/false Select when "not set" is meaningful), tristate -> that
Select always, file-* -> Input
with filesystem completion. Advanced parameters sit in a collapsed
section, built when it is first expanded (the form is built on every task
change and every ``:play``; text generation's eleven advanced rows were
half of its widgets); the call options (wait for model, use cache) at the end.

    form = TaskForm(spec, values=None)
    form.values() -> {name: str | bool}       # raw, for spec.parse()
    form.set_values({name: typed value})
    form.show_errors({name: message})          # beside each field; {} clears
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widget import AwaitMount, Widget
from textual.widgets import Checkbox, Collapsible, Input, Label, Select, Static, TextArea

from hftui.tasks import OPTION_FIELDS, Field, FieldError, TaskSpec
from hftui.widgets.path_suggester import PathSuggester

TRI_STATE = [("default", ""), ("true", "true"), ("false", "false")]


class FieldValidator(Validator):
    """Input validation from the spec's field (bounds, number syntax, JSON...)."""

    def __init__(self, field: Field) -> None:
        super().__init__()
        self.field = field

    def validate(self, value: str) -> ValidationResult:
        try:
            self.field.coerce(value)
        except FieldError as exc:
            return self.failure(str(exc))
        return self.success()


class FormTextArea(TextArea):
    """A TextArea whose soft wrap always matches its width when painted.

    The stock widget wraps on resize only; when its first wrap happens before
    it has a size (width 0) or before its scrollbar gutter applies, and no
    resize follows, it keeps showing the stale wrap.
    """

    def render_lines(self, crop):
        wrapped = getattr(self.wrapped_document, "_width", None)
        width = self.wrap_width
        if self.soft_wrap and width > 0 and wrapped is not None and wrapped != width:
            rewrap = getattr(self, "_rewrap_and_refresh_virtual_size", None)
            if callable(rewrap):
                rewrap()
        return super().render_lines(crop)


IMAGE_EXT = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
AUDIO_EXT = (".flac", ".wav", ".mp3", ".ogg", ".m4a", ".webm", ".opus")


class FieldRow(Widget):
    """Label and widget of one field: one line (label | widget) or, for a text area, the label
    above it. Its error line is a sibling after it, built for a row that has had an error: a form
    is built on every task change and each node costs (rows used to be three nodes deep)."""

    DEFAULT_CSS = """
    FieldRow { layout: horizontal; height: 1; }
    FieldRow.-area { layout: vertical; height: auto; margin-bottom: 1; }
    FieldRow > .field-label { width: 45%; max-width: 20; color: $text-muted; height: 1;
                              padding-right: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    FieldRow.-area > .field-label { width: auto; max-width: 100%; padding-right: 0; }
    FieldRow > Input, FieldRow > Select { width: 1fr; }
    FieldRow > Checkbox { width: auto; }
    FieldRow > TextArea { height: 4; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    FieldRow > TextArea.tall { height: 6; }
    FieldRow.-area.-invalid { margin-bottom: 0; }
    """

    def __init__(self, field: Field, widget: Widget, error: str | None = None) -> None:
        classes = ("-area " if isinstance(widget, TextArea) else "") + ("-invalid" if error else "")
        super().__init__(id=f"row-{field.name}", classes=classes.strip())
        self.field = field
        self.widget = widget
        if field.help:
            self.tooltip = field.help

    def compose(self) -> ComposeResult:
        label = self.field.label + (" *" if self.field.required else "")
        if isinstance(self.widget, Checkbox):
            self.widget.label = Text(label)
        else:
            yield Label(Text(label), classes="field-label")
        yield self.widget

    def error_line(self, message: str) -> Static:
        """The line that shows the field's error, under the row (``TaskForm`` styles it)."""
        return Static(Text(message), classes="field-error" + (" -area" if self.has_class("-area") else ""),
                      id=f"err-{self.field.name}")

    def set_error(self, message: str | None) -> None:
        self.set_class(bool(message), "-invalid")
        line = self._error_line_widget()
        if line is not None:
            line.update(Text(message or ""))
            line.set_class(not message, "-empty")
        elif message and self.is_mounted and self.parent is not None:
            self.parent.mount(self.error_line(message), after=self)

    def _error_line_widget(self) -> Static | None:
        if self.parent is None:
            return None
        found = self.parent.query_children(f"#err-{self.field.name}")
        return found.first(Static) if found else None


def make_widget(field: Field, value: Any) -> Widget:
    wid = f"f-{field.name}"
    form_value = field.to_form(value)
    kind = field.kind
    if kind in ("bool", "tristate"):
        if kind == "tristate" or field.default is None:
            current = "" if value is None else ("true" if value else "false")
            return Select(TRI_STATE, value=current, allow_blank=False, id=wid, compact=True)
        return Checkbox(field.label, value=bool(form_value), id=wid, compact=True)
    if kind == "choice":
        options = [(c, c) for c in field.choices]
        return Select(options, value=form_value if form_value in field.choices else Select.NULL,
                      prompt="default", allow_blank=True, id=wid, compact=True)
    if kind in ("multiline", "table", "json") or (kind == "list" and field.extra.get("multiline")):
        area = FormTextArea(str(form_value), id=wid, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                        compact=True)
        if kind in ("table", "json") or field.name in ("context", "inputs"):
            area.add_class("tall")
        return area
    suggester = None
    if kind == "file-image":
        suggester = PathSuggester(IMAGE_EXT)
    elif kind == "file-audio":
        suggester = PathSuggester(AUDIO_EXT)
    placeholder = field.placeholder or ("path/to/file" if suggester else "")
    if kind in ("int", "float") and not placeholder:
        placeholder = f"default · {field.range_text}" if field.range_text else "default"
    validators = [FieldValidator(field)] if kind in ("int", "float", "seconds", "list", "choice") else []
    return Input(str(form_value), id=wid, placeholder=placeholder, suggester=suggester, validators=validators,
                 validate_on=["changed", "blur"], compact=True)


class TaskForm(Vertical):
    """The form of one task (see module docstring)."""

    DEFAULT_CSS = """
    TaskForm { height: auto; }
    TaskForm > Collapsible { padding: 0; margin: 0; border: none; }
    TaskForm > .options-title { color: $text; text-style: bold; }
    TaskForm .field-error { color: $error; height: auto; }
    TaskForm .field-error.-empty { display: none; }
    TaskForm .field-error.-area { margin-bottom: 1; }
    """

    def __init__(self, spec: TaskSpec, values: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spec = spec
        self._initial = dict(values) if values is not None else spec.defaults()
        """What each field shows when built; kept up to date for the fields not built yet."""
        self._errors: dict[str, str] = {}
        self._advanced = [f for f in spec.params if f.advanced]
        self._advanced_built = not self._advanced

    def _row(self, field: Field) -> list[Widget]:
        """The field's row, and its error line if it has an error."""
        error = self._errors.get(field.name)
        row = FieldRow(field, make_widget(field, self._initial.get(field.name, field.default)), error)
        return [row, row.error_line(error)] if error else [row]

    def compose(self) -> ComposeResult:
        for field in self.spec.inputs:
            yield from self._row(field)
        for field in self.spec.params:
            if not field.advanced:
                yield from self._row(field)
        if self._advanced:
            # Built with its -collapsed class: added on mount instead, it restyles every field inside (~0.2 s).
            yield Collapsible(title=f"More parameters ({len(self._advanced)})", collapsed=True, id="advanced",
                              classes="-collapsed")
        yield Static("Options", classes="options-title")
        for field in OPTION_FIELDS:
            yield from self._row(field)

    # --- the advanced section ---------------------------------------------------------

    @on(Collapsible.Expanded, "#advanced")
    def _advanced_expanded(self) -> None:
        self.build_advanced()

    def build_advanced(self) -> AwaitMount | None:
        """Build the advanced rows (once); what awaits their mounting, or None if they were built."""
        if self._advanced_built:
            return None
        self._advanced_built = True
        contents = self.query_one("#advanced", Collapsible).query_one(Collapsible.Contents)
        return contents.mount_all([widget for field in self._advanced for widget in self._row(field)])

    # --- values ----------------------------------------------------------------------

    def _widget(self, name: str) -> Widget | None:
        try:
            return self.query_one(f"#f-{name}")
        except Exception:
            return None

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in self.spec.fields:
            widget = self._widget(field.name)
            if widget is None or not widget.is_mounted:  # what it will show (a Select reads blank until mounted)
                out[field.name] = field.to_form(self._initial.get(field.name, field.default))
                continue
            if isinstance(widget, Checkbox):
                out[field.name] = widget.value
            elif isinstance(widget, Select):
                value = widget.value
                out[field.name] = "" if value is Select.NULL or value is None else str(value)
            elif isinstance(widget, TextArea):
                out[field.name] = widget.text
            elif isinstance(widget, Input):
                out[field.name] = widget.value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        for field in self.spec.fields:
            if field.name not in values:
                continue
            widget = self._widget(field.name)
            value = values[field.name]
            self._initial[field.name] = value  # what a field not built (or mounted) yet shows
            if widget is None:
                continue
            if isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, Select):
                if field.kind in ("bool", "tristate"):
                    widget.value = "" if value is None else ("true" if value else "false")
                elif value in field.choices:
                    widget.value = value
                else:
                    widget.clear()
            elif isinstance(widget, TextArea):
                widget.text = str(field.to_form(value))
            elif isinstance(widget, Input):
                widget.value = str(field.to_form(value))

    def set_value(self, name: str, value: Any) -> None:
        self.set_values({name: value})

    def show_errors(self, errors: dict[str, str]) -> None:
        self._errors = dict(errors)
        for row in self.query(FieldRow):
            row.set_error(errors.get(row.field.name))
        if not errors:
            return
        mounting = None
        if any(field.name in errors for field in self._advanced):
            mounting = self.build_advanced()  # the new rows show their errors as they are built
            self.query_one("#advanced", Collapsible).collapsed = False
        first = next((f.name for f in self.spec.fields if f.name in errors), None)
        if first is None:
            return
        if mounting is None:
            self._focus_field(first)
        else:
            async def focus_when_built() -> None:
                await mounting
                self._focus_field(first)

            self.call_later(focus_when_built)

    def _focus_field(self, name: str) -> None:
        widget = self._widget(name)
        if widget is not None and widget.focusable:
            widget.focus()

    def first_field(self) -> Widget | None:
        """The first required input (else the first input): where typing should go; None while the
        form is still composing (or disabled)."""
        fields = [f for f in self.spec.inputs if f.required] + list(self.spec.inputs)
        for field in fields:
            widget = self._widget(field.name)
            if widget is not None and widget.is_mounted and widget.focusable:
                return widget
        return None

    def focus_first(self) -> bool:
        """Focus ``first_field()``; False when there is none yet."""
        widget = self.first_field()
        if widget is None:
            return False
        widget.focus()
        # An example value is selected, so what is typed replaces it (Input does it on focus).
        if isinstance(widget, TextArea):
            widget.select_all()
        return True


def file_exists(path: str) -> bool:
    return bool(path) and Path(path).expanduser().is_file()
