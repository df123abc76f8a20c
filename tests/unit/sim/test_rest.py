"""REST results of every endpoint of reference section 5: shapes, string types, pagination, error codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bybit_widgets.sim.engine import Exchange, SimError

from .helpers import T0, Clock, make_exchange, order, top, wallet


def code(fn, *args) -> int:
    with pytest.raises(SimError) as err:
        fn(*args)
    return err.value.ret_code


@pytest.fixture(scope="module")
def ex() -> Exchange:
    exchange = Exchange(3, clock=Clock())
    exchange.advance(300)
    return exchange


# -- public -------------------------------------------------------------------------------------------
def test_time(ex: Exchange) -> None:
    result = ex.rest_public("/v5/market/time", {})
    assert result == {"timeSecond": str(ex.now() // 1000), "timeNano": str(ex.now() * 1_000_000)}


def test_instruments_carry_bybit_filters(ex: Exchange) -> None:
    linear = {i["symbol"]: i for i in ex.rest_public("/v5/market/instruments-info", {"category": "linear"})["list"]}
    btc = linear["BTCUSDT"]
    assert btc["priceFilter"]["tickSize"] == "0.10" and btc["priceScale"] == "2"
    assert btc["lotSizeFilter"] | {} == {
        **btc["lotSizeFilter"],
        "qtyStep": "0.001",
        "minOrderQty": "0.001",
        "minNotionalValue": "5",
    }
    assert btc["leverageFilter"] == {"minLeverage": "1", "maxLeverage": "100.00", "leverageStep": "0.01"}
    assert btc["contractType"] == "LinearPerpetual" and btc["fundingInterval"] == 480 and btc["deliveryTime"] == "0"
    assert (linear["ETHUSDT"]["priceFilter"]["tickSize"], linear["ETHUSDT"]["lotSizeFilter"]["qtyStep"]) == (
        "0.01",
        "0.01",
    )
    assert (linear["SOLUSDT"]["priceFilter"]["tickSize"], linear["SOLUSDT"]["lotSizeFilter"]["qtyStep"]) == (
        "0.010",
        "0.1",
    )
    spot = ex.rest_public("/v5/market/instruments-info", {"category": "spot", "symbol": "BTCUSDT"})
    assert "nextPageCursor" not in spot
    lot = spot["list"][0]["lotSizeFilter"]
    assert lot["basePrecision"] == "0.000001" and lot["minOrderAmt"] == "5" and "qtyStep" not in lot
    assert spot["list"][0]["priceFilter"] == {"tickSize": "0.01"}


def test_instruments_paginate(ex: Exchange) -> None:
    first = ex.rest_public("/v5/market/instruments-info", {"category": "linear", "limit": "2"})
    assert len(first["list"]) == 2 and first["nextPageCursor"]
    rest = ex.rest_public(
        "/v5/market/instruments-info", {"category": "linear", "limit": "2", "cursor": first["nextPageCursor"]}
    )
    assert [i["symbol"] for i in first["list"] + rest["list"]] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    assert rest["nextPageCursor"] == ""
    assert code(ex.rest_public, "/v5/market/instruments-info", {"category": "linear", "cursor": "bogus"}) == 10001
    assert code(ex.rest_public, "/v5/market/instruments-info", {"category": "linear", "limit": "1001"}) == 10001
    assert code(ex.rest_public, "/v5/market/instruments-info", {}) == 10001


def test_tickers(ex: Exchange) -> None:
    everything = ex.rest_public("/v5/market/tickers", {"category": "linear"})
    assert [t["symbol"] for t in everything["list"]] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    one = ex.rest_public("/v5/market/tickers", {"category": "linear", "symbol": "ETHUSDT"})["list"][0]
    assert one["deliveryTime"] == "0" and "tickDirection" not in one and one["fundingIntervalHour"] == "8"
    assert all(isinstance(v, str) for v in one.values())
    spot = ex.rest_public("/v5/market/tickers", {"category": "spot", "symbol": "BTCUSDT"})["list"][0]
    assert {"bid1Price", "ask1Size", "usdIndexPrice", "lastPrice"} <= set(spot) and "markPrice" not in spot
    err = code(ex.rest_public, "/v5/market/tickers", {"category": "linear", "symbol": "NOPEUSDT"})
    assert err == 10001
    assert code(ex.rest_public, "/v5/market/tickers", {"category": "futures"}) == 10001


def test_orderbook(ex: Exchange) -> None:
    book = ex.rest_public("/v5/market/orderbook", {"category": "linear", "symbol": "BTCUSDT"})
    assert set(book) == {"s", "b", "a", "ts", "u", "seq", "cts"} and len(book["b"]) == len(book["a"]) == 25
    assert isinstance(book["ts"], int) and isinstance(book["u"], int)
    assert book["b"] == ex.book_levels("linear", "BTCUSDT", 25)[0]
    spot = ex.rest_public("/v5/market/orderbook", {"category": "spot", "symbol": "BTCUSDT"})
    assert len(spot["b"]) == len(spot["a"]) == 1
    deep = ex.rest_public("/v5/market/orderbook", {"category": "linear", "symbol": "BTCUSDT", "limit": "1000"})
    assert len(deep["b"]) == 1000
    assert (
        code(ex.rest_public, "/v5/market/orderbook", {"category": "linear", "symbol": "BTCUSDT", "limit": "0"}) == 10001
    )
    assert code(ex.rest_public, "/v5/market/orderbook", {"category": "linear"}) == 10001


def test_kline(ex: Exchange) -> None:
    result = ex.rest_public("/v5/market/kline", {"symbol": "BTCUSDT", "interval": "1", "limit": "5"})
    assert result["category"] == "linear" and result["symbol"] == "BTCUSDT"
    rows = result["list"]
    assert len(rows) == 5 and all(len(r) == 7 and all(isinstance(x, str) for x in r) for r in rows)
    starts = [int(r[0]) for r in rows]
    assert starts == sorted(starts, reverse=True) and starts[0] - starts[1] == 60_000
    assert rows[0][4] == ex.ticker("linear", "BTCUSDT")["lastPrice"]  # the open candle closes at last price
    for r in rows:
        assert Decimal(r[3]) <= min(Decimal(r[1]), Decimal(r[4])) <= max(Decimal(r[1]), Decimal(r[4])) <= Decimal(r[2])
    window = ex.rest_public(
        "/v5/market/kline",
        {"symbol": "BTCUSDT", "interval": "5", "start": str(starts[-1] - 3_600_000), "end": str(starts[-1])},
    )
    assert all(starts[-1] - 3_600_000 <= int(r[0]) <= starts[-1] for r in window["list"]) and window["list"]
    hourly = ex.rest_public("/v5/market/kline", {"category": "spot", "symbol": "BTCUSDT", "interval": "60"})["list"]
    assert len(hourly) >= 24  # a day of history from the start
    assert code(ex.rest_public, "/v5/market/kline", {"symbol": "BTCUSDT", "interval": "2"}) == 10001
    assert code(ex.rest_public, "/v5/market/kline", {"interval": "1"}) == 10001


def test_recent_trade_limits(ex: Exchange) -> None:
    trades = ex.rest_public("/v5/market/recent-trade", {"category": "linear", "symbol": "BTCUSDT"})["list"]
    assert 0 < len(trades) <= 500
    assert set(trades[0]) == {"execId", "symbol", "price", "size", "side", "time", "isBlockTrade", "isRPITrade", "seq"}
    assert int(trades[0]["time"]) >= int(trades[-1]["time"])
    spot = ex.rest_public("/v5/market/recent-trade", {"category": "spot", "symbol": "BTCUSDT"})["list"]
    assert len(spot) <= 60
    assert (
        code(ex.rest_public, "/v5/market/recent-trade", {"category": "spot", "symbol": "BTCUSDT", "limit": "61"})
        == 10001
    )


def test_unknown_paths(ex: Exchange) -> None:
    assert code(ex.rest_public, "/v5/market/nope", {}) == 10017
    ex.ensure_account("u", "s")
    assert code(ex.rest_private, "/v5/order/nope", "u", {}) == 10017
    assert code(ex.rest_private, "/v5/account/wallet-balance", "nobody", {"accountType": "UNIFIED"}) == 10003


# -- order entry errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params, ret_code, words",
    [
        ({"side": "Buy", "orderType": "Market"}, 10001, "qty"),
        ({"orderType": "Market", "qty": "0.001"}, 10001, "side"),
        ({"side": "Long", "orderType": "Market", "qty": "0.001"}, 10001, "side"),
        ({"side": "Buy", "orderType": "Stop", "qty": "0.001"}, 10001, "orderType"),
        ({"side": "Buy", "orderType": "Market", "qty": 0.001}, 10001, "qty"),
        ({"side": "Buy", "orderType": "Market", "qty": "abc"}, 10001, "qty"),
        ({"side": "Buy", "orderType": "Market", "qty": "1e-3"}, 10001, "qty"),
        ({"side": "Buy", "orderType": "Market", "qty": "0.0015"}, 10001, "Qty invalid"),
        ({"side": "Buy", "orderType": "Market", "qty": "0.0005"}, 110017, "truncated"),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.001"}, 10001, "price"),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "1000.05"}, 10001, "tickSize"),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "1000"}, 110094, "minimum order value"),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "150000"}, 110003, "range"),
        ({"side": "Buy", "orderType": "Market", "qty": "0.001", "positionIdx": 1}, 10001, "position idx"),
        ({"side": "Buy", "orderType": "Market", "qty": "0.001", "timeInForce": "GTD"}, 10001, "timeInForce"),
        ({"side": "Buy", "orderType": "Market", "qty": "0.001", "reduceOnly": "maybe"}, 10001, "reduceOnly"),
        ({"side": "Buy", "orderType": "Market", "qty": "0.001", "orderLinkId": "x" * 37}, 10001, "orderLinkId"),
        ({"side": "Buy", "orderType": "Market", "qty": "2000"}, 10001, "maximum"),
        ({"side": "Buy", "orderType": "Limit", "qty": "1000", "price": "80000"}, 110007, "not enough"),
        ({"side": "Buy", "orderType": "Market", "qty": "0.001", "triggerPrice": "99000"}, 10001, "triggerDirection"),
    ],
)
def test_create_order_errors(params: dict, ret_code: int, words: str) -> None:
    ex = make_exchange()
    with pytest.raises(SimError) as err:
        order(ex, **params)
    assert err.value.ret_code == ret_code and words in err.value.ret_msg
    assert ex.truth_orders("k") == []  # a refused order leaves nothing behind


def test_link_ids_and_position_idx_as_int() -> None:
    ex = make_exchange()
    bid, _ = top(ex)
    first = order(
        ex, side="Buy", orderType="Limit", qty="0.001", price=str(bid - 100), orderLinkId="a-1", positionIdx=0
    )
    assert first["orderLinkId"] == "a-1" and len(first["orderId"]) == 36
    with pytest.raises(SimError) as err:
        order(ex, side="Buy", orderType="Limit", qty="0.001", price=str(bid - 100), orderLinkId="a-1")
    assert err.value.ret_code == 110072
    assert (
        order(ex, side="Buy", orderType="Limit", qty="0.001", price=str(bid - 100), positionIdx="0")["orderLinkId"]
        == ""
    )


def test_read_only_key_cannot_trade() -> None:
    ex = make_exchange()
    ex.ensure_account("ro", "s", read_only=True)
    for path in ("/v5/order/create", "/v5/order/cancel", "/v5/position/set-leverage", "/v5/order/cancel-all"):
        assert code(ex.rest_private, path, "ro", {"category": "linear", "symbol": "BTCUSDT"}) == 10005
    assert ex.rest_private("/v5/user/query-api", "ro", {})["readOnly"] == 1
    assert wallet(ex, "ro")["totalEquity"] == "100000"


# -- queries ------------------------------------------------------------------------------------------
def test_open_orders_history_and_pagination() -> None:
    ex = make_exchange()
    bid, _ = top(ex)
    ids = [order(ex, side="Buy", orderType="Limit", qty="0.001", price=str(bid - 10 - i))["orderId"] for i in range(5)]
    base = {"category": "linear", "symbol": "BTCUSDT"}
    page1 = ex.rest_private("/v5/order/realtime", "k", {**base, "limit": "2"})
    page2 = ex.rest_private("/v5/order/realtime", "k", {**base, "limit": "2", "cursor": page1["nextPageCursor"]})
    page3 = ex.rest_private("/v5/order/realtime", "k", {**base, "limit": "2", "cursor": page2["nextPageCursor"]})
    listed = [o["orderId"] for o in page1["list"] + page2["list"] + page3["list"]]
    assert listed == list(reversed(ids)) and page3["nextPageCursor"] == ""
    item = page1["list"][0]
    assert item["orderStatus"] == "New" and item["cancelType"] == "UNKNOWN" and item["rejectReason"] == "EC_NoError"
    assert item["triggerPrice"] == "0.00" and item["smpType"] == "None" and isinstance(item["positionIdx"], int)
    assert item["leavesQty"] == "0.001" and item["cumExecQty"] == "0.000" and "category" not in item
    ex.rest_private("/v5/order/cancel", "k", {**base, "orderId": ids[0]})
    closed = ex.rest_private("/v5/order/realtime", "k", {**base, "openOnly": "1"})["list"]
    assert [o["orderId"] for o in closed] == [ids[0]] and closed[0]["orderStatus"] == "Cancelled"
    history = ex.rest_private("/v5/order/history", "k", {**base, "orderStatus": "Cancelled"})["list"]
    assert [o["orderId"] for o in history] == [ids[0]]
    assert len(ex.rest_private("/v5/order/history", "k", base)["list"]) == 5
    assert code(ex.rest_private, "/v5/order/realtime", "k", {"category": "linear"}) == 10001
    assert code(ex.rest_private, "/v5/order/realtime", "k", {**base, "limit": "51"}) == 10001
    span = {**base, "startTime": str(T0), "endTime": str(T0 + 8 * 86_400_000)}
    assert code(ex.rest_private, "/v5/order/history", "k", span) == 10001
    one = ex.rest_private("/v5/order/realtime", "k", {**base, "orderId": ids[2]})["list"]
    assert [o["orderId"] for o in one] == [ids[2]]


def test_cancel_all() -> None:
    ex = make_exchange()
    bid, _ = top(ex)
    for i in range(3):
        order(ex, side="Buy", orderType="Limit", qty="0.001", price=str(bid - 10 - i))
    order(ex, side="Buy", orderType="Market", qty="0.001", triggerPrice=str(bid + 500), triggerDirection=1)
    assert code(ex.rest_private, "/v5/order/cancel-all", "k", {"category": "linear"}) == 10001
    plain = ex.rest_private(
        "/v5/order/cancel-all", "k", {"category": "linear", "symbol": "BTCUSDT", "orderFilter": "Order"}
    )
    assert plain["success"] == "1" and len(plain["list"]) == 3 and set(plain["list"][0]) == {"orderId", "orderLinkId"}
    rest = ex.rest_private("/v5/order/cancel-all", "k", {"category": "linear", "settleCoin": "USDT"})
    assert len(rest["list"]) == 1
    assert ex.rest_private("/v5/order/realtime", "k", {"category": "linear", "settleCoin": "USDT"})["list"] == []
    statuses = {o["orderStatus"] for o in ex.truth_orders("k")}
    assert statuses == {"Cancelled", "Deactivated"}


def test_executions_and_positions() -> None:
    ex = make_exchange()
    order(ex, side="Buy", orderType="Market", qty="0.004", orderLinkId="buy-1")
    order(ex, side="Sell", orderType="Market", qty="0.001")
    base = {"category": "linear", "symbol": "BTCUSDT"}
    execs = ex.rest_private("/v5/execution/list", "k", base)["list"]
    assert execs and execs[0]["side"] == "Sell" and isinstance(execs[0]["seq"], int)
    assert {
        "execId",
        "execPrice",
        "execQty",
        "execValue",
        "execFee",
        "feeRate",
        "isMaker",
        "closedSize",
        "markPrice",
        "orderLinkId",
    } <= set(execs[0])
    assert execs[0]["closedSize"] == "0.001" and "execPnl" not in execs[0]
    by_link = ex.rest_private("/v5/execution/list", "k", {**base, "orderLinkId": "buy-1"})["list"]
    assert by_link and all(e["orderLinkId"] == "buy-1" for e in by_link)
    assert code(ex.rest_private, "/v5/execution/list", "k", {**base, "limit": "101"}) == 10001
    pos = ex.rest_private("/v5/position/list", "k", base)["list"][0]
    assert pos["size"] == "0.003" and pos["side"] == "Buy" and pos["leverage"] == "10" and pos["positionIdx"] == 0
    assert Decimal(pos["positionIM"]) == (Decimal(pos["positionValue"]) / 10).quantize(Decimal("1e-8"))
    assert pos["liqPrice"] == "" or Decimal(pos["liqPrice"]) < Decimal(pos["avgPrice"])
    ex.ensure_account("flat", "s")
    flat = ex.rest_private("/v5/position/list", "flat", base)["list"]
    assert len(flat) == 1 and flat[0]["size"] == "0.000" and flat[0]["side"] == "" and flat[0]["avgPrice"] == "0"
    assert ex.rest_private("/v5/position/list", "flat", {"category": "linear", "settleCoin": "USDT"})["list"] == []
    assert code(ex.rest_private, "/v5/position/list", "k", {"category": "linear", "symbol": "ETHUSDT"}) == 10001
    settled = ex.rest_private("/v5/position/list", "k", {"category": "linear", "settleCoin": "USDT"})["list"]
    assert [p["symbol"] for p in settled] == ["BTCUSDT"]
    assert code(ex.rest_private, "/v5/position/list", "k", {"category": "linear"}) == 10001
    assert code(ex.rest_private, "/v5/position/list", "k", {"category": "spot", "symbol": "BTCUSDT"}) == 10001


def test_leverage() -> None:
    ex = make_exchange()
    base = {"category": "linear", "symbol": "BTCUSDT"}
    order(ex, side="Sell", orderType="Market", qty="0.010")
    im_at_10 = Decimal(ex.rest_private("/v5/position/list", "k", base)["list"][0]["positionIM"])
    assert ex.rest_private("/v5/position/set-leverage", "k", {**base, "buyLeverage": "20", "sellLeverage": "20"}) == {}
    pos = ex.rest_private("/v5/position/list", "k", base)["list"][0]
    assert pos["leverage"] == "20" and Decimal(pos["positionIM"]) * 2 == im_at_10
    assert (
        code(ex.rest_private, "/v5/position/set-leverage", "k", {**base, "buyLeverage": "20", "sellLeverage": "20"})
        == 110043
    )
    assert (
        code(ex.rest_private, "/v5/position/set-leverage", "k", {**base, "buyLeverage": "5", "sellLeverage": "6"})
        == 10001
    )
    assert (
        code(ex.rest_private, "/v5/position/set-leverage", "k", {**base, "buyLeverage": "101", "sellLeverage": "101"})
        == 10001
    )
    assert code(ex.rest_private, "/v5/position/set-leverage", "k", {**base, "buyLeverage": "5"}) == 10001


def test_wallet_and_api_key() -> None:
    ex = make_exchange(balance="2500.5")
    account = wallet(ex)
    assert account["accountType"] == "UNIFIED" and account["totalWalletBalance"] == "2500.5"
    usdt = account["coin"][0]
    assert usdt["coin"] == "USDT" and usdt["walletBalance"] == "2500.5" and usdt["marginCollateral"] is True
    assert code(ex.rest_private, "/v5/account/wallet-balance", "k", {}) == 10001
    assert code(ex.rest_private, "/v5/account/wallet-balance", "k", {"accountType": "CONTRACT"}) == 10001
    none = ex.rest_private("/v5/account/wallet-balance", "k", {"accountType": "UNIFIED", "coin": "BTC"})
    assert none["list"][0]["coin"] == []
    info = ex.rest_private("/v5/user/query-api", "k", {})
    assert info["apiKey"] == "k" and info["secret"] == "" and info["readOnly"] == 0 and info["uta"] == 1
    assert info["permissions"]["ContractTrade"] == ["Order", "Position"]
    assert "s" not in repr(ex.trading.accounts.get("k")).replace("api_key", "")


# -- spot ---------------------------------------------------------------------------------------------
def _spot() -> Exchange:
    from bybit_widgets.sim.engine import default_symbols

    return make_exchange(symbols=[s for s in default_symbols() if s.category == "spot"], balance="10000")


def test_spot_market_buy_by_quote_and_sell_by_base() -> None:
    ex = _spot()
    base = {"category": "spot", "symbol": "BTCUSDT"}
    bought = ex.rest_private("/v5/order/create", "k", {**base, "side": "Buy", "orderType": "Market", "qty": "1000"})
    state = next(o for o in ex.truth_orders("k") if o["orderId"] == bought["orderId"])
    assert state["orderStatus"] == "Filled" and state["marketUnit"] == "quoteCoin" and state["qty"] == "1000"
    assert Decimal(state["cumExecValue"]) <= 1000 and Decimal(state["cumExecValue"]) > 999
    assert list(state["cumFeeDetail"]) == ["BTC"]
    coins = {c["coin"]: c for c in wallet(ex)["coin"]}
    btc = Decimal(coins["BTC"]["walletBalance"])
    assert btc == Decimal(state["cumExecQty"]) - Decimal(state["cumExecFee"])
    assert Decimal(coins["USDT"]["walletBalance"]) == 10000 - Decimal(state["cumExecValue"])
    sell_qty = f"{btc.quantize(Decimal('0.000001'), rounding='ROUND_DOWN')}"
    sold = ex.rest_private("/v5/order/create", "k", {**base, "side": "Sell", "orderType": "Market", "qty": sell_qty})
    assert next(o for o in ex.truth_orders("k") if o["orderId"] == sold["orderId"])["orderStatus"] == "Filled"


@pytest.mark.parametrize(
    "params, ret_code",
    [
        ({"side": "Buy", "orderType": "Limit", "qty": "1", "price": "80000"}, 170131),
        ({"side": "Sell", "orderType": "Limit", "qty": "0.01", "price": "95000"}, 170131),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.0000001", "price": "80000"}, 170137),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "80000.001"}, 170134),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.000011", "price": "80000"}, 170140),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.000001", "price": "80000"}, 170136),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "120000"}, 170193),
        ({"side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "80000", "timeInForce": "GTD"}, 170115),
        ({"side": "Up", "orderType": "Limit", "qty": "0.001", "price": "80000"}, 170117),
    ],
)
def test_spot_errors(params: dict, ret_code: int) -> None:
    ex = _spot()
    assert (
        code(ex.rest_private, "/v5/order/create", "k", {"category": "spot", "symbol": "BTCUSDT", **params}) == ret_code
    )


def test_spot_unknown_symbol_duplicate_link_and_missing_order() -> None:
    ex = _spot()
    base = {"category": "spot", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "80000"}
    assert code(ex.rest_private, "/v5/order/create", "k", {**base, "symbol": "ETHUSDT"}) == 170121
    ex.rest_private("/v5/order/create", "k", {**base, "symbol": "BTCUSDT", "orderLinkId": "s-1"})
    assert code(ex.rest_private, "/v5/order/create", "k", {**base, "symbol": "BTCUSDT", "orderLinkId": "s-1"}) == 170141
    assert (
        code(ex.rest_private, "/v5/order/cancel", "k", {"category": "spot", "symbol": "BTCUSDT", "orderId": "nope"})
        == 170213
    )
    usdt = next(c for c in wallet(ex)["coin"] if c["coin"] == "USDT")
    assert usdt["locked"] == "80"  # the resting buy reserves its quote


def test_resting_orders_reserve_initial_margin() -> None:
    ex = make_exchange(balance="1000")
    bid, _ = top(ex)
    price = bid - 100
    before = Decimal(wallet(ex)["totalAvailableBalance"])
    order(ex, side="Buy", orderType="Limit", qty="0.090", price=str(price))
    account = wallet(ex)
    reserved = (price * Decimal("0.090") / 10).quantize(Decimal("1e-8"))
    assert Decimal(account["totalInitialMargin"]) == reserved
    assert Decimal(account["coin"][0]["totalOrderIM"]) == reserved
    assert Decimal(account["totalAvailableBalance"]) == before - reserved
    with pytest.raises(SimError) as err:  # what is left (~209 USDT) cannot carry another 0.03 BTC at 10x
        order(ex, side="Buy", orderType="Limit", qty="0.030", price=str(price))
    assert err.value.ret_code == 110007
    # a closing order needs no margin: sell against a long position
    ex.rest_private("/v5/order/cancel-all", "k", {"category": "linear", "symbol": "BTCUSDT"})
    order(ex, side="Buy", orderType="Market", qty="0.100")
    _, ask = top(ex)
    order(ex, side="Sell", orderType="Limit", qty="0.100", price=str(ask + 100))
    assert Decimal(wallet(ex)["coin"][0]["totalOrderIM"]) == 0


def test_liquidation_price_is_where_equity_meets_maintenance_margin() -> None:
    ex = make_exchange(balance="1000")
    order(ex, side="Buy", orderType="Market", qty="0.100")
    pos = ex.rest_private("/v5/position/list", "k", {"category": "linear", "symbol": "BTCUSDT"})["list"][0]
    liq, avg, size = Decimal(pos["liqPrice"]), Decimal(pos["avgPrice"]), Decimal(pos["size"])
    wallet_balance = Decimal(wallet(ex)["totalWalletBalance"])
    assert 0 < liq < avg
    equity_at_liq = wallet_balance + (liq - avg) * size
    assert abs(equity_at_liq - Decimal("0.005") * liq * size) < Decimal("0.1") * size + Decimal("0.01")
    order(ex, side="Sell", orderType="Market", qty="0.200")  # flip to a short: liq above the entry
    short = ex.rest_private("/v5/position/list", "k", {"category": "linear", "symbol": "BTCUSDT"})["list"][0]
    assert short["side"] == "Sell" and Decimal(short["liqPrice"]) > Decimal(short["avgPrice"])
