"""StreamOutput in a small host app: block freezing, bounded tail, wrapping, untrusted text."""

from __future__ import annotations

import random

from textual.app import App, ComposeResult

from hftui.controllers.meter import StreamMeter
from hftui.widgets.markdown_blocks import TAIL_LIMIT
from hftui.widgets.plain_wrap import PlainWrapper, wrap_plain
from hftui.widgets.stream_output import StreamOutput


class Host(App):
    def compose(self) -> ComposeResult:
        yield StreamOutput(id="out")


def test_incremental_wrapping_equals_wrapping_the_whole_text():
    rng = random.Random(1)
    words = ["a", "token", "streamed", "supercalifragilisticexpialidocious", ",", ".", "é", "日本語"]
    text = "".join(rng.choice([" ", "", "  "]) + rng.choice(words) + ("\n" if rng.random() < 0.03 else "")
                   for _ in range(2000))
    for width in (10, 37, 80):
        whole = wrap_plain(text, width)
        for _ in range(5):
            w = PlainWrapper(width)
            rows: list[str] = []
            i = 0
            while i < len(text):
                n = rng.randint(1, 9)
                rows += w.feed(text[i:i + n])
                i += n
            rows += w.close()
            assert rows == whole
        from rich.cells import cell_len

        assert all(cell_len(r) <= width for r in whole)
        assert "".join(whole).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_a_word_split_across_chunks_moves_to_the_next_row_whole():
    w = PlainWrapper(10)
    rows = w.feed("hello wor") + w.feed("ld")
    assert rows == ["hello"] and w.row == "world"


async def test_markdown_blocks_freeze_and_the_tail_stays_small():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        out = app.query_one(StreamOutput)
        out.begin("markdown")
        text = ("# Title\n\nFirst paragraph with **bold**.\n\n```python\ndef f():\n\n    return 1\n```\n\n"
                "- one\n- two\n\nLast words")
        for ch in text:
            out.append(ch)
        out.flush_now()
        await pilot.pause()
        frozen = [b.text for b in out._blocks if b.kind == "markdown"]
        assert frozen == ["# Title\n", "First paragraph with **bold**.\n",
                          "```python\ndef f():\n\n    return 1\n```\n", "- one\n- two\n"]
        assert out._md_src == "Last words"
        shown = out.plain_text()
        assert "Title" in shown and "bold" in shown and "**" not in shown and "return 1" in shown
        out.finish()
        assert out.last_text == text and "Last words" in out.plain_text()


async def test_an_endless_paragraph_is_frozen_in_slices():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        out = app.query_one(StreamOutput)
        out.begin("markdown")
        words = [f" w{i}" for i in range(3000)]
        for i, word in enumerate(words):
            out.append(word)
            if i % 200 == 0:
                out.flush_now()
                assert len(out._md_src) <= TAIL_LIMIT + 2000
        out.finish()
        await pilot.pause()
        assert " ".join(out.plain_text().split()) == "".join(words).strip()
        assert out.virtual_size.height == len(out._lines)


async def test_untrusted_text_is_literal_and_escape_free():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        out = app.query_one(StreamOutput)
        out.add_block("[bold]hi[/bold] [@click=app.quit]x[/] \x1b]52;c;ZXZpbA==\x07 \x1b[31mred", "user")
        out.begin("markdown")
        out.append("[red]not markup[/red] and [a link](http://example.com)\n\n")
        out.finish()
        await pilot.pause()
        text = out.plain_text()
        assert "[bold]hi[/bold] [@click=app.quit]x[/]" in text
        assert "[red]not markup[/red]" in text and "http://example.com" in text
        assert "\x1b" not in text and "ZXZpbA" not in text
        for y in range(out.size.height):
            for seg in out.render_line(y):
                assert not (seg.style and (seg.style.link or (seg.style.meta and "@click" in seg.style.meta)))


async def test_resize_rewraps_everything():
    app = Host()
    async with app.run_test(size=(100, 24)) as pilot:
        out = app.query_one(StreamOutput)
        out.begin("plain")
        out.append("word " * 200)
        out.flush_now()
        wide = len(out._lines) + len(out._tail)
        await pilot.resize_terminal(50, 24)
        await pilot.pause()
        narrow = len(out._lines) + len(out._tail)
        assert narrow > wide * 1.8
        assert max(len(line) for line in out.plain_text().splitlines()) <= out.scrollable_content_region.width
        out.append("tail")
        out.finish()
        assert out.plain_text().split()[-1] == "wordtail" or out.plain_text().endswith("tail")


async def test_following_the_end_and_staying_put_when_scrolled_up():
    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        out = app.query_one(StreamOutput)
        out.begin("plain")
        for i in range(100):
            out.append(f"line {i}\n")
        out.flush_now()
        await pilot.pause()
        assert out.scroll_y == out.max_scroll_y > 0
        out.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        out.append("more\n" * 20)
        out.flush_now()
        await pilot.pause()
        assert out.scroll_y == 0


def test_meter_under_a_frozen_clock_is_deterministic():
    m = StreamMeter()
    m.start()
    m.token()
    m.token(4)
    m.stop()
    assert m.tokens == 5 and m.elapsed == 0.0
    assert m.summary() == "0.0s · 5 tok · – tok/s · TTFT –"
