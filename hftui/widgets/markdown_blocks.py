"""Markdown for a live transcript: Rich's renderer with one shared parser, and the finished blocks of a stream.

    split_finished(src, gap, final=False) -> (blocks, rest, gap)

A stream's Markdown is frozen block by block (blank-line separated
paragraphs; fenced code once closed) so that only the unfinished tail is
rendered again per frame; a paragraph that never ends is frozen in slices of
``TAIL_LIMIT`` characters.
"""

from __future__ import annotations

import re

from rich.markdown import Markdown

TAIL_LIMIT = 1000
"""Characters of live Markdown re-rendered per frame, at most (plus one frame of tokens)."""
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class TranscriptMarkdown(Markdown):
    """Rich's Markdown with one shared parser: building a MarkdownIt per render compiles its rules
    (regexes) again each time, the largest cost of re-rendering a small live tail 20 times a second."""

    _parser = None

    def __init__(self, markup: str, *, code_theme: str = "ansi_dark") -> None:
        cls = type(self)
        if cls._parser is None:
            from markdown_it import MarkdownIt

            cls._parser = MarkdownIt().enable("strikethrough").enable("table")
        self.markup = markup
        self.parsed = cls._parser.parse(markup)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = False  # links render as "text (url)": nothing clickable, no actions
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme


def split_finished(src: str, gap: bool, final: bool = False) -> tuple[list[tuple[str, bool]], str, bool]:
    """The finished blocks of ``src`` as (text, gap before it), the live rest, and the gap before the rest.

    ``gap``: a blank row goes before the first block; ``final``: the stream ended, everything is finished.
    """
    blocks: list[tuple[str, bool]] = []
    last_end = 0
    fence: str | None = None
    fence_line = ""
    i = 0
    while True:
        j = src.find("\n", i)
        if j < 0:
            break
        line = src[i:j]
        stripped = line.strip()
        if fence is None:
            m = _FENCE.match(line)
            if m:
                fence, fence_line = m.group(1), line
                if src[last_end:i].strip():  # text right before the fence is its own block
                    blocks.append((src[last_end:i], gap))
                    gap = True
                last_end = i
            elif not stripped:
                if src[last_end:i].strip():
                    blocks.append((src[last_end:i], gap))
                    gap = True
                last_end = j + 1
        elif stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            fence = None
            blocks.append((src[last_end:j + 1], gap))
            gap = True
            last_end = j + 1
        i = j + 1
    rest = src[last_end:]
    if final:
        if rest.strip():
            blocks.append((rest, gap))
            gap = True
        rest = ""
    elif len(rest) > TAIL_LIMIT:
        # One long paragraph or code block: freeze a slice so the live tail stays small.
        cut = rest.rfind("\n", 0, TAIL_LIMIT)
        if fence is not None:
            if cut > len(fence_line):
                blocks.append((rest[:cut] + "\n" + fence, gap))
                rest = fence_line + rest[cut:]
                gap = False
        else:
            if cut <= 0:
                cut = max(rest.rfind(". ", 0, TAIL_LIMIT), rest.rfind(" ", 0, TAIL_LIMIT))
                cut = cut + 1 if cut > 0 else TAIL_LIMIT
            blocks.append((rest[:cut], gap))
            rest = rest[cut:].lstrip(" ")
            gap = False
    return blocks, rest, gap
