from decimal import Decimal

import pytest

from bybit_widgets.protocol import errors as E
from bybit_widgets.protocol.records import (
    ApiKeyInfo,
    BatchResult,
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

ORDER_WS = {
    "category": "linear",
    "symbol": "ETHUSDT",
    "orderId": "6a1f",
    "orderLinkId": "sim-0001",
    "side": "Buy",
    "orderType": "Limit",
    "price": "2250.00",
    "qty": "0.50",
    "timeInForce": "GTC",
    "orderStatus": "PartiallyFilled",
    "cancelType": "UNKNOWN",
    "rejectReason": "EC_NoError",
    "avgPrice": "2250.00",
    "leavesQty": "0.30",
    "cumExecQty": "0.20",
    "cumExecValue": "450",
    "cumFeeDetail": {"USDT": "0.2475"},
    "closedPnl": "0",
    "positionIdx": 0,
    "reduceOnly": False,
    "createType": "CreateByUser",
    "createdTime": "1700000000200",
    "updatedTime": "1700000000318",
}


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
    lin = Instrument.from_wire(
        {
            "symbol": "BTCUSDT",
            "priceFilter": {"tickSize": "0.10"},
            "lotSizeFilter": {"qtyStep": "0.001", "minNotionalValue": "5"},
            "leverageFilter": {"maxLeverage": "100.00"},
        },
        "linear",
    )
    assert lin.tick_size == Decimal("0.10") and lin.qty_step == Decimal("0.001") and lin.max_leverage == 100
    spot = Instrument.from_wire(
        {
            "symbol": "BTCUSDT",
            "priceFilter": {"tickSize": "0.01"},
            "lotSizeFilter": {"basePrecision": "0.000001", "minOrderAmt": "1"},
        },
        "spot",
    )
    assert spot.qty_step == Decimal("0.000001") and spot.min_notional == 1 and spot.category == "spot"


def test_ticker_fraction_and_missing_fields():
    t = Ticker.from_wire({"symbol": "BTCUSDT", "lastPrice": "42003.10", "price24hPcnt": "0.0123"})
    assert t.last_price == Decimal("42003.10") and t.price_24h_pcnt == Decimal("0.0123") and t.mark_price is None


def test_kline_rest_row_and_ws_object():
    rest = Kline.from_rest_row(["1700000000000", "42000.0", "42020.0", "41995.5", "42012.5", "18.204", "764771.31"])
    ws = Kline.from_wire(
        {
            "start": 1700000000000,
            "end": 1700000059999,
            "interval": "1",
            "open": "42000.0",
            "close": "42012.5",
            "high": "42020.0",
            "low": "41995.5",
            "volume": "18.204",
            "turnover": "764771.31",
            "confirm": True,
            "timestamp": 1700000059990,
        }
    )
    for k in (rest, ws):
        assert (k.start, k.open, k.high, k.low, k.close) == (
            1700000000000,
            42000,
            42020,
            Decimal("41995.5"),
            Decimal("42012.5"),
        )
    assert ws.confirm is True and rest.confirm is None


def test_public_trade_from_rest_and_ws():
    ws = PublicTrade.from_wire(
        {
            "T": 1700000000507,
            "s": "BTCUSDT",
            "S": "Sell",
            "v": "0.025",
            "p": "42000.5",
            "L": "MinusTick",
            "i": "7c1d",
            "BT": False,
        }
    )
    rest = PublicTrade.from_wire(
        {
            "execId": "7c1d",
            "symbol": "BTCUSDT",
            "price": "42000.5",
            "size": "0.025",
            "side": "Sell",
            "time": "1700000000507",
            "isBlockTrade": False,
        }
    )
    assert ws.to_dict() | {"tick_direction": None} == rest.to_dict() | {"tick_direction": None}


def test_orderbook_snapshot_sorted_as_sent():
    ob = OrderBookSnapshot.from_wire(
        {
            "s": "BTCUSDT",
            "b": [["42000.5", "1.250"]],
            "a": [["42001.0", "0.731"]],
            "ts": 1700000000150,
            "u": 815233,
            "seq": 9912330045,
            "cts": 1700000000148,
        }
    )
    assert ob.best_bid.price == Decimal("42000.5") and ob.best_ask.size == Decimal("0.731") and ob.u == 815233


def test_wallet_coins_and_execution():
    w = Wallet.from_wire(
        {
            "accountType": "UNIFIED",
            "totalEquity": "100.5",
            "coin": [{"coin": "USDT", "walletBalance": "100", "unrealisedPnl": "0.5"}],
        }
    )
    assert w.total_equity == Decimal("100.5") and w.coins["USDT"].unrealised_pnl == Decimal("0.5")
    e = Execution.from_wire({"execId": "e1", "execPrice": "1.5", "execQty": "2", "isMaker": False, "execTime": "5"})
    assert e.exec_time == 5 and e.is_maker is False


def test_server_time_ms_and_page():
    assert ServerTime.from_wire({"timeSecond": "1700000000", "timeNano": "1700000000123456789"}).ms == 1700000000123
    page = Page([1, 2], "abc")
    assert page == [1, 2] and page.next_page_cursor == "abc" and "abc" in repr(page)


def test_ticker_reads_every_categorys_names_for_best_bid_ask_and_24h_change():
    """Option tickers name the best bid/ask bidPrice/bidSize/askPrice/askSize on the stream (REST and the
    other categories: bid1Price...), and the 24h change change24h in REST and on the stream (others:
    price24hPcnt). Bybit v5 docs, websocket/public/ticker (Option tab) and market/tickers."""
    option_ws = Ticker.from_wire(
        {
            "symbol": "BTC-6JAN23-17500-C",
            "bidPrice": "0",
            "bidSize": "0",
            "askPrice": "10",
            "askSize": "5.1",
            "change24h": "-0.33333334",
            "lastPrice": "10",
        }
    )
    assert (option_ws.bid1_price, option_ws.bid1_size, option_ws.ask1_price, option_ws.ask1_size) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("10"),
        Decimal("5.1"),
    )
    assert option_ws.price_24h_pcnt == Decimal("-0.33333334")
    option_rest = Ticker.from_wire(
        {
            "symbol": "BTC-30MAY25-68000-P-USDT",
            "bid1Price": "1975",
            "bid1Size": "3",
            "ask1Price": "2050",
            "ask1Size": "0.11",
            "change24h": "-0.19284295",
        }
    )
    assert option_rest.bid1_price == Decimal("1975") and option_rest.price_24h_pcnt == Decimal("-0.19284295")
    linear = Ticker.from_wire({"symbol": "BTCUSDT", "bid1Price": "66666.60", "price24hPcnt": "-0.158315"})
    assert linear.bid1_price == Decimal("66666.60") and linear.price_24h_pcnt == Decimal("-0.158315")
    spot_ws = Ticker.from_wire({"symbol": "BTCUSDT", "lastPrice": "21109.77", "price24hPcnt": "0.0196"})
    assert spot_ws.bid1_price is None and spot_ws.price_24h_pcnt == Decimal("0.0196")


