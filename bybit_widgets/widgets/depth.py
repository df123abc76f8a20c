"""``bw.DepthChart``: cumulative bid and ask depth around the mid, your open orders marked at their prices.

The book travels in the order book's packed form (:func:`.levels.pack_book`:
``depth`` levels a side as float64, 6.4 KB per frame at 200 a side, no
parsing in the browser); the view accumulates the sizes and draws two filled
step areas on one ``<canvas>`` (bids green, left of the mid; asks red, right),
the mid line, your orders as ticks in their side's colour, price and
cumulative-size axes, and a readout under the pointer.

Decisions, and their measured cost (benchmarks/results/widgets.md, 2 cores,
headless Chromium): 10 frames per second by default, the rate the depth-200
book is pushed at (every 100 ms); the whole chart is redrawn each frame (two
paths of 200 steps, a dozen labels: about a millisecond), which is cheaper
than any bookkeeping of what moved; no DOM node is made per frame. The
x range is symmetric around the mid and the y range only shrinks once the
depth fell below 70 % of it, so the axes do not jitter with every update.
"""

from __future__ import annotations

from typing import Any

import traitlets

from .base import STATIC, SymbolWidget
from .heatcols import own_marks
from .levels import feed_depth_for, pack_book

__all__ = ["MAX_DEPTH", "DepthChart"]

MAX_DEPTH = 1000  # Bybit's deepest book


class DepthChart(SymbolWidget):
    """Cumulative depth of ``depth`` levels a side (1 to 1000, default 200) from the sequence-checked book."""

    _esm = STATIC / "depth.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("depth").tag(sync=True)

    depth = traitlets.Int(200).tag(sync=True)
    tick_size = traitlets.Float(0.0).tag(sync=True)
    book = traitlets.Bytes(b"").tag(sync=True)  # see levels.pack_book
    own = traitlets.List().tag(sync=True)  # [[price, side (+1 buy, -1 sell), quantity left, orders], ...]

    default_max_hz = 10.0

    def __init__(
        self,
        symbol: str,
        depth: int = 200,
        *,
        category: str = "linear",
        session: Any = None,
        max_hz: float | None = None,
    ) -> None:
        _check_depth(depth)
        self._feed_depth = 0
        super().__init__(symbol, category=category, session=session, max_hz=max_hz, depth=depth)
        self.observe(self._depth_moved, names=["depth"])

    @traitlets.validate("depth")
    def _valid_depth(self, proposal: dict) -> int:
        _check_depth(proposal["value"])
        return proposal["value"]

    def _depth_moved(self, _change: dict) -> None:
        if feed_depth_for(self.depth, 1, self.category) != self._feed_depth:
            self._rebind()
        else:
            self._request_frame()

    def _open_feeds(self) -> list[Any]:
        self._use_account()
        self._feed_depth = feed_depth_for(self.depth, 1, self.category)
        self._book = self._attach(self.streams.order_book(self.symbol, depth=self._feed_depth, category=self.category))
        return [self._book]

    def _rules_loaded(self) -> None:
        self.tick_size = float(self.rules.tick_size)

    def _reset_view(self) -> None:
        self.book, self.own = b"", []

    def _render(self) -> None:
        view = self._book.latest
        if view is not None:
            self.book = pack_book(view.bids[: self.depth], view.asks[: self.depth], view.u, view.ts)
        self.own = own_marks(self._use_account().open_orders(self.symbol), self.category)


def _check_depth(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DEPTH:
        raise ValueError(f"depth must be an integer from 1 to {MAX_DEPTH}, got {value!r}")
