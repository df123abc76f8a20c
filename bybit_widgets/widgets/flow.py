"""Flow control of one widget's frames, end to end: the browser acknowledges what it painted.

The frame scheduler alone kept the kernel's side honest (at most ``max_hz``
frames, the newest state wins), but a browser that paints slower than that
still fell behind: the frames queued in the Jupyter server and the page's
socket, and the view showed a market seconds old (measured: p50 4-23 s
behind with a Dashboard on a 2-core machine) while its badge said *Live*.

So a widget's views acknowledge the frames they have painted, and the
kernel holds the widget's frames while the oldest unacknowledged one is
more than ``window`` seconds old. Frames are whole states, so one that is
never sent loses nothing: the next carries everything. With ``window=0``
this is one frame in flight, as design.md has it. The window exists because
every message from the page is a shell request that the kernel answers with
a busy and an idle status, and JupyterLab turns each into a favicon swap and
a status-bar redraw: one acknowledgement per frame held a single ladder to
14 frames/s at 45 % of the page's main thread; batched every 250 ms it runs
at 24 frames/s at 34 %. So the page sends one batch of acknowledgements for
all its views, every 250 ms while anything is behind and every 750 ms while
it keeps up (js/lib/pace.js), each batch saying that gap; the window is the
gap plus ``ACK_MARGIN`` for the round trip (``DEFAULT_WINDOW``, 0.45 s, for a
page that says nothing), so frames flow in between: a page that slows stops
receiving frames within a second, and one that is behind within 0.45 s, so
at most a few dozen small whole states ever wait in a socket, never a
growing backlog.

The pace is the fastest view's (a slower second view skips frames); a view
that never answers (closed, reloaded, output cleared) cannot stall the
widget: after ``deadline`` seconds without a frame the newest state goes out
anyway, the deadline doubling while nobody answers (``max_deadline`` at
most), so a dead page costs a frame every few seconds, not a stream.

Lag is measured on the kernel's clock only (the browser's may be another
machine's): when a view acknowledges frame ``n``, it showed the state as of
that frame when it painted it, and it was behind by how long the kernel had
held a newer state than that one by then (from the first change after frame
``n`` was made). The acknowledgement says how long ago the paint was (a
duration on the browser's clock, so no clocks are compared), so the batching
delay does not count as lag. A view
more than ``lag_enter`` seconds behind is *lagging* until an acknowledgement
finds it less than ``lag_leave`` behind.

Until a view has introduced itself, nothing paces the frames but the
scheduler's rate (a widget without a front end, in a script or a test, still
gets its frames).

Pure and clock-free: every call takes ``now`` (seconds, any monotonic clock),
so the rules are tested with plain numbers.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

__all__ = [
    "ACK_MARGIN",
    "DEFAULT_DEADLINE",
    "DEFAULT_WINDOW",
    "LAG_ENTER",
    "LAG_LEAVE",
    "MAX_GAP",
    "FlowControl",
    "FrameStamp",
]

DEFAULT_WINDOW = 0.45  # seconds the oldest unacknowledged frame may wait before the widget holds its frames
ACK_MARGIN = 0.2  # the window beyond the page's announced gap between batches: round trip and paint
MAX_GAP = 1.0  # the longest gap between batches a page may announce (its window stays below the deadline)
DEFAULT_DEADLINE = 2.0  # seconds without an acknowledgement before the newest state goes out anyway
MAX_DEADLINE = 8.0
LAG_ENTER = 1.0  # a view this far behind the kernel's newest state is lagging
LAG_LEAVE = 0.5  # ... until it is less than this behind
HISTORY = 64  # frames remembered for the lag of a slow view's (older) acknowledgement
VIEW_TTL = 60.0  # a view silent this long is forgotten (its lag is no longer reported)


@dataclass(frozen=True)
class FrameStamp:
    """What a frame carries for flow control: its number and the kernel time it was made at (ms)."""

    seq: int
    sent_ms: int


class _View:
    __slots__ = ("gap", "heard", "lag", "lagging")

    def __init__(self, now: float) -> None:
        self.heard = now  # last message from this view
        self.lag = 0.0  # seconds behind, at its last acknowledgement
        self.lagging = False
        self.gap: float | None = None  # seconds its page says it keeps between batches at most


class _Sent:
    __slots__ = ("at", "changed_after")

    def __init__(self, at: float) -> None:
        self.at = at
        self.changed_after: float | None = None  # first change of the state after this frame was made


class FlowControl:
    """The flow state of one widget. Drive it with :meth:`changed`, :meth:`sent`, :meth:`ack`, ...

    ``ready(now)`` says whether a frame may go out now; ``wake_at(now)`` when
    it may at the latest (the deadline), if not now. ``window`` is how long
    the oldest unacknowledged frame may wait before nothing more is sent:
    0 is the strict form, one frame in flight; the default lets the page
    batch its acknowledgements (see the module docstring).
    """

    def __init__(
        self,
        *,
        window: float = DEFAULT_WINDOW,
        deadline: float = DEFAULT_DEADLINE,
        max_deadline: float = MAX_DEADLINE,
        lag_enter: float = LAG_ENTER,
        lag_leave: float = LAG_LEAVE,
    ) -> None:
        if not 0 <= window < deadline <= max_deadline:
            raise ValueError(
                f"need 0 <= window < deadline <= max_deadline, got {window!r}, {deadline!r}, {max_deadline!r}"
            )
        if not 0 <= lag_leave <= lag_enter:
            raise ValueError(f"need 0 <= lag_leave <= lag_enter, got {lag_leave!r} and {lag_enter!r}")
        self.base_window = window
        self.window = window  # the base, or the views' announced gap plus ACK_MARGIN when longer
        self.base_deadline = deadline
        self.max_deadline = max_deadline
        self.lag_enter = lag_enter
        self.lag_leave = lag_leave
        self.seq = 0  # number of the last frame made
        self.acked = 0  # the newest frame a view acknowledged (painted)
        self.deadline = deadline  # the current one: doubles while nobody answers
        self.expired = 0  # frames sent on a deadline, not on an acknowledgement
        self._unacked_at: float | None = None  # when the oldest unacknowledged frame went out
        self._sent_at = float("-inf")  # when the last frame went out
        self._views: dict[str, _View] = {}
        self._sent: OrderedDict[int, _Sent] = OrderedDict()
        self._paced = False  # a view has introduced itself

    @property
    def in_flight(self) -> int | None:
        """The newest frame no view has acknowledged yet (None: all are)."""
        return self.seq if self._unacked_at is not None else None

    # -- the widget's side ---------------------------------------------------------------------

    def changed(self, now: float) -> None:
        """The widget's state changed (it is dirty)."""
        if self._sent:
            last = next(reversed(self._sent.values()))
            if last.changed_after is None:
                last.changed_after = now

    def _held(self, now: float) -> bool:
        return self._unacked_at is not None and now - self._unacked_at >= self.window

    def ready(self, now: float) -> bool:
        """May a frame go out now? (Within the window, or its deadline passed.)"""
        return not self._held(now) or now >= self._sent_at + self.deadline

    def wake_at(self, now: float) -> float:
        """When :meth:`ready` turns true by itself: ``now`` if it is, else the deadline."""
        return self._sent_at + self.deadline if not self.ready(now) else now

    def sent(self, now: float) -> FrameStamp:
        """A frame is going out now: its stamp.

        Normally only when :meth:`ready`; a frame forced earlier (a connection change shown at
        once) is allowed.
        """
        if self._held(now) and now >= self._sent_at + self.deadline:
            self.expired += 1  # sent on the deadline: nobody answered
            self.deadline = min(self.max_deadline, self.deadline * 2)
        self.seq += 1
        self._sent[self.seq] = _Sent(now)
        while len(self._sent) > HISTORY:
            self._sent.popitem(last=False)
        self._sent_at = now
        if self._paced and self._unacked_at is None:
            self._unacked_at = now
        return FrameStamp(self.seq, round(now * 1000))

    # -- the views' side -----------------------------------------------------------------------

    def hello(self, view: str, now: float) -> None:
        """A view appeared (rendered, or a reloaded page): it wants the newest state now."""
        self._paced = True
        self._views[view] = _View(now)
        self._release()

    def bye(self, view: str) -> None:
        """A view went away (its cleanup ran)."""
        if self._views.pop(view, None) is not None:
            self._fit_window()

    def ack(self, view: str, seq: int, now: float, painted_ago: float = 0.0, gap: float | None = None) -> bool:
        """``view`` painted frame ``seq``, ``painted_ago`` seconds ago. True if that lets frames go again.

        ``gap``: the most seconds its page now waits between batches (None: it does not say); the
        window follows the longest gap a view announced, up to ``MAX_GAP``.
        """
        state = self._views.get(view)
        if state is None:  # a view that never said hello (its hello was lost, or we forgot it)
            self._paced = True
            state = self._views[view] = _View(now)
        state.heard = now
        if gap is not None and gap != state.gap:
            state.gap = min(MAX_GAP, max(0.0, gap))
            self._fit_window()
        sent = self._sent.get(seq)
        painted = now - max(0.0, painted_ago)
        if sent is not None:
            changed = sent.changed_after
            behind = max(0.0, painted - changed) if changed is not None else 0.0
        elif 0 < seq <= self.seq:  # older than the history: behind at least since the oldest frame kept
            oldest = next(iter(self._sent.values()), None)
            behind = max(0.0, painted - oldest.at) if oldest is not None else 0.0
        else:
            return False  # not a frame of ours (another kernel's, before a restart): ignore
        state.lag = behind
        if state.lagging and behind < self.lag_leave:
            state.lagging = False
        elif not state.lagging and behind > self.lag_enter:
            state.lagging = True
        self._forget_silent(now)
        if seq > self.acked:
            self.acked = seq
            after = self._sent.get(seq + 1)
            self._unacked_at = None if seq >= self.seq else (after.at if after is not None else self._sent_at)
            self.deadline = self.base_deadline
            return True
        return False

    def lagging_views(self) -> list[str]:
        """The views that are lagging now (carried in the next frame, so each view can say so)."""
        return sorted(v for v, s in self._views.items() if s.lagging)

    @property
    def lagging(self) -> bool:
        """Is any view lagging?"""
        return any(s.lagging for s in self._views.values())

    @property
    def views(self) -> int:
        """Views known to be showing this widget."""
        return len(self._views)

    def lag(self, view: str) -> float | None:
        """Seconds ``view`` was behind at its last acknowledgement (None: unknown view)."""
        state = self._views.get(view)
        return None if state is None else state.lag

    # -- internals -----------------------------------------------------------------------------

    def _release(self) -> None:
        self.acked = self.seq
        self._unacked_at = None
        self.deadline = self.base_deadline

    def _fit_window(self) -> None:
        gaps = [s.gap + ACK_MARGIN for s in self._views.values() if s.gap is not None]
        self.window = max([self.base_window, *gaps])

    def _forget_silent(self, now: float) -> None:
        silent = [v for v, s in self._views.items() if now - s.heard > VIEW_TTL]
        for view in silent:
            del self._views[view]
        if silent:
            self._fit_window()
