"""The liquidity heatmap's columns, trade bubbles and fills, and the binary frame that carries them.

Pure (no widget, no loop), so the frame's layout and its ring/rebuild rules are
tested with plain numbers. The kernel sends **columns of the book, not
pixels**: a column is the resting size of ``2 x levels`` price rows (row 0 is
the lowest price, ``step`` apart; centred on the mid's tick) at one moment, one
column per ``column_ms`` (the window of ``seconds`` holds ``capacity`` columns:
360 for 180 s, one every 500 ms). The browser colours and draws them.

Decisions, and what they cost (measured on the embedded exchange, 2 cores):

- Trades are aggregated before they travel: one bubble per column and taker
  side (VWAP price, summed quantity, trade count). The simulated BTCUSDT tape
  runs at about 68 trades/s, 12 000 in a 180 s window: sent one by one that
  is 390 KB per rebuild and as many circles per paint; as bubbles it is at
  most 2 per column (720 in the window, 29 KB).
- A column is sampled at the first book update of its time slot (the book
  feed pushes every 100 ms at depth 200), from the feed's callback, so a
  frame held by flow control loses no column; building one is about 400 float
  additions every 500 ms.
- Every frame is relative to a frame the browser acknowledged (``base``, the
  version of that frame) and carries *everything* that changed since: the
  columns after it, every bubble of its newest time slot on (the forming
  bubble grows) and the fills after it. A view that painted frame ``base`` or
  later (its ``have``) merges it (idempotently: columns by counter, bubbles by
  slot); one that has less (it missed frames: a second, slower view) asks for
  a rebuild, and the next frame is *whole* (``base`` 0: drop everything, here
  is the ring). A hello (a new or reloaded view) gets a whole frame too. So a
  dropped or coalesced frame never corrupts the picture, it only delays it.
  A relative frame is a few hundred bytes to a few KB; a whole one at 200
  levels and 360 columns about 640 KB (rare: hellos and gaps).

Frame layout, little-endian, every block 8-byte aligned:

``float64 header[16]``:
``[1 (layout), version, base (0: whole), levels, step, column_ms, capacity,
C columns, B bubbles, F fills, O own orders, now (exchange ms of the newest
book), bubble_from (slot: the view drops its bubbles from this slot on before
adding these), best bid, best ask, 0]``

``float64 columns[C][6]``: ``[counter c (1, 2, ... contiguous), slot n
(= floor(ts / column_ms)), ts, price of row 0, best bid, best ask]``

``float32 sizes[C][2 x levels]``: row ``i`` is the resting size at
``p0 + i x step`` (bids below the mid, asks above)

``float64 bubbles[B][5]``: ``[slot n, side (+1 taker buy, -1 taker sell),
VWAP price, quantity, trades]``

``float64 fills[F][5]``: ``[counter k, ts, price, quantity, side (+1 buy,
-1 sell)]`` (the account's own executions)

``float64 own[O][4]``: ``[price, side (+1 buy, -1 sell), quantity left,
orders]`` (open orders, aggregated by price and side; every frame has all)
"""

from __future__ import annotations

import math
from array import array
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HEADER",
    "MAX_COLUMNS",
    "MAX_LEVELS",
    "MAX_SECONDS",
    "MIN_SECONDS",
    "Column",
    "HeatRing",
    "bucket_column",
    "check_levels",
    "check_seconds",
    "column_ms_for",
    "own_marks",
    "pack_heat",
    "ring_capacity",
    "unpack_heat",
]

LAYOUT = 1
HEADER = 16  # float64 values
COLUMN_HEAD = 6
BUBBLE = 5
FILL = 5
OWN = 4
MAX_LEVELS = 500
MIN_SECONDS = 10
MAX_SECONDS = 3600
MAX_COLUMNS = 360  # columns in the window at most (a 1000 px wide chart: about 3 px each)
MIN_COLUMN_MS = 100  # the depth-200 book pushes every 100 ms: a faster column would repeat itself
MARKS = 64  # frames remembered for their acknowledgements (the flow keeps 64 too)
SEEN = 4096  # trade and execution ids remembered to tell new from already counted

Level = tuple[float, float]


def check_levels(value: Any, name: str = "levels") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LEVELS:
        raise ValueError(f"{name} must be an integer from 1 to {MAX_LEVELS}, got {value!r}")
    return value


