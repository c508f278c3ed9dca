"""A screen shown again is not restyled as a whole unless the app's styles moved meanwhile.

Textual restyles a screen on every switch (0.1–0.3 s for the Playground). hftui skips that pass
when the stylesheet's version and the app's classes and pseudo-classes are what they were when
the screen was left: a change inside a hidden screen is styled as it happens. The oracle here:
after each switch, every node's styles are what a full restyle gives.
"""

from __future__ import annotations

from textual.screen import Screen

from tests.playground.playground_helpers import playground
from tests.support.pilot import wait_until


def looks(screen) -> list:
    out = []
    for node in screen.walk_children(with_self=True):
        s = node.styles
        out.append((node, s.display, s.visibility, s.color, s.background, s.text_style, s.border, s.padding,
                    s.width, s.height))
    return out


def restyled(app, screen) -> list:
    app.stylesheet.update(screen, animate=False)
    return looks(screen)


async def show(pilot, name: str) -> Screen:
    app = pilot.app
    await app.switch_to(name)
    await wait_until(pilot, lambda: app.current_mode == name and app.screen.is_mounted)
    await pilot.pause()
    return app.screen


def count_restyles(app, screen) -> list:
    """Each whole-screen restyle of ``screen`` (Textual's resume pass) is appended."""
    calls: list = []
    original = app.update_styles

    def update_styles(node, animate=True):
        if node is screen:
            calls.append(node)
        return original(node, animate)

    app.update_styles = update_styles
    return calls


async def test_switching_back_skips_the_restyle_and_looks_the_same(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        restyles = count_restyles(app, screen)
        await show(pilot, "models")
        # A change inside the hidden Playground: an error under a field, styled when it happens.
        screen.form.show_errors({"prompt": "too long"})
        await pilot.pause()
        assert await show(pilot, "playground") is screen
        assert restyles == []  # the resume pass was skipped
        now = looks(screen)
        assert now == restyled(app, screen)
        row = screen.form.query_one("#row-prompt")
        assert row.has_class("-invalid") and screen.form.query_one("#err-prompt").styles.display == "block"


async def test_a_theme_changed_while_away_restyles_the_screen_on_return(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        before = screen.form.query_one("#f-prompt").styles.background
        await show(pilot, "models")
        restyles = count_restyles(app, screen)
        app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
        await pilot.pause()
        await show(pilot, "playground")
        assert restyles  # restyled on return
        assert looks(screen) == restyled(app, screen)
        assert screen.form.query_one("#f-prompt").styles.background != before


async def test_losing_the_terminal_focus_while_away_restyles_on_return(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        await show(pilot, "models")
        restyles = count_restyles(app, screen)
        app.app_focus = not app.app_focus  # the app's :focus / :blur pseudo-classes
        await pilot.pause()
        await show(pilot, "playground")
        assert restyles
        assert looks(screen) == restyled(app, screen)

