"""``HFError.maybe_applied``: set where a transport error is made, from whether the request went out.

An action (pause, delete) that failed with ``maybe_applied`` may still have happened on the
server: the Endpoints screen then waits for a poll instead of saying "failed".
"""

from __future__ import annotations

import httpx2
import pytest

from hftui.auth import Secret
from hftui.client import HFClient
from hftui.client._http import MockResponse, MockTransport
from hftui.client.errors import HFError
from hftui.config import Settings

SETTINGS = Settings(hub_url="https://hub.test", inference_url="https://router.test",
                    endpoints_api_url="https://ep.test/v2", timeout=5.0)


def raising(exc_type):
    def handler(request):
        raise exc_type("boom", request=request)
    return handler


async def pause_error(handler) -> HFError:
    async with HFClient(SETTINGS, Secret("hf_x"), transport=MockTransport(handler), max_retries=0) as hf:
        with pytest.raises(HFError) as err:
            await hf.endpoints.pause("alice", "ep")
    return err.value


@pytest.mark.parametrize("exc_type,applied", [
    (httpx2.ReadTimeout, True),          # sent, no answer in time
    (httpx2.WriteTimeout, True),         # (part of) it was sent
    (httpx2.RemoteProtocolError, True),  # the server closed the connection after the request
    (httpx2.ReadError, True),            # the connection broke while waiting for the answer
    (httpx2.ConnectTimeout, False),      # never connected
    (httpx2.PoolTimeout, False),         # no connection to send on
    (httpx2.ConnectError, False),        # refused / DNS
])
async def test_transport_errors_say_whether_the_request_went_out(exc_type, applied):
    error = await pause_error(raising(exc_type))
    assert error.maybe_applied is applied, (exc_type, error)


@pytest.mark.parametrize("status", [400, 401, 404, 408, 409, 429, 500, 503])
async def test_an_http_error_answer_was_not_applied(status):
    error = await pause_error(lambda request: MockResponse(status, json={"error": "no"}))
    assert error.status == status and error.maybe_applied is False


def test_errors_default_to_not_applied():
    assert HFError("x").maybe_applied is False