def check_seconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_SECONDS <= value <= MAX_SECONDS:
        raise ValueError(f"seconds must be an integer from {MIN_SECONDS} to {MAX_SECONDS}, got {value!r}")
    return value


def column_ms_for(seconds: int) -> int:
    """Milliseconds per column: the window in at most MAX_COLUMNS columns, none shorter than 100 ms."""
    return max(MIN_COLUMN_MS, math.ceil(check_seconds(seconds) * 1000 / MAX_COLUMNS))


def ring_capacity(seconds: int) -> int:
    """Columns that cover the window of ``seconds``."""
    return math.ceil(seconds * 1000 / column_ms_for(seconds))


def bucket_column(bids: Sequence[Level], asks: Sequence[Level], levels: int, step: float) -> tuple[float, array]:
    """``(price of row 0, float32 sizes of 2 x levels rows)`` around the mid; levels outside are left out.

    Rows are whole ticks (``round(price / step)``), so float noise never splits a level in two.
    """
    if not step > 0:
        raise ValueError(f"step must be positive, got {step!r}")
    rows = 2 * levels
    sizes = array("f", bytes(4 * rows))
    if not bids or not asks:
        return 0.0, sizes
    # the row of the mid's tick, from whole ticks (a one-tick spread: the best ask's; bids below it, asks from it)
    base = (round(bids[0][0] / step) + round(asks[0][0] / step) + 1) // 2 - levels
    for price, size in bids:  # best first: once below row 0, the rest are too
        row = round(price / step) - base
        if row < 0:
            break
        if row < rows:
            sizes[row] += size
    for price, size in asks:
        row = round(price / step) - base
        if row >= rows:
            break
        if row >= 0:
            sizes[row] += size
    return base * step, sizes


def own_marks(orders: Iterable[Any], category: str) -> list[list[float]]:
    """Open limit orders as ``[price, side (+1 buy, -1 sell), quantity left, orders]`` by price and side, high first."""
    marks: dict[tuple[float, int], list[float]] = {}
    for order in orders:
        price = float(order.price or 0)
        if price <= 0 or order.category not in (None, category):
            continue  # (a market or conditional order without a price has no place on a price axis)
        side = 1 if order.side == "Buy" else -1
        qty = float(order.leaves_qty if order.leaves_qty is not None else order.qty or 0)
        entry = marks.setdefault((price, side), [price, float(side), 0.0, 0.0])
        entry[2] += qty
        entry[3] += 1
    return sorted(marks.values(), key=lambda m: (-m[0], m[1]))


@dataclass(frozen=True)
class Column:
    c: int  # counter: 1, 2, 3, ... (contiguous within a ring)
    n: int  # time slot: floor(ts / column_ms)
    ts: int
    p0: float
    bid: float
    ask: float
    sizes: bytes  # float32 x 2 levels


@dataclass(frozen=True)
class _Mark:
    """What a frame contained: what the next frame relative to it must carry on from."""

    version: int
    c: int  # newest column counter
    slot: int  # newest bubble slot
    k: int  # newest fill counter


