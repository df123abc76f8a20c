"""The kernel's proof of life (widgets/pulse.py): a widget with nothing to show still tells its views it is there.

The views turn their badge to closed when they hear neither a frame nor a
beat for the kernel's longest gap plus 0.7 s (js/lib/contact.js), so here:
a silent widget gets a beat every 0.4 s, a widget sending frames gets none,
a closed one none, and the beats keep coming while the event loop is
blocked (a busy cell), because they come from a thread of their own.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from bybit_widgets.widgets import base, pulse
from bybit_widgets.widgets.base import LiveWidget
from bybit_widgets.widgets.pulse import BEAT_AFTER, MAX_GAP, TICK, Pulse, due


class Recorder:
    """Takes the place of the widget's comm's send: keeps what is sent (from any thread)."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, dict]] = []
        self.lock = threading.Lock()

    def send(self, data: dict, buffers: Any = None) -> None:
        with self.lock:
            self.sent.append((time.monotonic(), data))

    def beats(self) -> list[float]:
        with self.lock:
            return [t for t, d in self.sent if d.get("content") == {"type": "beat"}]


class Quiet(LiveWidget):
    """A live widget with no feeds: nothing ever changes, so it sends no frames."""

    _esm = "export default { render() {} }"

    def _open_feeds(self) -> list[Any]:
        return []

    def _render(self) -> None:
        pass


def quiet(**kw: Any) -> tuple[Quiet, Recorder]:
    widget = Quiet(session=SimpleNamespace(env="sim", streams=SimpleNamespace(loop=None)), **kw)
    recorder = Recorder()
    widget.comm.send = recorder.send  # (no kernel here: the comm would send nowhere)
    return widget, recorder


class Fake:
    def __init__(self, proof_at: float, closed: bool = False, fails: bool = False) -> None:
        self._proof_at, self.closed, self.fails, self.beats = proof_at, closed, fails, 0

    def _beat(self) -> None:
        if self.fails:
            raise RuntimeError("comm gone")
        self.beats += 1
        self._proof_at = now[0]


now = [100.0]


def test_only_open_widgets_silent_for_the_beat_interval_are_due() -> None:
    fresh, silent, closed = Fake(99.9), Fake(100.0 - BEAT_AFTER), Fake(0.0, closed=True)
    assert due([fresh, silent, closed], 100.0) == [silent]


def test_a_silent_widget_gets_a_beat_every_interval_and_a_broken_comm_stops_no_other() -> None:
    broken, silent = Fake(0.0, fails=True), Fake(0.0)
    p = Pulse(lambda: [broken, silent], clock=lambda: now[0])
    gaps = []
    last = now[0] = 100.0
    for _ in range(20):  # the thread's ticks, on a fake clock
        if p.beat_due():
            gaps.append(now[0] - last)
            last = now[0]
        now[0] += TICK
    assert silent.beats == 10 and broken.beats == 0 and p.beats == 10
    assert max(gaps[1:]) == pytest.approx(BEAT_AFTER) and BEAT_AFTER < MAX_GAP


def test_a_widget_outside_a_kernel_does_not_beat_and_says_so_to_its_views() -> None:
    widget, recorder = quiet()
    assert widget._pulse == 0  # the views then never time out on silence
    before = dict(widget.comm_stats)
    widget._beat()
    assert widget.comm_stats == {**before, "beats": 1}  # beats are counted apart from frames
    assert recorder.beats() and recorder.sent[-1][1] == {"method": "custom", "content": {"type": "beat"}}
    widget.close()
    widget._beat()
    assert len(recorder.beats()) == 1  # a closed widget is silent


def test_in_a_kernel_beats_flow_from_their_thread_while_the_loop_is_blocked(monkeypatch) -> None:
    monkeypatch.setattr(base, "in_ipykernel", lambda: True)
    widget, recorder = quiet()
    try:
        assert widget._pulse == round(MAX_GAP * 1000) == 600
        assert pulse._pulse is not None and pulse._pulse.running
        started = time.monotonic()
        time.sleep(2.0)  # a busy cell: this thread (the kernel's loop) does nothing meanwhile
        beats = recorder.beats()
        gaps = [b - a for a, b in zip([started, *beats], beats, strict=False)]
        assert len(beats) >= 3, beats
        assert max(gaps) <= MAX_GAP + 0.1, gaps  # what the view allows: MAX_GAP + 0.7 s
        # a frame is a proof of life too: right after one the widget is not due
        widget._proof_at = time.monotonic()
        assert widget not in due([widget], time.monotonic())
        widget.close()
        count = len(recorder.beats())
        time.sleep(3 * TICK)
        assert len(recorder.beats()) == count  # closed: no more beats
    finally:
        widget.close()
        if pulse._pulse is not None:  # the process's pulse: stop it, later tests run outside a kernel
            pulse._pulse.stop()
            pulse._pulse = None
