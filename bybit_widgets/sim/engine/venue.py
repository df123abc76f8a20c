"""The venue: what every part of the engine reads about the place it trades.

:class:`Trading` and the REST handlers need the seed, the clock and the
markets (each market carries its instrument), and the margin arithmetic that
prices an account against those markets. They take this small object rather
than the :class:`~.exchange.Exchange` facade, so nothing below the facade
imports it back: the engine's imports run one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .accounts import Account, Margin
from .instruments import Instrument
from .market import Market

__all__ = ["Venue"]

ZERO = Decimal(0)


@dataclass(frozen=True, eq=False)
class Venue:
    """The seed, the clock (ms) and the markets by ``(category, symbol)`` of one exchange."""

    seed: int
    clock: Callable[[], int]
    markets: dict[tuple[str, str], Market]

    def market(self, category: str, symbol: str) -> Market:
        """The market of ``symbol`` in ``category``; ``KeyError`` when it is not listed."""
        market = self.markets.get((category, symbol))
        if market is None:
            raise KeyError(f"no {category} symbol {symbol!r}")
        return market

    def market_of(self, inst: Instrument) -> Market:
        return self.markets[(inst.category, inst.symbol)]

    def margin(self, account: Account) -> Margin:
        """Margin arithmetic of ``account`` against the current marks and spot prices."""
        return Margin(account, self._mark_of, self._spot_price_of)

    def _mark_of(self, inst: Instrument) -> int:
        return self.markets[("linear", inst.symbol)].mark

    def _spot_price_of(self, coin: str) -> Decimal:
        for category in ("spot", "linear"):
            market = self.markets.get((category, f"{coin}USDT"))
            if market is not None:
                return market.inst.price_of(market.last)
        return ZERO
