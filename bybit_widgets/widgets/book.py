"""``bw.OrderBook``: the depth ladder with size bars, spread, grouping and your own orders marked."""

from __future__ import annotations

from typing import Any

import traitlets

from .base import STATIC, SymbolWidget
from .levels import feed_depth_for, group_levels, group_price, pack_book

__all__ = ["MAX_ROWS", "OrderBook"]

MAX_ROWS = 200


class OrderBook(SymbolWidget):
    """A live ladder of ``depth`` levels a side (default 25).

    ``grouping`` merges levels into buckets of that many ticks (1 = none);
    ``cumulative`` sizes the bars by cumulative depth instead of level size;
    ``height`` (px) makes the ladder scroll, centred on the spread.
    Levels that changed since the last frame flash; the account's open orders
    are marked at their prices. When the book is resyncing or stale the
    ladder keeps the last good book, dimmed, and says so.
    """

    _esm = STATIC / "book.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("book").tag(sync=True)

    depth = traitlets.Int(25).tag(sync=True)
    grouping = traitlets.Int(1).tag(sync=True)
    cumulative = traitlets.Bool(False).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)  # ladder height in px; 0: as tall as its rows
    tick_size = traitlets.Float(0.0).tag(sync=True)
    levels = traitlets.Bytes(b"").tag(sync=True)  # see levels.pack_book
    own = traitlets.List().tag(sync=True)  # [[price, side, qty, count], ...] by displayed bucket

    def __init__(
        self,
        symbol: str,
        depth: int = 25,
        *,
        grouping: int = 1,
        cumulative: bool = False,
        height: int = 0,
        category: str = "linear",
        session: Any = None,
        max_hz: float | None = None,
    ) -> None:
        _check_rows(depth, "depth")
        _check_rows(grouping, "grouping")
        self._feed_depth = 0
        super().__init__(
            symbol,
            category=category,
            session=session,
            max_hz=max_hz,
            depth=depth,
            grouping=grouping,
            cumulative=cumulative,
            height=height,
        )
        self.observe(self._shape_changed, names=["depth", "grouping"])

    def _open_feeds(self) -> list[Any]:
        self._use_account()
        self._feed_depth = feed_depth_for(self.depth, self.grouping, self.category)
        self._book = self._attach(self.streams.order_book(self.symbol, depth=self._feed_depth, category=self.category))
        return [self._book]

    @traitlets.validate("depth", "grouping")
    def _valid_rows(self, proposal: dict) -> int:
        _check_rows(proposal["value"], proposal["trait"].name)
        return proposal["value"]

    def _shape_changed(self, _change: dict) -> None:
        if feed_depth_for(self.depth, self.grouping, self.category) != self._feed_depth:
            self._rebind()  # a deeper (or shallower) book is needed for these rows
        else:
            self._request_frame()

    def _rules_loaded(self) -> None:
        self.tick_size = float(self.rules.tick_size)

    def _reset_view(self) -> None:
        self.levels, self.own = b"", []

    def _render(self) -> None:
        view = self._book.latest
        if view is None:
            return
        rows = self.depth
        if self.grouping > 1 and self.tick_size > 0:
            step = self.tick_size * self.grouping
            bids = group_levels(view.bids, step, "bid", rows)
            asks = group_levels(view.asks, step, "ask", rows)
        else:
            step = 0.0
            bids, asks = view.bids[:rows], view.asks[:rows]
        self.levels = pack_book(bids, asks, view.u, view.ts)
        self.own = self._own_orders(step)

    def _own_orders(self, step: float) -> list[list[Any]]:
        buckets: dict[tuple[float, str], list[Any]] = {}
        for order in self._use_account().open_orders(self.symbol):
            if order.price is None or not order.price or order.category not in (None, self.category):
                continue
            side = "bid" if order.side == "Buy" else "ask"
            price = float(order.price)
            if step:
                price = group_price(price, step, side)
            qty = float(order.leaves_qty if order.leaves_qty is not None else order.qty or 0)
            entry = buckets.setdefault((price, side), [price, side, 0.0, 0])
            entry[2] += qty
            entry[3] += 1
        return sorted(buckets.values(), key=lambda e: -e[0])


def _check_rows(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROWS:
        raise ValueError(f"{name} must be an integer from 1 to {MAX_ROWS}, got {value!r}")
