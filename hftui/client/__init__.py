"""hftui's async Hugging Face client. Imports no Textual.

    async with HFClient(settings, token) as hf:
        me = await hf.hub.whoami()
        page = await hf.hub.search_models(search="bert", task="fill-mask")
        async for chunk in hf.inference.chat_completion_stream(Target.router("meta-llama/..."), messages):
            ...
        eps = await hf.endpoints.list_all()
"""

from hftui.client.core import CallOptions, HFClient, Target
from hftui.client.endpoints import CustomImage, EndpointSpec, EndpointUpdate
from hftui.client.errors import (
    AuthError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    EndpointFailed,
    EndpointWaking,
    HFError,
    InvalidResponse,
    ModelLoading,
    NotFound,
    RateLimited,
    RedirectError,
    ServerError,
    StreamInterrupted,
    Timeout,
    WaitTimeout,
    describe_error,
)
from hftui.client.models import (
    Catalog,
    Compute,
    Endpoint,
    EndpointState,
    LegacyStatus,
    ModelInfo,
    ModelPage,
    ProviderMapping,
    WhoAmI,
)

from hftui.client.results import ChatMessage, StreamChunk
from hftui.client.stats import CallStats

__all__ = [
    "CallStats", "ChatMessage", "CustomImage", "EndpointSpec", "EndpointUpdate", "StreamChunk",
    "AuthError", "BadRequest", "CallOptions", "Catalog", "Compute", "Conflict", "ConnectionFailed", "Endpoint",
    "EndpointFailed", "EndpointState", "EndpointWaking", "HFClient", "HFError", "InvalidResponse", "LegacyStatus",
    "ModelInfo", "ModelLoading", "ModelPage", "NotFound", "ProviderMapping", "RateLimited", "RedirectError",
    "ServerError", "StreamInterrupted", "Target", "Timeout", "WaitTimeout", "WhoAmI", "describe_error",
]
