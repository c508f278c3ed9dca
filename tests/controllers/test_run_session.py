"""RunSession without Textual: the real client on a mock transport, a recording transcript and listener."""

from __future__ import annotations

import asyncio
import json

import httpx2
import pytest

from hftui.auth import Secret
from hftui.client import HFClient, Target
from hftui.client._http import MockResponse, MockTransport
from hftui.config import Settings
from hftui.controllers.run_session import RunListener, RunSession
from hftui.tasks import get_spec
from hftui.tasks.record import target_from_record

SETTINGS = Settings(hub_url="https://hub.test", inference_url="https://router.test",
                    endpoints_api_url="https://ep.test/v2", timeout=5.0)
MODEL = Target.hf_model("org/model")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


class Transcript:
    """What a StreamOutput would show, as (kind, header, text) blocks."""

    def __init__(self) -> None:
        self.blocks: list[list] = []
        self.live = False

    def begin(self, kind="markdown", *, header=None):
        self.blocks.append([kind, header, ""])
        self.live = True

    def append(self, text):
        if not self.live:
            self.begin("plain")
        self.blocks[-1][2] += text

    def finish(self):
        self.live = False

    def add_block(self, text, kind="plain", *, header=None):
        self.live = False
        self.blocks.append([kind, header, text])

    def clear(self):
        self.blocks.clear()
        self.live = False

    def plain_text(self):
        return "\n".join(t for _, _, t in self.blocks)

    def texts(self, kind):
        return [t for k, _, t in self.blocks if k == kind]


class Listener(RunListener):
    def __init__(self) -> None:
        self.statuses: list[tuple[str, str]] = []
        self.problems: list[str | None] = []
        self.warnings: list[str] = []
        self.loadings: list[float | None] = []
        self.results: list[tuple] = []
        self.sent = 0
        self.offers = 0

    def status(self, text, state=""):
        self.statuses.append((text, state))

    def problem(self, message):
        self.problems.append(message)

    def warning(self, text):
        self.warnings.append(text)

    def offer_wait(self):
        self.offers += 1

    def loading(self, seconds, *, waking=False):
        self.loadings.append(seconds)

    def result(self, spec, result, values, saved):
        self.results.append((spec.task, result, saved))

    def message_sent(self, spec):
        self.sent += 1


class Saved:
    def __init__(self, fail: Exception | None = None) -> None:
        self.records: list[dict] = []
        self.fail = fail

    async def __call__(self, record):
        if self.fail:
            raise self.fail
        self.records.append(record)
        return len(self.records)


def client(handler) -> HFClient:
    return HFClient(SETTINGS, Secret("hf_unitTESTtoken1234567890"), transport=MockTransport(handler), max_retries=0)


def sse(*events, hang: asyncio.Event | None = None, cut: bool = False):
    """A handler answering with these SSE events; then hanging until ``hang`` is set, or cut."""

    class Body(httpx2.AsyncByteStream):
        async def __aiter__(self):
            for ev in events:
                yield b"data: " + json.dumps(ev).encode() + b"\n\n"
                await asyncio.sleep(0)
            if hang is not None:
                await hang.wait()
            if cut:
                raise httpx2.RemoteProtocolError("peer closed")

    return lambda request: MockResponse(200, headers={"content-type": "text/event-stream"}, stream=Body())


def tgi(i, text, final=None):
    return {"index": i, "token": {"id": i, "text": text, "logprob": -0.1, "special": False},
            "generated_text": final, "details": {"finish_reason": "length", "generated_tokens": i} if final else None}


