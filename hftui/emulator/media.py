"""Plausible, deterministic outputs for the image and audio tasks (Pillow, imported lazily).

Inputs come as raw bytes or as base64 in a JSON body (:meth:`Request.binary_input`);
anything Pillow cannot decode is a 400.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from hftui.emulator import textgen
from hftui.emulator.tasks import BadInput, Request, int_param, rounded, softmax, split_sentences, stable_float

# ----------------------------------------------------------- images (Pillow)

def decode_image(data: bytes):
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise BadInput("Could not decode the input: it is not a supported image (PNG, JPEG, GIF, BMP, WEBP).") from None
    return image


def _dominant(image) -> tuple[int, int, int]:
    # a 1x1 resize averages every pixel
    pixel = image.convert("RGB").resize((1, 1), resample=4).getpixel((0, 0))  # 4 = BOX
    return tuple(pixel)  # type: ignore[return-value]


def _colour_name(rgb: tuple[int, int, int]) -> str:
    r, g, b = rgb
    if max(rgb) < 60:
        return "dark"
    if min(rgb) > 200:
        return "white"
    if r > g and r > b:
        return "red" if r - max(g, b) > 40 else "brown"
    if g > r and g > b:
        return "green"
    if b > r and b > g:
        return "blue"
    return "grey"


_IMAGENET = ("tabby, tabby cat", "golden retriever", "sombrero", "sports car, sport car", "espresso",
             "mountain bike, all-terrain bike", "lakeside, lakeshore", "seashore, coast, seacoast", "balloon",
             "volcano", "daisy", "goldfish, Carassius auratus", "laptop, laptop computer", "teapot", "umbrella",
             "pizza, pizza pie", "Egyptian cat", "red fox, Vulpes vulpes", "alp", "cliff, drop, drop-off")
_COCO = ("person", "cat", "dog", "car", "bicycle", "bird", "cup", "chair", "laptop", "bottle", "remote", "couch")


def run_image_classification(seed: int, model_id: str, req: Request) -> list[dict]:
    data = req.binary_input()
    image = decode_image(data)
    params = req.parameters if req.json is not None else {}
    top_k = int_param(params, "top_k", 5, 1, len(_IMAGENET))
    digest = hashlib.sha256(data).hexdigest()
    colour = _colour_name(_dominant(image))
    raw = []
    for label in _IMAGENET:
        bonus = 1.5 if (colour in ("blue",) and any(k in label for k in ("lake", "sea", "coast"))) or (
            colour == "green" and any(k in label for k in ("alp", "daisy"))) or (
            colour == "red" and any(k in label for k in ("fox", "car", "balloon"))) else 0.0
        raw.append(4.0 * stable_float(seed, model_id, digest, label) + bonus)
    scores = softmax(raw)
    ranked = sorted(zip(_IMAGENET, scores), key=lambda p: -p[1])[:top_k]
    return [{"label": label, "score": rounded(score)} for label, score in ranked]


def run_object_detection(seed: int, model_id: str, req: Request) -> list[dict]:
    data = req.binary_input()
    image = decode_image(data)
    params = req.parameters if req.json is not None else {}
    threshold = params.get("threshold", 0.5)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool):
        raise BadInput("`threshold` must be a number", 422)
    width, height = image.size
    digest = hashlib.sha256(data).hexdigest()
    out = []
    count = 1 + int(stable_float(seed, digest, "n") * 4)
    for i in range(count):
        w = max(1, int(width * (0.2 + 0.5 * stable_float(digest, i, "w"))))
        h = max(1, int(height * (0.2 + 0.5 * stable_float(digest, i, "h"))))
        x0 = int((width - w) * stable_float(digest, i, "x"))
        y0 = int((height - h) * stable_float(digest, i, "y"))
        score = 0.55 + 0.45 * stable_float(seed, model_id, digest, i)
        if score < threshold:
            continue
        out.append({"score": rounded(score), "label": _COCO[int(stable_float(digest, i, "l") * len(_COCO))],
                    "box": {"xmin": x0, "ymin": y0, "xmax": min(width - 1, x0 + w), "ymax": min(height - 1, y0 + h)}})
    out.sort(key=lambda d: -d["score"])
    return out


def run_image_to_text(seed: int, model_id: str, req: Request) -> list[dict]:
    data = req.binary_input()
    image = decode_image(data)
    colour = _colour_name(_dominant(image))
    width, height = image.size
    shape = "wide" if width > height * 1.3 else "tall" if height > width * 1.3 else "square"
    subject = _COCO[int(stable_float(seed, hashlib.sha256(data).hexdigest()) * len(_COCO))]
    return [{"generated_text": f"a {shape} photo of a {subject} on a {colour} background"}]


def run_text_to_image(seed: int, model_id: str, req: Request) -> bytes:
    from PIL import Image, ImageDraw

    prompt = req.text_input()
    params = req.parameters

    def dim(key: str) -> int:
        value = params.get(key)
        if value is None:
            return 512
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadInput(f"`{key}` must be an integer", 422)
        return max(64, min(1024, int(value)))

    width, height = dim("width"), dim("height")
    rng = textgen.rng_for(seed, model_id, prompt, params.get("seed"), params.get("negative_prompt"))
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    mask = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), mask)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        r = rng.randrange(min(width, height) // 12, min(width, height) // 3)
        cx, cy = rng.randrange(width), rng.randrange(height)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


# ----------------------------------------------------------------- speech

def audio_seconds(data: bytes) -> float:
    """The length of an audio upload (WAV exactly; other formats estimated from the size)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        import wave

        try:
            with wave.open(io.BytesIO(data)) as wav:
                return wav.getnframes() / float(wav.getframerate() or 1)
        except (wave.Error, EOFError):
            pass
    return max(1.0, len(data) / 32000.0)


def run_asr(seed: int, model_id: str, req: Request) -> dict:
    data = req.binary_input()
    if len(data) < 16:
        raise BadInput("Malformed soundfile: the audio input is too short to decode")
    params = req.parameters if req.json is not None else {}
    seconds = min(audio_seconds(data), 600.0)
    words = max(3, min(120, int(seconds * 2.5)))
    toks = textgen.tokens(seed, model_id, hashlib.sha256(data).hexdigest(), words)
    text = "".join(toks).strip()
    out: dict[str, Any] = {"text": text}
    if params.get("return_timestamps"):
        chunks = split_sentences(text) or [text]
        step = seconds / len(chunks)
        out["chunks"] = [{"text": c, "timestamp": [round(i * step, 2), round((i + 1) * step, 2)]}
                         for i, c in enumerate(chunks)]
    return out
