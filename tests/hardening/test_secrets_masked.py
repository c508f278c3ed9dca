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
