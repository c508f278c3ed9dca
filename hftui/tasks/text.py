"""Specs of the text tasks (wire doc 3.4): classification, extraction, QA, seq2seq, embeddings."""

from __future__ import annotations

from typing import Any

from hftui.tasks.fields import Field
from hftui.tasks.spec import TaskSpec

TRUNCATION = ("do_not_truncate", "longest_first", "only_first", "only_second")
FUNCTION_TO_APPLY = ("sigmoid", "softmax", "none")

TEXT = Field("inputs", "Text", "multiline", required=True)
TOP_K = Field("top_k", "Top k", "int", min=1, max=100, help="How many results to return.")
CLEAN_UP = Field("clean_up_tokenization_spaces", "Clean up spaces", "bool", default=None,
                 help="Remove spaces before punctuation in the output.", advanced=True)
GEN_MAX_LENGTH = Field("max_length", "Max length", "int", min=1, max=4096, path=("generate_parameters", "max_length"),
                       help="Longest output, in tokens (generate_parameters.max_length).")
GEN_MIN_LENGTH = Field("min_length", "Min length", "int", min=0, max=4096, path=("generate_parameters", "min_length"),
                       help="Shortest output, in tokens.", advanced=True)
GEN_EXTRA = Field("generate_parameters", "Other generate parameters", "json", advanced=True,
                  help='JSON object merged into generate_parameters, e.g. {"num_beams": 4}.')


def _fill_mask_check(values: dict, model: Any) -> dict[str, str]:
    text = values.get("inputs") or ""
    mask = getattr(model, "mask_token", None)
    if mask:
        if mask not in text:
            return {"inputs": f"the text must contain the model's mask token {mask}"}
        return {}
    # Mask token unknown: accept the usual spellings.
    if not any(m in text for m in ("[MASK]", "<mask>", "<extra_id_0>")):
        return {"inputs": "the text must contain the mask token ([MASK] or <mask>)"}
    return {}


FILL_MASK = TaskSpec(
    task="fill-mask", short="fillmask", title="Fill mask", result_kind="fill_mask",
    description="Guess the token hidden behind the model's mask token.",
    inputs=(Field("inputs", "Text", "multiline", required=True, help="Must contain the mask token."),),
    params=(
        TOP_K,
        Field("targets", "Targets", "list", help="Only score these candidate words (comma-separated)."),
    ),
    check=_fill_mask_check,
    example={"inputs": "The goal of life is {mask}."},
)

SUMMARIZATION = TaskSpec(
    task="summarization", short="summary", title="Summarization", result_kind="text",
    inputs=(TEXT,),
    params=(
        GEN_MAX_LENGTH, GEN_MIN_LENGTH,
        Field("truncation", "Truncation", "choice", choices=TRUNCATION, advanced=True),
        CLEAN_UP, GEN_EXTRA,
    ),
    example={"inputs": "The tower is 324 metres (1,063 ft) tall, about the same height as an 81-storey "
                       "building, and the tallest structure in Paris. Its base is square, measuring 125 "
                       "metres (410 ft) on each side."},
)


def _translation_check(values: dict, model: Any) -> dict[str, str]:
    src, tgt = values.get("src_lang"), values.get("tgt_lang")
    if bool(src) != bool(tgt):
        name = "tgt_lang" if src else "src_lang"
        return {name: "source and target languages go together (set both or neither)"}
    return {}


TRANSLATION = TaskSpec(
    task="translation", short="translat", title="Translation", result_kind="text",
    inputs=(TEXT,),
    params=(
        Field("src_lang", "Source language", "text", placeholder="en_XX",
              help="Only for multilingual models; set with the target language."),
        Field("tgt_lang", "Target language", "text", placeholder="fr_XX"),
        GEN_MAX_LENGTH,
        Field("truncation", "Truncation", "choice", choices=TRUNCATION, advanced=True),
        CLEAN_UP, GEN_EXTRA,
    ),
    check=_translation_check,
    example={"inputs": "My name is Wolfgang and I live in Berlin."},
)

QUESTION_ANSWERING = TaskSpec(
    task="question-answering", short="qa", title="Question answering", result_kind="answer",
    inputs=(
        Field("question", "Question", "text", required=True),
        Field("context", "Context", "multiline", required=True),
    ),
    params=(
        TOP_K,
        Field("doc_stride", "Doc stride", "int", min=0, max=4096, advanced=True),
        Field("max_answer_len", "Max answer length", "int", min=1, max=4096),
        Field("max_seq_len", "Max sequence length", "int", min=1, max=8192, advanced=True),
        Field("max_question_len", "Max question length", "int", min=1, max=4096, advanced=True),
        Field("handle_impossible_answer", "Allow no answer", "bool", default=None),
        Field("align_to_words", "Align to words", "bool", default=None, advanced=True),
    ),
    example={"question": "What is my name?", "context": "My name is Clara and I live in Berkeley."},
)


