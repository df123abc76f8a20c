"""Playing history: a clock with play, pause, step, seek and speed, and the events it releases.

:class:`ReplayClock` is sans-I/O: every call takes ``now`` (monotonic seconds) and answers the
replay's position in the tape's own time (ms). Playing, the position moves ``speed`` tape
milliseconds per wall millisecond from where it was when last played, sought or sped up; it stops
at the end (``ended``). Paused, it stays.

:class:`TapePlayer` merges the book and trade files of a replay on time and hands out, for a
position, the events up to it (``advance``), one event at a time (``step``), or after a seek the
books as of the new position and the events from there (``seek``): a consumer then sends a fresh
snapshot of each book, as after a resubscribe, and the trades of the window it skipped are not
replayed.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence

from .files import BookFrame, TapeError, TapeFile, Trade
from .index import BookIndex, TapeBook
from .recorded import expand
from .trades import TradeIndex

__all__ = ["ReplayClock", "TapePlayer", "Event", "MIN_SPEED", "MAX_SPEED", "STATES"]

MIN_SPEED, MAX_SPEED = 0.1, 100.0
STATES = ("playing", "paused", "ended")
Event = BookFrame | Trade


class ReplayClock:
    """The position of a replay in tape time (see the module docstring)."""

    def __init__(self, start_ms: int, end_ms: int, *, now: float, speed: float = 1.0, paused: bool = False) -> None:
        if end_ms < start_ms:
            raise ValueError(f"the replay ends ({end_ms}) before it starts ({start_ms})")
        self.start_ms, self.end_ms = start_ms, end_ms
        self.speed = _speed(speed)
        self._at_ms = start_ms  # position when last anchored
        self._at_wall = now
        self._playing = not paused

    def position(self, now: float) -> int:
        if not self._playing:
            return self._at_ms
        moved = int((now - self._at_wall) * 1000 * self.speed)
        return min(self.end_ms, self._at_ms + max(0, moved))

    def state(self, now: float) -> str:
        if self.position(now) >= self.end_ms:
            return "ended"
        return "playing" if self._playing else "paused"

    def _anchor(self, now: float, position: int | None = None) -> None:
        self._at_ms = self.position(now) if position is None else position
        self._at_wall = now

    def play(self, now: float) -> None:
        self._anchor(now)
        self._playing = True

    def pause(self, now: float) -> None:
        self._anchor(now)
        self._playing = False

    def set_speed(self, speed: float, now: float) -> None:
        self._anchor(now)
        self.speed = _speed(speed)

    def seek(self, to_ms: int, now: float) -> int:
        """Jump to ``to_ms`` (clamped into the tape); playing or paused stays as it was. Returns the position."""
        if isinstance(to_ms, bool) or not isinstance(to_ms, int):
            raise ValueError(f"to_ms must be a time in ms, got {to_ms!r}")
        self._anchor(now, min(self.end_ms, max(self.start_ms, to_ms)))
        return self._at_ms

    def hold_at(self, t_ms: int, now: float) -> None:
        """Pause exactly at ``t_ms`` (a step)."""
        self._anchor(now, min(self.end_ms, max(self.start_ms, t_ms)))
        self._playing = False


def _speed(speed: float) -> float:
    if isinstance(speed, bool) or not isinstance(speed, int | float) or not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED:g}x and {MAX_SPEED:g}x, got {speed!r}")
    return float(speed)


class TapePlayer:
    """The events of a set of history files, merged on time, from any position (see the module docstring)."""

    def __init__(self, files: Sequence[TapeFile]) -> None:
        if not files:
            raise TapeError("nothing to replay: give at least one history file")
        self.books: dict[str, BookIndex] = {}
        self.trades: dict[str, TradeIndex] = {}
        try:
            for file in (part for given in files for part in (expand(given) if given.kind == "recording" else [given])):
                if file.kind == "book":
                    _once(self.books, file, BookIndex)
                else:
                    _once(self.trades, file, TradeIndex)
        except BaseException:
            self.close()
            raise
        spans = [(x.first_ms, x.last_ms) for x in (*self.books.values(), *self.trades.values())]
        self.start_ms = min(first for first, _ in spans)
        self.end_ms = max(last for _, last in spans)
        self.symbols = sorted({*self.books, *self.trades})
        self.state: dict[str, TapeBook] = {}
        self._events: Iterator[Event] = iter(())
        self._next: Event | None = None
        self.seek(self.start_ms - 1)

    def seek(self, t_ms: int) -> dict[str, TapeBook]:
        """Every book as of ``t_ms``; the next events are those after it. Returns the books (fresh snapshots)."""
        streams: list[Iterator[Event]] = []
        for symbol, index in self.books.items():
            book, frames = index.at(t_ms)
            self.state[symbol] = book
            streams.append(frames)
        streams.extend(trades.at(t_ms) for trades in self.trades.values())
        # ties on time: books before trades, each file in its own order
        keyed = [_keyed(k, events) for k, events in enumerate(streams)]
        self._events = (event for *_, event in heapq.merge(*keyed))
        self._next = next(self._events, None)
        return dict(self.state)

    def trades_before(self, symbol: str, t_ms: int, count: int) -> list[Trade]:
        """The last ``count`` trades of ``symbol`` at or before ``t_ms``, oldest first."""
        index = self.trades.get(symbol)
        return [] if index is None else index.before(t_ms, count)

    def peek_time(self) -> int | None:
        """When the next event happens, or ``None`` at the end."""
        return None if self._next is None else self._next.t_ms

    def advance(self, to_ms: int) -> list[Event]:
        """The events up to and including ``to_ms``, in time order; books move with them."""
        out: list[Event] = []
        while self._next is not None and self._next.t_ms <= to_ms:
            out.append(self._take())
        return out

    def step(self) -> Event | None:
        """The next single event (a book frame or a trade), or ``None`` at the end."""
        return None if self._next is None else self._take()

    def _take(self) -> Event:
        event = self._next
        assert event is not None
        if isinstance(event, BookFrame):
            self.state[event.symbol].apply(event)
        self._next = next(self._events, None)
        return event

    def close(self) -> None:
        for index in (*self.books.values(), *self.trades.values()):
            index.close()


def _keyed(k: int, events: Iterator[Event]) -> Iterator[tuple[int, int, int, Event]]:
    """``(time, stream, n, event)``: a merge key that never compares two events."""
    for n, event in enumerate(events):
        yield event.t_ms, k, n, event


def _once(found: dict, file: TapeFile, make: type) -> None:
    if file.symbol in found:
        raise TapeError(f"{file.name}: a second {file.kind} file of {file.symbol} (one a symbol per replay)")
    found[file.symbol] = make(file)
