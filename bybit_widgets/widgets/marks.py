"""Live mark prices for the positions a widget shows, and the unrealised PnL they give.

The private position stream carries a mark price only when the position
changes; a ticker feed per held symbol (shared with every other widget on
it) keeps the PnL moving with the market. Feeds follow the set of held
symbols: opened when a position opens, closed when the last one closes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = ["Marks", "stop_side_problem", "unrealised_pnl"]


def unrealised_pnl(
    side: str | None, size: Decimal | None, entry: Decimal | None, mark: Decimal | None
) -> Decimal | None:
    """PnL of a linear position at ``mark``: (mark - entry) x size for a long, the reverse for a short."""
    if not size or entry is None or mark is None or side not in ("Buy", "Sell"):
        return None
    move = mark - entry if side == "Buy" else entry - mark
    return move * size


def stop_side_problem(
    rules: Any,
    position: Any,
    mark: Decimal | None,
    *,
    take_profit: Decimal | None = None,
    stop_loss: Decimal | None = None,
) -> str:
    """Why a take profit or stop loss for ``position`` is on the wrong side of its ``mark`` price, in plain words.

    "" when both are right, or when it cannot be told here (no mark, a position without a side): the exchange
    decides then. Bybit checks a position's TP/SL against the price now, not its entry, so a long's stop may be
    moved above its entry into profit; the rule itself is ``InstrumentRules.protection_violations``.
    """
    if mark is None or position.side not in ("Buy", "Sell"):
        return ""
    problems = rules.protection_violations(
        position.side, mark, take_profit=take_profit, stop_loss=stop_loss, reference_name="mark price"
    )
    return "; ".join(p.message for p in problems)


class Marks:
    """Ticker feeds (for the mark price) on exactly the symbols of ``widget``'s open positions."""

    def __init__(self, widget: Any) -> None:
        self._widget = widget
        self._feeds: dict[str, Any] = {}

    def follow(self, symbols: set[str]) -> None:
        widget = self._widget
        for symbol in set(self._feeds) - symbols:
            feed = self._feeds.pop(symbol)
            if feed in widget._feeds:
                widget._feeds.remove(feed)
            feed.close()
        for symbol in symbols - set(self._feeds):
            self._feeds[symbol] = widget._listen(widget.streams.ticker(symbol, category="linear"))

    def mark(self, position: Any) -> Decimal | None:
        """The live mark price of ``position``'s symbol, else the one its row carries."""
        feed = self._feeds.get(position.symbol)
        ticker = feed.latest if feed is not None else None
        return ticker.mark_price if ticker is not None and ticker.mark_price is not None else position.mark_price

    def upl(self, position: Any) -> Decimal | None:
        """Unrealised PnL at the live mark, else the exchange's figure."""
        pnl = unrealised_pnl(position.side, position.size, position.avg_price, self.mark(position))
        return position.unrealised_pnl if pnl is None else pnl

    def forget(self) -> None:
        """The widget closed its feeds (a rebind): start over."""
        self._feeds = {}
