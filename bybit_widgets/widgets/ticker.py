"""``bw.Ticker``: last price with up/down flash, 24 h change, range, volume, mark/index/funding, sparkline."""

from __future__ import annotations

import time
from array import array
from collections import deque
from decimal import Decimal
from typing import Any

import traitlets

from .base import STATIC, SymbolWidget

__all__ = ["Ticker", "quote_of"]

SPARK_POINTS = 180  # three minutes at one point per second
SPARK_EVERY_S = 1.0


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def quote_of(ticker: Any) -> dict[str, Any]:
    """The compact quote a view renders: numbers for logic, exact strings for display.

    ``change_pct`` is in percent (Bybit sends a fraction: 0.0123 = +1.23 %).
    """
    pct = ticker.price_24h_pcnt
    return {
        "last": _text(ticker.last_price),
        "last_num": _num(ticker.last_price),
        "change_pct": None if pct is None else float(pct * 100),
        "high": _text(ticker.high_price_24h),
        "low": _text(ticker.low_price_24h),
        "volume": _num(ticker.volume_24h),
        "turnover": _num(ticker.turnover_24h),
        "mark": _text(ticker.mark_price),
        "index": _text(ticker.index_price),
        "funding_pct": None if ticker.funding_rate is None else float(ticker.funding_rate * 100),
        "next_funding": ticker.next_funding_time,
        "bid": _text(ticker.bid1_price),
        "ask": _text(ticker.ask1_price),
    }


class Ticker(SymbolWidget):
    """A live quote for one symbol.

    ``bw.Ticker("BTCUSDT")``; ``category="spot"`` for spot (no mark, index or
    funding there). The price flashes green or red as it ticks up or down;
    the sparkline shows the last three minutes, one point a second.
    """

    _esm = STATIC / "ticker.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("ticker").tag(sync=True)

    quote = traitlets.Dict().tag(sync=True)
    direction = traitlets.Int(0).tag(sync=True)  # +1 last tick up, -1 down, 0 unchanged
    spark = traitlets.Bytes(b"").tag(sync=True)  # float64 prices, oldest first

    def __init__(
        self, symbol: str, *, category: str = "linear", session: Any = None, max_hz: float | None = None
    ) -> None:
        self._spark: deque[float] = deque(maxlen=SPARK_POINTS)
        self._spark_at = 0.0
        self._last: Decimal | None = None
        super().__init__(symbol, category=category, session=session, max_hz=max_hz)

    def _open_feeds(self) -> list[Any]:
        self._feed = self._attach(self.streams.ticker(self.symbol, category=self.category))
        return [self._feed]

    def _reset_view(self) -> None:
        self._spark.clear()
        self._spark_at = 0.0
        self._last = None
        self.quote, self.direction, self.spark = {}, 0, b""

    def _render(self) -> None:
        ticker = self._feed.latest
        if ticker is None or ticker.last_price is None:
            return
        last = ticker.last_price
        if self._last is not None and last != self._last:
            self.direction = 1 if last > self._last else -1
        self._last = last
        self.quote = quote_of(ticker)
        now = time.monotonic()
        if now - self._spark_at >= SPARK_EVERY_S:
            self._spark_at = now
            self._spark.append(float(last))
            self.spark = array("d", self._spark).tobytes()
        elif self._spark:  # keep the newest point current between samples, without resending the history
            self._spark[-1] = float(last)
