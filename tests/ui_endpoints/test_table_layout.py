"""Responsive Endpoints table columns: what fits at 120 and 80 columns, abbreviations, scrolling."""

from __future__ import annotations

from hftui.widgets.endpoint_columns import (
    COLUMNS,
    INDEX,
    column_stops,
    fit_cell,
    fit_path,
    glyph_x,
    grow_content,
    header_text,
    initial_content,
    layout_columns,
    natural_widths,
    short_instance,
    short_url,
    state_text,
)

from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app, poll_once

ALL_LABELS = ("NAME", "STATE", "MODEL", "TASK", "REGION", "INST", "REPL", "$/H", "URL", "UPD")


def lines(table, n: int) -> list[str]:
    return [table.render_line(y).text for y in range(n)]


def test_abbreviations():
    assert short_instance("gpu", "nvidia-l4", "x1") == "gpu·l4·x1"
    assert short_instance("cpu", "intel-icl", "x2") == "cpu·icl·x2"
    assert short_instance(None, None, None) == "-"
    assert short_url("https://abcd1234.us-east-1.aws.endpoints.huggingface.cloud/x") == "abcd1234"
    assert short_url("http://127.0.0.1:8123/_ep/a/b") == "127.0.0.1"  # no port: snapshots stay stable
    assert short_url(None) == "-"
    assert fit_path("meta-llama/Llama-3.1-8B-Instruct", 28) == "meta-…/Llama-3.1-8B-Instruct"
    assert fit_path("meta-llama/Llama-3.1-8B-Instruct", 21) == "Llama-3.1-8B-Instruct"
    assert fit_path("meta-llama/Llama-3.1-8B-Instruct", 12) == "Llama-3.1-8…"
    assert fit_cell(3, "text-classification", 10) == "text-cls"
    assert fit_cell(4, "aws/us-east-1", 9) == "us-east-1"
    assert fit_cell(5, "gpu·a100·x1", 8) == "a100·x1"
    assert fit_cell(8, "abcdefghijkl", 6) == "abcde…"


def test_layout_is_stable_and_uses_the_width():
    natural = [13, 14, 40, 19, 13, 11, 8, 5, 9, 7]
    content = [13, 14, 40, 19, 13, 11, 7, 5, 9, 4]
    wide = layout_columns(natural, content, 118)
    assert wide.fits and wide.total <= 118 and len(wide.order) == len(COLUMNS)
    assert wide.widths[2] >= 20  # the model keeps a useful width
    assert layout_columns(natural, content, 118) == wide  # same inputs, same widths
    narrow = layout_columns(natural, content, 78)
    assert not narrow.fits
    core = [COLUMNS[i].key for i in narrow.order[:6]]
    assert core == ["name", "state", "model", "replicas", "price", "updated"]
    assert narrow.starts[6] + 1 <= 78  # every core column on screen
    assert narrow.scroll_width >= narrow.total
    roomy = layout_columns(natural, content, 300)
    assert roomy.widths == tuple(natural)



def test_the_scrolled_view_keeps_the_name_column_and_shows_arrows():
    natural = [13, 14, 40, 19, 13, 11, 8, 5, 9, 7]
    content = [13, 14, 40, 19, 13, 11, 7, 5, 9, 4]
    narrow = layout_columns(natural, content, 78)
    header = header_text(narrow, 0, 78)
    assert len(header) == 78 and header.startswith(" NAME") and header.endswith("→") and "←" not in header
    stops = column_stops(narrow)
    assert stops[0] == 0 and stops == sorted(stops)
    scrolled = header_text(narrow, stops[3], 78)
    name_cells = narrow.starts[1]
    assert scrolled[:name_cells - 1] == header[:name_cells - 1], "the name column stays put"
    assert scrolled[name_cells] == "←"
    # The state glyph sits after its marker cell; scrolled under the name column it is not drawn.
    x = glyph_x(narrow, 0, 78)
    assert x == narrow.starts[narrow.order.index(INDEX["state"])] + 1
    assert glyph_x(narrow, stops[1], 78) is None
    assert glyph_x(layout_columns(natural, content, 300), 0, 300) == x


def test_content_widths_grow_only_and_stop_at_the_column_maximum():
    content = initial_content()
    assert content[INDEX["updated"]] == 4  # drawn at paint time: never measured
    cells = [("a" * 200, "● running", "m", "t", "r", "i", "1/1 0–1", "-", "u")]
    assert grow_content(content, cells)
    assert content[INDEX["name"]] == COLUMNS[INDEX["name"]].max_width
    assert not grow_content(content, [("short",) + cells[0][1:]]), "narrower text changes nothing"
    assert natural_widths(content)[INDEX["price"]] == len("$/H")  # the label when the text is shorter


def test_the_state_cell_shows_an_action_in_flight_and_the_spinner():
    assert state_text("● running", None, "") == "● running"
    assert state_text("◌ initializing", None, "◓") == "◓ initializing"
    assert state_text("● running", "pausing", "◐") == "◐ pausing"

async def test_every_column_visible_at_120(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_screen(pilot)
        table = screen.table
        await poll_once(pilot, screen)
        shown = lines(table, table.row_count + 1)
        header = shown[0]
        for label in ALL_LABELS:
            assert label in header, (label, header)
        assert not header.rstrip().endswith("→"), header
        row = next(line for line in shown if "llama-chat" in line)
        assert "aws/us-east-1" in row and "gpu·l4·x1" in row and ("127.0.0.1" in row or "127.0.0…" in row), row
        assert "Llama-3.1-8B-Instruct" in row and "$0.80" in row
        assert row.rstrip()[-1] in "smhdy", row  # the updated-ago column, last
        widths = table.layout_info.widths
        await poll_once(pilot, screen)
        assert table.layout_info.widths == widths  # stable across refreshes


async def test_core_columns_at_80_and_the_rest_with_arrows(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await endpoints_screen(pilot)
        table = screen.table
        header = lines(table, 1)[0]
        for label in ("NAME", "STATE", "MODEL", "REPL", "$/H", "UPD"):
            assert label in header, (label, header)
        assert header.rstrip().endswith("→") and "TASK" not in header
        row = next(line for line in lines(table, 10) if "llama-chat" in line)
        assert "Llama-3.1-8B-Instruct" in row and "$0.80" in row
        table.focus()
        seen = set()
        for _ in range(6):
            await pilot.press("right")
            await pilot.pause()
            header = lines(table, 1)[0]
            assert header.startswith(" NAME"), header  # the name column stays put
            seen.update(label for label in ALL_LABELS if label in header)
            row = next(line for line in lines(table, 10) if "llama-chat" in line)
            assert row.startswith(" llama-chat")
        assert seen >= {"TASK", "REGION", "INST", "URL"}, seen
        row = next(line for line in lines(table, 10) if "llama-chat" in line)
        assert "aws/us-east-1" in row and "gpu·l4·x1" in row, row
        for _ in range(6):
            await pilot.press("left")
        await pilot.pause()
        assert table.scroll_offset.x == 0 and "STATE" in lines(table, 1)[0]


async def test_all_namespaces_names_show_the_namespace(still_emulator):
    app = make_app(still_emulator, namespace=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_screen(pilot)
        screen.set_namespace("*")
        await poll_once(pilot, screen)
        shown = lines(screen.table, screen.table.row_count + 1)
        assert any(line.startswith(" acme-ml/acme-qwen ") for line in shown), shown
        assert any(line.startswith(" demo-user/gpt2-demo ") for line in shown), shown
