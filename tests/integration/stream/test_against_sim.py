"""Streams against the embedded exchange and its fault injection, over real sockets.

After every fault kind the book must equal the exchange's ground truth (the
book as of its last push, with that push's ``u``) once recovered, and no
consumer may ever observe a crossed or unsorted book on the way.
"""

from __future__ import annotations

import asyncio
import random
import time
from decimal import Decimal

import pytest

import bybit_widgets as bw
from bybit_widgets.stream import Backoff, StreamManager

from .support import FAST, BookChecker, off_loop, run, wait_for

TOPIC = "orderbook.50.BTCUSDT"


@pytest.fixture(scope="module")
def sim():
    with bw.sim.run(seed=1) as exchange:
        yield exchange


@pytest.fixture(autouse=True)
def _clean_sim(sim):
    yield
    sim.clear_faults()
    sim.resume()


async def assert_matches_truth(sim, feed, depth: int = 50, symbol: str = "BTCUSDT", category: str = "linear"):
    """Freeze the market, let the feed catch up with the last push, compare every level exactly."""
    await off_loop(sim.pause)
    try:
        truth = await off_loop(sim.truth_book, symbol, depth, category)
        await wait_for(
            lambda: feed.latest is not None and feed.latest.u == truth["u"] and feed.state == "live",
            timeout=5,
            what=f"{feed.topic} at truth u={truth['u']}",
        )
        view = feed.latest
        assert view.bids == [(float(p), float(q)) for p, q in truth["b"]]
        assert view.asks == [(float(p), float(q)) for p, q in truth["a"]]
        assert len(view.bids) == len(view.asks) == depth
    finally:
        await off_loop(sim.resume)


async def live_book(streams, checker=None, symbol="BTCUSDT", depth=50, category="linear"):
    feed = streams.order_book(symbol, depth=depth, category=category)
    feed.on(checker or BookChecker())
    await feed.ready(10)
    return feed


def test_book_matches_truth_and_updates_continuously(sim):
    async def main():
        async with StreamManager(base_ws_url=sim.ws_url, **FAST) as streams:
            checker = BookChecker()
            book = await live_book(streams, checker)
            spot = await live_book(streams, checker, category="spot", depth=200)
            u0 = book.latest.u
            await wait_for(lambda: book.latest.u >= u0 + 5, what="five pushes")
            await assert_matches_truth(sim, book)
            await assert_matches_truth(sim, spot, depth=200, category="spot")
            assert checker.seen > 5 and not checker.violations
            assert book.stats.gaps == book.stats.resyncs == book.stats.errors == 0
            assert len(streams.stats) == 2  # one connection per category in use

    run(main())


def test_level_one_book_is_snapshots_only_and_counts_no_resets(sim):
    async def main():
        async with StreamManager(base_ws_url=sim.ws_url, **FAST) as streams:
            checker = BookChecker()
            top = await live_book(streams, checker, depth=1)
            await wait_for(lambda: top.stats.messages >= 5, what="a few level-1 pushes")
            await assert_matches_truth(sim, top, depth=1)
            stats = top.stats
            assert stats.resets == stats.gaps == stats.errors == 0 and not checker.violations

    run(main())


def test_ticker_deltas_merge_to_the_exchanges_ticker_and_klines_and_trades_flow(sim):
    async def main():
        client = bw.AsyncClient(base_url=sim.rest_url)
        async with StreamManager(base_ws_url=sim.ws_url, **FAST) as streams:
            ticker = await streams.ticker("BTCUSDT").ready(10)
            klines = await streams.kline("BTCUSDT", interval="1").ready(10)
            trades = await streams.trades("BTCUSDT", maxlen=20).ready(10)
            await wait_for(
                lambda: ticker.stats.messages > 5 and len(trades.latest or []) >= 3 and klines.latest,
                timeout=10,
                what="tickers, trades and a candle",
            )
            await off_loop(sim.pause)
            try:
                rest = (await client.get_tickers(category="linear", symbol="BTCUSDT"))[0]
                fields = ("last_price", "bid1_price", "ask1_price", "mark_price", "index_price", "volume_24h")
                await wait_for(
                    lambda: all(getattr(ticker.latest, f) == getattr(rest, f) for f in fields),
                    what="merged ticker equal to the exchange's",
                )
            finally:
                await off_loop(sim.resume)
            candles = klines.latest
            assert [k.start for k in candles] == sorted(k.start for k in candles)
            assert candles[-1].low <= candles[-1].close <= candles[-1].high
            got = trades.latest
            assert len(got) <= 20 and [t.time for t in got] == sorted(t.time for t in got)
            assert all(t.symbol == "BTCUSDT" and t.side in ("Buy", "Sell") and t.size > 0 for t in got)
        await client.aclose()

    run(main())


