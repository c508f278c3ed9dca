"""EndpointActions without Textual: scripted calls, a fake clock and a recording listener.

Errors are made by the real client on a mock transport, so ``maybe_applied`` is the client's own.
"""

from __future__ import annotations

import asyncio

import httpx2

from hftui.auth import Secret
from hftui.client import HFClient
from hftui.client._http import MockResponse, MockTransport
from hftui.client.errors import HFError
from hftui.client.models import Endpoint
from hftui.config import Settings
from hftui.controllers import endpoint_actions as actions_mod
from hftui.controllers.endpoint_actions import Action, ActionListener, EndpointActions

SETTINGS = Settings(hub_url="https://hub.test", inference_url="https://router.test",
                    endpoints_api_url="https://ep.test/v2", timeout=5.0)


def ep(name: str, state: str = "running") -> Endpoint:
    return Endpoint.from_json({"name": name, "status": {"state": state}}, "ns")


class Listener(ActionListener):
    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.polls = 0

    def pending(self, key, label):
        self.events.append(("pending", key, label))

    def answered(self, endpoint):
        self.events.append(("answered", endpoint.key, endpoint.raw_state))

    def note(self, text, kind=None, ttl=None):
        self.events.append(("note", text, kind))

    def failed(self, key, verb, exc):
        self.events.append(("failed", key, verb))

    def warn(self, text, title=None):
        self.events.append(("warn", text))

    def poll_soon(self):
        self.polls += 1

    def notes(self):
        return [e[1] for e in self.events if e[0] == "note"]


async def client_error(handler) -> HFError:
    """The error the real client raises for a pause answered by ``handler``."""
    async with HFClient(SETTINGS, Secret("hf_x"), transport=MockTransport(handler), max_retries=0) as hf:
        try:
            await hf.endpoints.pause("ns", "x")
        except HFError as exc:
            return exc
    raise AssertionError("no error")


def raising(exc_type):
    def handler(request):
        raise exc_type("boom", request=request)
    return handler


def pausing(result) -> Action:
    async def call():
        if isinstance(result, BaseException):
            raise result
        return result
    return Action("Pausing", "pausing", "Paused", call, lambda cur: cur is not None and cur.raw_state == "paused")


def make(clock=None) -> tuple[EndpointActions, Listener]:
    listener = Listener()
    kw = {"clock": clock} if clock else {}
    return EndpointActions(listener, timeout=30.0, **kw), listener


async def test_an_answered_action_shows_the_answer_and_asks_for_a_poll():
    actions, listener = make()
    work = actions.start([(ep("a"), pausing(ep("a", "paused")))])
    assert actions.busy == {"ns/a": "pausing"}
    assert listener.events == [("pending", "ns/a", "pausing"), ("note", "Pausing ns/a…", "busy")]
    assert await work == ["done"]
    assert ("answered", "ns/a", "paused") in listener.events
    assert listener.notes()[-1] == "Paused ns/a"
    assert listener.events[-1] == ("pending", "ns/a", None) and actions.busy == {}
    assert listener.polls == 1


async def test_a_second_press_while_in_flight_is_refused():
    actions, listener = make()
    gate = asyncio.Event()

    async def slow():
        await gate.wait()
        return ep("a", "paused")

    work = actions.start([(ep("a"), Action("Pausing", "pausing", "Paused", slow))])
    assert actions.start([(ep("a"), pausing(ep("a")))]) is None
    assert ("warn", "ns/a: already pausing…") in listener.events
    gate.set()
    assert await work == ["done"]


async def test_an_http_error_is_a_failure_and_a_refused_delete_stops_saying_deleting():
    refused = await client_error(lambda request: MockResponse(500, json={"error": "nope"}))
    assert refused.maybe_applied is False
    actions, listener = make()

    async def call():
        raise refused

    work = actions.start([(ep("a"), Action("Deleting", "deleting", "Deleted", call, lambda cur: cur is None,
                                           deleting=True))])
    assert actions.deleting == {"ns/a"}
    assert await work == ["failed"]
    assert ("failed", "ns/a", "Deleting") in listener.events
    assert listener.notes()[-1] == "⚠ Deleting ns/a failed: 500: nope"
    assert actions.deleting == set() and listener.events[-1] == ("pending", "ns/a", None)
    assert actions.unsure == {}


async def test_no_answer_may_have_been_applied_and_a_later_poll_tells():
    lost = await client_error(raising(httpx2.ReadTimeout))
    assert lost.maybe_applied is True
    actions, listener = make()
    assert await actions.start([(ep("a"), pausing(lost))]) == ["unsure"]
    text = listener.notes()[-1]
    assert text == ("⏱ Pausing ns/a: no answer within 30s — it may still have been applied; "
                    "the next refresh will tell")
    assert ("warn", text) in listener.events and not any(e[0] == "failed" for e in listener.events)
    assert listener.polls == 1 and "ns/a" in actions.unsure
    actions.reconcile([ep("a", "running")])  # not yet
    assert "ns/a" in actions.unsure
    actions.reconcile([ep("a", "paused")])
    assert actions.unsure == {}
    assert listener.notes()[-1] == "Paused ns/a (no answer came, but the refresh shows it)"


