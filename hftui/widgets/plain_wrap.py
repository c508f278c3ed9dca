"""Incremental word wrapping of streamed plain text (rows by terminal cells)."""

from __future__ import annotations

import re

from rich.cells import cell_len, chop_cells

_PIECES = re.compile(r"\n| +|[^ \n]+")


class PlainWrapper:
    """Incremental word wrapping: feed text, get finished rows; the last row stays open.

    A word that arrives in pieces (``"Hel"`` then ``"lo"``) moves to the next
    row as a whole if it no longer fits.
    """

    def __init__(self, width: int) -> None:
        self.width = max(1, width)
        self.row = ""
        self.row_w = 0
        self.wrapped = False

    def feed(self, text: str) -> list[str]:
        done: list[str] = []
        width = self.width
        for piece in _PIECES.findall(text.replace("\t", "    ")):
            if piece == "\n":
                done.append(self.row)
                self.row, self.row_w = "", 0
                self.wrapped = False
                continue
            if piece[0] == " ":
                w = len(piece)
                if not self.row and self.wrapped:
                    continue  # spaces at a soft wrap are dropped, even when they arrive later
                if self.row_w + w <= width:
                    self.row += piece
                    self.row_w += w
                else:
                    done.append(self.row.rstrip(" "))
                    self.row, self.row_w = "", 0
                    self.wrapped = True
                continue
            self.wrapped = False
            # A word, possibly continuing the word at the end of the row.
            start = len(self.row)
            tail_word = ""
            if self.row and self.row[-1] != " ":
                idx = self.row.rfind(" ") + 1
                tail_word = self.row[idx:]
                start = idx
            w = cell_len(piece)
            if self.row_w + w <= width:
                self.row += piece
                self.row_w += w
                continue
            word = tail_word + piece
            if tail_word and start > 0 and cell_len(word) <= width:
                if self.row[:start].strip(" "):
                    done.append(self.row[:start].rstrip(" "))
                self.row, self.row_w = word, cell_len(word)
                continue
            if not tail_word and w <= width:
                if self.row.strip(" "):
                    done.append(self.row.rstrip(" "))
                self.row, self.row_w = piece, w
                continue
            # Longer than a row: the row before the word ends, the word is hard-split by cells.
            before = self.row[:start] if tail_word else self.row
            if before.strip(" "):
                done.append(before.rstrip(" "))
            chunks = chop_cells(word, width)
            done.extend(chunks[:-1])
            self.row = chunks[-1] if chunks else ""
            self.row_w = cell_len(self.row)
        return done

    def close(self) -> list[str]:
        return [self.row] if self.row else []


def wrap_plain(text: str, width: int) -> list[str]:
    w = PlainWrapper(width)
    rows = w.feed(text)
    return rows + w.close()
