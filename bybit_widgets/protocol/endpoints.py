"""The catalogue of Bybit v5 REST endpoints the client speaks, as data.

Each :class:`Endpoint` names its path, method, whether it is signed, whether
it trades (guarded on mainnet), and its parameters with their wire names and
kinds. :func:`build_params` turns snake_case keyword arguments into the wire
dict, rejecting bad input *before* any request with an error that names the
parameter. Nothing here does I/O.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import ParameterError
from .positions import MODE_HEDGE, MODE_ONE_WAY, POSITION_IDX
from .rules import to_decimal_strict
from .topics import CATEGORIES, KLINE_INTERVALS

__all__ = [
    "Param",
    "Endpoint",
    "ENDPOINTS",
    "BATCH_MAX_ORDERS",
    "BATCH_SINGLE",
    "OPEN_INTEREST_INTERVALS",
    "build_params",
    "new_order_link_id",
]

_LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9\-_]{1,40}$")
_COIN = re.compile(r"^[A-Z0-9]{1,20}$")


@dataclass(frozen=True)
class Param:
    name: str  # the Python keyword
    wire: str  # Bybit's name
    kind: str = "str"  # str | enum | symbol | coin | positive | nonneg | int | bool | link_id | ms | batch
    required: bool = False
    choices: tuple[Any, ...] = ()
    lo: int | None = None  # for int kinds (e.g. limit)
    hi: int | None = None


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    params: tuple[Param, ...] = ()
    signed: bool = True
    trading: bool = False  # places or changes orders/positions: guarded on mainnet

    @property
    def idempotent(self) -> bool:
        return self.method == "GET"

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name:
                return p
        return None


def _p(name: str, wire: str, kind: str = "str", required: bool = False, choices: tuple = (), lo=None, hi=None) -> Param:
    return Param(name, wire, kind, required, choices, lo, hi)


CATEGORY = _p("category", "category", "enum", True, CATEGORIES)
CATEGORY_DERIV = _p("category", "category", "enum", True, ("linear", "inverse", "option"))
SYMBOL = _p("symbol", "symbol", "symbol")
SYMBOL_REQ = _p("symbol", "symbol", "symbol", True)
BASE_COIN = _p("base_coin", "baseCoin")
SETTLE_COIN = _p("settle_coin", "settleCoin")
CURSOR = _p("cursor", "cursor")
ORDER_ID = _p("order_id", "orderId")
ORDER_LINK_ID = _p("order_link_id", "orderLinkId", "link_id")
ORDER_FILTER = _p("order_filter", "orderFilter")
TRIGGER_BY = ("LastPrice", "IndexPrice", "MarkPrice")
TPSL_MODE = _p("tpsl_mode", "tpslMode", "enum", False, ("Full", "Partial"))
_WINDOW = (_p("start_time", "startTime", "ms"), _p("end_time", "endTime", "ms"))
CATEGORY_PERP = _p("category", "category", "enum", True, ("linear", "inverse"))  # perpetuals: funding, OI
OPEN_INTEREST_INTERVALS = ("5min", "15min", "30min", "1h", "4h", "1d")
BATCH_REQUEST = _p("requests", "request", "batch", True)  # a list of orders, each as its single endpoint's params
# The most orders one batch request carries, by category (Bybit: spot 10, the others 20).
BATCH_MAX_ORDERS = {"spot": 10, "linear": 20, "inverse": 20, "option": 20}
BATCH_SINGLE = {
    "place_batch_order": "place_order",
    "amend_batch_order": "amend_order",
    "cancel_batch_order": "cancel_order",
}


def _limit(hi: int) -> Param:
    return _p("limit", "limit", "int", lo=1, hi=hi)


_ORDER_PRICES = (
    _p("trigger_price", "triggerPrice", "positive"),
    _p("take_profit", "takeProfit", "nonneg"),
    _p("stop_loss", "stopLoss", "nonneg"),
    _p("tp_limit_price", "tpLimitPrice", "positive"),
    _p("sl_limit_price", "slLimitPrice", "positive"),
    _p("trigger_by", "triggerBy", "enum", choices=TRIGGER_BY),
    _p("tp_trigger_by", "tpTriggerBy", "enum", choices=TRIGGER_BY),
    _p("sl_trigger_by", "slTriggerBy", "enum", choices=TRIGGER_BY),
    TPSL_MODE,
)

_ENDPOINTS = [
    Endpoint("get_server_time", "GET", "/v5/market/time", signed=False),
    Endpoint(
        "get_instruments_info",
        "GET",
        "/v5/market/instruments-info",
        (CATEGORY, SYMBOL, _p("status", "status"), BASE_COIN, _limit(1000), CURSOR),
        signed=False,
    ),
    Endpoint(
        "get_tickers",
        "GET",
        "/v5/market/tickers",
        (CATEGORY, SYMBOL, BASE_COIN, _p("exp_date", "expDate")),
        signed=False,
    ),
    Endpoint("get_orderbook", "GET", "/v5/market/orderbook", (CATEGORY, SYMBOL_REQ, _limit(1000)), signed=False),
    Endpoint(
        "get_kline",
        "GET",
        "/v5/market/kline",
        (
            _p("category", "category", "enum", False, ("spot", "linear", "inverse")),
            SYMBOL_REQ,
            _p("interval", "interval", "enum", True, KLINE_INTERVALS),
            _p("start", "start", "ms"),
            _p("end", "end", "ms"),
            _limit(1000),
        ),
        signed=False,
    ),
    Endpoint(
        "get_recent_trades",
        "GET",
        "/v5/market/recent-trade",
        (CATEGORY, SYMBOL, BASE_COIN, _p("option_type", "optionType", "enum", choices=("Call", "Put")), _limit(1000)),
        signed=False,
    ),
    Endpoint(
        "place_order",
        "POST",
        "/v5/order/create",
        (
            CATEGORY,
            SYMBOL_REQ,
            _p("side", "side", "enum", True, ("Buy", "Sell")),
            _p("order_type", "orderType", "enum", True, ("Market", "Limit")),
            _p("qty", "qty", "nonneg", True),
            _p("price", "price", "positive"),
            _p("time_in_force", "timeInForce", "enum", choices=("GTC", "IOC", "FOK", "PostOnly", "RPI")),
            _p("position_idx", "positionIdx", "int", choices=POSITION_IDX),
            ORDER_LINK_ID,
            _p("reduce_only", "reduceOnly", "bool"),
            _p("close_on_trigger", "closeOnTrigger", "bool"),
            _p("trigger_direction", "triggerDirection", "int", choices=(1, 2)),
            *_ORDER_PRICES,
            _p("tp_order_type", "tpOrderType", "enum", choices=("Market", "Limit")),
            _p("sl_order_type", "slOrderType", "enum", choices=("Market", "Limit")),
            _p("market_unit", "marketUnit", "enum", choices=("baseCoin", "quoteCoin")),
            _p("is_leverage", "isLeverage", "int", choices=(0, 1)),
            ORDER_FILTER,
        ),
        trading=True,
    ),
    Endpoint(
        "amend_order",
        "POST",
        "/v5/order/amend",
        (
            CATEGORY,
            SYMBOL_REQ,
            ORDER_ID,
            ORDER_LINK_ID,
            _p("qty", "qty", "positive"),
            _p("price", "price", "positive"),
            *_ORDER_PRICES,
        ),
        trading=True,
    ),
    Endpoint(
        "cancel_order",
        "POST",
        "/v5/order/cancel",
        (CATEGORY, SYMBOL_REQ, ORDER_ID, ORDER_LINK_ID, ORDER_FILTER),
        trading=True,
    ),
    Endpoint(
        "cancel_all_orders",
        "POST",
        "/v5/order/cancel-all",
        (CATEGORY, SYMBOL, BASE_COIN, SETTLE_COIN, ORDER_FILTER, _p("stop_order_type", "stopOrderType")),
        trading=True,
    ),
    Endpoint(
        "get_open_orders",
        "GET",
        "/v5/order/realtime",
        (
            CATEGORY,
            SYMBOL,
            BASE_COIN,
            SETTLE_COIN,
            ORDER_ID,
            ORDER_LINK_ID,
            _p("open_only", "openOnly", "int", choices=(0, 1, 2)),
            ORDER_FILTER,
            _limit(50),
            CURSOR,
        ),
    ),
    Endpoint(
        "get_order_history",
        "GET",
        "/v5/order/history",
        (
            CATEGORY,
            SYMBOL,
            BASE_COIN,
            SETTLE_COIN,
            ORDER_ID,
            ORDER_LINK_ID,
            ORDER_FILTER,
            _p("order_status", "orderStatus"),
            _p("start_time", "startTime", "ms"),
            _p("end_time", "endTime", "ms"),
            _limit(50),
            CURSOR,
        ),
    ),
    Endpoint(
        "get_executions",
        "GET",
        "/v5/execution/list",
        (
            CATEGORY,
            SYMBOL,
            ORDER_ID,
            ORDER_LINK_ID,
            BASE_COIN,
            SETTLE_COIN,
            _p("start_time", "startTime", "ms"),
            _p("end_time", "endTime", "ms"),
            _p("exec_type", "execType"),
            _limit(100),
            CURSOR,
        ),
    ),
    Endpoint(
        "get_positions",
        "GET",
        "/v5/position/list",
        (CATEGORY_DERIV, SYMBOL, BASE_COIN, SETTLE_COIN, _limit(200), CURSOR),
    ),
    Endpoint(
        "set_trading_stop",
        "POST",
        "/v5/position/trading-stop",
        (
            CATEGORY_DERIV,
            SYMBOL_REQ,
            _p("tpsl_mode", "tpslMode", "enum", True, ("Full", "Partial")),
            _p("position_idx", "positionIdx", "int", True, POSITION_IDX),
            _p("take_profit", "takeProfit", "nonneg"),
            _p("stop_loss", "stopLoss", "nonneg"),
            _p("trailing_stop", "trailingStop", "nonneg"),
            _p("tp_trigger_by", "tpTriggerBy", "enum", choices=TRIGGER_BY),
            _p("sl_trigger_by", "slTriggerBy", "enum", choices=TRIGGER_BY),
            _p("active_price", "activePrice", "positive"),
            _p("tp_size", "tpSize", "positive"),
            _p("sl_size", "slSize", "positive"),
            _p("tp_limit_price", "tpLimitPrice", "positive"),
            _p("sl_limit_price", "slLimitPrice", "positive"),
            _p("tp_order_type", "tpOrderType", "enum", choices=("Market", "Limit")),
            _p("sl_order_type", "slOrderType", "enum", choices=("Market", "Limit")),
        ),
        trading=True,
    ),
    Endpoint(
        "set_leverage",
        "POST",
        "/v5/position/set-leverage",
        (
            _p("category", "category", "enum", True, ("linear", "inverse")),
            SYMBOL_REQ,
            _p("buy_leverage", "buyLeverage", "positive", True),
            _p("sell_leverage", "sellLeverage", "positive", True),
        ),
        trading=True,
    ),
    Endpoint(
        "switch_position_mode",
        "POST",
        "/v5/position/switch-mode",
        (
            _p("category", "category", "enum", True, ("linear", "inverse")),
            SYMBOL,
            _p("coin", "coin", "coin"),
            _p("mode", "mode", "int", True, (MODE_ONE_WAY, MODE_HEDGE)),
        ),
        trading=True,
    ),
    Endpoint(
        "set_margin_mode",
        "POST",
        "/v5/account/set-margin-mode",
        (
            _p(
                "set_margin_mode",
                "setMarginMode",
                "enum",
                True,
                ("ISOLATED_MARGIN", "REGULAR_MARGIN", "PORTFOLIO_MARGIN"),
            ),
        ),
        trading=True,
    ),
    Endpoint(
        "get_wallet_balance",
        "GET",
        "/v5/account/wallet-balance",
        (_p("account_type", "accountType", "enum", True, ("UNIFIED", "FUND", "CONTRACT", "SPOT")), _p("coin", "coin")),
    ),
    Endpoint(
        "get_funding_rate_history",
        "GET",
        "/v5/market/funding/history",
        (CATEGORY_PERP, SYMBOL_REQ, _p("start_time", "startTime", "ms"), _p("end_time", "endTime", "ms"), _limit(200)),
        signed=False,
    ),
    Endpoint(
        "get_open_interest",
        "GET",
        "/v5/market/open-interest",
        (
            CATEGORY_PERP,
            SYMBOL_REQ,
            _p("interval_time", "intervalTime", "enum", True, OPEN_INTEREST_INTERVALS),
            _p("start_time", "startTime", "ms"),
            _p("end_time", "endTime", "ms"),
            _limit(200),
            CURSOR,
        ),
        signed=False,
    ),
    Endpoint("get_fee_rates", "GET", "/v5/account/fee-rate", (CATEGORY, SYMBOL, BASE_COIN)),
    Endpoint(
        "get_closed_pnl", "GET", "/v5/position/closed-pnl", (CATEGORY_PERP, SYMBOL, *_WINDOW, _limit(100), CURSOR)
    ),
    Endpoint(
        "get_transaction_log",
        "GET",
        "/v5/account/transaction-log",
        (
            _p("account_type", "accountType", "enum", choices=("UNIFIED",)),
            _p("category", "category", "enum", choices=CATEGORIES),
            _p("currency", "currency", "coin"),
            _p("base_coin", "baseCoin", "coin"),
            _p("type", "type"),
            *_WINDOW,
            _limit(50),
            CURSOR,
        ),
    ),
    *(
        Endpoint(f"{name}_batch_order", "POST", f"/v5/order/{verb}-batch", (CATEGORY, BATCH_REQUEST), trading=True)
        for name, verb in (("place", "create"), ("amend", "amend"), ("cancel", "cancel"))
    ),
    Endpoint("get_api_key_info", "GET", "/v5/user/query-api"),
    Endpoint("get_account_info", "GET", "/v5/account/info"),
    Endpoint("get_coin_info", "GET", "/v5/asset/coin/query-info", (_p("coin", "coin", "coin"),)),
]

ENDPOINTS: dict[str, Endpoint] = {e.name: e for e in _ENDPOINTS}


def new_order_link_id() -> str:
    """A fresh client order id (35 chars of [a-z0-9-], within Bybit's 36)."""
    return "bw-" + secrets.token_hex(16)


def _number_text(value: Any, name: str, *, positive: bool) -> str:
    number = to_decimal_strict(value, name)
    if positive and number <= 0:
        raise ParameterError(f"{name} must be greater than 0, got {value!r}", param=name)
    if number < 0:
        raise ParameterError(f"{name} must not be negative, got {value!r}", param=name)
    # Plain notation, never "1E+3" or "1e-05", which Bybit rejects.
    text = format(number, "f")
    return text


def _convert(p: Param, value: Any, endpoint: Endpoint) -> Any:
    name = p.name
    if p.kind == "enum":
        if value in p.choices:
            return value
        if isinstance(value, str):
            for choice in p.choices:  # exact-case only on the wire, but accept an unambiguous spelling
                if isinstance(choice, str) and choice.lower() == value.lower():
                    return choice
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, p.choices))}, got {value!r}", param=name)
    if p.kind == "symbol":
        if not isinstance(value, str) or not _SYMBOL.match(value.upper()):
            raise ParameterError(f"{name} must be a symbol like 'BTCUSDT', got {value!r}", param=name)
        return value.upper()
    if p.kind == "coin":  # Bybit matches coins upper-case only: "btc" would silently find nothing
        if not isinstance(value, str) or not _COIN.match(value.upper()):
            raise ParameterError(f"{name} must be a coin like 'BTC', got {value!r}", param=name)
        return value.upper()
    if p.kind in ("positive", "nonneg"):
        return _number_text(value, name, positive=p.kind == "positive")
    if p.kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
            raise ParameterError(f"{name} must be a whole number, got {value!r}", param=name)
        number = int(value)
        if p.choices and number not in p.choices:
            raise ParameterError(f"{name} must be one of {', '.join(map(str, p.choices))}, got {value!r}", param=name)
        if (p.lo is not None and number < p.lo) or (p.hi is not None and number > p.hi):
            raise ParameterError(f"{name} must be between {p.lo} and {p.hi}, got {value!r}", param=name)
        return number if endpoint.method == "POST" else str(number)
    if p.kind == "ms":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ParameterError(f"{name} must be a timestamp in milliseconds (int), got {value!r}", param=name)
        return str(value)
    if p.kind == "bool":
        if not isinstance(value, bool):
            raise ParameterError(f"{name} must be True or False, got {value!r}", param=name)
        return value if endpoint.method == "POST" else str(value).lower()
    if p.kind == "batch":  # checked order by order once the category is known (see build_params)
        return value
    if p.kind == "link_id":
        if not isinstance(value, str) or not _LINK_ID.match(value):
            raise ParameterError(
                f"{name} must be 1-36 characters of letters, digits, '-' or '_', got {value!r}", param=name
            )
        return value
    if not isinstance(value, (str, int)) or isinstance(value, bool) or value == "":
        raise ParameterError(f"{name} must be a non-empty string, got {value!r}", param=name)
    return str(value)