def test_a_symbol_the_exchange_lacks_is_refused_to_the_awaiting_caller(sim):
    async def main():
        async with StreamManager(base_ws_url=sim.ws_url, **FAST) as streams:
            good = streams.order_book("BTCUSDT")
            bad = streams.order_book("NOSUCHUSDT")
            with pytest.raises(bw.stream.SubscriptionRefused) as info:
                await bad.ready(10)
            assert "NOSUCHUSDT" in str(info.value) and bad.state == "closed"
            await good.ready(10)  # the other topic of the same request is served
            assert good.latest.best_bid < good.latest.best_ask

    run(main())


@pytest.mark.parametrize("kind", ["gap", "duplicate", "reorder", "reset"])
def test_sequence_faults_recover_to_the_truth(sim, kind):
    async def main():
        async with StreamManager(base_ws_url=sim.ws_url, **FAST) as streams:
            checker = BookChecker()
            book = await live_book(streams, checker)
            await off_loop(sim.fault, kind, topic=TOPIC)
            expected = {
                "gap": lambda s: s.gaps == 1 and s.resyncs == 1,
                "reorder": lambda s: s.gaps == 1 and s.resyncs == 1,
                "duplicate": lambda s: s.duplicates == 1,
                "reset": lambda s: s.resets == 1,
            }[kind]
            await wait_for(lambda: expected(book.stats) and book.state == "live", what=f"recovery from {kind}")
            await assert_matches_truth(sim, book)
            stats = book.stats
            assert stats.reconnects == 0 and stats.errors == 0 and not checker.violations
            if kind in ("duplicate", "reset"):
                assert stats.gaps == stats.resyncs == 0

    run(main())


@pytest.mark.parametrize("target", ["public", "all"])
def test_drop_reconnects_resubscribes_and_the_book_is_right(sim, target):
    async def main():
        async with StreamManager(
            base_ws_url=sim.ws_url, api_key=sim.api_key, api_secret=sim.api_secret, **FAST
        ) as streams:
            checker = BookChecker()
            book = await live_book(streams, checker)
            orders = await streams.orders().ready(10)
            states = []
            book.on_state(lambda s, r: states.append(s))
            await off_loop(sim.fault, "drop", target=target)
            await wait_for(lambda: book.stats.reconnects == 1 and book.state == "live", what="reconnected")
            assert "reconnecting" in states
            await assert_matches_truth(sim, book)
            if target == "all":
                await wait_for(lambda: orders.stats.reconnects == 1 and orders.state == "live", what="private back")
            assert not checker.violations

    run(main())


def test_silence_is_detected_by_the_missing_pong_and_reconnected(sim):
    async def main():
        async with StreamManager(base_ws_url=sim.ws_url, **FAST) as streams:
            checker = BookChecker()
            book = await live_book(streams, checker)
            reasons = []
            book.on_state(lambda s, r: reasons.append(r) if s == "reconnecting" else None)
            await off_loop(sim.fault, "silence", target="public", seconds=1.0)
            await wait_for(lambda: reasons, what="silence noticed")
            assert "no pong within 0.4 s" in reasons[0]
            await wait_for(lambda: book.state == "live" and book.stats.reconnects >= 1, timeout=10, what="back")
            await assert_matches_truth(sim, book)
            assert not checker.violations

    run(main())


def test_clock_skew_and_auth_expiry_are_corrected_from_the_servers_time(sim):
    async def main():
        # The client's clock runs 60 s late: expires = now + 10 s is already past on the server.
        late = lambda: time.time() * 1000 - 60_000  # noqa: E731
        async with StreamManager(
            base_ws_url=sim.ws_url, api_key=sim.api_key, api_secret=sim.api_secret, time_source=late, **FAST
        ) as streams:
            checker = BookChecker()
            book = await live_book(streams, checker)
            orders = await streams.orders().ready(10)
            assert abs(streams.stats["private"]["clock_fix_ms"] - 60_000) < 2_000
            # Now the server's clock jumps 30 s ahead, and every connection drops: re-auth must still work.
            await off_loop(sim.fault, "clock_skew", ms=30_000)
            await off_loop(sim.fault, "drop", target="all")
            await wait_for(
                lambda: orders.stats.reconnects == 1 and orders.state == "live", timeout=10, what="re-authenticated"
            )
            assert abs(streams.stats["private"]["clock_fix_ms"] - 90_000) < 2_000
            assert orders.error is None and orders.stats.errors == 0
            await wait_for(lambda: book.stats.reconnects == 1 and book.state == "live", what="book back")
            await assert_matches_truth(sim, book)
            assert not checker.violations

    run(main())


