"""Settlement: one fill into the owner's position or coins, its fee, the order's totals and an execution.

A linear fill moves the position (its realised PnL net of the fee goes to
USDT at once, as in a unified account); a spot fill swaps coins, the fee
taken from the coin received. Fees round half-up to 8 decimals. What a
fill sets off (the order finishing, TP/SL taking effect, reduce-only orders
shrinking) is the caller's business: settlement only books it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .accounts import Account
from .desk import Desk
from .orders import Execution, Order
from .wire import EIGHT

__all__ = ["settle"]

ZERO = Decimal(0)


def settle(desk: Desk, account: Account, order: Order, price: int, lots: int, is_maker: bool) -> None:
    """Book ``lots`` of ``order`` filled at ``price`` (ticks) and queue the execution event."""
    inst = order.inst
    market = desk.market_of(inst)
    now = desk.now
    value = inst.value_of(price, lots)
    fee_rate = inst.maker_fee if is_maker else inst.taker_fee
    if inst.is_linear:
        fee, pnl, closed = _settle_linear(desk, account, order, price, lots, value * fee_rate, market.seq)
    else:
        fee, pnl, closed = _settle_spot(account, order, lots, value, fee_rate), ZERO, 0
        desk.outbox.wallet(account)
    order.cum_qty += lots
    order.cum_value += value
    order.cum_fee += fee
    order.updated = now
    execution = Execution(
        desk.new_id(),
        order,
        price,
        lots,
        value,
        fee,
        fee_rate,
        is_maker,
        now,
        market.seq,
        pnl,
        closed,
        order.leaves,
        market.mark,
        market.index_ticks(),
    )
    account.executions.append(execution)
    desk.outbox.execution(account, execution)


def _settle_linear(
    desk: Desk, account: Account, order: Order, price: int, lots: int, raw_fee: Decimal, seq: int
) -> tuple[Decimal, Decimal, int]:
    """Move the position; ``(fee, realised pnl, closed lots)``."""
    now = desk.now
    fee = raw_fee.quantize(EIGHT, ROUND_HALF_UP)
    pos = account.position(order.inst, now)
    before = pos.size
    pnl, closed = pos.fill(order.buy, lots, price)
    net = pnl - fee
    account.coins["USDT"] = account.coins.get("USDT", ZERO) + net
    account.cum_realised["USDT"] = account.cum_realised.get("USDT", ZERO) + net
    if before == 0 or (pos.size and (pos.size > 0) != (before > 0)):
        pos.opened = now
        pos.cur_realised = ZERO
    pos.cum_realised += net
    pos.cur_realised += net
    pos.updated = now
    pos.seq = seq
    order.closed_pnl += net if closed else ZERO
    order.fee_coin = "USDT"
    desk.outbox.position(account, pos)
    return fee, pnl, closed


def _settle_spot(account: Account, order: Order, lots: int, value: Decimal, fee_rate: Decimal) -> Decimal:
    """Swap coins, the fee taken from the coin received; the fee."""
    spec = order.inst.spec
    base, quote = spec.base_coin, spec.quote_coin
    qty = order.inst.qty_of(lots)
    coins = account.coins
    if order.buy:
        fee = (qty * fee_rate).quantize(EIGHT, ROUND_HALF_UP)
        coins[quote] = coins.get(quote, ZERO) - value
        coins[base] = coins.get(base, ZERO) + qty - fee
        order.fee_coin = base
    else:
        fee = (value * fee_rate).quantize(EIGHT, ROUND_HALF_UP)
        coins[base] = coins.get(base, ZERO) - qty
        coins[quote] = coins.get(quote, ZERO) + value - fee
        order.fee_coin = quote
    return fee
