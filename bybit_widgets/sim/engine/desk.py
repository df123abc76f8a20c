"""The state every part of trading shares, and the one thing all of them do: close an order.

Matching, settlement and triggers each own one job, but they work on the
same accounts, the same operation timestamp, the same id stream and the same
registries of waiting orders (conditional orders per market, full-position
TP/SL per key and symbol). :class:`Desk` holds that state so the parts can
take it without taking each other. Closing an order touches all of it (the
book, the registries, the account, the events), hence :meth:`Desk.finish`
lives here too.

Order ids come from a random stream seeded by the exchange seed, so a seed
and a sequence of requests always give the same ids.
"""

from __future__ import annotations

import random
import uuid

from .accounts import Account, Accounts, Margin
from .events import Outbox
from .instruments import Instrument
from .market import Market
from .orders import Order
from .venue import Venue

__all__ = ["Desk", "FULL_TPSL", "TPSL_ATTR"]

FULL_TPSL = ("TakeProfit", "StopLoss", "TrailingStop")
TPSL_ATTR = {"TakeProfit": "take_profit", "StopLoss": "stop_loss", "TrailingStop": "trailing"}  # on Position
_FINAL = frozenset(("Filled", "Cancelled", "PartiallyFilledCanceled", "Rejected", "Deactivated"))


class Desk:
    """Accounts, events, the operation's timestamp, ids and the registries of waiting orders."""

    def __init__(self, venue: Venue) -> None:
        self.venue = venue
        self.accounts = Accounts(venue.clock)
        self.outbox = Outbox(venue.margin)
        self.conditionals: dict[Market, list[Order]] = {}
        self.full_tpsl: dict[tuple[str, str, int, str], Order] = {}  # (api key, symbol, positionIdx, kind)
        self._ids = random.Random(f"bybit-widgets/{venue.seed}/orders")
        self._seq = 0
        self.now = venue.clock()

    def begin(self) -> int:
        """Start an operation: fix its timestamp."""
        self.now = self.venue.clock()
        return self.now

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def market_of(self, inst: Instrument) -> Market:
        return self.venue.market_of(inst)

    def margin(self, account: Account) -> Margin:
        return self.venue.margin(account)

    def owner(self, order: Order) -> Account:
        account = self.accounts.get(order.api_key)
        assert account is not None
        return account

    def order_event(self, order: Order) -> None:
        """Queue the order's current state; its owner's wallet and position are to be pushed too."""
        account = self.owner(order)
        pos = account.position_of(order, self.now) if order.inst.is_linear else None
        self.outbox.order(account, order, pos)

    def finish(self, account: Account, order: Order, status: str, cancel_type: str, reason: str) -> None:
        """Close ``order`` with a final status (once: a finished order is left alone)."""
        if order.status in _FINAL:
            return
        market = self.market_of(order.inst)
        if order.resting:
            market.book.side(order.buy).remove_order(order)
            market.u += 1
            order.resting = False
        conds = self.conditionals.get(market)
        if conds and order in conds:
            conds.remove(order)
        order.status = status
        order.cancel_type = cancel_type
        order.reject_reason = reason
        order.updated = self.now
        order.leaves = 0
        account.close_order(order)
        for kind in FULL_TPSL:
            key = (account.api_key, order.inst.symbol, order.position_idx, kind)
            if self.full_tpsl.get(key) is order:
                del self.full_tpsl[key]
        self.order_event(order)
