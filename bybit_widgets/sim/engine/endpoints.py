"""The v5 REST endpoints of the engine by path: public ones take the venue, signed ones trading and the account.

This table is the only module that imports every handler, and nothing but
the :class:`~.exchange.Exchange` facade imports it, so the handlers never
see the facade (reference 5.1-5.17, account info, coin info, fee rates, funding history and open interest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .accounts import Account
from .order_entry import amend_order, cancel_all, cancel_order, create_order
from .params import Params
from .rest_account import account_info, positions, query_api, set_leverage, trading_stop, wallet_balance
from .rest_asset import coin_info
from .rest_derivs import fee_rate, funding_history, open_interest
from .rest_ledger import closed_pnl, transaction_log
from .rest_market import instruments_info, kline, market_time, orderbook, recent_trades, tickers
from .rest_modes import set_margin_mode, switch_mode
from .rest_queries import executions, open_orders, order_history
from .trading import Trading
from .venue import Venue

__all__ = ["PUBLIC_ENDPOINTS", "PRIVATE_ENDPOINTS"]

PUBLIC_ENDPOINTS: dict[str, Callable[[Venue, Params], dict[str, Any]]] = {
    "/v5/market/time": market_time,
    "/v5/market/instruments-info": instruments_info,
    "/v5/market/tickers": tickers,
    "/v5/market/orderbook": orderbook,
    "/v5/market/kline": kline,
    "/v5/market/recent-trade": recent_trades,
    "/v5/market/funding/history": funding_history,
    "/v5/market/open-interest": open_interest,
}

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
    "/v5/position/switch-mode": switch_mode,
    "/v5/account/set-margin-mode": set_margin_mode,
    "/v5/account/wallet-balance": wallet_balance,
    "/v5/account/info": account_info,
    "/v5/account/fee-rate": fee_rate,
    "/v5/account/transaction-log": transaction_log,
    "/v5/position/closed-pnl": closed_pnl,
    "/v5/asset/coin/query-info": coin_info,
    "/v5/user/query-api": query_api,
}
