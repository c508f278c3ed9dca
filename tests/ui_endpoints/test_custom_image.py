"""Custom containers through the form (issue 12 #8): the seed's TGI example created from the
form, what the emulator received, what Describe shows, and updates between the default and a
custom container (engines stay as they are)."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from hftui.client.endpoints import CustomImage, EndpointUpdate
from hftui.screens.endpoint_describe import DescribeScreen
from hftui.screens.endpoint_form import EndpointFormScreen
from hftui.widgets.confirm import ConfirmScreen
from tests.support.pilot import wait_until, workers_done
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app, poll_once

SIZE = (120, 40)
TGI_URL = "ghcr.io/huggingface/text-generation-inference:3.0.1"
ENV = {"MAX_BATCH_PREFILL_TOKENS": "2048", "MAX_INPUT_LENGTH": "1024", "MAX_TOTAL_TOKENS": "1512"}
IMAGE_FIELDS = ("image_url", "image_port", "health_route", "image_env", "registry_user", "registry_password")


def shown_text(widget) -> str:
    """The lines ``widget`` shows now, as plain text (whatever it renders: Text, a table, …)."""
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(widget.size.region))


def field(form, key) -> Input:
    return form.query_one(f"#{key}", Input)


def field_error(form, key) -> str:
    return str(form.query_one(f"#err-{key}", Static).render())


async def open_form(pilot, screen, key: str | None = None) -> EndpointFormScreen:
    app = pilot.app
    await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
    if key:
        screen.table.move_cursor_to(key)
    await pilot.press("e" if key else "a")
    form = await wait_until(pilot, lambda: isinstance(app.screen, EndpointFormScreen) and app.screen)
    await wait_until(pilot, lambda: form.selected_compute() is not None, what="instance chosen")
    return form


async def submit(pilot, form, screen, *, confirm: bool) -> None:
    app = pilot.app
    await pilot.press("ctrl+s")
    if confirm:
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the price confirmation")
        await pilot.press("y")  # Cancel has the focus
    await wait_until(pilot, lambda: app.screen is screen, what="back on the table")


async def test_create_the_seed_tgi_example_describe_it_then_back_to_the_default(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        form = await open_form(pilot, screen)
        kind = form.query_one("#image_kind", Select)
        assert kind.value == "huggingface"
        assert all(field(form, k).disabled for k in IMAGE_FIELDS)  # only for a custom container
        await pilot.press(*"tgi-zephyr")
        field(form, "repository").value = "HuggingFaceH4/zephyr-7b-beta"
        field(form, "task").value = "text-generation"
        form.query_one("#accelerator", Select).value = "gpu"
        a10g = await wait_until(pilot, lambda: next(c for c in form.hardware.computes() if
                                                    (c.instance_type, c.instance_size) == ("nvidia-a10g", "x1")))
        await wait_until(pilot, lambda: form.selected_compute().accelerator == "gpu", what="gpu instances")
        form.query_one("#instance", Select).value = a10g.id
        # the container choice, by keyboard: open it, go down to "custom", take it
        kind.focus()
        await pilot.press("enter", "down", "enter")
        await wait_until(pilot, lambda: kind.value == "custom", what="custom container chosen")
        await wait_until(pilot, lambda: not field(form, "image_url").disabled, what="image fields enabled")
        field(form, "image_url").focus()
        await pilot.press(*TGI_URL)
        field(form, "health_route").value = "/health"
        field(form, "image_port").value = "80"
        field(form, "env").value = ", ".join(f"{k}={v}" for k, v in ENV.items())
        field(form, "secrets").value = "MY_SECRET_KEY=secret_value"
        await pilot.pause()
        await submit(pilot, form, screen, confirm=True)

        [body] = emulator.received("demo-user", "tgi-zephyr")
        assert body["model"] == {"repository": "HuggingFaceH4/zephyr-7b-beta", "revision": None, "framework": "pytorch",
                                 "task": "text-generation",
                                 "image": {"custom": {"url": TGI_URL, "healthRoute": "/health", "port": 80}},
                                 "env": ENV, "secrets": {"MY_SECRET_KEY": "secret_value"}}
        assert body["compute"]["accelerator"] == "gpu" and body["compute"]["instanceType"] == "nvidia-a10g"
        assert body["compute"]["instanceSize"] == "x1"

        await wait_until(pilot, lambda: screen.table.get("demo-user/tgi-zephyr") is not None, what="the new row")
        screen.table.move_cursor_to("demo-user/tgi-zephyr")
        await pilot.press("d")
        describe = await wait_until(pilot, lambda: isinstance(app.screen, DescribeScreen) and app.screen)
        await workers_done(app)
        await pilot.pause()
        text = shown_text(describe.query_one("#describe-body", Static))
        assert f"custom container · {TGI_URL}" in text
        for line in ("Image port", "Health route", "MAX_BATCH_PREFILL_TOKENS=2048", "MAX_INPUT_LENGTH=1024",
                     "MAX_TOTAL_TOKENS=1512", "MY_SECRET_KEY (value hidden)"):
            assert line in text, (line, text)
        assert "secret_value" not in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

        form = await open_form(pilot, screen, "demo-user/tgi-zephyr")
        kind = form.query_one("#image_kind", Select)
        assert kind.value == "custom" and field(form, "image_url").value == TGI_URL
        assert field(form, "image_port").value == "80" and field(form, "health_route").value == "/health"
        kind.value = "huggingface"
        await wait_until(pilot, lambda: field(form, "image_url").disabled, what="image fields disabled")
        assert field(form, "image_url").value == TGI_URL  # kept, in case of a change of mind
        await submit(pilot, form, screen, confirm=False)
        assert form.sent == EndpointUpdate(default_image=True)
        assert emulator.received("demo-user", "tgi-zephyr")[-1] == {"model": {"image": {"huggingface": {}}}}
        stored = emulator.endpoint("demo-user", "tgi-zephyr")
        assert stored["model"]["image"] == {"huggingface": {}} and stored["model"]["env"] == ENV
        assert stored["model"]["secrets"] == {"MY_SECRET_KEY": "********"}


async def test_update_to_a_custom_container_and_engines_stay(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        form = await open_form(pilot, screen, "demo-user/gpt2-demo")
        form.query_one("#image_kind", Select).value = "custom"
        await wait_until(pilot, lambda: not field(form, "image_url").disabled)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "required" in field_error(form, "image_url") and form.sent is None
        field(form, "image_url").value = "ghcr.io/acme/server:1"
        field(form, "health_route").value = "/ready"
        field(form, "image_port").value = "99999"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "between 1 and 65535" in field_error(form, "image_port") and form.sent is None
        field(form, "image_port").value = "8080"
        await pilot.pause()
        await submit(pilot, form, screen, confirm=False)
        assert form.sent == EndpointUpdate(custom_image=CustomImage("ghcr.io/acme/server:1", health_route="/ready",
                                                                    port=8080))
        stored = still_emulator.endpoint("demo-user", "gpt2-demo")
        assert stored["model"]["image"] == {"custom": {"url": "ghcr.io/acme/server:1", "healthRoute": "/ready",
                                                       "port": 8080}}
        assert stored["healthRoute"] == "/ready"

        # An engine (llama-chat runs tgi) cannot be changed by an update: shown, not offered.
        form = await open_form(pilot, screen, "demo-user/llama-chat")
        kind = form.query_one("#image_kind", Select)
        assert kind.value == "tgi" and kind.disabled
        assert all(field(form, k).disabled for k in IMAGE_FIELDS)
        field(form, "max_replica").value = "3"
        await pilot.pause()
        await submit(pilot, form, screen, confirm=True)
        assert form.sent == EndpointUpdate(max_replica=3)


async def test_registry_password_must_be_typed_again_to_change_a_private_image(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await app.client.endpoints.update("demo-user", "gpt2-demo", EndpointUpdate(custom_image=CustomImage(
            "ghcr.io/acme/private:1", username="bot", password="registry-pass")))
        await poll_once(pilot, screen)
        form = await open_form(pilot, screen, "demo-user/gpt2-demo")
        assert field(form, "registry_user").value == "bot" and field(form, "registry_password").value == ""
        field(form, "image_url").value = "ghcr.io/acme/private:2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "type the registry password again" in field_error(form, "registry_password")
        assert form.sent is None
        field(form, "registry_password").value = "registry-pass"
        await pilot.pause()
        await submit(pilot, form, screen, confirm=False)
        assert still_emulator.received("demo-user", "gpt2-demo")[-1]["model"]["image"]["custom"]["credentials"] == {
            "username": "bot", "password": "registry-pass"}
        assert "registry-pass" not in repr(form.sent)
