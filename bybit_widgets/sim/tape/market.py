"""One symbol's market moved by a tape instead of a generator.

A :class:`TapeMarket` is the engine's :class:`~bybit_widgets.sim.engine.market.Market` with the
generator switched off: its crowd liquidity is set, level by level, to the history file's book,
and its public trades are the file's trades (their ids, sides, sizes and tick directions). Every
other part of the exchange (book streams at 1/50/200, tickers, klines, REST market data, the
matching engine) reads it like any other market, so a replayed symbol is served exactly like a
live one.

How user orders meet history (the replayed history never changes):

* a user's marketable order takes the crowd at the replayed levels, as it would live; what it
  took is missing from that level until the file next updates it (the file's sizes are absolute,
  so the next delta of a level restores history there);
* a resting user order fills as a maker when the replayed book moves through its price (the file
  shows the other side at or beyond it) and when a replayed trade prints at its price for more
  than the crowd queued ahead of it;
* user fills are private (execution, order, position, wallet): they never print on the public
  trade tape, move the last price or the candles, which stay the file's.

Cost: setting a level is two dict lookups and at most one sorted-list insert or removal (not yet
benchmarked on its own; the tape's memory and seeks are in ``benchmarks/results/tape.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ..engine.book import BookSide
from ..engine.candles import Candle, CandleSeries, bucket_end, bucket_start
from ..engine.instruments import Instrument
from ..engine.market import Market
from .files import BookFrame, TapeError, Trade
from .index import TapeBook

__all__ = ["TapeMarket"]


class TapeMarket(Market):
    """A market whose book and trades come from a history file (see the module docstring)."""

    def __init__(self, inst: Instrument, seed: int, now_ms: int) -> None:
        super().__init__(inst, seed, now_ms)
        self._ticks: dict[str, int] = {}
        self._lots: dict[str, int] = {}

    # -- the generator is off -----------------------------------------------------------------------
    def step(self, now_ms: int) -> None:
        self.ticks += 1

    def _seed_book(self, mid: int) -> None:
        """No generated liquidity: the file's book arrives with its first frame."""

    def _history(self) -> CandleSeries:
        """No invented history: candles start with the file's first trade."""
        return _empty_series("1", self.last, self._start_ms)

    def _trade(self, taker_side: str, price: int, lots: int, now_ms: int) -> None:
        """A user's fill is private: the public tape, the last price and the candles stay the file's."""

    # -- the file's book ----------------------------------------------------------------------------
    def load(self, book: TapeBook) -> None:
        """Make the crowd the whole of ``book`` (a snapshot, or the book after a seek)."""
        for side, levels in ((self.book.bids, book.bids), (self.book.asks, book.asks)):
            wanted = {self._price(p): self._size(q) for p, q in levels.items()}
            for price in [p for p in side.sizes if p not in wanted]:
                _set_crowd(side, price, 0)
            for price, lots in wanted.items():
                _set_crowd(side, price, lots)
        self._moved(book.t_ms)

    def apply(self, frame: BookFrame) -> None:
        """One frame of the file: a snapshot replaces the book, a delta sets the levels it names."""
        if frame.kind == "snapshot":
            book = TapeBook()
            book.apply(frame)
            self.load(book)
            return
        for side, levels in ((self.book.bids, frame.bids), (self.book.asks, frame.asks)):
            for price, size in levels:
                _set_crowd(side, self._price(price), self._size(size))
        self._moved(frame.t_ms)

    def _moved(self, t_ms: int) -> None:
        self.u += 1
        bid, ask = self.book.bids.best(), self.book.asks.best()
        if bid is not None and ask is not None:
            self.mark = (bid + ask) // 2
            self.index = float(self.inst.price_of(self.mark))
            self.fair = self.index
        self._fill_crossed()

    def _fill_crossed(self) -> None:
        """User orders the replayed book moved through fill as makers at their own price."""
        for resting, other in ((self.book.bids, self.book.asks), (self.book.asks, self.book.bids)):
            while True:
                best, facing = resting.best(), other.best()
                if best is None or facing is None or not resting.has_users(best):
                    break
                if (best < facing) if resting.is_bid else (best > facing):
                    break
                if not resting.take_level(best, resting.sizes[best], self.on_maker_fill):
                    break

    # -- the file's trades --------------------------------------------------------------------------
    def print_trade(self, trade: Trade) -> None:
        """A trade of the file on the public tape; a user order resting at its price may share it."""
        price, lots = self._price(trade.price), self._size(trade.size)
        self._record_trade(self._item(trade, price, lots), price, lots, trade.t_ms)
        makers = self.book.bids if trade.side == "Sell" else self.book.asks
        if makers.has_users(price):
            makers.take_level(price, lots, self.on_maker_fill)

    def _item(self, trade: Trade, price: int, lots: int) -> dict[str, Any]:
        self.seq += 1
        self.tick_direction = trade.tick_direction or self.tick_direction
        return {
            "T": trade.t_ms,
            "s": self.inst.symbol,
            "S": trade.side,
            "v": self.inst.qty_str(lots),
            "p": self.inst.price_str(price),
            "L": self.tick_direction,
            "i": trade.trade_id,
            "BT": False,
            "RPI": False,
            "seq": self.seq,
        }

    def recall(self, trades: Sequence[Trade], t_ms: int) -> None:
        """A seek to ``t_ms``: ``trades``, the file's last before it, become the recent past, not news.

        They fill the REST tape, set the last price and build the candles (one-minute candles, the
        other intervals aggregated from them), but they count as printed nowhere: ``n_trades`` stays
        and each candle series keeps its count of closed candles, so open streams push only what
        happens from ``t_ms`` on. The serve module bounds how many (measured in bench_recall).
        """
        cursors = {interval: series.n_closed for interval, series in self._series.items()}
        self.tape.clear()
        if trades:
            self.last = self._price(trades[0].price)
        base = _empty_series("1", self.last, trades[0].t_ms if trades else t_ms)
        for trade in trades:
            price, lots = self._price(trade.price), self._size(trade.size)
            self.tape.append(self._item(trade, price, lots))
            base.add(trade.t_ms, price, lots)
            self.last = price
        self._series = {"1": base}
        for interval, closed in cursors.items():
            self.series(interval, t_ms).n_closed = closed  # candle cursors of open streams stay valid
        self._stats_key = -1

    # -- text to integers ---------------------------------------------------------------------------
    def _price(self, text: str) -> int:
        ticks = self._ticks.get(text)
        if ticks is None:
            ticks = _exact(
                self.inst.ticks_exact, text, f"price {text!r} is not a multiple of the tick {self.inst.tick}"
            )
            self._ticks[text] = ticks
        return ticks

    def _size(self, text: str) -> int:
        lots = self._lots.get(text)
        if lots is None:
            step = self.inst.step
            lots = _exact(self.inst.lots_exact, text, f"size {text!r} is not a multiple of the qty step {step}")
            self._lots[text] = lots
        return lots


def _exact(convert: Any, text: str, why: str) -> int:
    try:
        value = convert(Decimal(text))
    except (InvalidOperation, TypeError):
        value = None
    if value is None or value < 0:
        raise TapeError(f"{why} of this exchange's instrument")
    return value


def _set_crowd(side: BookSide, price: int, lots: int) -> None:
    crowd = side.crowd_lots(price)
    if lots > crowd:
        side.add_crowd(price, lots - crowd)
    elif lots < crowd:
        side.cancel_crowd(price, crowd - lots)


def _empty_series(interval: str, price: int, t_ms: int) -> CandleSeries:
    start = bucket_start(interval, t_ms)
    return CandleSeries(interval, Candle(start, bucket_end(interval, start), price, price, price, price))
