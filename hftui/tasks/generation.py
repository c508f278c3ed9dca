"""Specs of the generative text tasks: text-generation (TGI) and chat-completion (OpenAI-style)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from hftui.tasks.fields import Field
from hftui.tasks.spec import TaskSpec

STREAM = Field("stream", "Stream", "bool", default=True, help="Show tokens as they arrive.",
               extra={"local": True})
TEMPERATURE = Field("temperature", "Temperature", "float", min=0, max=100, help="0 = greedy; higher = more random.")
TOP_P = Field("top_p", "Top p", "float", min=0, max=1, help="Nucleus sampling: keep this share of probability mass.")
SEED = Field("seed", "Seed", "int", min=0, help="Same seed, same sample.")
STOP = Field("stop", "Stop sequences", "list", help=r"Comma-separated; \n for a newline.")
FREQUENCY_PENALTY = Field("frequency_penalty", "Frequency penalty", "float", min=-2, max=2)


def _text_generation_check(values: dict, model: Any) -> dict[str, str]:
    errors = {}
    if values.get("decoder_input_details") and values.get("stream", True) is not False:
        errors["decoder_input_details"] = "not available while streaming (turn Stream off)"
    best_of = values.get("best_of")
    if best_of and best_of > 1 and values.get("stream", True) is not False:
        errors["best_of"] = "best_of > 1 cannot stream (turn Stream off)"
    if best_of and best_of > 1 and not values.get("do_sample"):
        errors.setdefault("best_of", "best_of > 1 needs sampling (do_sample on)")
    if best_of and best_of > 1 and values.get("seed") is not None:
        errors.setdefault("best_of", "best_of > 1 cannot take a seed (each candidate draws its own)")
    grammar = values.get("grammar")
    if grammar is not None and not (isinstance(grammar, dict) and grammar.get("type") in ("json", "regex", "json_schema")):
        errors["grammar"] = 'a JSON object {"type": "json|regex|json_schema", "value": ...}'
    return errors


TEXT_GENERATION = TaskSpec(
    task="text-generation", short="text-gen", title="Text generation", result_kind="stream_text",
    inputs=(Field("inputs", "Prompt", "multiline", required=True),),
    params=(
        STREAM,
        Field("max_new_tokens", "Max new tokens", "int", default=256, min=1, max=1_000_000),
        TEMPERATURE, TOP_P,
        Field("top_k", "Top k", "int", min=1, max=100_000),
        Field("typical_p", "Typical p", "float", min=0, max=1, advanced=True),
        Field("do_sample", "Sample", "tristate", default=None),
        Field("repetition_penalty", "Repetition penalty", "float", min=0, max=100, advanced=True),
        FREQUENCY_PENALTY,
        SEED, STOP,
        Field("return_full_text", "Return full text", "tristate", default=None, advanced=True),
        Field("details", "Details", "tristate", default=True, advanced=True,
              help="Ask for finish reason, tokens and their log probabilities."),
        Field("decoder_input_details", "Decoder input details", "tristate", default=None, advanced=True),
        Field("best_of", "Best of", "int", min=1, max=16, advanced=True),
        Field("top_n_tokens", "Top n tokens", "int", min=1, max=20, advanced=True),
        Field("truncate", "Truncate input to", "int", min=1, max=1_000_000, advanced=True),
        Field("watermark", "Watermark", "tristate", default=None, advanced=True),
        Field("adapter_id", "Adapter id", "text", advanced=True),
        Field("grammar", "Grammar", "json", advanced=True, help='{"type": "json", "value": {...schema...}}'),
    ),
    check=_text_generation_check,
    example={"inputs": "Once upon a time,"},
)


@dataclass
class StreamedGeneration:
    """A TGI stream's chunks gathered into the ``Generation`` a run record keeps.

    The stream's final details (asked for with ``details``) carry no tokens:
    the tokens and per-step top tokens that arrived are put in them, so a
    streamed run keeps what a non-streamed one does (minus prefill and
    best_of, which cannot stream).
    """

    tokens: list = field(default_factory=list)
    top_tokens: list = field(default_factory=list)
    final: Any = None

    def add(self, chunk: Any) -> None:
        if chunk.token is not None:
            self.tokens.append(chunk.token)
        if chunk.top_tokens is not None:
            self.top_tokens.append(chunk.top_tokens)
        if chunk.final:
            self.final = chunk

    def result(self, text: str) -> Any:
        from hftui.client.results import Generation

        final = self.final
        if final is None:
            return Generation(text=text)
        details = final.details
        if details is not None and self.tokens and not details.tokens:
            details = replace(details, tokens=tuple(self.tokens),
                              top_tokens=details.top_tokens if details.top_tokens is not None
                              else (tuple(self.top_tokens) if self.top_tokens else None))
        return Generation(text=text, finish_reason=final.finish_reason, generated_tokens=final.generated_tokens,
                          seed=details.seed if details is not None else None, details=details,
                          dropped_parameters=final.dropped_parameters)


def _chat_check(values: dict, model: Any) -> dict[str, str]:
    errors = {}
    if values.get("top_logprobs") is not None and not values.get("logprobs"):
        errors["top_logprobs"] = "needs Log probs on"
    rf = values.get("response_format")
    if rf is not None and not (isinstance(rf, dict) and isinstance(rf.get("type"), str)):
        errors["response_format"] = 'a JSON object with a "type", e.g. {"type": "json_object"}'
    tools = values.get("tools")
    if tools is not None and not isinstance(tools, list):
        errors["tools"] = "a JSON list of tools"
    return errors


class ChatSpec(TaskSpec):
    """Chat keeps a conversation: values may hold ``history`` (list of ChatMessage or dicts).

    The form has a system prompt and the next user message; the client gets
    ``[system?, *history, user]``. The input record is ``{"messages": [...]}``
    (what ``hf.inference.run`` takes), and a saved run re-opens with its
    history and last user message.
    """

    message_field = "prompt"
    system_field = "system"

    def messages(self, values: dict[str, Any]) -> list:
        from hftui.client.results import ChatMessage

        out = []
        system = values.get("system")
        if system:
            out.append(ChatMessage("system", system))
        for m in values.get("history") or []:
            if isinstance(m, dict):
                m = ChatMessage(str(m.get("role", "user")), str(m.get("content", "")))
            if m.role != "system":
                out.append(m)
        if values.get("prompt"):
            out.append(ChatMessage("user", values["prompt"]))
        return out

    def input_record(self, values: dict[str, Any]) -> dict:
        return {"messages": [{"role": m.role, "content": m.content} for m in self.messages(values)]}

    def extra_from_record(self, record: dict) -> dict[str, Any]:
        messages = [m for m in (record.get("inputs") or {}).get("messages") or [] if isinstance(m, dict)]
        system = messages[0]["content"] if messages and messages[0].get("role") == "system" else None
        rest = messages[1:] if system is not None else messages
        prompt = None
        if rest and rest[-1].get("role") == "user":
            prompt = rest[-1].get("content")
            rest = rest[:-1]
        return {"system": system, "prompt": prompt, "history": rest}


CHAT_COMPLETION = ChatSpec(
    task="chat-completion", short="chat", title="Chat", result_kind="chat", conversational=True, router=True,
    deployable=False,
    inputs=(
        Field("system", "System prompt", "multiline", help="Instructions for the assistant (optional)."),
        Field("prompt", "Message", "multiline", required=True),
    ),
    params=(
        STREAM,
        Field("max_tokens", "Max tokens", "int", default=512, min=1, max=1_000_000),
        TEMPERATURE, TOP_P, SEED, STOP,
        FREQUENCY_PENALTY,
        Field("presence_penalty", "Presence penalty", "float", min=-2, max=2),
        Field("logprobs", "Log probs", "bool", default=None, advanced=True),
        Field("top_logprobs", "Top log probs", "int", min=0, max=20, advanced=True),
        Field("n", "Choices (n)", "int", min=1, max=8, advanced=True, help="Only the first choice is shown."),
        Field("response_format", "Response format", "json", advanced=True,
              help='e.g. {"type": "json_schema", "json_schema": {"name": "x", "schema": {...}}}'),
        Field("tools", "Tools", "json", advanced=True, help="A JSON list of function tools."),
        Field("tool_choice", "Tool choice", "text", advanced=True, placeholder="auto | none | required"),
    ),
    check=_chat_check,
    example={"system": "You are a helpful assistant.", "prompt": "What is deep learning?"},
)

SPECS = (TEXT_GENERATION, CHAT_COMPLETION)
