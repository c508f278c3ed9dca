"""A hostile server tries to get the token sent elsewhere: a ``Link: rel=next`` to another host,
a redirect to another host. The token never leaves the configured hosts."""

from __future__ import annotations

from tests.hardening.hostile_server import json_reply, raw_reply
from tests.support.pilot import wait_until
from tests.support.screens import go


async def test_next_page_link_to_another_host_gets_no_token(make_app, hostile, evil):
    page = [{"id": f"org/m{i}", "pipeline_tag": "text-classification"} for i in range(60)]
    link = f'<{evil.base_url}/api/models?cursor=steal>; rel="next"'
    hostile.on("GET", r"^/api/models$", json_reply(page, headers={"Link": link}))
    evil.on("GET", r"^/api/models$", json_reply([{"id": "org/from-evil"}]))
    app = make_app(first_screen="models")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await go(pilot, "models")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: table.row_count >= 60, what="the first page")
        table.focus()
        await pilot.press("end")  # the viewport reaches the end: the next page is fetched
        await wait_until(pilot, lambda: evil.count("GET", r"^/api/models$") > 0, 10, "the next page")
        await pilot.pause(0.2)
    assert all(not s.authorized for s in evil.seen), "the token went to a host it does not belong to"


async def test_redirect_to_another_host_is_not_followed_with_the_token(make_app, hostile, evil):
    target = f"{evil.base_url}/api/models/stolen"
    hostile.on("GET", r"^/api/models/org/moved", raw_reply(b"Temporary Redirect", status=307,
                                                            content_type="text/plain", headers={"Location": target}))
    app = make_app(first_screen="models")
    async with app.run_test(size=(120, 30)) as pilot:
        await go(pilot, "models")
        from hftui.client import HFError

        try:
            await app.client.hub.model_info("org/moved")
        except HFError:
            pass  # refusing is fine; following with the token is not
    assert all(not s.authorized for s in evil.seen)
