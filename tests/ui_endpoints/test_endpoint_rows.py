"""The Endpoints table's rows diff as a plain function: what a poll changes, adds, removes, marks."""

from __future__ import annotations

import dataclasses

from hftui.client.models import Endpoint
from hftui.widgets.endpoint_columns import INDEX, endpoint_cells
from hftui.widgets.endpoint_rows import NO_MARKS, RowsDiff, diff_rows, reformat_rows

from tests.ui_endpoints.helpers import endpoint as ep


calls: list[str] = []


def cells(e: Endpoint) -> tuple[str, ...]:
    calls.append(e.name)
    return endpoint_cells(e, None)


def poll(before: RowsDiff | None, endpoints, complete: bool = True) -> RowsDiff:
    calls.clear()
    if before is None:
        return diff_rows({}, {}, endpoints, complete=complete, cells=cells)
    return diff_rows(before.endpoints, before.rows, endpoints, complete=complete, cells=cells)


def test_first_poll_adds_every_row():
    first = poll(None, [ep("b"), ep("a")])
    assert first.result.added == ("ns/b", "ns/a")
    assert first.result.changed == first.result.removed == first.result.transitions == ()
    assert set(first.rows) == set(first.endpoints) == {"ns/a", "ns/b"}
    assert first.rows["ns/a"].cells == endpoint_cells(ep("a"), None)
    assert first.rows["ns/a"].marks == {}


def test_an_unchanged_poll_reformats_nothing_and_keeps_the_newest_objects():
    first = poll(None, [ep("a"), ep("b")])
    again = [ep("a"), ep("b")]
    second = poll(first, again)
    assert second.result == type(second.result)()  # nothing changed, added or removed
    assert calls == [] and second.repaint == ()
    assert second.rows["ns/a"] is first.rows["ns/a"]  # the same row object: nothing to redraw
    assert second.endpoints["ns/a"] is again[0]  # but Describe and actions read the newest endpoint


def test_a_change_is_marked_and_reported_as_a_transition():
    first = poll(None, [ep("a"), ep("b", ready=1), ep("c", state="running")])
    second = poll(first, [ep("a"), ep("b", ready=2), ep("c", state="failed", ready=0)])
    assert second.result.changed == ("ns/b", "ns/c")
    assert second.result.transitions == (("ns/c", "running", "failed"),)
    assert calls == ["b", "c"]  # only the changed rows are formatted again
    assert second.rows["ns/b"].marks == {INDEX["replicas"]: "↑"}
    assert second.rows["ns/c"].marks[INDEX["replicas"]] == "↓"
    assert second.rows["ns/c"].marks[INDEX["state"]] == "Δ"
    assert second.repaint == ("ns/b", "ns/c")
    assert first.rows["ns/b"].marks == {}, "the rows given are left as they were"


def test_markers_last_until_the_next_full_poll():
    first = poll(None, [ep("a"), ep("b")])
    second = poll(first, [ep("a", ready=0), ep("b")])
    assert second.rows["ns/a"].marks
    one = poll(second, [ep("b", state="paused", ready=0)], complete=False)  # an action's answer
    assert one.rows["ns/a"] is second.rows["ns/a"], "an action's answer leaves the other rows' markers"
    assert one.result.changed == ("ns/b",) and one.result.removed == ()
    third = poll(one, [ep("a", ready=0), ep("b", state="paused", ready=0)])
    assert third.result.changed == ()
    assert third.rows["ns/a"].marks == third.rows["ns/b"].marks == NO_MARKS
    assert set(third.repaint) == {"ns/a", "ns/b"}, "a cleared marker is a repaint"


def test_a_full_poll_removes_missing_rows_and_a_single_update_does_not():
    first = poll(None, [ep("a"), ep("b"), ep("c")])
    single = poll(first, [ep("d")], complete=False)
    assert single.result.added == ("ns/d",) and single.result.removed == ()
    assert set(single.rows) == set(single.endpoints) == {"ns/a", "ns/b", "ns/c", "ns/d"}
    full = poll(single, [ep("a"), ep("e")])
    assert full.result.added == ("ns/e",)
    assert set(full.result.removed) == {"ns/b", "ns/c", "ns/d"}
    assert set(full.rows) == set(full.endpoints) == {"ns/a", "ns/e"}
    same_count = poll(full, [ep("a"), ep("f")])  # one gone, one new: the count alone does not tell
    assert same_count.result.removed == ("ns/e",) and same_count.result.added == ("ns/f",)


def test_rows_are_keyed_by_namespace_and_name():
    both = poll(None, [ep("a", ns="alice"), ep("a", ns="bob")])
    assert set(both.rows) == {"alice/a", "bob/a"}
    only_bob = poll(both, [dataclasses.replace(both.endpoints["bob/a"])])
    assert only_bob.result.removed == ("alice/a",)


def test_a_field_the_row_does_not_show_is_not_a_change():
    first = poll(None, [ep("a", message="Endpoint is ready")])
    second = poll(first, [ep("a", message="Still ready")])
    assert second.result.changed == () and calls == []
    assert second.endpoints["ns/a"].message == "Still ready"


def test_reformat_keeps_markers_and_uses_the_new_cells():
    first = poll(None, [ep("a")])
    second = poll(first, [ep("a", ready=0)])
    priced = reformat_rows(second.endpoints, second.rows, lambda e: endpoint_cells(e, 1.5))
    assert priced["ns/a"].cells[INDEX["price"]] == "$1.50"
    assert priced["ns/a"].marks == second.rows["ns/a"].marks
