"""The account's ledger: a closed-PnL record per reducing fill and a transaction-log row per cash change.

Rows are written once, as Bybit serves them (``/v5/position/closed-pnl``, ``/v5/account/
transaction-log``), when the money moves, so what the endpoints return is what was booked, never
recomputed. The laws the tests check hold row by row:

- transaction log: ``change = cashFlow + funding - fee`` and ``cashBalance`` is the USDT wallet
  after that change, so the changes of all rows sum to the wallet's movement;
- closed PnL: ``closedPnl = (exit value - entry value) x side - openFee - closeFee`` for the
  closed quantity, where ``openFee`` is the share of the opening fees that quantity carried.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .instruments import Instrument
from .orders import Order, avg_text
from .wire import dec, money

__all__ = ["Ledger", "LinearFill"]

_KEEP = 10_000  # rows kept per account and kind


@dataclass(frozen=True, slots=True)
class LinearFill:
    """What one linear fill did to its position, for the ledger."""

    lots: int
    price: int  # ticks
    fee: Decimal
    fee_rate: Decimal
    pnl: Decimal  # realised before fees (cashFlow)
    closed: int  # lots closed
    entry_value: Decimal  # cost basis of the closed lots
    open_fee: Decimal  # the opening fees those lots carried
    close_fee: Decimal  # this fill's fee on the closed lots
    size_after: int  # signed lots


def _signed_qty(inst: Instrument, lots: int) -> str:
    return ("-" if lots < 0 else "") + inst.qty_str(abs(lots))


@dataclass(eq=False)
class Ledger:
    """One account's closed-PnL records and transaction-log rows, newest last, each with its sequence
    number (what a page cursor names: rows only ever join at the new end, so a cursor stays true)."""

    closed_pnl: deque[tuple[int, dict[str, Any]]] = field(default_factory=lambda: deque(maxlen=_KEEP))
    transactions: deque[tuple[int, dict[str, Any]]] = field(default_factory=lambda: deque(maxlen=_KEEP))
    _seq: int = 0

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def trade(self, order: Order, fill: LinearFill, exec_id: str, balance: Decimal, now: int) -> None:
        """Book a linear fill: its transaction-log row and, when it reduced the position, its closed PnL."""
        inst = order.inst
        price = inst.price_str(fill.price)
        self._book(
            {
                **self._cash_row(inst, order.side, "TRADE", fill.lots, fill.size_after, price, now),
                "fee": money(fill.fee),
                "cashFlow": money(fill.pnl),
                "change": money(fill.pnl - fill.fee),
                "cashBalance": money(balance),
                "feeRate": dec(fill.fee_rate),
                "tradeId": exec_id,
                "orderId": order.order_id,
                "orderLinkId": order.link_id,
            }
        )
        if fill.closed:
            self._closed(order, fill, now)

    def funding(
        self, inst: Instrument, size: int, mark: int, rate: Decimal, paid: Decimal, balance: Decimal, now: int
    ) -> None:
        """Book one funding settlement of a position of ``size`` lots: ``paid`` is what it received (< 0: paid)."""
        side = "Buy" if size > 0 else "Sell"
        self._book(
            {
                **self._cash_row(inst, side, "SETTLEMENT", abs(size), size, inst.price_str(mark), now),
                "funding": money(paid),
                "change": money(paid),
                "cashBalance": money(balance),
                "feeRate": dec(rate),
            }
        )

    def _book(self, row: dict[str, Any]) -> None:
        seq = self._next()
        row["id"] = f"{seq}_{row['symbol']}_{row['transactionTime']}"
        self.transactions.append((seq, row))

    def _cash_row(self, inst: Instrument, side: str, kind: str, lots: int, size: int, price: str, now: int) -> dict:
        return {
            "id": "",
            "symbol": inst.symbol,
            "category": "linear",
            "side": side or "None",
            "transactionTime": str(now),
            "type": kind,
            "transSubType": "",
            "qty": inst.qty_str(lots),
            "size": _signed_qty(inst, size),
            "currency": "USDT",
            "tradePrice": price,
            "funding": "0",
            "fee": "0",
            "cashFlow": "0",
            "change": "0",
            "cashBalance": "0",
            "feeRate": "",
            "bonusChange": "",
            "tradeId": "",
            "orderId": "",
            "orderLinkId": "",
            "extraFees": "",
        }

    def _closed(self, order: Order, fill: LinearFill, now: int) -> None:
        inst = order.inst
        exit_value = inst.value_of(fill.price, fill.closed)
        self.closed_pnl.append(
            (
                self._next(),
                {
                    "symbol": inst.symbol,
                    "orderId": order.order_id,
                    "side": order.side,
                    "qty": inst.qty_str(order.qty),
                    "orderPrice": inst.price_str(order.price) if order.price else "0",
                    "orderType": order.order_type,
                    "execType": "Trade",
                    "closedSize": inst.qty_str(fill.closed),
                    "cumEntryValue": money(fill.entry_value),
                    "avgEntryPrice": avg_text(fill.entry_value / inst.qty_of(fill.closed), inst.price_dp),
                    "cumExitValue": money(exit_value),
                    "avgExitPrice": inst.price_str(fill.price),
                    "closedPnl": money(fill.pnl - fill.open_fee - fill.close_fee),
                    "openFee": money(fill.open_fee),
                    "closeFee": money(fill.close_fee),
                    "fillCount": "1",
                    "leverage": "",
                    "createdTime": str(now),
                    "updatedTime": str(now),
                },
            )
        )
