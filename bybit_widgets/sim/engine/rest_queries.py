"""``/v5/order/realtime``, ``/v5/order/history`` and ``/v5/execution/list``: filters, time windows, pages.

All three answer every Bybit category; where the exchange trades nothing
(inverse, option) the filter by category leaves an empty list.
"""

from __future__ import annotations

from typing import Any

from .accounts import Account
from .categories import CATEGORIES, category_of
from .errors import param_error
from .orders import Order, execution_item, order_item
from .paging import page
from .params import Params
from .rest_common import filter_kind, select_orders
from .trading import Trading

__all__ = ["open_orders", "order_history", "executions"]

_WEEK_MS = 7 * 86_400_000


def _by_id(p: Params, orders: list[Order]) -> list[Order]:
    order_id, link_id = p.str("orderId"), p.str("orderLinkId")
    if order_id is not None:
        return [o for o in orders if o.order_id == order_id]
    if link_id is not None:
        return [o for o in orders if o.link_id == link_id]
    return orders


def _window(t: Trading, p: Params) -> tuple[int, int]:
    """``startTime`` / ``endTime``: at most 7 days apart; by default the last 7 days."""
    start, end = p.time_ms("startTime"), p.time_ms("endTime")
    now = t.venue.clock()
    if start is None and end is None:
        return now - _WEEK_MS, now + 1
    if start is None:
        assert end is not None
        start = end - _WEEK_MS
    if end is None:
        end = start + _WEEK_MS
    if end < start or end - start > _WEEK_MS:
        raise param_error("params error: the time span between startTime and endTime must be 0 to 7 days")
    return start, end


def open_orders(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    """Open orders (``openOnly=0``) or the recent closed ones (``openOnly=1``), newest first.

    Asked by ``orderId`` or ``orderLinkId``, ``openOnly`` is ignored and the
    order is found whether it is open or among the recent closed ones.
    """
    category = category_of(p, CATEGORIES)
    if category == "linear" and not (p.has("symbol") or p.has("baseCoin") or p.has("settleCoin")):
        raise param_error("params error: symbol, baseCoin or settleCoin is required for linear")
    open_only = p.int("openOnly", default=0, lo=0, hi=2)
    limit = p.limit(20, 50)
    if p.has("orderId") or p.has("orderLinkId"):
        pool = list(account.orders.values())  # open and the recent closed
    else:
        pool = account.open_orders() if open_only == 0 else list(account.closed)
    orders = filter_kind(
        _by_id(p, select_orders(category, p, pool)),
        p.str("orderFilter", choices=("Order", "StopOrder", "tpslOrder", "OcoOrder", "BidirectionalTpslOrder")),
    )
    orders.sort(key=lambda o: o.seq, reverse=True)
    chunk, cursor = page(orders, limit, p.str("cursor"))
    return {"category": category, "list": [order_item(o) for o in chunk], "nextPageCursor": cursor}


def order_history(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    category = category_of(p, CATEGORIES)
    limit = p.limit(20, 50)
    start, end = _window(t, p)
    status = p.str("orderStatus")
    orders = filter_kind(_by_id(p, select_orders(category, p, list(account.orders.values()))), p.str("orderFilter"))
    orders = [o for o in orders if start <= o.created <= end and (status is None or o.status == status)]
    orders.sort(key=lambda o: o.seq, reverse=True)
    chunk, cursor = page(orders, limit, p.str("cursor"))
    return {"category": category, "list": [order_item(o) for o in chunk], "nextPageCursor": cursor}


def executions(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    """The account's executions, newest first: fills (``execType`` Trade) and funding payments (Funding)."""
    category = category_of(p, CATEGORIES)
    limit = p.limit(50, 100)
    start, end = _window(t, p)
    exec_type = p.str("execType")
    symbol, base, settle = p.str("symbol"), p.str("baseCoin"), p.str("settleCoin")
    order_id, link_id = p.str("orderId"), p.str("orderLinkId")
    picked = []
    for e in reversed(account.executions):
        spec = e.order.inst.spec
        if spec.category != category or not start <= e.time <= end or exec_type not in (None, e.exec_type):
            continue
        if symbol is not None and spec.symbol != symbol or base is not None and spec.base_coin != base:
            continue
        if settle is not None and spec.quote_coin != settle:
            continue
        if order_id is not None and e.order.order_id != order_id or link_id is not None and e.order.link_id != link_id:
            continue
        picked.append(e)
    chunk, cursor = page(picked, limit, p.str("cursor"))
    return {"category": category, "list": [execution_item(e) for e in chunk], "nextPageCursor": cursor}
