"""Task specs without Textual: fields, validation, wire payloads, calls against the emulator, run records."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from hftui.client.inference import TASKS
from hftui.tasks import FieldError, all_specs, canonical_task, get_spec
from hftui.tasks.fields import Field, parse_list, parse_table
from hftui.tasks.record import make_run_record, target_from_record

from tests.playground.playground_helpers import MODELS, form_values, make_png, make_wav


@pytest.fixture
def files(tmp_path):
    return {"image": str(make_png(tmp_path / "cat.png")), "audio": str(make_wav(tmp_path / "a.wav"))}


def filled(spec, files):
    extra = {}
    for f in spec.inputs:
        if f.kind == "file-image":
            extra[f.name] = files["image"]
        elif f.kind == "file-audio":
            extra[f.name] = files["audio"]
    return form_values(spec, extra)


# --- registry -------------------------------------------------------------------------


def test_every_client_task_has_a_spec_and_aliases_resolve():
    assert [s.task for s in all_specs()] == list(TASKS)
    assert get_spec("conversational").task == "chat-completion"
    assert canonical_task("sentence-embeddings") == "feature-extraction"
    assert canonical_task("no-such-task") is None
    with pytest.raises(KeyError):
        get_spec("no-such-task")


def test_every_spec_has_its_inputs_options_and_a_known_result_kind():
    kinds = {"labels", "fill_mask", "entities", "answer", "text", "stream_text", "chat", "vector", "similarity",
             "table_answer", "image", "detections", "transcription"}
    for spec in all_specs():
        names = [f.name for f in spec.fields]
        assert len(names) == len(set(names)), spec.task
        assert "wait_for_model" in names and "use_cache" in names
        assert spec.result_kind in kinds
        assert any(f.required for f in spec.inputs), spec.task


def test_generation_parameters_of_the_wire_doc_are_in_the_forms():
    tg = {f.name for f in get_spec("text-generation").params}
    assert {"max_new_tokens", "temperature", "top_k", "top_p", "typical_p", "do_sample", "repetition_penalty",
            "frequency_penalty", "seed", "stop", "return_full_text", "details", "decoder_input_details", "best_of",
            "top_n_tokens", "truncate", "watermark", "adapter_id", "grammar"} <= tg
    chat = {f.name for f in get_spec("chat-completion").params}
    assert {"max_tokens", "temperature", "top_p", "seed", "stop", "frequency_penalty", "presence_penalty",
            "logprobs", "top_logprobs", "n", "response_format", "tools", "tool_choice"} <= chat
    qa = {f.name for f in get_spec("question-answering").params}
    assert {"top_k", "doc_stride", "max_answer_len", "max_seq_len", "max_question_len", "handle_impossible_answer",
            "align_to_words"} <= qa


# --- fields ------------------------------------------------------------------------------


def test_field_coercion_and_bounds():
    f = Field("t", "T", "float", min=0, max=2)
    assert f.coerce("0.5") == 0.5
    assert f.coerce("") is None
    for bad, message in (("3", "at most 2"), ("-1", "at least 0"), ("abc", "a number"), ("nan", "a number")):
        with pytest.raises(FieldError, match=message):
            f.coerce(bad)
    i = Field("n", "N", "int", min=1)
    assert i.coerce("4") == 4 and i.coerce("4.0") == 4
    with pytest.raises(FieldError, match="whole number"):
        i.coerce("4.5")
    b = Field("b", "B", "bool")
    assert b.coerce("") is None and b.coerce("true") is True and b.coerce(False) is False
    j = Field("j", "J", "json")
    assert j.coerce('{"a": 1}') == {"a": 1}
    with pytest.raises(FieldError, match="not valid JSON"):
        j.coerce("{nope")
    c = Field("c", "C", "choice", choices=("a", "b"))
    with pytest.raises(FieldError, match="one of"):
        c.coerce("z")


def test_lists_and_tables():
    assert parse_list("a, b ,c") == ["a", "b", "c"]
    assert parse_list("one, two\nthree") == ["one, two", "three"]
    assert parse_list(r"\n\n, END") == ["\n\n", "END"]
    assert parse_table("Repo,Stars\nTransformers,36542\nDatasets,4512") == {
        "Repo": ["Transformers", "Datasets"], "Stars": ["36542", "4512"]}
    with pytest.raises(FieldError, match="row 3"):
        parse_table("a,b\n1,2\n3")
    with pytest.raises(FieldError, match="header"):
        parse_table("a,b")


# --- validation ----------------------------------------------------------------------------


def test_fill_mask_needs_the_models_mask_token():
    spec = get_spec("fill-mask")
    roberta = SimpleNamespace(mask_token="<mask>")
    assert spec.validate({"inputs": "Paris is the [MASK] of France."}, roberta) == {
        "inputs": "the text must contain the model's mask token <mask>"}
    assert spec.validate({"inputs": "Paris is the <mask> of France."}, roberta) == {}
    assert "inputs" in spec.validate({"inputs": "no mask here"})
    assert spec.defaults(roberta)["inputs"] == "The goal of life is <mask>."


def test_zero_shot_needs_labels_and_template_placeholder():
    spec = get_spec("zero-shot-classification")
    assert spec.validate({"inputs": "x", "candidate_labels": ""}) == {"candidate_labels": "required"}
    assert spec.validate({"inputs": "x", "candidate_labels": "a", "hypothesis_template": "no slot"}) == {
        "hypothesis_template": "the template needs a {} where the label goes"}
    assert spec.validate({"inputs": "x", "candidate_labels": "a, b"}) == {}


def test_translation_languages_go_together_and_numbers_are_checked():
    spec = get_spec("translation")
    assert set(spec.validate({"inputs": "x", "src_lang": "en_XX"})) == {"tgt_lang"}
    assert set(spec.validate({"inputs": "x", "tgt_lang": "fr_XX"})) == {"src_lang"}
    assert spec.validate({"inputs": "x", "src_lang": "en_XX", "tgt_lang": "fr_XX"}) == {}
    gen = get_spec("text-generation")
    errors = gen.validate({"inputs": "x", "temperature": "-1", "top_p": "1.5", "max_new_tokens": "0"})
    assert set(errors) == {"temperature", "top_p", "max_new_tokens"}
    assert "decoder_input_details" in gen.validate({"inputs": "x", "decoder_input_details": "true"})
    assert gen.validate({"inputs": "x", "decoder_input_details": "true", "stream": False}) == {}


def test_required_inputs_and_files(tmp_path):
    assert get_spec("question-answering").validate({"question": "", "context": ""}) == {
        "question": "required", "context": "required"}
    spec = get_spec("image-classification")
    assert spec.validate({"inputs": str(tmp_path / "missing.png")})["inputs"].startswith("no such file")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    assert "image" in spec.validate({"inputs": str(broken)})["inputs"]


def test_decompression_bomb_guard(tmp_path, monkeypatch):
    path = make_png(tmp_path / "big.png", size=(400, 300))
    spec = get_spec("object-detection")
    assert spec.validate({"inputs": str(path)}) == {}
    monkeypatch.setenv("HFTUI_MAX_IMAGE_PIXELS", "10000")
    assert "too large" in spec.validate({"inputs": str(path)})["inputs"]
    from PIL import Image

    assert Image.MAX_IMAGE_PIXELS != 10000  # the guard is local, not a global change


def test_every_example_form_is_valid(files):
    for spec in all_specs():
        assert spec.validate(filled(spec, files)) == {}, spec.task


# --- wire payloads (built by the client from the spec's input record and parameters) ------------


def _request(hf_client, spec, raw, target=None):
    from hftui.client import Target

    values, errors = spec.parse(raw)
    assert errors == {}
    prepared = spec.prepare(values)
    target = target or Target.hf_model(MODELS[spec.task])
    return hf_client.inference.build(spec.task, target, prepared.inputs, prepared.parameters,
                                     prepared.options, stream=spec.wants_stream(values)), prepared


@pytest.fixture
def offline_client():
    from hftui.client import HFClient
    from hftui.config import Settings

    return HFClient(Settings().with_base_url("http://127.0.0.1:9"), None)


def test_payloads_follow_the_wire_doc(offline_client, files):
    hf = offline_client

    req, _ = _request(hf, get_spec("summarization"), {"inputs": "long text", "max_length": "130",
                                                      "truncation": "only_first"})
    assert json.loads(req.body) == {"inputs": "long text", "parameters": {
        "generate_parameters": {"max_length": 130}, "truncation": "only_first"}}

    req, prepared = _request(hf, get_spec("zero-shot-classification"),
                             {"inputs": "text", "candidate_labels": "space, robots", "multi_label": "true"})
    assert json.loads(req.body)["parameters"] == {"candidate_labels": ["space", "robots"], "multi_label": True}
    assert prepared.call_inputs == {"inputs": "text"} and prepared.parameters["candidate_labels"] == ["space", "robots"]

    req, _ = _request(hf, get_spec("feature-extraction"), {"inputs": "Hi", "normalize": "true"})
    body = json.loads(req.body)
    assert body["normalize"] is True
    assert "normalize" not in (body.get("parameters") or {})
    assert req.url.endswith("/pipeline/feature-extraction")

    req, _ = _request(hf, get_spec("question-answering"), {"question": "Who?", "context": "Me.", "top_k": "2"})
    assert json.loads(req.body) == {"inputs": {"question": "Who?", "context": "Me."}, "parameters": {"top_k": 2}}

    req, _ = _request(hf, get_spec("table-question-answering"),
                      {"query": "How many?", "table": "Repo,Stars\nA,1\nB,2"})
    assert json.loads(req.body)["inputs"] == {"query": "How many?", "table": {"Repo": ["A", "B"], "Stars": ["1", "2"]}}

    req, _ = _request(hf, get_spec("text-generation"), {"inputs": "Once", "max_new_tokens": "5",
                                                        "stop": r"\n\n", "seed": "42"})
    body = json.loads(req.body)
    assert body["stream"] is True and body["parameters"]["stop"] == ["\n\n"]
    assert body["parameters"]["max_new_tokens"] == 5 and body["parameters"]["seed"] == 42
    assert "stream" not in body["parameters"]

    chat = get_spec("chat-completion")
    values, _ = chat.parse({"system": "Be brief.", "prompt": "Hi", "max_tokens": "7", "temperature": "0.2"})
    values["history"] = [{"role": "user", "content": "Earlier"}, {"role": "assistant", "content": "Reply"}]
    prepared = chat.prepare(values)
    req = hf.inference.build("chat-completion", _target(), prepared.inputs, prepared.parameters, stream=True)
    body = json.loads(req.body)
    assert list(body)[0] == "model"
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
    assert body["max_tokens"] == 7 and body["temperature"] == 0.2 and body["stream"] is True

    image = get_spec("image-classification")
    req, _ = _request(hf, image, {"inputs": files["image"]})
    assert req.body.startswith(b"\x89PNG") and req.headers.get("content-type", "").startswith("image/png")
    req, _ = _request(hf, image, {"inputs": files["image"], "top_k": "3"})
    body = json.loads(req.body)
    assert body["parameters"] == {"top_k": 3}
    assert base64.b64decode(body["inputs"]).startswith(b"\x89PNG")


def _target():
    from hftui.client import Target

    return Target.hf_model(MODELS["chat-completion"])


# --- calls against the emulator ------------------------------------------------------------------

EXPECTED = {
    "fill-mask": lambda r: r and r[0].token_str and r[0].score >= r[-1].score,
    "summarization": lambda r: isinstance(r, str) and r,
    "translation": lambda r: isinstance(r, str) and r,
    "question-answering": lambda r: r[0].answer == "Clara",
    "zero-shot-classification": lambda r: {x.label for x in r} == {"refund", "legal", "faq"},
    "text-classification": lambda r: r[0].label == "POSITIVE",
    "token-classification": lambda r: any(e.word == "Sarah Jessica Parker" for e in r),
    "feature-extraction": lambda r: isinstance(r, list) and len(r) > 8,
    "sentence-similarity": lambda r: len(r) == 3 and all(0 <= s <= 1 for s in r),
    "table-question-answering": lambda r: r.answer == "36542" and r.cells == ["36542"],
    "text-to-image": lambda r: r.data[:3] in (b"\xff\xd8\xff", b"\x89PN"),
    "image-classification": lambda r: r and r[0].score >= r[-1].score,
    "object-detection": lambda r: all(o.xmax >= o.xmin for o in r),
    "image-to-text": lambda r: isinstance(r, str) and r,
    "automatic-speech-recognition": lambda r: isinstance(r.text, str) and r.text,
}


@pytest.mark.parametrize("task", [t for t in TASKS])
async def test_calls_against_the_emulator(task, settings, token, files):
    from hftui.client import HFClient, Target

    spec = get_spec(task)
    values, errors = spec.parse(filled(spec, files))
    assert errors == {}
    async with HFClient(settings, token) as hf:
        target = Target.hf_model(MODELS[task])
        if spec.streams:
            chunks = [c async for c in spec.stream(hf, target, values)]
            assert chunks[-1].final and "".join(c.text for c in chunks).strip()
            values["stream"] = False
            one_shot = await spec.call(hf, target, values)
            assert (getattr(one_shot, "text", None) or getattr(one_shot, "content", None))
        else:
            result = await spec.call(hf, target, values)
            assert EXPECTED[task](result), result


# --- run records ---------------------------------------------------------------------------------


def test_run_record_round_trip(files):
    from hftui.client import Target

    for spec in all_specs():
        values, _ = spec.parse(filled(spec, files))
        target = Target.router("m/x", "together") if spec.task == "chat-completion" else Target.hf_model("m/x")
        record = make_run_record(spec=spec, target=target, values=values, result=None, error="boom",
                                 timings={"elapsed": 1.5})
        json.dumps(record)
        assert set(record) >= {"target", "task", "inputs", "parameters", "options", "result", "error", "timings",
                               "created_at"}
        assert record["created_at"] == "2026-10-26T13:00:00Z"
        assert target_from_record(record["target"]) == target
        again = spec.values_from_record(json.loads(json.dumps(record)))
        for f in spec.fields:
            assert f.coerce(f.to_form(again.get(f.name))) == values.get(f.name), (spec.task, f.name)


def test_chat_record_keeps_the_conversation():
    spec = get_spec("chat-completion")
    values, _ = spec.parse({"system": "S", "prompt": "Next?"})
    values["history"] = [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]
    record = make_run_record(spec=spec, target=_target(), values=values)
    assert record["inputs"] == {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"},
                                             {"role": "assistant", "content": "A1"},
                                             {"role": "user", "content": "Next?"}]}
    back = spec.values_from_record(record)
    assert back["system"] == "S" and back["prompt"] == "Next?" and len(back["history"]) == 2


def test_tasks_and_imaging_import_no_textual():
    # The specs read the wire side of the registry (hftui.client.wire_tasks), so the client (and its
    # HTTP library) may load; that they reach HTTP only through the client is an import-linter contract.
    code = ("import sys, hftui.tasks, hftui.tasks.record, hftui.imaging; hftui.tasks.all_specs(); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], "
            "[m for m in sys.modules if m.startswith('textual')]")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- text-generation: tri-state TGI flags, details in the run record -----------------------------------

TGI_FLAGS = ("details", "decoder_input_details", "watermark", "do_sample", "return_full_text")


def test_tgi_flags_are_tri_state_and_can_be_left_out():
    gen = get_spec("text-generation")
    for name in TGI_FLAGS:
        f = gen.field(name)
        assert f.kind == "tristate", name
        assert (f.to_form(None), f.to_form(True), f.to_form(False)) == ("", "true", "false")
        assert [f.coerce(v) for v in ("", "true", "false", None, True, False)] == [None, True, False,
                                                                                   None, True, False]
    values, errors = gen.parse({"inputs": "x", "details": "", "watermark": "false", "stream": False})
    wire = gen.wire_parameters(values)
    assert errors == {} and "details" not in wire and wire["watermark"] is False
    fresh = gen.wire_parameters(gen.parse(form_values(gen))[0])
    assert fresh.get("details") is True  # a fresh form still asks for details…
    assert not set(TGI_FLAGS[1:]) & set(fresh)  # …and leaves the other flags out
    # each best_of candidate draws its own seed (TGI refuses a seed with best_of > 1)
    assert "best_of" in gen.validate({"inputs": "x", "best_of": "2", "do_sample": "true", "seed": "1",
                                      "stream": False})
    assert gen.validate({"inputs": "x", "best_of": "2", "do_sample": "true", "stream": False}) == {}


def _details():
    from hftui.client.results import BestOfSequence, GenerationDetails, PrefillToken, Token

    tok = Token(5, " hi", -0.5, False)
    return GenerationDetails(finish_reason="length", generated_tokens=1, seed=42,
                             prefill=(PrefillToken(1, "Hi", None),), tokens=(tok,), top_tokens=((tok,),),
                             best_of_sequences=(BestOfSequence(" yo", "length", 1, 43, (), (tok,), None),))


def test_run_record_keeps_generation_details_and_says_what_was_dropped():
    from hftui.client.results import Generation
    from hftui.history import normalize

    spec = get_spec("text-generation")
    values, _ = spec.parse({"inputs": "Hi", "stream": False})
    gen = Generation(" hi", "length", 1, 42, _details())
    record = json.loads(json.dumps(make_run_record(spec=spec, target=_target(), values=values, result=gen)))
    details = record["result"]["details"]
    assert details["prefill"] == [{"id": 1, "text": "Hi", "logprob": None}]
    assert details["tokens"] == [{"id": 5, "text": " hi", "logprob": -0.5, "special": False}]
    assert details["top_tokens"] == [details["tokens"]] and details["best_of_sequences"][0]["seed"] == 43
    assert "warnings" not in record
    dropped = Generation("x", dropped_parameters=("watermark", "stop"))
    record = make_run_record(spec=spec, target=_target(), values=values, result=dropped)
    assert record["result"]["dropped_parameters"] == ["watermark", "stop"]
    assert record["warnings"] and "watermark, stop" in record["warnings"][0]
    assert normalize(record)["warnings"] == record["warnings"]  # history keeps it


def test_streamed_generation_gathers_tokens_into_the_details():
    from hftui.client.results import GenerationDetails, StreamChunk, Token
    from hftui.tasks.generation import StreamedGeneration

    a, b, eos = Token(1, " a", -0.1), Token(2, " b", -0.2), Token(3, "</s>", -0.3, True)
    collected = StreamedGeneration()
    for chunk in (StreamChunk(" a", token=a, top_tokens=(a, b)), StreamChunk(" b", token=b, top_tokens=(b, a)),
                  StreamChunk("", final=True, finish_reason="eos_token", generated_tokens=3, token=eos,
                              top_tokens=(eos,), details=GenerationDetails("eos_token", 3, 9, input_length=2))):
        collected.add(chunk)
    gen = collected.result(" a b")
    assert (gen.text, gen.finish_reason, gen.generated_tokens, gen.seed) == (" a b", "eos_token", 3, 9)
    assert gen.details.tokens == (a, b, eos) and gen.details.top_tokens == ((a, b), (b, a), (eos,))
    assert gen.details.input_length == 2 and gen.dropped_parameters == ()
    plain = StreamedGeneration()
    plain.add(StreamChunk(" x", final=True, dropped_parameters=("details",)))
    assert plain.result(" x").details is None and plain.result(" x").dropped_parameters == ("details",)
