"""Backfill (REST history merged into live kline/trade feeds) and the account feed, against the embedded exchange."""

from __future__ import annotations

import asyncio

import pytest

import bybit_widgets as bw
from bybit_widgets.protocol.errors import ParameterError
from bybit_widgets.stream import StreamManager

from .support import FAST, off_loop, run, wait_for


@pytest.fixture(scope="module")
def sim():
    with bw.sim.run(seed=3) as exchange:
        yield exchange


@pytest.fixture(autouse=True)
def _clean_sim(sim):
    yield
    sim.clear_faults()
    sim.resume()


def _streams(sim, client, keys=None):
    key, secret = keys or (None, None)
    return StreamManager(base_ws_url=sim.ws_url, api_key=key, api_secret=secret, rest=client, **FAST)


def _starts(feed):
    return [k.start for k in feed.latest]


def test_kline_backfill_gives_the_rest_history_then_the_live_candles_once_per_start(sim):
    async def main():
        client = bw.AsyncClient(base_url=sim.rest_url)
        async with _streams(sim, client) as streams:
            feed = streams.kline("BTCUSDT", "1", backfill=50)
            await wait_for(lambda: feed.backfills == 1, what="the history")
            page = await client.get_kline(category="linear", symbol="BTCUSDT", interval="1", limit=50)
            first = list(feed.latest)
            await feed.next(10)
            after = _starts(feed)
        await client.aclose()
        return page, first, after

    page, first, after = run(main())
    starts = [k.start for k in first]
    assert starts == sorted(set(starts)) and len(starts) >= 50
    assert {k.start for k in page} <= set(after)
    assert after == sorted(set(after)) and after[: len(starts)] == starts


def test_trades_backfill_holds_each_trade_once_in_time_order(sim):
    async def main():
        client = bw.AsyncClient(base_url=sim.rest_url)
        async with _streams(sim, client) as streams:
            feed = streams.trades("BTCUSDT", maxlen=500, backfill=100)
            await wait_for(lambda: feed.backfills == 1, what="the recent trades")
            page = await client.get_recent_trades(category="linear", symbol="BTCUSDT", limit=100)
            for _ in range(3):
                await feed.next(10)
            held = list(feed.latest)
        await client.aclose()
        return page, held

    page, held = run(main())
    ids = [t.trade_id for t in held]
    assert len(ids) == len(set(ids))
    assert [t.time for t in held] == sorted(t.time for t in held)
    oldest = held[0].time
    assert {t.trade_id for t in page if t.time >= oldest} <= set(ids)


def test_a_reconnect_keeps_the_history_and_loads_it_again(sim):
    async def main():
        client = bw.AsyncClient(base_url=sim.rest_url)
        async with _streams(sim, client) as streams:
            feed = streams.kline("BTCUSDT", "1", backfill=60)
            await wait_for(lambda: feed.backfills == 1, what="the history")
            before = _starts(feed)
            await off_loop(sim.fault, "drop", target="public")
            await wait_for(
                lambda: feed.stats.reconnects == 1 and feed.state == "live" and feed.backfills == 2,
                what="reconnected and refilled",
            )
            after = _starts(feed)
        await client.aclose()
        return before, after

    before, after = run(main())
    assert set(before) <= set(after) and after == sorted(set(after))


def test_a_feed_without_a_rest_source_refuses_backfill_and_is_unchanged_without_it(sim):
    async def main():
        async with StreamManager(base_ws_url=sim.ws_url, **FAST) as streams:
            with pytest.raises(ParameterError, match="REST source"):
                streams.kline("BTCUSDT", "1", backfill=10)
            feed = streams.trades("BTCUSDT")
            await feed.next(10)
            return feed.backfills

    assert run(main()) == 0


def test_an_account_feed_without_a_rest_source_streams_and_says_it_has_no_seed(sim):
    async def main():
        keys = bw.sim.generate_keys()
        await off_loop(sim.add_account, *keys)
        client = bw.AsyncClient(api_key=keys[0], api_secret=keys[1], base_url=sim.rest_url)
        async with _streams(sim, None, keys) as streams:
            account = streams.account()
            release = account.acquire(lambda: None)
            await asyncio.gather(*(f.ready(10) for f in account.feeds))
            ticker = await client.get_tickers(category="linear", symbol="BTCUSDT")
            far = str(round(float(ticker[0].bid1_price) * 0.8, 1))
            late = await client.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=far
            )
            await wait_for(lambda: late.order_id in {o.order_id for o in account.open_orders()}, what="streamed")
            release()
        await client.aclose()
        return account

    account = run(main())
    assert not account.seeded
    assert isinstance(account.error, ParameterError) and "no REST source" in str(account.error)


def test_the_account_feed_is_seeded_follows_the_streams_and_is_seeded_again_after_a_reconnect(sim):
    async def main():
        keys = bw.sim.generate_keys()
        await off_loop(sim.add_account, *keys)
        client = bw.AsyncClient(api_key=keys[0], api_secret=keys[1], base_url=sim.rest_url)
        ticker = await client.get_tickers(category="linear", symbol="BTCUSDT")
        far = str(round(float(ticker[0].bid1_price) * 0.8, 1))
        early = await client.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=far
        )
        async with _streams(sim, client, keys) as streams:
            account = streams.account()
            changes = []  # account.seeded at every change the account reports
            release = account.acquire(lambda: changes.append(account.seeded))
            await wait_for(lambda: account.seeded, what="the seed")
            seeded = [o.order_id for o in account.open_orders("BTCUSDT")]
            await asyncio.gather(*(f.ready(10) for f in account.feeds))
            late = await client.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=far
            )
            await wait_for(lambda: late.order_id in {o.order_id for o in account.open_orders()}, what="streamed")
            mark = len(changes)
            await off_loop(sim.fault, "drop", target="all")
            await wait_for(lambda: False in changes[mark:] and account.seeded, what="the drop noticed, seeded again")
            merged = {o.order_id for o in account.open_orders("BTCUSDT")}
            release()
            closed = all(f.closed for f in account.feeds) and not account.feeds
        await client.aclose()
        return early, late, seeded, merged, bool(changes), closed, account

    early, late, seeded, merged, changed, closed, account = run(main())
    assert seeded == [early.order_id]
    assert {early.order_id, late.order_id} <= merged
    assert changed and closed and account.error is None
