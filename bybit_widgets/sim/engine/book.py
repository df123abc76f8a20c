"""A price-level order book in integer ticks and lots, with user orders queued inside levels.

Each level holds a total size; most levels are only generated ("crowd")
liquidity and are a single integer. A level where user orders rest also
keeps a FIFO queue mixing crowd chunks (ints) and orders, which is what
gives price-time priority: a user order joins behind the liquidity already
there, generated adds queue behind it, and takers consume from the front.
Generated cancels take crowd lots from the back of the queue, never a user's.

Sorted access is a ``SortedList`` of ranks (``-price`` for bids, ``price`` for
asks), so the best price is ``ranks[0]`` on both sides and top-N is a slice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sortedcontainers import SortedList

__all__ = ["Book", "BookSide", "Resting"]


class Resting(Protocol):
    """What the book needs from a resting user order."""

    price: int
    leaves: int


# fill callback: (maker order or None for crowd liquidity, price ticks, lots)
FillFn = Callable[[Any, int, int], None]


class BookSide:
    """One side of the book (see the module docstring)."""

    __slots__ = ("is_bid", "sizes", "ranks", "queues")

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.sizes: dict[int, int] = {}
        self.ranks: SortedList = SortedList()
        self.queues: dict[int, list[Any]] = {}

    def __len__(self) -> int:
        return len(self.sizes)

    def best(self) -> int | None:
        if not self.sizes:
            return None
        rank = self.ranks[0]
        return -rank if self.is_bid else rank

    def worst(self) -> int | None:
        if not self.sizes:
            return None
        rank = self.ranks[-1]
        return -rank if self.is_bid else rank

    def top(self, depth: int) -> list[tuple[int, int]]:
        """The best ``depth`` levels as ``(price, lots)``, best first."""
        sizes = self.sizes
        if self.is_bid:
            return [(-r, sizes[-r]) for r in self.ranks.islice(0, depth)]
        return [(r, sizes[r]) for r in self.ranks.islice(0, depth)]

    def prices(self, depth: int) -> list[int]:
        if self.is_bid:
            return [-r for r in self.ranks.islice(0, depth)]
        return list(self.ranks.islice(0, depth))

    def crowd_lots(self, price: int) -> int:
        queue = self.queues.get(price)
        if queue is None:
            return self.sizes.get(price, 0)
        return sum(item for item in queue if type(item) is int)

    def has_users(self, price: int) -> bool:
        return price in self.queues

    # -- generated liquidity ------------------------------------------------------------------------
    def add_crowd(self, price: int, lots: int) -> None:
        if lots <= 0:
            return
        sizes = self.sizes
        if price in sizes:
            sizes[price] += lots
            queue = self.queues.get(price)
            if queue is not None:
                if type(queue[-1]) is int:
                    queue[-1] += lots
                else:
                    queue.append(lots)
        else:
            sizes[price] = lots
            self.ranks.add(-price if self.is_bid else price)

    def cancel_crowd(self, price: int, lots: int) -> int:
        """Withdraw up to ``lots`` of generated liquidity at ``price`` (newest first); returns lots removed."""
        size = self.sizes.get(price)
        if size is None or lots <= 0:
            return 0
        queue = self.queues.get(price)
        if queue is None:
            removed = min(lots, size)
        else:
            removed = 0
            for i in range(len(queue) - 1, -1, -1):
                item = queue[i]
                if type(item) is int:
                    take = min(item, lots - removed)
                    queue[i] = item - take
                    removed += take
                    if removed == lots:
                        break
            queue[:] = [item for item in queue if not (type(item) is int and item == 0)]
        self._shrink(price, size, removed)
        return removed

    # -- user orders --------------------------------------------------------------------------------
    def add_order(self, order: Resting) -> None:
        """Queue ``order`` at the back of its level."""
        price = order.price
        size = self.sizes.get(price)
        queue = self.queues.get(price)
        if queue is None:
            queue = self.queues[price] = [size] if size else []
        queue.append(order)
        if size is None:
            self.sizes[price] = order.leaves
            self.ranks.add(-price if self.is_bid else price)
        else:
            self.sizes[price] = size + order.leaves

    def remove_order(self, order: Resting) -> None:
        """Take ``order`` (with its current ``leaves``) out of the book."""
        price = order.price
        queue = self.queues[price]
        for i, item in enumerate(queue):
            if item is order:
                del queue[i]
                break
        else:
            raise KeyError("order is not in the book")
        self._merge_crowd(price, queue)
        self._shrink(price, self.sizes[price], order.leaves)

    def shrink_order(self, order: Resting, new_leaves: int) -> None:
        """Lower an order's leaves in place (it keeps its queue position)."""
        self.sizes[order.price] -= order.leaves - new_leaves
        order.leaves = new_leaves

    def _merge_crowd(self, price: int, queue: list[Any]) -> None:
        if not any(type(item) is not int for item in queue):
            del self.queues[price]
            return
        merged: list[Any] = []
        for item in queue:
            if type(item) is int and merged and type(merged[-1]) is int:
                merged[-1] += item
            elif not (type(item) is int and item == 0):
                merged.append(item)
        queue[:] = merged

    def _shrink(self, price: int, size: int, removed: int) -> None:
        left = size - removed
        if left > 0:
            self.sizes[price] = left
        else:
            del self.sizes[price]
            self.queues.pop(price, None)
            self.ranks.remove(-price if self.is_bid else price)

    # -- taking -------------------------------------------------------------------------------------
    def take_level(self, price: int, lots: int, on_fill: FillFn) -> int:
        """Consume up to ``lots`` at ``price`` in queue order; ``on_fill`` per maker; returns lots taken.

        ``on_fill(order, price, lots)`` is called for user makers *after* their
        leaves are reduced (an order at zero has left the book) and with
        ``None`` for one aggregated fill of crowd liquidity per run.
        """
        size = self.sizes[price]
        queue = self.queues.get(price)
        if queue is None:
            taken = min(lots, size)
            self._shrink(price, size, taken)
            on_fill(None, price, taken)
            return taken
        taken = 0
        fills: list[tuple[Any, int]] = []
        i = 0
        while i < len(queue) and taken < lots:
            item = queue[i]
            want = lots - taken
            if type(item) is int:
                take = min(item, want)
                queue[i] = item - take
                if fills and fills[-1][0] is None:
                    fills[-1] = (None, fills[-1][1] + take)
                else:
                    fills.append((None, take))
            else:
                take = min(item.leaves, want)
                item.leaves -= take
                fills.append((item, take))
            taken += take
            if taken < lots:
                i += 1
        queue[:] = [item for item in queue if (item.leaves if type(item) is not int else item) > 0]
        if queue and any(type(item) is not int for item in queue):
            self._merge_crowd(price, queue)
        else:
            self.queues.pop(price, None)
        self._shrink(price, size, taken)
        for order, take in fills:
            if take:
                on_fill(order, price, take)
        return taken

    def available(self, limit: int | None, lots_cap: int, skip: Callable[[Any], bool] | None = None) -> int:
        """Lots a taker could fill up to ``limit`` (inclusive), stopping once ``lots_cap`` is reached."""
        total = 0
        for rank in self.ranks:
            price = -rank if self.is_bid else rank
            if limit is not None and (price < limit if self.is_bid else price > limit):
                break
            if skip is not None and price in self.queues:
                total += sum(
                    item if type(item) is int else (0 if skip(item) else item.leaves) for item in self.queues[price]
                )
            else:
                total += self.sizes[price]
            if total >= lots_cap:
                break
        return total


class Book:
    """Both sides of one symbol's book."""

    __slots__ = ("bids", "asks")

    def __init__(self) -> None:
        self.bids = BookSide(True)
        self.asks = BookSide(False)

    def side(self, is_bid: bool) -> BookSide:
        return self.bids if is_bid else self.asks

    def crossed(self) -> bool:
        bid, ask = self.bids.best(), self.asks.best()
        return bid is not None and ask is not None and bid >= ask
