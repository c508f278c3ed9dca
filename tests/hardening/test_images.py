"""Images from a hostile server (and hostile files): truncated, not an image, decompression
bombs, 20000x20000 pixels. Rejected or bounded with a message; the next run works."""

from __future__ import annotations

import io
import struct
import zlib

from tests.hardening.hardening_helpers import assert_clean_screen
from tests.hardening.hostile_server import raw_reply
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int, height: int, *, full: bool = True) -> bytes:
    """A 1-bit grey PNG of ``width`` x ``height``: tiny on the wire, huge once decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    if full:
        row = b"\0" * (1 + (width + 7) // 8)
        comp = zlib.compressobj(9)
        idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    else:
        idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def real_png(size=(64, 48)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


CASES = {
    "truncated": lambda: real_png()[: len(real_png()) // 2],
    "not-an-image": lambda: b"<html>\x1b[2J[bold]not an image[/bold]</html>",
    "bomb-20000x20000": lambda: bomb_png(20_000, 20_000),
    "header-20000x20000": lambda: bomb_png(20_000, 20_000, full=False),
    "over-the-pixel-cap": lambda: bomb_png(10_000, 5_000),
    "empty": lambda: b"",
}


async def test_hostile_images_from_text_to_image(make_app, hostile):
    """Every hostile picture in turn, in one session; after each, a sane picture renders."""
    from hftui.client import Target

    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "playground")
        screen.set_target(Target.hf_model("black-forest-labs/FLUX.1-schnell"), task="text-to-image")
        await wait_until(pilot, lambda: screen.spec.task == "text-to-image", what="the form")
        for case, make in CASES.items():
            hostile.on("POST", r"^/hf-inference/models/", raw_reply(make(), content_type="image/png"), times=1)
            before = screen._worker
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: screen._worker is not before and not screen._worker.is_running, 20,
                             f"the run ({case})")
            await pilot.pause()
            text = assert_clean_screen(app)
            assert "Traceback" not in text
            # refused with a message: as the run's error, or in the result ("Cannot show the image: why")
            refused = screen.error_text or ("Cannot show the image:" in text and "▀" not in text)
            assert refused, f"{case}: the image must be refused with a message\n{text}"
            if case.startswith(("bomb", "header", "over")):
                said = (screen.error_text + text).lower()
                assert "pixel" in said or "large" in said, text
            # the next run (the friendly emulator) works and shows a picture
            before = screen._worker
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: screen._worker is not before and not screen._worker.is_running, 20,
                             f"the run after {case}")
            await pilot.pause()
            assert screen.error_text == "", screen.error_text
            assert "▀" in screen_text(app), case


async def test_bomb_file_as_input_is_refused(make_app, hostile, tmp_path):
    from hftui.client import Target

    bomb = tmp_path / "cat.png"
    bomb.write_bytes(bomb_png(20_000, 20_000))
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "playground")
        screen.set_target(Target.hf_model("google/vit-base-patch16-224"), task="image-classification")
        await wait_until(pilot, lambda: screen.spec.task == "image-classification", what="the form")
        field = next(f for f in screen.spec.inputs if f.kind == "file-image")
        screen.form.set_value(field.name, str(bomb))
        await pilot.press("ctrl+r")
        await pilot.pause(0.5)
        if screen._worker is not None:
            await wait_until(pilot, lambda: not screen._worker.is_running, 20, "the run to end")
        text = assert_clean_screen(app)
        assert screen.error_text, text
        assert hostile.count("POST", r"^/hf-inference/models/") == 0, "a refused file is never uploaded"
        # the next run with a sane picture works
        good = tmp_path / "good.png"
        good.write_bytes(real_png())
        screen.form.set_value(field.name, str(good))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: hostile.count("POST", r"^/hf-inference/models/") == 1, 10, "the upload")
        await wait_until(pilot, lambda: not screen._worker.is_running, 20, "the second run")
        await pilot.pause()
        assert screen.error_text == "", screen.error_text
