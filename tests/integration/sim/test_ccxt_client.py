"""A second third-party client, unchanged, against the embedded exchange: ccxt 4.5 (REST) and ccxt.pro (WebSocket).

The only change to ccxt is its hosts: every URL in ``exchange.urls["api"]``
keeps its path and gets the exchange's loopback scheme and host. No ccxt
option is set. Where ccxt asks every Bybit caller for a call parameter
(``fetch_order``'s ``acknowledged``), the test passes it as any bot must.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import ccxt  # ccxt is a test dependency (pyproject [test])
import ccxt.pro as ccxtpro
import pytest

from bybit_widgets.sim import SimServer

from .helpers import arun

LINEAR = "BTC/USDT:USDT"
SPOT = "BTC/USDT"
WAIT_S = 10.0


# -- pointing ccxt at the exchange ------------------------------------------------------------------
def _on_host(urls: Any, sim: SimServer) -> Any:
    """``urls`` with every URL moved to the exchange's host: same path, ``ws://`` for ``wss://``."""
    if isinstance(urls, dict):
        return {name: _on_host(url, sim) for name, url in urls.items()}
    parts = urlsplit(urls)
    return (sim.ws_url if parts.scheme == "wss" else sim.rest_url) + parts.path


def rest_client(sim: SimServer) -> ccxt.bybit:
    exchange = ccxt.bybit({"apiKey": sim.api_key, "secret": sim.api_secret})
    exchange.urls["api"] = _on_host(exchange.urls["api"], sim)
    return exchange


def pro_client(sim: SimServer) -> ccxtpro.bybit:
    exchange = ccxtpro.bybit({"apiKey": sim.api_key, "secret": sim.api_secret})
    exchange.urls["api"] = _on_host(exchange.urls["api"], sim)
    return exchange


@pytest.fixture
def bybit(sim):
    exchange = rest_client(sim)
    exchange.load_markets()
    return exchange


def numbers(levels: list[list[str]]) -> list[list[float]]:
    return [[float(price), float(size)] for price, size in levels]


def top50(book: Any) -> tuple[list, list]:
    return [list(b) for b in book["bids"][:50]], [list(a) for a in book["asks"][:50]]


def current_book(sim: SimServer) -> tuple[list, list]:
    """The engine's BTCUSDT book now (top 50): an unstreamed depth's truth is the current book."""
    wire = sim.truth_book("BTCUSDT", 1000)
    return numbers(wire["b"][:50]), numbers(wire["a"][:50])


def paused_book(sim: SimServer, exchange: ccxt.bybit) -> tuple[dict, dict]:
    """The exchange's book of BTCUSDT and ccxt's, read while the market stands still."""
    sim.pause()
    try:
        return sim.truth_book("BTCUSDT", 50), exchange.fetch_order_book(LINEAR, 50)
    finally:
        sim.resume()


# -- REST -------------------------------------------------------------------------------------------
def test_load_markets_lists_the_exchange_instruments_with_their_filters_and_coins(bybit):
    assert set(bybit.markets) == {SPOT, LINEAR, "ETH/USDT:USDT", "SOL/USDT:USDT"}
    perp = bybit.markets[LINEAR]
    assert (perp["linear"], perp["settle"], perp["contractSize"]) == (True, "USDT", 1.0)
    assert perp["precision"] == {**perp["precision"], "price": 0.1, "amount": 0.001}
    assert (perp["limits"]["amount"]["min"], perp["limits"]["amount"]["max"]) == (0.001, 1190.0)
    assert perp["limits"]["leverage"]["max"] == 100.0 and perp["limits"]["cost"]["min"] == 5.0
    spot = bybit.markets[SPOT]
    assert spot["spot"] and spot["precision"]["amount"] == 0.000001 and spot["precision"]["price"] == 0.01
    assert {"BTC", "ETH", "SOL", "USDT"} <= set(bybit.currencies)
    assert bybit.currencies["USDT"]["info"] == {"name": "USDT", "coin": "USDT", "remainAmount": "0", "chains": []}


