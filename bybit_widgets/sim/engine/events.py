"""The private events of one operation, delivered to the listeners once it is finished.

During an operation the engine queues order and execution items as they
happen and marks the positions and wallets it changed; :meth:`Outbox.flush`
then renders each marked position and wallet once (their state at the end
of the operation, as Bybit pushes them) and hands every API key its items
topic by topic, in the order the private stream publishes them: order,
execution, position, wallet. A failing listener is logged and skipped, so
one bad subscriber cannot stop the others or the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .accounts import Account, Margin, Position
from .orders import Execution, Order, execution_item, order_item

__all__ = ["Outbox", "Listener", "TOPICS"]

log = logging.getLogger("bybit_widgets.sim.engine")

Listener = Callable[[str, str, list[dict]], None]
TOPICS = ("order", "execution", "position", "wallet")


class Outbox:
    """Queued private events and the listeners they go to (see the module docstring)."""

    def __init__(self, margin: Callable[[Account], Margin]) -> None:
        self.listeners: list[Listener] = []
        self._margin = margin
        self._events: list[tuple[str, str, dict[str, Any]]] = []
        self._positions: dict[tuple[str, str, int], tuple[Account, Position]] = {}
        self._wallets: dict[str, Account] = {}

    def order(self, account: Account, order: Order, pos: Position | None) -> None:
        """An order item; its owner's wallet (and ``pos``, the position of a linear order) changed too."""
        self._events.append((order.api_key, "order", order_item(order, ws=True)))
        self._wallets[account.api_key] = account
        if pos is not None:
            self._positions[(account.api_key, pos.inst.symbol, pos.idx)] = (account, pos)

    def execution(self, account: Account, execution: Execution) -> None:
        self._events.append((account.api_key, "execution", execution_item(execution, ws=True)))

    def position(self, account: Account, pos: Position) -> None:
        """``pos`` changed, and with it the wallet of ``account``."""
        self._positions[(account.api_key, pos.inst.symbol, pos.idx)] = (account, pos)
        self._wallets[account.api_key] = account

    def wallet(self, account: Account) -> None:
        self._wallets[account.api_key] = account

    def flush(self) -> None:
        """Deliver the events of the finished operation: per key, order, execution, position, wallet."""
        if not self._events and not self._positions and not self._wallets:
            return
        events = self._events
        for account, pos in self._positions.values():
            events.append((account.api_key, "position", self._margin(account).position_item(pos, ws=True)))
        for account in self._wallets.values():
            events.append((account.api_key, "wallet", self._margin(account).wallet_item()))
        self._events = []
        self._positions = {}
        self._wallets = {}
        grouped: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for api_key, topic, item in events:
            grouped.setdefault(api_key, {}).setdefault(topic, []).append(item)
        for api_key, topics in grouped.items():
            for topic in TOPICS:
                items = topics.get(topic)
                if items:
                    self._deliver(api_key, topic, items)

    def _deliver(self, api_key: str, topic: str, items: list[dict[str, Any]]) -> None:
        for listener in list(self.listeners):
            try:
                listener(api_key, topic, items)
            except Exception:
                log.exception("sim engine: listener %r failed on %s", listener, topic)
