from decimal import Decimal

from bybit_widgets.protocol.records import (
    Execution,
    Instrument,
    Kline,
    Order,
    OrderBookSnapshot,
    Page,
    Position,
    PublicTrade,
    ServerTime,
    Ticker,
    Wallet,
)

ORDER_WS = {"category": "linear", "symbol": "ETHUSDT", "orderId": "6a1f", "orderLinkId": "sim-0001", "side": "Buy",
            "orderType": "Limit", "price": "2250.00", "qty": "0.50", "timeInForce": "GTC",
            "orderStatus": "PartiallyFilled", "cancelType": "UNKNOWN", "rejectReason": "EC_NoError",
            "avgPrice": "2250.00", "leavesQty": "0.30", "cumExecQty": "0.20", "cumExecValue": "450",
            "cumFeeDetail": {"USDT": "0.2475"}, "closedPnl": "0", "positionIdx": 0, "reduceOnly": False,
            "createType": "CreateByUser", "createdTime": "1700000000200", "updatedTime": "1700000000318"}  # fmt: skip


def test_order_typed_and_wire_reachable():
    o = Order.from_wire(ORDER_WS)
    assert o.order_id == "6a1f" and o.price == Decimal("2250.00") and o.cum_exec_qty == Decimal("0.20")
    assert o.created_time == 1700000000200 and o.reduce_only is False and o.position_idx == 0
    assert o.is_open
    assert o["cumFeeDetail"] == {"USDT": "0.2475"} and o.get("closedPnl") == "0" and o.raw is ORDER_WS
    assert "2250.00" in repr(o)


def test_empty_strings_decode_to_none():
    o = Order.from_wire({"orderId": "x", "avgPrice": "", "triggerPrice": "0.00"})
    assert o.avg_price is None and o.trigger_price == Decimal("0.00") and o.qty is None


def test_position_entry_price_vs_avg_price():
    assert Position.from_wire({"avgPrice": "42000"}).avg_price == Decimal("42000")
    assert Position.from_wire({"entryPrice": "42001"}).avg_price == Decimal("42001")
    assert Position.from_wire({"size": "0", "side": ""}).is_flat


def test_instrument_linear_and_spot_filters():
    lin = Instrument.from_wire({"symbol": "BTCUSDT", "priceFilter": {"tickSize": "0.10"},
                                "lotSizeFilter": {"qtyStep": "0.001", "minNotionalValue": "5"},
                                "leverageFilter": {"maxLeverage": "100.00"}}, "linear")  # fmt: skip
    assert lin.tick_size == Decimal("0.10") and lin.qty_step == Decimal("0.001") and lin.max_leverage == 100
    spot = Instrument.from_wire({"symbol": "BTCUSDT", "priceFilter": {"tickSize": "0.01"},
                                 "lotSizeFilter": {"basePrecision": "0.000001", "minOrderAmt": "1"}}, "spot")
    assert spot.qty_step == Decimal("0.000001") and spot.min_notional == 1 and spot.category == "spot"


def test_ticker_fraction_and_missing_fields():
    t = Ticker.from_wire({"symbol": "BTCUSDT", "lastPrice": "42003.10", "price24hPcnt": "0.0123"})
    assert t.last_price == Decimal("42003.10") and t.price_24h_pcnt == Decimal("0.0123") and t.mark_price is None


def test_kline_rest_row_and_ws_object():
    rest = Kline.from_rest_row(["1700000000000", "42000.0", "42020.0", "41995.5", "42012.5", "18.204", "764771.31"])
    ws = Kline.from_wire({"start": 1700000000000, "end": 1700000059999, "interval": "1", "open": "42000.0",
                          "close": "42012.5", "high": "42020.0", "low": "41995.5", "volume": "18.204",
                          "turnover": "764771.31", "confirm": True, "timestamp": 1700000059990})  # fmt: skip
    for k in (rest, ws):
        assert (k.start, k.open, k.high, k.low, k.close) == (1700000000000, 42000, 42020, Decimal("41995.5"),
                                                             Decimal("42012.5"))  # fmt: skip
    assert ws.confirm is True and rest.confirm is None


def test_public_trade_from_rest_and_ws():
    ws = PublicTrade.from_wire({"T": 1700000000507, "s": "BTCUSDT", "S": "Sell", "v": "0.025", "p": "42000.5",
                                "L": "MinusTick", "i": "7c1d", "BT": False})  # fmt: skip
    rest = PublicTrade.from_wire({"execId": "7c1d", "symbol": "BTCUSDT", "price": "42000.5", "size": "0.025",
                                  "side": "Sell", "time": "1700000000507", "isBlockTrade": False})  # fmt: skip
    assert ws.to_dict() | {"tick_direction": None} == rest.to_dict() | {"tick_direction": None}


def test_orderbook_snapshot_sorted_as_sent():
    ob = OrderBookSnapshot.from_wire({"s": "BTCUSDT", "b": [["42000.5", "1.250"]], "a": [["42001.0", "0.731"]],
                                      "ts": 1700000000150, "u": 815233, "seq": 9912330045, "cts": 1700000000148})
    assert ob.best_bid.price == Decimal("42000.5") and ob.best_ask.size == Decimal("0.731") and ob.u == 815233


def test_wallet_coins_and_execution():
    w = Wallet.from_wire({"accountType": "UNIFIED", "totalEquity": "100.5",
                          "coin": [{"coin": "USDT", "walletBalance": "100", "unrealisedPnl": "0.5"}]})
    assert w.total_equity == Decimal("100.5") and w.coins["USDT"].unrealised_pnl == Decimal("0.5")
    e = Execution.from_wire({"execId": "e1", "execPrice": "1.5", "execQty": "2", "isMaker": False, "execTime": "5"})
    assert e.exec_time == 5 and e.is_maker is False


def test_server_time_ms_and_page():
    assert ServerTime.from_wire({"timeSecond": "1700000000", "timeNano": "1700000000123456789"}).ms == 1700000000123
    page = Page([1, 2], "abc")
    assert page == [1, 2] and page.next_page_cursor == "abc" and "abc" in repr(page)
