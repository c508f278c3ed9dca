"""The form's "More parameters" section is built when it is first opened (the form is rebuilt on
every task change and ``:play``; text generation's eleven advanced rows were half its widgets).
Nothing about it may show: what was set before it was built is what it shows and what is sent,
and an error in one of its fields opens it, shows the error beside the field and focuses it."""

from __future__ import annotations

from textual.widgets import Collapsible, Input, Static

from tests.playground.playground_helpers import open_task, playground
from tests.support.pilot import wait_until


def built(screen, name: str) -> bool:
    return bool(screen.form.query(f"#f-{name}"))


async def test_more_parameters_are_built_on_opening_and_show_what_was_set(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "text-generation")
        assert not built(screen, "typical_p") and not built(screen, "grammar")
        assert built(screen, "temperature")  # the basic ones are there
        assert screen.form.values()["typical_p"] == ""  # an unbuilt field reads as its default
        screen.form.set_values({"typical_p": 0.25, "watermark": True})
        assert screen.form.values()["typical_p"] == "0.25" and screen.form.values()["watermark"] == "true"
        section = screen.form.query_one("#advanced", Collapsible)
        assert "More parameters (11)" in str(section.title)
        section.collapsed = False  # what Enter or a click on its title does
        await wait_until(pilot, lambda: built(screen, "typical_p") and screen.form.query_one("#f-typical_p").is_mounted,
                         what="the advanced rows")
        assert screen.form.query_one("#f-typical_p", Input).value == "0.25"
        assert screen.form.values()["watermark"] == "true"
        section.collapsed = True
        section.collapsed = False  # opened again: built once
        await pilot.pause()
        assert len(screen.form.query("#f-typical_p")) == 1


async def test_an_error_in_an_unbuilt_field_opens_the_section_and_focuses_it(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_task(pilot, "text-generation")
        screen.form.set_value("prompt", "Once upon a time")
        screen.form.set_values({"top_n_tokens": 99})  # above its bound (20), not built yet
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: built(screen, "top_n_tokens"), what="the section opened")
        field = await wait_until(pilot, lambda: (w := screen.form.query_one("#f-top_n_tokens")).has_focus and w,
                                 what="the focus on the field in error")
        assert isinstance(field, Input) and field.value == "99"
        assert not screen.form.query_one("#advanced", Collapsible).collapsed
        error = str(screen.form.query_one("#err-top_n_tokens", Static).render())
        assert "20" in error, error
        assert "Not run" in screen.status_history[-1]
        assert screen._worker is None or not screen._worker.is_running
