"""EndpointPoller without Textual: scripted fetches, a fake clock and a recording listener."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from hftui.client.errors import RateLimited, ServerError, Timeout
from hftui.client.models import Endpoint
from hftui.controllers.endpoint_poller import (MAX_BACKOFF, EndpointPoller, PollListener, merge_transitions,
                                               transition_lines)


def ep(name: str, state: str = "running") -> Endpoint:
    return Endpoint.from_json({"name": name, "status": {"state": state}}, "ns")


class Listener(PollListener):
    def __init__(self) -> None:
        self.polls: list[tuple[list[str], list]] = []
        self.statuses: list[tuple[str, str | None]] = []
        self.bugs: list[BaseException] = []

    def polled(self, endpoints, transitions):
        self.polls.append(([e.key for e in endpoints], transitions))

    def status(self, text, kind=None):
        self.statuses.append((text, kind))

    def broken(self, exc):
        self.bugs.append(exc)


class Clock:
    """A clock that moves only when the poller sleeps (or the test says)."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.t += seconds
        await asyncio.sleep(0)


class Script:
    """fetch(): the next answer (a list or an exception to raise); then blocks until released."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.calls = 0
        self.blocked = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self):
        self.calls += 1
        if not self.answers:
            self.blocked.set()
            await self.release.wait()
            self.release.clear()
            self.blocked.clear()
            return []
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def poller(script, listener=None, **kw) -> tuple[EndpointPoller, Listener, Clock]:
    listener = listener or Listener()
    clock = Clock()
    wall = lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)  # noqa: E731
    return EndpointPoller(script, listener, clock=clock, sleep=clock.sleep, wall=wall, **kw), listener, clock


async def run_until_blocked(p: EndpointPoller, script: Script) -> asyncio.Task:
    task = asyncio.create_task(p.run())
    await asyncio.wait_for(script.blocked.wait(), 5)
    return task


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_errors_double_the_delay_up_to_the_cap_and_a_good_poll_resets_it():
    fail = ServerError("down", status=500)
    script = Script(*[fail] * 7, [ep("a")], fail)
    p, listener, clock = poller(script, interval=5.0)
    task = await run_until_blocked(p, script)
    # 10, 20, 40, 80 then capped at 120; a good poll: back to the interval; then 10 again.
    assert clock.sleeps == [10, 20, 40, 80, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF, 5, 10]
    errors = [text for text, kind in listener.statuses if kind == "error"]
    assert errors[0] == "⚠ 500: down — retrying in 10s"
    assert errors[-1] == "⚠ 500: down — retrying in 10s — showing rows from 03:04:05"  # the rows kept
    assert ("Updated 03:04:05 · 1 endpoint", None) in listener.statuses
    assert p.poll_count == 9 and p.failures == 1 and p.state_word() == "error" and p.retry_in == 10
    await stop(task)


async def test_a_server_asking_for_longer_is_obeyed_within_limits():
    script = Script(RateLimited("slow down", status=429, retry_after=90), RateLimited("x", retry_after=99999),
                    RateLimited("x", retry_after=1))
    p, listener, clock = poller(script, interval=5.0)
    task = await run_until_blocked(p, script)
    assert clock.sleeps == [90, 10 * MAX_BACKOFF, 40]  # what it asks, capped; never shorter than the backoff
    await stop(task)


async def test_state_changes_are_told_from_the_second_poll_on():
    script = Script([ep("a"), ep("b", "paused")], [ep("a", "failed"), ep("b", "paused"), ep("c")])
    p, listener, _ = poller(script)
    task = await run_until_blocked(p, script)
    assert listener.polls[0] == (["ns/a", "ns/b"], [])
    assert listener.polls[1] == (["ns/a", "ns/b", "ns/c"], [("ns/a", "running", "failed")])
    await stop(task)


async def test_a_state_an_action_answered_with_is_not_a_change():
    script = Script([ep("a")], [ep("a", "paused")])
    p, listener, _ = poller(script)
    await p.poll_once()
    p.seen(ep("a", "paused"))  # the pause's answer
    await p.poll_once()
    assert listener.polls[1][1] == []


async def test_another_namespace_drops_the_poll_in_flight():
    script = Script()
    p, listener, _ = poller(script)
    task = await run_until_blocked(p, script)
    p.reset()  # the namespace changed while the old one's poll was out
    script.answers.append([ep("new")])
    script.release.set()
    await asyncio.wait_for(script.blocked.wait(), 5)  # the old answer, dropped; then the new poll
    assert [keys for keys, _ in listener.polls] == [["ns/new"]]
    assert p.poll_count == 2
    await stop(task)


async def test_poll_now_during_a_poll_polls_once_right_after_it():
    script = Script()
    p, listener, clock = poller(script, interval=60.0)
    task = await run_until_blocked(p, script)
    for _ in range(5):  # ctrl+r hammered
        p.poll_now()
    script.answers.append([ep("a")])
    script.release.set()
    await asyncio.wait_for(script.blocked.wait(), 5)
    assert script.calls == 3  # the blocked one, one more for the five presses, and the next blocked one
    assert clock.sleeps == [60.0]  # after the extra poll, the interval
    await stop(task)


async def test_poll_now_while_waiting_polls_at_once():
    script = Script([ep("a")])
    listener = Listener()
    p = EndpointPoller(script, listener, interval=3600.0)  # real clock and sleep
    task = asyncio.create_task(p.run())
    await asyncio.sleep(0.05)
    assert script.calls == 1
    p.poll_now()
    await asyncio.wait_for(script.blocked.wait(), 5)
    assert script.calls == 2
    await stop(task)


async def test_interval_steps_and_a_disabled_poller_waits_for_poll_now():
    script = Script([ep("a")], [ep("a")])
    p, _, clock = poller(script, interval=5.0)
    assert p.step(+1) == 10.0 and p.step(+10) == 120.0 and p.step(-100) == 1.0
    p.interval = 7.0  # from the config: the nearest step
    assert p.step(-1) == 2.0
    p.enabled = False
    task = asyncio.create_task(p.run())
    await asyncio.sleep(0.05)
    assert script.calls == 1 and clock.sleeps == [] and p.state_word() == "paused"
    p.poll_now()
    await asyncio.sleep(0.05)
    assert script.calls == 2
    await stop(task)


async def test_a_slow_poll_counts_seconds_and_names_the_timeout():
    script = Script([ep("a")])
    p, listener, clock = poller(script, timeout=30.0)
    task = await run_until_blocked(p, script)  # the second poll hangs
    clock.t += 1.0
    p.tick()
    assert not any(kind == "busy" for _, kind in listener.statuses)  # not slow yet
    clock.t += 3.0
    p.tick()
    assert listener.statuses[-1] == ("Refreshing… 4s, no answer yet (gives up after 30s) — showing rows from "
                                     "03:04:05", "busy")
    assert p.state_word() == "refreshing… 4s"
    await stop(task)


async def test_a_bug_showing_the_rows_does_not_stop_polling():
    class Broken(Listener):
        def polled(self, endpoints, transitions):
            raise RuntimeError("bug")

    script = Script([ep("a")], Timeout("slow"), [ep("a")])
    p, listener, clock = poller(script, Broken())
    task = await run_until_blocked(p, script)
    assert len(listener.bugs) == 2 and script.calls == 4
    await stop(task)


def test_changes_seen_while_away_are_one_per_endpoint_and_listed_briefly():
    first = [("ns/a", "running", "updating"), ("ns/b", "running", "paused")]
    later = [("ns/a", "updating", "failed"), ("ns/b", "paused", "running"), ("ns/c", "pending", "running")]
    assert merge_transitions(first, later) == [("ns/a", "running", "failed"), ("ns/c", "pending", "running")]
    many = [(f"ns/e{i}", "running", "paused") for i in range(7)]
    assert transition_lines(many) == [f"ns/e{i}: running → paused" for i in range(5)] + ["… and 2 more"]
    assert transition_lines([("ns/\x1b[31mx", "a\nb", "c")]) == ["ns/x: a b → c"]  # escapes and line breaks never reach a toast
