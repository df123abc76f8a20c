"""One symbol's market: a seeded order-flow generator driving a book, a trade tape and klines.

The generator moves a fair price with GARCH(1,1) volatility clustering
(compound: a move on a fraction of ticks, so the touch does not flicker
every 10 ms), and every tick the book follows it the way real books do:
liquidity beyond the new fair price is mostly pulled and partly traded
through, makers refill behind the touch, random adds and cancels land near
the touch more often than deep, small taker prints hit the touch, and the
far ends are kept between 1000 and 1400 levels per side. Sizes grow away
from the touch (a power law with lognormal noise).

Everything random comes from one ``random.Random`` per symbol seeded from
``(seed, category, symbol)``, and nothing reads the clock for decisions, so
the evolution is a pure function of the seed and the ticks advanced (the
clock only stamps trades and buckets klines). Trade ids are uuid4 text from
the same generator.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .book import Book, BookSide
from .candles import CandleSeries
from .history import LiveLaws, one_minute_history
from .instruments import Instrument

__all__ = ["Market", "MIN_LEVELS"]

MIN_LEVELS = 1000  # per side, always
_MAX_LEVELS = 1400
_INIT_LEVELS = 1200
_TICKS_PER_DAY = 8_640_000  # 10 ms ticks
_MOVE_P = 0.25  # fraction of ticks on which the fair price moves
_GARCH_ALPHA = 0.06
_GARCH_BETA = 0.92
_PULL_TRADE_P = 0.3  # a level overtaken by the fair price is traded through rather than pulled
_PRINT_P = 0.08  # a taker print at the touch per tick (8/s)
_PRINT_SIGMA = 1.1  # log sd of a print's size around print_lots
_ADD_TRIES = 3
_ADD_P = 0.6
_CANCEL_TRIES = 3
_CANCEL_P = 0.55
_NEAR_SCALE = 60.0  # ticks: mean distance from the touch of an add or a cancel
_REFILL_DENSITY = 0.9
_MAX_SWEEP = 2000  # levels handled per side per tick (a huge jump is spread over ticks)
_TAPE = 5000  # public trades kept
_HISTORY_MIN = 1440  # one-minute candles of history before the start (see history.py)
_INDEX_EVERY = 100  # ticks between index / mark / funding updates (1 s)
_TICK_DIRS = ("PlusTick", "ZeroPlusTick", "MinusTick", "ZeroMinusTick")

# on_fill(maker order or None, price ticks, lots)
FillFn = Callable[[Any, int, int], None]


class Market:
    """State and generator of one symbol (see the module docstring)."""

    def __init__(self, inst: Instrument, seed: int, now_ms: int) -> None:
        spec = inst.spec
        self.inst = inst
        self.book = Book()
        self.rng = random.Random(f"bybit-widgets/{seed}/{spec.category}/{spec.symbol}")
        self.ids = random.Random(f"bybit-widgets/{seed}/{spec.category}/{spec.symbol}/ids")
        self._history_seed = f"bybit-widgets/{seed}/{spec.category}/{spec.symbol}/history"
        tick = float(inst.tick)
        self._tick = tick
        self.fair = float(spec.price)
        per_tick = spec.daily_vol / math.sqrt(_TICKS_PER_DAY) / math.sqrt(_MOVE_P)
        self._var_bar = per_tick * per_tick
        self._var = self._var_bar
        self._omega = (1 - _GARCH_ALPHA - _GARCH_BETA) * self._var_bar
        self._base_lots = max(1.0, spec.level_notional / self.fair / float(inst.step))
        self._print_lots = max(1.0, spec.trade_notional / self.fair / float(inst.step))
        # typical distance between levels: one tick, or about 0.01 bp where ticks are finer than that
        self.spacing = max(1, round(self.fair * 1e-6 / tick))
        self.ticks = 0
        self.u = 1  # moves whenever the book may have changed
        self.seq = 10_000_000 + self.rng.randrange(1_000_000_000)
        self.tape: deque[dict[str, Any]] = deque(maxlen=_TAPE)
        self.n_trades = 0
        start = inst.ticks_round(self.fair)
        self.last = start
        self.prev_trade = start
        self.tick_direction = "ZeroPlusTick"
        self.index = self.fair
        self.mark_premium = 0.0
        self.mark = start
        self.funding_rate = Decimal("0.0001")
        self.open_interest = self._base_lots * 20_000
        self._start_ms = now_ms
        self._series: dict[str, CandleSeries] = {}
        self._stats_key = -1
        self._stats: tuple[int, int, int, int, int, int] = (start, start, start, 0, 0, start)
        self.on_maker_fill: FillFn = _ignore
        self._seed_book(start)

    # -- public numbers -----------------------------------------------------------------------------
    @property
    def symbol(self) -> str:
        return self.inst.symbol

    def index_ticks(self) -> int:
        return self.inst.ticks_round(self.index)

    # -- the book at start ----------------------------------------------------------------------------
    def _size(self, distance: int) -> int:
        rng = self.rng
        return max(1, int(self._base_lots * (1 + distance / 40) ** 0.6 * rng.lognormvariate(0.0, 0.55)))

    def _gap(self) -> int:
        """Ticks to the next level outwards: ``spacing`` on average, never zero."""
        spacing = self.spacing
        if spacing == 1:
            return 1 if self.rng.random() < _REFILL_DENSITY else 2
        return self.rng.randint(1, 2 * spacing - 1)

    def _seed_book(self, mid: int) -> None:
        for side, sign, first in ((self.book.bids, -1, mid - 1), (self.book.asks, 1, mid)):
            price, made = first, 0
            while made < _INIT_LEVELS and price > 0:
                side.add_crowd(price, self._size(made))
                made += 1
                price += sign * self._gap()

    # -- one tick -------------------------------------------------------------------------------------
    def step(self, now_ms: int) -> None:
        """Advance the generated market by one 10 ms tick."""
        rng = self.rng
        self.ticks += 1
        self.u += 1
        if rng.random() < _MOVE_P:
            shock = rng.gauss(0.0, 1.0) * math.sqrt(self._var)
            self._var = self._omega + _GARCH_ALPHA * shock * shock + _GARCH_BETA * self._var
            self.fair *= math.exp(shock)
        fair_ticks = self.fair / self._tick
        bid_target = max(1, math.floor(fair_ticks - 0.5))
        ask_target = bid_target + 1
        book = self.book
        self._overtaken(book.asks, lambda p: p <= bid_target, True, now_ms)
        self._overtaken(book.bids, lambda p: p >= ask_target, False, now_ms)
        self._refill(book.bids, bid_target, -1)
        self._refill(book.asks, ask_target, 1)
        if rng.random() < _PRINT_P:
            self._print(now_ms)
        for _ in range(_ADD_TRIES):
            if rng.random() < _ADD_P:
                self._add_near(rng.random() < 0.5)
        for _ in range(_CANCEL_TRIES):
            if rng.random() < _CANCEL_P:
                self._cancel_near(rng.random() < 0.5)
        self._keep_depth(book.bids, -1)
        self._keep_depth(book.asks, 1)
        if self.ticks % _INDEX_EVERY == 0:
            self._update_index()

    def _overtaken(self, side: BookSide, beyond: Callable[[int], bool], taker_buys: bool, now_ms: int) -> None:
        """Levels the fair price moved past: pulled, or traded through by a crowd taker."""
        rng = self.rng
        for _ in range(_MAX_SWEEP):
            best = side.best()
            if best is None or not beyond(best):
                return
            if rng.random() < _PULL_TRADE_P:
                self.take(taker_buys, best, side.sizes[best], now_ms, self.on_maker_fill)
                continue
            side.cancel_crowd(best, side.sizes[best])
            if side.best() == best:  # user orders are never pulled: the crowd trades them
                self.take(taker_buys, best, side.sizes[best], now_ms, self.on_maker_fill)

    def _refill(self, side: BookSide, target: int, outward: int) -> None:
        """Makers step up to the touch behind a moved price (bounded per tick)."""
        best = side.best()
        if best is None:
            best = target + outward  # an emptied side is rebuilt from the touch
        gap = (target - best) * -outward  # positive: empty ticks between best and target
        if gap <= 0:
            return
        k = level = 0
        while k < gap and level < _MAX_SWEEP:
            side.add_crowd(target + k * outward, self._size(level))
            k += self._gap()
            level += 1

    def _print(self, now_ms: int) -> None:
        """A small taker order at the touch (may walk a few levels)."""
        rng = self.rng
        buy = rng.random() < 0.5 + max(-0.2, min(0.2, (self.fair / self._tick - self._mid()) * 0.2))
        lots = max(1, int(self._print_lots * rng.lognormvariate(0.0, _PRINT_SIGMA)))
        side = self.book.asks if buy else self.book.bids
        best = side.best()
        if best is None:
            return
        limit = best + 3 if buy else best - 3
        self.take(buy, limit, lots, now_ms, self.on_maker_fill)

    def _mid(self) -> float:
        bid, ask = self.book.bids.best(), self.book.asks.best()
        if bid is None or ask is None:
            return self.fair / self._tick
        return (bid + ask) / 2

    def _distance(self) -> int:
        return int(self.rng.expovariate(1.0 / _NEAR_SCALE)) * self.spacing

    def _add_near(self, bid: bool) -> None:
        book = self.book
        side, other = (book.bids, book.asks) if bid else (book.asks, book.bids)
        best = side.best()
        if best is None:
            return
        distance = self._distance()
        price = best - distance if bid else best + distance
        opposite = other.best()
        if price <= 0 or (opposite is not None and (price >= opposite if bid else price <= opposite)):
            return
        side.add_crowd(price, self._size(distance // self.spacing))

    def _cancel_near(self, bid: bool) -> None:
        side = self.book.bids if bid else self.book.asks
        best = side.best()
        if best is None:
            return
        distance = self._distance()
        price = best - distance if bid else best + distance
        size = side.sizes.get(price)
        if size is None:
            return
        lots = max(1, int(size * self.rng.random()))
        if len(side) <= MIN_LEVELS + 50 or distance == 0:
            lots = min(lots, size - 1)  # thin book or the touch: shrink, never delete
        side.cancel_crowd(price, lots)

    def _keep_depth(self, side: BookSide, outward: int) -> None:
        count = len(side)
        if count < MIN_LEVELS + 100:
            worst = side.worst()
            price = (worst if worst is not None else self.inst.ticks_round(self.fair)) + outward
            distance = count
            while count < MIN_LEVELS + 150 and price > 0:
                side.add_crowd(price, self._size(distance))
                count += 1
                distance += 1
                price += outward * self._gap()
        elif count > _MAX_LEVELS:
            for rank in list(side.ranks.islice(_MAX_LEVELS, count)):
                price = -rank if side.is_bid else rank
                if not side.has_users(price):
                    side.cancel_crowd(price, side.sizes[price])

    def _update_index(self) -> None:
        rng = self.rng
        self.index = self.fair * (1.0 + rng.gauss(0.0, 2e-5))
        premium = (self._mid() * self._tick - self.index) / self.index
        self.mark_premium = 0.9 * self.mark_premium + 0.1 * premium
        self.mark = self.inst.ticks_round(self.index * (1.0 + self.mark_premium))
        rate = 0.0001 + max(-0.0005, min(0.0005, self.mark_premium - 0.0001))
        self.funding_rate = Decimal(f"{max(-0.005, min(0.005, rate)):.8f}")
        self.open_interest = max(self._base_lots * 1000, self.open_interest * (1.0 + rng.gauss(0.0, 0.0005)))

    # -- taking liquidity -----------------------------------------------------------------------------
    def take(self, buy: bool, limit: int | None, lots: int, now_ms: int, on_fill: FillFn) -> int:
        """A taker buying (asks) or selling (bids) up to ``lots`` at prices no worse than ``limit``.

        Prints one public trade per maker fill, updates last price, tick
        direction and klines, and reports each fill through ``on_fill``.
        Returns the lots filled.
        """
        side = self.book.asks if buy else self.book.bids
        filled = 0
        taker_side = "Buy" if buy else "Sell"

        def fill(maker: Any, price: int, take: int) -> None:
            self._trade(taker_side, price, take, now_ms)
            on_fill(maker, price, take)

        while filled < lots:
            best = side.best()
            if best is None or (limit is not None and (best > limit if buy else best < limit)):
                break
            filled += side.take_level(best, lots - filled, fill)
        return filled

    def _trade(self, taker_side: str, price: int, lots: int, now_ms: int) -> None:
        prev = self.last
        if price > prev:
            direction = "PlusTick"
        elif price < prev:
            direction = "MinusTick"
        else:
            direction = "ZeroPlusTick" if self.tick_direction in ("PlusTick", "ZeroPlusTick") else "ZeroMinusTick"
        self.tick_direction = direction
        self.seq += 1 + (self.ids.getrandbits(2))
        inst = self.inst
        item = {
            "T": now_ms,
            "s": inst.symbol,
            "S": taker_side,
            "v": inst.qty_str(lots),
            "p": inst.price_str(price),
            "L": direction,
            "i": str(uuid.UUID(int=self.ids.getrandbits(128), version=4)),
            "BT": False,
            "RPI": False,
            "seq": self.seq,
        }
        if not inst.is_linear:
            del item["L"]
        self._record_trade(item, price, lots, now_ms)

    def _record_trade(self, item: dict[str, Any], price: int, lots: int, now_ms: int) -> None:
        """One public trade: the last price, the tape and every candle series."""
        self.last = price
        self.n_trades += 1
        self.tape.append(item)
        self.series("1").add(now_ms, price, lots)
        for interval, series in self._series.items():
            if interval != "1":
                series.add(now_ms, price, lots)

    def trades_since(self, cursor: int) -> tuple[list[dict[str, Any]], int]:
        """Trades printed after ``cursor`` and the new cursor (``0``: none, just the current cursor).

        A cursor is the number of trades printed so far plus one, so it is
        never ``0`` even before the first trade.
        """
        count = self.n_trades
        if cursor <= 0:
            return [], count + 1
        missing = min(count + 1 - cursor, len(self.tape))
        if missing <= 0:
            return [], count + 1
        tape = self.tape
        return [tape[i] for i in range(len(tape) - missing, len(tape))], count + 1

    def recent_trades(self, limit: int) -> list[dict[str, Any]]:
        tape = self.tape
        return [tape[i] for i in range(len(tape) - 1, max(-1, len(tape) - 1 - limit), -1)]

    # -- klines and 24h statistics --------------------------------------------------------------------
    def series(self, interval: str, now_ms: int | None = None) -> CandleSeries:
        """The candles of ``interval`` (built from the one-minute base on first use), rolled to ``now_ms``."""
        series = self._series.get(interval)
        if series is None:
            if interval == "1":
                series = self._history()
            else:
                base = self.series("1", now_ms)
                series = CandleSeries.aggregate(interval, base, now_ms if now_ms is not None else base.current.start)
            self._series[interval] = series
        if now_ms is not None:
            series.roll(now_ms)
        return series

    def _history(self) -> CandleSeries:
        """A day of one-minute candles the live generator would have printed, ending at the start price.

        Sampled per minute from this generator's own laws (``history.py``), from
        the symbol's own stream: asking for history never shifts the market, and
        it is the same whenever it is first asked for.
        """
        laws = LiveLaws(
            ticks_per_minute=_TICKS_PER_DAY // 1440,
            move_p=_MOVE_P,
            move_sd=math.sqrt(self._var_bar),
            garch_alpha=_GARCH_ALPHA,
            garch_beta=_GARCH_BETA,
            print_p=_PRINT_P,
            print_lots=self._print_lots,
            print_sigma=_PRINT_SIGMA,
            pull_trade_p=_PULL_TRADE_P,
            base_lots=self._base_lots,
            spacing=self.spacing,
        )
        start_ticks = self.inst.ticks_round(float(self.inst.spec.price))
        closed, forming = one_minute_history(
            laws, random.Random(self._history_seed), self._start_ms, start_ticks, _HISTORY_MIN
        )
        return CandleSeries("1", forming, closed)

    def stats24h(self, now_ms: int) -> tuple[int, int, int, int, int, int]:
        """``(prev price 24h, high, low, volume lots, turnover units, prev price 1h)`` over the last 24 hours."""
        base = self.series("1", now_ms)
        if self._stats_key != base.n_closed:
            self._stats_key = base.n_closed
            window_start = base.current.start - 86_400_000
            day = [c for c in base.closed if c.start >= window_start]
            hour_start = base.current.start - 3_600_000
            hour = next((c for c in day if c.start >= hour_start), base.current)
            first = day[0] if day else base.current
            self._stats = (
                first.open,
                max((c.high for c in day), default=first.open),
                min((c.low for c in day), default=first.open),
                sum(c.volume for c in day),
                sum(c.turnover for c in day),
                hour.open,
            )
        prev, high, low, volume, turnover, prev1h = self._stats
        cur = base.current
        return prev, max(high, cur.high), min(low, cur.low), volume + cur.volume, turnover + cur.turnover, prev1h


def _ignore(maker: Any, price: int, lots: int) -> None:
    """Default maker-fill hook of a market without accounts."""
