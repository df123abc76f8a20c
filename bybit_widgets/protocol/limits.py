"""Bybit's per-UID request budgets, per endpoint and category: what the client paces itself to and the
embedded exchange enforces, before the ``X-Bapi-Limit*`` headers tell the budget actually granted."""

from __future__ import annotations

from .endpoints import Endpoint

__all__ = ["UNLISTED_RATE_LIMIT", "rate_limit_for", "client_rate_limit"]

# Per-UID per-endpoint limits (requests per rolling second) by category class, from Bybit's "Rate Limit
# Rules" table (https://bybit-exchange.github.io/docs/v5/rate-limit, UTA 2.0): e.g. closed-pnl 50/s,
# transaction-log 30/s, fee-rate 10/s linear and inverse but 5/s spot and option, coin/query-info 5/s.
_RATE_LIMITS: dict[str, dict[str, int]] = {
    "/v5/order/create": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/amend": {"linear": 10, "inverse": 10, "option": 10, "spot": 10},
    "/v5/order/cancel": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/cancel-all": {"linear": 10, "inverse": 10, "option": 1, "spot": 20},
    "/v5/order/realtime": {"*": 50},
    "/v5/order/history": {"*": 50},
    "/v5/execution/list": {"*": 50},
    "/v5/position/list": {"*": 50},
    "/v5/position/closed-pnl": {"*": 50},
    "/v5/position/set-leverage": {"*": 10},
    "/v5/position/trading-stop": {"*": 10},
    "/v5/account/wallet-balance": {"*": 50},
    "/v5/account/transaction-log": {"*": 30},
    "/v5/user/query-api": {"*": 10},
    "/v5/account/fee-rate": {"linear": 10, "inverse": 10, "option": 5, "spot": 5},
    "/v5/asset/coin/query-info": {"*": 5},
    "/v5/order/create-batch": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/amend-batch": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/cancel-batch": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
}

# A signed path the table gives no figure (switch-mode, set-margin-mode, account/info, any path of
# ``client.request``): 5/s, the smallest per-second budget the table gives a read or a setting (fee-rate
# spot, coin/query-info, universal transfer), so the client never sends faster than Bybit could allow;
# the ``X-Bapi-Limit`` header of the first answer then sets the real budget.
UNLISTED_RATE_LIMIT = 5


def rate_limit_for(path: str, category: str | None) -> int | None:
    """Bybit's documented per-second budget for this endpoint and category, if its table lists one."""
    table = _RATE_LIMITS.get(path)
    if table is None:
        return None
    return table.get(category or "", table.get("*", min(table.values())))


def client_rate_limit(endpoint: Endpoint, category: str | None) -> int | None:
    """The budget a client keeps to before any header says otherwise: the documented one, else
    :data:`UNLISTED_RATE_LIMIT` for a signed endpoint; market data has none per UID (its limit is the IP's)."""
    limit = rate_limit_for(endpoint.path, category)
    if limit is None and endpoint.signed:
        return UNLISTED_RATE_LIMIT
    return limit
