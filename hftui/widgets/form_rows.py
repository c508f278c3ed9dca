"""The rows of a labelled form: ``label | field`` with the field's error line under it.

    yield from form_row("Name", Input(id="name"), "name")   # ids: row-name, err-name
    show_field_error(screen, "name", "the name is required")  # None clears it
    set_choices(select, options, want)   # a choice that is never blank (placeholder when empty)
    choice_value(select)                 # None for the placeholder
"""

from __future__ import annotations

from typing import Any

from textual.containers import Horizontal
from textual.content import Content
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Select, Static

from hftui.sanitize import one_line

NO_CHOICE = "\x00"
"""Prefix of the one option of a choice that has nothing to offer (loading, unavailable, nothing
there). Such Selects never allow a blank: a blank accelerator reached by wrapping round the list
used to empty the Instance choice (issue 11 #14)."""


def form_row(label: str, widget: Widget, key: str):
    with Horizontal(classes="row", id=f"row-{key}"):
        yield Static(label, classes="label")
        yield widget
    yield Static("", classes="field-error -empty", id=f"err-{key}", markup=False)


def show_field_error(root: DOMNode, key: str, text: str | None) -> None:
    err = root.query_one(f"#err-{key}", Static)
    err.update(one_line(text or "", 300))
    err.set_class(not text, "-empty")


def placeholder(text: str) -> list[tuple[Any, str]]:
    # one value per text: a Select shows a new label only when its value changes
    return [(Content.styled(text, "dim"), NO_CHOICE + text)]


def set_choices(sel: Select, options: list[tuple[Any, str]], want: str | None, *, empty: str = "none here") -> None:
    """Replace a choice's options and select ``want`` (else the first): never blank."""
    sel.set_options(options or placeholder(empty))
    if want is not None and options:
        sel.value = want


def choice_value(sel: Select) -> Any:
    value = sel.value
    return None if value is Select.NULL or str(value).startswith(NO_CHOICE) else value