def test_fetch_ticker_and_tickers_are_the_exchange_tickers(sim, rest, bybit):
    sim.pause()
    try:
        wire = rest.get("/v5/market/tickers", {"category": "linear"}, signed=False).json()["result"]["list"]
        ticker = bybit.fetch_ticker(LINEAR)
        tickers = bybit.fetch_tickers([LINEAR, "ETH/USDT:USDT"])
    finally:
        sim.resume()
    truth = {item["symbol"]: item for item in wire}
    for symbol, parsed in ((LINEAR, ticker), *tickers.items()):
        item = truth[bybit.markets[symbol]["id"]]
        assert (parsed["last"], parsed["bid"], parsed["ask"], parsed["high"], parsed["low"], parsed["open"]) == (
            float(item["lastPrice"]),
            float(item["bid1Price"]),
            float(item["ask1Price"]),
            float(item["highPrice24h"]),
            float(item["lowPrice24h"]),
            float(item["prevPrice24h"]),
        )
        assert parsed["baseVolume"] == float(item["volume24h"]) and parsed["bid"] < parsed["ask"]
    assert set(tickers) == {LINEAR, "ETH/USDT:USDT"}


def test_fetch_order_book_is_the_exchange_book(sim, bybit):
    truth, book = paused_book(sim, bybit)
    assert book["bids"] == numbers(truth["b"]) and book["asks"] == numbers(truth["a"])
    assert len(book["bids"]) == len(book["asks"]) == 50 and book["bids"][0][0] < book["asks"][0][0]


def test_fetch_ohlcv_gives_minute_candles_oldest_first(bybit):
    candles = bybit.fetch_ohlcv(LINEAR, "1m", limit=5)
    starts = [c[0] for c in candles]
    assert len(candles) == 5 and all(b - a == 60_000 for a, b in zip(starts, starts[1:]))
    for _, open_, high, low, close, volume in candles:
        assert low <= min(open_, close) <= max(open_, close) <= high and volume >= 0
    assert all(a[4] == b[1] for a, b in zip(candles, candles[1:]))  # each candle opens where the last closed


def test_fetch_trades_gives_the_public_prints_oldest_first(bybit):
    book = bybit.fetch_order_book(LINEAR, 200)
    trades = bybit.fetch_trades(LINEAR, limit=50)
    times = [t["timestamp"] for t in trades]
    assert len(trades) == 50 and times == sorted(times) and len({t["id"] for t in trades}) == 50
    assert {t["side"] for t in trades} <= {"buy", "sell"} and all(t["amount"] > 0 for t in trades)
    low, high = book["bids"][-1][0], book["asks"][-1][0]
    assert all(low * 0.99 < t["price"] < high * 1.01 for t in trades[-5:])


def test_fetch_balance_reads_the_unified_wallet(sim, bybit):
    balance = bybit.fetch_balance()
    [usdt] = [c for c in sim.truth_wallet()["coin"] if c["coin"] == "USDT"]
    assert balance["USDT"] == {**balance["USDT"], "free": 100000.0, "used": 0.0, "total": float(usdt["equity"])}
    assert balance["info"]["result"]["list"][0]["accountType"] == "UNIFIED"


def test_a_resting_order_is_fetched_edited_and_cancelled_by_id(sim, bybit):
    placed = bybit.create_order(LINEAR, "limit", "buy", 0.001, 60000, {"clientOrderId": "ccxt-rest-1"})
    seen = bybit.fetch_order(placed["id"], LINEAR, {"acknowledged": True})
    assert (seen["status"], seen["price"], seen["amount"]) == ("open", 60000, 0.001)
    assert seen["clientOrderId"] == "ccxt-rest-1"
    assert seen["average"] is None and seen["info"]["avgPrice"] == ""  # a unified account: "" before any fill
    edited = bybit.edit_order(placed["id"], LINEAR, "limit", "buy", 0.002, 60001)
    assert edited["id"] == placed["id"]
    seen = bybit.fetch_order(placed["id"], LINEAR, {"acknowledged": True})
    assert (seen["status"], seen["price"], seen["amount"]) == ("open", 60001, 0.002)
    assert [o["id"] for o in bybit.fetch_open_orders(LINEAR)] == [placed["id"]]
    bybit.cancel_order(placed["id"], LINEAR)
    gone = bybit.fetch_order(placed["id"], LINEAR, {"acknowledged": True})
    assert (gone["status"], gone["filled"], gone["remaining"]) == ("canceled", 0, 0)
    assert bybit.fetch_open_orders(LINEAR) == []
    assert [o["orderStatus"] for o in sim.truth_orders() if o["orderId"] == placed["id"]] == ["Cancelled"]


