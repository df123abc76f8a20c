"""Decoding of each endpoint's ``result`` object into typed records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..protocol.records import (
    AccountInfo,
    ApiKeyInfo,
    ClosedPnl,
    CoinInfo,
    Execution,
    FeeRate,
    FundingRate,
    Instrument,
    Kline,
    OpenInterest,
    Order,
    OrderAck,
    OrderBookSnapshot,
    Page,
    Position,
    PublicTrade,
    ServerTime,
    Ticker,
    Transaction,
    Wallet,
)

__all__ = ["decode_result"]


def _page(record: Callable[[dict], Any]) -> Callable[[dict, dict], Page]:
    def decode(result: dict, wire: dict) -> Page:
        items = [record(item) for item in result.get("list") or ()]
        return Page(items, result.get("nextPageCursor") or "", result.get("category"))

    return decode


def _instruments(result: dict, wire: dict) -> Page:
    category = result.get("category") or wire.get("category")
    items = [Instrument.from_wire(item, category) for item in result.get("list") or ()]
    return Page(items, result.get("nextPageCursor") or "", category)


def _klines(result: dict, wire: dict) -> Page:
    interval = wire.get("interval")
    return Page([Kline.from_rest_row(row, interval) for row in result.get("list") or ()], "", result.get("category"))


def _wallet(result: dict, wire: dict) -> Wallet | None:
    accounts = result.get("list") or ()
    return Wallet.from_wire(accounts[0]) if accounts else None


def _acks(result: dict, wire: dict) -> list[OrderAck]:
    return [OrderAck.from_wire(item) for item in result.get("list") or ()]


def _nothing(result: dict, wire: dict) -> None:
    return None


_DECODERS: dict[str, Callable[[dict, dict], Any]] = {
    "get_server_time": lambda r, w: ServerTime.from_wire(r),
    "get_instruments_info": _instruments,
    "get_tickers": _page(Ticker.from_wire),
    "get_orderbook": lambda r, w: OrderBookSnapshot.from_wire(r),
    "get_kline": _klines,
    "get_recent_trades": _page(PublicTrade.from_wire),
    "place_order": lambda r, w: OrderAck.from_wire(r),
    "amend_order": lambda r, w: OrderAck.from_wire(r),
    "cancel_order": lambda r, w: OrderAck.from_wire(r),
    "cancel_all_orders": _acks,
    "get_open_orders": _page(Order.from_wire),
    "get_order_history": _page(Order.from_wire),
    "get_executions": _page(Execution.from_wire),
    "get_positions": _page(Position.from_wire),
    "set_trading_stop": _nothing,
    "set_leverage": _nothing,
    "switch_position_mode": _nothing,
    "set_margin_mode": _nothing,
    "get_wallet_balance": _wallet,
    "get_funding_rate_history": _page(FundingRate.from_wire),
    "get_open_interest": _page(OpenInterest.from_wire),
    "get_fee_rates": _page(FeeRate.from_wire),
    "get_closed_pnl": _page(ClosedPnl.from_wire),
    "get_transaction_log": _page(Transaction.from_wire),
    "get_api_key_info": lambda r, w: ApiKeyInfo.from_wire(r),
    "get_account_info": lambda r, w: AccountInfo.from_wire(r),
    "get_coin_info": lambda r, w: [CoinInfo.from_wire(row) for row in r.get("rows") or ()],
}


def decode_result(name: str, result: dict, wire: dict) -> Any:
    return _DECODERS[name](result, wire)
