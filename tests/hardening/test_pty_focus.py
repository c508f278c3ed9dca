"""Issue 11, point 1, as it was found: in a real terminal, Models, ``/``, ``bart-large-cnn``, Enter,
Enter, then ``hello`` typed 0.1 s later. The ``h`` used to open the History (3 of 3 tries); now the
word lands in the summarization form's text field and nothing else opens."""

from __future__ import annotations

import re
import time

import pytest

from tests.hardening.ptyapp import PtyApp, ptys_available

needs_pty = pytest.mark.skipif(not ptys_available(), reason="needs POSIX ptys and the hftui script")


@needs_pty
@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_hello_right_after_opening_the_playground_from_models_types_into_the_form(attempt):
    app = PtyApp("--screen", "models", size=(120, 40))
    try:
        assert app.wait_screen(r"Model card", 30), app.screen_text
        app.write(b"/")
        time.sleep(0.3)
        app.write(b"bart-large-cnn")
        assert app.wait_screen(r"bart-large-cnn", 5), app.screen_text  # in the search field
        app.write(b"\r")
        assert app.wait_screen(r"facebook/bart-large-cnn", 15), app.screen_text
        time.sleep(0.5)  # the search's rows are in; the cursor is on the model
        app.write(b"\r")
        time.sleep(0.1)
        app.write(b"hello")
        assert app.wait_screen(r"Summarization", 15), app.screen_text
        assert app.wait_screen(r"Text \*[^\n]*\n hello +▕", 10), app.screen_text
        time.sleep(0.5)
        screen = app.screen_text
        assert "[Playground]" in screen and not re.search(r"History\[", screen), screen
    finally:
        app.kill()
