"""Typed errors: what a user needs to read, never a traceback, never the token.

A server may echo the token back (in a message, a request id, a stream
event...). Every client builds its errors here, so redaction is part of
building one: each text attribute an error is given, at construction or
later, has every registered secret replaced by ``***`` in any letter case
(:func:`add_secret`; ``HFClient`` registers its token).
"""

from __future__ import annotations

# One registry for the process, in hftui.sanitize: what is cleaned for a terminal or a file masks it too.
from hftui.sanitize import _SECRETS, add_secret, scrub  # noqa: F401 - re-exported


class HFError(Exception):
    """Base of every error the client raises.

    ``message`` is the server's own message when it gave one (already
    de-duplicated and bounded in size); ``status`` the HTTP status, if any;
    ``request_id`` the id to quote to support. Text attributes never hold a
    registered secret (see the module docstring).

    ``maybe_applied``: the request went out but its answer never came (a read
    timeout, a connection dropped after sending), so the server may have done
    it. False when it was never sent (connect errors, no free connection) and
    for every answer the server gave (an HTTP error status is a refusal).
    """

    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None,
                 maybe_applied: bool = False) -> None:
        self.message = message
        self.status = status
        self.request_id = request_id
        self.maybe_applied = maybe_applied
        super().__init__(self.user_message())

    def __setattr__(self, name: str, value: object) -> None:
        if _SECRETS and isinstance(value, str):
            value = scrub(value)
        object.__setattr__(self, name, value)

    def __str__(self) -> str:
        # Built from the (redacted) attributes, so a message changed later is what is shown.
        return self.user_message()

    def user_message(self) -> str:
        parts = []
        if self.status:
            parts.append(f"{self.status}:")
        parts.append(self.message)
        if self.request_id:
            parts.append(f"(request id {self.request_id})")
        return " ".join(parts)

    @property
    def title(self) -> str:
        return type(self).__name__


class AuthError(HFError):
    """401/403/402: bad or missing token, missing scope, or no credits left."""

    def __init__(self, message: str, *, scope: str | None = None, token_source: str | None = None, **kw) -> None:
        self.scope = scope
        self.token_source = token_source
        super().__init__(message, **kw)

    def user_message(self) -> str:
        text = super().user_message()
        if self.scope:
            text += f" — the token needs the '{self.scope}' permission"
        if self.token_source:
            text += f" (token from {self.token_source})"
        return text


class NotFound(HFError):
    """404, or the Hub hiding a repo behind 401."""


class BadRequest(HFError):
    """400/422/410: the server rejected the input; ``error_type`` from TGI."""

    def __init__(self, message: str, *, error_type: str | None = None, **kw) -> None:
        self.error_type = error_type
        super().__init__(message, **kw)


class Conflict(BadRequest):
    """409: e.g. an endpoint with that name already exists."""


class RateLimited(HFError):
    """429. ``retry_after`` in seconds when the server said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)

    def user_message(self) -> str:
        text = super().user_message()
        if self.retry_after is not None:
            text += f" — retry in {self.retry_after:.0f} s"
        return text


class ModelLoading(HFError):
    """503 with ``estimated_time``: a cold model is loading."""

    def __init__(self, message: str, *, estimated_time: float | None = None, **kw) -> None:
        self.estimated_time = estimated_time
        super().__init__(message, **kw)


class ServerError(HFError):
    """5xx (other than loading) and 424. ``retry_after`` in seconds when the server said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)


class EndpointWaking(ServerError):
    """503 from a deployed endpoint that did not come up in time (scaled to zero and still starting,
    or paused: the server's message says which). ``estimated_time``: seconds the server expects the
    start to take, when it said."""

    def __init__(self, message: str, *, estimated_time: float | None = None, **kw) -> None:
        self.estimated_time = estimated_time
        super().__init__(message, **kw)


class Timeout(HFError):
    """No answer within the configured timeout.

    ``deadline``: the call's total deadline (seconds) ran out — the server was
    answering, too slowly; asking again would only double the wait.
    """

    def __init__(self, message: str, *, deadline: float | None = None, **kw) -> None:
        self.deadline = deadline
        super().__init__(message, **kw)


class ConnectionFailed(HFError):
    """Could not reach the server (DNS, refused, reset)."""


class RedirectError(HFError):
    """A redirect that was not followed: to another host, to an invalid URL, a loop, too many hops."""


class InvalidResponse(HFError):
    """The server answered 2xx with a body we cannot understand."""


class StreamInterrupted(HFError):
    """A stream ended early or carried an error. ``partial`` keeps what arrived."""

    def __init__(self, message: str, *, partial: str = "", error_type: str | None = None, **kw) -> None:
        self.partial = partial
        self.error_type = error_type
        super().__init__(message, **kw)


class WaitTimeout(HFError):
    """wait_until_running gave up; ``last_state`` is the state it last saw."""

    def __init__(self, message: str, *, last_state: str | None = None, **kw) -> None:
        self.last_state = last_state
        super().__init__(message, **kw)


class EndpointFailed(HFError):
    """wait_until_running saw ``failed`` or ``updateFailed``."""


def describe_error(exc: BaseException, limit: int = 300) -> str:
    """The one line a user reads for any failure: the typed error's message, else the exception's
    class and text — cleaned of control characters and bounded (never a traceback)."""
    from hftui.sanitize import one_line

    text = exc.user_message() if isinstance(exc, HFError) else f"{type(exc).__name__}: {exc}"
    return one_line(text, limit)
