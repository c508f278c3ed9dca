"""The emulator's deterministic model catalog.

Each model is a :class:`ModelSpec`; the Hub JSON (search items, model-info,
legacy status, model card) is derived from it. Warm models answer at once;
cold ones (``warm=False`` but served on hf-inference) answer 503 "loading"
on their first call, like the api-inference era.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

HF = "hf-inference"


@dataclass(frozen=True)
class ModelSpec:
    id: str
    pipeline_tag: str
    library: str = "transformers"
    warm: bool = True
    # (provider, status, providerId, task); providerId None = same as id
    providers: tuple[tuple[str, str, str | None, str | None], ...] = ((HF, "live", None, None),)
    downloads: int = 1000
    likes: int = 10
    created: str = "2022-03-02T23:29:04.000Z"
    modified: str = ""  # "" = a date derived from the id, so "recently updated" has an order
    mask_token: str | None = None
    labels: tuple[str, ...] = ()
    license: str = "apache-2.0"
    languages: tuple[str, ...] = ("en",)
    tgi: bool = False  # text-generation backed by TGI (streams, accepts TGI params)
    dims: int = 384  # feature-extraction width (hidden size of a plain transformers model)
    legacy_zero_shot: bool = False  # answers the pre-Nov-2025 {sequence,labels,scores}
    dict_mapping: bool = False  # model-info answers the mapping in dict form
    private: bool = False
    gated: bool | str = False
    params: int | None = None
    compute: str = "cpu"
    too_big: bool = False
    extra_tags: tuple[str, ...] = ()
    summary: str = ""
    max_total: int = 4096  # TGI's max input + new tokens
    reasoning: bool = False  # chat answers start with ``reasoning`` deltas
    old_tgi_chat: bool = False  # chat streams like TGI 1.4: ``data:``, text_completion, no [DONE]

    def __post_init__(self) -> None:
        if not self.modified:
            from datetime import datetime, timedelta, timezone

            digest = int(hashlib.sha1(("modified:" + self.id).encode()).hexdigest(), 16)
            start = datetime(2023, 1, 1, tzinfo=timezone.utc)
            moment = start + timedelta(seconds=digest % int(1380 * 86400))  # up to mid-Oct 2026
            object.__setattr__(self, "modified", moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"))

    @property
    def author(self) -> str:
        return self.id.split("/", 1)[0] if "/" in self.id else self.id

    @property
    def sha(self) -> str:
        return hashlib.sha1(("sha:" + self.id).encode()).hexdigest()

    @property
    def object_id(self) -> str:
        return hashlib.md5(("oid:" + self.id).encode()).hexdigest()[:24]

    def provider_entries(self) -> list[dict]:
        out = []
        for provider, status, provider_id, task in self.providers:
            out.append({
                "provider": provider,
                "providerId": provider_id or self.id,
                "status": status,
                "task": task or self.mapping_task,
            })
        return out

    @property
    def tokenizer_mask(self) -> str | None:
        """The Hub's ``mask_token``: set for any model whose tokenizer has one (BERT/BART/RoBERTa kin)."""
        if self.mask_token:
            return self.mask_token
        name = self.id.lower()
        if any(k in name for k in ("roberta", "bart", "xlm")):
            return "<mask>"
        if any(k in name for k in ("bert", "deberta", "tapas", "electra")):
            return "[MASK]"
        return None

    @property
    def mapping_task(self) -> str:
        if self.pipeline_tag == "text-generation" and self.is_chat:
            return "conversational"
        return self.pipeline_tag

    @property
    def token_level_features(self) -> bool:
        """A plain transformers model's feature-extraction answers one vector per token, not per text."""
        return self.library == "transformers"

    @property
    def is_chat(self) -> bool:
        return "conversational" in self.extra_tags

    def live_providers(self) -> list[str]:
        return [p for p, status, _, _ in self.providers if status == "live"]

    @property
    def on_hf_inference(self) -> bool:
        return HF in self.live_providers()

    @property
    def inference_warm(self) -> bool:
        # "warm" = at least one provider serves it now. A cold hf-inference
        # model with a third-party provider would still be warm; we keep the
        # cold ones single-provider so the flag tells the story.
        live = self.live_providers()
        if not live:
            return False
        if live == [HF]:
            return self.warm
        return True


