"""Bybit environments and their endpoints."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import MainnetGuardError

__all__ = ["Environment", "ENVIRONMENTS", "MAINNET_OPT_IN", "guard_trading", "mainnet_block", "resolve_environment"]


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


MAINNET_OPT_IN = "bw.connect('mainnet', allow_mainnet_trading=True)"


def mainnet_block(env: str, allow_mainnet_trading: bool) -> str:
    """Why trading is off in ``env`` ("" when it is on): mainnet moves real money, so it needs the opt-in.

    The one trading guard: the REST pipeline, the WebSocket trade stream and the order ticket all ask
    it (:func:`guard_trading` raises with it), so they cannot disagree about when an order may leave.
    """
    if env == "mainnet" and not allow_mainnet_trading:
        return f"mainnet trading is off (real money): connect with {MAINNET_OPT_IN} once you mean to trade"
    return ""


def guard_trading(env: str, allow_mainnet_trading: bool, action: str, where: str, endpoint: str) -> None:
    """Raise :class:`MainnetGuardError` (nothing sent) when :func:`mainnet_block` says trading is off."""
    if mainnet_block(env, allow_mainnet_trading):
        raise MainnetGuardError(
            f"{action} was blocked: this {where} is on mainnet (real money) without the trading opt-in",
            hint=f"Pass allow_mainnet_trading=True (or {MAINNET_OPT_IN}) once you mean to trade real funds. "
            "Nothing was sent.",
            endpoint=endpoint,
        )
