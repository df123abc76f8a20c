"""``/v5/order/create``, ``amend``, ``cancel`` and ``cancel-all``: Bybit's checks, in Bybit's order, then matching.

A create is read in stages (the order's head, its size, its trigger, its
price, its TP/SL), each refusing with the code Bybit uses for that rule
(spot's 170xxx where the spot engine differs), then the link id, minimum
value and funds are checked and :class:`Trading` places the order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...protocol.positions import closes, fits_mode
from .accounts import Account, Position
from .categories import category_of
from .errors import SimError, param_error
from .instruments import Instrument
from .market import Market
from .matching import protective_price
from .orders import Order
from .params import Params
from .rest_common import (
    TRIGGER_BY,
    check_tpsl,
    filter_kind,
    find_order,
    market_of,
    price_param,
    reference_price,
    select_orders,
    ticks_of,
    writable,
)
from .trading import Trading
from .wire import dec

__all__ = ["create_order", "amend_order", "cancel_order", "cancel_all"]

_LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
_PRICE_BAND = Decimal("0.1")  # a limit order may not cross more than 10% through the last price
_MAX_CANCEL_ALL = 500


@dataclass(frozen=True)
class _Head:
    """The parsed head of a create request."""

    buy: bool
    order_type: str
    tif: str
    link_id: str
    reduce_only: bool
    close_on_trigger: bool
    position_idx: int


@dataclass(frozen=True)
class _TpSl:
    tp: int = 0
    sl: int = 0
    mode: str = ""
    tp_type: str = "Market"
    sl_type: str = "Market"
    tp_limit: int = 0
    sl_limit: int = 0
    tp_by: str = ""
    sl_by: str = ""


def _head(inst: Instrument, p: Params, *, hedged: bool) -> _Head:
    """Side, type, time in force, link id and the position the order affects (a hedge close reduces only)."""
    spot = not inst.is_linear
    side = p.str("side", required=True)
    if side not in ("Buy", "Sell"):
        if spot:
            raise SimError(170117, "Invalid side.")
        raise param_error(f"params error: side invalid: {side!r} (Buy or Sell)")
    order_type = p.str("orderType", required=True)
    if order_type not in ("Market", "Limit"):
        if spot:
            raise SimError(170116, "Invalid orderType.")
        raise param_error(f"params error: orderType invalid: {order_type!r} (Market or Limit)")
    tif = p.str("timeInForce", default="GTC")
    if tif not in ("GTC", "IOC", "FOK", "PostOnly"):
        if spot:
            raise SimError(170115, "Invalid time in force.")
        raise param_error(f"params error: timeInForce invalid: {tif!r} (GTC, IOC, FOK or PostOnly)")
    idx = p.int("positionIdx", default=0)
    if not fits_mode(idx, hedge=hedged):
        raise param_error("position idx not match position mode")
    link_id = p.str("orderLinkId", default="") or ""
    if link_id and not _LINK_ID.match(link_id):
        raise param_error("params error: orderLinkId must be 1-36 characters of A-Z a-z 0-9 _ -")
    reduce_only = p.bool("reduceOnly") or (hedged and closes(side, idx))
    close_on_trigger = p.bool("closeOnTrigger")
    if spot and (reduce_only or close_on_trigger):
        raise param_error("params error: reduceOnly and closeOnTrigger are not supported for spot")
    if p.has("isLeverage") and p.int("isLeverage", lo=0, hi=1) == 1:
        raise param_error("params error: spot margin trading is not enabled on the simulated exchange")
    tif = "IOC" if order_type == "Market" else tif
    return _Head(side == "Buy", order_type, tif, link_id, reduce_only, close_on_trigger, idx)


def _size(inst: Instrument, p: Params, head: _Head, pos: Position | None) -> tuple[int, Decimal | None, str]:
    """``(lots, quote amount of a spot market buy, marketUnit)`` under the lot-size filter."""
    spot = not inst.is_linear
    qty = p.decimal("qty", required=True)
    assert qty is not None
    if spot and head.order_type == "Market":
        unit = (
            p.str("marketUnit", choices=("baseCoin", "quoteCoin"), default="quoteCoin" if head.buy else "baseCoin")
            or ""
        )
        if unit == "quoteCoin":
            if not head.buy:
                raise param_error("params error: a market Sell is sized in baseCoin")
            if qty <= 0:
                raise SimError(170136, "Order quantity below the lower limit.")
            if qty % Decimal(inst.spec.quote_precision):
                raise SimError(170137, "Order quantity has too many decimals.")
            return 0, qty, unit
    else:
        unit = ""
    if qty == 0 and pos is not None and head.reduce_only and head.close_on_trigger:
        if pos.size == 0:
            raise SimError(110017, "current position is zero, cannot fix reduce-only order qty")
        return abs(pos.size), None, unit  # Bybit: qty "0" + reduceOnly + closeOnTrigger closes it all
    lots = inst.lots_exact(qty)
    if lots is None:
        if spot:
            raise SimError(170137, "Order quantity has too many decimals.")
        if qty < inst.step:
            raise SimError(110017, f"Order quantity truncated to zero: qty is below qtyStep {inst.spec.qty_step}")
        raise param_error(f"Qty invalid: {dec(qty)} is not a multiple of qtyStep {inst.spec.qty_step}")
    if lots < inst.min_lots:
        if spot:
            raise SimError(170136, "Order quantity below the lower limit.")
        raise param_error(
            f"The number of contracts exceeds minimum limit allowed: qty {dec(qty)} < minOrderQty {inst.spec.min_qty}"
        )
    cap = inst.max_mkt_lots if head.order_type == "Market" else inst.max_lots
    if lots > cap:
        if spot:
            raise SimError(170381, "Order quantity exceeded upper limit.")
        raise param_error(
            f"The number of contracts exceeds maximum limit allowed: qty {dec(qty)} > {inst.qty_str(cap)}"
        )
    return lots, None, unit


def _check_reduce_only(head: _Head, pos: Position | None) -> None:
    if not head.reduce_only:
        return
    assert pos is not None
    if pos.size == 0:
        raise SimError(110017, "current position is zero, cannot fix reduce-only order qty")
    if (pos.size > 0) == head.buy:
        raise SimError(110017, "Reduce-only order has same side with current position")


def _trigger(market: Market, p: Params) -> tuple[int, int, str]:
    """``(trigger ticks, direction, triggerBy)``; 110092 / 110093 when the trigger is on the wrong side."""
    inst = market.inst
    trigger = price_param(inst, p, "triggerPrice") or 0
    direction = p.int("triggerDirection", default=0) or 0
    trigger_by = p.str("triggerBy", choices=TRIGGER_BY, default="LastPrice") or "LastPrice"
    if not trigger:
        return 0, 0, "UNKNOWN"
    current = reference_price(market, trigger_by)
    if direction not in (1, 2):
        if inst.is_linear or direction:
            raise param_error("params error: triggerDirection must be 1 (rise) or 2 (fall) for a conditional order")
        direction = 1 if trigger > current else 2  # spot infers it from the current price
    _check_trigger_side(inst, trigger, direction, current, trigger_by)
    return trigger, direction, trigger_by


def _check_trigger_side(inst: Instrument, trigger: int, direction: int, current: int, trigger_by: str) -> None:
    if direction == 1 and trigger <= current:
        raise SimError(
            110092,
            f"expect Rising, but trigger_price[{inst.price_str(trigger)}] <= "
            f"current[{inst.price_str(current)}]??{trigger_by}",
        )
    if direction == 2 and trigger >= current:
        raise SimError(
            110093,
            f"expect Falling, but trigger_price[{inst.price_str(trigger)}] >= "
            f"current[{inst.price_str(current)}]??{trigger_by}",
        )


def _limit_price(market: Market, p: Params, head: _Head) -> int | None:
    """The limit price in ticks (``None`` for Market), within 10% through the last price."""
    if head.order_type != "Limit":
        return None
    inst = market.inst
    value = p.decimal("price", positive=True)
    if value is None:
        raise param_error("params error: price is required for a Limit order")
    price = ticks_of(inst, value, "price")
    band = int(Decimal(market.last) * _PRICE_BAND)
    if (head.buy and price > market.last + band) or (not head.buy and price < market.last - band):
        if not inst.is_linear:
            bound = inst.price_str(market.last + (band if head.buy else -band))
            raise SimError(
                170193 if head.buy else 170194,
                f"{'Buy' if head.buy else 'Sell'} order price cannot be "
                f"{'higher' if head.buy else 'lower'} than {bound}.",
            )
        raise SimError(110003, "Order price is out of permissible range")
    return price


def _tpsl(inst: Instrument, p: Params, head: _Head, base: int) -> _TpSl:
    tp = price_param(inst, p, "takeProfit") or 0
    sl = price_param(inst, p, "stopLoss") or 0
    if not (tp or sl):
        return _TpSl()
    if not inst.is_linear:
        raise param_error("params error: takeProfit / stopLoss on spot orders are not supported by the simulator")
    if head.reduce_only:
        raise SimError(110057, "reduce-only orders can not carry TP/SL")
    mode = p.str("tpslMode", choices=("Full", "Partial"), default="Full") or "Full"
    tp_type = p.str("tpOrderType", choices=("Market", "Limit"), default="Market") or "Market"
    sl_type = p.str("slOrderType", choices=("Market", "Limit"), default="Market") or "Market"
    tp_limit = price_param(inst, p, "tpLimitPrice") or 0
    sl_limit = price_param(inst, p, "slLimitPrice") or 0
    if mode == "Full" and "Limit" in (tp_type, sl_type):
        raise param_error("params error: tpslMode Full needs Market TP/SL orders; use Partial for Limit")
    if (tp_type == "Limit" and tp and not tp_limit) or (sl_type == "Limit" and sl and not sl_limit):
        raise param_error("params error: tpLimitPrice / slLimitPrice are required for Limit TP/SL orders")
    check_tpsl(inst, head.buy, tp, sl, base)
    return _TpSl(
        tp,
        sl,
        mode,
        tp_type,
        sl_type,
        tp_limit,
        sl_limit,
        p.str("tpTriggerBy", choices=TRIGGER_BY, default="LastPrice") if tp else "",
        p.str("slTriggerBy", choices=TRIGGER_BY, default="LastPrice") if sl else "",
    )


def _check_value(market: Market, head: _Head, lots: int, quote: Decimal | None, ref: int) -> None:
    """Minimum order value: 110094 (linear ``minNotionalValue``) or 170140 (spot ``minOrderAmt``)."""
    inst = market.inst
    if quote is not None:
        if quote < inst.min_notional:
            raise SimError(170140, "Order value exceeded lower limit.")
        return
    if head.reduce_only or inst.value_of(ref, lots) >= inst.min_notional:
        return
    if not inst.is_linear:
        raise SimError(170140, "Order value exceeded lower limit.")
    raise SimError(110094, f"Order does not meet minimum order value {inst.spec.min_notional}USDT")


def _check_funds(t: Trading, account: Account, order: Order, ref: int) -> None:
    """110007 (linear: margin for the part that opens, plus the taker fee) or 170131 (spot: the coin spent)."""
    inst = order.inst
    margin = t.margin(account)
    if inst.is_linear:
        if order.reduce_only or order.close_on_trigger:
            return
        price = order.price if order.order_type == "Limit" else ref
        cost = margin.order_cost(order, price=price) + inst.value_of(price, order.leaves) * account.fees_of(inst)[1]
        pos = account.positions.get((inst.symbol, order.position_idx))
        released = Decimal(0)
        if pos is not None and pos.size and (pos.size > 0) != order.buy:  # closing first frees its margin
            released = pos.im() * min(order.leaves, abs(pos.size)) / abs(pos.size)
        if cost > margin.available() + released:
            raise SimError(110007, "ab not enough for new order")
        return
    if order.buy:
        need = order.quote_qty if order.quote_qty is not None else inst.value_of(order.price, order.leaves)
        if need > margin.free(inst.spec.quote_coin):
            raise SimError(170131, "Insufficient balance.")
    elif inst.qty_of(order.leaves) > margin.free(inst.spec.base_coin):
        raise SimError(170131, "Insufficient balance.")


def create_order(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    writable(account)
    now = t.begin()
    market = market_of(t, category_of(p), p)
    inst = market.inst
    head = _head(inst, p, hedged=inst.symbol in account.hedged)
    pos = account.position(inst, now, head.position_idx) if inst.is_linear else None
    lots, quote, unit = _size(inst, p, head, pos)
    _check_reduce_only(head, pos)
    trigger, direction, trigger_by = _trigger(market, p)
    price = _limit_price(market, p, head)
    base = price if price is not None else trigger or market.last
    tpsl = _tpsl(inst, p, head, base)
    if head.link_id and head.link_id in account.links:
        if not inst.is_linear:
            raise SimError(170141, "Duplicate clientOrderId.")
        raise SimError(110072, "OrderLinkedID is duplicate")
    touch = (market.book.asks if head.buy else market.book.bids).best()
    ref = price if price is not None else (touch or market.last)
    _check_value(market, head, lots, quote, ref)
    order_filter = (
        p.str("orderFilter", choices=("Order", "tpslOrder", "StopOrder"), default="StopOrder" if trigger else "Order")
        or "Order"
    )
    order = Order(
        t.new_id(),
        head.link_id,
        account.api_key,
        inst,
        head.buy,
        head.order_type,
        price if price is not None else protective_price(market, head.buy),
        lots,
        lots,
        head.tif,
        now,
        t.next_seq(),
        updated=now,
        reduce_only=head.reduce_only,
        position_idx=head.position_idx,
        close_on_trigger=head.close_on_trigger,
        trigger_price=trigger,
        trigger_direction=direction,
        trigger_by=trigger_by,
        stop_order_type="Stop" if trigger and inst.is_linear else "",
        take_profit=tpsl.tp,
        stop_loss=tpsl.sl,
        tp_trigger_by=tpsl.tp_by or "",
        sl_trigger_by=tpsl.sl_by or "",
        tpsl_mode=tpsl.mode,
        tp_order_type=tpsl.tp_type,
        sl_order_type=tpsl.sl_type,
        tp_limit=tpsl.tp_limit,
        sl_limit=tpsl.sl_limit,
        last_price_on_created=market.last,
        market_unit=unit,
        quote_qty=quote,
        order_filter=order_filter,
    )
    _check_funds(t, account, order, ref)
    t.place(account, order)
    return {"orderId": order.order_id, "orderLinkId": order.link_id}


def amend_order(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    writable(account)
    t.begin()
    market = market_of(t, category_of(p), p)
    inst = market.inst
    order = find_order(account, p, inst, action="replace")
    qty = _amended_qty(inst, p, order)
    price = price_param(inst, p, "price")
    if price is not None and order.order_type != "Limit":
        raise param_error("params error: only a Limit order has a price to amend")
    trigger = price_param(inst, p, "triggerPrice")
    tp, sl = price_param(inst, p, "takeProfit"), price_param(inst, p, "stopLoss")
    if trigger and order.status != "Untriggered":
        raise param_error("params error: triggerPrice can only be amended before the order triggers")
    changed = any(
        new is not None and new != old
        for new, old in (
            (qty, order.qty),
            (price, order.price),
            (trigger, order.trigger_price),
            (tp, order.take_profit),
            (sl, order.stop_loss),
        )
    )
    if not changed:
        raise param_error("The order remains unchanged as the parameters entered match the existing ones.")
    if tp or sl:
        check_tpsl(inst, order.buy, tp or 0, sl or 0, price or order.price or market.last)
    if order.status == "Untriggered" and trigger:
        _check_trigger_side(
            inst, trigger, order.trigger_direction, reference_price(market, order.trigger_by), order.trigger_by
        )
    if order.status != "Untriggered":
        _check_amend_funds(t, account, order, price, qty)
        if price is not None and order.tif == "PostOnly":
            best = (market.book.asks if order.buy else market.book.bids).best()
            if best is not None and (best <= price if order.buy else best >= price):
                raise SimError(
                    110079 if inst.is_linear else 170218, "PostOnly amend rejected: the order would take liquidity"
                )
    if tp is not None:
        order.take_profit, order.tp_trigger_by = tp, (order.tp_trigger_by or "LastPrice") if tp else ""
    if sl is not None:
        order.stop_loss, order.sl_trigger_by = sl, (order.sl_trigger_by or "LastPrice") if sl else ""
    if order.status == "Untriggered":
        order.trigger_price = trigger or order.trigger_price
        if qty is not None:
            order.qty = order.leaves = qty
        if price is not None:
            order.price = price
        order.updated = t.now
        t.order_event(order)
    else:
        t.reprice(account, order, price, qty)
    return {"orderId": order.order_id, "orderLinkId": order.link_id}


def _amended_qty(inst: Instrument, p: Params, order: Order) -> int | None:
    qty = p.decimal("qty", positive=True)
    if qty is None:
        return None
    lots = inst.lots_exact(qty)
    if lots is None:
        if not inst.is_linear:
            raise SimError(170137, "Order quantity has too many decimals.")
        raise param_error(f"Qty invalid: {dec(qty)} is not a multiple of qtyStep {inst.spec.qty_step}")
    if lots <= order.cum_qty:
        raise param_error("params error: qty must be greater than the filled qty")
    if lots > inst.max_lots:
        raise param_error("The number of contracts exceeds maximum limit allowed: too large")
    return lots


def _check_amend_funds(t: Trading, account: Account, order: Order, price: int | None, qty: int | None) -> None:
    if not order.inst.is_linear or order.reduce_only:
        return
    margin = t.margin(account)
    before = margin.order_cost(order)
    leaves = qty - order.cum_qty if qty is not None else order.leaves
    after = margin.order_cost(order, price=price if price is not None else order.price, leaves=leaves)
    if after - before > margin.available():
        raise SimError(110007, "ab not enough for new order")


def cancel_order(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    writable(account)
    t.begin()
    market = market_of(t, category_of(p), p)
    order = find_order(account, p, market.inst, action="cancel")
    t.cancel(account, order)
    t.check_triggers()
    return {"orderId": order.order_id, "orderLinkId": order.link_id}


def cancel_all(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    writable(account)
    t.begin()
    category = category_of(p)
    if category == "linear" and not (p.has("symbol") or p.has("baseCoin") or p.has("settleCoin")):
        raise param_error("params error: symbol, baseCoin or settleCoin is required for linear")
    if p.has("symbol"):
        market_of(t, category, p)
    order_filter = p.str("orderFilter", choices=("Order", "StopOrder", "OpenOrder", "tpslOrder"))
    if category == "spot" and order_filter is None:
        order_filter = "Order"
    orders = filter_kind(select_orders(category, p, account.open_orders()), order_filter)
    if p.str("stopOrderType") == "Stop":
        orders = [o for o in orders if o.stop_order_type == "Stop"]
    orders.sort(key=lambda o: o.seq)
    cancelled = []
    for order in orders[:_MAX_CANCEL_ALL]:
        if order.is_open:  # an earlier cancel may have closed it (reduce-only, TP/SL of a closed position)
            t.cancel(account, order)
            cancelled.append({"orderId": order.order_id, "orderLinkId": order.link_id})
    return {"list": cancelled, "success": "1"}