def _zero_shot_check(values: dict, model: Any) -> dict[str, str]:
    errors = {}
    if not values.get("candidate_labels"):
        errors["candidate_labels"] = "give at least one label"
    template = values.get("hypothesis_template")
    if template and "{}" not in template:
        errors["hypothesis_template"] = "the template needs a {} where the label goes"
    return errors


ZERO_SHOT = TaskSpec(
    task="zero-shot-classification", short="0-shot", title="Zero-shot classification",
    result_kind="labels",
    inputs=(TEXT,),
    params=(
        Field("candidate_labels", "Labels", "list", required=True, help="Comma-separated candidate labels."),
        Field("multi_label", "Multi-label", "bool", default=None, help="Score each label independently."),
        Field("hypothesis_template", "Hypothesis template", "text", placeholder="This example is {}."),
    ),
    check=_zero_shot_check,
    example={"inputs": "Hi, I recently bought a device from your company but it is not working as advertised.",
             "candidate_labels": ["refund", "legal", "faq"]},
)

TEXT_CLASSIFICATION = TaskSpec(
    task="text-classification", short="text-cls", title="Text classification", result_kind="labels",
    inputs=(TEXT,),
    params=(TOP_K, Field("function_to_apply", "Function to apply", "choice", choices=FUNCTION_TO_APPLY)),
    example={"inputs": "I like you. I love you."},
)

TOKEN_CLASSIFICATION = TaskSpec(
    task="token-classification", short="tok-cls", title="Token classification",
    result_kind="entities",
    inputs=(TEXT,),
    params=(
        Field("aggregation_strategy", "Aggregation", "choice", choices=("none", "simple", "first", "average", "max")),
        Field("ignore_labels", "Ignore labels", "list", help="Labels to drop, e.g. O."),
        Field("stride", "Stride", "int", min=0, max=4096, advanced=True),
    ),
    example={"inputs": "My name is Sarah Jessica Parker but you can call me Jessica"},
)

FEATURE_EXTRACTION = TaskSpec(
    task="feature-extraction", short="features", title="Feature extraction", result_kind="vector",
    inputs=(TEXT,),
    params=(
        Field("normalize", "Normalize", "bool", default=None),
        Field("prompt_name", "Prompt name", "text", help="A prompt of the model's config, e.g. query."),
        Field("truncate", "Truncate", "bool", default=None),
        Field("truncation_direction", "Truncation direction", "choice", choices=("left", "right"), advanced=True),
        Field("dimensions", "Dimensions", "int", min=1, max=65536, advanced=True,
              help="Truncate the embedding (Matryoshka models)."),
        Field("encoding_format", "Encoding", "choice", choices=("float", "base64"), advanced=True),
    ),
    example={"inputs": "Today is a sunny day and I will get some ice cream."},
)


SENTENCE_SIMILARITY = TaskSpec(
    task="sentence-similarity", short="similar", title="Sentence similarity", result_kind="similarity",
    inputs=(
        Field("source_sentence", "Source sentence", "text", required=True),
        Field("sentences", "Sentences", "list", required=True, extra={"multiline": True},
              help="One sentence per line."),
    ),
    example={"source_sentence": "Machine learning is so easy.",
             "sentences": ["Deep learning is so straightforward.", "This is so difficult, like rocket science.",
                           "I can't believe how much I struggled with this."]},
)


TABLE_QA = TaskSpec(
    task="table-question-answering", short="table-qa", title="Table question answering",
    result_kind="table_answer",
    inputs=(
        Field("query", "Question", "text", required=True),
        Field("table", "Table (CSV with a header row)", "table", required=True),
    ),
    params=(
        Field("padding", "Padding", "choice", choices=("do_not_pad", "longest", "max_length"), advanced=True),
        Field("sequential", "Sequential", "bool", default=None, advanced=True),
        Field("truncation", "Truncation", "bool", default=None, advanced=True),
    ),
    example={"query": "How many stars does the transformers repository have?",
             "table": {"Repository": ["Transformers", "Datasets", "Tokenizers"],
                       "Stars": ["36542", "4512", "3934"],
                       "Contributors": ["651", "77", "34"]}},
)

SPECS = (FILL_MASK, SUMMARIZATION, TRANSLATION, QUESTION_ANSWERING, ZERO_SHOT, TEXT_CLASSIFICATION,
         TOKEN_CLASSIFICATION, FEATURE_EXTRACTION, SENTENCE_SIMILARITY, TABLE_QA)
