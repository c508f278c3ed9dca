"""Widgets removed from a screen that lives on must not stay alive.

Three things in Textual keep a removed widget (and everything it holds, ~1,000 objects for a
text field) for as long as the screen or the app lives:

- a text field (Input, TextArea) subscribes to its screen's "text selection started" signal
  with a callback that holds the field; the signal drops it only when a mouse selection
  starts on that screen;
- ``watch(other, ...)`` and ``data_bind`` store the watcher on the *watched* object, which
  drops it only when that value changes (Textual issue #6666): a TextArea watches the app's
  theme, a footer key its footer's ``compact``;
- ``query_one`` caches its result on the node it was asked of: a screen that looked up a
  widget it later removes keeps it until 1,024 other lookups push it out (so the
  Playground keeps its form in an attribute instead of looking it up).

The Playground lives as long as the app and replaces its form on every task change and every
``:play``; footers rebuild their keys whenever the focus moves to a widget with other keys.
Each old form and each old set of keys stayed in memory, and the collector's full passes
grew with them (50 → 120 ms after a few task changes).

    remove_for_good(old_form)       # instead of old_form.remove()
    forget_watchers(footer)         # drop the watchers of widgets no longer running
"""

from __future__ import annotations

from collections.abc import Collection

from textual.await_remove import AwaitRemove
from textual.widget import Widget


def remove_for_good(widget: Widget) -> AwaitRemove:
    """``widget.remove()``, with what it holds unsubscribed from its screen and the app."""
    screen, app = widget.screen, widget.app
    gone = set(widget.walk_children(with_self=True))
    for node in gone:
        screen.text_selection_started_signal.unsubscribe(node)
    forget_watchers(app, gone)
    return widget.remove()


def forget_watchers(watched: object, gone: Collection[object] = ()) -> None:
    """Drop the watchers of ``watched``'s reactives that belong to ``gone`` or are no longer running.

    The store is private to Textual: if it is not there (a release that changed it), nothing
    is done and the widgets stay in memory as before."""
    watchers = getattr(watched, "__watchers", None)
    if not isinstance(watchers, dict):
        return
    for entries in watchers.values():
        if isinstance(entries, list):
            entries[:] = [entry for entry in entries
                          if entry[0] not in gone and getattr(entry[0], "is_running", True)]
