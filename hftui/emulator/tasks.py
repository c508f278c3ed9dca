"""Plausible, deterministic outputs for the text inference tasks (wire doc §3.4); images and audio
are in :mod:`hftui.emulator.media`.

Each ``run_<task>`` takes the decoded request and returns the JSON value the
real service would answer (or bytes for images). Bad input raises
:class:`BadInput`, which the server turns into ``{"error": ...}`` with its status.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import zlib
from dataclasses import dataclass
from typing import Any

from hftui.emulator import textgen


class BadInput(Exception):
    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra


@dataclass
class Request:
    """A decoded task request: JSON body (if any) and raw bytes."""

    body: bytes
    content_type: str
    json: Any = None

    @classmethod
    def decode(cls, body: bytes, content_type: str) -> Request:
        req = cls(body, content_type or "")
        ctype = req.content_type.split(";")[0].strip().lower()
        if ctype == "application/json" or (not ctype and body[:1] in (b"{", b"[")) or (
            ctype in ("text/plain",) and body[:1] in (b"{", b"[")
        ):
            try:
                req.json = json.loads(body.decode("utf-8")) if body else None
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BadInput(f"Failed to deserialize the JSON body into the target type: {exc}", 422) from None
        return req

    @property
    def obj(self) -> dict:
        return self.json if isinstance(self.json, dict) else {}

    @property
    def inputs(self) -> Any:
        return self.obj.get("inputs")

    @property
    def parameters(self) -> dict:
        params = self.obj.get("parameters")
        return params if isinstance(params, dict) else {}

    def text_input(self) -> str:
        value = self.inputs
        if isinstance(value, list) and value and isinstance(value[0], str):
            value = value[0]
        if not isinstance(value, str):
            raise BadInput("`inputs` must be a string", 422)
        if not value.strip():
            raise BadInput("`inputs` cannot be empty", 422)
        return value

    def binary_input(self) -> bytes:
        """Raw body, or base64 ``inputs`` in a JSON body (data: URLs accepted)."""
        if self.json is None:
            if not self.body:
                raise BadInput("No input provided: send the file as the request body")
            return self.body
        value = self.inputs
        if isinstance(value, dict):
            value = value.get("image") or value.get("audio")
        if not isinstance(value, str) or not value:
            raise BadInput("`inputs` must be base64-encoded file content")
        if value.startswith("data:") and "," in value:
            value = value.split(",", 1)[1]
        try:
            return base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            raise BadInput("`inputs` is not valid base64") from None


def int_param(params: dict, key: str, default: int, lo: int = 1, hi: int = 10_000) -> int:
    value = params.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadInput(f"Parameter `{key}` must be an integer", 422)
    return max(lo, min(hi, int(value)))


def stable_float(*parts: object) -> float:
    """A stable float in [0, 1) from the parts (crc32: cheap, and stable across runs unlike hash())."""
    return zlib.crc32("\x1f".join(map(str, parts)).encode()) / 4294967296.0


def softmax(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def rounded(x: float) -> float:
    return float(f"{x:.6g}")


# ---------------------------------------------------------------- fill-mask

_FILL_WORDS = ("happiness", "love", "life", "capital", "future", "answer", "world", "best", "city", "freedom",
               "knowledge", "success", "music", "peace", "light", "truth", "home", "friend", "time", "work")
_FILL_HINTS = {
    "capital": ("capital", "heart", "center", "city", "jewel"),
    "goal": ("happiness", "love", "success", "freedom", "knowledge"),
    "france": ("capital", "center", "heart", "pride", "city"),
    "weather": ("nice", "good", "sunny", "bad", "great"),
}


def run_fill_mask(seed: int, model_id: str, mask_token: str, req: Request) -> list[dict]:
    text = req.text_input()
    count = text.count(mask_token)
    if count == 0:
        raise BadInput(f"No mask_token ({mask_token}) found on the input")
    if count > 1:
        raise BadInput(f"More than one mask_token ({mask_token}) is not supported")
    params = req.parameters
    top_k = int_param(params, "top_k", 5, 1, 50)
    targets = params.get("targets")
    if isinstance(targets, str):
        targets = [targets]
    if targets is not None and not (isinstance(targets, list) and all(isinstance(t, str) for t in targets)):
        raise BadInput("`targets` must be a string or a list of strings", 422)
    lower = text.lower()
    words: list[str] = []
    if targets:
        words = [str(t).strip() for t in targets if str(t).strip()]
    else:
        for hint, cands in _FILL_HINTS.items():
            if hint in lower:
                words.extend(c for c in cands if c not in words)
        rest = sorted(_FILL_WORDS, key=lambda w: stable_float(seed, model_id, text, w))
        words.extend(w for w in rest if w not in words)
    words = words[:max(top_k, 1)] if not targets else words
    raw = [3.0 - i * 0.6 + stable_float(seed, text, w) * 0.4 for i, w in enumerate(words)]
    scores = softmax(raw + [1.5])[: len(words)]  # the extra logit = the rest of the vocabulary
    roberta = mask_token == "<mask>"
    out = []
    for word, score in sorted(zip(words, scores), key=lambda p: -p[1])[:top_k]:
        token_str = (" " + word) if roberta else word
        before, after = text.split(mask_token, 1)
        if roberta:
            sequence = before + (word if before.endswith(" ") or not before else " " + word) + after
        else:
            sequence = (before + word + after)
            sequence = sequence.lower() if model_id.endswith("uncased") else sequence
        out.append({"score": rounded(score), "token": textgen.token_id(token_str), "token_str": token_str,
                    "sequence": sequence})
    return out


# ------------------------------------------------------------ summarization

def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return [p for p in parts if p]


def run_summarization(seed: int, model_id: str, req: Request) -> list[dict]:
    text = req.text_input()
    params = req.parameters
    gen = params.get("generate_parameters") if isinstance(params.get("generate_parameters"), dict) else {}

    def length(key: str, default: int) -> int:
        value = gen.get(key, params.get(key))
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadInput(f"`{key}` must be an integer", 422)
        return max(1, int(value))

    max_words = max(5, length("max_length", 60))
    min_words = min(length("min_length", 0), max_words)
    sents = split_sentences(text)
    # keep the sentences that share the most words with the whole text (a tiny TextRank)
    freq: dict[str, int] = {}
    for word in re.findall(r"\w+", text.lower()):
        if len(word) > 3:
            freq[word] = freq.get(word, 0) + 1

    def weight(i: int) -> float:
        return sum(freq.get(w, 0) for w in re.findall(r"\w+", sents[i].lower())) / (1 + len(sents[i]) / 80)

    ranked = sorted(range(len(sents)), key=lambda i: -weight(i))
    keep = sorted(ranked[: max(1, min(3, len(sents) // 3 + 1))])
    words = " ".join(sents[i] for i in keep).split()
    if len(words) < min_words:
        # a generator forced past its natural end keeps going: more of the text, then filler
        rest = " ".join(sents[i] for i in range(len(sents)) if i not in keep).split()
        words += rest[: min_words - len(words)]
        need = min_words - len(words)
        if need > 0:  # pieces include punctuation: ask for enough to make ``need`` words
            words += "".join(textgen.tokens(seed, model_id, text, 2 * need + 8, salt="min_length")).split()[:need]
    summary = " ".join(words[:max_words])
    if len(words) > max_words:
        summary = summary.rstrip(",;:") + "."
    return [{"summary_text": summary}]


# -------------------------------------------------------------- translation

_DICT = {
    "fr": {"hello": "bonjour", "world": "monde", "my": "mon", "name": "nom", "is": "est", "the": "le",
           "a": "un", "and": "et", "i": "je", "you": "vous", "love": "aime", "cat": "chat", "dog": "chien",
           "house": "maison", "good": "bon", "morning": "matin", "thank": "merci", "thanks": "merci",
           "how": "comment", "are": "êtes", "today": "aujourd'hui", "this": "ce", "model": "modèle",
           "very": "très", "live": "habite", "in": "à", "it": "il", "of": "de", "with": "avec"},
    "de": {"hello": "hallo", "world": "Welt", "my": "mein", "name": "Name", "is": "ist", "the": "die",
           "a": "ein", "and": "und", "i": "ich", "you": "du", "love": "liebe", "cat": "Katze", "dog": "Hund",
           "house": "Haus", "good": "gut", "morning": "Morgen", "thanks": "danke", "today": "heute",
           "this": "dies", "model": "Modell", "very": "sehr", "live": "wohne", "in": "in", "with": "mit"},
    "es": {"hello": "hola", "world": "mundo", "my": "mi", "name": "nombre", "is": "es", "the": "el",
           "a": "un", "and": "y", "i": "yo", "you": "tú", "love": "amo", "cat": "gato", "dog": "perro",
           "house": "casa", "good": "bueno", "morning": "mañana", "thanks": "gracias", "today": "hoy",
           "this": "este", "model": "modelo", "very": "muy", "live": "vivo", "in": "en", "with": "con"},
}


def run_translation(seed: int, model_id: str, req: Request) -> list[dict]:
    text = req.text_input()
    params = req.parameters
    src, tgt = params.get("src_lang"), params.get("tgt_lang")
    if (src is None) != (tgt is None):
        raise BadInput("`src_lang` and `tgt_lang` must be given together")
    if "mbart" in model_id and src is None:
        raise BadInput("This model needs `src_lang` and `tgt_lang` (e.g. en_XX, fr_XX)")
    lang = "fr"
    if tgt:
        lang = str(tgt)[:2].lower()
    elif model_id.endswith("-de"):
        lang = "de"
    table = _DICT.get(lang, _DICT["fr"])

    def swap(match: re.Match) -> str:
        word = match.group(0)
        repl = table.get(word.lower())
        if repl is None:
            return word
        return repl.capitalize() if word[:1].isupper() else repl

    return [{"translation_text": re.sub(r"[A-Za-z']+", swap, text)}]


# ------------------------------------------------------- question-answering

_QWORDS = {"what", "who", "where", "when", "which", "how", "why", "is", "are", "the", "a", "an", "of", "do",
           "does", "did", "many", "much", "my", "your", "in", "to", "was", "were", "i", "you"}


def _qa_input(req: Request) -> tuple[str, str]:
    obj = req.obj
    inputs = obj.get("inputs")
    source = inputs if isinstance(inputs, dict) else obj  # legacy: top-level question/context
    question, context = source.get("question"), source.get("context")
    if not isinstance(question, str) or not isinstance(context, str):
        raise BadInput("`inputs` must contain `question` and `context` strings", 422)
    if not context.strip():
        raise BadInput("`context` cannot be empty", 422)
    return question, context


def _spans(context: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[\w'-]+", context)]


def run_question_answering(seed: int, model_id: str, req: Request) -> dict | list[dict]:
    question, context = _qa_input(req)
    params = req.parameters
    top_k = int_param(params, "top_k", 1, 1, 20)
    max_len = int_param(params, "max_answer_len", 15, 1, 200)
    qwords = {w.lower() for w in re.findall(r"[\w'-]+", question)}
    ql = question.lower()
    words = _spans(context)
    if not words:
        raise BadInput("`context` has no words", 422)
    candidates: list[tuple[float, int, int]] = []
    for i in range(len(words)):
        for n in range(1, min(4, max_len) + 1):
            if i + n > len(words):
                break
            seg = words[i:i + n]
            toks = [context[s:e] for s, e in seg]
            if any(t.lower() in qwords or t.lower() in _QWORDS for t in toks):
                continue
            score = 0.0
            caps = sum(t[:1].isupper() for t in toks)
            nums = sum(t[:1].isdigit() for t in toks)
            if ql.startswith(("who", "where")) or "name" in ql:
                score += 2.0 * caps / n
            if ql.startswith(("how many", "how much", "when", "what year")):
                score += 3.0 * nums / n
            if seg[0][0] > 0 and context[: seg[0][0]].rstrip().endswith((".", "!", "?")) and caps:
                score -= 0.3  # sentence-initial capitals are weaker evidence
            # proximity to words shared with the question
            prev = [context[s:e].lower() for s, e in words[max(0, i - 3):i]]
            score += 0.8 * sum(p in qwords for p in prev)
            score -= 0.15 * (n - 1)
            score += 0.05 * stable_float(seed, model_id, question, i, n)
            candidates.append((score, seg[0][0], seg[-1][1]))
    if not candidates:
        candidates = [(0.0, words[0][0], words[0][1])]
    candidates.sort(key=lambda c: (-c[0], c[1]))
    picked, seen = [], set()
    for score, start, end in candidates:
        if (start, end) in seen:
            continue
        seen.add((start, end))
        picked.append((score, start, end))
        if len(picked) >= top_k:
            break
    probs = softmax([s * 2 for s, _, _ in picked] + [0.0])
    answers = [{"score": rounded(p), "start": s, "end": e, "answer": context[s:e]}
               for p, (_, s, e) in zip(probs, picked)]
    return answers[0] if top_k == 1 else answers


# ------------------------------------------------ zero-shot classification

def run_zero_shot(seed: int, model_id: str, req: Request, *, legacy: bool) -> Any:
    text = req.text_input()
    params = req.parameters
    labels = params.get("candidate_labels")
    if isinstance(labels, str):
        labels = [s.strip() for s in labels.split(",") if s.strip()]
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise BadInput("`candidate_labels` must be a non-empty list of strings", 422)
    multi = bool(params.get("multi_label") or params.get("multi_class"))
    lower = text.lower()
    raw = []
    for label in labels:
        overlap = sum(1 for w in re.findall(r"\w+", label.lower()) if w in lower)
        raw.append(2.5 * overlap + 2.0 * stable_float(seed, model_id, text, label) - 1.0)
    if multi:
        scores = [1 / (1 + math.exp(-r)) for r in raw]
    else:
        scores = softmax(raw)
    ranked = sorted(zip(labels, scores), key=lambda p: -p[1])
    if legacy:
        return {"sequence": text, "labels": [label for label, _ in ranked], "scores": [rounded(s) for _, s in ranked]}
    return [{"label": label, "score": rounded(score)} for label, score in ranked]


# ------------------------------------------------------ text-classification

_POS = {"good", "great", "love", "like", "excellent", "happy", "wonderful", "best", "amazing", "nice", "fantastic",
        "enjoy", "glad", "awesome", "thanks", "thank", "beautiful", "perfect", "fun", "cool"}
_NEG = {"bad", "hate", "terrible", "awful", "worst", "sad", "angry", "horrible", "poor", "boring", "problem",
        "broken", "disappointed", "annoying", "slow", "ugly", "wrong", "fail", "failed", "never"}


def _sentiment(text: str) -> float:
    words = re.findall(r"\w+", text.lower())
    return float(sum(w in _POS for w in words) - sum(w in _NEG for w in words))


def run_text_classification(seed: int, model_id: str, labels: tuple[str, ...], req: Request) -> list[list[dict]]:
    inputs = req.inputs
    texts = inputs if isinstance(inputs, list) else [req.text_input()]
    if not texts or not all(isinstance(t, str) for t in texts):
        raise BadInput("`inputs` must be a string or a list of strings", 422)
    params = req.parameters
    labels = labels or ("POSITIVE", "NEGATIVE")
    default_k = len(labels) if len(labels) <= 3 else 5
    top_k = int_param(params, "top_k", default_k, 1, len(labels))
    fn = params.get("function_to_apply") or "softmax"
    out = []
    for text in texts:
        senti = _sentiment(text)
        raw = []
        for label in labels:
            low = label.lower()
            bias = 2.0 * stable_float(seed, model_id, text, label)
            if low in ("positive", "joy", "admiration", "approval", "love", "gratitude", "optimism", "ham"):
                bias += 2.5 * senti
            elif low in ("negative", "anger", "annoyance", "sadness", "disappointment", "spam"):
                bias -= 2.5 * senti
            elif low == "neutral":
                bias += 1.5 - abs(senti)
            raw.append(bias)
        if fn == "sigmoid":
            scores = [1 / (1 + math.exp(-r)) for r in raw]
        elif fn == "none":
            scores = raw
        else:
            scores = softmax(raw)
        ranked = sorted(zip(labels, scores), key=lambda p: -p[1])[:top_k]
        out.append([{"label": label, "score": rounded(score)} for label, score in ranked])
    return out


# ----------------------------------------------------- token-classification

_LOC = {"paris", "london", "berlin", "berkeley", "california", "france", "germany", "new", "york", "tokyo", "japan",
        "europe", "america", "brooklyn", "madrid", "spain", "italy", "rome", "china", "india", "canada", "texas"}
_ORG = {"google", "microsoft", "apple", "amazon", "hugging", "face", "meta", "openai", "nasa", "inc", "corp",
        "university", "ibm", "nvidia", "un", "eu", "acme"}
_MISC = {"english", "french", "german", "american", "european", "python", "christmas"}


def run_token_classification(seed: int, model_id: str, req: Request) -> list[dict]:
    text = req.text_input()
    params = req.parameters
    strategy = params.get("aggregation_strategy") or "simple"
    if strategy not in ("none", "simple", "first", "average", "max"):
        raise BadInput(f"Invalid aggregation_strategy {strategy!r}", 422)
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[\w'-]+", text)]
    # group runs of capitalized words (a sentence-initial word counts only if it is a known name)
    groups: list[list[tuple[int, int, str]]] = []
    run: list[tuple[int, int, str]] = []
    for idx, (s, e, w) in enumerate(words):
        sentence_start = idx == 0 or text[:s].rstrip().endswith((".", "!", "?"))
        known = w.lower() in _LOC | _ORG | _MISC
        is_ent = w[:1].isupper() and (not sentence_start or known) and w.lower() not in {"i", "my", "the", "a"}
        contiguous = run and text[run[-1][1]:s].strip() == ""
        if is_ent and (not run or contiguous):
            run.append((s, e, w))
        else:
            if run:
                groups.append(run)
            run = [(s, e, w)] if is_ent else []
    if run:
        groups.append(run)
    entities = []
    for group in groups:
        lw = {w.lower() for _, _, w in group}
        if lw & _ORG:
            label = "ORG"
        elif lw & _LOC:
            label = "LOC"
        elif lw & _MISC:
            label = "MISC"
        else:
            label = "PER"
        score = 0.95 + 0.0499 * stable_float(seed, model_id, text, group[0][0])
        entities.append((label, score, group))
    ignore = params.get("ignore_labels") or ["O"]
    if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
        raise BadInput("`ignore_labels` must be a list of strings", 422)
    out = []
    if strategy == "none":
        index = 0
        for label, score, group in entities:
            for i, (s, e, w) in enumerate(group):
                index += 1
                tag = ("B-" if i == 0 else "I-") + label
                if tag in ignore:
                    continue
                out.append({"entity": tag, "score": rounded(score), "index": index, "word": w, "start": s, "end": e})
        return out
    for label, score, group in entities:
        if label in ignore:
            continue
        s, e = group[0][0], group[-1][1]
        out.append({"entity_group": label, "score": rounded(score), "word": text[s:e], "start": s, "end": e})
    return out


# ------------------------------------------------------- feature-extraction

def embed(text: str, dims: int, normalize: bool = True) -> list[float]:
    """A deterministic bag-of-words embedding: similar texts get similar vectors."""
    vec = [0.0] * dims
    words = re.findall(r"\w+", text.lower()) or [text]
    for word in words:
        digest = hashlib.sha256(word.encode()).digest()
        for k in range(8):
            slot = int.from_bytes(digest[k * 3:k * 3 + 3], "big") % dims
            vec[slot] += 1.0 if digest[24 + k % 8] & 1 else -1.0
    base = hashlib.sha256(("base:" + text).encode()).digest()
    for i in range(dims):
        vec[i] += (base[i % 32] / 255.0 - 0.5) * 0.05
    if normalize:
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        vec = [v / norm for v in vec]
    return [round(v, 6) for v in vec]


def token_features(text: str, dims: int) -> list[list[float]]:
    """A plain encoder's last hidden state: one (unnormalised) vector per token, BOS and EOS included."""
    pieces = ["<s>", *re.findall(r"\w+|[^\w\s]", text), "</s>"]
    out = []
    for i, piece in enumerate(pieces):
        word = embed(piece, dims, normalize=False)
        where = embed(f"position {i}", dims, normalize=False)
        out.append([round(2.0 * w + 0.25 * p, 6) for w, p in zip(word, where)])
    return out


