"""The matching engine and account bookkeeping behind the private endpoints.

Orders match against the generated book with price-time priority (a user
order is a queue entry inside its price level, see ``book.py``). Every fill
updates the owner's position or coins, prints a public trade and records an
execution. Conditional orders (``triggerPrice``) wait in a per-symbol list
and are checked after every tick and every user operation against last,
mark or index price; position TP/SL are conditional orders that close the
whole position. After each operation the private events (order, execution,
position, wallet items in v5 stream form) go to the listeners in order.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from .accounts import Account, Accounts, Margin, Position
from .instruments import Instrument
from .market import Market
from .orders import Execution, Order, execution_item, order_item
from .wire import EIGHT

if TYPE_CHECKING:
    from .exchange import Exchange

__all__ = ["Trading", "PROTECTION"]

log = logging.getLogger("bybit_widgets.sim.engine")

ZERO = Decimal(0)
PROTECTION = Decimal("0.03")  # market orders run as IOC limits this far through the reference price
_TOPICS = ("order", "execution", "position", "wallet")
_MAX_TRIGGER_ROUNDS = 50
_FULL_TPSL = ("TakeProfit", "StopLoss", "TrailingStop")
_FINAL = frozenset(("Filled", "Cancelled", "PartiallyFilledCanceled", "Rejected", "Deactivated"))


class Trading:
    """Order entry, matching, triggers and events of one exchange (see the module docstring)."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.accounts = Accounts(exchange.clock)
        self.listeners: list[Callable[[str, str, list[dict]], None]] = []
        self.conditionals: dict[Market, list[Order]] = {}
        self._ids = random.Random(f"bybit-widgets/{exchange.seed}/orders")
        self._seq = 0
        self.now = exchange.clock()
        self._events: list[tuple[str, str, dict[str, Any]]] = []
        self._dirty_positions: dict[tuple[str, str], tuple[Account, Position]] = {}
        self._dirty_wallets: dict[str, Account] = {}
        self._full_tpsl: dict[tuple[str, str, str], Order] = {}  # (api key, symbol, kind) -> order
        self._taker: Order | None = None  # the order matching right now (its fills are in progress)
        for market in exchange.markets.values():
            market.on_maker_fill = self._maker_fill

    # -- helpers ------------------------------------------------------------------------------------
    def begin(self) -> int:
        """Start an operation: fix its timestamp."""
        self.now = self.exchange.clock()
        return self.now

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def market_of(self, inst: Instrument) -> Market:
        return self.exchange.markets[(inst.category, inst.symbol)]

    def margin(self, account: Account) -> Margin:
        return Margin(account, self._mark_of, self._spot_price_of)

    def _mark_of(self, inst: Instrument) -> int:
        return self.exchange.markets[("linear", inst.symbol)].mark

    def _spot_price_of(self, coin: str) -> Decimal:
        for category in ("spot", "linear"):
            market = self.exchange.markets.get((category, f"{coin}USDT"))
            if market is not None:
                return market.inst.price_of(market.last)
        return ZERO

    # -- events -------------------------------------------------------------------------------------
    def order_event(self, order: Order) -> None:
        self._events.append((order.api_key, "order", order_item(order, ws=True)))
        self._touch(order)

    def _touch(self, order: Order) -> None:
        account = self.accounts.get(order.api_key)
        assert account is not None
        self._dirty_wallets[account.api_key] = account
        if order.inst.is_linear:
            self._dirty_positions[(account.api_key, order.inst.symbol)] = (account,
                                                                           account.position(order.inst, self.now))

    def touch_position(self, account: Account, pos: Position) -> None:
        self._dirty_positions[(account.api_key, pos.inst.symbol)] = (account, pos)
        self._dirty_wallets[account.api_key] = account

    def flush(self) -> None:
        """Deliver the events of the finished operation: per key, order, execution, position, wallet."""
        if not self._events and not self._dirty_positions and not self._dirty_wallets:
            return
        events = self._events
        for account, pos in self._dirty_positions.values():
            events.append((account.api_key, "position", self.margin(account).position_item(pos, ws=True)))
        for account in self._dirty_wallets.values():
            events.append((account.api_key, "wallet", self.margin(account).wallet_item()))
        self._events = []
        self._dirty_positions = {}
        self._dirty_wallets = {}
        grouped: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for api_key, topic, item in events:
            grouped.setdefault(api_key, {}).setdefault(topic, []).append(item)
        for api_key, topics in grouped.items():
            for topic in _TOPICS:
                items = topics.get(topic)
                if not items:
                    continue
                for listener in list(self.listeners):
                    try:
                        listener(api_key, topic, items)
                    except Exception:
                        log.exception("sim engine: listener %r failed on %s", listener, topic)

    # -- order entry --------------------------------------------------------------------------------
    def place(self, account: Account, order: Order) -> None:
        """Accept a validated order: park it if conditional, else match it now."""
        market = self.market_of(order.inst)
        account.orders[order.order_id] = order
        if order.link_id:
            account.links[order.link_id] = order
        if order.trigger_price:
            order.status = "Untriggered"
            self.conditionals.setdefault(market, []).append(order)
            self.order_event(order)
        else:
            self._activate(account, order, market)
        self.check_triggers()

    def _activate(self, account: Account, order: Order, market: Market) -> None:
        """Match ``order`` as a taker, then rest, cancel or finish it per its time in force."""
        inst = order.inst
        buy = order.buy
        book = market.book
        opposite = book.asks if buy else book.bids
        market.u += 1
        order.status = "New"
        order.updated = self.now
        if order.reduce_only and inst.is_linear:
            pos = account.position(inst, self.now)
            allowed = abs(pos.size) if pos.size and (pos.size > 0) != buy else 0
            if order.leaves > allowed:
                if allowed == 0:
                    self._finish(account, order, "Cancelled", "CancelByReduceOnly", "EC_Others")
                    return
                order.qty -= order.leaves - allowed
                order.leaves = allowed
        best = opposite.best()
        if order.order_type == "Limit":
            crosses = best is not None and (best <= order.price if buy else best >= order.price)
            if order.tif == "PostOnly" and crosses:
                self._finish(account, order, "Cancelled", "UNKNOWN", "EC_PostOnlyWillTakeLiquidity")
                return
            if order.tif == "FOK" and opposite.available(order.price, order.leaves) < order.leaves:
                self._finish(account, order, "Cancelled", "UNKNOWN", "EC_CancelForNoFullFill")
                return

        def taker_fill(maker: Order | None, price: int, lots: int) -> None:
            order.leaves -= lots
            self._fill(account, order, price, lots, False)
            if maker is not None:
                self._maker_fill(maker, price, lots)

        if order.quote_qty is not None:
            outer, self._taker = self._taker, order
            try:
                self._take_by_value(order, market, taker_fill)
            finally:
                self._taker = outer
            if order.cum_qty:
                self._finish(account, order, "Filled", "UNKNOWN", "EC_NoError")
            else:
                self._finish(account, order, "Cancelled", "UNKNOWN", "EC_NoImmediateQtyToFill")
            return
        if order.leaves:
            outer, self._taker = self._taker, order
            try:
                market.take(buy, order.price or None, order.leaves, self.now, taker_fill)
            finally:
                self._taker = outer
        if order.leaves == 0:
            self._finish(account, order, "Filled", "UNKNOWN", "EC_NoError")
        elif order.order_type == "Limit" and order.tif in ("GTC", "PostOnly"):
            order.status = "PartiallyFilled" if order.cum_qty else "New"
            order.resting = True
            book.side(buy).add_order(order)
            self.order_event(order)
        else:
            status = "PartiallyFilledCanceled" if order.cum_qty and not inst.is_linear else "Cancelled"
            self._finish(account, order, status, "UNKNOWN", "EC_NoImmediateQtyToFill")

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
            market.take(True, best, lots, self.now, on_fill)
        order.leaves = 0

    def _finish(self, account: Account, order: Order, status: str, cancel_type: str, reason: str) -> None:
        """Close ``order`` with a final status (once: a finished order is left alone)."""
        if order.status in _FINAL:
            return
        if order.resting:
            self.market_of(order.inst).book.side(order.buy).remove_order(order)
            self.market_of(order.inst).u += 1
            order.resting = False
        conds = self.conditionals.get(self.market_of(order.inst))
        if conds and order in conds:
            conds.remove(order)
        order.status = status
        order.cancel_type = cancel_type
        order.reject_reason = reason
        order.updated = self.now
        order.leaves = 0
        account.close_order(order)
        for kind in _FULL_TPSL:
            if self._full_tpsl.get((account.api_key, order.inst.symbol, kind)) is order:
                del self._full_tpsl[(account.api_key, order.inst.symbol, kind)]
        self.order_event(order)

    # -- fills --------------------------------------------------------------------------------------
    def _maker_fill(self, maker: Order | None, price: int, lots: int) -> None:
        """A taker (generated or a user's) hit a resting order: the maker's side of the fill."""
        if maker is None:
            return
        account = self.accounts.get(maker.api_key)
        assert account is not None
        self._fill(account, maker, price, lots, True)

    def _fill(self, account: Account, order: Order, price: int, lots: int, is_maker: bool) -> None:
        inst = order.inst
        market = self.market_of(inst)
        now = self.now
        value = inst.value_of(price, lots)
        fee_rate = inst.maker_fee if is_maker else inst.taker_fee
        pnl = ZERO
        closed = 0
        if inst.is_linear:
            fee = (value * fee_rate).quantize(EIGHT, ROUND_HALF_UP)
            pos = account.position(inst, now)
            before = pos.size
            pnl, closed = pos.fill(order.buy, lots, price)
            net = pnl - fee
            account.coins["USDT"] = account.coins.get("USDT", ZERO) + net
            account.cum_realised["USDT"] = account.cum_realised.get("USDT", ZERO) + net
            if before == 0 or (pos.size and (pos.size > 0) != (before > 0)):
                pos.opened = now
                pos.cur_realised = ZERO
            pos.cum_realised += net
            pos.cur_realised += net
            pos.updated = now
            pos.seq = market.seq
            order.closed_pnl += net if closed else ZERO
            order.fee_coin = "USDT"
            self.touch_position(account, pos)
        else:
            base, quote = inst.spec.base_coin, inst.spec.quote_coin
            qty = inst.qty_of(lots)
            coins = account.coins
            if order.buy:
                fee = (qty * fee_rate).quantize(EIGHT, ROUND_HALF_UP)
                coins[quote] = coins.get(quote, ZERO) - value
                coins[base] = coins.get(base, ZERO) + qty - fee
                order.fee_coin = base
            else:
                fee = (value * fee_rate).quantize(EIGHT, ROUND_HALF_UP)
                coins[base] = coins.get(base, ZERO) - qty
                coins[quote] = coins.get(quote, ZERO) + value - fee
                order.fee_coin = quote
            self._dirty_wallets[account.api_key] = account
        order.cum_qty += lots
        order.cum_value += value
        order.cum_fee += fee
        order.updated = now
        execution = Execution(self.new_id(), order, price, lots, value, fee, fee_rate, is_maker, now, market.seq,
                              pnl, closed, order.leaves, market.mark, market.index_ticks())  # fmt: skip
        account.executions.append(execution)
        self._events.append((account.api_key, "execution", execution_item(execution, ws=True)))
        if order.take_profit or order.stop_loss:
            self._order_tpsl(account, order, lots)
        if is_maker:
            if order.leaves == 0:
                order.resting = False
                self._finish(account, order, "Filled", "UNKNOWN", "EC_NoError")
            else:
                order.status = "PartiallyFilled"
                self.order_event(order)
        if inst.is_linear:
            self._after_position_change(account, account.position(inst, now))

    def _after_position_change(self, account: Account, pos: Position) -> None:
        """Keep reduce-only orders within the position and drop TP/SL of a closed or flipped position."""
        inst = pos.inst
        for kind in _FULL_TPSL:
            order = self._full_tpsl.get((account.api_key, inst.symbol, kind))
            if order is not None and (pos.size == 0 or (pos.size > 0) == order.buy):
                self._finish(account, order, "Deactivated", "CancelByTpSlTsClear", "EC_NoError")
                setattr(pos, {"TakeProfit": "take_profit", "StopLoss": "stop_loss",
                              "TrailingStop": "trailing"}[kind], 0)  # fmt: skip
        closing_buy = pos.size < 0
        room = abs(pos.size)
        reduce_only = [o for o in account.open_orders()
                       if o.inst is inst and o.reduce_only and o.status != "Untriggered"
                       and o.stop_order_type not in _FULL_TPSL]  # fmt: skip
        reduce_only.sort(key=lambda o: o.seq)
        for order in reduce_only:
            if order is self._taker or order.leaves == 0:
                continue
            if pos.size == 0 or order.buy != closing_buy or room == 0:
                self._finish(account, order, "Cancelled", "CancelByReduceOnly", "EC_Others")
                continue
            if order.leaves > room:
                market = self.market_of(inst)
                cut = order.leaves - room
                if order.resting:
                    market.book.side(order.buy).shrink_order(order, room)
                    market.u += 1
                else:
                    order.leaves = room
                order.qty -= cut
                order.updated = self.now
                self.order_event(order)
            room -= order.leaves

    # -- TP/SL ----------------------------------------------------------------------------------------
    def _order_tpsl(self, account: Account, order: Order, lots: int) -> None:
        """TP/SL attached to an order take effect with its fills."""
        inst = order.inst
        if not inst.is_linear:
            return
        pos = account.position(inst, self.now)
        if order.tpsl_mode == "Partial":
            for kind, price, limit, order_type, by in (
                    ("PartialTakeProfit", order.take_profit, order.tp_limit, order.tp_order_type, order.tp_trigger_by),
                    ("PartialStopLoss", order.stop_loss, order.sl_limit, order.sl_order_type, order.sl_trigger_by)):
                if not price:
                    continue
                child = order.extras.get(kind)
                if child is not None and child.status == "Untriggered":
                    child.qty += lots
                    child.leaves += lots
                    child.updated = self.now
                    self.order_event(child)
                else:
                    order.extras[kind] = self.conditional_close(account, inst, not order.buy, kind, price, by,
                                                                 lots, order_type, limit, "Partial")  # fmt: skip
            return
        if order.tpsl_applied or pos.size == 0:
            return
        order.tpsl_applied = True
        self.set_position_tpsl(account, pos, tp=order.take_profit or None, sl=order.stop_loss or None,
                               tp_by=order.tp_trigger_by or "LastPrice", sl_by=order.sl_trigger_by or "LastPrice")

    def set_position_tpsl(self, account: Account, pos: Position, *, tp: int | None = None, sl: int | None = None,
                          trailing: int | None = None, active: int = 0, tp_by: str = "LastPrice",
                          sl_by: str = "LastPrice") -> None:  # fmt: skip
        """Full-mode TP / SL / trailing stop of a position (``0`` removes, ``None`` leaves unchanged)."""
        inst = pos.inst
        long = pos.size > 0
        for kind, value, by, attr in (("TakeProfit", tp, tp_by, "take_profit"), ("StopLoss", sl, sl_by, "stop_loss"),
                                      ("TrailingStop", trailing, "LastPrice", "trailing")):
            if value is None:
                continue
            key = (account.api_key, inst.symbol, kind)
            existing = self._full_tpsl.get(key)
            if existing is not None:
                self._finish(account, existing, "Deactivated", "CancelByUser", "EC_NoError")
            setattr(pos, attr, value)
            if value == 0:
                continue
            if kind == "TrailingStop":
                market = self.market_of(inst)
                distance = value
                trigger = market.last - distance if long else market.last + distance
                order = self.conditional_close(account, inst, not long, kind, max(1, trigger), by, 0, "Market", 0,
                                                "Full")  # fmt: skip
                order.trailing = distance
                order.active_price = active
            else:
                order = self.conditional_close(account, inst, not long, kind, value, by, 0, "Market", 0, "Full")
            self._full_tpsl[key] = order
            if kind == "TakeProfit":
                pos.tp_trigger_by = by
            elif kind == "StopLoss":
                pos.sl_trigger_by = by
        self.touch_position(account, pos)

    def conditional_close(self, account: Account, inst: Instrument, buy: bool, kind: str, trigger: int, by: str,
                           lots: int, order_type: str, limit: int, mode: str) -> Order:  # fmt: skip
        """A reduce-only conditional order closing (part of) a position when ``trigger`` is reached."""
        rises = kind in ("TakeProfit", "PartialTakeProfit") and not buy or \
            kind in ("StopLoss", "PartialStopLoss", "TrailingStop") and buy  # fmt: skip
        market = self.market_of(inst)
        order = Order(self.new_id(), "", account.api_key, inst, buy, order_type, limit if order_type == "Limit" else 0,
                      lots, lots, "GTC" if order_type == "Limit" else "IOC", self.now, self.next_seq(),
                      status="Untriggered", updated=self.now, reduce_only=True, close_on_trigger=True,
                      stop_order_type=kind, trigger_price=trigger, trigger_direction=1 if rises else 2,
                      trigger_by=by, tpsl_mode=mode, last_price_on_created=market.last)  # fmt: skip
        account.orders[order.order_id] = order
        self.conditionals.setdefault(market, []).append(order)
        self.order_event(order)
        return order

    # -- triggers -------------------------------------------------------------------------------------
    def after_tick(self, now: int) -> None:
        self.now = now
        if self.conditionals:
            self.check_triggers()

    def check_triggers(self) -> None:
        for _ in range(_MAX_TRIGGER_ROUNDS):
            fired: list[Order] = []
            for market, orders in self.conditionals.items():
                if not orders:
                    continue
                last, mark, index = market.last, market.mark, None
                for order in orders:
                    if order.trigger_by == "MarkPrice":
                        ref = mark
                    elif order.trigger_by == "IndexPrice":
                        index = market.index_ticks() if index is None else index
                        ref = index
                    else:
                        ref = last
                    if order.trailing:
                        if order.active_price:
                            reached = ref >= order.active_price if order.trigger_direction == 2 else \
                                ref <= order.active_price  # fmt: skip
                            if not reached:
                                continue
                            order.active_price = 0
                        if order.trigger_direction == 2:
                            order.trigger_price = max(order.trigger_price, ref - order.trailing)
                        else:
                            order.trigger_price = min(order.trigger_price, ref + order.trailing)
                    if (ref >= order.trigger_price) if order.trigger_direction == 1 else (ref <= order.trigger_price):
                        fired.append(order)
            if not fired:
                return
            for order in fired:
                if order.status == "Untriggered":
                    self._trigger(order)

    def _trigger(self, order: Order) -> None:
        account = self.accounts.get(order.api_key)
        assert account is not None
        market = self.market_of(order.inst)
        self.conditionals[market].remove(order)
        order.status = "Triggered"
        order.updated = self.now
        self.order_event(order)
        if order.tpsl_mode == "Full" and order.stop_order_type in _FULL_TPSL:
            self._full_tpsl.pop((account.api_key, order.inst.symbol, order.stop_order_type), None)
            pos = account.position(order.inst, self.now)
            setattr(pos, {"TakeProfit": "take_profit", "StopLoss": "stop_loss",
                          "TrailingStop": "trailing"}[order.stop_order_type], 0)  # fmt: skip
            if pos.size == 0 or (pos.size > 0) == order.buy:
                self._finish(account, order, "Deactivated", "CancelByTpSlTsClear", "EC_NoError")
                return
            order.qty = order.leaves = abs(pos.size)
        if order.order_type == "Market":
            order.price = self.protective_price(market, order.buy)
        self._activate(account, order, market)

    def protective_price(self, market: Market, buy: bool) -> int:
        """The limit a market order runs at: ``PROTECTION`` beyond the touch (or last price)."""
        inst = market.inst
        side = market.book.asks if buy else market.book.bids
        ref = side.best() or market.last
        factor = (1 + PROTECTION) if buy else (1 - PROTECTION)
        ticks = int((Decimal(ref) * factor).to_integral_value())
        return min(max(ticks, inst.min_ticks), inst.max_ticks)

    # -- cancel and amend ------------------------------------------------------------------------------
    def cancel(self, account: Account, order: Order, cancel_type: str = "CancelByUser") -> None:
        if order.status == "Untriggered":
            self._finish(account, order, "Deactivated", cancel_type, "EC_NoError")
            return
        status = "PartiallyFilledCanceled" if order.cum_qty and not order.inst.is_linear else "Cancelled"
        self._finish(account, order, status, cancel_type, "EC_NoError")

    def reprice(self, account: Account, order: Order, price: int | None, qty: int | None) -> None:
        """Amend a live order: a new price re-enters matching at the back; more qty loses priority."""
        market = self.market_of(order.inst)
        side = market.book.side(order.buy)
        new_leaves = order.leaves if qty is None else qty - order.cum_qty
        market.u += 1
        order.updated = self.now
        if price is not None and price != order.price:
            if order.resting:
                side.remove_order(order)
                order.resting = False
            order.price = price
            order.leaves = new_leaves
            if qty is not None:
                order.qty = qty
            self._activate(account, order, market)
            self.check_triggers()
            return
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
        self.order_event(order)

    # -- truth ----------------------------------------------------------------------------------------
    def truth_orders(self, account: Account) -> list[dict]:
        orders = sorted(account.orders.values(), key=lambda o: o.seq, reverse=True)
        return [order_item(o, ws=True) for o in orders]

    def truth_positions(self, account: Account) -> list[dict]:
        margin = self.margin(account)
        items = []
        for pos in account.positions.values():
            if pos.size:
                item = margin.position_item(pos)
                item["category"] = "linear"
                items.append(item)
        return items

    def truth_wallet(self, account: Account) -> dict:
        return self.margin(account).wallet_item()
