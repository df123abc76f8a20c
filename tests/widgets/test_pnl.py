"""The PnL panel: the ledger's numbers by symbol and in total, unrealised live, the equity curve.

Rules relied on (Bybit v5 "Get Transaction Log"): ``change = cashFlow + funding - fee`` per row, TRADE
rows carry a close's realised PnL in ``cashFlow``, funding settles as SETTLEMENT rows. ``POST
/sim/funding`` settles now (design.md).
"""

from __future__ import annotations

import asyncio
import time
from array import array
from decimal import Decimal

import pytest

import bybit_widgets as bw

from .conftest import live_session, wait_for

ETH = {"category": "linear", "symbol": "ETHUSDT"}
BTC = {"category": "linear", "symbol": "BTCUSDT"}


def ledger_totals(rows, symbol):
    mine = [r for r in rows if r.symbol == symbol]
    realised = sum((r.cash_flow for r in mine if r.type == "TRADE"), Decimal(0))
    return realised, sum((r.fee for r in mine), Decimal(0)), sum((r.funding for r in mine), Decimal(0))


def test_the_panel_shows_the_ledger_to_the_cent_and_reads_it_only_when_the_wallet_moves(sim, account):
    async def main():
        async with live_session(sim, account) as session:
            client = session.aclient
            panel = bw.PnL(session=session)
            began = time.monotonic()
            await client.place_order(**ETH, side="Buy", order_type="Market", qty="0.50")
            await client.place_order(**BTC, side="Sell", order_type="Market", qty="0.010")
            await wait_for(lambda: {r["symbol"] for r in panel.rows} == {"ETHUSDT", "BTCUSDT"}, what="two symbols")
            await asyncio.to_thread(sim.settle_funding, "ETHUSDT")
            await client.place_order(**ETH, side="Sell", order_type="Market", qty="0.20")
            rows = list(await client.all_pages("get_transaction_log", start_time=session.started_ms))
            assert sorted({r.type for r in rows}) == ["SETTLEMENT", "TRADE"]  # (a market order may fill in parts)
            want = {s: ledger_totals(rows, s) for s in ("ETHUSDT", "BTCUSDT")}

            def shown():
                got = {
                    r["symbol"]: (Decimal(r["realised"]), Decimal(r["fees"]), Decimal(r["funding"])) for r in panel.rows
                }
                return got == want

            await wait_for(shown, what="the panel to show the ledger")
            fills = sum(r.type == "TRADE" for r in rows)
            await wait_for(lambda: len(panel.fills) == fills * 16, what="a mark per fill")
            await wait_for(lambda: len(panel.curve) >= 16, what="an equity point")
            took = time.monotonic() - began
            held = panel._account.open_positions()
            # two open positions, each marked live (their PnL may round to 0.00 when the mark sits at the entry)
            assert sorted(p.symbol for p in held) == ["BTCUSDT", "ETHUSDT"]
            assert all(panel._marks.mark(p) is not None for p in held)
            snapshot = ([dict(r) for r in panel.rows], dict(panel.total), panel.ledger.reads, took, panel.curve)
            panel.close()
            return snapshot, rows

    (shown_rows, total, reads, took, curve), rows = asyncio.run(main())
    by_symbol = {r["symbol"]: r for r in shown_rows}
    eth = by_symbol["ETHUSDT"]
    trades = {s: sum(r.type == "TRADE" and r.symbol == s for r in rows) for s in ("ETHUSDT", "BTCUSDT")}
    assert Decimal(eth["funding"]) != 0 and eth["trades"] == trades["ETHUSDT"] >= 2
    assert by_symbol["BTCUSDT"]["trades"] == trades["BTCUSDT"] >= 1
    change = sum((r.change for r in rows), Decimal(0))
    assert Decimal(total["realised"]) - Decimal(total["fees"]) + Decimal(total["funding"]) == change
    each = sum((Decimal(r["unrealised"]) for r in shown_rows), Decimal(0))
    assert abs(Decimal(total["unrealised"]) - each) <= Decimal("0.01")
    # (both shown to the cent, each rounded from the exact figure)
    assert abs(Decimal(total["net"]) - (change + Decimal(total["unrealised"]))) <= Decimal("0.01")
    # at most one read per gap of 0.25 s (plus the first and one follow-up), whatever happened meanwhile
    assert 2 <= reads <= took / 0.25 + 2, (reads, took)
    t, equity = array("d", curve)[-2:]
    assert abs(t / 1000 - time.time()) < 60 and equity > 0


def test_without_keys_the_panel_says_why_and_a_bad_start_is_refused(sim):
    async def main():
        async with live_session(sim) as session:
            panel = bw.PnL(session=session)
            with pytest.raises(ValueError, match="ms since the epoch"):
                bw.PnL(session=session, since="yesterday")
            state = (panel.available, panel.unavailable_reason)
            panel.close()
            return state

    available, reason = asyncio.run(main())
    assert not available and "api_key" in reason


def test_a_panel_since_more_than_7_days_ago_counts_the_fills_of_8_days_ago_and_of_today():
    day = 86_400_000
    with (
        bw.sim.run(seed=5) as exchange,
        bw.Client(exchange.api_key, exchange.api_secret, base_url=exchange.rest_url) as c,
    ):
        exchange.core.clock.skew_ms = -8 * day  # the exchange's clock 8 days back for a round trip, then put right
        c.place_order(**ETH, side="Buy", order_type="Market", qty="0.10")
        c.close_position("linear", "ETHUSDT")
        exchange.core.clock.skew_ms = 0
        now = int(time.time() * 1000)

        async def main():
            async with live_session(exchange, (exchange.api_key, exchange.api_secret)) as session:
                panel = bw.PnL(session=session, since=now - 9 * day)
                await session.aclient.place_order(**ETH, side="Buy", order_type="Market", qty="0.10")
                today = await session.aclient.get_transaction_log(start_time=now)  # within Bybit's 24 h: as asked
                old = await session.aclient.get_transaction_log(start_time=now - 9 * day, end_time=now - 2 * day)
                want = ledger_totals([*today, *old], "ETHUSDT")
                await wait_for(lambda: [r["trades"] for r in panel.rows] == [len(today) + len(old)], what="all fills")
                (row,) = panel.rows
                panel.close()
                return row, want, {(now - r.time) // day for r in old}

        row, want, old_ages = asyncio.run(main())
        c.close_position("linear", "ETHUSDT")
    assert old_ages == {8} and (Decimal(row["realised"]), Decimal(row["fees"]), Decimal(row["funding"])) == want
