"""Position modes: which ``positionIdx`` an order or a position row carries, written once.

Bybit keeps one net position per symbol in one-way mode (``positionIdx`` 0)
and two independent ones in hedge mode (``mode`` 3 on
``/v5/position/switch-mode``): ``positionIdx`` 1 holds the Buy side (long),
2 the Sell side (short), and they never net. In hedge mode the index names
the position an order affects, not its direction: a Buy on 1 or a Sell on 2
opens or adds, a Sell on 1 or a Buy on 2 closes, and a closing order can
only reduce (it never flips a side into the other; the exchange treats it as
reduce-only and refuses it when that side is flat). An order whose index does
not fit the symbol's mode is refused with 10001 "position idx not match
position mode". Hedge mode exists for linear contracts; spot ignores the
index.

A feed of positions keys its rows with :func:`position_key`: the symbol for a
one-way row (so ``positions()["BTCUSDT"]`` works as it always did) and
``"BTCUSDT/long"`` / ``"BTCUSDT/short"`` for the two rows of a hedged
symbol. Keying by symbol alone is the bug that reads a live short as flat
when the long row of the same symbol arrives after it (pybit #367).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ONE_WAY",
    "HEDGE_BUY",
    "HEDGE_SELL",
    "MODE_ONE_WAY",
    "MODE_HEDGE",
    "POSITION_IDX",
    "position_idx_for",
    "closes",
    "fits_mode",
    "position_key",
    "side_of_idx",
    "is_position_stop",
]

ONE_WAY, HEDGE_BUY, HEDGE_SELL = 0, 1, 2
POSITION_IDX = (ONE_WAY, HEDGE_BUY, HEDGE_SELL)
MODE_ONE_WAY, MODE_HEDGE = 0, 3  # ``mode`` of /v5/position/switch-mode
_SUFFIX = {HEDGE_BUY: "/long", HEDGE_SELL: "/short"}


def position_idx_for(side: Literal["Buy", "Sell"] | str, *, hedge: bool, close: bool = False) -> int:
    """The ``positionIdx`` of an order: 0 in one-way mode; in hedge mode the side it opens or closes."""
    if not hedge:
        return ONE_WAY
    buy = side == "Buy"
    return (HEDGE_SELL if buy else HEDGE_BUY) if close else (HEDGE_BUY if buy else HEDGE_SELL)


def closes(side: str, idx: int) -> bool:
    """Whether an order of ``side`` on hedge position ``idx`` closes it (a Sell on 1, a Buy on 2)."""
    return (idx == HEDGE_BUY and side == "Sell") or (idx == HEDGE_SELL and side == "Buy")


def fits_mode(idx: int, *, hedge: bool) -> bool:
    """Whether ``positionIdx`` ``idx`` is valid in the symbol's mode (one-way: 0; hedge: 1 or 2)."""
    return idx in (HEDGE_BUY, HEDGE_SELL) if hedge else idx == ONE_WAY


def side_of_idx(idx: int) -> str:
    """The side a hedge position holds (``""`` for a one-way row, whose side is its sign)."""
    return "Buy" if idx == HEDGE_BUY else "Sell" if idx == HEDGE_SELL else ""


def position_key(symbol: str, idx: int | None) -> str:
    """The key of a position row in a feed: ``symbol``, or ``symbol/long`` / ``symbol/short`` in hedge mode."""
    return symbol + _SUFFIX.get(idx or 0, "")


_POSITION_STOPS = frozenset({"TakeProfit", "StopLoss"})


def is_position_stop(stop_order_type: str | None) -> bool:
    """Is an open order with this ``stopOrderType`` a position's own (Full mode) take profit or stop loss?

    Bybit lists a position's TP and SL as untriggered conditional orders among the open orders
    (``stopOrderType`` ``TakeProfit`` / ``StopLoss``); they are set and moved through
    ``/v5/position/trading-stop``, as the position's, so a view shows them as its TP/SL, not as
    orders of their own. Partial-mode ones (``PartialTakeProfit`` ...) are orders in their own right.
    """
    return stop_order_type in _POSITION_STOPS
