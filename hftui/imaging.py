"""Images, safely: checking uploads, decoding server output, drawing boxes,
rendering as coloured half-blocks, and choosing a terminal graphics protocol.

Everything a server sends is untrusted, and so are files a user points at:
each decode checks the pixel count *before* decoding (``Image.open`` only
reads the header), under a local ``MAX_IMAGE_PIXELS`` so Pillow's own
decompression-bomb guard fires too, and warnings are errors.

No Textual: half-block output is Rich ``Segment`` lines the widget turns
into strips.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_FORMATS = {"PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"}

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"BM", "image/bmp", ".bmp"),
)


class ImageRejected(ValueError):
    """The image cannot be used; ``str()`` says why, in words for the user."""


def sniff(data: bytes) -> tuple[str, str] | None:
    """(media type, extension) by magic bytes, or None."""
    for magic, media, ext in _MAGIC:
        if data.startswith(magic):
            return media, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


@contextmanager
def _guarded(max_pixels: int):
    from PIL import Image

    old = Image.MAX_IMAGE_PIXELS
    # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; make both errors.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = old


def _open_checked(data: bytes, max_pixels: int, *, formats: Iterable[str] | None = None):
    from PIL import Image, UnidentifiedImageError

    with _guarded(max_pixels):
        try:
            probe = Image.open(io.BytesIO(data), formats=list(formats) if formats else None)
            width, height = probe.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise ImageRejected(f"image too large: {width}x{height} pixels (limit {max_pixels:,})")
            probe.verify()  # structure check without decoding pixels
            image = Image.open(io.BytesIO(data), formats=list(formats) if formats else None)
            image.load()
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(f"image too large (decompression-bomb guard, limit {max_pixels:,} pixels)") from None
        except UnidentifiedImageError:
            raise ImageRejected("not an image Pillow can read") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejected(f"damaged image: {exc}") from None
    return image


def check_image_file(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
                     max_pixels: int | None = None) -> bytes:
    """The file's bytes if it is a sane image to upload, else ImageRejected."""
    p = Path(path).expanduser()
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ImageRejected(f"cannot read {p}: {exc.strerror or exc}") from None
    if not p.is_file():
        raise ImageRejected(f"not a file: {p}")
    if size > max_bytes:
        raise ImageRejected(f"file too large: {size / 1e6:.1f} MB (limit {max_bytes / 1e6:.0f} MB)")
    if size == 0:
        raise ImageRejected("empty file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ImageRejected(f"cannot read {p}: {exc.strerror or exc}") from None
    image = _open_checked(data, max_pixels or _max_pixels(), formats=UPLOAD_FORMATS)
    image.close()
    return data


def decode_image(data: bytes, *, max_pixels: int | None = None):
    """Decode untrusted image bytes to an RGB PIL image (ImageRejected on anything odd)."""
    if not data:
        raise ImageRejected("empty image")
    image = _open_checked(data, max_pixels or _max_pixels())
    if image.mode not in ("RGB",):
        image = image.convert("RGBA")
        background = _new("RGB", image.size, (0, 0, 0))
        background.paste(image, mask=image.split()[-1])
        image = background
    return image


def _new(mode: str, size: tuple[int, int], color: Any):
    from PIL import Image

    return Image.new(mode, size, color)


_configured_max_pixels: int | None = None


def set_max_pixels(value: int | None) -> None:
    """Use the ``max_image_pixels`` setting for every later check (None: back to the default)."""
    global _configured_max_pixels
    _configured_max_pixels = int(value) if value else None


def _max_pixels() -> int:
    env = os.environ.get("HFTUI_MAX_IMAGE_PIXELS")
    if env:
        try:
            return int(env)
        except ValueError:
            pass
    return _configured_max_pixels or DEFAULT_MAX_PIXELS


def save_image(data: bytes, directory: Path, *, stem: str = "image") -> Path:
    """Write the bytes as returned into ``directory`` (named by content hash); return the path."""
    kind = sniff(data)
    ext = kind[1] if kind else ".bin"
    directory.mkdir(parents=True, exist_ok=True)
    safe_stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:40] or "image"
    path = directory / f"{safe_stem}-{hashlib.sha256(data).hexdigest()[:12]}{ext}"
    if not path.exists():
        tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def encode_png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


# --- drawing --------------------------------------------------------------------

