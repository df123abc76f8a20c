"""``/v5/position/switch-mode`` (one-way / hedge per symbol) and ``/v5/account/set-margin-mode``.

Switching follows Bybit: ``symbol`` (which wins) or ``coin`` (every linear
symbol settled in it); 110025 when nothing would change, 110024 while a
position of a switching symbol is open, 110028 while it has open orders
(conditional ones included). The leverage of the old row carries to the new
rows, and the new rows are pushed on the private stream at once, flat, so a
subscriber sees the mode change before any order.

The exchange models cross margin (``REGULAR_MARGIN``) only: asking for it
succeeds with no reasons, as Bybit does; isolated and portfolio margin are
refused with Bybit's 3400045 and a reason that says so.
"""

from __future__ import annotations

from typing import Any

from ...protocol.positions import MODE_HEDGE, MODE_ONE_WAY
from .accounts import Account
from .categories import category_of
from .errors import SimError, param_error
from .instruments import Instrument
from .params import Params
from .rest_common import market_of, writable
from .trading import Trading

__all__ = ["switch_mode", "set_margin_mode"]

_MARGIN_MODES = ("ISOLATED_MARGIN", "REGULAR_MARGIN", "PORTFOLIO_MARGIN")


def switch_mode(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    writable(account)
    now = t.begin()
    category_of(p, ("linear",))
    mode = p.int("mode")
    if mode not in (MODE_ONE_WAY, MODE_HEDGE):
        raise param_error(f"params error: mode must be 0 (one-way) or 3 (hedge), got {p.str('mode')!r}")
    hedge = mode == MODE_HEDGE
    changing = [inst for inst in _targets(t, p) if (inst.symbol in account.hedged) != hedge]
    if not changing:
        raise SimError(110025, "Position mode is not modified")
    symbols = {inst.symbol for inst in changing}
    if any(account.held(symbol) for symbol in symbols):
        raise SimError(110024, "You have an existing position, so position mode cannot be switched")
    if any(order.inst.symbol in symbols for order in account.open_orders()):
        raise SimError(110028, "You have existing open orders, so position mode cannot be switched")
    for inst in changing:
        old = account.rows(inst, now)
        leverage = old[0].leverage
        for pos in old:
            del account.positions[(inst.symbol, pos.idx)]
        (account.hedged.add if hedge else account.hedged.discard)(inst.symbol)
        for pos in account.rows(inst, now):
            pos.leverage = leverage
            t.touch_position(account, pos)
    return {}


def _targets(t: Trading, p: Params) -> list[Instrument]:
    if p.str("symbol"):
        return [market_of(t, "linear", p).inst]
    coin = p.str("coin")
    if not coin:
        raise param_error("params error: symbol or coin is required")
    found = [m.inst for m in t.venue.markets.values() if m.inst.is_linear and m.inst.spec.quote_coin == coin]
    if not found:
        raise param_error(f"params error: no linear symbol settles in {coin}")
    return found


def set_margin_mode(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    writable(account)
    wanted = p.req("setMarginMode", _MARGIN_MODES)
    if wanted != "REGULAR_MARGIN":
        raise SimError(
            3400045,
            f"Set margin mode failed: the embedded exchange models cross margin (REGULAR_MARGIN) only, not {wanted}",
        )
    return {"reasons": []}
