"""The generated market: determinism, depth, shape, never crossed, pause, trades and klines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bybit_widgets.sim.engine import Exchange, SimError, default_symbols, synthetic_linear_symbols
from bybit_widgets.sim.engine.market import MIN_LEVELS

from .helpers import T0, Clock, linear_btc


def _run(seed: int, ticks: int, symbols: list | None = None) -> tuple[list, list]:
    clock = Clock()
    ex = Exchange(seed, symbols=symbols, clock=clock)
    tops, trades = [], []
    cursors = {key: ex.trades_since(*key, 0)[1] for key in ex.markets}
    for _ in range(ticks):
        ex.advance(1)
        clock.now += 10
        for key in ex.markets:
            bids, asks = ex.book_levels(*key, 5)
            tops.append((key, bids, asks))
            new, cursors[key] = ex.trades_since(*key, cursors[key])
            trades.extend({k: v for k, v in t.items() if k != "T"} for t in new)
    return tops, trades


def test_same_seed_same_market_for_1000_ticks() -> None:
    first_tops, first_trades = _run(11, 1000)
    second_tops, second_trades = _run(11, 1000)
    assert first_tops == second_tops
    assert first_trades == second_trades
    assert len(first_trades) > 100  # the market really trades


def test_different_seed_differs() -> None:
    tops_a, trades_a = _run(1, 300, linear_btc())
    tops_b, trades_b = _run(2, 300, linear_btc())
    assert tops_a != tops_b
    assert [t["i"] for t in trades_a] != [t["i"] for t in trades_b]


def test_reading_the_market_does_not_change_it() -> None:
    """History, tickers and klines have their own randomness: asking for them never shifts the market."""
    quiet = Exchange(5, symbols=linear_btc(), clock=Clock())
    curious = Exchange(5, symbols=linear_btc(), clock=Clock())
    for tick in range(300):
        if tick in (0, 17, 150):
            curious.ticker("linear", "BTCUSDT")
            curious.kline("linear", "BTCUSDT", "5")
            curious.rest_public("/v5/market/kline", {"symbol": "BTCUSDT", "interval": "D"})
        quiet.advance(1)
        curious.advance(1)
    assert quiet.book_levels("linear", "BTCUSDT", 50) == curious.book_levels("linear", "BTCUSDT", 50)


def test_paused_advance_moves_nothing_and_consumes_no_randomness() -> None:
    straight = Exchange(3, symbols=linear_btc(), clock=Clock())
    paused = Exchange(3, symbols=linear_btc(), clock=Clock())
    straight.advance(50)
    paused.advance(20)
    paused.paused = True
    frozen = paused.book_levels("linear", "BTCUSDT", 50)
    paused.advance(500)
    assert paused.book_levels("linear", "BTCUSDT", 50) == frozen
    paused.paused = False
    paused.advance(30)
    assert paused.book_levels("linear", "BTCUSDT", 50) == straight.book_levels("linear", "BTCUSDT", 50)


@pytest.mark.parametrize(
    "spec", default_symbols() + synthetic_linear_symbols(4), ids=lambda s: f"{s.category}-{s.symbol}"
)
def test_book_is_deep_uncrossed_and_on_the_grid(spec) -> None:
    ex = Exchange(9, symbols=[spec], clock=Clock())
    market = ex.market(spec.category, spec.symbol)
    for _ in range(20):
        ex.advance(50)
        assert len(market.book.bids) >= MIN_LEVELS and len(market.book.asks) >= MIN_LEVELS
        assert not market.book.crossed()
    bids, asks = ex.book_levels(spec.category, spec.symbol, 1000)
    assert len(bids) == len(asks) == 1000
    prices_b = [Decimal(p) for p, _ in bids]
    prices_a = [Decimal(p) for p, _ in asks]
    assert prices_b == sorted(prices_b, reverse=True) and prices_a == sorted(prices_a)
    assert prices_b[0] < prices_a[0]
    tick, step = Decimal(spec.tick_size), Decimal(spec.qty_step)
    for price, size in bids[:200] + asks[:200]:
        assert Decimal(price) % tick == 0 and Decimal(size) % step == 0 and Decimal(size) > 0
        assert len(price.split(".")[-1]) == len(spec.tick_size.split(".")[-1])  # wire precision = tick's
    start = Decimal(spec.price)
    assert abs(prices_b[0] - start) / start < Decimal("0.05")  # stays near the start over 10 s


def test_sizes_grow_away_from_the_touch() -> None:
    ex = Exchange(4, symbols=linear_btc(), clock=Clock())
    ex.advance(200)
    bids, asks = ex.book_levels("linear", "BTCUSDT", 1000)
    sizes = [Decimal(q) for _, q in bids + asks]
    near = sum(Decimal(q) for _, q in bids[:50] + asks[:50]) / 100
    far = sum(Decimal(q) for _, q in bids[-200:] + asks[-200:]) / 400
    assert far > 2 * near
    assert len(set(sizes)) > 500  # noisy, not a staircase


def test_trades_cursor_from_now_on_and_items() -> None:
    ex = Exchange(2, symbols=linear_btc(), clock=Clock())
    items, cursor = ex.trades_since("linear", "BTCUSDT", 0)
    assert items == [] and cursor > 0
    seen = []
    for _ in range(300):
        ex.advance(1)
        new, cursor = ex.trades_since("linear", "BTCUSDT", cursor)
        seen.extend(new)
    assert seen, "a busy market prints trades within 3 s"
    again, same = ex.trades_since("linear", "BTCUSDT", cursor)
    assert again == [] and same == cursor
    trade = seen[0]
    assert set(trade) == {"T", "s", "S", "v", "p", "L", "i", "BT", "RPI", "seq"}
    assert trade["S"] in ("Buy", "Sell") and trade["L"] in ("PlusTick", "ZeroPlusTick", "MinusTick", "ZeroMinusTick")
    assert isinstance(trade["T"], int) and isinstance(trade["seq"], int) and trade["BT"] is False
    assert len(trade["i"]) == 36 and trade["i"][14] == "4"  # uuid4 text
    assert [t["seq"] for t in seen] == sorted(t["seq"] for t in seen)
    recent = ex.rest_public("/v5/market/recent-trade", {"category": "linear", "symbol": "BTCUSDT", "limit": "3"})
    assert [t["execId"] for t in recent["list"]] == [t["i"] for t in reversed(seen[-3:])]


def test_spot_trades_have_no_tick_direction() -> None:
    spot = [s for s in default_symbols() if s.category == "spot"]
    ex = Exchange(2, symbols=spot, clock=Clock())
    cursor = ex.trades_since("spot", "BTCUSDT", 0)[1]
    ex.advance(200)
    trades, _ = ex.trades_since("spot", "BTCUSDT", cursor)
    assert trades and all("L" not in t for t in trades)


def test_klines_align_to_the_clock_and_close_with_confirm() -> None:
    clock = Clock(T0 + 59_000)
    ex = Exchange(6, symbols=linear_btc(), clock=clock)
    assert ex.klines_closed_since("linear", "BTCUSDT", "1", 0)[0] == []
    cursor = ex.klines_closed_since("linear", "BTCUSDT", "1", 0)[1]
    forming = ex.kline("linear", "BTCUSDT", "1")
    assert forming["start"] == T0 and forming["end"] == T0 + 59_999 and forming["confirm"] is False
    assert forming["interval"] == "1" and isinstance(forming["timestamp"], int)
    for _ in range(100):
        ex.advance(1)
    clock.now = T0 + 61_000
    ex.advance(1)
    closed, cursor2 = ex.klines_closed_since("linear", "BTCUSDT", "1", cursor)
    assert len(closed) == 1 and closed[0]["confirm"] is True and closed[0]["start"] == T0
    assert Decimal(closed[0]["low"]) <= Decimal(closed[0]["open"]) <= Decimal(closed[0]["high"])
    assert Decimal(closed[0]["volume"]) > 0
    assert ex.klines_closed_since("linear", "BTCUSDT", "1", cursor2) == ([], cursor2)
    clock.now = T0 + 4 * 60_000 + 5
    closed, _ = ex.klines_closed_since("linear", "BTCUSDT", "1", cursor2)
    assert [c["start"] for c in closed] == [T0 + 60_000, T0 + 120_000, T0 + 180_000]  # quiet minutes close flat
    assert closed[-1]["volume"] == "0.000" and closed[-1]["open"] == closed[-1]["close"]
    five = ex.kline("linear", "BTCUSDT", "5")
    assert five["start"] == T0 and Decimal(five["volume"]) >= Decimal(closed[0]["volume"])
    week = ex.kline("linear", "BTCUSDT", "W")
    assert week["start"] % 86_400_000 == 0 and (week["start"] // 86_400_000 - 4) % 7 == 0  # a Monday
    month = ex.kline("linear", "BTCUSDT", "M")
    assert month["start"] == T0  # 2026-01-01
    with pytest.raises(SimError) as err:
        ex.kline("linear", "BTCUSDT", "2")
    assert err.value.ret_code == 10001


def test_ticker_items_have_the_v5_fields() -> None:
    ex = Exchange(1, clock=Clock())
    ex.advance(150)
    linear = ex.ticker("linear", "BTCUSDT")
    for name in (
        "symbol",
        "tickDirection",
        "lastPrice",
        "markPrice",
        "indexPrice",
        "prevPrice24h",
        "price24hPcnt",
        "highPrice24h",
        "lowPrice24h",
        "prevPrice1h",
        "openInterest",
        "openInterestValue",
        "turnover24h",
        "volume24h",
        "fundingRate",
        "nextFundingTime",
        "bid1Price",
        "bid1Size",
        "ask1Price",
        "ask1Size",
    ):
        assert isinstance(linear[name], str), name
    assert Decimal(linear["lowPrice24h"]) <= Decimal(linear["lastPrice"]) <= Decimal(linear["highPrice24h"])
    assert int(linear["nextFundingTime"]) % (8 * 3_600_000) == 0
    assert Decimal(linear["bid1Price"]) < Decimal(linear["ask1Price"])
    spot = ex.ticker("spot", "BTCUSDT")
    assert set(spot) == {
        "symbol",
        "lastPrice",
        "highPrice24h",
        "lowPrice24h",
        "prevPrice24h",
        "volume24h",
        "turnover24h",
        "price24hPcnt",
        "usdIndexPrice",
    }
    assert ex.ticker("linear", "BTCUSDT") is not ex.ticker("linear", "BTCUSDT")  # fresh objects
