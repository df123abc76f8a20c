"""The facade of the embedded exchange: markets, matching and accounts behind one object.

The server (``bybit_widgets.sim``) owns transport, auth, limits and faults;
it calls this object from a single thread. REST calls take the wire
parameter dict and return the v5 ``result`` object or raise
:class:`SimError`; stream material comes back as wire-shaped dicts and
lists that are never mutated after they are returned, so the server may
keep them and compare the next call's answer with ``==``.

The facade owns nothing the engine reads: the seed, clock and markets are
a :class:`~.venue.Venue` that :class:`~.trading.Trading` and the endpoint
handlers take, and the endpoint tables (``endpoints.py``) are imported only
here, so the engine's imports run one way, down from this module.

Determinism: each symbol's market is a pure function of the seed and the
number of unpaused ticks (``advance`` consumes no randomness while paused);
the clock only stamps events and buckets klines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from .accounts import Account, fee_tier
from .candles import INTERVALS
from .endpoints import PRIVATE_ENDPOINTS, PUBLIC_ENDPOINTS
from .errors import SimError, param_error
from .events import Listener
from .instruments import Instrument, SymbolSpec, default_symbols
from .market import Market
from .params import Params
from .rest_market import closed_kline_items, kline_item, level_pairs, ticker_item
from .trading import Trading
from .venue import Venue
from .wire import dec

__all__ = ["Exchange", "SimError", "SymbolSpec"]


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Exchange:
    """A small Bybit v5 exchange: seeded markets, a matching engine and unified accounts."""

    TICK_MS: int = 10

    def __init__(
        self,
        seed: int = 1,
        *,
        symbols: list[SymbolSpec] | None = None,
        start_balance: str = "100000",
        clock: Callable[[], int] | None = None,
        make_market: Callable[[Instrument, int, int], Market] = Market,
    ) -> None:
        try:
            balance = Decimal(start_balance)
        except (InvalidOperation, TypeError):
            raise ValueError(f"start_balance must be a decimal string, got {start_balance!r}") from None
        if not balance.is_finite() or balance < 0:
            raise ValueError(f"start_balance must be a non-negative amount, got {start_balance!r}")
        specs = default_symbols() if symbols is None else list(symbols)
        keys = [(s.category, s.symbol) for s in specs]
        if len(set(keys)) != len(keys):
            raise ValueError("symbols must be unique per category")
        self.start_balance = balance
        self.paused = False
        clock = clock or _wall_clock_ms
        now = clock()
        self.venue = Venue(seed, clock, {(s.category, s.symbol): make_market(Instrument(s), seed, now) for s in specs})
        self._levels_cache: dict[tuple[int, int], tuple[int, tuple[list, list]]] = {}
        self.trading = Trading(self.venue)

    @property
    def seed(self) -> int:
        return self.venue.seed

    @property
    def clock(self) -> Callable[[], int]:
        return self.venue.clock

    @property
    def markets(self) -> dict[tuple[str, str], Market]:
        return self.venue.markets

    # -- time and market ----------------------------------------------------------------------------
    def now(self) -> int:
        return self.clock()

    def advance(self, ticks: int = 1) -> None:
        """Move every market ``ticks`` steps; resting user orders and triggers react; no-op while paused."""
        if self.paused or ticks <= 0:
            return
        now = self.clock()
        trading = self.trading
        for _ in range(ticks):
            for market in self.markets.values():
                market.step(now)
            trading.after_tick(now)
        trading.flush()

    def has_symbol(self, category: str, symbol: str) -> bool:
        return (category, symbol) in self.markets

    def symbols(self, category: str) -> list[str]:
        return [s for c, s in self.markets if c == category]

    def market(self, category: str, symbol: str) -> Market:
        return self.venue.market(category, symbol)

    # -- accounts -----------------------------------------------------------------------------------
    def ensure_account(
        self,
        api_key: str,
        api_secret: str,
        *,
        read_only: bool = False,
        balance: str | None = None,
        fee_rates: dict[str, dict[str, str]] | None = None,
    ) -> None:
        """Create the account of ``api_key`` if new (USDT ``balance`` or the exchange's start balance).

        ``fee_rates``: the account's fee tier, ``{"linear": {"maker": "0.0001", "taker": "0.0004"}, ...}``
        per category (the instruments' rates where not given), as a VIP or market-maker level sets them.
        """
        account = self.trading.accounts.ensure(
            api_key,
            api_secret,
            read_only=read_only,
            balance=self.start_balance if balance is None else _amount(balance),
        )
        if fee_rates is not None:
            account.fee_rates = fee_tier(fee_rates)

    def settle_funding(self, symbol: str) -> dict:
        """Settle funding of the linear ``symbol`` now for every open position in it (``POST /sim/funding``)."""
        market = self.venue.market("linear", symbol)
        settled = self.trading.settle_funding(market)
        self.trading.flush()
        return {"symbol": symbol, "fundingRate": dec(market.funding_rate), "settled": settled}

    def secret_for(self, api_key: str) -> str | None:
        account = self.trading.accounts.get(api_key)
        return None if account is None else account.secret

    # -- REST -----------------------------------------------------------------------------------------
    def rest_public(self, path: str, params: dict) -> dict:
        handler = PUBLIC_ENDPOINTS.get(path)
        if handler is None:
            raise SimError(10017, f"Route not found: {path}")
        return handler(self.venue, Params(params))

    def rest_private(self, path: str, api_key: str, params: dict) -> dict:
        handler = PRIVATE_ENDPOINTS.get(path)
        if handler is None:
            raise SimError(10017, f"Route not found: {path}")
        account = self.trading.accounts.get(api_key)
        if account is None:
            raise SimError(10003, "API key is invalid.")
        try:
            return handler(self.trading, account, Params(params))
        finally:
            self.trading.flush()

    # -- public stream material -----------------------------------------------------------------------
    def book_levels(self, category: str, symbol: str, depth: int) -> tuple[list[list[str]], list[list[str]]]:
        """Top ``depth`` bids (descending) and asks (ascending) as ``[[price, size], ...]`` wire strings.

        Cached per book state: streams ask for the same few depths every push,
        and while the book has not changed they get the same (never mutated)
        lists back. REST ``/v5/market/orderbook`` renders its arbitrary
        ``limit`` uncached (``level_pairs``), so it cannot fill the cache.
        """
        market = self.market(category, symbol)
        key = (id(market), depth)
        cached = self._levels_cache.get(key)
        if cached is not None and cached[0] == market.u:
            return cached[1]
        levels = level_pairs(market, depth)
        self._levels_cache[key] = (market.u, levels)
        return levels

    def ticker(self, category: str, symbol: str) -> dict:
        """The full ticker item of the ``tickers.{symbol}`` WS snapshot."""
        return ticker_item(self.market(category, symbol), self.clock(), ws=True)

    def trades_since(self, category: str, symbol: str, cursor: int) -> tuple[list[dict], int]:
        """``publicTrade`` items printed after ``cursor`` and the new cursor (``0``: from now on)."""
        return self.market(category, symbol).trades_since(cursor)

    def kline(self, category: str, symbol: str, interval: str) -> dict:
        """The forming candle of ``interval`` as a ``kline`` WS item (``confirm`` false)."""
        return kline_item(self.market(category, symbol), _interval(interval), self.clock())

    def klines_closed_since(self, category: str, symbol: str, interval: str, cursor: int) -> tuple[list[dict], int]:
        """Candles closed after ``cursor`` (``confirm`` true) and the new cursor (``0``: from now on)."""
        return closed_kline_items(self.market(category, symbol), _interval(interval), cursor, self.clock())

    # -- private events -----------------------------------------------------------------------------
    def add_listener(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn(api_key, topic, items)`` after every state change; returns the remover."""
        listeners = self.trading.listeners
        listeners.append(fn)

        def remove() -> None:
            if fn in listeners:
                listeners.remove(fn)

        return remove

    # -- ground truth -------------------------------------------------------------------------------
    def truth_orders(self, api_key: str) -> list[dict]:
        return self.trading.truth_orders(self._account(api_key))

    def truth_positions(self, api_key: str) -> list[dict]:
        return self.trading.truth_positions(self._account(api_key))

    def truth_wallet(self, api_key: str) -> dict:
        return self.trading.truth_wallet(self._account(api_key))

    def _account(self, api_key: str) -> Account:
        account = self.trading.accounts.get(api_key)
        if account is None:
            raise KeyError(f"no account for api key {api_key!r}")
        return account


def _interval(interval: str) -> str:
    if interval not in INTERVALS:
        raise param_error(f"params error: interval invalid: {interval!r}")
    return interval


def _amount(value: str) -> Decimal:
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValueError(f"balance must be a decimal string, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"balance must be a non-negative amount, got {value!r}")
    return amount
