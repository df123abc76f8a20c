"""The ticket's form checks: what is wrong, in plain words, with the nearest valid values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bybit_widgets.protocol.records import Instrument, Order
from bybit_widgets.protocol.rules import InstrumentRules
from bybit_widgets.widgets.order_form import (
    OrderForm,
    check_form,
    status_of_order,
)

LINEAR = InstrumentRules.from_instrument(
    Instrument.from_wire(
        {
            "symbol": "BTCUSDT",
            "baseCoin": "BTC",
            "quoteCoin": "USDT",
            "priceFilter": {"minPrice": "0.10", "maxPrice": "1999999.80", "tickSize": "0.10"},
            "lotSizeFilter": {
                "maxOrderQty": "1190.000",
                "minOrderQty": "0.001",
                "qtyStep": "0.001",
                "maxMktOrderQty": "500.000",
                "minNotionalValue": "5",
            },
        }
    )
)
SPOT = InstrumentRules.from_instrument(
    Instrument.from_wire(
        {
            "symbol": "BTCUSDT",
            "baseCoin": "BTC",
            "quoteCoin": "USDT",
            "priceFilter": {"tickSize": "0.01"},
            "lotSizeFilter": {"basePrecision": "0.000001", "minOrderQty": "0.000048", "minOrderAmt": "5"},
        }
    )
)
LAST = Decimal("88000.0")


def form(**kw) -> OrderForm:
    return OrderForm("BTCUSDT", **kw)


def fields(check) -> list[str]:
    return [p.field for p in check.problems]


def test_a_valid_limit_order_gives_place_order_arguments():
    check = check_form(form(side="Buy", order_type="Limit", qty="0.010", price="87950.5"), LINEAR, last_price=LAST)
    assert check.ok, check.problems
    assert check.params == {
        "category": "linear",
        "symbol": "BTCUSDT",
        "side": "Buy",
        "order_type": "Limit",
        "qty": "0.010",
        "price": "87950.50",
        "time_in_force": "GTC",
    }
    assert check.summary == "Buy 0.010 BTC @ 87950.50"
    assert check.notional == Decimal("0.010") * Decimal("87950.5")


def test_off_tick_price_and_off_step_qty_name_the_nearest_valid_values():
    check = check_form(form(qty="0.0015", price="88000.05"), LINEAR, last_price=LAST)
    by_field = {p.field: p for p in check.problems}
    assert by_field["price"].suggestions == ("88000.00", "88000.10")
    assert "tick size 0.1" in by_field["price"].message
    assert by_field["qty"].suggestions == ("0.001", "0.002")
    assert check.params is None


def test_below_min_notional_says_the_smallest_qty():
    check = check_form(form(order_type="Market", qty="0.001", time_in_force="IOC"), LINEAR, last_price=Decimal(1000))
    (problem,) = check.problems
    assert problem.field == "qty" and "below the minimum 5" in problem.message
    assert problem.suggestions == ("0.005",)


def test_blank_fields_are_incomplete_not_wrong():
    check = check_form(form(), LINEAR, last_price=LAST)
    assert {p.field for p in check.problems} == {"price", "qty"}
    assert all(p.blank for p in check.problems)
    garbage = check_form(form(qty="abc", price="1,0x"), LINEAR, last_price=LAST)
    assert not any(p.blank for p in garbage.problems)
    assert "is not a number" in garbage.problems[0].message


def test_market_orders_are_ioc_and_need_no_price():
    check = check_form(form(side="Sell", order_type="Market", qty="0.5"), LINEAR, last_price=LAST)
    assert check.ok
    assert check.params["time_in_force"] == "IOC" and "price" not in check.params
    assert check.summary == "Sell 0.500 BTC at market"
    post_only = check_form(form(order_type="Market", qty="0.5", time_in_force="PostOnly"), LINEAR, last_price=LAST)
    assert fields(post_only) == ["time_in_force"]


def test_quote_value_converts_to_base_qty_rounded_down():
    check = check_form(form(order_type="Limit", price="88000", qty="1000", qty_unit="quote"), LINEAR, last_price=LAST)
    assert check.ok
    assert check.params["qty"] == "0.011"  # 1000 / 88000 = 0.01136 -> down to the step
    too_little = check_form(form(order_type="Market", qty="20", qty_unit="quote"), LINEAR, last_price=LAST)
    assert fields(too_little) == ["qty"] and "enter at least 88.00 USDT" in too_little.problems[0].message
    no_price = check_form(form(order_type="Market", qty="100", qty_unit="quote"), LINEAR, last_price=None)
    assert "waiting for a price" in no_price.problems[0].message


def test_tp_sl_must_be_on_the_profitable_and_losing_sides():
    ok = check_form(
        form(side="Buy", price="88000", qty="0.01", take_profit="89000", stop_loss="87000"), LINEAR, last_price=LAST
    )
    assert ok.ok and ok.params["take_profit"] == "89000.00" and ok.params["stop_loss"] == "87000.00"
    wrong = check_form(
        form(side="Sell", price="88000", qty="0.01", take_profit="89000", stop_loss="87000"), LINEAR, last_price=LAST
    )
    messages = [p.message for p in wrong.problems]
    assert "a sell's take profit must be below the entry 88000.00" in messages
    assert "a sell's stop loss must be above the entry 88000.00" in messages
    reduce = check_form(form(price="88000", qty="0.01", reduce_only=True, take_profit="89000"), LINEAR, last_price=LAST)
    assert fields(reduce) == ["take_profit"]


def test_conditional_orders_get_the_trigger_direction_from_the_last_price():
    up = check_form(
        form(order_type="Market", qty="0.01", conditional=True, trigger_price="88500"), LINEAR, last_price=LAST
    )
    assert up.params["trigger_price"] == "88500.00" and up.params["trigger_direction"] == 1
    assert "when the price rises to 88500.00" in up.summary
    down = check_form(
        form(order_type="Market", qty="0.01", conditional=True, trigger_price="87000"), LINEAR, last_price=LAST
    )
    assert down.params["trigger_direction"] == 2
    now = check_form(
        form(order_type="Market", qty="0.01", conditional=True, trigger_price="88000"), LINEAR, last_price=LAST
    )
    assert fields(now) == ["trigger_price"] and "fire at once" in now.problems[0].message


def test_a_trigger_of_zero_is_refused_not_sent_as_a_plain_order():
    zero = check_form(
        form(order_type="Market", qty="0.01", conditional=True, trigger_price="0"), LINEAR, last_price=LAST
    )
    assert fields(zero) == ["trigger_price"] and zero.problems[0].message == "trigger price must be positive, got 0"


def test_spot_rules_market_unit_and_no_derivative_features():
    check = check_form(
        OrderForm("BTCUSDT", category="spot", side="Buy", order_type="Market", qty="0.001"), SPOT, last_price=LAST
    )
    assert check.ok and check.params["market_unit"] == "baseCoin" and check.params["qty"] == "0.001000"
    bad = check_form(
        OrderForm("BTCUSDT", category="spot", price="88000", qty="0.001", reduce_only=True, take_profit="90000"),
        SPOT,
        last_price=LAST,
    )
    assert set(fields(bad)) == {"reduce_only", "take_profit"}


def test_no_rules_yet_and_bad_enumerations():
    assert "loading the trading rules" in check_form(form(qty="1"), None).problems[0].message
    check = check_form(form(side="Long", order_type="Stop", time_in_force="GTD", qty="1"), LINEAR, last_price=LAST)
    assert set(fields(check)) == {"side", "order_type", "time_in_force"}


@pytest.mark.parametrize(
    ("wire", "status", "words"),
    [
        ({"orderStatus": "New", "qty": "0.010", "cumExecQty": "0"}, "accepted", "resting on the book"),
        ({"orderStatus": "Untriggered", "qty": "0.010", "cumExecQty": "0"}, "accepted", "waiting for the trigger"),
        (
            {"orderStatus": "PartiallyFilled", "qty": "0.010", "cumExecQty": "0.004", "avgPrice": "88000.1"},
            "accepted",
            "partially filled 0.004/0.010 @ 88000.1",
        ),
        (
            {"orderStatus": "Filled", "qty": "0.010", "cumExecQty": "0.010", "avgPrice": "88000.1"},
            "filled",
            "0.010 @ 88000.1",
        ),
        (
            {
                "orderStatus": "Cancelled",
                "qty": "0.010",
                "cumExecQty": "0",
                "rejectReason": "EC_PostOnlyWillTakeLiquidity",
            },
            "cancelled",
            "post-only order would have traded",
        ),
        (
            {"orderStatus": "Cancelled", "qty": "0.010", "cumExecQty": "0", "rejectReason": "EC_NoImmediateQtyToFill"},
            "cancelled",
            "immediate-or-cancel: nothing could fill at once",
        ),
        ({"orderStatus": "Rejected", "qty": "0.010", "cumExecQty": "0"}, "rejected", "by the exchange"),
    ],
)
def test_order_states_in_plain_words(wire, status, words):
    got_status, message = status_of_order(Order.from_wire(wire))
    assert got_status == status and words in message