def test_a_filled_order_is_found_by_id_and_shows_in_positions_and_trades(sim, bybit):
    placed = bybit.create_order(LINEAR, "market", "buy", 0.01)
    filled = bybit.fetch_order(placed["id"], LINEAR, {"acknowledged": True})
    assert (filled["status"], filled["filled"], filled["remaining"]) == ("closed", 0.01, 0)
    fills = bybit.fetch_my_trades(LINEAR)
    assert {t["order"] for t in fills} == {placed["id"]}
    assert sum(Decimal(str(t["amount"])) for t in fills) == Decimal("0.01")
    cost = sum(Decimal(str(t["cost"])) for t in fills)
    assert filled["average"] == pytest.approx(float(cost / Decimal("0.01")))
    assert all(t["fee"]["currency"] == "USDT" and t["fee"]["cost"] > 0 for t in fills)
    [position] = bybit.fetch_positions([LINEAR])
    truth = {p["symbol"]: p for p in sim.truth_positions()}["BTCUSDT"]
    assert (position["side"], position["contracts"]) == ("long", 0.01)
    assert position["entryPrice"] == float(truth["avgPrice"]) == pytest.approx(filled["average"])
    assert [p["symbol"] for p in bybit.fetch_positions()] == [LINEAR]  # no symbol: the open ones by settleCoin
    assert [o["id"] for o in bybit.fetch_closed_orders(LINEAR)] == [placed["id"]]


def test_set_leverage_changes_the_position_and_refuses_the_same_value_again(bybit):
    bybit.set_leverage(5, LINEAR)
    assert bybit.fetch_leverage(LINEAR)["longLeverage"] == 5
    with pytest.raises(ccxt.BadRequest, match="110043"):
        bybit.set_leverage(5, LINEAR)


def test_funding_history_open_interest_and_fee_rates_read_as_ccxt_unifies_them(sim, bybit):
    rates = bybit.fetch_funding_rate_history(LINEAR, limit=5)
    assert len(rates) == 5 and [r["timestamp"] for r in rates] == sorted(r["timestamp"] for r in rates)
    assert all(r["symbol"] == LINEAR and abs(r["fundingRate"]) < 0.005 for r in rates)
    interest = bybit.fetch_open_interest_history(LINEAR, "1h", limit=3)
    assert len(interest) == 3 and all(oi["openInterestAmount"] > 0 for oi in interest)
    assert bybit.fetch_open_interest(LINEAR)["openInterestAmount"] > 0
    fee = bybit.fetch_trading_fee(LINEAR)
    assert (fee["maker"], fee["taker"]) == (0.0002, 0.00055)


def test_fetch_ledger_and_positions_history_read_the_transaction_log_and_closed_pnl(sim, bybit):
    bybit.create_order(LINEAR, "market", "buy", 0.01)
    sim.settle_funding("BTCUSDT")
    closed = bybit.create_order(LINEAR, "market", "sell", 0.01)
    ledger = bybit.fetch_ledger("USDT")
    assert [e["info"]["type"] for e in ledger] == ["TRADE", "SETTLEMENT", "TRADE"]  # oldest first, as ccxt sorts
    assert all(e["after"] == float(e["info"]["cashBalance"]) for e in ledger)
    assert all(e["direction"] == ("out" if float(e["info"]["change"]) < 0 else "in") for e in ledger)
    (history,) = bybit.fetch_positions_history([LINEAR])
    assert history["info"]["orderId"] == closed["id"] and history["info"]["closedSize"] == "0.010"


