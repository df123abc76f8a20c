"""The matching engine: price-time priority, time in force, reduce-only, triggers, TP/SL, maker fills."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bybit_widgets.sim.engine import SimError

from .helpers import Recorder, get_order, make_exchange, order, position, top, wallet


def _book_size(ex, side: str, price: Decimal) -> Decimal:
    bids, asks = ex.book_levels("linear", "BTCUSDT", 1000)
    for p, q in bids if side == "b" else asks:
        if Decimal(p) == price:
            return Decimal(q)
    return Decimal(0)


def test_market_buy_walks_the_asks_and_pays_taker_fee() -> None:
    ex = make_exchange()
    _, asks = ex.book_levels("linear", "BTCUSDT", 3)
    qty = Decimal(asks[0][1]) + Decimal(asks[1][1]) / 2
    rec = Recorder(ex)
    result = order(ex, side="Buy", orderType="Market", qty=str(qty))
    state = get_order(ex, result["orderId"])
    assert state["orderStatus"] == "Filled" and state["timeInForce"] == "IOC"
    execs = rec.items("execution")
    assert [(e["execPrice"], e["execQty"]) for e in execs] == [
        (asks[0][0], asks[0][1]),
        (asks[1][0], f"{Decimal(asks[1][1]) / 2:.3f}"),
    ]
    for e in execs:
        assert e["isMaker"] is False and e["feeRate"] == "0.00055"
        assert Decimal(e["execFee"]) == (Decimal(e["execValue"]) * Decimal("0.00055")).quantize(Decimal("1e-8"))
    vwap = sum(Decimal(e["execValue"]) for e in execs) / qty
    pos = position(ex)
    assert pos["side"] == "Buy" and Decimal(pos["size"]) == qty
    assert abs(Decimal(pos["avgPrice"]) - vwap) < Decimal("0.0001")
    # the asks it took are gone from the book, which stays uncrossed
    bids_after, asks_after = ex.book_levels("linear", "BTCUSDT", 1)
    assert Decimal(asks_after[0][0]) == Decimal(asks[1][0]) and Decimal(bids_after[0][0]) < Decimal(asks[1][0])


def test_resting_order_is_part_of_the_book_and_queues_behind_the_crowd() -> None:
    ex = make_exchange()
    ex.ensure_account("m", "s")
    bid, _ = top(ex)
    crowd = _book_size(ex, "b", bid)
    first = order(ex, side="Buy", orderType="Limit", qty="0.010", price=str(bid))
    second = order(ex, "m", side="Buy", orderType="Limit", qty="0.020", price=str(bid))
    assert _book_size(ex, "b", bid) == crowd + Decimal("0.030")
    assert get_order(ex, first["orderId"])["orderStatus"] == "New"
    # a sell of crowd + 0.015 fills the crowd, all of the first order, half of the second
    order(ex, "m", side="Sell", orderType="Limit", timeInForce="IOC", qty=str(crowd + Decimal("0.015")), price=str(bid))
    assert get_order(ex, first["orderId"])["orderStatus"] == "Filled"
    later = get_order(ex, second["orderId"], "m")
    assert later["orderStatus"] == "PartiallyFilled" and later["leavesQty"] == "0.015"
    assert _book_size(ex, "b", bid) == Decimal("0.015")


def test_post_only_crossing_is_cancelled_and_resting_one_is_maker() -> None:
    ex = make_exchange()
    bid, ask = top(ex)
    crossing = order(ex, side="Buy", orderType="Limit", timeInForce="PostOnly", qty="0.001", price=str(ask))
    state = get_order(ex, crossing["orderId"])
    assert state["orderStatus"] == "Cancelled" and state["rejectReason"] == "EC_PostOnlyWillTakeLiquidity"
    assert state["cumExecQty"] == "0.000"
    resting = order(ex, side="Buy", orderType="Limit", timeInForce="PostOnly", qty="0.001", price=str(bid))
    assert get_order(ex, resting["orderId"])["orderStatus"] == "New"
    assert top(ex) == (bid, ask)


def test_fok_all_or_nothing() -> None:
    ex = make_exchange()
    _, asks = ex.book_levels("linear", "BTCUSDT", 2)
    too_much = Decimal(asks[0][1]) + Decimal(asks[1][1]) + Decimal("0.001")
    rec = Recorder(ex)
    result = order(ex, side="Buy", orderType="Limit", timeInForce="FOK", qty=str(too_much), price=asks[1][0])
    state = get_order(ex, result["orderId"])
    assert state["orderStatus"] == "Cancelled" and state["rejectReason"] == "EC_CancelForNoFullFill"
    assert rec.items("execution") == [] and ex.book_levels("linear", "BTCUSDT", 2)[1] == asks
    exact = Decimal(asks[0][1]) + Decimal(asks[1][1])
    done = order(ex, side="Buy", orderType="Limit", timeInForce="FOK", qty=str(exact), price=asks[1][0])
    assert get_order(ex, done["orderId"])["orderStatus"] == "Filled"


def test_ioc_cancels_the_rest() -> None:
    ex = make_exchange()
    bid, ask = top(ex)
    nothing = order(ex, side="Buy", orderType="Limit", timeInForce="IOC", qty="0.001", price=str(bid))
    state = get_order(ex, nothing["orderId"])
    assert state["orderStatus"] == "Cancelled" and state["rejectReason"] == "EC_NoImmediateQtyToFill"
    size = _book_size(ex, "a", ask)
    partial = order(ex, side="Buy", orderType="Limit", timeInForce="IOC", qty=str(size + 1), price=str(ask))
    state = get_order(ex, partial["orderId"])
    assert state["orderStatus"] == "Cancelled" and Decimal(state["cumExecQty"]) == size
    assert state["leavesQty"] == "0.000" and top(ex)[1] > ask


def test_reduce_only_never_opens_or_grows() -> None:
    ex = make_exchange()
    with pytest.raises(SimError) as err:
        order(ex, side="Sell", orderType="Market", qty="0.010", reduceOnly=True)
    assert err.value.ret_code == 110017
    order(ex, side="Buy", orderType="Market", qty="0.010")
    with pytest.raises(SimError) as err:
        order(ex, side="Buy", orderType="Market", qty="0.010", reduceOnly=True)
    assert err.value.ret_code == 110017
    result = order(ex, side="Sell", orderType="Market", qty="0.050", reduceOnly=True)
    state = get_order(ex, result["orderId"])
    assert state["cumExecQty"] == "0.010" and state["orderStatus"] == "Filled"
    assert position(ex)["size"] == "0.000" and position(ex)["side"] == ""


def test_resting_reduce_only_shrinks_with_the_position() -> None:
    ex = make_exchange()
    order(ex, side="Buy", orderType="Market", qty="0.020")
    _, ask = top(ex)
    crowd = _book_size(ex, "a", ask + 50)
    ro = order(ex, side="Sell", orderType="Limit", qty="0.020", price=str(ask + 50), reduceOnly=True)
    assert _book_size(ex, "a", ask + 50) == crowd + Decimal("0.020")
    order(ex, side="Sell", orderType="Market", qty="0.015")
    state = get_order(ex, ro["orderId"])
    assert state["qty"] == "0.005" and state["leavesQty"] == "0.005"
    assert _book_size(ex, "a", ask + 50) == crowd + Decimal("0.005")
    order(ex, side="Sell", orderType="Market", qty="0.005")
    state = get_order(ex, ro["orderId"])
    assert state["orderStatus"] == "Cancelled" and state["cancelType"] == "CancelByReduceOnly"
    assert _book_size(ex, "a", ask + 50) == crowd


def test_close_whole_position_with_qty_zero() -> None:
    ex = make_exchange()
    order(ex, side="Sell", orderType="Market", qty="0.007")
    order(ex, side="Buy", orderType="Market", qty="0", reduceOnly=True, closeOnTrigger=True)
    assert position(ex)["size"] == "0.000"


def test_conditional_order_triggers_on_the_right_side() -> None:
    ex = make_exchange()
    ex.ensure_account("whale", "s", balance="100000000")
    last = Decimal(ex.ticker("linear", "BTCUSDT")["lastPrice"])
    with pytest.raises(SimError) as err:
        order(ex, side="Buy", orderType="Market", qty="0.001", triggerPrice=str(last - 10), triggerDirection=1)
    assert err.value.ret_code == 110092
    with pytest.raises(SimError) as err:
        order(ex, side="Buy", orderType="Market", qty="0.001", triggerPrice=str(last + 10), triggerDirection=2)
    assert err.value.ret_code == 110093
    rec = Recorder(ex)
    rise = order(ex, side="Buy", orderType="Market", qty="0.001", triggerPrice=str(last + 5), triggerDirection=1)
    fall = order(ex, side="Sell", orderType="Market", qty="0.001", triggerPrice=str(last - 5), triggerDirection=2)
    assert get_order(ex, rise["orderId"])["orderStatus"] == "Untriggered"
    assert get_order(ex, rise["orderId"])["stopOrderType"] == "Stop"
    assert all(o["orderStatus"] == "Untriggered" for o in rec.items("order"))  # parked, not in the book
    # the whale lifts the asks past the rising trigger
    _, asks = ex.book_levels("linear", "BTCUSDT", 200)
    through = sum(Decimal(q) for p, q in asks if Decimal(p) <= last + 8)
    order(ex, "whale", side="Buy", orderType="Limit", timeInForce="IOC", qty=str(through), price=str(last + 8))
    statuses = [o["orderStatus"] for o in rec.items("order") if o["orderId"] == rise["orderId"]]
    assert statuses[:2] == ["Untriggered", "Triggered"] and statuses[-1] == "Filled"
    assert get_order(ex, fall["orderId"])["orderStatus"] == "Untriggered"  # the other side did not fire
    assert position(ex)["size"] == "0.001"


def test_trading_stop_closes_the_position_and_clears() -> None:
    ex = make_exchange()
    ex.ensure_account("whale", "s", balance="100000000")
    order(ex, side="Buy", orderType="Market", qty="0.010")
    last = Decimal(ex.ticker("linear", "BTCUSDT")["lastPrice"])
    stop = {
        "category": "linear",
        "symbol": "BTCUSDT",
        "tpslMode": "Full",
        "positionIdx": 0,
        "stopLoss": str(last - 6),
        "takeProfit": str(last + 500),
    }
    assert ex.rest_private("/v5/position/trading-stop", "k", stop) == {}
    with pytest.raises(SimError) as err:
        ex.rest_private("/v5/position/trading-stop", "k", stop)
    assert err.value.ret_code == 34040
    pos = position(ex)
    assert Decimal(pos["stopLoss"]) == last - 6 and Decimal(pos["takeProfit"]) == last + 500
    bids, _ = ex.book_levels("linear", "BTCUSDT", 200)
    through = sum(Decimal(q) for p, q in bids if Decimal(p) >= last - 9)
    order(ex, "whale", side="Sell", orderType="Limit", timeInForce="IOC", qty=str(through), price=str(last - 9))
    pos = position(ex)
    assert pos["size"] == "0.000" and pos["stopLoss"] == "0.00" and pos["takeProfit"] == "0.00"
    kinds = {o["stopOrderType"]: o["orderStatus"] for o in ex.truth_orders("k") if o["stopOrderType"]}
    assert kinds == {"StopLoss": "Filled", "TakeProfit": "Deactivated"}
    with pytest.raises(SimError) as err:
        ex.rest_private("/v5/position/trading-stop", "k", stop)
    assert err.value.ret_code == 10001  # no position


def test_take_profit_attached_to_an_order() -> None:
    ex = make_exchange()
    last = Decimal(ex.ticker("linear", "BTCUSDT")["lastPrice"])
    with pytest.raises(SimError) as err:
        order(ex, side="Buy", orderType="Market", qty="0.010", takeProfit=str(last - 100))
    assert err.value.ret_code == 10001 and "TakeProfit" in err.value.ret_msg
    order(ex, side="Buy", orderType="Market", qty="0.010", takeProfit=str(last + 100), stopLoss=str(last - 100))
    pos = position(ex)
    assert Decimal(pos["takeProfit"]) == last + 100 and Decimal(pos["stopLoss"]) == last - 100


def test_generated_flow_fills_a_resting_order_as_maker() -> None:
    ex = make_exchange(paused=False)
    rec = Recorder(ex)
    bid, _ = top(ex)
    resting = order(ex, side="Buy", orderType="Limit", qty="0.002", price=str(bid))
    for _ in range(20_000):  # deadline: 200 s of market time
        ex.advance(1)
        if get_order(ex, resting["orderId"])["orderStatus"] == "Filled":
            break
    else:
        pytest.fail("the market never reached the resting bid")
    fills = [e for e in rec.items("execution") if e["orderId"] == resting["orderId"]]
    assert fills and all(e["isMaker"] and e["feeRate"] == "0.0002" and Decimal(e["execPrice"]) == bid for e in fills)
    assert position(ex)["size"] == "0.002"


def test_amend_and_cancel() -> None:
    ex = make_exchange()
    bid, _ = top(ex)
    placed = order(ex, side="Buy", orderType="Limit", qty="0.010", price=str(bid - 10), orderLinkId="mine-1")
    base = {"category": "linear", "symbol": "BTCUSDT"}
    result = ex.rest_private(
        "/v5/order/amend", "k", {**base, "orderLinkId": "mine-1", "qty": "0.004", "price": str(bid - 20)}
    )
    assert result == {"orderId": placed["orderId"], "orderLinkId": "mine-1"}
    state = get_order(ex, placed["orderId"])
    assert Decimal(state["price"]) == bid - 20 and state["qty"] == "0.004"
    assert _book_size(ex, "b", bid - 20) >= Decimal("0.004")
    with pytest.raises(SimError) as err:
        ex.rest_private("/v5/order/amend", "k", {**base, "orderId": placed["orderId"], "qty": "0.004"})
    assert err.value.ret_code == 10001
    before = _book_size(ex, "b", bid - 20)
    ex.rest_private("/v5/order/cancel", "k", {**base, "orderId": placed["orderId"]})
    assert get_order(ex, placed["orderId"])["orderStatus"] == "Cancelled"
    assert _book_size(ex, "b", bid - 20) == before - Decimal("0.004")
    for path in ("/v5/order/cancel", "/v5/order/amend"):
        with pytest.raises(SimError) as err:
            ex.rest_private(path, "k", {**base, "orderId": placed["orderId"], "qty": "0.001"})
        assert err.value.ret_code == 110001


def test_events_follow_each_state_change_in_order() -> None:
    ex = make_exchange()
    rec = Recorder(ex)
    bid, _ = top(ex)
    placed = order(ex, side="Buy", orderType="Limit", qty="0.003", price=str(bid - 1), orderLinkId="ev-1")
    assert [t for _, t, _ in rec.events] == ["order", "position", "wallet"]
    item = rec.items("order")[0]
    assert item["category"] == "linear" and item["orderStatus"] == "New" and item["orderLinkId"] == "ev-1"
    assert "entryPrice" in rec.items("position")[0] and "avgPrice" not in rec.items("position")[0]
    assert wallet(ex)["totalAvailableBalance"] == rec.items("wallet")[0]["totalAvailableBalance"]
    rec.clear()
    order(ex, side="Sell", orderType="Market", qty="0.004")
    topics = [t for _, t, _ in rec.events]
    assert topics == ["order", "execution", "position", "wallet"]
    states = {o["orderId"]: o["orderStatus"] for o in rec.items("order")}
    assert placed["orderId"] not in states  # not reached: the taker filled above it
    assert all(key == "k" for key, _, _ in rec.events)


def _sweep(ex, key: str, buy: bool, ticks_through: int) -> None:
    """``key`` takes every level up to ``ticks_through`` ticks past the touch (moves the last price)."""
    market = ex.market("linear", "BTCUSDT")
    side = market.book.asks if buy else market.book.bids
    limit = side.best() + ticks_through if buy else side.best() - ticks_through
    lots = side.available(limit, 10**12)
    order(
        ex,
        key,
        side="Buy" if buy else "Sell",
        orderType="Limit",
        timeInForce="IOC",
        qty=market.inst.qty_str(lots),
        price=market.inst.price_str(limit),
    )


def test_partial_take_profit_limit_order_follows_the_fills() -> None:
    ex = make_exchange()
    ex.ensure_account("whale", "s", balance="100000000")
    last = Decimal(ex.ticker("linear", "BTCUSDT")["lastPrice"])
    order(
        ex,
        side="Buy",
        orderType="Market",
        qty="0.006",
        takeProfit=str(last + 4),
        tpslMode="Partial",
        tpOrderType="Limit",
        tpLimitPrice=str(last + 3),
    )
    children = [o for o in ex.truth_orders("k") if o["stopOrderType"] == "PartialTakeProfit"]
    assert len(children) == 1 and children[0]["qty"] == "0.006" and children[0]["orderStatus"] == "Untriggered"
    assert children[0]["reduceOnly"] is True and children[0]["triggerDirection"] == 1
    assert position(ex)["takeProfit"] == "0.00"  # partial TP/SL is not the position's Full TP
    _sweep(ex, "whale", True, 60)  # price rises through the trigger: the TP becomes a resting limit sell
    child = next(o for o in ex.truth_orders("k") if o["orderId"] == children[0]["orderId"])
    assert child["orderStatus"] in ("New", "Filled", "PartiallyFilled") and Decimal(child["price"]) == last + 3
    if child["orderStatus"] != "Filled":
        _sweep(ex, "whale", True, 5)
    assert position(ex)["size"] == "0.000"


def test_trailing_stop_follows_the_price_then_fires() -> None:
    ex = make_exchange()
    ex.ensure_account("whale", "s", balance="100000000")
    order(ex, side="Buy", orderType="Market", qty="0.005")
    stop = {"category": "linear", "symbol": "BTCUSDT", "tpslMode": "Full", "positionIdx": 0, "trailingStop": "30"}
    ex.rest_private("/v5/position/trading-stop", "k", stop)
    assert position(ex)["trailingStop"] == "30.00"
    trailing = next(o for o in ex.truth_orders("k") if o["stopOrderType"] == "TrailingStop")
    first_trigger = Decimal(trailing["triggerPrice"])
    _sweep(ex, "whale", True, 200)  # up by ~20 USDT: the stop trails upward
    trailing = next(o for o in ex.truth_orders("k") if o["orderId"] == trailing["orderId"])
    assert trailing["orderStatus"] == "Untriggered" and Decimal(trailing["triggerPrice"]) > first_trigger
    last = Decimal(ex.ticker("linear", "BTCUSDT")["lastPrice"])
    assert Decimal(trailing["triggerPrice"]) == last - 30
    _sweep(ex, "whale", False, 400)  # down by ~40 USDT: fires and closes the long
    assert position(ex)["size"] == "0.000"
    assert next(o for o in ex.truth_orders("k") if o["orderId"] == trailing["orderId"])["orderStatus"] == "Filled"


def test_spot_conditional_order_infers_its_direction() -> None:
    from bybit_widgets.sim.engine import default_symbols

    ex = make_exchange(symbols=[s for s in default_symbols() if s.category == "spot"])
    last = Decimal(ex.ticker("spot", "BTCUSDT")["lastPrice"])
    placed = ex.rest_private(
        "/v5/order/create",
        "k",
        {
            "category": "spot",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "0.001",
            "price": str(last - 500),
            "triggerPrice": str(last + 100),
            "orderFilter": "StopOrder",
        },
    )
    item = next(o for o in ex.truth_orders("k") if o["orderId"] == placed["orderId"])
    assert item["orderStatus"] == "Untriggered" and item["triggerDirection"] == 1
    realtime = ex.rest_private("/v5/order/realtime", "k", {"category": "spot", "orderFilter": "StopOrder"})["list"]
    assert [o["orderId"] for o in realtime] == [placed["orderId"]]
    assert ex.rest_private("/v5/order/realtime", "k", {"category": "spot", "orderFilter": "Order"})["list"] == []
