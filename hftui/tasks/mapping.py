"""Which task form a model opens with: the Hub's pipeline tags mapped to the tasks hftui runs.

    task_for_pipeline(tag) -> str | None     # nearest supported task of a Hub pipeline tag
    task_for_model(info) -> str | None       # + chat for conversational models

``info`` is anything shaped like :class:`hftui.client.models.ModelInfo`
(``pipeline_tag``, ``tags``, ``providers`` with ``.task``/``.live``), so this
module needs neither the client nor Textual.

``None`` means no task hftui supports can run the model (an audio or video
output, an image input the forms cannot send with it, tabular data...):
guessing a form there would only fail at run time with a confusing answer.
"""

from __future__ import annotations

from typing import Any

from hftui.tasks import canonical_task

HUB_PIPELINE_TAGS: tuple[str, ...] = (
    "text-classification", "token-classification", "table-question-answering", "question-answering",
    "zero-shot-classification", "translation", "summarization", "feature-extraction", "text-generation",
    "text2text-generation", "fill-mask", "sentence-similarity", "text-to-speech", "text-to-audio",
    "automatic-speech-recognition", "audio-to-audio", "audio-classification", "audio-text-to-text",
    "voice-activity-detection", "depth-estimation", "image-classification", "object-detection",
    "image-segmentation", "text-to-image", "image-to-text", "image-to-image", "image-to-video",
    "unconditional-image-generation", "video-classification", "reinforcement-learning", "robotics",
    "tabular-classification", "tabular-regression", "tabular-to-text", "table-to-text", "multiple-choice",
    "text-ranking", "text-retrieval", "time-series-forecasting", "text-to-video", "image-text-to-text",
    "image-text-to-image", "image-text-to-video", "visual-question-answering", "document-question-answering",
    "zero-shot-image-classification", "graph-ml", "mask-generation", "zero-shot-object-detection", "text-to-3d",
    "image-to-3d", "image-feature-extraction", "video-text-to-text", "video-to-video", "keypoint-detection",
    "visual-document-retrieval", "any-to-any", "biology", "other",
    "conversational",  # retired from the Hub's list, still on older model cards
)
"""Every pipeline tag the Hub knows (huggingface.js ``PIPELINE_DATA``, plus the retired ``conversational``)."""

_NEAREST: dict[str, str] = {
    # served as text generation: TGI takes a text2text model's prompt like any other
    "text2text-generation": "text-generation",
    "table-to-text": "text-generation",
    # multimodal chat models are served through chat completions only
    "conversational": "chat-completion",
    "image-text-to-text": "chat-completion",
    "audio-text-to-text": "chat-completion",
    "video-text-to-text": "chat-completion",
    "any-to-any": "chat-completion",
    # rerankers (cross-encoders) answer the text-classification pipeline; retrievers embed
    "text-ranking": "text-classification",
    "text-retrieval": "feature-extraction",
}

CHAT_PIPELINES = frozenset({"text-generation", "text2text-generation", "image-text-to-text", "audio-text-to-text",
                            "video-text-to-text", "any-to-any", "conversational"})
"""Pipelines whose models, when conversational, are best used through chat completions."""


def task_for_pipeline(tag: str | None) -> str | None:
    """The supported task nearest to a Hub pipeline tag, or None when none can run it."""
    if not tag:
        return None
    tag = tag.strip().lower()
    return _NEAREST.get(tag) or canonical_task(tag)


def is_conversational(info: Any) -> bool:
    """Tagged ``conversational`` on the Hub, or mapped as such by any provider."""
    tags = getattr(info, "tags", None) or ()
    providers = getattr(info, "providers", None) or ()
    return "conversational" in tags or any(getattr(p, "task", None) == "conversational" for p in providers)


def task_for_model(info: Any) -> str | None:
    """The task a model opens with: chat for conversational models, else its pipeline tag's nearest task.

    A model without a pipeline tag falls back to its providers' tasks (live ones first).
    """
    pipeline = getattr(info, "pipeline_tag", None)
    if is_conversational(info) and (pipeline is None or pipeline in CHAT_PIPELINES):
        return "chat-completion"
    task = task_for_pipeline(pipeline)
    if task or pipeline:
        return task
    providers = sorted(getattr(info, "providers", None) or (), key=lambda p: not getattr(p, "live", False))
    for p in providers:
        task = task_for_pipeline(getattr(p, "task", None))
        if task:
            return task
    return None
