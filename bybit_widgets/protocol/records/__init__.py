"""Typed records decoded from Bybit v5 wire dicts.

Each record exposes snake_case attributes with real types (``Decimal`` for
prices and quantities, ``int`` for millisecond times, ``bool`` for flags),
while the wire dict stays reachable: ``order["orderLinkId"]`` and
``order.raw`` both work, so nothing Bybit sends is ever lost to the typing.

Decoding is by field name, never by position or key order, and tolerant of
missing fields (``None``): Bybit adds fields often and some differ between
REST and WebSocket (``avgPrice`` vs ``entryPrice`` for positions).
"""

from __future__ import annotations

from .account import (
    AccountInfo,
    ApiKeyInfo,
    ClosedPnl,
    CoinBalance,
    CoinChain,
    CoinInfo,
    FeeRate,
    Transaction,
    Wallet,
)
from .base import Page, Record, to_decimal
from .market import (
    BookLevel,
    FundingRate,
    Instrument,
    Kline,
    OpenInterest,
    OrderBookSnapshot,
    PublicTrade,
    ServerTime,
    Ticker,
)
from .orders import BatchItem, BatchResult, Execution, Order, OrderAck, Position

__all__ = [
    "Record",
    "Page",
    "ServerTime",
    "Instrument",
    "Ticker",
    "BookLevel",
    "OrderBookSnapshot",
    "Kline",
    "PublicTrade",
    "FundingRate",
    "OpenInterest",
    "OrderAck",
    "BatchItem",
    "BatchResult",
    "Order",
    "Execution",
    "Position",
    "CoinBalance",
    "Wallet",
    "ApiKeyInfo",
    "AccountInfo",
    "CoinChain",
    "CoinInfo",
    "FeeRate",
    "ClosedPnl",
    "Transaction",
    "to_decimal",
]