def test_create_orders_and_cancel_orders_go_through_the_batch_endpoints(sim, bybit):
    orders = [{"symbol": LINEAR, "type": "limit", "side": "buy", "amount": 0.001, "price": p} for p in (60000, 61000)]
    placed = bybit.create_orders(orders)
    ids = sorted(o["id"] for o in placed)
    assert sorted(o["id"] for o in bybit.fetch_open_orders(LINEAR)) == ids
    bybit.cancel_orders(ids, LINEAR)
    assert bybit.fetch_open_orders(LINEAR) == []
    assert sorted(o["orderId"] for o in sim.truth_orders() if o["orderStatus"] == "Cancelled") == ids


def test_edit_orders_goes_through_the_amend_batch_endpoint(sim, bybit):
    orders = [{"symbol": LINEAR, "type": "limit", "side": "buy", "amount": 0.001, "price": p} for p in (60000, 61000)]
    ids = [o["id"] for o in bybit.create_orders(orders)]
    edits = [{**order, "id": i, "price": order["price"] - 1000} for order, i in zip(orders, ids)]
    edited = bybit.edit_orders(edits)  # ccxt 4.5: one POST /v5/order/amend-batch
    assert [o["id"] for o in edited] == ids
    prices = {o["id"]: o["price"] for o in bybit.fetch_open_orders(LINEAR)}
    assert prices == {ids[0]: 59000.0, ids[1]: 60000.0}
    bybit.cancel_orders(ids, LINEAR)


def test_spot_orders_rest_and_fill_moving_both_coins(sim, bybit):
    resting = bybit.create_order(SPOT, "limit", "buy", 0.001, 60000)
    assert [o["id"] for o in bybit.fetch_open_orders(SPOT)] == [resting["id"]]
    assert bybit.fetch_balance()["USDT"]["used"] == 60.0
    bought = bybit.create_market_buy_order_with_cost(SPOT, 100)
    filled = bybit.fetch_order(bought["id"], SPOT, {"acknowledged": True})
    lot_value = filled["average"] * bybit.markets[SPOT]["precision"]["amount"]  # bought in whole basePrecision lots
    assert filled["status"] == "closed" and 100 - lot_value < filled["cost"] <= 100
    balance = bybit.fetch_balance()
    fee = sum(t["fee"]["cost"] for t in bybit.fetch_my_trades(SPOT) if t["order"] == bought["id"])
    assert balance["BTC"]["total"] == pytest.approx(filled["filled"] - fee)
    assert balance["USDT"]["total"] == pytest.approx(100000 - filled["cost"], abs=1e-6)
    bybit.cancel_order(resting["id"], SPOT)
    assert bybit.fetch_open_orders(SPOT) == []


# -- WebSocket (ccxt.pro) ---------------------------------------------------------------------------
async def _loaded(sim: SimServer) -> ccxtpro.bybit:
    exchange = pro_client(sim)
    await exchange.load_markets()
    return exchange