def chat(text=None, finish=None):
    return {"choices": [{"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}]}


def values(task, **raw):
    spec = get_spec(task)
    form = {f.name: f.to_form(spec.defaults().get(f.name)) for f in spec.fields}
    typed, errors = spec.parse({**form, **raw})
    assert errors == {}
    return spec, typed


def session(save=None, **kw):
    transcript, listener = Transcript(), Listener()
    return RunSession(transcript, listener, save=save or Saved(), **kw), transcript, listener


async def cancel_once_shown(s, transcript, hf, spec, target, vals, shown: str) -> None:
    """Start a run, cancel it once ``shown`` is in the transcript: the cancel comes back out of ``run``."""
    task = asyncio.ensure_future(s.run(hf, spec, target, vals))
    while shown not in transcript.plain_text():
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_one_shot_result_goes_to_the_listener_and_the_record_is_saved():
    save = Saved()
    s, transcript, listener = session(save)
    spec, vals = values("text-classification", inputs="I love it")
    async with client(lambda r: MockResponse(200, json=[[{"label": "POSITIVE", "score": 0.9}]])) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    task, result, saved = listener.results[0]
    assert task == "text-classification" and result[0].label == "POSITIVE" and saved is None
    assert listener.statuses[0] == (f"Running Text classification on {MODEL.label}…", "running")
    assert listener.statuses[-1] == ("Done in 0.00 s", "ok")
    assert listener.problems == [None] and transcript.blocks == []
    assert save.records[0]["status"] == "ok" and save.records[0]["result"][0]["label"] == "POSITIVE"
    assert record["id"] == 1 and s.last_run_id == 1 and s.last_record is record
    assert target_from_record(record["target"]) == MODEL


async def test_a_stream_fills_the_transcript_and_the_record_keeps_the_tokens():
    s, transcript, listener = session()
    spec, vals = values("text-generation", inputs="Once", details="true")
    events = [tgi(1, "Once"), tgi(2, " upon"), tgi(3, " a time", final="Once upon a time")]
    async with client(sse(*events)) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    assert transcript.blocks == [["plain", None, "Once upon a time"]]
    assert record["status"] == "ok" and record["error"] is None
    assert record["result"]["text"] == "Once upon a time" and len(record["result"]["details"]["tokens"]) == 3
    assert listener.statuses[-1] == ("Done · 0.0s · 3 tok · – tok/s · TTFT –", "ok")


async def test_a_cut_stream_keeps_the_partial_text_and_says_so():
    s, transcript, listener = session()
    spec, vals = values("text-generation", inputs="Once")
    async with client(sse(tgi(1, "so"), tgi(2, " far"), cut=True)) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    assert record["status"] == "error" and "the stream was cut" in record["error"]
    assert record["result"] == {"text": "so far", "partial": True}
    assert transcript.texts("plain") == ["so far"] and transcript.texts("error")[0].startswith("Error: ")
    message = listener.problems[-1]
    assert message.startswith("The stream broke off: ") and message.endswith("What arrived is kept.")
    assert listener.statuses[-1] == ("Stream interrupted · 0.0s · 2 tok · – tok/s · TTFT –", "error")


async def test_a_cancelled_stream_keeps_what_arrived_and_is_saved_as_cancelled():
    save = Saved()
    s, transcript, listener = session(save)
    spec, vals = values("text-generation", inputs="Once")
    hang = asyncio.Event()
    async with client(sse(tgi(1, "kept"), tgi(2, " text"), hang=hang)) as hf:
        await cancel_once_shown(s, transcript, hf, spec, MODEL, vals, "kept text")
    record = save.records[0]
    assert record["status"] == "cancelled" and record["error"] == "cancelled"
    assert record["result"] == {"text": "kept text", "partial": True}
    assert transcript.texts("notice") == ["[cancelled — partial output kept]"]
    assert listener.statuses[-1][0].startswith("Cancelled (kept) · ")


@pytest.mark.parametrize("answer,message,status", [
    (MockResponse(500, json={"error": "Internal Server Error"}), "ServerError: 500: Internal Server Error",
     "Failed: ServerError"),
    (MockResponse(429, json={"error": "slow down"}, headers={"retry-after": "7"}),
     "Rate limited. You may retry in 7 s.\n429: slow down — retry in 7 s", "Rate limited."),
    (MockResponse(503, json={"error": "Model org/model is currently loading", "estimated_time": 12.0}),
     "The model is loading (about 12 s). Wait for it (turn on 'Wait for model'), or run again later.\n"
     "503: Model org/model is currently loading", "Model loading."),
])
async def test_each_error_becomes_one_message_and_an_error_record(answer, message, status):
    s, transcript, listener = session()
    spec, vals = values("text-classification", inputs="x", wait_for_model=False)
    async with client(lambda r: answer) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    assert listener.problems[-1] == message
    assert listener.statuses[-1] == (status, "error")
    assert record["status"] == "error" and record["error"] == message.split("\n")[-1].removeprefix("ServerError: ")
    assert listener.results == []
    assert listener.offers == (1 if answer.status_code == 503 else 0)  # only a loading model: offer to wait


async def test_a_file_problem_is_a_message_not_a_traceback(tmp_path):
    from PIL import Image

    path = tmp_path / "cat.png"
    Image.new("RGB", (8, 8)).save(path)
    s, transcript, listener = session()
    spec, vals = values("image-classification", inputs=str(path))
    path.write_bytes(b"not an image any more")
    async with client(lambda r: MockResponse(200, json=[])) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    assert listener.problems[-1].startswith("ImageRejected: ")
    assert listener.statuses[-1] == ("Failed.", "error")
    assert record["status"] == "error" and record["error"] == listener.problems[-1]


async def test_a_loading_model_reports_its_countdown_then_answers():
    s, transcript, listener = session()
    spec, vals = values("text-classification", inputs="x", wait_for_model=True)
    answers = iter([MockResponse(503, json={"error": "loading", "estimated_time": 3.0}),
                    MockResponse(200, json=[[{"label": "OK", "score": 1.0}]])])
    async with client(lambda r: next(answers)) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    assert listener.loadings == [3.0, None] and record["status"] == "ok"


async def test_chat_keeps_the_conversation_and_sends_it_with_the_next_message():
    sent = []

    def handler(request):
        sent.append(json.loads(request.content)["messages"])
        reply = f"answer {len(sent)}"
        return sse(chat(reply), chat(finish="stop"))(request)

    s, transcript, listener = session()
    spec, vals = values("chat-completion", system="Be brief.", prompt="first")
    async with client(handler) as hf:
        await s.run(hf, spec, Target.router("m/chat"), vals)
        vals = {**vals, "prompt": "second"}
        record = await s.run(hf, spec, Target.router("m/chat"), vals)
    assert [(m.role, m.content) for m in s.conversation] == [
        ("user", "first"), ("assistant", "answer 1"), ("user", "second"), ("assistant", "answer 2")]
    assert [m["role"] for m in sent[1]] == ["system", "user", "assistant", "user"]
    assert [m["role"] for m in record["inputs"]["messages"]] == ["system", "user", "assistant", "user"]
    assert listener.sent == 2
    assert [(k, h) for k, h, _ in transcript.blocks] == [
        ("notice", "System"), ("user", "You"), ("markdown", "Assistant"), ("user", "You"), ("markdown", "Assistant")]
    s.new_chat()
    assert s.conversation == [] and transcript.blocks == []


async def test_a_cancelled_chat_keeps_the_partial_reply_as_a_turn():
    s, transcript, listener = session()
    spec, vals = values("chat-completion", prompt="tell me")
    hang = asyncio.Event()
    async with client(sse(chat("half "), chat("an answer"), hang=hang)) as hf:
        await cancel_once_shown(s, transcript, hf, spec, Target.router("m/chat"), vals, "an answer")
    assert [(m.role, m.content) for m in s.conversation] == [("user", "tell me"), ("assistant", "half an answer")]
    assert listener.sent == 0  # the message field keeps the message


async def test_chat_without_streaming_is_a_turn_too():
    s, transcript, listener = session()
    spec, vals = values("chat-completion", prompt="hi", stream=False)
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}]}
    async with client(lambda r: MockResponse(200, json=body)) as hf:
        await s.run(hf, spec, Target.router("m/chat"), vals)
    assert [(m.role, m.content) for m in s.conversation] == [("user", "hi"), ("assistant", "hello")]
    assert transcript.texts("markdown") == ["hello"] and listener.sent == 1 and listener.results == []


