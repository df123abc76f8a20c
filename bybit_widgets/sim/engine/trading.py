"""Trading: the operations behind the private endpoints, composed of matching, settlement and triggers.

Orders match against the generated book (``matching.py``); every fill is
booked into the owner's position or coins (``settlement.py``) and then sets
off what depends on it: the order's TP/SL, the maker finishing, reduce-only
orders shrinking and stale TP/SL dropping as the position changes.
Conditional orders and TP/SL (``triggers.py``) are checked after every tick
and every user operation; one that fires is matched at once, and what its
fills move may fire more (up to ``_MAX_TRIGGER_ROUNDS`` rounds). After each
operation :meth:`flush` delivers the private events (``events.py``).
"""

from __future__ import annotations

from .accounts import Account, Accounts, Margin, Position
from .desk import Desk
from .events import Listener
from .funding import Funding
from .market import Market
from .matching import Matching
from .orders import Order, order_item
from .settlement import settle
from .triggers import Triggers
from .venue import Venue

__all__ = ["Trading"]

_MAX_TRIGGER_ROUNDS = 50


class Trading:
    """Order entry, cancel, amend, triggers and events of one exchange (see the module docstring)."""

    def __init__(self, venue: Venue) -> None:
        self.venue = venue
        self.desk = Desk(venue)
        self.matching = Matching(self.desk, self._fill)
        self.triggers = Triggers(self.desk)
        self.funding = Funding(self.desk)
        for market in venue.markets.values():
            market.on_maker_fill = self.matching.maker_fill

    # -- shared state ------------------------------------------------------------------------------
    @property
    def accounts(self) -> Accounts:
        return self.desk.accounts

    @property
    def listeners(self) -> list[Listener]:
        return self.desk.outbox.listeners

    @property
    def now(self) -> int:
        """The timestamp of the running operation (or of the last tick)."""
        return self.desk.now

    def begin(self) -> int:
        """Start an operation: fix its timestamp."""
        return self.desk.begin()

    def new_id(self) -> str:
        return self.desk.new_id()

    def next_seq(self) -> int:
        return self.desk.next_seq()

    def margin(self, account: Account) -> Margin:
        return self.venue.margin(account)

    # -- events ------------------------------------------------------------------------------------
    def order_event(self, order: Order) -> None:
        self.desk.order_event(order)

    def touch_position(self, account: Account, pos: Position) -> None:
        self.desk.outbox.position(account, pos)

    def flush(self) -> None:
        """Deliver the events of the finished operation: per key, order, execution, position, wallet."""
        self.desk.outbox.flush()

    # -- orders ------------------------------------------------------------------------------------
    def place(self, account: Account, order: Order) -> None:
        """Accept a validated order: park it if conditional, else match it now."""
        desk = self.desk
        market = desk.market_of(order.inst)
        account.orders[order.order_id] = order
        if order.link_id:
            account.links[order.link_id] = order
        if order.trigger_price:
            order.status = "Untriggered"
            desk.conditionals.setdefault(market, []).append(order)
            desk.order_event(order)
        else:
            self.matching.activate(account, order, market)
        self.check_triggers()

    def cancel(self, account: Account, order: Order, cancel_type: str = "CancelByUser") -> None:
        if order.status == "Untriggered":
            self.desk.finish(account, order, "Deactivated", cancel_type, "EC_NoError")
            return
        status = "PartiallyFilledCanceled" if order.cum_qty and not order.inst.is_linear else "Cancelled"
        self.desk.finish(account, order, status, cancel_type, "EC_NoError")

    def reprice(self, account: Account, order: Order, price: int | None, qty: int | None) -> None:
        """Amend a live order: a new price re-enters matching at the back; more qty loses priority."""
        if self.matching.reprice(account, order, price, qty):
            self.check_triggers()

    def _fill(self, account: Account, order: Order, price: int, lots: int, is_maker: bool) -> None:
        """Settle one fill, then what it sets off: TP/SL, the maker's status, the position's other orders."""
        settle(self.desk, account, order, price, lots, is_maker)
        if order.take_profit or order.stop_loss:
            self.triggers.order_tpsl(account, order, lots)
        if is_maker:
            if order.leaves == 0:
                order.resting = False
                self.desk.finish(account, order, "Filled", "UNKNOWN", "EC_NoError")
            else:
                order.status = "PartiallyFilled"
                self.desk.order_event(order)
        if order.inst.is_linear:
            pos = account.position_of(order, self.desk.now)
            self.triggers.drop_stale(account, pos)
            self.matching.trim_reduce_only(account, pos)

    # -- triggers ----------------------------------------------------------------------------------
    def after_tick(self, now: int) -> None:
        self.desk.now = now
        self.funding.due(now)
        if self.desk.conditionals:
            self.check_triggers()

    def check_triggers(self) -> None:
        """Fire every conditional order whose price is reached and match it, until none fires."""
        for _ in range(_MAX_TRIGGER_ROUNDS):
            fired = self.triggers.due()
            if not fired:
                return
            for order in fired:
                if order.status == "Untriggered":
                    market = self.triggers.fire(order)
                    if market is not None:
                        self.matching.activate(self.desk.owner(order), order, market)

    def settle_funding(self, market: Market) -> int:
        """Settle funding in ``market`` now at the rate its tickers show (``POST /sim/funding``)."""
        return self.funding.settle(market, market.funding_rate, self.begin())

    # -- truth -------------------------------------------------------------------------------------
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
