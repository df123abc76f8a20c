"""``bw.Watchlist``: a ticker tape of many symbols; clicking one selects it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import traitlets

from .base import STATIC, LiveWidget

__all__ = ["Watchlist"]


class Watchlist(LiveWidget):
    """Last price and 24 h change of many symbols at once, coloured by direction.

    Each symbol's ticker subscription is shared with every other widget on
    that symbol. Clicking a symbol sets ``selected``; a :class:`Dashboard`
    points its other widgets at it, and ``on_select(callback)`` lets your own
    code follow it.
    """

    _esm = STATIC / "watchlist.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("watchlist").tag(sync=True)

    symbols = traitlets.List(traitlets.Unicode()).tag(sync=True)
    category = traitlets.Unicode("linear").tag(sync=True)
    rows = traitlets.List().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)

    default_max_hz = 10.0  # a tape readable by eye; tickers push every 100 ms anyway

    def __init__(
        self,
        symbols: Sequence[str] = ("BTCUSDT", "ETHUSDT", "SOLUSDT"),
        *,
        category: str = "linear",
        selected: str | None = None,
        session: Any = None,
        max_hz: float | None = None,
    ) -> None:
        if isinstance(symbols, str):
            symbols = [symbols]
        clean = list(dict.fromkeys(s.strip().upper() for s in symbols if isinstance(s, str) and s.strip()))
        if not clean:
            raise ValueError(f"symbols must name at least one symbol, got {symbols!r}")
        super().__init__(
            session=session, max_hz=max_hz, symbols=clean, category=category, selected=(selected or clean[0]).upper()
        )
        self._last: dict[str, Any] = {}
        self._direction: dict[str, int] = {}
        self._bind()
        self.observe(lambda _change: self._rebind(), names=["symbols", "category"])

    def _open_feeds(self) -> list[Any]:
        self._tickers = {s: self._attach(self.streams.ticker(s, category=self.category)) for s in self.symbols}
        return list(self._tickers.values())

    def _reset_view(self) -> None:
        self._last.clear()
        self._direction.clear()

    def _render(self) -> None:
        rows = []
        for symbol, feed in self._tickers.items():
            ticker = feed.latest
            last = ticker.last_price if ticker is not None else None
            previous = self._last.get(symbol)
            if last is not None and previous is not None and last != previous:
                self._direction[symbol] = 1 if last > previous else -1
            if last is not None:
                self._last[symbol] = last
            pct = ticker.price_24h_pcnt if ticker is not None else None
            rows.append(
                {
                    "symbol": symbol,
                    "last": "" if last is None else str(last),
                    "last_num": None if last is None else float(last),
                    "change_pct": None if pct is None else float(pct * 100),
                    "dir": self._direction.get(symbol, 0),
                    "state": feed.state,
                }
            )
        self.rows = rows

    def on_select(self, callback: Callable[[str], Any]) -> Callable[[], None]:
        """Call ``callback(symbol)`` when the user picks a symbol; returns a function that stops it."""

        def handler(change: dict) -> None:
            callback(change["new"])

        self.observe(handler, names=["selected"])
        stopped = False

        def stop() -> None:
            nonlocal stopped
            if not stopped:
                stopped = True
                self.unobserve(handler, names=["selected"])

        return stop