def test_restore_shows_and_keeps_a_saved_conversation():
    s, transcript, listener = session()
    spec = get_spec("chat-completion")
    history = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}, "junk"]
    s.restore(spec, {"system": "sys"}, history)
    assert [(m.role, m.content) for m in s.conversation] == [("user", "q"), ("assistant", "a")]
    assert [(k, h, t) for k, h, t in transcript.blocks] == [
        ("notice", "System", "sys"), ("user", "You", "q"), ("markdown", "Assistant", "a")]


async def test_an_image_is_saved_and_its_file_kept_in_the_record(tmp_path):
    s, transcript, listener = session(images=tmp_path / "images")
    spec, vals = values("text-to-image", inputs="a cat")
    async with client(lambda r: MockResponse(200, content=PNG, headers={"content-type": "image/png"})) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    saved = listener.results[0][2]
    assert saved.parent == tmp_path / "images" and saved.read_bytes() == PNG
    assert record["result"]["saved_path"] == str(saved) and record["result"]["media_type"] == "image/png"


async def test_an_image_that_cannot_be_saved_is_still_shown(tmp_path):
    (tmp_path / "images").write_text("a file where the folder should be")
    s, transcript, listener = session(images=tmp_path / "images")
    spec, vals = values("text-to-image", inputs="a cat")
    async with client(lambda r: MockResponse(200, content=PNG, headers={"content-type": "image/png"})) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    assert listener.results[0][2] is None and record["status"] == "ok"
    assert listener.warnings[0].startswith("Could not save the image: ")


