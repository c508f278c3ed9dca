"""Issue 11.5: the ``:`` command line shows what is typed, completes commands and their arguments
(namespaces from whoami, model ids from the run history) and recalls earlier lines with ↑/↓."""

from __future__ import annotations

import os
import stat

import pytest
from textual.widgets import Input, Static

from hftui.widgets.command_line import CommandLine, complete
from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app


async def _open(pilot) -> tuple[CommandLine, Input]:
    await pilot.press("colon")
    line = await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandLine) and pilot.app.screen,
                            what="the command line")
    return line, line.query_one("#command-input", Input)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_typed_text_is_on_screen(still_emulator, size):
    app = make_app(still_emulator)
    async with app.run_test(size=size) as pilot:
        await endpoints_screen(pilot)
        line, box = await _open(pilot)
        await pilot.press(*"models bert")
        assert box.value == ":models bert"
        # a row to type in: the field's content is one full row, inside the screen
        assert box.content_region.height == 1 and box.content_region.width >= size[0] - 4
        assert box.region.bottom <= size[1]
        assert ":models bert" in box.render_line(0).text
        hint = line.query_one("#command-hint", Static)
        assert hint.region.height == 1 and "search models" in str(hint.render())


def test_complete_words_and_arguments():
    words = ["ep", "models", "play", "history", "pause", "playground"]
    args = {"namespaces": ["demo-user", "acme-ml", "demo-lab", "*"], "models": ["org/b", "org/a"]}
    assert complete(":m", words, args) == [":models"]
    assert complete(":pl", words, args) == [":play", ":playground"]  # the shortest first
    assert complete("ep", words, args) == ["ep"] or complete("e", words, args) == ["ep"]
    assert complete(":ep d", words, args) == [":ep demo-user", ":ep demo-lab"]  # whoami's order
    assert complete(":ep ", words, args) == [":ep demo-user", ":ep acme-ml", ":ep demo-lab", ":ep *"]
    assert complete(":play org/", words, args) == [":play org/b", ":play org/a"]  # newest run first
    assert complete(":models org/a", words, args) == []  # already whole
    assert complete(":EP DE", words, args) == [":EP DEmo-user", ":EP DEmo-lab"]  # typed text kept as typed
    assert complete(":zzz", words, args) == [] and complete(":history x", words, args) == []


async def test_tab_completes_the_namespace_and_enter_opens_it(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_screen(pilot)
        line, box = await _open(pilot)
        await pilot.press("e", "tab")
        assert box.value == ":ep"
        await pilot.press("space", "d", "tab")
        assert box.value == ":ep demo-user"
        await pilot.press("tab")  # again: the next match
        assert box.value == ":ep demo-lab"
        assert "demo-user" in str(line.query_one("#command-hint", Static).render())
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.namespace == "demo-lab", what="the demo-lab namespace")


async def test_model_ids_of_past_runs_complete_after_play(still_emulator):
    from hftui.history import History
    from hftui.screens.playground import PlaygroundScreen

    History.default().add({"target": {"kind": "model", "model": "google-bert/bert-base-uncased",
                                      "label": "google-bert/bert-base-uncased"},
                           "task": "fill-mask", "inputs": {"inputs": "a [MASK]"}, "parameters": {},
                           "result": [], "error": None, "timings": {"elapsed": 0.1}})
    app = make_app(still_emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await endpoints_screen(pilot)
        line, box = await _open(pilot)
        await wait_until(pilot, lambda: "google-bert/bert-base-uncased" in line.arguments.get("models", []),
                         what="the run history read")
        await pilot.press(*"play goo")
        # the suggestion shows dimmed after the cursor (Textual's Suggester), → or tab takes it
        await wait_until(pilot, lambda: box._suggestion == ":play google-bert/bert-base-uncased", what="suggestion")
        await pilot.press("tab", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen)
                         and app.screen.query_one("#target-model", Input).value == "google-bert/bert-base-uncased",
                         what="the Playground on that model")


async def test_up_and_down_recall_earlier_lines_in_the_session_and_the_next(still_emulator):
    from hftui.command_history import default_path

    app = make_app(still_emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await endpoints_screen(pilot)
        for text in ("ep acme-ml", "nosuchthing"):
            _, box = await _open(pilot)
            await pilot.press(*text, "enter")
            await wait_until(pilot, lambda: not isinstance(app.screen, CommandLine), what="closed")
        await wait_until(pilot, lambda: screen.namespace == "acme-ml", what="acme-ml")
        _, box = await _open(pilot)
        await pilot.press(*"ep", "up")
        assert box.value == ":nosuchthing"  # the newest first
        await pilot.press("up")
        assert box.value == ":ep acme-ml"
        await pilot.press("up")
        assert box.value == ":ep acme-ml"  # the oldest stays
        await pilot.press("down", "down")
        assert box.value == ":ep"  # what was being typed comes back
        await pilot.press("escape")
    path = default_path()
    # only the understood line was written, privately
    assert path.read_text().splitlines() == [":ep acme-ml"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    app = make_app(still_emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await endpoints_screen(pilot)
        _, box = await _open(pilot)
        await pilot.press("up")
        assert box.value == ":ep acme-ml"  # from the last session


def test_a_line_that_looks_like_a_token_is_never_written(tmp_path):
    from hftui.command_history import CommandHistory

    history = CommandHistory(tmp_path / "commands")
    history.add(":ep hf_abcdefghijklmnopqrstuvwxyz012345", persist=True)
    history.add(":models bert", persist=True)
    assert history.lines[-2].startswith(":ep hf_")  # kept for the session
    assert (tmp_path / "commands").read_text() == ":models bert\n"
    # a history file another user could write is not read
    os.chmod(tmp_path / "commands", 0o666)
    again = CommandHistory(tmp_path / "commands").load()
    assert again.lines == [] and again.problem
