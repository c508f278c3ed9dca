"""Full garbage collections wait for a quiet keyboard and an app with no work running."""

from __future__ import annotations

import gc

import pytest

from hftui.idle_gc import IDLE_BEFORE, LONGEST_WITHOUT, IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector():
    clock = Clock()
    busy = [False]
    made = IdleCollector(busy=lambda: busy[0], clock=clock)
    before = gc.get_threshold()
    made.start()
    yield made, clock, busy
    made.stop()
    assert gc.get_threshold() == before


def something_reaches_the_oldest_generation() -> None:
    gc.collect()
    gc.collect(1)  # a pass of the middle generation moves its survivors up
    assert gc.get_count()[2] > 0


def test_start_puts_off_the_automatic_full_pass_and_stop_gives_it_back():
    before = gc.get_threshold()
    made = IdleCollector(busy=lambda: False)
    made.start()
    try:
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 10_000
    finally:
        made.stop()
    assert gc.get_threshold() == before


def test_a_full_pass_waits_for_a_quiet_keyboard(collector):
    made, clock, _busy = collector
    something_reaches_the_oldest_generation()
    made.input_seen()
    clock.now += IDLE_BEFORE / 2
    assert not made.tick()
    clock.now += IDLE_BEFORE
    assert made.tick()
    assert gc.get_count()[2] == 0


def test_no_full_pass_while_work_runs_nor_when_nothing_is_new(collector):
    made, clock, busy = collector
    something_reaches_the_oldest_generation()
    busy[0] = True  # a stream: a pass now would stutter it
    clock.now += IDLE_BEFORE * 3
    assert not made.tick()
    busy[0] = False
    assert made.tick()
    clock.now += IDLE_BEFORE * 3
    assert not made.due()  # nothing reached the oldest generation since


def test_a_session_never_idle_still_gets_a_full_pass(collector):
    made, clock, busy = collector
    something_reaches_the_oldest_generation()
    busy[0] = True
    for _ in range(int(LONGEST_WITHOUT)):
        clock.now += 1
        made.input_seen()
        if made.tick():
            break
    else:
        pytest.fail("no full pass in LONGEST_WITHOUT seconds")
    assert clock.now - 1000.0 >= LONGEST_WITHOUT


def test_an_unstarted_collector_does_nothing():
    made = IdleCollector(busy=lambda: False)
    gc.collect(1)
    assert not made.due() and not made.tick()