async def test_a_history_that_cannot_be_written_is_a_warning():
    s, transcript, listener = session(Saved(fail=OSError("disk full")))
    spec, vals = values("text-classification", inputs="x")
    async with client(lambda r: MockResponse(200, json=[[{"label": "OK", "score": 1.0}]])) as hf:
        record = await s.run(hf, spec, MODEL, vals)
    assert listener.warnings == ["Run not saved to history: OSError: disk full"]
    assert record["status"] == "ok" and "id" not in record and s.last_run_id is None


async def test_a_cancelled_run_is_listed_as_cancelled_in_the_history(tmp_path):
    from hftui.history import History

    history = History(tmp_path / "history.sqlite3")

    async def save(record):
        return history.add(record)

    s, transcript, listener = session(save)
    spec, vals = values("text-generation", inputs="Once")
    answers = iter([sse(tgi(1, "kept"), hang=asyncio.Event()), sse(tgi(1, "cut"), cut=True)])
    async with client(lambda request: next(answers)(request)) as hf:
        await cancel_once_shown(s, transcript, hf, spec, MODEL, vals, "kept")
        await s.run(hf, spec, MODEL, vals)  # a cut stream: an error
    assert [r["status"] for r in history.list()] == ["error", "cancelled"]
    history.close()


async def test_speech_recognition_says_the_audio_length_in_the_status(tmp_path):
    from tests.playground.playground_helpers import make_wav

    wav = tmp_path / "a.wav"
    make_wav(wav)
    s, transcript, listener = session()
    spec, vals = values("automatic-speech-recognition", inputs=str(wav))
    answer = MockResponse(200, json={"text": "hello"}, headers={"x-compute-audio-length": "3.25"})
    async with client(lambda r: answer) as hf:
        await s.run(hf, spec, MODEL, vals)
    text, state = listener.statuses[-1]
    assert state == "ok" and text.startswith("Done in ") and text.endswith(" · audio 3.2 s")
