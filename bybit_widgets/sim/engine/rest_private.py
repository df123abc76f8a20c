"""The signed endpoints by path (reference 5.7-5.17, account info and coin info)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .accounts import Account
from .order_entry import amend_order, cancel_all, cancel_order, create_order
from .params import Params
from .rest_account import account_info, positions, query_api, set_leverage, trading_stop, wallet_balance
from .rest_asset import coin_info
from .rest_queries import executions, open_orders, order_history
from .trading import Trading

__all__ = ["PRIVATE_ENDPOINTS"]

PRIVATE_ENDPOINTS: dict[str, Callable[[Trading, Account, Params], dict[str, Any]]] = {
    "/v5/order/create": create_order,
    "/v5/order/amend": amend_order,
    "/v5/order/cancel": cancel_order,
    "/v5/order/cancel-all": cancel_all,
    "/v5/order/realtime": open_orders,
    "/v5/order/history": order_history,
    "/v5/execution/list": executions,
    "/v5/position/list": positions,
    "/v5/position/trading-stop": trading_stop,
    "/v5/position/set-leverage": set_leverage,
    "/v5/account/wallet-balance": wallet_balance,
    "/v5/account/info": account_info,
    "/v5/asset/coin/query-info": coin_info,
    "/v5/user/query-api": query_api,
}
