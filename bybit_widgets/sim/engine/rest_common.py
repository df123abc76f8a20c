"""What every signed endpoint shares: permission, symbol lookup, prices, order selection."""

from __future__ import annotations

from decimal import Decimal

from .accounts import Account
from .errors import SimError, param_error
from .instruments import Instrument
from .market import Market
from .orders import Order
from .params import Params
from .trading import Trading
from .wire import dec

__all__ = [
    "TRIGGER_BY",
    "writable",
    "market_of",
    "ticks_of",
    "price_param",
    "reference_price",
    "check_tpsl",
    "find_order",
    "select_orders",
    "filter_kind",
]

TRIGGER_BY = ("LastPrice", "IndexPrice", "MarkPrice")


def writable(account: Account) -> None:
    """10005 for a read-only key on an endpoint that changes state."""
    if account.read_only:
        raise SimError(10005, "Permission denied, please check your API key permissions.")


def market_of(t: Trading, category: str, p: Params) -> Market:
    """The market of the required ``symbol`` (spot: 170121 when unknown, as Bybit's spot engine says)."""
    symbol = p.req("symbol")
    market = t.venue.markets.get((category, symbol))
    if market is None:
        if category == "spot":
            raise SimError(170121, "Invalid symbol.")
        raise param_error("params error: symbol invalid")
    return market


def ticks_of(inst: Instrument, value: Decimal, name: str) -> int:
    """A price in ticks: a multiple of ``tickSize`` within the instrument's price filter."""
    ticks = inst.ticks_exact(value)
    if ticks is None:
        if inst.is_linear:
            raise param_error(f"params error: {name} {dec(value)} is not a multiple of tickSize {inst.spec.tick_size}")
        raise SimError(170134, "Order price has too many decimals.")
    if not inst.min_ticks <= ticks <= inst.max_ticks:
        raise param_error(
            f"params error: {name} {dec(value)} is outside [{inst.price_str(inst.min_ticks)}, "
            f"{inst.price_str(inst.max_ticks)}]"
        )
    return ticks


def price_param(inst: Instrument, p: Params, name: str) -> int | None:
    """An optional price in ticks; ``0`` for ``"0"`` (Bybit's "remove"), ``None`` when absent."""
    value = p.decimal(name)
    if value is None:
        return None
    return 0 if value == 0 else ticks_of(inst, value, name)


def reference_price(market: Market, trigger_by: str) -> int:
    if trigger_by == "MarkPrice":
        return market.mark
    if trigger_by == "IndexPrice":
        return market.index_ticks()
    return market.last


def check_tpsl(inst: Instrument, buy: bool, tp: int, sl: int, base: int) -> None:
    """A long's TP above and SL below the base price (a short's the other way), in Bybit's words."""
    side = "Buy" if buy else "Sell"
    if tp and (tp <= base if buy else tp >= base):
        raise param_error(
            f"TakeProfit:{inst.price_str(tp)} set for {side} position should be "
            f"{'higher' if buy else 'lower'} than base_price:{inst.price_str(base)}??LastPrice"
        )
    if sl and (sl >= base if buy else sl <= base):
        raise param_error(
            f"StopLoss:{inst.price_str(sl)} set for {side} position should be "
            f"{'lower' if buy else 'higher'} than base_price:{inst.price_str(base)}??LastPrice"
        )


def find_order(account: Account, p: Params, inst: Instrument, *, action: str) -> Order:
    """The open order named by ``orderId`` (wins) or ``orderLinkId``; 110001 / 170213 when there is none."""
    order_id = p.str("orderId")
    link_id = p.str("orderLinkId")
    if order_id is None and link_id is None:
        raise param_error("params error: orderId or orderLinkId is required")
    order = account.orders.get(order_id) if order_id is not None else account.links.get(link_id or "")
    if order is None or order.inst is not inst or not order.is_open:
        if not inst.is_linear:
            raise SimError(170213, "Order does not exist.")
        raise SimError(110001, f"order not exists or too late to {action}")
    return order


def select_orders(category: str, p: Params, orders: list[Order]) -> list[Order]:
    """Orders of ``category`` narrowed by ``symbol`` / ``baseCoin`` / ``settleCoin`` (priority in that order)."""
    symbol, base, settle = p.str("symbol"), p.str("baseCoin"), p.str("settleCoin")
    picked = [o for o in orders if o.inst.category == category]
    if symbol is not None:
        return [o for o in picked if o.inst.symbol == symbol]
    if base is not None:
        return [o for o in picked if o.inst.spec.base_coin == base]
    if settle is not None:
        return [o for o in picked if o.inst.spec.quote_coin == settle]
    return picked


def filter_kind(orders: list[Order], order_filter: str | None) -> list[Order]:
    """``orderFilter``: conditional orders (``StopOrder``, ``tpslOrder``) or plain ones (``Order``)."""
    if order_filter in ("StopOrder", "tpslOrder"):
        return [o for o in orders if o.trigger_price]
    if order_filter in ("Order", "OpenOrder"):
        return [o for o in orders if not o.trigger_price]
    return orders
