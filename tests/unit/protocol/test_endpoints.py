"""Bad input is rejected before any request, with an error naming the parameter."""

import pytest

from bybit_widgets.protocol.endpoints import ENDPOINTS, build_params, new_order_link_id
from bybit_widgets.protocol.errors import ParameterError
from bybit_widgets.protocol.limits import UNLISTED_RATE_LIMIT, client_rate_limit, rate_limit_for
from bybit_widgets.protocol.raw import raw_endpoint, raw_params

ORDER = dict(category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price="65000")


def place(**changes):
    kwargs = {**ORDER, **changes}
    kwargs = {k: v for k, v in kwargs.items() if v is not ...}
    return build_params(ENDPOINTS["place_order"], kwargs)


def test_wire_names_types_and_order():
    wire = place(time_in_force="GTC", reduce_only=False, position_idx=0, order_link_id="abc-1")
    assert wire == {
        "category": "linear",
        "symbol": "BTCUSDT",
        "side": "Buy",
        "orderType": "Limit",
        "qty": "0.001",
        "price": "65000",
        "timeInForce": "GTC",
        "positionIdx": 0,
        "orderLinkId": "abc-1",
        "reduceOnly": False,
    }


def test_numbers_are_plain_strings():
    assert place(qty=1e-5, price=..., order_type="Market")["qty"] == "0.00001"
    assert place(qty=0.1)["qty"] == "0.1"
    from decimal import Decimal

    assert place(qty=Decimal("1E+1"))["qty"] == "10"


def test_case_insensitive_enum_normalised():
    assert place(side="buy", order_type="limit")["side"] == "Buy"


@pytest.mark.parametrize(
    "changes,param,fragment",
    [
        (dict(category="futures"), "category", "must be one of"),
        (dict(side="Long"), "side", "'Buy', 'Sell'"),
        (dict(order_type="Stop"), "order_type", "must be one of"),
        (dict(qty="-1"), "qty", "negative"),
        (dict(qty="0"), "qty", "greater than 0"),
        (dict(qty="ten"), "qty", "must be a number"),
        (dict(qty=None), "qty", "missing the required"),
        (dict(qty=True), "qty", "must be a number"),
        (dict(price="0"), "price", "greater than 0"),
        (dict(price=...), "price", "needs a price"),
        (dict(order_type="Market"), "price", "ignored by Bybit for Market"),
        (dict(order_type="Market", price=..., time_in_force="PostOnly"), "time_in_force", "Market"),
        (dict(time_in_force="GTD"), "time_in_force", "must be one of"),
        (dict(symbol="btc usdt"), "symbol", "symbol like"),
        (dict(symbol=None), "symbol", "missing"),
        (dict(order_link_id="x" * 37), "order_link_id", "1-36"),
        (dict(order_link_id="bad id!"), "order_link_id", "1-36"),
        (dict(position_idx=3), "position_idx", "0, 1, 2"),
        (dict(reduce_only="yes"), "reduce_only", "True or False"),
        (dict(reduce_only=True, take_profit="70000"), "reduce_only", "cannot carry"),
        (dict(trigger_price="66000"), "trigger_direction", "trigger_direction"),
        (dict(trigger_price="66000", trigger_direction=3), "trigger_direction", "1, 2"),
    ],
)
def test_bad_order_input(changes, param, fragment):
    with pytest.raises(ParameterError) as info:
        place(**changes)
    assert info.value.param == param
    assert fragment in str(info.value)
    assert info.value.ret_code is None  # raised before any request


def test_close_whole_position_qty_zero_allowed():
    wire = place(order_type="Market", price=..., qty="0", reduce_only=True, close_on_trigger=True)
    assert wire["qty"] == "0"


def test_unknown_snake_case_extra_rejected_camel_passed():
    with pytest.raises(ParameterError) as info:
        build_params(ENDPOINTS["place_order"], ORDER, {"smp_type": "CancelMaker"})
    assert "unknown parameter 'smp_type'" in str(info.value)
    assert build_params(ENDPOINTS["place_order"], ORDER, {"smpType": "CancelMaker"})["smpType"] == "CancelMaker"


def test_get_params_are_strings_and_limits_checked():
    wire = build_params(ENDPOINTS["get_open_orders"], dict(category="linear", symbol="BTCUSDT", limit=50, open_only=0))
    assert wire == {"category": "linear", "symbol": "BTCUSDT", "openOnly": "0", "limit": "50"}
    with pytest.raises(ParameterError) as info:
        build_params(ENDPOINTS["get_open_orders"], dict(category="linear", limit=51))
    assert info.value.param == "limit"
    with pytest.raises(ParameterError):
        build_params(ENDPOINTS["get_kline"], dict(symbol="BTCUSDT", interval="2"))
    with pytest.raises(ParameterError):
        build_params(ENDPOINTS["get_kline"], dict(symbol="BTCUSDT", interval="1", start="yesterday"))


def test_amend_cancel_need_an_id():
    for name in ("amend_order", "cancel_order"):
        with pytest.raises(ParameterError) as info:
            build_params(ENDPOINTS[name], dict(category="linear", symbol="BTCUSDT"))
        assert "order_id or order_link_id" in str(info.value)


def test_link_id_and_rate_limits():
    a, b = new_order_link_id(), new_order_link_id()
    assert a != b and len(a) <= 36
    assert rate_limit_for("/v5/order/create", "linear") == 10
    assert rate_limit_for("/v5/order/create", "spot") == 20
    assert rate_limit_for("/v5/order/cancel-all", "option") == 1
    assert rate_limit_for("/v5/position/list", "linear") == 50
    assert rate_limit_for("/v5/market/tickers", "linear") is None


