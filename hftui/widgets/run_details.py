"""The Playground's views of a run beyond its output: generated tokens and the raw exchange.

    tokens_text(result) -> Text     # text generation: tokens with logprobs and top alternatives,
                                    # prefill, best_of alternatives (GenerationDetails)
    raw_text(exchange) -> Text      # the last request and response (hftui.client.exchange)
    RunDetails().show_text(text)    # the scrollable view the Tokens / Raw tabs show

Everything shown came from a server: cut and cleaned (``one_line``/``clean``),
and put in ``rich.text.Text`` (never parsed as markup).
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from hftui.client.errors import scrub
from hftui.sanitize import mask_pieces
from hftui.widgets.safe_text import clean, one_line

MAX_TOKENS = 2000
"""Rows shown per token list (a long generation is cut, and says so)."""
MAX_ALTERNATIVES = 5
TOKEN_CHARS = 24
SEQUENCE_CHARS = 400
RAW_CHARS = 6000
"""The most of a body shown in the raw view (the recorder keeps ``exchange.BODY_BYTES``)."""


def _token(text: str) -> str:
    """A token as typed: quotes show its spaces, escapes its newlines (repr), cleaned and cut."""
    return one_line(repr(text), TOKEN_CHARS)


def _logprob(value: float | None) -> str:
    return f"{value:8.3f}" if isinstance(value, (int, float)) and math.isfinite(value) else "       –"


def _prob(value: float | None) -> str:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "      "
    return f"{100 * math.exp(min(value, 0.0)):5.1f}%"


def _rows(out: Text, tokens: tuple, top: tuple | None) -> None:
    out.append(f"{'#':>5}  {'token':<{TOKEN_CHARS}}  {'logprob':>8} {'p':>6}  alternatives\n", style="bold")
    shown = tokens[:MAX_TOKENS]
    # Masked over the whole sequence: a token the server echoed in pieces is in no single one.
    texts = mask_pieces([tok.text if isinstance(tok.text, str) else "" for tok in shown])
    for i, (tok, text) in enumerate(zip(shown, texts)):
        out.append(f"{i:>5}  ")
        out.append(f"{_token(text):<{TOKEN_CHARS}}", style="dim" if getattr(tok, "special", False) else "")
        out.append(f"  {_logprob(tok.logprob)} {_prob(tok.logprob)}  ")
        alternatives = top[i] if top is not None and i < len(top) else ()
        out.append(" · ".join(f"{_token(a.text)} {_logprob(a.logprob).strip()}"
                              for a in alternatives[:MAX_ALTERNATIVES]), style="italic")
        out.append("\n")
    if len(tokens) > MAX_TOKENS:
        out.append(f"… {len(tokens) - MAX_TOKENS} more tokens not shown\n", style="dim")


def _mean(tokens: tuple) -> str:
    values = [t.logprob for t in tokens if isinstance(t.logprob, (int, float)) and math.isfinite(t.logprob)]
    return f"{sum(values) / len(values):.3f}" if values else "–"


def tokens_text(result: Any) -> Text:
    """The token view of a text-generation result (``Generation``), or a line saying why there is none."""
    details = getattr(result, "details", None)
    if details is None:
        return Text("No token details: run Text generation with Details on (Top n tokens adds the "
                    "alternatives, Decoder input details the prompt, Best of the other candidates).")
    out = Text()
    head = [f"{len(details.tokens)} tokens"]
    if details.finish_reason:
        head.append(f"finish {one_line(details.finish_reason, 30)}")
    if details.seed is not None:
        head.append(f"seed {details.seed}")
    if details.tokens:
        head.append(f"mean logprob {_mean(details.tokens)}")
    out.append("Generated · " + " · ".join(head) + "\n", style="bold")
    if details.tokens:
        _rows(out, details.tokens, details.top_tokens)
    else:
        out.append("(the server sent no tokens)\n", style="dim")
    if details.prefill:
        out.append(f"\nPrompt (prefill) · {len(details.prefill)} tokens\n", style="bold")
        _rows(out, details.prefill, None)
    if details.best_of_sequences:
        out.append(f"\nBest-of alternatives · {len(details.best_of_sequences)} (the answer is the best one)\n",
                   style="bold")
        for n, seq in enumerate(details.best_of_sequences, 1):
            facts = [f"finish {one_line(seq.finish_reason or '?', 30)}"]
            if seq.generated_tokens is not None:
                facts.append(f"{seq.generated_tokens} tokens")
            if seq.seed is not None:
                facts.append(f"seed {seq.seed}")
            facts.append(f"mean logprob {_mean(seq.tokens)}")
            out.append(f"{n:>3}. " + " · ".join(facts) + "\n", style="italic")
            out.append("     " + one_line(seq.text, SEQUENCE_CHARS) + "\n")
    return out


def _body(out: Text, data: bytes, size: int | None, headers: dict[str, str]) -> None:
    if size is None:
        out.append("(streamed: the body went to the output view)\n", style="dim")
        return
    if not size:
        out.append("(no body)\n", style="dim")
        return
    kind = headers.get("content-type", "")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        out.append(f"({size} bytes of {one_line(kind or 'binary data', 60)}: not shown)\n", style="dim")
        return
    cut = f" · first {len(data)} shown" if size > len(data) else ""
    out.append(f"body · {size} bytes{cut}\n", style="dim")
    out.append(scrub(clean(text, limit=RAW_CHARS)) + "\n")


def raw_text(exchange: Any) -> Text:
    """The raw request and response of the last run (``hftui.client.exchange.Exchange``)."""
    if exchange is None:
        return Text("No exchange yet: run something (the raw request and response of the last run show here).")
    out = Text()
    out.append("Request\n", style="bold")
    out.append(f"{one_line(exchange.method, 10)} {scrub(one_line(exchange.url, 500))}\n")
    for name, value in exchange.request_headers.items():
        out.append(f"{one_line(name, 60)}: {scrub(one_line(value, 300))}\n")
    _body(out, exchange.request_body, exchange.request_size, exchange.request_headers)
    out.append("\nResponse\n", style="bold")
    if exchange.status is None:
        out.append("(no answer)\n", style="dim")
        return out
    out.append(f"status {exchange.status}\n")
    for name, value in exchange.response_headers.items():
        out.append(f"{one_line(name, 60)}: {scrub(one_line(value, 300))}\n")
    _body(out, exchange.response_body, exchange.response_size, exchange.response_headers)
    return out


class RunDetails(VerticalScroll):
    """The Tokens / Raw view of the last run."""

    DEFAULT_CSS = """
    RunDetails { height: 1fr; scrollbar-gutter: stable; padding: 0 1; }
    """

    def compose(self):
        yield Static("", id="details-text")

    def show_text(self, text: Text) -> None:
        self.query_one("#details-text", Static).update(text)
        self.scroll_home(animate=False)

    @property
    def text(self) -> str:
        return str(self.query_one("#details-text", Static).render())