BATCH_DATA = {
    "list": [
        {"category": "linear", "symbol": "SOLUSDT", "orderId": "", "orderLinkId": "batch-000", "createAt": ""},
        {
            "category": "linear",
            "symbol": "SOLUSDT",
            "orderId": "8f1d",
            "orderLinkId": "batch-001",
            "createAt": "1740453408556",
        },
    ]
}
BATCH_EXT = {"list": [{"code": 10001, "msg": "position idx not match position mode"}, {"code": 0, "msg": "OK"}]}


def test_a_batch_pairs_each_order_with_its_own_code_and_names_the_refused_ones():
    """Bybit answers a batch with retCode 0 and each order's outcome at the same index of
    retExtInfo.list (v5 docs: order/batch-place, websocket/trade/guideline)."""
    result = BatchResult.from_wire(BATCH_DATA, BATCH_EXT, "order.create-batch")
    assert len(result) == 2 and not result.ok
    refused, placed = result
    assert (refused.index, refused.ok, refused.ret_code, refused.name) == (0, False, 10001, "batch-000 (SOLUSDT)")
    assert isinstance(refused.error, E.ParameterError) and refused.error.ret_code == 10001
    assert placed.ok and placed.error is None and placed.order_id == "8f1d" and placed.create_at == 1740453408556
    assert result.failed == [refused] and result.succeeded == [placed]
    assert "FAILED 10001" in repr(result) and "8f1d" in repr(result)
    with pytest.raises(E.BatchOrderError) as info:
        result.raise_for_failures()
    err = info.value
    assert err.result is result and err.failed == [refused] and isinstance(err, E.BybitError)
    assert "1 of 2 orders refused" in str(err) and "batch-000 (SOLUSDT): retCode 10001 position idx" in str(err)
    assert "the other 1 was placed" in err.hint and "Check the parameter" in err.hint


def test_a_batch_that_went_through_is_returned_and_missing_codes_mean_success():
    ok = BatchResult.from_wire(BATCH_DATA, {"list": [{"code": 0, "msg": "OK"}]}, "order.create-batch")
    assert ok.ok and ok.raise_for_failures() is ok and [i.ret_code for i in ok] == [0, 0]
    # a code without its list item is still an item: a refusal is never dropped
    codes = {"list": [{"code": 110001, "msg": "Order does not exist"}]}
    lone = BatchResult.from_wire({}, codes, "order.cancel-batch")
    assert lone.failed[0].name == "#0" and isinstance(lone.failed[0].error, E.OrderNotFoundError)
    with pytest.raises(E.BatchOrderError, match="1 of 1 orders refused") as info:
        lone.raise_for_failures()
    assert "none was cancelled" in info.value.hint  # a cancel batch: nothing was cancelled


def test_an_ip_bound_key_never_expires_whatever_placeholder_bybit_sends():
    """v5 docs, user/apikey-info: deadlineDay and expiredAt apply only to keys with no IP bound; an IP-bound
    key comes with deadlineDay -2 and expiredAt 1970-01-01T00:00:00Z (the docs' own example)."""
    bound = ApiKeyInfo.from_wire({"ips": ["18.181.170.164"], "deadlineDay": -2, "expiredAt": "1970-01-01T00:00:00Z"})
    assert bound.expired_at == "1970-01-01T00:00:00Z" and bound.expires_at is None  # the wire stays reachable
    expiring = ApiKeyInfo.from_wire({"ips": ["*"], "deadlineDay": 66, "expiredAt": "2023-12-22T07:20:25Z"})
    assert expiring.expires_at == "2023-12-22T07:20:25Z"
    assert ApiKeyInfo.from_wire({"expiredAt": ""}).expires_at is None
