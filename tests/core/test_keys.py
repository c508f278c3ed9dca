"""Issue 11.4: one meaning per key. The key map is one table (``hftui.keys``); every screen and
widget builds its BINDINGS from it, and no key means two things on two screens."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from textual.binding import Binding

from hftui import keys
from hftui.keys import KEYS, NAVIGATION, Key, conflicts


def _classes_with_bindings() -> dict[str, type]:
    """Every hftui class (app, screens, widgets) that declares BINDINGS itself."""
    import hftui.app
    import hftui.screens
    import hftui.widgets
    from textual.dom import DOMNode

    for package in (hftui.screens, hftui.widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    found: dict[str, type] = {}
    pending: list[type] = [DOMNode]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("hftui.") and cls.__dict__.get("BINDINGS"):
            found[cls.__name__] = cls
    found["HFTUIApp"] = hftui.app.HFTUIApp
    return found


def test_no_key_means_two_things():
    assert conflicts() == {}, "keys with two meanings: " + "; ".join(
        f"{key}: " + ", ".join(f"{verb!r} ({' '.join(ids)})" for verb, ids in by_verb.items())
        for key, by_verb in conflicts().items())


def test_the_check_finds_a_key_with_two_meanings():
    table = (Key("A", "a.one", "h", "x", "X", "open the History"),
             Key("B", "b.one", "left,h", "y", "Y", "scroll left"),
             Key("C", "c.one", "left", "z", "Z", "previous format"))
    found = conflicts(table)
    assert set(found) == {"h"}  # "left" is a direction: it is not checked
    assert found["h"] == {"open the History": ["a.one"], "scroll left": ["b.one"]}
    documented = table[:1] + (Key("B", "b.one", "h", "y", "Y", "scroll left", exception="why"),)
    assert conflicts(documented) == {}


def test_every_binding_comes_from_the_table():
    classes = _classes_with_bindings()
    owners = {k.owner for k in KEYS}
    assert owners <= set(classes), f"rows for classes that do not exist: {owners - set(classes)}"
    for name, cls in classes.items():
        live = [b for b in cls.__dict__["BINDINGS"] if isinstance(b, Binding)]
        assert len(live) == len(cls.__dict__["BINDINGS"]), f"{name}: a binding that is not a Binding"
        rows = keys.rows_for(name)
        assert [(b.id, b.key, b.action, b.description) for b in live] == \
            [(r.id, r.keys, r.action, r.label) for r in rows], f"{name} does not build its BINDINGS from the table"


def test_every_row_has_an_id_a_verb_and_a_tooltip():
    for row in KEYS:
        assert row.id and "." in row.id and row.verb and (row.tooltip or row.label), row
    ids_by_owner = [(row.owner, row.id) for row in KEYS]
    assert len(ids_by_owner) == len(set(ids_by_owner)), "an id twice in one class"


def _verbs(key: str) -> set[str]:
    return {verb for k, verb, row in keys.uses() if k == key and not row.exception}


@pytest.mark.parametrize("owner", ["ModelTable", "ListTable", "EndpointTable", "LogView", "ListOptions"])
def test_j_and_k_move_in_every_list(owner):
    classes = _classes_with_bindings()
    bound: dict[str, str] = {}
    for cls in classes[owner].__mro__:
        for b in cls.__dict__.get("BINDINGS", ()):
            for key in b.key.split(","):
                bound.setdefault(key.strip(), b.action)
    assert bound.get("j") in ("cursor_down", "scroll_down") and bound.get("k") in ("cursor_up", "scroll_up"), bound


def test_the_keys_the_issue_names_mean_one_thing():
    assert _verbs("j") == {keys.DOWN} and _verbs("k") == {keys.UP}
    assert _verbs("h") == {keys.HISTORY}  # never "scroll left"
    assert _verbs("l") == {keys.LOGS}  # never "scroll right"
    assert _verbs("ctrl+r") == {keys.RUN}
    assert _verbs("d") == {keys.DETAILS}
    assert not any("scroll" in verb for key in ("h", "l") for verb in _verbs(key))


def test_the_history_list_and_the_models_table_are_lists():
    from hftui.screens.history import HistoryScreen  # noqa: F401  (its table is a ListTable)
    from hftui.widgets.lists import ListTable
    from hftui.widgets.model_table import ModelTable

    assert issubclass(ModelTable, ListTable)


def test_the_documented_exceptions_say_why():
    assert keys.EXCEPTIONS and all(len(row.exception) > 10 for row in keys.EXCEPTIONS)
    assert all(key not in NAVIGATION for row in keys.EXCEPTIONS for key in row.key_list())
