"""Task names beyond the ones hftui runs: what Inference Endpoints deploy and tables show.

    short_name(task) -> str | None   # at most 8 characters, for a narrow table column
    endpoint_tasks() -> list[str]    # the task choices of the endpoint form

An endpoint may serve a task hftui has no form for (image segmentation, a
custom handler...): those names live here; the tasks hftui runs come from
the registry (``TaskSpec.short``), so a task added there is offered and
abbreviated without an edit here.
"""

from __future__ import annotations

OTHER_SHORT_NAMES = {
    "text2text-generation": "t2t-gen", "sentence-embeddings": "embed", "sentence-ranking": "ranking",
    "visual-question-answering": "vis-qa", "document-question-answering": "doc-qa",
    "image-text-to-text": "imgtxt2t", "image-to-image": "img2img", "text-to-speech": "tts",
    "text-to-audio": "txt2aud", "image-segmentation": "img-seg", "zero-shot-image-classification": "0shot-im",
    "audio-classification": "aud-cls", "depth-estimation": "depth", "video-classification": "vid-cls",
}
"""Short names of tasks hftui does not run (the exact name: ``sentence-embeddings`` is not ``features``)."""

OTHER_ENDPOINT_TASKS = (
    "text2text-generation", "sentence-embeddings", "sentence-ranking", "image-segmentation",
    "audio-classification", "custom",
)
"""Tasks an Inference Endpoint can be created with besides the ones hftui runs."""


def short_name(task: str) -> str | None:
    from hftui.tasks import _specs

    spec = _specs().get(task)
    if spec is not None and spec.short:
        return spec.short
    return OTHER_SHORT_NAMES.get(task)


def endpoint_tasks() -> list[str]:
    """Task names for an endpoint: the deployable ones hftui runs (registry order), then the others."""
    from hftui.tasks import all_specs

    return [*(s.task for s in all_specs() if s.deployable), *OTHER_ENDPOINT_TASKS]