def run_feature_extraction(seed: int, model_id: str, dims: int, req: Request, *, token_level: bool = False) -> Any:
    """sentence-transformers: one vector per text; plain transformers (``token_level``): the
    pipeline's ``[1 x tokens x hidden]`` per text (a list input gives ``N x 1 x tokens x hidden``)."""
    obj = req.obj
    inputs = obj.get("inputs")
    normalize = obj.get("normalize", True) is not False

    def one(text: str) -> Any:
        return [token_features(text, dims)] if token_level else embed(text, dims, normalize)

    if isinstance(inputs, str):
        if not inputs:
            raise BadInput("`inputs` cannot be empty", 422)
        return one(inputs)
    if isinstance(inputs, list) and inputs and all(isinstance(x, str) for x in inputs):
        if len(inputs) > 256:
            raise BadInput("Input validation error: batch size 256 exceeded (`inputs` must have <= 256 items)", 413)
        return [one(x) for x in inputs]
    raise BadInput("`inputs` must be a string or a non-empty list of strings", 422)


def run_sentence_similarity(seed: int, model_id: str, dims: int, req: Request) -> list[float]:
    obj = req.obj
    inputs = obj.get("inputs")
    source = inputs if isinstance(inputs, dict) else obj  # legacy: top-level keys
    src, sents = source.get("source_sentence"), source.get("sentences")
    if not isinstance(src, str) or not isinstance(sents, list) or not all(isinstance(s, str) for s in sents):
        raise BadInput("`inputs` must contain `source_sentence` (string) and `sentences` (list of strings)", 422)
    a = embed(src, dims)
    aw = set(re.findall(r"\w+", src.lower()))
    out = []
    for sent in sents:
        b = embed(sent, dims)
        cos = sum(x * y for x, y in zip(a, b))
        bw = set(re.findall(r"\w+", sent.lower()))
        jac = len(aw & bw) / (len(aw | bw) or 1)
        out.append(rounded(max(0.0, min(1.0, 0.5 * jac + 0.5 * max(cos, 0.0) + 0.1 * (1 if sent == src else 0)))))
    return out


