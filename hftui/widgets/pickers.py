"""Open a picker by key: focus a Select and open its list, or put the cursor in a field.

``open_picker(widget)`` is what ``t`` (task), ``o`` (sort) and the Playground's ctrl+t / ctrl+o /
ctrl+l do (``hftui.keys``): no Tab hunting across the controls. Once a choice is made or the list is
closed, the focus goes back to where it was (the table the key was pressed in), so the next key
moves in the list again instead of landing on a closed Select.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary, WeakSet

from textual.widget import Widget
from textual.widgets import Input, Select

_RETURN_TO: WeakKeyDictionary[Select, Widget] = WeakKeyDictionary()
_WATCHED: WeakSet[Select] = WeakSet()


def open_picker(widget: Widget) -> bool:
    """Focus ``widget`` (opening a Select's list); False when it cannot take the focus now."""
    if not widget.is_mounted or widget.disabled or not widget.display:
        return False
    before = widget.screen.focused
    if isinstance(widget, Select):
        if before is not None and before is not widget and widget not in before.ancestors_with_self:
            _RETURN_TO[widget] = before
        if widget not in _WATCHED:
            _WATCHED.add(widget)
            widget.watch(widget, "expanded", _one_argument(widget), init=False)
        widget.focus()
        widget.action_show_overlay()
        return True
    widget.focus()
    if isinstance(widget, Input):
        widget.select_all()  # typing replaces the id; an arrow key keeps it
    return True


def _one_argument(select: Select):
    # Textual passes (old, new) to a watcher with two parameters: this one takes only the new value.
    def on_expanded(expanded: bool) -> None:
        _closed(select, expanded)

    return on_expanded


def _closed(select: Select, expanded: bool) -> None:
    if expanded:
        return
    back = _RETURN_TO.pop(select, None)
    if back is None or not back.is_attached or not back.focusable:
        return
    # After the Select has taken the focus back from its list (same refresh): then hand it on.
    select.call_after_refresh(lambda: back.focus() if select.has_focus or select.screen.focused is None else None)
