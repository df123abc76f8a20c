"""Closed PnL, the transaction log and funding over real sockets, on both faces, judged on the wallet.

Rules relied on (Bybit v5 docs): from one bound alone (or none) closed PnL serves 7 days and the
transaction log 24 hours, both at most 7 days between two bounds, newest first, paged by
``nextPageCursor``; ``change = cashFlow + funding - fee``, ``funding`` positive when received;
funding settles as a ``SETTLEMENT`` row. ``POST /sim/funding`` settles now (design.md).
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import httpx
import pytest

import bybit_widgets as bw
from bybit_widgets.protocol import errors as E
from bybit_widgets.protocol.records import ClosedPnl, Transaction
from bybit_widgets.stream import StreamManager
from tests.integration.stream.support import wait_for

from .conftest import truth

BTC = {"category": "linear", "symbol": "BTCUSDT"}
ETH = {"category": "linear", "symbol": "ETHUSDT"}
DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def old_fill():
    """An exchange of its own whose account made a round trip 8 days ago, then one today.

    The exchange's clock is set back 8 days (further than a ``clock_skew`` fault goes) for the old fills
    and put right after, so those fills are booked, and served, as 8 days old; the client, which signs
    with the server's time, resyncs on the 10002 that follows.
    """
    with (
        bw.sim.run(seed=11) as exchange,
        bw.Client(exchange.api_key, exchange.api_secret, base_url=exchange.rest_url) as c,
    ):
        exchange.core.clock.skew_ms = -8 * DAY_MS
        c.place_order(**ETH, side="Buy", order_type="Market", qty="0.10")
        c.close_position("linear", "ETHUSDT")
        exchange.core.clock.skew_ms = 0
        c.place_order(**ETH, side="Buy", order_type="Market", qty="0.10")
        c.close_position("linear", "ETHUSDT")
        yield exchange


def usdt(sim) -> Decimal:
    wallet = truth(sim, "wallet", api_key=sim.api_key)
    return Decimal(next(c for c in wallet["coin"] if c["coin"] == "USDT")["walletBalance"])


def test_a_round_trip_with_funding_is_told_by_the_ledger_to_the_cent(client, sim):
    since = int(time.time() * 1000)
    before = usdt(sim)
    opened = client.place_order(**BTC, side="Buy", order_type="Market", qty="0.010")
    settled = httpx.post(f"{sim.rest_url}/sim/funding", json={"symbol": "BTCUSDT"}).json()
    closed = client.place_order(**BTC, side="Sell", order_type="Market", qty="0.010")
    after = usdt(sim)
    rows = [r for r in client.all_pages("get_transaction_log", start_time=since, limit=2) if r.symbol == "BTCUSDT"]
    assert [r.type for r in rows] == ["TRADE", "SETTLEMENT", "TRADE"] and all(isinstance(r, Transaction) for r in rows)
    assert rows[0].order_id == closed.order_id and rows[2].order_id == opened.order_id  # newest first
    assert sum(r.change for r in rows) == after - before
    assert all(r.change == r.cash_flow + r.funding - r.fee for r in rows)
    funding = rows[1]
    assert settled["settled"] == 1 and funding.fee_rate == Decimal(settled["fundingRate"])
    assert funding.funding == -(funding.qty * funding.trade_price * funding.fee_rate).quantize(Decimal("1e-8"))
    (record,) = client.get_closed_pnl(**BTC, start_time=since, end_time=int(time.time() * 1000) + 1000)
    assert isinstance(record, ClosedPnl) and record.order_id == closed.order_id
    assert record.closed_size == Decimal("0.010")
    gross = record.cum_exit_value - record.cum_entry_value
    assert record.closed_pnl == gross - record.open_fee - record.close_fee
    assert record.open_fee == rows[2].fee and record.close_fee == rows[0].fee and gross == rows[0].cash_flow


def test_both_faces_read_the_same_ledger_and_bybit_rules_are_checked_before_sending(sim):
    async def read_async():
        async with bw.AsyncClient(sim.api_key, sim.api_secret, base_url=sim.rest_url) as aclient:
            return await aclient.get_transaction_log(limit=50), await aclient.get_closed_pnl(category="linear")

    with bw.Client(sim.api_key, sim.api_secret, base_url=sim.rest_url) as client:
        client.place_order(**BTC, side="Buy", order_type="Market", qty="0.001")
        client.close_position("linear", "BTCUSDT")
        log, pnl = client.get_transaction_log(limit=50), client.get_closed_pnl(category="linear")
        with pytest.raises(E.ParameterError, match="limit must be between 1 and 50"):
            client.get_transaction_log(limit=51)
        with pytest.raises(E.ParameterError, match="category must be one of 'linear', 'inverse'"):
            client.get_closed_pnl(category="spot")
    alog, apnl = asyncio.run(read_async())
    assert [r.id for r in alog] == [r.id for r in log] and [r.to_dict() for r in apnl] == [r.to_dict() for r in pnl]
    assert pnl and all(r.time <= time.time() * 1000 for r in pnl)


def test_funding_reaches_the_private_stream_as_the_new_wallet_balance(sim):
    async def main():
        async with (
            bw.AsyncClient(sim.api_key, sim.api_secret, base_url=sim.rest_url) as aclient,
            StreamManager(base_ws_url=sim.ws_url, api_key=sim.api_key, api_secret=sim.api_secret) as streams,
        ):
            await aclient.place_order(**BTC, side="Sell", order_type="Market", qty="0.020")
            wallet = streams.wallet()
            await wallet.ready(10)
            await asyncio.to_thread(httpx.post, f"{sim.rest_url}/sim/funding", json={"symbol": "BTCUSDT"})
            (row,) = await aclient.get_transaction_log(type="SETTLEMENT", limit=1)
            await wait_for(
                lambda: wallet.latest is not None and wallet.latest.coins["USDT"].wallet_balance == row.cash_balance,
                10,
                "the wallet after funding on the private stream",
            )
            await aclient.close_position("linear", "BTCUSDT")
            return row

    row = asyncio.run(main())
    assert row.funding > 0 and row.side == "Sell", "a short receives a positive rate"


def test_history_from_a_start_older_than_7_days_reaches_now_with_or_without_an_end_on_both_faces(old_fill):
    now = int(time.time() * 1000)
    since = now - 9 * DAY_MS

    def read(c):
        return (
            c.get_transaction_log(start_time=since),
            c.all_pages("get_transaction_log", start_time=since, limit=1),
            c.all_pages("get_transaction_log", start_time=since, end_time=now + 60_000, limit=1),
            c.get_closed_pnl(category="linear", start_time=since),
            c.all_pages("get_closed_pnl", category="linear", start_time=since, limit=1),
        )

    async def read_async():
        async with bw.AsyncClient(old_fill.api_key, old_fill.api_secret, base_url=old_fill.rest_url) as aclient:
            return await asyncio.gather(*read(aclient))

    with bw.Client(old_fill.api_key, old_fill.api_secret, base_url=old_fill.rest_url) as client:
        answers = [*read(client), *asyncio.run(read_async())]
    logs, pnls = answers[0:3] + answers[5:8], answers[3:5] + answers[8:10]
    for same in (logs, pnls):  # every way of asking, on both faces, reads the same rows, old ones included
        assert all([r.to_dict() for r in rows] == [r.to_dict() for r in same[0]] for rows in same)
        ages = [(now - row.time) // DAY_MS for row in same[0]]
        assert ages == sorted(ages) and set(ages) == {0, 8}, "today's rows first, then those of 8 days ago"
    assert all(rows.next_page_cursor == "" for rows in answers)
