"""``/v5/position/closed-pnl`` and ``/v5/account/transaction-log``: the account's ledger as booked.

Both serve newest first within Bybit's query window of each (:mod:`...protocol.windows`: 7 days for
closed PnL, 24 hours for the transaction log, from one bound alone), filtered as Bybit filters, paged
by a cursor that names the next row's sequence number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...protocol.windows import HISTORY_WINDOWS
from .accounts import Account
from .categories import category_of
from .errors import param_error
from .params import Params
from .trading import Trading

__all__ = ["closed_pnl", "transaction_log"]

Row = tuple[int, dict[str, Any]]
_TIME_KEY = {"/v5/position/closed-pnl": "updatedTime", "/v5/account/transaction-log": "transactionTime"}


def _page(rows: Iterable[Row], p: Params, path: str, keep: Callable[[dict], bool], limit: int, now: int) -> dict:
    time_key = _TIME_KEY[path]
    try:
        start, end = HISTORY_WINDOWS[path].serves(p.time_ms("startTime"), p.time_ms("endTime"), now)
    except ValueError as exc:
        raise param_error(f"params error: {exc}") from None
    cursor = p.str("cursor")
    if cursor is not None and not cursor.isdigit():
        raise param_error(f"params error: cursor invalid: {cursor!r}")
    below = int(cursor) if cursor is not None else None
    picked = [
        (seq, row)
        for seq, row in reversed(list(rows))
        if (below is None or seq <= below) and start <= int(row[time_key]) <= end and keep(row)
    ]
    more = str(picked[limit][0]) if len(picked) > limit else ""
    return {"list": [row for _, row in picked[:limit]], "nextPageCursor": more}


def closed_pnl(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    category = category_of(p, ("linear", "inverse"))
    symbol = p.str("symbol")
    limit = p.limit(50, 100)

    def keep(row: dict) -> bool:  # every record is linear: nothing inverse is traded here
        return category == "linear" and symbol in (None, row["symbol"])

    result = _page(account.ledger.closed_pnl, p, "/v5/position/closed-pnl", keep, limit, t.begin())
    return {"category": category, **result}


def transaction_log(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    account_type = p.str("accountType")
    if account_type not in (None, "UNIFIED"):
        raise param_error(f"params error: accountType must be UNIFIED, got {account_type!r}")
    category = p.str("category")
    wanted = {
        "category": category,
        "currency": p.str("currency"),
        "type": p.str("type"),
    }
    base = p.str("baseCoin")
    limit = p.limit(20, 50)

    def keep(row: dict) -> bool:
        if any(value is not None and row[key] != value for key, value in wanted.items()):
            return False
        return base is None or row["symbol"].startswith(base)

    return _page(account.ledger.transactions, p, "/v5/account/transaction-log", keep, limit, t.begin())