# ---------------------------------------------------- table question answering

def run_table_qa(seed: int, model_id: str, req: Request) -> dict:
    obj = req.obj
    inputs = obj.get("inputs")
    source = inputs if isinstance(inputs, dict) else obj  # legacy: top-level query/table
    query = source.get("query", source.get("question"))
    table = source.get("table")
    if not isinstance(query, str) or not isinstance(table, dict) or not table:
        raise BadInput("`inputs` must contain `query` (string) and `table` (column -> list of cells)", 422)
    columns = list(table.keys())
    cols = [table[c] for c in columns]
    if not all(isinstance(c, list) for c in cols) or len({len(c) for c in cols}) != 1:
        raise BadInput("Every table column must be a list of the same length", 422)
    rows = len(cols[0])
    if rows == 0:
        raise BadInput("The table is empty", 422)
    ql = query.lower()
    qwords = set(re.findall(r"\w+", ql))

    def cell_in_query(c: str, r: int) -> bool:
        text = str(table[c][r]).lower().strip()
        return bool(text) and re.search(r"\b" + re.escape(text) + r"\b", ql) is not None

    matching_rows = [r for r in range(rows) if any(cell_in_query(c, r) for c in columns)]
    key_cols = {c for c in columns for r in matching_rows if cell_in_query(c, r)}
    mentioned = [c for c in columns if set(re.findall(r"\w+", str(c).lower())) & qwords
                 or str(c).lower().rstrip("s") in ql]
    candidates = [c for c in mentioned if c not in key_cols] or [c for c in columns if c not in key_cols] or columns
    numeric_q = any(k in ql for k in ("how many", "how much", "total", "sum", "average", "mean", "number"))

    def numeric(c: str) -> bool:
        return all(re.fullmatch(r"-?[\d,.]+", str(v).strip() or "x") for v in table[c])

    if numeric_q and any(numeric(c) for c in candidates):
        candidates = [c for c in candidates if numeric(c)]
    col_idx = columns.index(candidates[0])
    aggregator = "NONE"
    if any(k in ql for k in ("total", "sum", "altogether")):
        aggregator = "SUM"
    elif "average" in ql or "mean" in ql:
        aggregator = "AVERAGE"
    elif ql.startswith("how many") and not matching_rows:
        aggregator = "COUNT"
    target_rows = matching_rows or ([0] if aggregator == "NONE" else list(range(rows)))
    cells = [str(table[columns[col_idx]][r]) for r in target_rows]
    coordinates = [[r, col_idx] for r in target_rows]
    answer = ", ".join(cells) if aggregator == "NONE" else f"{aggregator} > " + ", ".join(cells)
    return {"answer": answer, "coordinates": coordinates, "cells": cells, "aggregator": aggregator}