async def _until(watch: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], timeout: float = WAIT_S) -> Any:
    """The first value of ``watch()`` for which ``ok`` holds, before the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await asyncio.wait_for(watch(), max(0.0, deadline - loop.time()))
        if ok(value):
            return value


async def _live(
    watch: Callable[[], Awaitable[Any]],
    act: Callable[[], Awaitable[Any]],
    ok: Callable[[Any, list[Any]], bool],
    *,
    tries: int = 8,
    each_s: float = 1.0,
) -> tuple[Any, list]:
    """Subscribe with ``watch`` and ``act`` until a pushed value satisfies ``ok(value, acts)``.

    ccxt sends a subscription without waiting for Bybit's answer, and Bybit
    pushes only what changes after it, so the first ``act`` can land before
    the subscription does; it is repeated (never slept on) until the push
    comes. Returns a copy of the value as pushed and every result of ``act``.
    """
    loop = asyncio.get_running_loop()
    acts: list[Any] = []
    pending = asyncio.ensure_future(watch())
    try:
        for _ in range(tries):
            acts.append(await act())
            deadline = loop.time() + each_s
            while True:
                done, _ = await asyncio.wait({pending}, timeout=max(0.0, deadline - loop.time()))
                if not done:
                    break
                value = pending.result()
                if ok(value, acts):
                    return copy.deepcopy(value), acts  # ccxt keeps updating the objects it returned
                pending = asyncio.ensure_future(watch())
    finally:
        pending.cancel()
    raise AssertionError(f"no matching push after {tries} tries")


def test_watch_order_book_is_sorted_uncrossed_and_the_true_book_once_the_market_pauses(sim):
    async def scenario() -> tuple[dict, dict]:
        exchange = await _loaded(sim)
        try:
            for _ in range(20):  # a live book, delta after delta
                book = await asyncio.wait_for(exchange.watch_order_book(LINEAR, 50), WAIT_S)
                bids, asks = book["bids"], book["asks"]
                assert [b[0] for b in bids] == sorted({b[0] for b in bids}, reverse=True)
                assert [a[0] for a in asks] == sorted({a[0] for a in asks})
                assert bids[0][0] < asks[0][0] and all(size > 0 for _, size in bids + asks)
            sim.pause()
            try:
                final = current_book(sim)  # final while paused: the stream's last push catches up to it
                if top50(exchange.orderbooks[LINEAR]) != final:
                    await _until(lambda: exchange.watch_order_book(LINEAR, 50), lambda b: top50(b) == final)
                return sim.truth_book("BTCUSDT", 50), exchange.orderbooks[LINEAR]
            finally:
                sim.resume()
        finally:
            await exchange.close()

    truth, book = arun(scenario())
    assert top50(book) == (numbers(truth["b"]), numbers(truth["a"]))
    assert len(truth["b"]) == len(truth["a"]) == 50 and truth["u"] is not None


def test_watch_ticker_trades_and_ohlcv_stream_the_live_market(sim):
    async def scenario() -> tuple[dict, list, list]:
        exchange = await _loaded(sim)
        try:
            ticker = await asyncio.wait_for(exchange.watch_ticker(LINEAR), WAIT_S)
            trades = await asyncio.wait_for(exchange.watch_trades(LINEAR), WAIT_S)
            candles = await asyncio.wait_for(exchange.watch_ohlcv(LINEAR, "1m"), WAIT_S)
            return ticker, trades, candles
        finally:
            await exchange.close()

    ticker, trades, candles = arun(scenario())
    assert ticker["symbol"] == LINEAR and ticker["bid"] < ticker["ask"]
    assert ticker["low"] <= ticker["last"] <= ticker["high"]
    assert trades and all(t["symbol"] == LINEAR and t["side"] in ("buy", "sell") and t["amount"] > 0 for t in trades)
    assert [t["timestamp"] for t in trades] == sorted(t["timestamp"] for t in trades)
    start, open_, high, low, close, volume = candles[-1]
    assert start % 60_000 == 0 and low <= min(open_, close) <= max(open_, close) <= high and volume >= 0


def test_create_order_ws_places_an_order_that_watch_orders_follows(sim):
    async def scenario() -> tuple[list, list]:
        exchange = await _loaded(sim)
        try:

            async def resting_buy() -> dict:
                return await exchange.create_order_ws(LINEAR, "limit", "buy", 0.001, 60000)

            def has_one(orders: list, acts: list) -> bool:
                return any(o["id"] == a["id"] for o in orders for a in acts)

            pushed, placed = await _live(lambda: exchange.watch_orders(LINEAR), resting_buy, has_one)
            return pushed, placed
        finally:
            await exchange.close()

    pushed, placed = arun(scenario())
    ids = {p["id"] for p in placed}
    order = next(o for o in pushed if o["id"] in ids)
    assert (order["status"], order["side"], order["price"], order["amount"]) == ("open", "buy", 60000, 0.001)
    truth = {o["orderId"]: o for o in sim.truth_orders()}
    assert all(truth[i]["orderStatus"] == "New" and truth[i]["price"] == "60000.00" for i in ids)


def test_watch_my_trades_balance_and_positions_follow_fills(sim, rest):
    async def scenario() -> dict[str, Any]:
        exchange = await _loaded(sim)
        try:

            async def buy() -> dict:
                return await exchange.create_order_ws(LINEAR, "market", "buy", 0.001)

            def of_a_buy(fills: list, acts: list) -> bool:
                return any(t["order"] == a["id"] for t in fills for a in acts)

            def holding_every_buy(positions: list, acts: list) -> bool:
                size = 0.001 * (len(first) + len(second) + len(acts))
                return any(p["contracts"] == pytest.approx(size) for p in positions)

            snapshot = copy.deepcopy(await asyncio.wait_for(exchange.watch_positions(), WAIT_S))
            trades, first = await _live(lambda: exchange.watch_my_trades(LINEAR), buy, of_a_buy)
            balance, second = await _live(exchange.watch_balance, buy, lambda b, acts: "USDT" in b)
            positions, third = await _live(lambda: exchange.watch_positions([LINEAR]), buy, holding_every_buy)
            return {
                "snapshot": snapshot,
                "trades": trades,
                "balance": balance,
                "positions": positions,
                "before_balance": first + second,
                "all": first + second + third,
            }
        finally:
            await exchange.close()

    seen = arun(scenario())
    assert seen["snapshot"] == []  # a new account holds nothing, in linear or inverse
    ids = {o["id"] for o in seen["all"]}
    assert seen["trades"] and all(t["order"] in ids and t["amount"] == 0.001 for t in seen["trades"])
    executions = rest.ok("GET", "/v5/execution/list", {"category": "linear", "symbol": "BTCUSDT"})["list"]
    fees = sum(Decimal(e["execFee"]) for e in executions if e["orderId"] in {o["id"] for o in seen["before_balance"]})
    [pushed] = [c for c in seen["balance"]["info"][0]["coin"] if c["coin"] == "USDT"]
    assert Decimal(pushed["walletBalance"]) == 100000 - fees
    assert seen["balance"]["USDT"]["total"] == float(pushed["equity"])
    [position] = [p for p in seen["positions"] if p["symbol"] == LINEAR]
    truth = {p["symbol"]: p for p in sim.truth_positions()}["BTCUSDT"]
    assert (position["side"], position["contracts"]) == ("long", float(truth["size"]))
    assert position["entryPrice"] == float(truth["avgPrice"])
    assert float(truth["size"]) == pytest.approx(0.001 * len(ids))


def test_hedge_mode_through_ccxt_holds_a_long_and_a_short_and_closes_each(sim, bybit):
    bybit.set_position_mode(True, LINEAR)  # POST /v5/position/switch-mode, mode 3
    bybit.create_order(LINEAR, "market", "buy", 0.02, params={"positionIdx": 1})
    bybit.create_order(LINEAR, "market", "sell", 0.01, params={"positionIdx": 2})
    sides = {p["side"]: (p["contracts"], p["hedged"]) for p in bybit.fetch_positions([LINEAR])}
    assert sides == {"long": (0.02, True), "short": (0.01, True)}
    bybit.create_order(LINEAR, "market", "sell", 0.02, params={"positionIdx": 1, "reduceOnly": True})
    assert [(p["side"], p["contracts"]) for p in bybit.fetch_positions([LINEAR]) if p["contracts"]] == [("short", 0.01)]
    with pytest.raises(ccxt.BadRequest):  # a position is open: Bybit's 110024
        bybit.set_position_mode(False, LINEAR)


def test_fetch_funding_history_reads_the_funding_executions(sim, bybit):
    bybit.create_order(LINEAR, "market", "buy", 0.01)
    settled = sim.settle_funding("BTCUSDT")
    (payment,) = bybit.fetch_funding_history(LINEAR)
    assert payment["symbol"] == LINEAR and payment["code"] == "USDT" and payment["info"]["execType"] == "Funding"
    rate = float(settled["fundingRate"])
    assert payment["rate"] == rate and (payment["amount"] > 0) == (rate > 0)  # a long pays a positive rate


def test_set_margin_mode_accepts_cross_and_refuses_isolated_in_plain_words(bybit):
    assert bybit.set_margin_mode("cross", LINEAR)["result"] == {"reasons": []}
    with pytest.raises(ccxt.ExchangeError, match="cross margin .REGULAR_MARGIN. only"):
        bybit.set_margin_mode("isolated", LINEAR)
