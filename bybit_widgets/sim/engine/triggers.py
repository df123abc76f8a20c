"""Triggers: conditional orders and TP/SL waiting for a price, and when they fire.

A conditional order (``triggerPrice``) waits in its market's list until the
reference price (last, mark or index, per ``triggerBy``) reaches it in its
``triggerDirection``. TP/SL are reduce-only conditional orders: in Full mode
one per position and kind closing the whole position (a new one replaces
the old, a closed or flipped position drops them), in Partial mode one per
order fill size. A trailing stop follows the price at its distance once its
``activePrice`` is reached. :class:`Triggers` decides which orders fire;
matching a fired order is the caller's.
"""

from __future__ import annotations

from .accounts import Account, Position
from .desk import FULL_TPSL, TPSL_ATTR, Desk
from .instruments import Instrument
from .market import Market
from .matching import protective_price
from .orders import Order

__all__ = ["Triggers"]


class Triggers:
    """Conditional orders and TP/SL of one exchange (see the module docstring)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    # -- creating ----------------------------------------------------------------------------------
    def conditional_close(
        self,
        account: Account,
        inst: Instrument,
        buy: bool,
        kind: str,
        trigger: int,
        by: str,
        lots: int,
        order_type: str,
        limit: int,
        mode: str,
        idx: int = 0,
    ) -> Order:
        """A reduce-only conditional order closing (part of) position ``idx`` when ``trigger`` is reached."""
        desk = self.desk
        rises = (
            kind in ("TakeProfit", "PartialTakeProfit")
            and not buy
            or kind in ("StopLoss", "PartialStopLoss", "TrailingStop")
            and buy
        )
        market = desk.market_of(inst)
        order = Order(
            desk.new_id(),
            "",
            account.api_key,
            inst,
            buy,
            order_type,
            limit if order_type == "Limit" else 0,
            lots,
            lots,
            "GTC" if order_type == "Limit" else "IOC",
            desk.now,
            desk.next_seq(),
            status="Untriggered",
            updated=desk.now,
            reduce_only=True,
            position_idx=idx,
            close_on_trigger=True,
            stop_order_type=kind,
            trigger_price=trigger,
            trigger_direction=1 if rises else 2,
            trigger_by=by,
            tpsl_mode=mode,
            last_price_on_created=market.last,
        )
        account.orders[order.order_id] = order
        desk.conditionals.setdefault(market, []).append(order)
        desk.order_event(order)
        return order

    def set_position_tpsl(
        self,
        account: Account,
        pos: Position,
        *,
        tp: int | None = None,
        sl: int | None = None,
        trailing: int | None = None,
        active: int = 0,
        tp_by: str = "LastPrice",
        sl_by: str = "LastPrice",
    ) -> None:
        """Full-mode TP / SL / trailing stop of a position (``0`` removes, ``None`` leaves unchanged)."""
        desk = self.desk
        inst = pos.inst
        long = pos.size > 0
        for kind, value, by in (
            ("TakeProfit", tp, tp_by),
            ("StopLoss", sl, sl_by),
            ("TrailingStop", trailing, "LastPrice"),
        ):
            if value is None:
                continue
            key = (account.api_key, inst.symbol, pos.idx, kind)
            existing = desk.full_tpsl.get(key)
            if existing is not None:
                desk.finish(account, existing, "Deactivated", "CancelByUser", "EC_NoError")
            setattr(pos, TPSL_ATTR[kind], value)
            if value == 0:
                continue
            if kind == "TrailingStop":
                last = desk.market_of(inst).last
                trigger = last - value if long else last + value
                order = self.conditional_close(
                    account, inst, not long, kind, max(1, trigger), by, 0, "Market", 0, "Full", pos.idx
                )
                order.trailing = value
                order.active_price = active
            else:
                order = self.conditional_close(
                    account, inst, not long, kind, value, by, 0, "Market", 0, "Full", pos.idx
                )
            desk.full_tpsl[key] = order
            if kind == "TakeProfit":
                pos.tp_trigger_by = by
            elif kind == "StopLoss":
                pos.sl_trigger_by = by
        desk.outbox.position(account, pos)

    def order_tpsl(self, account: Account, order: Order, lots: int) -> None:
        """TP/SL attached to an order take effect with its fills (``lots`` just filled)."""
        desk = self.desk
        inst = order.inst
        if not inst.is_linear:
            return
        pos = account.position_of(order, desk.now)
        if order.tpsl_mode == "Partial":
            for kind, price, limit, order_type, by in (
                ("PartialTakeProfit", order.take_profit, order.tp_limit, order.tp_order_type, order.tp_trigger_by),
                ("PartialStopLoss", order.stop_loss, order.sl_limit, order.sl_order_type, order.sl_trigger_by),
            ):
                if not price:
                    continue
                child = order.extras.get(kind)
                if child is not None and child.status == "Untriggered":
                    child.qty += lots
                    child.leaves += lots
                    child.updated = desk.now
                    desk.order_event(child)
                else:
                    order.extras[kind] = self.conditional_close(
                        account, inst, not order.buy, kind, price, by, lots, order_type, limit, "Partial", pos.idx
                    )
            return
        if order.tpsl_applied or pos.size == 0:
            return
        order.tpsl_applied = True
        self.set_position_tpsl(
            account,
            pos,
            tp=order.take_profit or None,
            sl=order.stop_loss or None,
            tp_by=order.tp_trigger_by or "LastPrice",
            sl_by=order.sl_trigger_by or "LastPrice",
        )

    def drop_stale(self, account: Account, pos: Position) -> None:
        """Deactivate the Full TP/SL of a position that closed or flipped (they no longer close it)."""
        desk = self.desk
        for kind in FULL_TPSL:
            order = desk.full_tpsl.get((account.api_key, pos.inst.symbol, pos.idx, kind))
            if order is not None and (pos.size == 0 or (pos.size > 0) == order.buy):
                desk.finish(account, order, "Deactivated", "CancelByTpSlTsClear", "EC_NoError")
                setattr(pos, TPSL_ATTR[kind], 0)

    # -- firing ------------------------------------------------------------------------------------
    def due(self) -> list[Order]:
        """The conditional orders whose trigger is reached now (trailing stops follow the price first)."""
        fired: list[Order] = []
        for market, orders in self.desk.conditionals.items():
            if orders:
                fired.extend(_reached(market, orders))
        return fired

    def fire(self, order: Order) -> Market | None:
        """Trigger ``order``: the market to match it in, or ``None`` when it was deactivated instead."""
        desk = self.desk
        account = desk.owner(order)
        market = desk.market_of(order.inst)
        desk.conditionals[market].remove(order)
        order.status = "Triggered"
        order.updated = desk.now
        desk.order_event(order)
        if order.tpsl_mode == "Full" and order.stop_order_type in FULL_TPSL:
            desk.full_tpsl.pop((account.api_key, order.inst.symbol, order.position_idx, order.stop_order_type), None)
            pos = account.position_of(order, desk.now)
            setattr(pos, TPSL_ATTR[order.stop_order_type], 0)
            if pos.size == 0 or (pos.size > 0) == order.buy:
                desk.finish(account, order, "Deactivated", "CancelByTpSlTsClear", "EC_NoError")
                return None
            order.qty = order.leaves = abs(pos.size)
        if order.order_type == "Market":
            order.price = protective_price(market, order.buy)
        return market


def _reached(market: Market, orders: list[Order]) -> list[Order]:
    last, mark, index = market.last, market.mark, None
    fired = []
    for order in orders:
        if order.trigger_by == "MarkPrice":
            ref = mark
        elif order.trigger_by == "IndexPrice":
            index = market.index_ticks() if index is None else index
            ref = index
        else:
            ref = last
        if order.trailing and not _follow(order, ref):
            continue
        if (ref >= order.trigger_price) if order.trigger_direction == 1 else (ref <= order.trigger_price):
            fired.append(order)
    return fired


def _follow(order: Order, ref: int) -> bool:
    """Move a trailing stop's trigger after ``ref``; ``False`` while its ``activePrice`` is not reached."""
    if order.active_price:
        reached = ref >= order.active_price if order.trigger_direction == 2 else ref <= order.active_price
        if not reached:
            return False
        order.active_price = 0
    if order.trigger_direction == 2:
        order.trigger_price = max(order.trigger_price, ref - order.trailing)
    else:
        order.trigger_price = min(order.trigger_price, ref + order.trailing)
    return True
