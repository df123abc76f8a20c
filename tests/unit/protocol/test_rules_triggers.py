"""The trigger and TP/SL side rules of :class:`InstrumentRules`, on plain values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bybit_widgets.protocol.rules import InstrumentRules, RuleViolation, trigger_direction

R = InstrumentRules(symbol="BTCUSDT", tick_size=Decimal("0.10"), qty_step=Decimal("0.001"), min_qty=Decimal("0.001"))
LAST = Decimal("88000.0")
D = Decimal


def test_a_trigger_equal_to_the_last_price_is_refused_because_it_would_fire_at_once():
    assert R.trigger_violation(LAST, LAST) == RuleViolation(
        "trigger_price",
        "the trigger equals the last price 88000.0: it would fire at once; place a plain order instead",
    )


def test_a_trigger_above_or_below_the_last_price_on_the_tick_is_accepted():
    assert R.trigger_violation(D("88500.0"), LAST) is None
    assert R.trigger_violation(D("87000.1"), LAST) is None


def test_a_trigger_off_the_tick_names_the_two_nearest_prices():
    off = R.trigger_violation(D("88500.05"), LAST)
    assert off is not None and off.field == "trigger_price"
    assert off.message == "trigger price is not a multiple of the tick 0.1"
    assert off.suggestions == (D("88500.0"), D("88500.1"))


def test_a_trigger_of_zero_or_below_is_refused():
    for trigger in (D(0), D(-5)):
        refused = R.trigger_violation(trigger, LAST)
        assert refused is not None and refused.field == "trigger_price"
        assert refused.message == f"trigger price must be positive, got {trigger}"


def test_the_trigger_direction_is_1_above_the_last_price_and_2_below():
    assert trigger_direction(D("88000.1"), LAST) == 1
    assert trigger_direction(D("87999.9"), LAST) == 2


def test_a_trigger_at_the_last_price_has_no_direction():
    with pytest.raises(ValueError, match="no direction"):
        trigger_direction(LAST, LAST)


def test_a_buys_take_profit_goes_above_the_entry_and_its_stop_loss_below():
    assert R.protection_violations("Buy", LAST, take_profit=D("89000"), stop_loss=D("87000")) == []
    wrong = R.protection_violations("Buy", LAST, take_profit=D("87000"), stop_loss=D("89000"))
    assert [(v.field, v.message) for v in wrong] == [
        ("take_profit", "a buy's take profit must be above the entry 88000.00"),
        ("stop_loss", "a buy's stop loss must be below the entry 88000.00"),
    ]


def test_a_sells_sides_are_reversed():
    assert R.protection_violations("Sell", LAST, take_profit=D("87000"), stop_loss=D("89000")) == []
    wrong = R.protection_violations("Sell", LAST, take_profit=D("89000"), stop_loss=D("87000"))
    assert [(v.field, v.message) for v in wrong] == [
        ("take_profit", "a sell's take profit must be below the entry 88000.00"),
        ("stop_loss", "a sell's stop loss must be above the entry 88000.00"),
    ]


def test_a_take_profit_or_stop_loss_equal_to_the_entry_is_on_neither_side_and_refused():
    for side in ("Buy", "Sell"):
        assert [v.field for v in R.protection_violations(side, LAST, take_profit=LAST)] == ["take_profit"]
        assert [v.field for v in R.protection_violations(side, LAST, stop_loss=LAST)] == ["stop_loss"]


def test_an_absent_take_profit_and_stop_loss_break_no_rule():
    assert R.protection_violations("Buy", LAST) == []


def test_the_reference_is_named_as_the_caller_says():
    (wrong,) = R.protection_violations("Buy", D("65000"), stop_loss=D("66000"), reference_name="mark price")
    assert wrong.message == "a buy's stop loss must be below the mark price 65000.00"


def test_a_side_other_than_buy_or_sell_is_a_programming_error():
    with pytest.raises(ValueError, match="side must be Buy or Sell"):
        R.protection_violations("Long", LAST, take_profit=D("89000"))