class HeatRing:
    """The kernel's side of a heatmap: the window's columns, bubbles and fills, and the frames built from them.

    Feed it with :meth:`sample` (book views), :meth:`add_trades` and :meth:`add_fills`;
    :meth:`frame` builds the bytes of the next frame (see the module docstring).
    """

    def __init__(self, levels: int, seconds: int, step: float = 0.0) -> None:
        self.levels = check_levels(levels)
        self.seconds = check_seconds(seconds)
        self.column_ms = column_ms_for(seconds)
        self.capacity = ring_capacity(seconds)
        self.step = 0.0
        self.version = 0  # of the newest frame built; never reset, so a stale base cannot match a new ring
        self.wholes = 0  # whole frames built
        self.columns: deque[Column] = deque(maxlen=self.capacity)
        self.bubbles: OrderedDict[tuple[int, int], list[float]] = OrderedDict()  # (slot, side) -> [pq, q, count]
        self.fills: deque[tuple[int, int, float, float, int]] = deque()  # (k, ts, price, qty, side)
        self.now = 0
        self._marks: OrderedDict[int, _Mark] = OrderedDict()
        self._last: _Mark | None = None
        self._own: list[list[float]] | None = None
        self._dirty = True
        self.reset(step)

    # -- input -----------------------------------------------------------------------------------

    def reset(self, step: float = 0.0) -> None:
        """Forget everything (a new symbol, or a new step): the next frame is whole."""
        self.step = float(step)
        self.columns.clear()
        self.bubbles.clear()
        self.fills.clear()
        self._next_c = 1
        self._next_k = 1
        self._slot = 0  # newest bubble slot: a trade never lands in an older one
        self._seen_trades: set[Any] = set()
        self._seen_trade_order: deque[Any] = deque()
        self._seen_fills: set[Any] = set()
        self._marks.clear()
        self._last = None
        self._dirty = True

    def set_step(self, step: float) -> None:
        if step != self.step:
            self.reset(step)

    def sample(self, view: Any) -> bool:
        """Take ``view`` (a BookView) as the column of its time slot if that slot has none yet."""
        ts = view.ts
        if ts is None or not self.step:
            return False
        self.now = max(self.now, int(ts))
        self._dirty = True
        n = int(ts) // self.column_ms
        if (self.columns and n <= self.columns[-1].n) or not view.bids or not view.asks:
            return False
        p0, sizes = bucket_column(view.bids, view.asks, self.levels, self.step)
        column = Column(self._next_c, n, int(ts), p0, view.bids[0][0], view.asks[0][0], sizes.tobytes())
        self._next_c += 1
        self.columns.append(column)
        self._trim(n)
        return True

    def add_trades(self, trades: Sequence[Any]) -> int:
        """Count the trades of ``trades`` (oldest first) not seen before into their bubbles; returns how many."""
        fresh = []
        for trade in reversed(trades):
            key = trade.trade_id or (trade.time, trade.price, trade.size, trade.side)
            if key in self._seen_trades:
                break
            fresh.append((key, trade))
        for key, trade in reversed(fresh):
            self._remember(key)
            if trade.time is None or not trade.price or not trade.size:
                continue
            slot = max(int(trade.time) // self.column_ms, self._slot)
            self._slot = slot
            side = 1 if trade.side == "Buy" else -1
            bubble = self.bubbles.get((slot, side))
            if bubble is None:
                bubble = self.bubbles[(slot, side)] = [0.0, 0.0, 0]
            price, size = float(trade.price), float(trade.size)
            bubble[0] += price * size
            bubble[1] += size
            bubble[2] += 1
            self.now = max(self.now, int(trade.time))
        if fresh:
            self._dirty = True
            self._trim(self._slot)
        return len(fresh)

    def add_fills(self, executions: Iterable[Any], symbol: str, category: str) -> int:
        """The account's executions of this symbol (trades only) not seen before; returns how many."""
        added = 0
        for execution in executions:
            key = execution.exec_id or (execution.order_id, execution.exec_time, execution.exec_qty)
            if key in self._seen_fills or execution.symbol != symbol or execution.category not in (None, category):
                continue
            if execution.exec_type not in (None, "Trade") or not execution.exec_price or not execution.exec_qty:
                continue
            self._seen_fills.add(key)
            side = 1 if execution.side == "Buy" else -1
            ts = int(execution.exec_time or self.now)
            self.fills.append((self._next_k, ts, float(execution.exec_price), float(execution.exec_qty), side))
            self._next_k += 1
            added += 1
        if added:
            self._dirty = True
            self._trim(self._newest_slot())
        return added

    def _remember(self, key: Any) -> None:
        self._seen_trades.add(key)
        self._seen_trade_order.append(key)
        if len(self._seen_trade_order) > SEEN:
            self._seen_trades.discard(self._seen_trade_order.popleft())

    def _newest_slot(self) -> int:
        return max(self.columns[-1].n if self.columns else 0, self._slot, self.now // self.column_ms)

    def _trim(self, newest: int) -> None:
        """Drop the bubbles and fills that left the window."""
        oldest = max(newest, self._newest_slot()) - self.capacity + 1
        while self.bubbles:
            (slot, _side), _ = next(iter(self.bubbles.items()))
            if slot >= oldest:
                break
            self.bubbles.popitem(last=False)
        while self.fills and self.fills[0][1] // self.column_ms < oldest:
            self.fills.popleft()

    # -- output ----------------------------------------------------------------------------------

    def frame(self, seq: int, acked: int | None, own: list[list[float]], *, whole: bool = False) -> bytes | None:
        """The bytes of frame ``seq``: relative to frame ``acked`` (``None``: to the last one built), or whole.

        Whole when asked, or when ``acked`` is unknown (older than the frames remembered, or none).
        ``None`` when nothing changed since the last frame built (and no whole one is asked for).
        """
        if not whole and not self._dirty and own == self._own:
            return None
        base = self._last if acked is None else self._marks.get(acked)
        if whole or base is None:
            base = None
            self.wholes += 1
        self._dirty = False
        self._own = own
        self.version += 1
        columns = [c for c in self.columns if base is None or c.c > base.c]
        bubble_from = 0 if base is None else base.slot
        bubbles = [(key, b) for key, b in self.bubbles.items() if key[0] >= bubble_from]
        fills = [f for f in self.fills if base is None or f[0] > base.k]
        newest = self.columns[-1] if self.columns else None
        mark = _Mark(self.version, newest.c if newest else 0, self._slot, self._next_k - 1)
        self._marks[seq] = self._last = mark
        while len(self._marks) > MARKS:
            self._marks.popitem(last=False)
        head = {
            "version": self.version,
            "base": 0 if base is None else base.version,
            "now": self.now,
            "bubble_from": bubble_from,
            "bid": newest.bid if newest else 0.0,
            "ask": newest.ask if newest else 0.0,
        }
        return pack_heat(self, head, columns, bubbles, fills, own)


def pack_heat(
    ring: HeatRing,
    head: dict[str, float],
    columns: Sequence[Column],
    bubbles: Sequence[tuple[tuple[int, int], list[float]]],
    fills: Sequence[tuple[int, int, float, float, int]],
    own: Sequence[Sequence[float]],
) -> bytes:
    """The frame's bytes (layout in the module docstring)."""
    values = array(
        "d",
        (
            LAYOUT,
            head["version"],
            head["base"],
            ring.levels,
            ring.step,
            ring.column_ms,
            ring.capacity,
            len(columns),
            len(bubbles),
            len(fills),
            len(own),
            head["now"],
            head["bubble_from"],
            head["bid"],
            head["ask"],
            0.0,
        ),
    )
    for col in columns:
        values.extend((col.c, col.n, col.ts, col.p0, col.bid, col.ask))
    tail = array("d")
    for (slot, side), (pq, qty, count) in bubbles:
        tail.extend((slot, side, pq / qty if qty else 0.0, qty, count))
    for k, ts, price, qty, side in fills:
        tail.extend((k, ts, price, qty, side))
    for mark in own:
        tail.extend(float(v) for v in mark[:OWN])
    return values.tobytes() + b"".join(c.sizes for c in columns) + tail.tobytes()


def unpack_heat(data: bytes) -> dict[str, Any]:
    """Inverse of :func:`pack_heat` (for tests and tools): the header's fields and the blocks as lists."""
    head = array("d")
    head.frombytes(data[: 8 * HEADER])
    if len(head) < HEADER or head[0] != LAYOUT:
        raise ValueError(f"not a heatmap frame of layout {LAYOUT}: {len(data)} bytes")
    names = ("layout", "version", "base", "levels", "step", "column_ms", "capacity", "C", "B", "F", "O", "now")
    out: dict[str, Any] = {name: head[i] for i, name in enumerate(names)}
    out.update(bubble_from=head[12], bid=head[13], ask=head[14])
    rows, count = 2 * int(out["levels"]), int(out["C"])
    at = 8 * HEADER
    heads = array("d")
    heads.frombytes(data[at : at + 8 * COLUMN_HEAD * count])
    at += 8 * COLUMN_HEAD * count
    out["columns"] = []
    for i in range(count):
        sizes = array("f")
        sizes.frombytes(data[at : at + 4 * rows])
        at += 4 * rows
        c, n, ts, p0, bid, ask = heads[i * COLUMN_HEAD : (i + 1) * COLUMN_HEAD]
        out["columns"].append(
            {"c": int(c), "n": int(n), "ts": int(ts), "p0": p0, "bid": bid, "ask": ask, "sizes": sizes}
        )
    tail = array("d")
    tail.frombytes(data[at:])
    for key, width, count_key in (("bubbles", BUBBLE, "B"), ("fills", FILL, "F"), ("own", OWN, "O")):
        n = int(out[count_key])
        out[key] = [list(tail[j * width : (j + 1) * width]) for j in range(n)]
        tail = tail[n * width :]
    if len(tail):
        raise ValueError(f"heatmap frame has {len(tail)} values left over")
    return out