def test_private_feeds_follow_an_order_and_a_fill(sim):
    async def main():
        client = bw.AsyncClient(api_key=sim.api_key, api_secret=sim.api_secret, base_url=sim.rest_url)
        async with StreamManager(
            base_ws_url=sim.ws_url, api_key=sim.api_key, api_secret=sim.api_secret, **FAST
        ) as streams:
            orders, executions = streams.orders(), streams.executions()
            positions, wallet = streams.positions(), streams.wallet()
            await asyncio.gather(*(f.ready(10) for f in (orders, executions, positions, wallet)))
            book = await live_book(streams)
            far = round(book.latest.best_bid * 0.9, 1)
            ack = await client.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=str(far)
            )
            await wait_for(lambda: ack.order_id in orders.latest, what="order on the stream")
            assert orders.latest[ack.order_id].order_status == "New"
            await client.cancel_order(category="linear", symbol="BTCUSDT", order_id=ack.order_id)
            await wait_for(lambda: orders.latest[ack.order_id].order_status == "Cancelled", what="cancelled")
            fill = await client.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.002"
            )
            await wait_for(lambda: any(e.order_id == fill.order_id for e in executions.latest), what="execution")
            await wait_for(lambda: "BTCUSDT" in positions.latest and wallet.latest is not None, what="position")
            assert positions.latest["BTCUSDT"].size >= Decimal("0.002")
            truth = await off_loop(sim.truth_positions)
            size = next(Decimal(p["size"]) for p in truth if p["symbol"] == "BTCUSDT")
            await wait_for(lambda: positions.latest["BTCUSDT"].size == size, what="position equals the truth")
            await client.place_order(
                category="linear", symbol="BTCUSDT", side="Sell", order_type="Market", qty=str(size), reduce_only=True
            )
        await client.aclose()

    run(main())


FAULTS = ["gap", "duplicate", "reorder", "reset", "drop_public", "drop_private", "silence"]


def test_a_hundred_random_faults_leave_every_feed_live_and_accounted_for(sim):
    async def main():
        rng = random.Random(2024)
        options = {
            **FAST,
            "ping_interval": 0.1,
            "pong_timeout": 0.2,
            "subscribe_timeout": 0.5,
            "backoff": Backoff(initial=0.005, maximum=0.05),
        }
        async with StreamManager(
            base_ws_url=sim.ws_url, api_key=sim.api_key, api_secret=sim.api_secret, **options
        ) as streams:
            checker = BookChecker()
            book = await live_book(streams, checker)
            eth = await live_book(streams, checker, symbol="ETHUSDT", depth=200)
            ticker = await streams.ticker("BTCUSDT").ready(10)
            trades = await streams.trades("BTCUSDT").ready(10)
            orders = await streams.orders().ready(10)
            public = [book, eth, ticker, trades]
            counts = {kind: 0 for kind in FAULTS}
            # A silence that ends before the missing pong is noticed loses pushes: a gap on every book.
            silence_gaps = eth_silence_gaps = 0
            for _ in range(100):
                kind = rng.choice(FAULTS)
                counts[kind] += 1
                before, before_private, eth_gaps = book.stats, orders.stats.reconnects, eth.stats.gaps
                if kind in ("gap", "duplicate", "reorder", "reset"):
                    await off_loop(sim.fault, kind, topic=TOPIC)
                    check = {
                        "gap": lambda s, b=before: s.gaps == b.gaps + 1,
                        "reorder": lambda s, b=before: s.gaps == b.gaps + 1,
                        "duplicate": lambda s, b=before: s.duplicates == b.duplicates + 1,
                        "reset": lambda s, b=before: s.resets == b.resets + 1,
                    }[kind]
                    await wait_for(lambda c=check: c(book.stats) and book.state == "live", what=kind)
                elif kind == "drop_public":
                    await off_loop(sim.fault, "drop", target="public")
                    await wait_for(
                        lambda b=before: (
                            book.stats.reconnects > b.reconnects and all(f.state == "live" for f in public)
                        ),
                        what=kind,
                    )
                elif kind == "drop_private":
                    await off_loop(sim.fault, "drop", target="private")
                    await wait_for(
                        lambda b=before_private: orders.stats.reconnects > b and orders.state == "live", what=kind
                    )
                else:
                    await off_loop(sim.fault, "silence", target="public", seconds=0.3)
                    await wait_for(
                        lambda b=before: (
                            book.stats.reconnects > b.reconnects and all(f.state == "live" for f in public)
                        ),
                        timeout=10,
                        what=kind,
                    )
                    silence_gaps += book.stats.gaps - before.gaps
                    eth_silence_gaps += eth.stats.gaps - eth_gaps
            await wait_for(lambda: all(f.state == "live" for f in (*public, orders)), what="all live")
            stats = book.stats
            assert stats.gaps == counts["gap"] + counts["reorder"] + silence_gaps
            assert silence_gaps <= counts["silence"]
            assert stats.resyncs == stats.gaps
            assert stats.duplicates >= counts["duplicate"]
            assert stats.resets == counts["reset"]
            assert stats.reconnects >= counts["drop_public"] + counts["silence"]
            assert orders.stats.reconnects >= counts["drop_private"]
            assert stats.errors == 0 and not checker.violations
            await assert_matches_truth(sim, book)
            await assert_matches_truth(sim, eth, depth=200, symbol="ETHUSDT")
            assert eth.stats.gaps == eth_silence_gaps  # the sequence faults hit BTCUSDT's topic only

    run(main(), timeout=240)