def test_the_history_account_and_asset_endpoints_have_bybits_documented_budgets():
    # https://bybit-exchange.github.io/docs/v5/rate-limit (UTA 2.0): per UID, per rolling second
    assert rate_limit_for("/v5/position/closed-pnl", "linear") == 50
    assert rate_limit_for("/v5/account/transaction-log", None) == 30
    assert [rate_limit_for("/v5/account/fee-rate", c) for c in ("linear", "inverse", "spot", "option")] == [
        10,
        10,
        5,
        5,
    ]
    assert rate_limit_for("/v5/asset/coin/query-info", None) == 5
    for name in ("switch_position_mode", "set_margin_mode", "get_account_info"):  # the table lists no figure
        assert rate_limit_for(ENDPOINTS[name].path, "linear") is None
        assert client_rate_limit(ENDPOINTS[name], "linear") == UNLISTED_RATE_LIMIT == 5
    assert client_rate_limit(raw_endpoint("POST", "/v5/position/set-auto-add-margin"), "linear") == 5
    assert client_rate_limit(raw_endpoint("GET", "/v5/market/insurance"), None) is None  # market data: the IP's limit
    assert client_rate_limit(ENDPOINTS["get_closed_pnl"], "linear") == 50


def batch(name: str, requests, category: str = "linear") -> dict:
    return build_params(ENDPOINTS[name], {"category": category, "requests": requests})


def test_a_batch_checks_each_order_as_its_single_endpoint_and_names_the_refused_one():
    good = {k: v for k, v in ORDER.items() if k != "category"}
    wire = batch("place_batch_order", [good, {**good, "price": "64000", "order_link_id": "mine"}])
    first, second = wire["request"]
    assert first["orderType"] == "Limit" and first["orderLinkId"].startswith("bw-")  # its own id, set before sending
    assert second["orderLinkId"] == "mine" and "category" not in first
    with pytest.raises(ParameterError, match=r"requests\[1\]: a Limit order needs a price"):
        batch("place_batch_order", [good, {**good, "price": None}])
    with pytest.raises(ParameterError, match=r"requests\[0\]: .*order_id or order_link_id"):
        batch("cancel_batch_order", [{"symbol": "BTCUSDT"}])
    with pytest.raises(ParameterError, match="the category is the batch's"):
        batch("amend_batch_order", [{"symbol": "BTCUSDT", "order_id": "x", "category": "spot"}])
    with pytest.raises(ParameterError, match="non-empty list"):
        batch("place_batch_order", [])


def test_a_batch_is_at_most_20_orders_and_10_on_spot():
    good = {k: v for k, v in ORDER.items() if k != "category"}
    assert len(batch("place_batch_order", [good] * 20)["request"]) == 20
    with pytest.raises(ParameterError, match="at most 20 orders, got 21"):
        batch("place_batch_order", [good] * 21)
    with pytest.raises(ParameterError, match="at most 10 orders, got 11"):
        batch("place_batch_order", [good] * 11, category="spot")
    assert rate_limit_for("/v5/order/create-batch", "linear") == 10
    assert rate_limit_for("/v5/order/create-batch", "spot") == 20


def test_funding_history_refuses_a_start_without_an_end_as_bybit_does():
    endpoint = ENDPOINTS["get_funding_rate_history"]
    with pytest.raises(ParameterError, match="start_time needs end_time"):
        build_params(endpoint, {"category": "linear", "symbol": "BTCUSDT", "start_time": 1})
    wire = build_params(endpoint, {"category": "linear", "symbol": "BTCUSDT", "start_time": 1, "end_time": 2})
    assert wire == {"category": "linear", "symbol": "BTCUSDT", "startTime": "1", "endTime": "2"}
    with pytest.raises(ParameterError, match="category must be one of 'linear', 'inverse'"):
        build_params(endpoint, {"category": "spot", "symbol": "BTCUSDT"})
    with pytest.raises(ParameterError, match="interval_time must be one of"):
        build_params(ENDPOINTS["get_open_interest"], {"category": "linear", "symbol": "BTCUSDT", "interval_time": "2h"})


def test_a_raw_request_uses_the_catalogue_where_it_can_and_guards_every_other_post():
    assert raw_endpoint("post", "/v5/order/create") is ENDPOINTS["place_order"]
    insurance = raw_endpoint("GET", "/v5/market/insurance")
    assert not insurance.signed and not insurance.trading and insurance.idempotent
    assert raw_endpoint("POST", "/v5/position/switch-mode") is ENDPOINTS["switch_position_mode"]
    unknown = raw_endpoint("POST", "/v5/position/set-auto-add-margin")  # not in the catalogue
    assert unknown.signed and unknown.trading and not unknown.idempotent
    assert raw_endpoint("GET", "/v5/account/transaction-log").signed
    for method, path in (("DELETE", "/v5/order/create"), ("GET", "v5/market/time"), ("GET", "/v4/x"), ("GET", 5)):
        with pytest.raises(ParameterError):
            raw_endpoint(method, path)
    assert raw_params(insurance, {"coin": "USDT", "limit": 5, "flag": True, "skip": None}) == {
        "coin": "USDT",
        "limit": "5",
        "flag": "true",
    }
    assert raw_params(unknown, {"category": "linear", "mode": 3}) == {"category": "linear", "mode": 3}
    with pytest.raises(ParameterError, match="wire names"):
        raw_params(insurance, [("coin", "USDT")])
