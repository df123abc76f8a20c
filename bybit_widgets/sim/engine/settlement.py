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
from .ledger import LinearFill
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
    maker_fee, taker_fee = account.fees_of(inst)
    fee_rate = maker_fee if is_maker else taker_fee
    fill = None
    if inst.is_linear:
        fill = _settle_linear(desk, account, order, price, lots, fee_rate, market.seq)
        fee, pnl, closed = fill.fee, fill.pnl, fill.closed
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
    if fill is not None:
        account.ledger.trade(order, fill, execution.exec_id, account.coins["USDT"], now)
    desk.outbox.execution(account, execution)


def _settle_linear(
    desk: Desk, account: Account, order: Order, price: int, lots: int, fee_rate: Decimal, seq: int
) -> LinearFill:
    """Move the position and book its money; what the fill did, for the ledger.

    The fee of a fill that closes splits by lots: the closed lots' part is a closing fee, the rest
    (a fill that flips the position) opens the new one and joins its ``open_fee``.
    """
    now = desk.now
    fee = (order.inst.value_of(price, lots) * fee_rate).quantize(EIGHT, ROUND_HALF_UP)
    pos = account.position_of(order, now)
    before, held, carried = pos.size, abs(pos.size), pos.open_fee
    pnl, closed = pos.fill(order.buy, lots, price)
    close_fee = open_fee = entry_value = ZERO
    if closed:
        close_fee = fee if closed == lots else (fee * closed / lots).quantize(EIGHT, ROUND_HALF_UP)
        open_fee = carried if closed == held else (carried * closed / held).quantize(EIGHT, ROUND_HALF_UP)
        exit_value = order.inst.value_of(price, closed)
        entry_value = exit_value - pnl if before > 0 else exit_value + pnl
        pos.open_fee = carried - open_fee
    pos.open_fee += fee - close_fee
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
    return LinearFill(lots, price, fee, fee_rate, pnl, closed, entry_value, open_fee, close_fee, pos.size)


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
