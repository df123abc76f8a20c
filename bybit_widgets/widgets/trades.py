"""``bw.Trades``: the time-and-sales tape."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

import traitlets

from .base import STATIC, SymbolWidget, plain_error

__all__ = ["Trades", "pack_trades"]


def pack_trades(trades: Sequence[Any], rows: int) -> bytes:
    """The newest ``rows`` trades, newest first, as float64 ``[time, price, size, side]`` per trade.

    ``side`` is +1 for a taker buy and -1 for a taker sell. Packed because the
    tape changes many times a second: 30 trades are 960 bytes, no parsing.
    """
    values = array("d")
    for trade in reversed(trades[-rows:]):
        values.extend(
            (
                float(trade.time or 0),
                float(trade.price or 0),
                float(trade.size or 0),
                1.0 if trade.side == "Buy" else -1.0,
            )
        )
    return values.tobytes()


class Trades(SymbolWidget):
    """The last ``rows`` public trades of a symbol, newest on top, green for buys and red for sells."""

    _esm = STATIC / "trades.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("trades").tag(sync=True)

    rows = traitlets.Int(30).tag(sync=True)
    trades = traitlets.Bytes(b"").tag(sync=True)  # see pack_trades

    default_max_hz = 15.0

    def __init__(
        self, symbol: str, *, rows: int = 30, category: str = "linear", session: Any = None, max_hz: float | None = None
    ) -> None:
        if isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= 500:
            raise ValueError(f"rows must be an integer from 1 to 500, got {rows!r}")
        super().__init__(symbol, category=category, session=session, max_hz=max_hz, rows=rows)

    def _open_feeds(self) -> list[Any]:
        """The tape's feed, its history filled over REST by the feed itself (``backfill=``)."""
        self._feed = self._attach(
            self.streams.trades(self.symbol, category=self.category, maxlen=max(self.rows, 50), backfill=self.rows)
        )
        return [self._feed]

    def _reset_view(self) -> None:
        self.trades = b""

    def _render(self) -> None:
        trades = self._feed.latest
        if trades:
            self.trades = pack_trades(trades, self.rows)
        if self._feed.backfill_error is not None:
            self.error = f"loading recent trades failed: {plain_error(self._feed.backfill_error)}"
