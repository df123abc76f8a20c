"""``bw.Dashboard``: watchlist, ticker, chart, book, ticket, trades and positions in one panel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets

from .book import OrderBook
from .candles import Candles
from .positions import Positions
from .ticker import Ticker
from .ticket import OrderTicket
from .trades import Trades
from .watchlist import Watchlist

__all__ = ["Dashboard"]

DEFAULT_SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT")


class Dashboard(ipywidgets.GridBox):
    """Every widget on one symbol, laid out to fit a JupyterLab panel (or a Voila page).

    Clicking a symbol in the watchlist points the ticker, chart, book, ticket
    and trades at it; ``dashboard.symbol = "ETHUSDT"`` does the same from
    code. All widgets share the session's subscriptions and the kernel's frame
    scheduler, which keeps the whole dashboard far below the Jupyter server's
    message limit. ``close()`` closes them all (and so their feeds).
    """

    def __init__(
        self,
        symbol: str = "BTCUSDT",
        *,
        symbols: Sequence[str] | None = None,
        category: str = "linear",
        interval: str = "1",
        depth: int = 20,
        session: Any = None,
    ) -> None:
        symbol = symbol.strip().upper()
        watch = list(dict.fromkeys([*(symbols or DEFAULT_SYMBOLS), symbol]))
        common = {"category": category, "session": session}
        self.watchlist = Watchlist(watch, selected=symbol, **common)
        self.ticker = Ticker(symbol, **common)
        self.ticket = OrderTicket(symbol, **common)
        self.candles = Candles(symbol, interval, height=300, ticket=self.ticket, **common)  # its lines drag
        self.book = OrderBook(symbol, depth=depth, height=360, ticket=self.ticket, **common)  # the book drives it
        self.trades = Trades(symbol, rows=16, **common)
        self.positions = Positions(session=session)
        areas = {
            self.watchlist: "watch",
            self.ticker: "ticker",
            self.candles: "chart",
            self.book: "book",
            self.ticket: "ticket",
            self.trades: "trades",
            self.positions: "positions",
        }
        for widget, area in areas.items():
            widget.layout.grid_area = area
            widget.layout.min_width = "0"
        super().__init__(
            list(areas),
            layout=ipywidgets.Layout(
                width="100%",
                grid_template_columns="minmax(0, 2.2fr) minmax(220px, 1fr) minmax(250px, 1fr)",
                grid_template_areas='"watch watch watch" "ticker ticker ticker" "chart book ticket" '
                '"trades positions positions"',
                grid_gap="8px",
            ),
        )
        self.add_class("bw-dashboard")
        self._stop_follow = self.watchlist.on_select(self._select)

    @property
    def widgets(self) -> list[Any]:
        return [self.watchlist, self.ticker, self.candles, self.book, self.ticket, self.trades, self.positions]

    @property
    def symbol(self) -> str:
        return self.ticker.symbol

    @symbol.setter
    def symbol(self, value: str) -> None:
        self.watchlist.selected = value.strip().upper()  # goes through _select, like a click

    def _select(self, symbol: str) -> None:
        for widget in (self.ticker, self.candles, self.book, self.ticket, self.trades):
            if widget.symbol != symbol:
                widget.symbol = symbol

    @property
    def comm_stats(self) -> dict[str, dict[str, int]]:
        """Comm messages and bytes per widget since creation."""
        return {type(w).__name__: dict(w.comm_stats) for w in self.widgets}

    def close(self) -> None:
        """Close every widget of the dashboard (their feeds close with them). Safe to call twice."""
        if getattr(self, "_stop_follow", None) is not None:
            self._stop_follow()
            self._stop_follow = None
            for widget in self.widgets:
                widget.close()
        super().close()
