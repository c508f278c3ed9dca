"""Which task form a model opens with: every Hub pipeline tag, and the conversational switch."""

from __future__ import annotations

import pytest

from hftui.client.models import ModelInfo
from hftui.tasks import get_spec, task_for_model, task_for_pipeline
from hftui.tasks.mapping import HUB_PIPELINE_TAGS

# The decision for every pipeline tag of the Hub: the nearest task hftui can run, None where none can.
EXPECTED = {
    "text-classification": "text-classification",
    "token-classification": "token-classification",
    "table-question-answering": "table-question-answering",
    "question-answering": "question-answering",
    "zero-shot-classification": "zero-shot-classification",
    "translation": "translation",
    "summarization": "summarization",
    "feature-extraction": "feature-extraction",
    "text-generation": "text-generation",
    "text2text-generation": "text-generation",
    "fill-mask": "fill-mask",
    "sentence-similarity": "sentence-similarity",
    "text-to-speech": None,
    "text-to-audio": None,
    "automatic-speech-recognition": "automatic-speech-recognition",
    "audio-to-audio": None,
    "audio-classification": None,
    "audio-text-to-text": "chat-completion",
    "voice-activity-detection": None,
    "depth-estimation": None,
    "image-classification": "image-classification",
    "object-detection": "object-detection",
    "image-segmentation": None,
    "text-to-image": "text-to-image",
    "image-to-text": "image-to-text",
    "image-to-image": None,
    "image-to-video": None,
    "unconditional-image-generation": None,
    "video-classification": None,
    "reinforcement-learning": None,
    "robotics": None,
    "tabular-classification": None,
    "tabular-regression": None,
    "tabular-to-text": None,
    "table-to-text": "text-generation",
    "multiple-choice": None,
    "text-ranking": "text-classification",
    "text-retrieval": "feature-extraction",
    "time-series-forecasting": None,
    "text-to-video": None,
    "image-text-to-text": "chat-completion",
    "image-text-to-image": None,
    "image-text-to-video": None,
    "visual-question-answering": None,
    "document-question-answering": None,
    "zero-shot-image-classification": None,
    "graph-ml": None,
    "mask-generation": None,
    "zero-shot-object-detection": None,
    "text-to-3d": None,
    "image-to-3d": None,
    "image-feature-extraction": None,
    "video-text-to-text": "chat-completion",
    "video-to-video": None,
    "keypoint-detection": None,
    "visual-document-retrieval": None,
    "any-to-any": "chat-completion",
    "biology": None,
    "other": None,
    "conversational": "chat-completion",
}


def test_the_table_covers_every_hub_pipeline_tag():
    assert set(EXPECTED) == set(HUB_PIPELINE_TAGS)


@pytest.mark.parametrize("tag", sorted(EXPECTED))
def test_pipeline_tag_maps_to_the_nearest_task(tag):
    task = task_for_pipeline(tag)
    assert task == EXPECTED[tag]
    if task is not None:
        assert get_spec(task).task == task  # a form exists for it
    assert task_for_pipeline(tag.upper()) == task


def test_hf_hub_task_names_are_all_known_pipeline_tags():
    """Every task huggingface_hub's InferenceClient can send to hf-inference is a tag of the table."""
    providers = pytest.importorskip("huggingface_hub.inference._providers")
    assert set(providers.PROVIDERS["hf-inference"]) <= set(HUB_PIPELINE_TAGS)


def _info(**kw) -> ModelInfo:
    return ModelInfo.from_json({"id": "o/m", **kw})


def test_text2text_opens_as_text_generation():
    flan = _info(pipeline_tag="text2text-generation", tags=["transformers", "t5", "text-generation-inference"])
    assert task_for_model(flan) == "text-generation"


def test_conversational_tag_without_provider_mapping_opens_as_chat():
    chat = _info(pipeline_tag="text-generation", tags=["transformers", "conversational"])
    assert chat.providers == ()
    assert task_for_model(chat) == "chat-completion"
    assert task_for_model(_info(pipeline_tag=None, tags=["conversational"])) == "chat-completion"
    t2t = _info(pipeline_tag="text2text-generation", tags=["conversational"])
    assert task_for_model(t2t) == "chat-completion"


def test_conversational_by_any_provider_mapping():
    staging = _info(pipeline_tag="text-generation", inferenceProviderMapping=[
        {"provider": "fireworks-ai", "status": "staging", "task": "conversational"}])
    assert task_for_model(staging) == "chat-completion"


def test_conversational_tag_does_not_hijack_other_pipelines():
    # a classifier whose card says "conversational" (a dialogue-act classifier) stays a classifier
    assert task_for_model(_info(pipeline_tag="text-classification", tags=["conversational"])) \
        == "text-classification"


def test_no_pipeline_tag_falls_back_to_the_providers_task():
    info = _info(inferenceProviderMapping=[
        {"provider": "a", "status": "error", "task": "image-segmentation"},
        {"provider": "b", "status": "live", "task": "text-to-image"}])
    assert task_for_model(info) == "text-to-image"
    assert task_for_model(_info()) is None


def test_vision_language_models_open_as_chat_even_untagged():
    assert task_for_model(_info(pipeline_tag="image-text-to-text")) == "chat-completion"


def test_unsupported_pipeline_gives_none_not_a_wrong_form():
    assert task_for_model(_info(pipeline_tag="text-to-speech", inferenceProviderMapping=[
        {"provider": "fal-ai", "status": "live", "task": "text-to-speech"}])) is None
