"""Matching: user orders against the generated book, with price-time priority.

A user order that can trade takes liquidity level by level (``Market.take``);
what is left rests in its price level as a queue entry (``book.py``) or is
cancelled, per its time in force. A market order runs as an IOC limit
``PROTECTION`` through the touch, the way Bybit protects it from sweeping an
empty book. Every fill goes to the ``on_fill`` callback (taker first, then
the maker it hit), which settles it and applies what it sets off.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .accounts import Account, Position
from .desk import FULL_TPSL, Desk
from .market import Market
from .orders import Order

__all__ = ["Matching", "PROTECTION", "protective_price", "FillHandler"]

ZERO = Decimal(0)
PROTECTION = Decimal("0.03")  # market orders run as IOC limits this far through the reference price

FillHandler = Callable[[Account, Order, int, int, bool], None]  # (account, order, price, lots, is_maker)


def protective_price(market: Market, buy: bool) -> int:
    """The limit a market order runs at: ``PROTECTION`` beyond the touch (or last price)."""
    inst = market.inst
    side = market.book.asks if buy else market.book.bids
    ref = side.best() or market.last
    factor = (1 + PROTECTION) if buy else (1 - PROTECTION)
    ticks = int((Decimal(ref) * factor).to_integral_value())
    return min(max(ticks, inst.min_ticks), inst.max_ticks)


class Matching:
    """Takes, rests, reprices and trims user orders in the books of one exchange."""

    def __init__(self, desk: Desk, on_fill: FillHandler) -> None:
        self.desk = desk
        self.on_fill = on_fill
        self.taker: Order | None = None  # the order matching right now (its fills are in progress)

    def maker_fill(self, maker: Order | None, price: int, lots: int) -> None:
        """A taker (generated or a user's) hit a resting order: the maker's side of the fill."""
        if maker is None:
            return
        self.on_fill(self.desk.owner(maker), maker, price, lots, True)

    def activate(self, account: Account, order: Order, market: Market) -> None:
        """Match ``order`` as a taker, then rest, cancel or finish it per its time in force."""
        desk = self.desk
        market.u += 1
        order.status = "New"
        order.updated = desk.now
        if not self._fits_position(account, order) or not self._may_take(account, order, market):
            return

        def taker_fill(maker: Order | None, price: int, lots: int) -> None:
            order.leaves -= lots
            self.on_fill(account, order, price, lots, False)
            self.maker_fill(maker, price, lots)

        if order.quote_qty is not None:
            self._as_taker(order, lambda: self._take_by_value(order, market, taker_fill))
            if order.cum_qty:
                desk.finish(account, order, "Filled", "UNKNOWN", "EC_NoError")
            else:
                desk.finish(account, order, "Cancelled", "UNKNOWN", "EC_NoImmediateQtyToFill")
            return
        if order.leaves:
            self._as_taker(
                order, lambda: market.take(order.buy, order.price or None, order.leaves, desk.now, taker_fill)
            )
        if order.leaves == 0:
            desk.finish(account, order, "Filled", "UNKNOWN", "EC_NoError")
        elif order.order_type == "Limit" and order.tif in ("GTC", "PostOnly"):
            order.status = "PartiallyFilled" if order.cum_qty else "New"
            order.resting = True
            market.book.side(order.buy).add_order(order)
            desk.order_event(order)
        else:
            status = "PartiallyFilledCanceled" if order.cum_qty and not order.inst.is_linear else "Cancelled"
            desk.finish(account, order, status, "UNKNOWN", "EC_NoImmediateQtyToFill")

    def _fits_position(self, account: Account, order: Order) -> bool:
        """Cut a reduce-only order to the position it closes; ``False`` (cancelled) when it closes nothing."""
        inst = order.inst
        if not (order.reduce_only and inst.is_linear):
            return True
        pos = account.position_of(order, self.desk.now)
        allowed = abs(pos.size) if pos.size and (pos.size > 0) != order.buy else 0
        if order.leaves > allowed:
            if allowed == 0:
                self.desk.finish(account, order, "Cancelled", "CancelByReduceOnly", "EC_Others")
                return False
            order.qty -= order.leaves - allowed
            order.leaves = allowed
        return True

    def _may_take(self, account: Account, order: Order, market: Market) -> bool:
        """PostOnly that would cross and FOK that cannot fill in full are cancelled before matching."""
        if order.order_type != "Limit":
            return True
        opposite = market.book.asks if order.buy else market.book.bids
        best = opposite.best()
        crosses = best is not None and (best <= order.price if order.buy else best >= order.price)
        if order.tif == "PostOnly" and crosses:
            self.desk.finish(account, order, "Cancelled", "UNKNOWN", "EC_PostOnlyWillTakeLiquidity")
            return False
        if order.tif == "FOK" and opposite.available(order.price, order.leaves) < order.leaves:
            self.desk.finish(account, order, "Cancelled", "UNKNOWN", "EC_CancelForNoFullFill")
            return False
        return True

    def _as_taker(self, order: Order, run: Callable[[], None]) -> None:
        outer, self.taker = self.taker, order
        try:
            run()
        finally:
            self.taker = outer

    def _take_by_value(self, order: Order, market: Market, on_fill: Callable[[Any, int, int], None]) -> None:
        """A spot market buy spending a quote amount: level by level while a whole lot is affordable."""
        inst = order.inst
        asks = market.book.asks
        budget = order.quote_qty or ZERO
        while True:
            best = asks.best()
            if best is None or (order.price and best > order.price):
                break
            lots = min(int((budget - order.cum_value) / inst.value_of(best, 1)), asks.sizes[best])
            if lots <= 0:
                break
            order.leaves = lots
            market.take(True, best, lots, self.desk.now, on_fill)
        order.leaves = 0

    def reprice(self, account: Account, order: Order, price: int | None, qty: int | None) -> bool:
        """Amend a live order: a new price re-enters matching at the back; more qty loses priority.

        ``True`` when the order re-entered matching (prices moved: the caller checks triggers).
        """
        desk = self.desk
        market = desk.market_of(order.inst)
        side = market.book.side(order.buy)
        new_leaves = order.leaves if qty is None else qty - order.cum_qty
        market.u += 1
        order.updated = desk.now
        if price is not None and price != order.price:
            if order.resting:
                side.remove_order(order)
                order.resting = False
            order.price = price
            order.leaves = new_leaves
            if qty is not None:
                order.qty = qty
            self.activate(account, order, market)
            return True
        if qty is not None:
            if new_leaves < order.leaves and order.resting:
                side.shrink_order(order, new_leaves)
            elif order.resting:
                side.remove_order(order)
                order.leaves = new_leaves
                side.add_order(order)
            else:
                order.leaves = new_leaves
            order.qty = qty
        desk.order_event(order)
        return False

    def trim_reduce_only(self, account: Account, pos: Position) -> None:
        """Keep the account's reduce-only orders on ``pos`` within its size, oldest first; cancel the rest."""
        desk = self.desk
        inst = pos.inst
        closing_buy = pos.size < 0
        room = abs(pos.size)
        reduce_only = [
            o
            for o in account.open_orders()
            if o.inst is inst
            and o.position_idx == pos.idx
            and o.reduce_only
            and o.status != "Untriggered"
            and o.stop_order_type not in FULL_TPSL
        ]
        reduce_only.sort(key=lambda o: o.seq)
        for order in reduce_only:
            if order is self.taker or order.leaves == 0:
                continue
            if pos.size == 0 or order.buy != closing_buy or room == 0:
                desk.finish(account, order, "Cancelled", "CancelByReduceOnly", "EC_Others")
                continue
            if order.leaves > room:
                cut = order.leaves - room
                if order.resting:
                    market = desk.market_of(inst)
                    market.book.side(order.buy).shrink_order(order, room)
                    market.u += 1
                else:
                    order.leaves = room
                order.qty -= cut
                order.updated = desk.now
                desk.order_event(order)
            room -= order.leaves
