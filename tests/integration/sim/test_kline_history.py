"""The history ``/v5/market/kline`` serves against the trades the running exchange prints live.

The exchange has no clock to speed up, so the live window is short (about
12 s of wall time); its figures are taken per simulated tick (the server's
``market_tick``), so a loaded machine that skips ticks does not bias them.
Every trade of the window is collected: the market starts paused, the
subscription is made, the market runs, is paused again, and the collection
ends with the trade ``/v5/market/recent-trade`` names as the last one.
"""

from __future__ import annotations

import math
import statistics
import time
from decimal import Decimal

import httpx

from bybit_widgets.sim import run

from .helpers import Ws, arun, topic_is

SYMBOL = "BTCUSDT"
LIVE_S = 12.0
MARK_TICKS = 50  # live price marks every 0.5 s of simulated time
TICKS_PER_MINUTE = 6000


def _klines(http: httpx.Client, interval: str, limit: int = 1000) -> list[list[str]]:
    """Rows oldest first: ``[start, open, high, low, close, volume, turnover]``."""
    return _klines_at(http, interval, limit)[0]


def _klines_at(http: httpx.Client, interval: str, limit: int = 1000) -> tuple[list[list[str]], int]:
    """:func:`_klines` and the server time of the answer."""
    body = http.get(
        "/v5/market/kline", params={"category": "linear", "symbol": SYMBOL, "interval": interval, "limit": str(limit)}
    ).json()
    assert body["retCode"] == 0, body
    return list(reversed(body["result"]["list"])), body["time"]


def _live_trades(sim) -> tuple[list[dict], int]:
    """Every public trade of a short live window, and the ticks it lasted."""

    async def main() -> tuple[list[dict], int]:
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": [f"publicTrade.{SYMBOL}"]})
            before = sim.status()["market_tick"]
            sim.resume()
            trades: list[dict] = []
            deadline = time.monotonic() + LIVE_S
            while time.monotonic() < deadline:
                trades.extend((await ws.until(topic_is(f"publicTrade.{SYMBOL}")))["data"])
            sim.pause()
            ticks = sim.status()["market_tick"] - before
            params = {"category": "linear", "symbol": SYMBOL, "limit": "1"}
            with httpx.Client(base_url=sim.rest_url) as http:
                last = http.get("/v5/market/recent-trade", params=params).json()["result"]["list"][0]
            while trades[-1]["i"] != last["execId"]:
                trades.extend((await ws.until(topic_is(f"publicTrade.{SYMBOL}")))["data"])
            return trades, ticks

    return arun(main())


def test_served_history_trades_and_moves_like_the_live_market() -> None:
    with run(seed=1, paused=True) as sim, httpx.Client(base_url=sim.rest_url) as http:
        served, started = _klines_at(http, "1")  # the market is paused since the start: no trade yet
        trades, ticks = _live_trades(sim)
        after = _klines(http, "1")
        assert ticks > 300 and len(trades) > 100
    history, start_minute = served[:-1], served[-1]

    volume = sum(Decimal(t["v"]) for t in trades) * TICKS_PER_MINUTE / ticks
    assert 2 / 3 < statistics.median(Decimal(r[5]) for r in history) / volume < 3 / 2

    # the live window's realised variance, from prices every per_mark trades (one mark per MARK_TICKS on
    # average), scaled to a minute: the generator's moves are independent, so variances add
    per_mark = len(trades) / (ticks / MARK_TICKS)
    marks = [Decimal(trades[int(k * per_mark)]["p"]) for k in range(int(len(trades) / per_mark))]
    live_spread = statistics.pstdev([math.log(b / a) for a, b in zip(marks, marks[1:])])
    live_spread *= math.sqrt(TICKS_PER_MINUTE / MARK_TICKS)
    history_spread = statistics.pstdev([math.log(Decimal(r[4]) / Decimal(r[1])) for r in history])
    assert 0.5 < history_spread / live_spread < 2

    assert all(Decimal(r[3]) * Decimal(r[5]) <= Decimal(r[6]) <= Decimal(r[2]) * Decimal(r[5]) for r in history)
    assert all(later[1] == earlier[4] for earlier, later in zip(served, served[1:]))  # no seam, up to the start
    joined = next(r for r in after if r[0] == start_minute[0])
    assert joined[1] == start_minute[1] == history[-1][4]
    before_start = Decimal(start_minute[5])  # the history's part of the start minute
    elapsed = Decimal(started - int(start_minute[0])) / 60_000
    whole = before_start + volume * (1 - elapsed)  # completed at the live rate
    assert 2 / 3 < whole / statistics.median(Decimal(r[5]) for r in history) < 3 / 2


def test_served_live_minutes_are_the_trades_and_coarser_intervals_their_sums() -> None:
    with run(seed=2, paused=True) as sim, httpx.Client(base_url=sim.rest_url) as http:
        start_minute = _klines(http, "1", 1)[0][0]
        trades, _ = _live_trades(sim)
        minutes = _klines(http, "1")
        coarse = {interval: _klines(http, interval) for interval in ("5", "15", "60")}
    rows = {int(r[0]): r for r in minutes}
    for minute, row in rows.items():
        inside = [t for t in trades if minute <= t["T"] < minute + 60_000]
        if minute < int(start_minute) or not inside:
            continue
        qty = sum(Decimal(t["v"]) for t in inside)
        prices = [Decimal(t["p"]) for t in inside]
        if minute == int(start_minute):  # the history's part before the start, then the live trades
            assert Decimal(row[5]) >= qty and Decimal(row[2]) >= max(prices) and Decimal(row[3]) <= min(prices)
        else:
            assert Decimal(row[5]) == qty and Decimal(row[4]) == prices[-1]
            assert Decimal(row[6]) == sum(Decimal(t["p"]) * Decimal(t["v"]) for t in inside)
    for interval, candles in coarse.items():
        length = int(interval) * 60_000
        checked = 0
        for candle in candles:
            start = int(candle[0])
            inside = [rows[m] for m in range(start, start + length, 60_000) if m in rows]
            if len(inside) < int(interval):
                continue  # partly before the served minutes
            assert candle[1] == inside[0][1] and candle[4] == inside[-1][4], interval
            assert Decimal(candle[2]) == max(Decimal(r[2]) for r in inside), interval
            assert Decimal(candle[3]) == min(Decimal(r[3]) for r in inside), interval
            assert Decimal(candle[5]) == sum(Decimal(r[5]) for r in inside), interval
            assert Decimal(candle[6]) == sum(Decimal(r[6]) for r in inside), interval
            checked += 1
        assert checked >= 1000 // int(interval) - 2, interval
