"""Hedge mode on the exchange over real sockets, on both faces, judged on the wallet and the ledger.

Rules relied on (Bybit v5 docs, "Switch Position Mode", "Place Order", "Get Position Info"):
``/v5/position/switch-mode`` takes ``symbol`` or ``coin`` and ``mode`` 0 (one-way) / 3 (hedge), and
refuses with 110025 when nothing changes, 110024 with a position, 110028 with open orders; in hedge
mode ``positionIdx`` 1 is the Buy side and 2 the Sell side, both rows listed for a symbol; an order
whose ``positionIdx`` does not fit the mode is refused with 10001; a closing order reduces only.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from decimal import Decimal

import httpx
import pytest

import bybit_widgets as bw
from bybit_widgets.protocol import errors as E
from bybit_widgets.protocol.positions import HEDGE_BUY, HEDGE_SELL, MODE_HEDGE, MODE_ONE_WAY
from bybit_widgets.stream import StreamManager
from tests.integration.stream.support import wait_for

from .conftest import truth

ETH = {"category": "linear", "symbol": "ETHUSDT"}
_keys = itertools.count()


@pytest.fixture
def fresh(sim):
    """A client on an account of its own (its modes and positions start clean)."""
    key, secret = f"hedge-{next(_keys)}", "hedge-secret"
    sim.add_account(key, secret)
    with bw.Client(key, secret, base_url=sim.rest_url, timeout=2.0) as client:
        yield client


def usdt(sim, api_key: str) -> Decimal:
    wallet = truth(sim, "wallet", api_key=api_key)
    return Decimal(next(c for c in wallet["coin"] if c["coin"] == "USDT")["walletBalance"])


def test_a_hedged_symbol_holds_a_long_and_a_short_that_never_net(fresh, sim):
    fresh.switch_position_mode(**ETH, mode=MODE_HEDGE)
    rows = fresh.get_positions(**ETH)
    assert [(p.position_idx, p.size, p.key) for p in rows] == [
        (HEDGE_BUY, 0, "ETHUSDT/long"),
        (HEDGE_SELL, 0, "ETHUSDT/short"),
    ]
    fresh.place_order(**ETH, side="Buy", order_type="Market", qty="0.30", position_idx=HEDGE_BUY)
    fresh.place_order(**ETH, side="Sell", order_type="Market", qty="0.20", position_idx=HEDGE_SELL)
    long, short = fresh.get_positions(**ETH)
    assert (long.side, long.size, short.side, short.size) == ("Buy", Decimal("0.30"), "Sell", Decimal("0.20"))
    held = {(p["positionIdx"], p["side"], p["size"]) for p in truth(sim, "positions", api_key=fresh.api_key)}
    assert held == {(1, "Buy", "0.30"), (2, "Sell", "0.20")}


def test_a_closing_order_reduces_its_own_side_only_and_never_flips_it(fresh):
    fresh.switch_position_mode(**ETH, mode=MODE_HEDGE)
    fresh.place_order(**ETH, side="Buy", order_type="Market", qty="0.30", position_idx=HEDGE_BUY)
    fresh.place_order(**ETH, side="Sell", order_type="Market", qty="0.20", position_idx=HEDGE_SELL)
    close = fresh.place_order(**ETH, side="Sell", order_type="Market", qty="0.50", position_idx=HEDGE_BUY)
    (order,) = [o for o in fresh.get_order_history(**ETH, order_id=close.order_id)]
    assert order.reduce_only and order.cum_exec_qty == Decimal("0.30")  # trimmed to the long it closes
    long, short = fresh.get_positions(**ETH)
    assert (long.size, short.size, short.side) == (0, Decimal("0.20"), "Sell")
    with pytest.raises(E.InvalidOrderError, match="position is zero"):
        fresh.place_order(**ETH, side="Sell", order_type="Market", qty="0.10", position_idx=HEDGE_BUY)


def test_a_position_index_that_does_not_fit_the_mode_is_refused_with_bybits_code(fresh):
    with pytest.raises(E.BybitError, match="position idx not match position mode") as one_way:
        fresh.place_order(**ETH, side="Buy", order_type="Market", qty="0.10", position_idx=HEDGE_BUY)
    fresh.switch_position_mode(**ETH, mode=MODE_HEDGE)
    with pytest.raises(E.BybitError, match="position idx not match position mode") as hedged:
        fresh.place_order(**ETH, side="Buy", order_type="Market", qty="0.10")
    assert one_way.value.ret_code == hedged.value.ret_code == 10001
    with pytest.raises(E.ParameterError, match="position_idx"):
        fresh.place_order(**ETH, side="Buy", order_type="Market", qty="0.10", position_idx=3)


def test_switching_is_refused_with_a_position_or_open_orders_and_when_nothing_changes(fresh):
    with pytest.raises(E.NotModifiedError) as same:
        fresh.switch_position_mode(**ETH, mode=MODE_ONE_WAY)
    assert same.value.ret_code == 110025
    fresh.place_order(**ETH, side="Buy", order_type="Market", qty="0.10")
    with pytest.raises(E.PositionError) as with_position:
        fresh.switch_position_mode(**ETH, mode=MODE_HEDGE)
    assert with_position.value.ret_code == 110024
    fresh.close_position("linear", "ETHUSDT")
    book = fresh.get_orderbook(**ETH, limit=1)
    fresh.place_order(**ETH, side="Buy", order_type="Limit", qty="0.10", price=str(book.bids[0].price - 50))
    with pytest.raises(E.PositionError) as with_order:
        fresh.switch_position_mode(**ETH, mode=MODE_HEDGE)
    assert with_order.value.ret_code == 110028
    fresh.cancel_all_orders(**ETH)
    fresh.switch_position_mode(category="linear", coin="USDT", mode=MODE_HEDGE)  # every USDT contract
    assert [p.position_idx for p in fresh.get_positions(category="linear", symbol="BTCUSDT")] == [1, 2]
    with pytest.raises(E.ParameterError, match="symbol= or coin="):
        fresh.switch_position_mode(category="linear", mode=MODE_ONE_WAY)


def test_close_position_flattens_both_sides_and_funding_pays_each_side_on_its_own(fresh, sim):
    fresh.switch_position_mode(**ETH, mode=MODE_HEDGE)
    since = int(time.time() * 1000)
    before = usdt(sim, fresh.api_key)
    fresh.place_order(**ETH, side="Buy", order_type="Market", qty="0.30", position_idx=HEDGE_BUY)
    fresh.place_order(**ETH, side="Sell", order_type="Market", qty="0.30", position_idx=HEDGE_SELL)
    settled = httpx.post(f"{sim.rest_url}/sim/funding", json={"symbol": "ETHUSDT"}).json()
    assert settled["settled"] >= 2
    fresh.close_position("linear", "ETHUSDT")
    assert [p.size for p in fresh.get_positions(**ETH)] == [0, 0]
    rows = [r for r in fresh.all_pages("get_transaction_log", start_time=since) if r.symbol == "ETHUSDT"]
    funding = [r for r in rows if r.type == "SETTLEMENT"]
    assert len(funding) == 2 and funding[0].funding == -funding[1].funding  # equal sizes: long pays what short gets
    assert sum(r.change for r in rows) == usdt(sim, fresh.api_key) - before
    records = fresh.get_closed_pnl(**ETH, start_time=since)
    assert {r.side for r in records} == {"Buy", "Sell"}  # each side closed (a market close may fill in parts)
    for record in records:  # the long closes with a Sell, the short with a Buy
        gross = record.cum_exit_value - record.cum_entry_value
        gross = gross if record.side == "Sell" else -gross
        assert record.closed_pnl == gross - record.open_fee - record.close_fee


def test_tp_sl_and_leverage_follow_the_side_they_are_set_on(fresh):
    fresh.switch_position_mode(**ETH, mode=MODE_HEDGE)
    fresh.place_order(**ETH, side="Buy", order_type="Market", qty="0.10", position_idx=HEDGE_BUY)
    fresh.place_order(**ETH, side="Sell", order_type="Market", qty="0.10", position_idx=HEDGE_SELL)
    mark = fresh.get_positions(**ETH)[0].mark_price
    fresh.set_trading_stop(
        **ETH, position_idx=HEDGE_BUY, take_profit=str((mark * Decimal("1.2")).quantize(Decimal("0.01")))
    )
    fresh.set_trading_stop(
        **ETH, position_idx=HEDGE_SELL, take_profit=str((mark * Decimal("0.8")).quantize(Decimal("0.01")))
    )
    long, short = fresh.get_positions(**ETH)
    assert long.take_profit > mark > short.take_profit
    with pytest.raises(E.BybitError, match="position idx not match"):
        fresh.set_trading_stop(**ETH, position_idx=0, stop_loss=str(mark))
    fresh.set_leverage(**ETH, buy_leverage=5)
    assert [p.leverage for p in fresh.get_positions(**ETH)] == [5, 5]


def test_the_private_stream_carries_both_rows_and_the_async_face_switches_too(sim):
    key, secret = "hedge-stream", "hedge-secret"
    sim.add_account(key, secret)

    async def scenario():
        streams = StreamManager(base_ws_url=sim.ws_url, api_key=key, api_secret=secret)
        async with streams, bw.AsyncClient(key, secret, base_url=sim.rest_url) as aclient:
            feed = streams.positions()
            await wait_for(lambda: feed.state == "live")
            await aclient.switch_position_mode(**ETH, mode=MODE_HEDGE)
            await aclient.place_order(**ETH, side="Buy", order_type="Market", qty="0.20", position_idx=HEDGE_BUY)
            await aclient.place_order(**ETH, side="Sell", order_type="Market", qty="0.10", position_idx=HEDGE_SELL)
            await wait_for(lambda: {"ETHUSDT/long", "ETHUSDT/short"} <= set(feed.latest or {}))
            await wait_for(lambda: feed.latest["ETHUSDT/short"].size == Decimal("0.10"))
            return dict(feed.latest)

    latest = asyncio.run(scenario())
    assert latest["ETHUSDT/long"].size == Decimal("0.20") and latest["ETHUSDT/long"].side == "Buy"
    assert latest["ETHUSDT/short"].side == "Sell"  # the long row never overwrote the short one


def test_margin_mode_cross_is_accepted_and_the_others_refused_in_plain_words(fresh):
    assert fresh.set_margin_mode(set_margin_mode="REGULAR_MARGIN") is None
    with pytest.raises(E.BybitError, match="cross margin") as refused:
        fresh.set_margin_mode(set_margin_mode="ISOLATED_MARGIN")
    assert refused.value.ret_code == 3400045
    with pytest.raises(E.ParameterError, match="set_margin_mode"):
        fresh.set_margin_mode(set_margin_mode="cross")
