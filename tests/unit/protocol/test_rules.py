from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bybit_widgets.protocol.errors import InvalidOrderError, ParameterError
from bybit_widgets.protocol.records import Instrument
from bybit_widgets.protocol.rules import InstrumentRules

LINEAR = Instrument.from_wire(
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
    },
    "linear",
)
SPOT = Instrument.from_wire(
    {
        "symbol": "BTCUSDT",
        "baseCoin": "BTC",
        "quoteCoin": "USDT",
        "priceFilter": {"tickSize": "0.01"},
        "lotSizeFilter": {
            "basePrecision": "0.000001",
            "quotePrecision": "0.00000001",
            "minOrderQty": "0.000048",
            "maxOrderQty": "71.73956243",
            "minOrderAmt": "1",
            "maxOrderAmt": "2000000",
        },
    },
    "spot",
)
R = InstrumentRules.from_instrument(LINEAR)


def test_spot_uses_base_precision_as_step_and_min_order_amt():
    spot = InstrumentRules.from_instrument(SPOT)
    assert spot.qty_step == Decimal("0.000001")
    assert spot.min_notional == Decimal("1")
    assert spot.violations(qty="0.0001", price="88000.01") == []


def test_valid_order_has_no_violations():
    assert R.violations(qty="0.001", price="65000.10") == []
    R.check(qty="0.010", price="65000")


def test_price_off_tick_names_nearest_values():
    (v,) = R.violations(qty="0.001", price="65000.05")
    assert v.field == "price"
    assert "65000.00 or 65000.10" in v.message
    assert v.suggestions == (Decimal("65000.0"), Decimal("65000.1"))


def test_qty_off_step_names_nearest_values():
    (v,) = R.violations(qty="0.0015", price="65000")
    assert v.field == "qty" and "0.001 or 0.002" in v.message


def test_below_min_notional_names_smallest_qty():
    problems = R.violations(qty="0.001", price="1000")
    assert [p.field for p in problems] == ["notional"]
    assert "smallest valid qty at 1000.00 is 0.005" in problems[0].message


def test_market_notional_uses_reference_price():
    assert R.violations(qty="0.001", market=True, reference_price="1000")[0].field == "notional"
    assert R.violations(qty="0.001", market=True) == []


def test_max_qty_market_vs_limit():
    assert R.violations(qty="600", price="10", market=False) == []
    (v,) = R.violations(qty="600", market=True)
    assert "market order maximum 500.000" in v.message


def test_check_raises_invalid_order_error():
    with pytest.raises(InvalidOrderError) as info:
        R.check(qty="0.0001", price="65000.05")
    assert "BTCUSDT" in str(info.value)


@pytest.mark.parametrize("bad", ["abc", None, True, "nan", "inf", ""])
def test_non_numeric_raises_parameter_error(bad):
    with pytest.raises(ParameterError) as info:
        R.violations(qty=bad, price="1")
    assert info.value.param == "qty"


def test_rounding_modes_and_formatting():
    assert R.round_price("65000.06") == Decimal("65000.1")
    assert R.round_price("65000.06", "down") == Decimal("65000.0")
    assert R.round_qty("0.0019") == Decimal("0.001")
    assert R.round_qty("0.0011", "up") == Decimal("0.002")
    assert R.format_price(Decimal("65000.1")) == "65000.10"
    with pytest.raises(ValueError):
        R.round_price("1", "sideways")


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("1000000"), places=4))
def test_rounded_price_is_always_valid(price):
    for mode in ("nearest", "down", "up"):
        rounded = R.round_price(price, mode)
        if rounded > 0:
            assert not [v for v in R.violations(qty="1", price=rounded) if v.field == "price"]
        assert abs(rounded - price) <= R.tick_size


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=6))
def test_suggestions_are_valid_qtys(qty):
    for v in R.violations(qty=qty, price="100000"):
        if v.field == "qty":
            for s in v.suggestions:
                assert s % R.qty_step == 0 and s >= R.min_qty


def test_a_trigger_or_tp_sl_price_off_the_tick_names_the_two_nearest_prices():
    off = R.tick_violation("stop_loss", "stop loss", Decimal("88000.05"))
    assert off.field == "stop_loss" and off.message == "stop loss is not a multiple of the tick 0.1"
    assert off.suggestions == (Decimal("88000.0"), Decimal("88000.1"))
    assert R.tick_violation("take_profit", "take profit", Decimal("88000.1")) is None


def test_a_price_past_counting_in_ticks_is_too_large_not_an_overflow():
    off = R.tick_violation("trigger_price", "trigger price", Decimal("1e40"))
    assert off.message == "trigger price 1E+40 is too large" and off.suggestions == ()
