"""The account as a feed: open orders, positions, wallet and executions of the API key, kept current.

Bybit's private streams send changes only, no snapshot on subscribe: an
order placed before the notebook started never shows up on them until it
changes. So the account is seeded from REST (open orders, positions,
wallet) and then follows the ``order``/``position``/``wallet`` feeds; for
each order and position the newer of the two (by ``updatedTime``) wins.
After the private connection comes back from a drop, it is seeded again,
because events sent while it was down are lost. Executions come from the
``execution`` feed only (fills from now on).

One :class:`AccountFeed` per stream manager (``streams.account()``), shared
by every consumer that needs it (book markers, ticket progress, positions
table, chart lines); the last consumer to release it closes its feeds. The
REST client is handed in (an object with the methods of
:class:`AccountSource`; ``bw.AsyncClient`` fits): without one, the account
follows the streams only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from ..protocol.errors import ParameterError
from ..protocol.records import Execution, Order, Position, Wallet
from .loop import spawn_on
from .state import PositionMap
from .states import ConnState

__all__ = ["AccountFeed", "AccountSource", "merge_newer"]

log = logging.getLogger("bybit_widgets.stream")

_SEED_CATEGORIES = ("linear", "spot")


class AccountSource(Protocol):
    """What the seed needs of a REST client (``bw.AsyncClient`` fits)."""

    async def get_open_orders(self, *, category: str, **params: Any) -> Sequence[Order]: ...

    async def get_positions(self, *, category: str, **params: Any) -> Sequence[Position]: ...

    async def get_wallet_balance(self, *, account_type: str, **params: Any) -> Wallet | None: ...


def merge_newer(seeded: dict[Any, Any], streamed: dict[Any, Any]) -> dict[Any, Any]:
    """Union of two keyed record maps; on a shared key the record with the later ``updated_time`` wins.

    A tie goes to the streamed record: it is at least as new as what REST returned.
    """
    merged = dict(seeded)
    for key, record in streamed.items():
        old = merged.get(key)
        if old is None or (record.updated_time or 0) >= (old.updated_time or 0):
            merged[key] = record
    return merged


def _newest_hedged(rows: Sequence[Position]) -> bool:
    newest = max(rows, key=lambda p: p.updated_time or 0, default=None)
    return newest is not None and newest.hedged


class AccountFeed:
    """Open orders, positions, wallet and executions of a stream manager's API key (``streams.account()``).

    ``streams`` is the manager (its private feeds and loop), ``rest`` the seed's source or ``None``.
    """

    def __init__(self, streams: Any, rest: AccountSource | None, *, available: bool) -> None:
        self._streams = streams
        self._rest = rest
        self.available = available
        self.reason = "" if self.available else "no API key: connect with api_key= and api_secret= to trade"
        self.error: BaseException | None = None
        self._users = 0
        self._feeds: list[Any] = []
        self._unsubscribers: list[Callable[[], None]] = []
        self._listeners: list[Callable[[], None]] = []
        self._seed_orders: dict[str, Order] = {}
        self._seed_positions: dict[str, Position] = {}
        self._seed_wallet: Wallet | None = None
        self._seeding: asyncio.Future | concurrent.futures.Future | None = None
        self._seeded = False
        self._orders_feed: Any = None
        self._positions_feed: Any = None
        self._wallet_feed: Any = None
        self._executions_feed: Any = None
        self._symbols: set[str] = set()  # linear symbols whose rows are seeded flat or not (their mode)

    # -- users -----------------------------------------------------------------------------------

    def acquire(self, on_change: Callable[[], None], symbols: Iterable[str] = ()) -> Callable[[], None]:
        """Start following the account (first user opens the feeds); returns the release function.

        ``symbols`` are linear symbols the user trades: their rows are seeded
        even when flat, so a hedged symbol is known as hedged before its first
        order (one REST read per symbol, at seeding only).
        """
        self._listeners.append(on_change)
        self._users += 1
        new = set(symbols) - self._symbols
        self._symbols |= new
        if new and self._feeds and self._seeded and self._seeding is None:
            self._seed()
        if self.available and not self._feeds:
            streams = self._streams
            self._orders_feed = streams.orders()
            self._positions_feed = streams.positions()
            self._wallet_feed = streams.wallet()
            self._executions_feed = streams.executions()
            self._feeds = [self._orders_feed, self._positions_feed, self._wallet_feed, self._executions_feed]
            for feed in self._feeds:
                self._unsubscribers.append(feed.on(lambda _f: self._changed()))
                self._unsubscribers.append(feed.on_state(self._state_changed))
            self._seed()
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self._release(on_change)

        return release

    def _release(self, on_change: Callable[[], None]) -> None:
        try:
            self._listeners.remove(on_change)
        except ValueError:
            pass
        self._users -= 1
        if self._users <= 0:
            self._users = 0
            for unsubscribe in self._unsubscribers:
                unsubscribe()
            self._unsubscribers.clear()
            for feed in self._feeds:
                feed.close()
            self._feeds.clear()
            self._orders_feed = self._positions_feed = self._wallet_feed = self._executions_feed = None
            if self._seeding is not None:
                self._seeding.cancel()
                self._seeding = None
            self._seeded = False

    @property
    def feeds(self) -> list[Any]:
        """The private feeds (for connection badges)."""
        return list(self._feeds)

    # -- reading ---------------------------------------------------------------------------------

    def orders(self) -> dict[str, Order]:
        """Every known order by orderId (open and recently closed)."""
        streamed = self._orders_feed.latest if self._orders_feed is not None else None
        return merge_newer(self._seed_orders, streamed or {})

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders (New, PartiallyFilled, Untriggered), oldest first; of one symbol if given."""
        found = [o for o in self.orders().values() if o.is_open and (symbol is None or o.symbol == symbol)]
        found.sort(key=lambda o: o.created_time or 0)
        return found

    def order_by_link_id(self, order_link_id: str) -> Order | None:
        """The newest known order with this orderLinkId, or ``None``."""
        best: Order | None = None
        for order in self.orders().values():
            newer = best is None or (order.updated_time or 0) >= (best.updated_time or 0)
            if order.order_link_id == order_link_id and newer:
                best = order
        return best

    def positions(self) -> PositionMap:
        """Positions by :attr:`Position.key` (the symbol; ``symbol/long`` and ``symbol/short`` when hedged).

        Flat ones are included: a just-closed position shows size 0. A bare
        symbol finds a hedged symbol's row while only one side is open.
        """
        streamed = self._positions_feed.latest if self._positions_feed is not None else None
        return PositionMap(merge_newer(self._seed_positions, streamed or {}))

    def positions_of(self, symbol: str) -> list[Position]:
        """The rows of ``symbol`` in its current mode: the one-way row, or the long and short rows."""
        rows = [p for p in self.positions().values() if p.symbol == symbol]
        hedged = _newest_hedged(rows)  # rows of the other mode are leftovers of a switch
        return sorted((p for p in rows if p.hedged == hedged), key=lambda p: p.position_idx or 0)

    def is_hedged(self, symbol: str) -> bool:
        """Whether ``symbol`` is in hedge mode, as its newest row says (``positionIdx`` 1 / 2)."""
        return _newest_hedged([p for p in self.positions().values() if p.symbol == symbol])

    def open_positions(self) -> list[Position]:
        rows = (p for p in self.positions().values() if not p.is_flat)
        return sorted(rows, key=lambda p: (p.symbol or "", p.position_idx or 0))

    def wallet(self) -> Wallet | None:
        streamed = self._wallet_feed.latest if self._wallet_feed is not None else None
        return streamed if streamed is not None else self._seed_wallet

    def executions(self) -> list[Execution]:
        """Executions (fills) seen on the stream since the account was first followed, oldest first."""
        streamed = self._executions_feed.latest if self._executions_feed is not None else None
        return list(streamed or [])

    @property
    def seeded(self) -> bool:
        return self._seeded

    # -- seeding ---------------------------------------------------------------------------------

    def _state_changed(self, state: str, reason: str) -> None:
        if state == ConnState.RECONNECTING:
            self._seeded = False  # events sent while we are away are lost: reseed once back
        elif state == ConnState.LIVE and not self._seeded and self._seeding is None and self._feeds:
            self._seed()
        self._changed()

    def _seed(self) -> None:
        if self._rest is None:  # stream-only: say so, once, where the widgets show account errors
            if self.error is None:
                self.error = ParameterError(
                    "orders, positions and wallet from before the stream opened are not shown: this stream "
                    "manager has no REST source (pass rest=bw.AsyncClient(...); bw.connect() does)",
                    param="rest",
                )
            return
        self._seeding = spawn_on(self._streams.loop, self._fetch())
        self._seeding.add_done_callback(self._seeded_done)

    async def _fetch(self) -> None:
        client = self._rest
        assert client is not None
        orders: dict[str, Order] = {}
        for category in _SEED_CATEGORIES:
            page = await client.get_open_orders(
                category=category, **({"settle_coin": "USDT"} if category == "linear" else {})
            )
            for order in page:
                if order.category is None:
                    order = Order.from_wire({**order.raw, "category": category})
                orders[order.order_id or ""] = order
        positions = {}
        for position in await client.get_positions(category="linear", settle_coin="USDT"):
            if position.category is None:
                position = Position.from_wire({**position.raw, "category": "linear"})
            positions[position.key] = position
        for symbol in sorted(self._symbols):
            for position in await client.get_positions(category="linear", symbol=symbol):
                positions[position.key] = Position.from_wire({**position.raw, "category": "linear"})
        wallet = await client.get_wallet_balance(account_type="UNIFIED")
        self._seed_orders, self._seed_positions, self._seed_wallet = orders, positions, wallet
        self._seeded = True

    def _seeded_done(self, task: asyncio.Future | concurrent.futures.Future) -> None:
        self._seeding = None
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.error = error
            log.warning("could not load the account's open orders and positions: %s", error)
        else:
            self.error = None
        self._changed()

    def _changed(self) -> None:
        for listener in tuple(self._listeners):
            try:
                listener()
            except Exception:  # a widget's bug must not stop the others' updates
                log.exception("account listener failed")