async def test_a_cut_connection_says_so_and_an_action_never_seen_is_given_up():
    cut = await client_error(raising(httpx2.RemoteProtocolError))
    assert cut.maybe_applied is True
    now = [0.0]
    actions, listener = make(clock=lambda: now[0])
    await actions.start([(ep("a"), pausing(cut))])
    assert "the connection was cut" in listener.notes()[-1]
    now[0] = 59.0
    actions.reconcile([ep("a")])
    assert "ns/a" in actions.unsure
    now[0] = 61.0
    actions.reconcile([ep("a")])
    assert actions.unsure == {}
    assert listener.notes()[-1] == "⚠ Pausing ns/a: not seen on the server — try again if needed"


async def test_a_refused_connection_was_never_sent_so_it_failed():
    refused = await client_error(raising(httpx2.ConnectError))
    actions, listener = make()
    assert await actions.start([(ep("a"), pausing(refused))]) == ["failed"]
    assert actions.unsure == {}


async def test_a_delete_keeps_its_rows_marked_until_the_poll_no_longer_lists_it():
    actions, listener = make()
    action = actions_mod.Action("Deleting", "deleting", "Deleted", lambda: asyncio.sleep(0), lambda c: c is None,
                                deleting=True)
    await actions.start([(ep("a"), action)])
    assert listener.events[-1] == ("pending", "ns/a", "deleting")  # answered, but still listed
    actions.reconcile([ep("a"), ep("b")])
    assert listener.events[-1] == ("pending", "ns/a", "deleting")
    actions.reconcile([ep("b")])
    assert actions.deleting == set()


async def test_a_bulk_action_ends_in_one_summary_naming_every_endpoint():
    refused = await client_error(lambda request: MockResponse(500, json={"error": "nope"}))
    lost = await client_error(raising(httpx2.ReadTimeout))
    actions, listener = make()
    items = [(ep("a"), pausing(ep("a", "paused"))), (ep("b"), pausing(ep("b", "paused"))),
             (ep("c"), pausing(refused)), (ep("d"), pausing(lost))]
    work = actions.start(items)
    assert listener.notes() == ["Pausing 4 endpoints…"]
    assert await work == ["done", "done", "failed", "unsure"]
    notes = listener.notes()
    assert len(notes) == 2, notes  # no note per endpoint: the last one would hide the others
    assert notes[-1] == ("Paused 2 of 4: ns/a, ns/b · ⚠ Pausing failed for ns/c (500: nope) · "
                         "⏱ no answer for ns/d — the next refresh will tell")
    assert not any(e[0] == "failed" for e in listener.events)  # one toast, not one per endpoint
    warns = [e[1] for e in listener.events if e[0] == "warn"]
    assert len(warns) == 1 and "ns/c" in warns[0] and "ns/d" in warns[0]


async def test_a_bulk_action_that_all_worked_lists_them_all():
    actions, listener = make()
    items = [(ep(f"e{i}"), pausing(ep(f"e{i}", "paused"))) for i in range(10)]
    await actions.start(items)
    assert listener.notes()[-1] == ("Paused 10 of 10: ns/e0, ns/e1, ns/e2, ns/e3, ns/e4, ns/e5, ns/e6, ns/e7 "
                                    "and 2 more")
    assert not any(e[0] == "warn" for e in listener.events)


async def test_the_standard_actions_call_the_client_and_know_when_they_happened():
    sent: list[tuple[str, str]] = []

    def handler(request):
        sent.append((request.method, request.url.path))
        if request.method == "DELETE":
            return MockResponse(202, json={})
        return MockResponse(200, json={"name": "x", "status": {"state": "paused"}})

    async with HFClient(SETTINGS, Secret("hf_x"), transport=MockTransport(handler), max_retries=0) as hf:
        x = ep("x")
        for make_action in (actions_mod.pause, actions_mod.resume, actions_mod.scale_to_zero, actions_mod.delete):
            await make_action(hf.endpoints, x).call()
    assert [m for m, _ in sent] == ["POST", "POST", "POST", "DELETE"]
    assert [p.rsplit("/", 1)[-1] for _, p in sent] == ["pause", "resume", "scale-to-zero", "x"]
    assert actions_mod.pause(None, x).applied(ep("x", "paused"))
    assert not actions_mod.pause(None, x).applied(None)
    assert actions_mod.resume(None, x).applied(ep("x", "initializing"))
    assert not actions_mod.resume(None, x).applied(ep("x", "paused"))
    assert actions_mod.scale_to_zero(None, x).applied(ep("x", "scaledToZero"))
    assert actions_mod.delete(None, x).applied(None) and actions_mod.delete(None, x).deleting
