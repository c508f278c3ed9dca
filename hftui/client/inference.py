"""Inference API: one call per task, typed results, SSE streaming.

CONTRACT — methods of ``hf.inference`` (class InferenceAPI). Every method
takes ``target: Target`` first, ``parameters: dict | None`` (the task's
parameters as named in wire doc 3.4; None values dropped) and
``options: CallOptions | None``, and an optional
``on_loading: Callable[[float], None]`` called with estimated seconds
while waiting for a loading model. Results are from client/results.py.

    fill_mask(target, text) -> list[FillMaskCandidate]
    summarization(target, text) -> str
    translation(target, text) -> str
    question_answering(target, question, context) -> list[Answer]
    zero_shot_classification(target, text, labels: list[str]) -> list[Label]   # sorted desc
    text_classification(target, text) -> list[Label]
    token_classification(target, text) -> list[Entity]
    text_generation(target, prompt) -> Generation
    text_generation_stream(target, prompt) -> AsyncIterator[StreamChunk]
    chat_completion(target, messages: list[ChatMessage]) -> ChatCompletion
    chat_completion_stream(target, messages) -> AsyncIterator[StreamChunk]
    feature_extraction(target, text) -> list   (nested floats, any depth)
    sentence_similarity(target, source, sentences: list[str]) -> list[float]
    text_to_image(target, prompt) -> ImageResult
    image_classification(target, image: bytes) -> list[Label]
    object_detection(target, image: bytes) -> list[DetectedObject]
    image_to_text(target, image: bytes) -> str
    automatic_speech_recognition(target, audio: bytes) -> Transcription
    table_question_answering(target, query, table: dict[str, list[str]]) -> TableAnswer

    run(task: str, target, inputs: dict, parameters=None, options=None) -> object
        Generic dispatch used by batch: ``inputs`` is a task's input record
        ({"inputs": ...}, {"question","context"}, {"query","table"},
        {"source_sentence","sentences"}, {"messages": [...]}...); returns the
        typed result. raw_request(...) is also offered for exporting a run.

    Streams raise StreamInterrupted(partial=...) when the body ends before a
    final event or carries an in-stream error; cancellation (task cancel)
    closes the connection.
"""

from __future__ import annotations

TASKS = (
    "fill-mask", "summarization", "translation", "question-answering", "zero-shot-classification",
    "text-classification", "token-classification", "text-generation", "chat-completion",
    "feature-extraction", "sentence-similarity", "text-to-image", "image-classification",
    "object-detection", "image-to-text", "automatic-speech-recognition", "table-question-answering",
)
