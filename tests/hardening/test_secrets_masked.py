"""A token a server echoes in *any* string (a name, a message, a URL) is masked wherever text is
cleaned for a terminal or a file (``hftui.sanitize``; ``HFClient`` registers its token), in any
letter case, even hidden by an escape sequence or halved by a cut. What the user asked to hold the
token (an export "with my token") keeps it."""

from __future__ import annotations

from hftui.sanitize import MASK, add_secret, clean, one_line, safe_url

SECRET = "hf_EchoedBackByAServer0123456789"


def setup_module() -> None:
    add_secret(SECRET)  # what HFClient does with its token


def test_clean_and_one_line_mask_a_registered_token_in_any_case():
    for text in (f"name-{SECRET}", f"name-{SECRET.upper()}", f"name-{SECRET.lower()}\n[b"):
        for fn in (clean, one_line):
            out = fn(text)
            assert SECRET.lower() not in out.lower() and MASK in out, (fn.__name__, out)
    assert one_line(f"demo-user{SECRET}") == f"demo-user{MASK}"


def test_a_token_hidden_by_escapes_is_masked_once_they_are_gone():
    hidden = f"a{SECRET[:9]}\x1b[0m\x9b1m{SECRET[9:]}z"
    assert clean(hidden) == f"a{MASK}z"
    assert one_line(hidden) == f"a{MASK}z"


def test_a_cut_never_leaves_part_of_the_token():
    for limit in range(5, 40):
        out = one_line("x" * 5 + SECRET + " tail", limit)
        assert SECRET[:6].lower() not in out.lower(), (limit, out)
    # cut before the regexes ran (a huge value): what is left of the token at the end is masked too
    huge = "\x1b[1m" * 10 + "y" * 90 + SECRET
    out = one_line(huge, 30)
    assert SECRET[:5] not in out


def test_a_url_holding_the_token_is_neither_used_nor_shown():
    assert safe_url(f"https://x.example/run?key={SECRET}") is None
    assert safe_url(f"https://x.example/{SECRET.upper()}") is None
    assert safe_url("https://x.example/run?key=other") == "https://x.example/run?key=other"


def test_text_that_must_hold_the_token_can_keep_it():
    assert clean(f"Bearer {SECRET}", mask_secrets=False) == f"Bearer {SECRET}"
    assert one_line(f"Bearer {SECRET}\x1b[2J", mask_secrets=False) == f"Bearer {SECRET}"


def test_an_export_with_my_token_still_holds_it_once_the_token_is_registered():
    from hftui.auth import Secret
    from hftui.config import Settings
    from hftui.export import export_run

    record = {"id": 1, "task": "fill-mask", "target": {"kind": "model", "model": "google-bert/bert-base-uncased"},
              "inputs": {"inputs": "It's the [MASK] of France."}, "parameters": {}, "options": {}}
    out = export_run(record, settings=Settings(), include_token=True, token=Secret(SECRET))
    for fmt, text in out.items():
        assert not text.startswith("#"), (fmt, text)
        assert SECRET in text, fmt


def test_the_clipboard_takes_the_token_only_when_the_user_asked_for_it():
    """A server's id or text holding the token is shown masked: copying it would not copy what is
    shown, so it is refused; an export "with my token" (``token_ok``) is copied as it is."""
    from hftui.widgets.clipboard import refusal

    assert "token" in (refusal(f"org/model-{SECRET.upper()}", single_line=True) or "")
    assert "token" in (refusal(f"curl -H 'Authorization: Bearer {SECRET}'\n") or "")
    assert refusal(f"curl -H 'Authorization: Bearer {SECRET}'\n", token_ok=True) is None
    assert refusal("org/model", single_line=True) is None
    assert refusal(f"x\x1b]52;c;AA==\x07{SECRET}", token_ok=True) is not None  # controls: never


# --- a token sent in pieces (a stream's tokens, one by one) -------------------------------------

def pieces_of(text: str, sizes: tuple[int, ...]) -> list[str]:
    out, at = [], 0
    for size in sizes:
        out.append(text[at:at + size])
        at += size
    return out + [text[at:]]


def test_the_start_of_a_token_at_the_end_of_a_piece_is_held_back():
    from hftui.sanitize import secret_start

    assert secret_start("the answer: " + SECRET[:7]) == 7
    assert secret_start("the answer: " + SECRET[:7].upper()) == 7
    assert secret_start("oh") == 1  # "h" may begin it: held until the next piece says
    assert secret_start("nothing to hold back") == 0
    assert secret_start(SECRET) == 0  # whole, it is masked, not held


def test_pieces_mask_a_token_spread_over_them():
    from hftui.sanitize import mask_pieces

    for sizes in ((3,), (3, 5), (1, 1, 1, 1), (6, 9, 4), (2, 30)):
        text = f"a {SECRET.lower()} b {SECRET} c"
        pieces = pieces_of(text, sizes)
        masked = mask_pieces(pieces)
        assert len(masked) == len(pieces)
        joined = "".join(masked)
        assert joined == f"a {MASK} b {MASK} c", (sizes, masked)
        for piece in masked:  # no piece holds a part of it either, beyond what any text holds
            assert SECRET[3:8].lower() not in piece.lower()
    assert mask_pieces(["no", " secret", " here"]) == ["no", " secret", " here"]


async def test_a_stream_that_sends_the_token_in_pieces_never_shows_it():
    from textual.app import App

    from hftui.widgets.stream_output import StreamOutput

    class Host(App):
        def compose(self):
            yield StreamOutput()

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        out = app.query_one(StreamOutput)
        for kind in ("plain", "markdown"):
            out.clear()
            out.begin(kind)
            shown: list[str] = []
            for piece in pieces_of(f"Here: {SECRET} and so on, oh", (4, 5, 3, 7, 6, 9)):
                out.append(piece)
                out.flush_now()  # each piece painted on its own, as a slow stream is
                shown.append(out.plain_text())
            out.finish()
            await pilot.pause()
            shown.append(out.plain_text())
            for text in shown:
                assert SECRET[:6].lower() not in text.lower(), (kind, text)
            assert MASK in shown[-1] and shown[-1].rstrip().endswith("and so on, oh"), (kind, shown[-1])
            assert SECRET not in out.last_text


def test_the_token_view_and_the_history_mask_a_token_in_pieces():
    from hftui.client.results import Generation, GenerationDetails, Token
    from hftui.history import _bound_result
    from hftui.tasks.record import to_jsonable
    from hftui.widgets.run_details import tokens_text

    pieces = pieces_of(f" yes {SECRET} no", (3, 6, 6, 6, 6))
    tokens = tuple(Token(id=i, text=p, logprob=-0.5) for i, p in enumerate(pieces))
    result = Generation(text="".join(pieces), details=GenerationDetails(tokens=tokens))
    view = tokens_text(result).plain
    assert MASK in view
    for n in range(0, len(SECRET) - 4, 2):
        assert SECRET[n:n + 5] not in view, view
    stored = str(_bound_result(to_jsonable(result)))
    assert SECRET[:6] not in stored and SECRET[-6:] not in stored, stored