PALETTE = ((230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
           (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212))


def label_color(label: str) -> tuple[int, int, int]:
    """A stable colour per label (so the box and its table row match)."""
    digest = hashlib.md5(label.encode("utf-8", "replace"), usedforsecurity=False).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def draw_boxes(image, boxes: Iterable[Any], *, width: int | None = None):
    """A copy of ``image`` with each box (``label, xmin, ymin, xmax, ymax``) outlined and labelled."""
    from PIL import ImageDraw

    out = image.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    line = width or max(2, min(out.size) // 150)
    w, h = out.size
    for box in boxes:
        x0, y0 = max(0, min(w - 1, int(box.xmin))), max(0, min(h - 1, int(box.ymin)))
        x1, y1 = max(0, min(w - 1, int(box.xmax))), max(0, min(h - 1, int(box.ymax)))
        if x1 < x0:
            x0, x1 = x1, x0
        if y1 < y0:
            y0, y1 = y1, y0
        color = label_color(box.label)
        draw.rectangle((x0, y0, x1, y1), outline=color, width=line)
        text = "".join(ch for ch in str(box.label)[:40] if ch.isprintable())
        try:
            tw = int(draw.textlength(text))
        except Exception:  # pragma: no cover - font quirks
            tw = 6 * len(text)
        ty = y0 - 12 if y0 >= 12 else y0
        draw.rectangle((x0, ty, x0 + tw + 4, ty + 11), fill=color)
        draw.text((x0 + 2, ty), text, fill=(0, 0, 0))
    return out


# --- half-block rendering ---------------------------------------------------------------


def fit_cells(size: tuple[int, int], max_cols: int, max_rows: int) -> tuple[int, int]:
    """Cells (cols, rows) to show an image of ``size`` pixels in, keeping its aspect.

    A cell shows two pixel rows with half-blocks, and cells are about twice
    as tall as wide, so one cell ~ one pixel column by two pixel rows.
    """
    w, h = size
    if w <= 0 or h <= 0 or max_cols <= 0 or max_rows <= 0:
        return 0, 0
    scale = min(max_cols / w, (max_rows * 2) / h)
    cols = max(1, min(max_cols, round(w * scale)))
    rows = max(1, min(max_rows, round(h * scale / 2)))
    return cols, rows


def halfblock_rows(image, cols: int, rows: int) -> list[list[tuple[str, tuple[int, int, int], tuple[int, int, int]]]]:
    """Runs of (text, fg, bg) per cell row: '▀' with the upper pixel as foreground, lower as background."""
    from PIL import Image

    small = image.convert("RGB").resize((cols, rows * 2), Image.Resampling.BOX)
    px = small.load()
    out = []
    for r in range(rows):
        line: list[tuple[str, tuple[int, int, int], tuple[int, int, int]]] = []
        run_fg = run_bg = None
        run_len = 0
        for c in range(cols):
            fg, bg = px[c, 2 * r], px[c, 2 * r + 1]
            if fg == run_fg and bg == run_bg:
                run_len += 1
                continue
            if run_len:
                line.append(("▀" * run_len, run_fg, run_bg))
            run_fg, run_bg, run_len = fg, bg, 1
        if run_len:
            line.append(("▀" * run_len, run_fg, run_bg))
        out.append(line)
    return out


def halfblock_segments(image, cols: int, rows: int) -> list[list[Any]]:
    """Rich ``Segment`` lines of the image, ``rows`` lines of ``cols`` cells."""
    from rich.color import Color
    from rich.segment import Segment
    from rich.style import Style

    cache: dict[tuple, Style] = {}
    lines = []
    for runs in halfblock_rows(image, cols, rows):
        segs = []
        for text, fg, bg in runs:
            style = cache.get((fg, bg))
            if style is None:
                style = cache[(fg, bg)] = Style(color=Color.from_rgb(*fg), bgcolor=Color.from_rgb(*bg))
            segs.append(Segment(text, style))
        lines.append(segs)
    return lines


# --- terminal graphics ------------------------------------------------------------------

PROTOCOLS = ("auto", "kitty", "sixel", "halfblock")


def detect_protocol(setting: str | None = "auto", environ: Mapping[str, str] | None = None,
                    *, is_tty: bool | None = None) -> str:
    """kitty, sixel or halfblock.

    An explicit setting wins. ``auto`` picks a graphics protocol only for a
    terminal known to support it and only when nothing sits in between:
    tmux/screen and SSH sessions (where the far terminal is unknown) and
    unknown terminals get half-blocks, which work everywhere.
    """
    env = os.environ if environ is None else environ
    choice = (setting or "auto").strip().lower()
    if choice in ("kitty", "sixel", "halfblock"):
        return choice
    if is_tty is False:
        return "halfblock"
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    if env.get("TMUX") or env.get("STY") or term.startswith(("screen", "tmux")):
        return "halfblock"
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return "halfblock"
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty" or program in ("ghostty", "wezterm") or term == "xterm-ghostty":
        return "kitty"
    if term in ("foot", "foot-extra", "mlterm", "contour") or program in ("mlterm", "contour", "iterm.app") \
            or "sixel" in term:
        return "sixel"
    return "halfblock"
