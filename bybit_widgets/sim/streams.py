"""Public topic streams of the live simulated market: one object per subscribed topic.

Each stream turns the engine's state into Bybit v5 frames on its push
schedule and keeps what it last pushed, so that

* a frame is computed once per push and the same text goes to every
  subscriber (fan-out is the hub's job, never the stream's);
* a new subscriber gets a snapshot *of the last push* with its ``u``, which
  the next shared delta continues exactly;
* the ground truth of a book topic is the book as of its last push with that
  push's ``u``: what a correct client holds once caught up.

Order-book deltas carry only the levels that differ from the last pushed
top-N (size ``"0"`` for a level that left it). Sequence faults (gap,
duplicate, reorder, reset) act inside :meth:`BookStream.produce` because only
there is the ``u`` numbering decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from ..protocol.topics import ORDERBOOK_PUSH_MS, Topic

__all__ = [
    "PushContext",
    "TopicStream",
    "BookStream",
    "TickerStream",
    "KlineStream",
    "TradeStream",
    "QuietStream",
    "TICK_MS",
    "MAX_TRADES_PER_FRAME",
]

TICK_MS = 10  # the market loop's tick; every schedule below is a whole number of ticks
MAX_TRADES_PER_FRAME = 1024  # Bybit's cap per publicTrade message
_L1_REPUSH_MS = 3000  # level 1 re-sends an unchanged snapshot (same u) after 3 s
_KLINE_PUSH_MS = 1000  # forming candle pushed about every second
_KLINE_CHECK_MS = 100  # how quickly a closed candle (confirm=true) goes out


def _dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode()


@dataclass
class PushContext:
    """What every stream needs at a push: server time, engine time and cross sequence."""

    now_ms: int
    cts: int
    seq: int


class TopicStream(Protocol):
    name: str
    category: str
    period: int  # push schedule in ticks

    def produce(self, ctx: PushContext, fault: str | None) -> list[str]: ...

    def join(self, ctx: PushContext) -> list[str]: ...


class _SymbolTopic:
    """What every per-symbol stream knows: the exchange, its market and the topic it serves."""

    def __init__(self, exchange: Any, category: str, topic: Topic) -> None:
        assert topic.symbol is not None
        self.exchange = exchange
        self.category = category
        self.name = topic.name
        self.symbol: str = topic.symbol


class BookStream(_SymbolTopic):
    """``orderbook.{depth}.{symbol}``: snapshot, then deltas of the top ``depth`` levels."""

    kind = "orderbook"

    def __init__(self, exchange: Any, category: str, topic: Topic, u_start: int) -> None:
        assert topic.depth is not None and topic.symbol is not None
        _SymbolTopic.__init__(self, exchange, category, topic)
        self.depth = topic.depth
        self.period = max(1, ORDERBOOK_PUSH_MS[self.depth] // TICK_MS)
        self.u = u_start - 1  # u of the last push
        self.seq = 0
        self.cts = 0
        self.pushed = False
        self.bids: list[list[str]] = []  # as of the last push
        self.asks: list[list[str]] = []
        self._bid_map: dict[str, str] = {}
        self._ask_map: dict[str, str] = {}
        self._last_push_ms = 0
        self._pending_fault: str | None = None
        self._held: str | None = None  # a delta held back by a reorder fault

    # -- frames ------------------------------------------------------------------------------------
    def _frame(self, kind: str, bids: list, asks: list, ctx: PushContext) -> str:
        return _dumps(
            {
                "topic": self.name,
                "type": kind,
                "ts": ctx.now_ms,
                "data": {"s": self.symbol, "b": bids, "a": asks, "u": self.u, "seq": self.seq},
                "cts": self.cts,
            }
        )

    def _snapshot(self, ctx: PushContext) -> str:
        return self._frame("snapshot", self.bids, self.asks, ctx)

    def _record(self, bids: list, asks: list, ctx: PushContext) -> None:
        self.bids, self.asks = bids, asks
        self._bid_map, self._ask_map = dict(bids), dict(asks)
        self.seq, self.cts = ctx.seq, ctx.cts
        self._last_push_ms = ctx.now_ms
        self.pushed = True

    # -- schedule ----------------------------------------------------------------------------------
    def produce(self, ctx: PushContext, fault: str | None) -> list[str]:
        if fault is not None:
            self._pending_fault = fault
        bids, asks = self.exchange.book_levels(self.category, self.symbol, self.depth)
        fault = self._pending_fault
        if not self.pushed or fault == "reset":
            self._pending_fault = None
            self.u = 0 if fault == "reset" else self.u
            return self._push_snapshot(bids, asks, ctx)
        if self.depth == 1:
            if bids == self.bids and asks == self.asks:
                if ctx.now_ms - self._last_push_ms < _L1_REPUSH_MS:
                    return []
                self._last_push_ms = ctx.now_ms
                return [self._snapshot(ctx)]  # same book, same u
            self._consume_gap()
            return self._push_snapshot(bids, asks, ctx)
        changed_b = _diff(self._bid_map, self.bids, bids)
        changed_a = _diff(self._ask_map, self.asks, asks)
        if changed_b is None and changed_a is None:
            return []
        self._consume_gap()
        self.u += 1
        self._record(bids, asks, ctx)
        frame = self._frame("delta", changed_b or [], changed_a or [], ctx)
        return self._apply_delivery_fault(frame)

    def _push_snapshot(self, bids: list, asks: list, ctx: PushContext) -> list[str]:
        self.u += 1
        self._record(bids, asks, ctx)
        frames = [self._snapshot(ctx)]
        if self._held is not None:  # a reorder that never saw a second delta: deliver late, still swapped
            frames.insert(0, self._held)
            self._held = None
        return frames

    def _consume_gap(self) -> None:
        if self._pending_fault == "gap":
            self._pending_fault = None
            self.u += 1  # the u that no client will ever see

    def _apply_delivery_fault(self, frame: str) -> list[str]:
        if self._held is not None:
            held, self._held = self._held, None
            return [frame, held]
        fault = self._pending_fault
        if fault == "duplicate":
            self._pending_fault = None
            return [frame, frame]
        if fault == "reorder":
            self._pending_fault = None
            self._held = frame
            return []
        return [frame]

    def join(self, ctx: PushContext) -> list[str]:
        if not self.pushed:
            return self.produce(ctx, None)
        return [self._snapshot(ctx)]

    def truth(self) -> dict[str, Any]:
        """The book as of the last push: what a correct client holds once caught up."""
        return {
            "topic": self.name,
            "u": self.u if self.pushed else None,
            "seq": self.seq,
            "b": self.bids,
            "a": self.asks,
        }


def _diff(old_map: dict[str, str], old: list, new: list) -> list[list[str]] | None:
    """Levels of ``new`` that differ from ``old`` plus removals as size "0"; ``None`` if equal."""
    if new is old or new == old:
        return None
    new_map = dict(new)
    changes = [[p, s] for p, s in new if old_map.get(p) != s]
    changes.extend([p, "0"] for p in old_map if p not in new_map)
    return changes


class TickerStream(_SymbolTopic):
    """``tickers.{symbol}``: linear snapshot then deltas of changed fields (100 ms); spot snapshots (50 ms)."""

    kind = "tickers"

    def __init__(self, exchange: Any, category: str, topic: Topic) -> None:
        _SymbolTopic.__init__(self, exchange, category, topic)
        self.spot = category == "spot"
        self.period = (50 if self.spot else 100) // TICK_MS
        self.last: dict[str, Any] | None = None
        self._cs = 0

    def _frame(self, kind: str, data: dict, ctx: PushContext) -> str:
        if self.spot:
            return _dumps({"topic": self.name, "ts": ctx.now_ms, "type": kind, "cs": ctx.seq, "data": data})
        return _dumps({"topic": self.name, "type": kind, "data": data, "cs": ctx.seq, "ts": ctx.now_ms})

    def produce(self, ctx: PushContext, fault: str | None) -> list[str]:
        ticker = self.exchange.ticker(self.category, self.symbol)
        last = self.last
        self.last = ticker
        if last is None:
            return [self._frame("snapshot", ticker, ctx)]
        if self.spot:
            return [] if ticker == last else [self._frame("snapshot", ticker, ctx)]
        changed = {k: v for k, v in ticker.items() if last.get(k) != v}
        if not changed:
            return []
        return [self._frame("delta", {"symbol": self.symbol, **changed}, ctx)]

    def join(self, ctx: PushContext) -> list[str]:
        if self.last is None:
            return self.produce(ctx, None)
        return [self._frame("snapshot", self.last, ctx)]


class KlineStream(_SymbolTopic):
    """``kline.{interval}.{symbol}``: the forming candle about every second; closed candles at once."""

    kind = "kline"

    def __init__(self, exchange: Any, category: str, topic: Topic) -> None:
        assert topic.interval is not None
        _SymbolTopic.__init__(self, exchange, category, topic)
        self.interval = topic.interval
        self.period = _KLINE_CHECK_MS // TICK_MS
        self._forming_every = _KLINE_PUSH_MS // _KLINE_CHECK_MS
        self._checks = 0
        _, self._cursor = exchange.klines_closed_since(category, self.symbol, self.interval, 0)

    def _frame(self, candles: list, ctx: PushContext) -> str:
        return _dumps({"topic": self.name, "data": candles, "ts": ctx.now_ms, "type": "snapshot"})

    def produce(self, ctx: PushContext, fault: str | None) -> list[str]:
        closed, self._cursor = self.exchange.klines_closed_since(
            self.category, self.symbol, self.interval, self._cursor
        )
        frames = [self._frame(closed, ctx)] if closed else []
        self._checks += 1
        if self._checks % self._forming_every == 0:
            frames.append(self._frame([self.exchange.kline(self.category, self.symbol, self.interval)], ctx))
        return frames

    def join(self, ctx: PushContext) -> list[str]:
        return [self._frame([self.exchange.kline(self.category, self.symbol, self.interval)], ctx)]


class TradeStream(_SymbolTopic):
    """``publicTrade.{symbol}``: the trades of each tick, in one message (split at 1024)."""

    kind = "publicTrade"

    def __init__(self, exchange: Any, category: str, topic: Topic) -> None:
        _SymbolTopic.__init__(self, exchange, category, topic)
        self.period = 1
        _, self._cursor = exchange.trades_since(category, self.symbol, 0)

    def produce(self, ctx: PushContext, fault: str | None) -> list[str]:
        trades, self._cursor = self.exchange.trades_since(self.category, self.symbol, self._cursor)
        if not trades:
            return []
        return [
            _dumps(
                {"topic": self.name, "type": "snapshot", "ts": ctx.now_ms, "data": trades[i : i + MAX_TRADES_PER_FRAME]}
            )
            for i in range(0, len(trades), MAX_TRADES_PER_FRAME)
        ]

    def join(self, ctx: PushContext) -> list[str]:
        return []


class QuietStream:
    """A valid topic the simulated market never has data for (``allLiquidation``: nobody is liquidated)."""

    kind = "quiet"
    period = 1_000_000

    def __init__(self, category: str, topic: Topic) -> None:
        self.category = category
        self.name = topic.name

    def produce(self, ctx: PushContext, fault: str | None) -> list[str]:
        return []

    def join(self, ctx: PushContext) -> list[str]:
        return []
