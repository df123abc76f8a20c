"""Kline history against the live generator: same volume, same moves, no seam, consistent intervals, seeded."""

from __future__ import annotations

import math
import statistics
from dataclasses import astuple, dataclass
from decimal import Decimal

import pytest

from bybit_widgets.sim.engine import Exchange, default_symbols
from bybit_widgets.sim.engine.candles import INTERVALS, Candle, bucket_end, bucket_start
from bybit_widgets.sim.engine.market import Market

from .helpers import T0, Clock

LIVE_MINUTES = 8
START = T0 + 30_000  # the exchange starts half way through the minute T0
SPECS = {
    f"{s.category}-{s.symbol}": s
    for s in default_symbols()
    if (s.category, s.symbol) in (("linear", "BTCUSDT"), ("linear", "SOLUSDT"), ("spot", "BTCUSDT"))
}


@dataclass
class Window:
    """A market run live for ``LIVE_MINUTES`` after its history was served."""

    market: Market
    history: list[Candle]  # closed minutes before the start
    joint: Candle  # the start minute: the history's part before the start, then live trades
    live: list[Candle]  # full live minutes
    marks: list[int]  # the live last price every 10 s
    now: int


def _run_live(key: str) -> Window:
    clock = Clock(START)
    ex = Exchange(3, symbols=[SPECS[key]], clock=clock)
    spec = SPECS[key]
    for interval in INTERVALS:  # every interval exists from the start and follows the trades
        ex.rest_public("/v5/market/kline", {"category": spec.category, "symbol": spec.symbol, "interval": interval})
    market = ex.market(spec.category, spec.symbol)
    marks = []
    for tick in range(LIVE_MINUTES * 6000 + 3000):
        ex.advance(1)
        clock.now += 10
        if tick % 1000 == 999:
            marks.append(market.last)
    minutes = list(market.series("1", clock.now).closed)
    history = [c for c in minutes if c.start < T0]
    joint = next(c for c in minutes if c.start == T0)
    live = [c for c in minutes if c.start > T0]
    assert len(live) == LIVE_MINUTES
    return Window(market, history, joint, live, marks, clock.now)


@pytest.fixture(scope="module")
def windows() -> dict[str, Window]:
    return {key: _run_live(key) for key in SPECS}


def _ratio(history: list[float], live: list[float]) -> float:
    return statistics.median(history) / statistics.median(live)


@pytest.mark.parametrize("key", SPECS)
def test_history_trades_as_much_a_minute_as_the_live_market(windows: dict[str, Window], key: str) -> None:
    w = windows[key]
    assert 2 / 3 < _ratio([c.volume for c in w.history], [c.volume for c in w.live]) < 3 / 2


@pytest.mark.parametrize("key", SPECS)
def test_history_moves_as_much_a_minute_as_the_live_market(windows: dict[str, Window], key: str) -> None:
    """Return spread and candle range. Eight live minutes give a one-minute sd only to about 25 %, so the
    live spread is taken from its 48 ten-second returns (the generator's moves are independent: variances add)."""
    w = windows[key]
    history = statistics.pstdev([math.log(c.close / c.open) for c in w.history])
    live = statistics.pstdev([math.log(b / a) for a, b in zip(w.marks, w.marks[1:])]) * math.sqrt(6)
    assert 2 / 3 < history / live < 3 / 2
    ranges = _ratio([(c.high - c.low) / c.open for c in w.history], [(c.high - c.low) / c.open for c in w.live])
    assert 2 / 3 < ranges < 3 / 2


@pytest.mark.parametrize("key", SPECS)
def test_history_turnover_is_its_volume_at_its_prices(windows: dict[str, Window], key: str) -> None:
    w = windows[key]
    assert all(c.low * c.volume <= c.turnover <= c.high * c.volume for c in w.history)
    assert 2 / 3 < _ratio([c.turnover for c in w.history], [c.turnover for c in w.live]) < 3 / 2


@pytest.mark.parametrize("key", SPECS)
def test_history_joins_the_live_candles_without_a_jump(windows: dict[str, Window], key: str) -> None:
    w = windows[key]
    start_ticks = w.market.inst.ticks_exact(Decimal(SPECS[key].price))
    assert all(later.open == earlier.close for earlier, later in zip(w.history, w.history[1:]))
    assert w.history[-1].close == w.joint.open == start_ticks
    assert [c.start for c in w.history[-3:]] == [T0 - 180_000, T0 - 120_000, T0 - 60_000]
    typical = statistics.median(c.volume for c in w.history)
    assert 2 / 3 < w.joint.volume / typical < 3 / 2  # the start minute is a whole minute of trading
    assert 2 / 3 < w.history[-1].volume / typical < 3 / 2
    sigma = statistics.pstdev([math.log(c.close / c.open) for c in w.history])
    assert abs(math.log(w.live[0].open / w.joint.close)) < sigma  # the next live minute opens where this one closed


@pytest.mark.parametrize("key", SPECS)
def test_every_interval_aggregates_the_one_minute_candles(windows: dict[str, Window], key: str) -> None:
    market, now = windows[key].market, windows[key].now
    base = market.series("1", now)
    minutes = [*base.closed, base.current]
    for interval in INTERVALS[1:]:
        series = market.series(interval, now)
        candles = [*series.closed, series.current]
        assert candles[-1].start == bucket_start(interval, base.current.start)
        for candle in candles:
            inside = [m for m in minutes if candle.start <= m.start < candle.end]
            if not inside:
                continue  # before the kept minutes
            assert candle.end == bucket_end(interval, candle.start)
            assert (candle.open, candle.close) == (inside[0].open, inside[-1].close), interval
            assert candle.high == max(m.high for m in inside) and candle.low == min(m.low for m in inside)
            assert candle.volume == sum(m.volume for m in inside), interval
            assert candle.turnover == sum(m.turnover for m in inside), interval


def _history_values(seed: int, start: int, ticks: int) -> list[tuple]:
    clock = Clock(start)
    ex = Exchange(seed, symbols=[SPECS["linear-BTCUSDT"]], clock=clock)
    ex.advance(ticks)
    closed = ex.market("linear", "BTCUSDT").series("1", clock.now).closed
    return [astuple(c)[2:-1] for c in closed if c.start < bucket_start("1", start)]


def test_history_is_a_function_of_the_seed_alone() -> None:
    """Not of when the exchange started in its minute, nor of when the history was first asked for."""
    first = _history_values(7, T0 + 12_345, 0)
    later = _history_values(7, T0 + 3 * 60_000 + 50_000, 300)
    assert len(first) == 1440 and first == later
    assert _history_values(8, T0 + 12_345, 0) != first
