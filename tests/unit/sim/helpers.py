"""Shared helpers of the engine tests: a controllable clock and small exchanges."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bybit_widgets.sim.engine import Exchange, default_symbols

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


class Clock:
    """A manual clock: tests move time explicitly."""

    def __init__(self, now: int = T0 + 30_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def linear_btc() -> list[Any]:
    return [s for s in default_symbols() if s.category == "linear" and s.symbol == "BTCUSDT"]


def make_exchange(
    seed: int = 7,
    *,
    symbols: list[Any] | None = None,
    key: str = "k",
    balance: str = "100000",
    clock: Clock | None = None,
    paused: bool = True,
) -> Exchange:
    """An exchange with one account ``key`` (secret ``s``), paused unless asked otherwise."""
    ex = Exchange(seed, symbols=symbols if symbols is not None else linear_btc(), clock=clock or Clock())
    ex.ensure_account(key, "s", balance=balance)
    ex.paused = paused
    return ex


class Recorder:
    """A listener keeping every private event."""

    def __init__(self, ex: Exchange) -> None:
        self.events: list[tuple[str, str, list[dict]]] = []
        ex.add_listener(lambda key, topic, items: self.events.append((key, topic, items)))

    def items(self, topic: str) -> list[dict]:
        return [item for _, t, items in self.events if t == topic for item in items]

    def clear(self) -> None:
        self.events.clear()


def top(ex: Exchange, category: str = "linear", symbol: str = "BTCUSDT") -> tuple[Decimal, Decimal]:
    bids, asks = ex.book_levels(category, symbol, 1)
    return Decimal(bids[0][0]), Decimal(asks[0][0])


def order(ex: Exchange, key: str = "k", **params: Any) -> dict:
    base = {"category": "linear", "symbol": "BTCUSDT"}
    base.update(params)
    return ex.rest_private("/v5/order/create", key, base)


def get_order(ex: Exchange, order_id: str, key: str = "k", category: str = "linear") -> dict:
    for item in ex.truth_orders(key):
        if item["orderId"] == order_id:
            return item
    raise AssertionError(f"no order {order_id}")


def position(ex: Exchange, key: str = "k", symbol: str = "BTCUSDT") -> dict:
    return ex.rest_private("/v5/position/list", key, {"category": "linear", "symbol": symbol})["list"][0]


def wallet(ex: Exchange, key: str = "k") -> dict:
    return ex.rest_private("/v5/account/wallet-balance", key, {"accountType": "UNIFIED"})["list"][0]
