"""What each kind of feed keeps: the state built from a topic's messages.

One reducer per topic kind turns wire messages into the value a consumer
reads as ``feed.latest``: an order book view, a merged ticker, a ring buffer
of trades, upserted klines, private orders/executions/positions/wallet.
Reducers are pure (no I/O, no asyncio) so they are tested with plain dicts;
the subscription that owns one decides what to do with their outcomes.

``apply`` returns :data:`APPLIED`, :data:`IGNORED` (a stale or duplicate
message), or :data:`DROPPED` (data that cannot be used yet, e.g. a delta
before its snapshot). It raises :class:`NeedsResync` when the state can only
be repaired by a fresh snapshot, and :class:`BadMessage` for a message that
is not what the topic carries. Values are built lazily in ``latest()`` and
cached per ``version``: a widget reading at 30 Hz costs nothing between
updates, and nothing is built for messages nobody reads.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ..protocol.orderbook import (
    CrossedBook,
    MalformedBookMessage,
    NotSynced,
    OrderBook,
    SequenceGap,
)
from ..protocol.positions import position_key
from ..protocol.records import Execution, Kline, Order, Position, PublicTrade, Ticker, Wallet

__all__ = [
    "Outcome",
    "APPLIED",
    "IGNORED",
    "DROPPED",
    "NeedsResync",
    "BadMessage",
    "BookView",
    "Reducer",
    "BookReducer",
    "TickerReducer",
    "TradesReducer",
    "KlineReducer",
    "OrdersReducer",
    "ExecutionsReducer",
    "PositionsReducer",
    "PositionMap",
    "WalletReducer",
    "reducer_for",
]


class Outcome(IntEnum):
    """What ``apply`` did with a message (see the module docstring)."""

    APPLIED = 1
    IGNORED = 0
    DROPPED = -1


APPLIED, IGNORED, DROPPED = Outcome.APPLIED, Outcome.IGNORED, Outcome.DROPPED


class NeedsResync(Exception):
    """The state is no longer trustworthy; a fresh snapshot (resubscribe) repairs it.

    ``kind`` is ``"gap"``, ``"crossed"`` or ``"malformed"`` so that counters tell them apart.
    """

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class BadMessage(Exception):
    """A message this topic cannot carry; it is skipped and the stream goes on."""


@dataclass(frozen=True)
class BookView:
    """An immutable picture of an order book at one update id.

    ``bids``/``asks`` are ``(price, size)`` floats, best first. Built from a
    synced book only, so it is never crossed and always sorted.
    """

    symbol: str | None
    bids: list[tuple[float, float]]
    asks: list[tuple[float, float]]
    u: int | None
    seq: int | None
    ts: int | None
    cts: int | None

    @property
    def best_bid(self) -> float | None:
        return self.bids[0][0] if self.bids else None

    @property
    def best_ask(self) -> float | None:
        return self.asks[0][0] if self.asks else None

    @property
    def mid(self) -> float | None:
        if not self.bids or not self.asks:
            return None
        return (self.bids[0][0] + self.asks[0][0]) / 2.0

    @property
    def spread(self) -> float | None:
        if not self.bids or not self.asks:
            return None
        return self.asks[0][0] - self.bids[0][0]

    def __repr__(self) -> str:
        return (
            f"BookView({self.symbol}, u={self.u}, bids={len(self.bids)}, asks={len(self.asks)}, "
            f"best_bid={self.best_bid}, best_ask={self.best_ask})"
        )


class Reducer:
    """Base: a version counter and the lazily built, cached ``latest`` value."""

    #: kinds of silence that are normal for this topic (trades on a quiet symbol, private events)
    watch_silence = True

    def __init__(self) -> None:
        self.version = 0
        self._cached_version = -1
        self._cached: Any = None

    def apply(self, message: dict) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def latest(self) -> Any:
        if self._cached_version != self.version:
            self._cached = self._build()
            self._cached_version = self.version
        return self._cached

    def _build(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def backfill(self, records: Iterable[Any]) -> int:
        """Merge records fetched over REST (history) into the state; only topics with history have it."""
        raise BadMessage(f"{type(self).__name__} keeps no history to backfill")

    def on_disconnect(self) -> None:
        """The stream was interrupted; what comes next starts with fresh data."""

    @property
    def awaiting_snapshot(self) -> bool:
        """True while the value cannot be updated until a snapshot arrives."""
        return False


class BookReducer(Reducer):
    """``orderbook.{depth}.{symbol}``: a sequence-checked :class:`OrderBook`.

    ``latest()`` is the view of the last *synced* state: while the book waits
    for a snapshot (after a gap, a crossed or malformed message, a reconnect)
    it keeps returning the last good view it built (or ``None``).
    """

    def __init__(self, symbol: str | None = None) -> None:
        super().__init__()
        self.book = OrderBook(symbol)
        self.resets = 0  # snapshots that moved a live book's u backwards (u=1: the service restarted)

    def apply(self, message: dict) -> int:
        book = self.book
        try:
            previous_u = book.u if book.synced else None
            changed = book.apply(message)
        except SequenceGap as exc:
            raise NeedsResync(str(exc), "gap") from None
        except NotSynced:
            return DROPPED
        except CrossedBook as exc:
            raise NeedsResync(str(exc), "crossed") from None
        except MalformedBookMessage as exc:
            raise NeedsResync(f"malformed book message: {exc}", "malformed") from None
        if not changed:
            return IGNORED
        if previous_u is not None and (book.u == 1 or book.u < previous_u):  # type: ignore[operator]
            self.resets += 1  # only a snapshot can go back; level-1 re-pushes keep their u
        self.version += 1
        return APPLIED

    def latest(self) -> BookView | None:
        if self.book.synced and self._cached_version != self.version:
            try:
                self._cached = self._build()
            except MalformedBookMessage:
                # A stored size turned out unreadable: the book is unsynced now, keep the last good view.
                self.book.synced = False
                return self._cached
            self._cached_version = self.version
        return self._cached

    def _build(self) -> BookView:
        book = self.book
        return BookView(book.symbol, book.bids(), book.asks(), book.u, book.seq, book.ts, book.cts)

    def on_disconnect(self) -> None:
        self.book.synced = False

    @property
    def awaiting_snapshot(self) -> bool:
        return not self.book.synced


class TickerReducer(Reducer):
    """``tickers.{symbol}``: linear/inverse deltas merged into the last snapshot; spot is snapshots only."""

    def __init__(self) -> None:
        super().__init__()
        self._fields: dict[str, Any] | None = None

    def apply(self, message: dict) -> int:
        data = message.get("data")
        if isinstance(data, list):  # the docs' tables say "array"; the wire sends an object
            data = data[-1] if data else None
        if not isinstance(data, dict):
            raise BadMessage(f"ticker message without a data object: {_preview(message)}")
        kind = message.get("type", "snapshot")
        if kind == "snapshot":
            self._fields = dict(data)
        elif kind == "delta":
            if self._fields is None:
                return DROPPED
            self._fields.update(data)
        else:
            raise BadMessage(f"unknown ticker message type {kind!r}")
        self.version += 1
        return APPLIED

    def _build(self) -> Ticker | None:
        return Ticker.from_wire(self._fields) if self._fields is not None else None

    @property
    def awaiting_snapshot(self) -> bool:
        return self._fields is None


class TradesReducer(Reducer):
    """``publicTrade.{symbol}``: a bounded ring buffer of trades, oldest first."""

    watch_silence = False  # a quiet symbol may not trade for minutes

    def __init__(self, maxlen: int = 200) -> None:
        super().__init__()
        self.trades: deque[PublicTrade] = deque(maxlen=maxlen)
        self._backfilled: frozenset[str] = frozenset()  # ids of the last REST page, which the stream may repeat

    def resize(self, maxlen: int) -> None:
        if maxlen > (self.trades.maxlen or 0):
            self.trades = deque(self.trades, maxlen=maxlen)

    def apply(self, message: dict) -> int:
        items = message.get("data")
        if not isinstance(items, list):
            raise BadMessage(f"publicTrade message without a data list: {_preview(message)}")
        trades = [PublicTrade.from_wire(item) for item in items if isinstance(item, dict)]
        if len(trades) != len(items):
            raise BadMessage(f"publicTrade items must be objects: {_preview(message)}")
        if self._backfilled:
            trades = [t for t in trades if t.trade_id not in self._backfilled]
        if not trades:
            return IGNORED
        self.trades.extend(trades)
        self.version += 1
        return APPLIED

    def backfill(self, records: Iterable[PublicTrade]) -> int:
        """Merge a REST page of recent trades: each trade once (by id), all in time order.

        Decision: the page and the stream overlap (see :mod:`.backfill`); a trade already held is
        skipped, and the page's ids are remembered so that the stream repeating one later is skipped
        too. On equal times the page's trades go first (they were on the exchange before the stream's).
        """
        page = [t for t in records if t.trade_id is not None]
        self._backfilled = frozenset(t.trade_id for t in page)  # type: ignore[misc]
        held = {t.trade_id for t in self.trades}
        fresh = [t for t in page if t.trade_id not in held]
        if not fresh:
            return IGNORED
        merged = sorted([*fresh, *self.trades], key=lambda t: t.time or 0)
        self.trades = deque(merged, maxlen=self.trades.maxlen)
        self.version += 1
        return APPLIED

    def _build(self) -> list[PublicTrade]:
        return list(self.trades)


class KlineReducer(Reducer):
    """``kline.{interval}.{symbol}``: candles ascending by start, upserted (the forming one last)."""

    def __init__(self, maxlen: int = 1000) -> None:
        super().__init__()
        self.maxlen = maxlen
        self._starts: list[int] = []
        self._by_start: dict[int, Kline] = {}

    def resize(self, maxlen: int) -> None:
        self.maxlen = max(self.maxlen, maxlen)

    def apply(self, message: dict) -> int:
        items = message.get("data")
        if not isinstance(items, list):
            raise BadMessage(f"kline message without a data list: {_preview(message)}")
        changed = False
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("start"), int):
                raise BadMessage(f"kline item without a numeric start: {_preview(item)}")
            kline = Kline.from_wire(item)
            start = item["start"]
            old = self._by_start.get(start)
            if old is not None and old.confirm and not kline.confirm:
                continue  # a closed candle is final; a late "forming" copy must not reopen it
            self._put(start, kline)
            changed = True
        return self._settled(changed)

    def backfill(self, records: Iterable[Kline]) -> int:
        """Merge a REST page of candles: only starts not held yet are added.

        Decision: a candle the stream already delivered is at least as new as REST's copy (the page
        was fetched after the subscription went live), so the streamed one wins; REST's copy of the
        forming candle is upserted by the stream's next message.
        """
        changed = False
        for kline in records:
            start = kline.start
            if start is None or start in self._by_start:
                continue
            self._put(start, kline)
            changed = True
        return self._settled(changed)

    def _put(self, start: int, kline: Kline) -> None:
        """Upsert the candle of ``start``, keeping the starts sorted."""
        if start not in self._by_start:
            self._starts.insert(bisect_left(self._starts, start), start)
        self._by_start[start] = kline

    def _settled(self, changed: bool) -> int:
        """After a message or a page: trim to ``maxlen``; a new version only when something changed."""
        self._trim()
        if not changed:
            return IGNORED
        self.version += 1
        return APPLIED

    def _trim(self) -> None:
        while len(self._starts) > self.maxlen:
            del self._by_start[self._starts.pop(0)]

    def _build(self) -> list[Kline]:
        return [self._by_start[s] for s in self._starts]


class _KeyedReducer(Reducer):
    """Private topics whose items update records by key (orders by id, positions by symbol)."""

    watch_silence = False  # private topics are quiet until something happens
    record: Callable[[dict], Any]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[Any, Any] = {}

    def key(self, item: dict) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def apply(self, message: dict) -> int:
        items = message.get("data")
        if not isinstance(items, list):
            raise BadMessage(f"{message.get('topic')} message without a data list: {_preview(message)}")
        changed = False
        for item in items:
            if not isinstance(item, dict):
                raise BadMessage(f"{message.get('topic')} items must be objects: {_preview(item)}")
            key = self.key(item)
            if type(key) is not str:  # missing, or e.g. a list: never a dict key
                raise BadMessage(f"{message.get('topic')} item without its key field: {_preview(item)}")
            old = self.items.get(key)
            new = type(self).record(item)  # type: ignore[misc]
            if old is not None and _older(new, old):
                continue  # events can arrive out of order; never step back in time
            self.items[key] = new
            changed = True
        if not changed:
            return IGNORED
        self._after_update()
        self.version += 1
        return APPLIED

    def _after_update(self) -> None:
        pass

    def _build(self) -> dict[Any, Any]:
        return dict(self.items)


class OrdersReducer(_KeyedReducer):
    """``order``: orderId -> :class:`Order`, newest state per order; old closed orders are trimmed."""

    record = staticmethod(Order.from_wire)

    def __init__(self, max_closed: int = 500) -> None:
        super().__init__()
        self.max_closed = max_closed
        self.items: OrderedDict[str, Order] = OrderedDict()

    def key(self, item: dict) -> str | None:
        return item.get("orderId") or None

    def _after_update(self) -> None:
        closed = [k for k, o in self.items.items() if not o.is_open]
        for key in closed[: max(0, len(closed) - self.max_closed)]:
            del self.items[key]


class PositionMap(dict):
    """Positions by :attr:`Position.key`, where a bare symbol also finds a hedged symbol's row.

    ``positions["BTCUSDT"]`` is the one-way row; for a hedged symbol it is its
    only row, or its only open side; with both sides open it is ambiguous and
    raises a ``KeyError`` naming ``"BTCUSDT/long"`` and ``"BTCUSDT/short"``.
    """

    def __missing__(self, key: str) -> Position:
        rows = [p for k, p in self.items() if isinstance(k, str) and k.startswith(f"{key}/")]
        open_rows = [p for p in rows if not p.is_flat]
        if len(rows) == 1 or len(open_rows) == 1:
            return (open_rows or rows)[0]
        if rows:
            raise KeyError(f"{key} is in hedge mode with both sides open: use '{key}/long' or '{key}/short'")
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default


class PositionsReducer(_KeyedReducer):
    """``position``: key -> :class:`Position`; a flat position stays with size 0.

    The key is the symbol for a one-way row and ``symbol/long`` /
    ``symbol/short`` for the two rows of a hedged symbol
    (``protocol.positions.position_key``), so one side never overwrites the other.
    """

    record = staticmethod(Position.from_wire)

    def _build(self) -> PositionMap:
        return PositionMap(self.items)

    def key(self, item: dict) -> str | None:
        symbol, idx = item.get("symbol"), item.get("positionIdx", 0)
        if not symbol or type(symbol) is not str or type(idx) is not int:
            return None
        return position_key(symbol, idx)


class ExecutionsReducer(Reducer):
    """``execution``: the latest executions, oldest first, each once (deduplicated by execId)."""

    watch_silence = False

    def __init__(self, maxlen: int = 500) -> None:
        super().__init__()
        self.executions: deque[Execution] = deque(maxlen=maxlen)
        self._ids: set[str] = set()

    def resize(self, maxlen: int) -> None:
        if maxlen > (self.executions.maxlen or 0):
            self.executions = deque(self.executions, maxlen=maxlen)

    def apply(self, message: dict) -> int:
        items = message.get("data")
        if not isinstance(items, list):
            raise BadMessage(f"execution message without a data list: {_preview(message)}")
        added = 0
        for item in items:
            if not isinstance(item, dict):
                raise BadMessage(f"execution items must be objects: {_preview(item)}")
            exec_id = item.get("execId")
            if exec_id is not None and type(exec_id) is not str:
                raise BadMessage(f"execution item with a non-string execId: {_preview(item)}")
            if exec_id in self._ids:
                continue
            if len(self.executions) == self.executions.maxlen:
                self._ids.discard(self.executions[0].exec_id)  # type: ignore[arg-type]
            execution = Execution.from_wire(item)
            self.executions.append(execution)
            if exec_id is not None:
                self._ids.add(exec_id)
            added += 1
        if not added:
            return IGNORED
        self.version += 1
        return APPLIED

    def _build(self) -> list[Execution]:
        return list(self.executions)


class WalletReducer(Reducer):
    """``wallet``: the newest account object as a :class:`Wallet` (Bybit sends no snapshot on subscribe)."""

    watch_silence = False

    def __init__(self) -> None:
        super().__init__()
        self._item: dict | None = None

    def apply(self, message: dict) -> int:
        items = message.get("data")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise BadMessage(f"wallet message without a list of objects: {_preview(message)}")
        if not items:
            return IGNORED
        unified = [i for i in items if i.get("accountType") == "UNIFIED"]
        self._item = (unified or items)[-1]
        self.version += 1
        return APPLIED

    def _build(self) -> Wallet | None:
        return Wallet.from_wire(self._item) if self._item is not None else None


def reducer_for(kind: str, *, symbol: str | None = None, maxlen: int | None = None) -> Reducer:
    """The reducer for a topic kind (``orderbook``, ``tickers``, ``publicTrade``, ``kline``, private kinds)."""
    if kind == "orderbook":
        return BookReducer(symbol)
    if kind == "tickers":
        return TickerReducer()
    if kind == "publicTrade":
        return TradesReducer(maxlen or 200)
    if kind == "kline":
        return KlineReducer(maxlen or 1000)
    if kind == "order":
        return OrdersReducer()
    if kind == "execution":
        return ExecutionsReducer(maxlen or 500)
    if kind == "position":
        return PositionsReducer()
    if kind == "wallet":
        return WalletReducer()
    raise ValueError(f"no feed state for topic kind {kind!r}")


def _older(new: Any, old: Any) -> bool:
    new_t, old_t = getattr(new, "updated_time", None), getattr(old, "updated_time", None)
    return new_t is not None and old_t is not None and new_t < old_t


def _preview(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 160 else text[:157] + "..."