def _m(*args, **kw) -> ModelSpec:
    return ModelSpec(*args, **kw)


CHAT = ("conversational", "text-generation-inference")
TGI = ("text-generation-inference",)

MODELS: tuple[ModelSpec, ...] = (
    # fill-mask
    _m("google-bert/bert-base-uncased", "fill-mask", mask_token="[MASK]", downloads=48_123_456, likes=2310,
       created="2022-03-02T23:29:04.000Z", params=110_106_428,
       summary="BERT base model (uncased), pretrained on English with a masked language modeling objective."),
    _m("FacebookAI/roberta-base", "fill-mask", mask_token="<mask>", downloads=9_812_345, likes=512, params=124_697_433,
       summary="RoBERTa base model, a robustly optimized BERT pretraining approach."),
    _m("distilbert/distilbert-base-uncased", "fill-mask", mask_token="[MASK]", warm=False, downloads=12_345_678,
       likes=712, params=66_985_530, summary="DistilBERT base model (uncased): smaller, faster BERT."),
    _m("FacebookAI/xlm-roberta-base", "fill-mask", mask_token="<mask>", downloads=15_234_012, likes=690,
       languages=("multilingual", "en", "fr", "de", "es"), license="mit", params=278_295_186,
       summary="XLM-RoBERTa base, a multilingual RoBERTa trained on 100 languages."),
    # summarization
    _m("facebook/bart-large-cnn", "summarization", downloads=3_912_001, likes=1402, license="mit",
       params=406_290_432, summary="BART large fine-tuned on CNN / Daily Mail for summarization."),
    _m("sshleifer/distilbart-cnn-12-6", "summarization", downloads=612_330, likes=291,
       summary="Distilled BART for CNN summarization."),
    # the Inference Endpoints tutorial's model
    _m("csebuetnlp/mT5_multilingual_XLSum", "summarization", downloads=41_233, likes=289,
       license="cc-by-nc-sa-4.0", params=582_401_280,
       languages=("am", "ar", "az", "bn", "my", "zh", "en", "fr", "gu", "ha", "hi", "ig", "id", "ja", "rn", "ko",
                  "ky", "mr", "ne", "om", "ps", "fa", "pcm", "pt", "pa", "ru", "gd", "sr", "si", "so", "es", "sw",
                  "ta", "te", "th", "ti", "tr", "uk", "ur", "uz", "vi", "cy", "yo", "multilingual"),
       summary="mT5 base fine-tuned on XL-Sum: abstractive summaries in 45 languages."),
    # translation
    _m("Helsinki-NLP/opus-mt-en-fr", "translation", library="transformers", downloads=702_113, likes=64,
       languages=("en", "fr"), license="apache-2.0", summary="MarianMT English to French."),
    _m("google-t5/t5-base", "translation", downloads=2_800_512, likes=712, languages=("en", "fr", "ro", "de"),
       params=222_903_552, summary="T5 base: text-to-text transformer (translation en->fr/de/ro)."),
    _m("facebook/mbart-large-50-many-to-many-mmt", "translation", warm=False, downloads=204_441, likes=321,
       languages=("multilingual",), license="mit",
       summary="mBART-50 many-to-many multilingual translation (needs src_lang/tgt_lang)."),
    # question-answering
    _m("deepset/roberta-base-squad2", "question-answering", downloads=1_021_554, likes=889, license="cc-by-4.0",
       params=124_056_578, summary="RoBERTa base fine-tuned on SQuAD 2.0 for extractive QA."),
    _m("distilbert/distilbert-base-cased-distilled-squad", "question-answering", downloads=512_003, likes=231,
       summary="DistilBERT cased, distilled on SQuAD v1.1."),
    # zero-shot-classification
    _m("facebook/bart-large-mnli", "zero-shot-classification", downloads=3_210_987, likes=1290, license="mit",
       params=407_344_133, summary="BART large fine-tuned on MultiNLI; the classic zero-shot classifier."),
    _m("MoritzLaurer/deberta-v3-large-zeroshot-v2.0", "zero-shot-classification", warm=False, downloads=201_334,
       likes=140,
       license="mit", summary="DeBERTa-v3 large for zero-shot classification."),
    _m("valhalla/distilbart-mnli-12-1", "zero-shot-classification", legacy_zero_shot=True, downloads=58_210,
       likes=52, summary="Distilled BART MNLI (answers the pre-2025 zero-shot shape)."),
    # text-classification
    _m("distilbert/distilbert-base-uncased-finetuned-sst-2-english", "text-classification",
       labels=("POSITIVE", "NEGATIVE"), downloads=6_766_852, likes=715, params=66_955_010,
       summary="DistilBERT fine-tuned on SST-2 for binary sentiment."),
    _m("cardiffnlp/twitter-roberta-base-sentiment-latest", "text-classification",
       labels=("positive", "neutral", "negative"), downloads=2_404_118, likes=640, license="cc-by-4.0",
       summary="RoBERTa trained on tweets for 3-way sentiment."),
    _m("SamLowe/roberta-base-go_emotions", "text-classification", warm=False, downloads=410_002, likes=520,
       license="mit",
       labels=("neutral", "approval", "admiration", "joy", "gratitude", "curiosity", "amusement", "love",
               "optimism", "disappointment", "annoyance", "sadness", "anger", "surprise", "confusion", "fear"),
       summary="RoBERTa multi-label emotion classifier (GoEmotions)."),
    # token-classification
    _m("dslim/bert-base-NER", "token-classification", downloads=2_901_220, likes=560, license="mit",
       params=108_317_193, summary="BERT fine-tuned on CoNLL-2003 NER (PER, ORG, LOC, MISC)."),
    _m("dbmdz/bert-large-cased-finetuned-conll03-english", "token-classification", warm=False,
       downloads=980_441, likes=75, license="mit", summary="BERT large cased fine-tuned on CoNLL-03."),
    # text-generation (plain + TGI) and chat
    _m("openai-community/gpt2", "text-generation", tgi=True, downloads=11_223_344, likes=2801, license="mit",
       params=137_022_720, extra_tags=TGI, summary="GPT-2 small, the 124M-parameter causal language model."),
    _m("distilbert/distilgpt2", "text-generation", downloads=1_802_212, likes=480,
       summary="DistilGPT2 (plain transformers pipeline: no streaming, no TGI parameters)."),
    _m("HuggingFaceTB/SmolLM2-1.7B", "text-generation", tgi=True, warm=False, downloads=310_551, likes=95,
       params=1_711_376_384, extra_tags=TGI, summary="SmolLM2 1.7B base model."),
    _m("meta-llama/Llama-3.1-8B-Instruct", "text-generation", tgi=True, dict_mapping=True, gated="manual",
       providers=((HF, "live", None, None), ("together", "live", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", None),
                  ("fireworks-ai", "staging", "accounts/fireworks/models/llama-v3p1-8b-instruct", None)),
       downloads=5_602_103, likes=4120, license="llama3.1", params=8_030_261_248, extra_tags=CHAT,
       compute="1-a10-g", summary="Llama 3.1 8B Instruct, a multilingual chat model."),
    _m("Qwen/Qwen2.5-7B-Instruct", "text-generation", tgi=True,
       providers=((HF, "live", None, None), ("together", "live", "Qwen/Qwen2.5-7B-Instruct-Turbo", None),
                  ("fireworks-ai", "live", "accounts/fireworks/models/qwen2p5-7b-instruct", None)),
       downloads=2_110_340, likes=780, params=7_615_616_512, extra_tags=CHAT, compute="1-a10-g",
       summary="Qwen2.5 7B Instruct."),
    _m("mistralai/Mistral-7B-Instruct-v0.3", "text-generation", tgi=True,
       providers=((HF, "error", None, None), ("together", "live", None, None)),
       downloads=1_203_445, likes=1650, params=7_248_023_552, extra_tags=CHAT,
       summary="Mistral 7B Instruct v0.3 (hf-inference health check failing)."),
    _m("meta-llama/Llama-3.3-70B-Instruct", "text-generation", tgi=True, gated="manual",
       providers=(("together", "live", "meta-llama/Llama-3.3-70B-Instruct-Turbo", None),
                  ("fireworks-ai", "live", "accounts/fireworks/models/llama-v3p3-70b-instruct", None)),
       downloads=902_551, likes=2301, license="llama3.3", params=70_553_706_496, extra_tags=CHAT,
       summary="Llama 3.3 70B Instruct (third-party providers only)."),
    _m("deepseek-ai/DeepSeek-R1", "text-generation", tgi=True, license="mit", reasoning=True,
       providers=(("together", "live", None, None),
                  ("fireworks-ai", "live", "accounts/fireworks/models/deepseek-r1", None)),
       downloads=1_503_221, likes=12_400, params=684_531_386_000, extra_tags=CHAT,
       summary="DeepSeek-R1 reasoning model."),
    _m("google/gemma-2-2b-it", "text-generation", tgi=True, warm=False, gated="auto", license="gemma",
       downloads=402_118, likes=1010, params=2_614_341_888, extra_tags=CHAT, summary="Gemma 2 2B instruction-tuned."),
    _m("HuggingFaceTB/SmolLM3-3B", "text-generation", tgi=True,
       providers=((HF, "live", None, None), ("fireworks-ai", "staging", None, None)),
       downloads=250_771, likes=610, params=3_075_098_624, extra_tags=CHAT, summary="SmolLM3 3B chat model."),
    _m("meta-llama/Llama-3.1-405B-Instruct", "text-generation", tgi=True, gated="manual", too_big=True,
       providers=(("fireworks-ai", "staging", "accounts/fireworks/models/llama-v3p1-405b-instruct", None),),
       downloads=120_331, likes=580, license="llama3.1", params=405_853_388_800, extra_tags=CHAT,
       summary="Llama 3.1 405B Instruct (not served right now)."),
    # feature-extraction / sentence-similarity
    _m("sentence-transformers/all-MiniLM-L6-v2", "sentence-similarity", library="sentence-transformers",
       downloads=95_012_334, likes=3400, params=22_713_216,
       summary="all-MiniLM-L6-v2: 384-dimensional sentence embeddings."),
    _m("sentence-transformers/all-mpnet-base-v2", "sentence-similarity", library="sentence-transformers",
       downloads=21_334_101, likes=1090, dims=768, summary="all-mpnet-base-v2: 768-dimensional sentence embeddings."),
    _m("BAAI/bge-small-en-v1.5", "feature-extraction", library="sentence-transformers", downloads=4_502_112,
       likes=340, license="mit", summary="BGE small English v1.5 embeddings."),
    _m("intfloat/multilingual-e5-small", "feature-extraction", library="sentence-transformers", warm=False,
       downloads=1_100_220, likes=150, license="mit", summary="Multilingual E5 small embeddings."),
    # a plain transformers encoder: token-level features (batch x tokens x hidden), not one vector
    _m("facebook/bart-base", "feature-extraction", dims=768, downloads=2_012_554, likes=196, params=139_420_416,
       summary="BART base: its feature-extraction pipeline returns the last hidden state of every token."),
    # text-to-image
    _m("stabilityai/stable-diffusion-xl-base-1.0", "text-to-image", library="diffusers",
       providers=((HF, "live", None, None), ("fal-ai", "live", "fal-ai/fast-sdxl", None)),
       downloads=2_410_551, likes=6600, license="openrail++", compute="1-a10-g",
       summary="SDXL base 1.0 text-to-image diffusion model."),
    _m("black-forest-labs/FLUX.1-schnell", "text-to-image", library="diffusers",
       providers=((HF, "live", None, None), ("together", "live", None, None),
                  ("fal-ai", "live", "fal-ai/flux/schnell", None)),
       downloads=1_702_200, likes=4100, compute="1-l4", summary="FLUX.1 [schnell], fast text-to-image."),
    _m("black-forest-labs/FLUX.1-dev", "text-to-image", library="diffusers", gated="auto", license="other",
       providers=(("fal-ai", "live", "fal-ai/flux/dev", None), ("together", "staging", None, None)),
       downloads=2_050_118, likes=11_200, summary="FLUX.1 [dev] (third-party providers only)."),
    # vision
    _m("google/vit-base-patch16-224", "image-classification", downloads=3_002_117, likes=820,
       summary="Vision Transformer base, ImageNet-1k classifier."),
    _m("microsoft/resnet-50", "image-classification", library="transformers", downloads=2_115_908, likes=410,
       summary="ResNet-50 v1.5 ImageNet classifier."),
    _m("facebook/detr-resnet-50", "object-detection", downloads=1_410_223, likes=820,
       summary="DETR with a ResNet-50 backbone, COCO object detection."),
    _m("hustvl/yolos-tiny", "object-detection", warm=False, downloads=120_551, likes=260,
       summary="YOLOS tiny object detector."),
    _m("Salesforce/blip-image-captioning-large", "image-to-text", downloads=1_301_022, likes=1300,
       license="bsd-3-clause", summary="BLIP large image captioning."),
    _m("nlpconnect/vit-gpt2-image-captioning", "image-to-text", warm=False, downloads=310_220, likes=880,
       summary="ViT + GPT-2 image captioning."),
    # speech
    _m("openai/whisper-large-v3", "automatic-speech-recognition",
       providers=((HF, "live", None, None), ("fal-ai", "live", "fal-ai/whisper", None)),
       downloads=4_510_332, likes=4400, license="apache-2.0", compute="1-a10-g",
       summary="Whisper large-v3 speech recognition."),
    _m("openai/whisper-small", "automatic-speech-recognition", warm=False, downloads=1_203_111, likes=300,
       summary="Whisper small speech recognition."),
    # tables
    _m("google/tapas-base-finetuned-wtq", "table-question-answering", downloads=180_221, likes=210,
       summary="TAPAS base fine-tuned on WikiTableQuestions."),
    _m("microsoft/tapex-base", "table-question-answering", warm=False, downloads=20_114, likes=40, license="mit",
       summary="TAPEX base table reasoning."),
    # models seen in the recorded real exchanges (shared/fixtures/recorded)
    _m("google/flan-t5-xxl", "text2text-generation", tgi=True, max_total=1512, downloads=266_006, likes=1235,
       languages=("en", "fr", "ro", "de", "multilingual"), params=11_266_928_640, extra_tags=TGI,
       compute="1-a10-g", summary="Flan-T5 XXL, served by TGI (text-generation payloads)."),
    _m("CompVis/stable-diffusion-v1-4", "text-to-image", library="diffusers", license="creativeml-openrail-m",
       downloads=600_221, likes=6800, compute="1-a10-g", summary="Stable Diffusion v1.4."),
    _m("meta-llama/Meta-Llama-3-8B-Instruct", "text-generation", tgi=True, dict_mapping=True, gated="manual",
       providers=((HF, "live", None, None), ("together", "live", "meta-llama/Meta-Llama-3-8B-Instruct-Turbo", None),
                  ("fireworks-ai", "staging", "accounts/fireworks/models/llama-v3-8b-instruct", None)),
       downloads=2_100_993, likes=3900, license="llama3", params=8_030_261_248, extra_tags=CHAT,
       compute="1-a10-g", summary="Meta Llama 3 8B Instruct."),
    _m("meta-llama/Meta-Llama-3-70B-Instruct", "text-generation", tgi=True, gated="manual",
       downloads=301_118, likes=1500, license="llama3", params=70_553_706_496, extra_tags=CHAT,
       compute="4-a100", summary="Meta Llama 3 70B Instruct."),
    _m("HuggingFaceH4/zephyr-7b-beta", "text-generation", tgi=True, downloads=402_556, likes=1700, license="mit",
       params=7_241_732_096, extra_tags=CHAT, compute="1-a10-g", old_tgi_chat=True,
       summary="Zephyr 7B beta, a DPO-tuned Mistral (served by an old TGI: chat streams end without [DONE])."),
    _m("distilbert/distilroberta-base", "fill-mask", mask_token="<mask>", downloads=1_403_220, likes=150,
       params=82_170_969, summary="DistilRoBERTa base."),
    # not served anywhere / private
    _m("google-t5/t5-11b", "translation", providers=(), downloads=40_112, likes=60, too_big=True,
       summary="T5 11B (not served by any provider)."),
    _m("demo-user/private-classifier", "text-classification", labels=("spam", "ham"), private=True,
       providers=(), downloads=3, likes=0, summary="A private demo classifier."),
    _m("acme-ml/acme-sentiment", "text-classification", labels=("POSITIVE", "NEGATIVE"), private=True,
       providers=(), downloads=12, likes=1, summary="ACME's private sentiment model."),
)

BY_ID: dict[str, ModelSpec] = {m.id: m for m in MODELS}
BY_ID_LOWER: dict[str, ModelSpec] = {m.id.lower(): m for m in MODELS}

# Renamed repos: the Hub answers 307 to the canonical id.
RENAMED: dict[str, str] = {
    "bert-base-uncased": "google-bert/bert-base-uncased",
    "roberta-base": "FacebookAI/roberta-base",
    "gpt2": "openai-community/gpt2",
    "distilbert-base-uncased": "distilbert/distilbert-base-uncased",
    "t5-base": "google-t5/t5-base",
    "distilroberta-base": "distilbert/distilroberta-base",
}


def lookup(model_id: str) -> ModelSpec | None:
    return BY_ID.get(model_id)


def resolve(model_id: str) -> ModelSpec | None:
    """Case-insensitive lookup following renames (for inference routes)."""
    model_id = RENAMED.get(model_id, model_id)
    return BY_ID.get(model_id) or BY_ID_LOWER.get(model_id.lower())


def tags_for(spec: ModelSpec) -> list[str]:
    tags = [spec.library]
    if spec.library == "transformers":
        tags += ["pytorch", "safetensors"]
    elif spec.library == "sentence-transformers":
        tags += ["pytorch", "safetensors", "transformers"]
    tags.append(spec.pipeline_tag)
    if spec.library == "sentence-transformers":
        # embeddings models serve both pipelines on hf-inference, and say so in their tags
        tags += [t for t in ("feature-extraction", "sentence-similarity") if t != spec.pipeline_tag]
    tags += list(spec.extra_tags)
    tags += list(spec.languages)
    tags.append(f"license:{spec.license}")
    tags += ["endpoints_compatible", "region:us"]
    return tags


def widget_data(spec: ModelSpec) -> list[dict]:
    task = spec.pipeline_tag
    if task == "fill-mask":
        return [{"text": f"Paris is the {spec.mask_token} of France."},
                {"text": f"The goal of life is {spec.mask_token}."}]
    if task == "question-answering":
        return [{"text": "Where do I live?", "context": "My name is Wolfgang and I live in Berlin"}]
    if task == "zero-shot-classification":
        return [{"text": "I have a problem with my iphone that needs to be resolved asap!!",
                 "candidate_labels": "urgent, not urgent, phone, tablet, computer", "multi_class": True}]
    if task == "table-question-answering":
        return [{"text": "How many stars does the transformers repository have?",
                 "table": {"Repository": ["Transformers", "Datasets", "Tokenizers"],
                           "Stars": ["36542", "4512", "3934"]}}]
    if task == "sentence-similarity":
        return [{"source_sentence": "That is a happy person",
                 "sentences": ["That is a happy dog", "That is a very happy person", "Today is a sunny day"]}]
    if task in ("image-classification", "object-detection", "image-to-text", "automatic-speech-recognition"):
        return []
    return [{"text": "My name is Clara and I live in Berkeley, California."}]


def model_card(spec: ModelSpec) -> str:
    """A small but realistic model card (YAML front matter + Markdown)."""
    langs = "\n".join(f"- {lang}" for lang in spec.languages)
    return (
        f"---\nlanguage:\n{langs}\nlicense: {spec.license}\nlibrary_name: {spec.library}\n"
        f"pipeline_tag: {spec.pipeline_tag}\ntags:\n- {spec.pipeline_tag}\n---\n\n"
        f"# {spec.id.split('/')[-1]}\n\n{spec.summary or 'A model.'}\n\n"
        "## Model description\n\n"
        f"`{spec.id}` is a `{spec.library}` model for **{spec.pipeline_tag}**.\n\n"
        "## How to use\n\n"
        "```python\nfrom transformers import pipeline\n\n"
        f"pipe = pipeline(\"{spec.pipeline_tag}\", model=\"{spec.id}\")\n```\n\n"
        "## Limitations and bias\n\nThis emulated card is generated; outputs are synthetic.\n"
    )
