"""Deterministic pseudo-text: same seed + model + prompt → same tokens."""

from __future__ import annotations

import hashlib
import random
import re

_SENTENCES = (
    "The model reads the input one token at a time and predicts what comes next.",
    "Attention lets every position look at every other position in the sequence.",
    "Small models are often good enough when the task is narrow and well defined.",
    "Fine-tuning adapts a pretrained network to a new domain with little data.",
    "A good evaluation set matters more than another point of benchmark accuracy.",
    "Latency depends on the hardware, the batch size and the length of the prompt.",
    "Quantization trades a little quality for a large saving in memory.",
    "The tokenizer splits words into pieces that the vocabulary already knows.",
    "Streaming the answer makes a slow model feel fast to the person waiting.",
    "Embeddings place similar sentences close to each other in vector space.",
    "It helps to start from a clear question and a short example of the answer.",
    "Caching repeated requests saves both time and money on shared endpoints.",
    "A warm replica answers at once, while a cold one has to load its weights first.",
    "Scaling to zero is cheap when traffic is rare and a cold start is acceptable.",
    "The terminal is a fine place to try a model before wiring it into an app.",
    "Open weights make it possible to inspect, reproduce and improve the results.",
    "Every answer here is synthetic, produced by a deterministic local emulator.",
    "Long contexts cost more because attention grows with the square of the length.",
    "Beam search explores several candidates, while sampling adds some variety.",
    "A system prompt sets the tone, and the user message sets the task.",
)

_WORD = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]")


def rng_for(seed: int, *parts: object) -> random.Random:
    digest = hashlib.sha256(("\x1f".join([str(seed), *map(str, parts)])).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def token_id(text: str) -> int:
    return int.from_bytes(hashlib.md5(text.encode()).digest()[:4], "big") % 50000 + 100


def _keywords(prompt: str) -> list[str]:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{3,}", prompt)]
    stop = {"what", "which", "when", "where", "there", "their", "about", "would", "could", "should", "please",
            "tell", "this", "that", "with", "have", "from", "your", "you're", "into", "some", "explain", "write"}
    return [w for w in words if w.lower() not in stop][:6]


def tokens(seed: int, model: str, prompt: str, count: int, *, chat: bool = False, salt: object = "") -> list[str]:
    """``count`` tokens (word pieces with their leading space) of plausible text."""
    rng = rng_for(seed, model, prompt, salt)
    out: list[str] = []
    keywords = _keywords(prompt)
    first = True
    while len(out) < count:
        if first and chat and keywords:
            sentence = f"About {' '.join(keywords[:3])}: here is what I can say."
        else:
            sentence = rng.choice(_SENTENCES)
        for piece in _WORD.findall(sentence):
            if len(out) >= count:
                break
            glue = "" if (not out and chat) or re.fullmatch(r"[^\w\s]", piece) else " "
            out.append(glue + piece)
        first = False
    return out


def sentences(seed: int, *parts: object, count: int = 2) -> str:
    rng = rng_for(seed, *parts)
    return " ".join(rng.sample(_SENTENCES, count))


def split_words(text: str) -> list[str]:
    """Word pieces with their leading space (a stand-in tokenizer)."""
    return re.findall(r"\s*(?:\w+(?:[-']\w+)*|[^\w\s])", text)
