"""A server that streams the user's token back in pieces (each chunk a few characters of it):
no piece is the token, so masking chunk by chunk let all of them through and the output showed
it whole. The screen, while it streams and after, and the history must not hold it. (The Tokens
view and a stored token list: ``test_secrets_masked.py``.)"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from tests.hardening.hostile_server import chat_chunk, tgi_token
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go


def token_in_pieces(event) -> object:
    """Stream ``Here it is: <the request's token> (in 5-character pieces) . Done`` as ``event`` chunks."""
    async def handler(request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else auth
        out = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream"})
        await out.prepare(request)
        pieces = ["Here it is: "] + [token[i:i + 5] for i in range(0, len(token), 5)] + [". Done"]
        for piece in pieces:
            await out.write(f"data: {event(piece)}\n\n".encode())
            await asyncio.sleep(0.06)  # longer than a frame: each piece is painted on its own
        await out.write(b"data: [DONE]\n\n")
        await out.write_eof()
        return out

    return handler


def parts_of(token: str) -> list[str]:
    """Every 6-character run of the token: none may be shown."""
    return [token[i:i + 6].lower() for i in range(0, len(token) - 5)]


async def run_with(pilot, screen, hostile, route: str, handler) -> None:
    hostile.clear()
    hostile.on("POST", route, handler)
    before = screen._worker
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: screen._worker is not before, what="the run")
    seen: list[str] = []
    while screen._worker.is_running:
        seen.append(screen_text(pilot.app).lower())  # the screen while it streams, too
        await pilot.pause(0.03)
    await pilot.pause()
    seen.append(screen_text(pilot.app).lower())
    return seen


async def test_a_token_streamed_back_in_pieces_is_never_shown_nor_kept(make_app, hostile, upstream):
    from hftui.client import Target

    token = upstream.token
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "playground")
        # chat (OpenAI chunks), then text generation (TGI tokens, with the Tokens view)
        screen.set_target(Target.hf_model("meta-llama/Llama-3.1-8B-Instruct"), task="chat-completion")
        await wait_until(pilot, lambda: screen.spec.task == "chat-completion", what="the chat form")
        seen = await run_with(pilot, screen, hostile, r"/v1/chat/completions$", token_in_pieces(chat_chunk))
        shown = screen.output.plain_text()
        assert "Here it is: ***. Done" in shown, shown

        screen.set_target(Target.hf_model("openai-community/gpt2"), task="text-generation")
        await wait_until(pilot, lambda: screen.spec.task == "text-generation", what="the text-generation form")
        seen += await run_with(pilot, screen, hostile, r"/models/openai-community/gpt2$", token_in_pieces(tgi_token))
        shown = screen.output.plain_text()
        assert "Here it is: ***. Done" in shown, shown
        for text in seen + [shown.lower()]:
            for part in parts_of(token):
                assert part not in text
        runs = await app.history.list_async()
        assert runs, "the runs were saved"
        stored = json.dumps(runs).lower()
        for part in parts_of(token):
            assert part not in stored
