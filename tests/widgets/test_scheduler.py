"""The frame scheduler: per-widget rate, the shared message budget, no idle timers, failures contained."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bybit_widgets.widgets.flow import FlowControl
from bybit_widgets.widgets.scheduler import FrameScheduler


class Counter:
    """A stand-in view: counts its frames, sends ``messages`` per frame."""

    def __init__(self, hz: float, messages: int = 1, fail: bool = False) -> None:
        self.frame_interval = 1.0 / hz
        self.flow = FlowControl()
        self.messages = messages
        self.fail = fail
        self.frames: list[float] = []
        self.failures: list[BaseException] = []

    def _flush_frame(self) -> int:
        now = asyncio.get_running_loop().time()
        self.frames.append(now)
        if self.fail:
            raise RuntimeError("render broke")
        self.flow.sent(now)
        return self.messages

    def _frame_failed(self, error: BaseException) -> None:
        self.failures.append(error)


async def hammer(scheduler: FrameScheduler, widgets: list[Counter], seconds: float) -> None:
    """Mark every widget dirty as fast as a busy feed would (every millisecond) for ``seconds``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        for widget in widgets:
            scheduler.request(widget)
        await asyncio.sleep(0.001)


def test_a_widget_gets_at_most_max_hz_frames_and_the_last_change_is_not_lost():
    async def main():
        scheduler = FrameScheduler(asyncio.get_running_loop())
        widget = Counter(hz=20)
        await hammer(scheduler, [widget], 1.0)
        marked_last = asyncio.get_running_loop().time()
        await asyncio.sleep(0.2)  # let the pending frame fire (this is the thing measured, not a sync)
        return widget.frames, marked_last, scheduler

    frames, marked_last, scheduler = asyncio.run(main())
    assert 15 <= len(frames) <= 22, len(frames)
    gaps = [b - a for a, b in itertools.pairwise(frames)]
    assert min(gaps) >= 0.05 - 0.003, min(gaps)
    assert frames[-1] >= marked_last - 0.001, "the newest state must still get a frame after the burst"
    assert scheduler.pending == 0


def test_the_shared_budget_caps_all_widgets_together():
    async def main():
        scheduler = FrameScheduler(asyncio.get_running_loop(), max_messages_per_second=100)
        widgets = [Counter(hz=60) for _ in range(12)]  # would be 720 messages/s without the budget
        await hammer(scheduler, widgets, 1.5)
        return widgets, scheduler

    widgets, scheduler = asyncio.run(main())
    total = sum(len(w.frames) for w in widgets)
    assert total <= 100 * 1.5 + 10 + 2, total  # rate x time + the burst capacity (a tenth of a second)
    assert total >= 100 * 1.5 * 0.8, total  # and the budget is actually used
    counts = [len(w.frames) for w in widgets]
    assert max(counts) - min(counts) <= 3, f"the longest waiting go first: {counts}"
    assert scheduler.stats.deferred > 0


def test_multi_message_frames_count_against_the_budget():
    async def main():
        scheduler = FrameScheduler(asyncio.get_running_loop(), max_messages_per_second=60)
        chart = Counter(hz=50, messages=3)  # e.g. a bokeh patch: three comm messages
        await hammer(scheduler, [chart], 1.0)
        return chart

    chart = asyncio.run(main())
    assert len(chart.frames) * 3 <= 60 + 6 + 3, len(chart.frames)


def test_nothing_runs_while_nothing_is_dirty():
    async def main():
        scheduler = FrameScheduler(asyncio.get_running_loop())
        widget = Counter(hz=25)
        scheduler.request(widget)
        await asyncio.sleep(0.05)
        assert len(widget.frames) == 1
        assert scheduler._timer is None  # no timer armed when idle
        await asyncio.sleep(0.1)
        return widget

    assert len(asyncio.run(main()).frames) == 1


def test_a_failing_widget_is_reported_and_does_not_stop_the_others():
    async def main():
        scheduler = FrameScheduler(asyncio.get_running_loop())
        broken, fine = Counter(hz=50, fail=True), Counter(hz=50)
        await hammer(scheduler, [broken, fine], 0.3)
        await asyncio.sleep(0.05)
        return broken, fine, scheduler

    broken, fine, scheduler = asyncio.run(main())
    assert len(fine.frames) >= 10
    assert broken.failures and isinstance(broken.failures[0], RuntimeError)
    assert scheduler.stats.errors == len(broken.failures)


def test_discard_and_cross_thread_requests():
    async def main():
        loop = asyncio.get_running_loop()
        scheduler = FrameScheduler(loop)
        gone, other = Counter(hz=10), Counter(hz=10)
        scheduler.request(gone)
        scheduler.discard(gone)
        await loop.run_in_executor(None, scheduler.request, other)  # from another thread: hops onto the loop
        await asyncio.sleep(0.05)
        return gone, other

    gone, other = asyncio.run(main())
    assert gone.frames == [] and len(other.frames) == 1


def test_one_scheduler_per_loop_and_bad_budget_refused():
    async def main():
        loop = asyncio.get_running_loop()
        assert FrameScheduler.for_loop(loop) is FrameScheduler.for_loop(loop)

    asyncio.run(main())
    with pytest.raises(ValueError, match="max_messages_per_second"):
        FrameScheduler(asyncio.new_event_loop(), max_messages_per_second=0)


def test_configure_sets_the_kernel_wide_budget():
    from bybit_widgets.widgets import configure

    async def main():
        scheduler = configure(max_messages_per_second=50)
        assert scheduler is FrameScheduler.for_loop(asyncio.get_running_loop())
        assert scheduler.max_messages_per_second == 50.0
        with pytest.raises(ValueError, match="positive"):
            configure(max_messages_per_second=-1)

    asyncio.run(main())


def test_a_widget_whose_view_has_not_acknowledged_waits_and_then_sends_only_its_newest_state():
    async def main():
        loop = asyncio.get_running_loop()
        scheduler = FrameScheduler(loop)
        widget = Counter(hz=100)
        widget.flow = FlowControl(window=0)
        widget.flow.hello("view-1", loop.time())
        scheduler.request(widget)
        await asyncio.sleep(0.05)
        assert len(widget.frames) == 1  # the first frame went out; it is in flight
        await hammer(scheduler, [widget], 0.3)  # 300 changes while the view paints nothing
        held = len(widget.frames)
        widget.flow.ack("view-1", widget.flow.seq, loop.time())
        scheduler.released(widget)
        await asyncio.sleep(0.05)
        return held, len(widget.frames), scheduler

    held, after, scheduler = asyncio.run(main())
    assert held == 1, "no frame may go while the last one is unacknowledged"
    assert after == 2, "after the acknowledgement exactly one frame (the newest state) goes, not a backlog"
    assert scheduler.pending == 0


def test_an_acknowledgement_that_never_comes_delays_a_widget_only_until_the_deadline():
    async def main():
        loop = asyncio.get_running_loop()
        scheduler = FrameScheduler(loop)
        widget = Counter(hz=100)
        widget.flow = FlowControl(window=0, deadline=0.1, max_deadline=0.2)
        widget.flow.hello("gone", loop.time())
        await hammer(scheduler, [widget], 0.65)
        return widget.frames

    frames = asyncio.run(main())
    gaps = [round(b - a, 2) for a, b in itertools.pairwise(frames)]
    # first frame at once, then one at each deadline: 0.1 s, then doubling to the 0.2 s cap
    assert 3 <= len(frames) <= 5, frames
    assert gaps[0] >= 0.09 and all(g >= 0.09 for g in gaps), gaps
