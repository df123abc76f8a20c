"""Bybit environments and their endpoints."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Environment", "ENVIRONMENTS", "resolve_environment"]


@dataclass(frozen=True)
class Environment:
    name: str
    rest_url: str
    public_ws_url: str  # host root; /v5/public/{category} is appended
    private_ws_url: str  # full URL of /v5/private
    trade_ws_url: str | None  # full URL of /v5/trade (demo has none)
    is_real_money: bool = False


ENVIRONMENTS: dict[str, Environment] = {
    "mainnet": Environment(
        "mainnet",
        "https://api.bybit.com",
        "wss://stream.bybit.com",
        "wss://stream.bybit.com/v5/private",
        "wss://stream.bybit.com/v5/trade",
        is_real_money=True,
    ),
    "testnet": Environment(
        "testnet",
        "https://api-testnet.bybit.com",
        "wss://stream-testnet.bybit.com",
        "wss://stream-testnet.bybit.com/v5/private",
        "wss://stream-testnet.bybit.com/v5/trade",
    ),
    # Demo trading: public data comes from mainnet streams, private from stream-demo.
    "demo": Environment(
        "demo",
        "https://api-demo.bybit.com",
        "wss://stream.bybit.com",
        "wss://stream-demo.bybit.com/v5/private",
        None,
    ),
}

_ALIASES = {"live": "mainnet", "prod": "mainnet", "production": "mainnet", "test": "testnet"}


def resolve_environment(name: str) -> Environment:
    """Look up a named remote environment; ``sim`` is handled by the session."""
    key = _ALIASES.get(name.lower(), name.lower())
    try:
        return ENVIRONMENTS[key]
    except KeyError:
        known = ", ".join(["sim", *ENVIRONMENTS])
        raise ValueError(f"unknown environment {name!r}; use one of: {known}, or pass base_url=") from None
