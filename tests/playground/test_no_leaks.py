"""Replaced forms and footer keys are freed (the Playground lives as long as the app).

Textual keeps a removed text field subscribed to its screen's signal, a TextArea's watcher on
the app's theme, each footer key's binding on its footer, and a query's result in the screen's
query cache: every task change and every ``:play`` left the old form's widgets in memory, and
the collector's full passes grew with them. Weak references to the widgets that went away
must be dead after a collection.
"""

from __future__ import annotations

import gc
import weakref

from textual.widgets import Footer, Input, TextArea

from tests.playground.playground_helpers import open_task, playground
from tests.support.pilot import wait_until


async def test_a_replaced_form_and_its_footer_keys_are_freed(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        gone: list[weakref.ref] = []
        for task in ("text-generation", "summarization", "chat-completion", "question-answering"):
            old_form = screen.form
            fields = [w for w in old_form.walk_children(with_self=True) if isinstance(w, (Input, TextArea))]
            assert fields
            keys = list(screen.query_one(Footer).children)
            gone += [weakref.ref(w) for w in fields + keys]
            del fields, keys, old_form
            await open_task(pilot, task)
            await wait_until(pilot, lambda: screen.form.first_field() is not None, what=f"the {task} form")
            screen.form.focus_first()  # the footer shows the field's keys: rebuilt
            await pilot.pause()
        # The last form and keys are in use; the ones before them must be gone.
        await pilot.pause(0.2)
        gc.collect()
        alive = [ref() for ref in gone if ref() is not None]
        in_use = set(screen.form.walk_children(with_self=True)) | set(screen.query_one(Footer).children)
        leaked = [w for w in alive if w not in in_use]
        assert leaked == [], f"{len(leaked)} removed widgets still alive: {leaked[:5]}"
