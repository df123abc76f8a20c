"""``/v5/asset/coin/query-info``: the coins of the listed instruments.

The embedded exchange has no blockchain: nothing is deposited or withdrawn,
so every coin has no ``chains`` and a ``remainAmount`` (the most one
withdrawal may take) of ``"0"``. Bybit names a coin by its ticker
(``"name": "MNT"``); an unknown or lower-case ``coin`` finds no rows.
"""

from __future__ import annotations

from typing import Any

from .accounts import Account
from .params import Params
from .trading import Trading

__all__ = ["coin_info"]


def coin_info(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    wanted = p.str("coin")
    specs = [m.inst.spec for m in t.venue.markets.values()]
    coins = sorted({coin for spec in specs for coin in (spec.base_coin, spec.quote_coin)})
    return {
        "rows": [
            {"name": coin, "coin": coin, "remainAmount": "0", "chains": []}
            for coin in coins
            if wanted is None or coin == wanted
        ]
    }
