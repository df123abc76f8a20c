"""The order loop of the soak: every create intended under its own orderLinkId, and accounted for."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import bybit_widgets as bw
from bybit_widgets.protocol.errors import BybitError, OrderNotFoundError, TransportError
from bybit_widgets.stream import Feed

from .feeds import SYMBOL

__all__ = ["QTY", "Intent", "OrderFlow"]

QTY = "0.001"


@dataclass
class Intent:
    """One order the loop meant to place, and what became of it."""

    link_id: str
    kind: str  # "market" | "limit"
    outcome: str = "pending"  # acked | refused | uncertain
    error: str = ""
    seen: int | None = None  # how many orders with this orderLinkId the exchange holds (None: not checked yet)


class OrderFlow:
    """Places, cancels and reads orders until told to stop; accounts for every intended create."""

    def __init__(self, client: bw.AsyncClient, book: Feed, rng: random.Random, tag: str) -> None:
        self.client = client
        self.book = book
        self.rng = rng
        self.tag = tag
        self.unverified: dict[str, Intent] = {}  # intents not yet counted on the exchange
        self.tally: Counter[str] = Counter()  # intended / acked / refused / uncertain / placed / duplicated / lost
        self.anomalies: list[Intent] = []  # intents the exchange does not hold exactly once
        self.resting: list[Intent] = []  # limit orders still to cancel
        self.acked = 0  # creates that returned an acknowledgement
        self.calls: Counter[str] = Counter()  # "op: outcome" -> count
        self.net = Decimal(0)  # position the loop's acked market orders add up to
        self._next = 0

    def _link(self, kind: str) -> str:
        self._next += 1
        return f"{self.tag}-{kind[0]}{self._next:06d}"

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            op = self.rng.choices(("market", "limit", "read"), weights=(3, 4, 1))[0]
            if op == "read":
                await self._read()
            else:
                await self.place(op)
            await self._cancel_resting(keep=1)
            await asyncio.sleep(self.rng.uniform(0.05, 0.25))  # pacing, like a person or a strategy

    async def place(self, kind: str) -> Intent:
        intent = Intent(self._link(kind), kind)
        self.unverified[intent.link_id] = intent
        self.tally["intended"] += 1
        params: dict[str, Any] = dict(category="linear", symbol=SYMBOL, qty=QTY, order_link_id=intent.link_id)
        view = self.book.latest
        if kind == "market":
            side = "Sell" if self.net > 0 else "Buy"
            params.update(side=side, order_type="Market")
        else:
            side = self.rng.choice(("Buy", "Sell"))
            price = view.best_bid * 0.95 if side == "Buy" else view.best_ask * 1.05
            params.update(
                side=side, order_type="Limit", price=f"{price:.1f}", time_in_force=self.rng.choice(("GTC", "PostOnly"))
            )
        try:
            await self.client.place_order(**params)
        except TransportError as exc:  # no definite answer even after the lookups
            intent.outcome, intent.error = "uncertain", exc.ret_msg
        except BybitError as exc:
            intent.outcome, intent.error = "refused", f"{type(exc).__name__} {exc.ret_code}: {exc.ret_msg}"
        else:
            intent.outcome = "acked"
            self.acked += 1
            if kind == "market":
                self.net += Decimal(QTY) if side == "Buy" else -Decimal(QTY)
        self.calls[f"create {kind}: {intent.outcome}"] += 1
        self.tally[intent.outcome] += 1
        if kind == "limit" and intent.outcome != "refused":
            self.resting.append(intent)
        return intent

    async def _cancel_resting(self, keep: int) -> None:
        while len(self.resting) > keep:
            intent = self.resting[0]
            try:
                await self.client.cancel_order(category="linear", symbol=SYMBOL, order_link_id=intent.link_id)
            except OrderNotFoundError:  # never created (an uncertain create that did not happen)
                self.calls["cancel: not found"] += 1
            except BybitError as exc:  # 5xx or no answer: the order may still rest; try again next turn
                self.calls[f"cancel: {type(exc).__name__}"] += 1
                return
            else:
                self.calls["cancel: ok"] += 1
            self.resting.pop(0)

    async def _read(self) -> None:
        try:
            await self.client.get_open_orders(category="linear", symbol=SYMBOL)
        except BybitError as exc:  # reads are retried inside the client; this is after the last retry
            self.calls[f"read: {type(exc).__name__}"] += 1
        else:
            self.calls["read: ok"] += 1

    def issued(self, link_id: str) -> bool:
        """Whether this loop ever made up ``link_id`` (the account is fresh: anything else is a stray)."""
        head, _, number = link_id.rpartition("-")
        return head == self.tag and number[1:].isdigit() and int(number[1:]) <= self._next

    def decided(self) -> list[str]:
        """The intents answered so far: the exchange must hold these in any truth read from now on."""
        return [link_id for link_id, intent in self.unverified.items() if intent.outcome != "pending"]

    def verify(self, links: Counter[str], decided: list[str]) -> None:
        """Count the ``decided`` intents among the exchange's orders (``links``: orderLinkId -> orders).

        Only intents answered *before* the truth was requested are judged: a create acknowledged
        while the truth read was in flight may be missing from it without being lost.
        """
        for link_id in decided:
            intent = self.unverified.get(link_id)
            if intent is None:
                continue
            intent.seen = links.get(link_id, 0)
            del self.unverified[link_id]
            if intent.seen == 1:
                self.tally["placed"] += 1
                continue
            self.tally["duplicated" if intent.seen > 1 else "lost" if intent.outcome == "acked" else "absent"] += 1
            self.anomalies.append(intent)

    async def finish(self) -> None:
        """Cancel what still rests (faults are over: every cancel must get through)."""
        await self._cancel_resting(keep=0)
