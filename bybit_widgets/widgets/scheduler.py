"""The kernel-side frame scheduler: coalesce feed updates into a few comm messages per second.

A book feed changes every 20 ms, a busy trade feed more often. Sending each
change to the browser would flood the Jupyter server, which drops IOPub
messages above 1000/s and leaves a view frozen on a stale value for good.
So feeds only *mark* a widget dirty; one scheduler per event loop (in a
notebook: the kernel's) wakes when something is due and lets each dirty
widget serialise its newest state once:

- per widget at most ``max_hz`` frames per second (the newest state wins,
  nothing is queued);
- for all widgets together at most ``max_messages_per_second`` (a token
  bucket), oldest-due first, so a dashboard stays well under the server's
  limit however many widgets it shows;
- no timer runs while nothing is dirty;
- a widget whose last frame the browser has not acknowledged yet waits
  (:mod:`.flow`): frames are dropped here, in the kernel, never queued in a
  socket; its acknowledgement (or the frame's deadline) lets it go again.

A widget's ``_flush_frame()`` raising is recorded on the widget and logged
once: one broken view never stops the frames of the others.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from dataclasses import dataclass
from typing import ClassVar, Protocol

from .flow import FlowControl

__all__ = ["DEFAULT_MAX_HZ", "DEFAULT_MAX_MESSAGES_PER_SECOND", "FrameScheduler", "Framed", "SchedulerStats"]

log = logging.getLogger("bybit_widgets.widgets")

DEFAULT_MAX_HZ = 25.0
DEFAULT_MAX_MESSAGES_PER_SECOND = 200.0


class Framed(Protocol):
    """What the scheduler needs from a widget."""

    #: seconds between two frames of this widget (1 / max_hz)
    frame_interval: float
    #: its frames in flight and their acknowledgements
    flow: FlowControl

    def _flush_frame(self) -> int:
        """Send the newest state; return how many comm messages that took (0 if nothing changed)."""
        ...

    def _frame_failed(self, error: BaseException) -> None:
        """Show a failed frame on the widget (the scheduler carries on)."""
        ...


@dataclass
class SchedulerStats:
    frames: int = 0  # flushes run
    messages: int = 0  # comm messages they reported
    deferred: int = 0  # flushes postponed by the global message budget
    errors: int = 0  # flushes that raised


class _Entry:
    __slots__ = ("dirty_since", "last", "ref")

    def __init__(self, widget: Framed) -> None:
        self.ref = weakref.ref(widget)
        self.last = float("-inf")  # loop time of the last flush
        self.dirty_since: float | None = None


class FrameScheduler:
    """Frames for every widget on one event loop. Use :meth:`for_loop`; all calls on the loop's thread.

    ``request(widget)`` from any thread is safe: it hops onto the loop.
    """

    _instances: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FrameScheduler]] = (
        weakref.WeakKeyDictionary()
    )
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self, loop: asyncio.AbstractEventLoop, *, max_messages_per_second: float = DEFAULT_MAX_MESSAGES_PER_SECOND
    ) -> None:
        self.loop = loop
        self.max_messages_per_second = _positive(max_messages_per_second, "max_messages_per_second")
        self.stats = SchedulerStats()
        self._entries: dict[int, _Entry] = {}
        self._dirty: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = float("inf")
        self._tokens = self._capacity
        self._tokens_at = loop.time()

    @classmethod
    def for_loop(cls, loop: asyncio.AbstractEventLoop) -> FrameScheduler:
        """The one scheduler of ``loop`` (created on first use)."""
        with cls._instances_lock:
            scheduler = cls._instances.get(loop)
            if scheduler is None:
                scheduler = cls._instances[loop] = cls(loop)
            return scheduler

    @property
    def _capacity(self) -> float:
        # a burst of at most a tenth of a second's budget (20 messages at the default)
        return max(1.0, self.max_messages_per_second / 10.0)

    # -- widgets ---------------------------------------------------------------------------------

    def request(self, widget: Framed) -> None:
        """Mark ``widget`` dirty: it gets a frame as soon as its rate and the budget allow."""
        if asyncio._get_running_loop() is not self.loop:
            if not self.loop.is_closed():  # a closed loop runs nothing any more: no frame to give
                self.loop.call_soon_threadsafe(self.request, widget)
            return
        key = id(widget)
        entry = self._entries.get(key)
        if entry is None or entry.ref() is not widget:
            entry = self._entries[key] = _Entry(widget)
        if key not in self._dirty:
            now = self.loop.time()
            self._dirty.add(key)
            entry.dirty_since = now
            widget.flow.changed(now)
            self._arm(self._due_at(entry, widget, now))

    def released(self, widget: Framed) -> None:
        """``widget``'s frame in flight was acknowledged: its newest state may go (if it has one)."""
        key = id(widget)
        entry = self._entries.get(key)
        if key in self._dirty and entry is not None:
            self._arm(self._due_at(entry, widget, self.loop.time()))

    def discard(self, widget: Framed) -> None:
        """Forget ``widget`` (closed): no further frames."""
        if asyncio._get_running_loop() is not self.loop and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.discard, widget)
            return
        key = id(widget)
        self._dirty.discard(key)
        self._entries.pop(key, None)

    def flush_now(self, widget: Framed) -> int:
        """Flush ``widget`` at once, outside the rate (a user action's answer must not wait a frame)."""
        key = id(widget)
        self._dirty.discard(key)
        return self._flush(key, widget, self.loop.time())

    @property
    def pending(self) -> int:
        """Widgets waiting for a frame."""
        return len(self._dirty)

    # -- timing ----------------------------------------------------------------------------------

    @staticmethod
    def _due_at(entry: _Entry, widget: Framed, now: float) -> float:
        """When a dirty widget's next frame is due: its rate, and its acknowledgement (or deadline)."""
        return max(entry.last + widget.frame_interval, widget.flow.wake_at(now))

    def _arm(self, when: float) -> None:
        if self._timer is not None and self._timer_at <= when:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self.loop.call_at(when, self._run)

    def _refill(self, now: float) -> None:
        self._tokens = min(self._capacity, self._tokens + (now - self._tokens_at) * self.max_messages_per_second)
        self._tokens_at = now

    def _run(self) -> None:
        self._timer, self._timer_at = None, float("inf")
        now = self.loop.time()
        self._refill(now)
        due: list[tuple[float, int, Framed]] = []
        next_at = float("inf")
        for key in tuple(self._dirty):
            entry = self._entries.get(key)
            widget = entry.ref() if entry is not None else None
            if entry is None or widget is None:
                self._dirty.discard(key)
                self._entries.pop(key, None)
                continue
            at = self._due_at(entry, widget, now)
            if at <= now + 0.001:  # within a millisecond: a timer never fires exactly on time
                due.append((entry.dirty_since or now, key, widget))
            else:
                next_at = min(next_at, at)
        due.sort(key=lambda item: item[0])  # the longest waiting first: fair under the budget
        for index, (_, key, widget) in enumerate(due):
            if self._tokens < 1.0:
                self.stats.deferred += len(due) - index
                next_at = min(next_at, now + (1.0 - self._tokens) / self.max_messages_per_second)
                break
            self._dirty.discard(key)
            self._flush(key, widget, now)
        if self._dirty:
            self._arm(max(next_at, now + 0.001) if next_at != float("inf") else now + 0.001)

    def _flush(self, key: int, widget: Framed, now: float) -> int:
        entry = self._entries.get(key)
        if entry is not None:
            entry.last = now
            entry.dirty_since = None
        self.stats.frames += 1
        try:
            sent = widget._flush_frame()
        except Exception as exc:  # one broken widget must not stop the others' frames
            self.stats.errors += 1
            log.exception("frame of %r failed", widget)
            try:
                widget._frame_failed(exc)
            except Exception:  # showing the failure failed too: the log above has it
                log.exception("could not show the failed frame on %r", widget)
            return 0
        self.stats.messages += sent
        self._tokens -= sent
        return sent


def _positive(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)