def test_websocket_trading_places_and_cancels_with_state_on_the_order_feed(sim):
    async def main():
        async with StreamManager(
            base_ws_url=sim.ws_url, api_key=sim.api_key, api_secret=sim.api_secret, **FAST
        ) as streams:
            orders = await streams.orders().ready(10)
            book = await live_book(streams)
            price = f"{book.latest.best_bid * 0.9:.1f}"
            data = await streams.trade_request(
                "order.create",
                {
                    "category": "linear",
                    "symbol": "BTCUSDT",
                    "side": "Buy",
                    "orderType": "Limit",
                    "qty": "0.001",
                    "price": price,
                    "orderLinkId": "ws-trade-1",
                },
            )
            assert data["orderLinkId"] == "ws-trade-1" and data["orderId"]
            await wait_for(lambda: data["orderId"] in orders.latest, what="order on the private stream")
            with pytest.raises(bw.BybitError) as info:
                await streams.trade_request(
                    "order.create",
                    {
                        "category": "linear",
                        "symbol": "BTCUSDT",
                        "side": "Buy",
                        "orderType": "Limit",
                        "qty": "0.001",
                        "price": price,
                        "orderLinkId": "ws-trade-1",
                    },
                )
            assert info.value.ret_code == 110072  # duplicate orderLinkId, as Bybit says
            await streams.trade_request(
                "order.cancel", {"category": "linear", "symbol": "BTCUSDT", "orderId": data["orderId"]}
            )
            await wait_for(lambda: orders.latest[data["orderId"]].order_status == "Cancelled", what="cancelled")
            assert set(streams.stats) == {"public/linear", "private", "trade"}  # one connection of each

    run(main())


def test_a_websocket_batch_names_each_refused_order_and_keeps_the_ids_of_the_placed_ones(sim):
    """Bybit answers order.*-batch with retCode 0 and each order's own {code, msg} at its index of
    retExtInfo.list (v5 docs, websocket/trade/guideline): a refused order must not pass for a placed one."""

    async def main():
        async with StreamManager(
            base_ws_url=sim.ws_url, api_key=sim.api_key, api_secret=sim.api_secret, **FAST
        ) as streams:
            orders = await streams.orders().ready(10)
            book = await live_book(streams)
            price = f"{book.latest.best_bid * 0.9:.1f}"
            order = {"symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": price}
            with pytest.raises(bw.BybitError) as info:
                await streams.trade_request(
                    "order.create-batch",
                    {
                        "category": "linear",
                        "request": [
                            {**order, "orderLinkId": "ws-batch-1"},
                            {**order, "orderLinkId": "ws-batch-1"},
                            {**order, "orderLinkId": "ws-batch-2"},
                        ],
                    },
                )
            err = info.value
            assert isinstance(err, bw.protocol.errors.BatchOrderError)
            assert "1 of 3 orders refused" in str(err) and "ws-batch-1 (BTCUSDT): retCode 110072" in str(err)
            (refused,) = err.failed
            assert refused.index == 1 and isinstance(refused.error, bw.protocol.errors.DuplicateOrderError)
            placed = err.result.succeeded
            assert [i.order_link_id for i in placed] == ["ws-batch-1", "ws-batch-2"]
            assert all(i.order_id for i in placed)
            await wait_for(lambda: all(i.order_id in orders.latest for i in placed), what="placed orders")
            cancelled = await streams.trade_request(
                "order.cancel-batch",
                {"category": "linear", "request": [{"symbol": "BTCUSDT", "orderId": i.order_id} for i in placed]},
            )
            assert cancelled.ok and [i.order_id for i in cancelled] == [i.order_id for i in placed]
            await wait_for(
                lambda: all(orders.latest[i.order_id].order_status == "Cancelled" for i in placed), what="cancelled"
            )

    run(main())