def _batch_items(endpoint: Endpoint, category: str, value: Any) -> list[dict]:
    """Each order of a batch checked as its single endpoint checks it (no category: the batch has one).

    A placed order gets its orderLinkId here when it has none, so the exchange itself refuses a
    second copy of it; an error names the order by its place in the list.
    """
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(item, Mapping) for item in value):
        raise ParameterError(
            f"{endpoint.name}() needs requests: a non-empty list of dicts, one per order", param="requests"
        )
    single = ENDPOINTS[BATCH_SINGLE[endpoint.name]]
    items = []
    for i, item in enumerate(value):
        if "category" in item:
            raise ParameterError(f"requests[{i}]: the category is the batch's, not each order's", param="requests")
        try:
            wire = build_params(single, {**item, "category": category})
        except ParameterError as exc:
            raise ParameterError(f"requests[{i}]: {exc.ret_msg}", param="requests") from None
        del wire["category"]
        if single.name == "place_order":
            wire.setdefault("orderLinkId", new_order_link_id())
        items.append(wire)
    return items


def build_params(endpoint: Endpoint, kwargs: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> dict:
    """Validate keyword arguments and return the wire parameters in declaration order.

    ``None`` means "not sent". ``extra`` passes wire-named parameters the
    catalogue does not model (``smpType=...``) through unchanged.
    """
    wire: dict[str, Any] = {}
    for p in endpoint.params:
        value = kwargs.get(p.name)
        if value is None:
            if p.required:
                raise ParameterError(f"{endpoint.name}() is missing the required parameter {p.name!r}", param=p.name)
            continue
        wire[p.wire] = _convert(p, value, endpoint)
    for key, value in (extra or {}).items():
        if "_" in key:
            known = ", ".join(p.name for p in endpoint.params)
            raise ParameterError(
                f"{endpoint.name}() got an unknown parameter {key!r}; known: {known} "
                "(extra Bybit parameters are passed by their camelCase wire name)",
                param=key,
            )
        if value is not None:
            wire[key] = value if endpoint.method == "POST" else str(value)
    if endpoint.name == "place_order":
        _check_order(wire)
    elif endpoint.name in ("amend_order", "cancel_order") and "orderId" not in wire and "orderLinkId" not in wire:
        raise ParameterError(f"{endpoint.name}() needs order_id or order_link_id", param="order_id")
    elif endpoint.name in BATCH_SINGLE:
        wire["request"] = _batch_items(endpoint, wire["category"], wire["request"])
        most = BATCH_MAX_ORDERS[wire["category"]]
        if len(wire["request"]) > most:
            raise ParameterError(
                f"a {wire['category']} batch carries at most {most} orders, got {len(wire['request'])}: split it",
                param="requests",
            )
    elif endpoint.name == "get_funding_rate_history" and "startTime" in wire and "endTime" not in wire:
        raise ParameterError("start_time needs end_time too (Bybit refuses a start alone)", param="start_time")
    return wire


def _check_order(w: dict) -> None:
    """Cross-field rules of /v5/order/create that Bybit would reject with a terse code."""
    market = w["orderType"] == "Market"
    if market and "price" in w:
        raise ParameterError(
            "price is ignored by Bybit for Market orders; remove price, or use order_type='Limit'", param="price"
        )
    if not market and "price" not in w:
        raise ParameterError("a Limit order needs a price", param="price")
    if market and w.get("timeInForce") in ("PostOnly", "FOK", "RPI"):
        raise ParameterError(
            f"time_in_force={w['timeInForce']!r} cannot be used with a Market order (Market is always IOC)",
            param="time_in_force",
        )
    if Decimal(w["qty"]) == 0 and not (w.get("reduceOnly") and w.get("closeOnTrigger")):
        raise ParameterError(
            "qty must be greater than 0 (qty='0' is only valid with reduce_only=True and close_on_trigger=True, "
            "which closes the whole position)",
            param="qty",
        )
    if w.get("reduceOnly") and ("takeProfit" in w or "stopLoss" in w):
        raise ParameterError("a reduce-only order cannot carry take_profit/stop_loss", param="reduce_only")
    if "triggerPrice" in w and "triggerDirection" not in w and w.get("category") != "spot":
        raise ParameterError(
            "a conditional order (trigger_price) needs trigger_direction: 1 = fire when the price rises to it, "
            "2 = when it falls to it",
            param="trigger_direction",
        )
