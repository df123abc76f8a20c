"""``bw.Heatmap``: resting liquidity by price over time, trades as bubbles, your orders and fills marked.

The kernel keeps the window's columns of the book (see :mod:`.heatcols` for
what a column is and the frame's layout) and sends the browser only what is
new since the frame it last acknowledged; the browser keeps its own ring of
columns, colours each new column once into an offscreen image at data
resolution (1 pixel per column and row) and composes the visible canvas from
it each frame (two scaled copies, then bubbles, lines and axis labels), so a
frame never redraws the 144 000 cells of a 180 s window.

Decisions, and their measured cost (benchmarks/results/widgets.md, 2 cores,
headless Chromium, 200 levels a side, 360 columns):

- 5 frames per second by default (``max_hz``): the columns come every 500 ms,
  the bubbles grow in between; every comm message costs the page a fixed
  share in JupyterLab whatever it carries, so a faster rate would buy
  smoothness nobody can see for main-thread time;
- the colour scale is the square root of the size, clipped at the 99th
  percentile of the window's non-empty cells (kept in a histogram in the
  browser, so one huge level does not wash out the rest); when the clip moves
  by more than a quarter the image is recoloured once;
- no DOM node is made per frame (one canvas; numbers for tests on the root's
  data attributes).
"""

from __future__ import annotations

from typing import Any

import traitlets

from .base import STATIC, SymbolWidget
from .heatcols import HeatRing, check_levels, check_seconds, own_marks
from .levels import feed_depth_for

__all__ = ["Heatmap"]

TRADES_KEPT = 2000  # trades the tape feed keeps: far more than arrive between two book updates


class Heatmap(SymbolWidget):
    """Resting size by price over the last ``seconds`` (10 to 3600, default 180), ``levels`` rows a side.

    Rows are ticks around the mid (200 a side by default, 1 to 500); columns scroll left as
    time passes. Trades are bubbles per column and taker side (VWAP price, area by quantity;
    green buys, red sells), your open orders horizontal marks at their prices, your fills
    diamonds. Colours follow the size's square root, clipped at a high percentile.
    """

    _esm = STATIC / "heatmap.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("heatmap").tag(sync=True)

    levels = traitlets.Int(200).tag(sync=True)
    seconds = traitlets.Int(180).tag(sync=True)
    tick_size = traitlets.Float(0.0).tag(sync=True)
    heat = traitlets.Bytes(b"").tag(sync=True)  # see heatcols (frame layout)

    default_max_hz = 5.0

    def __init__(
        self,
        symbol: str,
        levels: int = 200,
        *,
        seconds: int = 180,
        category: str = "linear",
        session: Any = None,
        max_hz: float | None = None,
    ) -> None:
        self._ring = HeatRing(check_levels(levels), check_seconds(seconds))
        self._want_whole = True
        super().__init__(symbol, category=category, session=session, max_hz=max_hz, levels=levels, seconds=seconds)
        self.observe(self._shape_changed, names=["levels", "seconds"])

    @traitlets.validate("levels")
    def _valid_levels(self, proposal: dict) -> int:
        return check_levels(proposal["value"])

    @traitlets.validate("seconds")
    def _valid_seconds(self, proposal: dict) -> int:
        return check_seconds(proposal["value"])

    def _shape_changed(self, _change: dict) -> None:
        self._ring = HeatRing(self.levels, self.seconds, self.tick_size)
        self._rebind()

    def _open_feeds(self) -> list[Any]:
        self._use_account()
        depth = feed_depth_for(self.levels, 1, self.category)
        self._book = self._attach(self.streams.order_book(self.symbol, depth=depth, category=self.category))
        self._trades = self._attach(self.streams.trades(self.symbol, category=self.category, maxlen=TRADES_KEPT))
        return [self._book, self._trades]

    def _feed_updated(self, feed: Any) -> None:
        # columns and bubbles are taken as the feeds change, not when a frame goes: a frame held
        # back by flow control must not cost the picture a column
        if feed is self._book:
            view = feed.latest
            if view is not None:
                self._ring.sample(view)
        elif feed is self._trades:
            self._ring.add_trades(feed.latest or ())
        super()._feed_updated(feed)

    def _rules_loaded(self) -> None:
        self.tick_size = float(self.rules.tick_size)
        self._ring.set_step(self.tick_size)
        self._want_whole = True

    def _reset_view(self) -> None:
        self._ring.reset(self.tick_size if self.rules is not None else 0.0)
        self._want_whole = True
        self.heat = b""

    def _render(self) -> None:
        account = self._use_account()
        self._ring.add_fills(account.executions(), self.symbol, self.category)
        own = own_marks(account.open_orders(self.symbol), self.category)
        whole, self._want_whole = self._want_whole, False
        acked = self.flow.acked if self.flow.views else None
        data = self._ring.frame(self.flow.seq + 1, acked, own, whole=whole)  # (this frame's stamp will be seq + 1)
        if data is not None:
            self.heat = data

    def _msg_hello(self, content: dict) -> None:
        self._want_whole = True  # a new (or reloaded) view has nothing yet
        super()._msg_hello(content)

    @property
    def rebuilds(self) -> int:
        """Whole frames built so far (the first, hellos, rebuilds asked for by views that missed frames)."""
        return self._ring.wholes

    def _msg_rebuild(self, _content: dict) -> None:
        """A view missed frames (its newest is older than a frame's base): send it the whole ring."""
        self._want_whole = True
        self._request_frame()
