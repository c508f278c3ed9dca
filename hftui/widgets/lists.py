"""Lists that move with ``j``/``k`` as well as the arrows (hftui.keys: ``j``/``k`` move in every list)."""

from __future__ import annotations

from textual.widgets import DataTable, OptionList

from hftui.keys import bindings_for


class ListTable(DataTable):
    """A DataTable whose rows also move with j/k."""

    BINDINGS = bindings_for("ListTable")


class ListOptions(OptionList):
    """An OptionList whose items also move with j/k."""

    BINDINGS = bindings_for("ListOptions")
