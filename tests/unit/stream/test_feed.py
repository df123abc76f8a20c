"""Feeds and subscriptions without sockets: callbacks, waiting, iteration, errors, closing."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bybit_widgets.protocol.topics import parse_topic
from bybit_widgets.stream import FeedClosed, SubscriptionRefused
from bybit_widgets.stream.backoff import Backoff
from bybit_widgets.stream.feed import Feed, Subscription
from bybit_widgets.stream.loop import LoopHost
from bybit_widgets.stream.state import BookReducer, TickerReducer


class FakeOwner:
    def __init__(self):
        self.resyncs: list[str] = []
        self.released: list[Subscription] = []

    def resync(self, sub, reason):
        self.resyncs.append(reason)
        sub.resyncs += 1
        sub.set_state("resyncing", reason)

    def release(self, sub):
        self.released.append(sub)

    def forget(self, sub):
        pass


def make_sub(kind="orderbook", host=None):
    topic = parse_topic("orderbook.50.BTCUSDT" if kind == "orderbook" else "tickers.BTCUSDT")
    reducer = BookReducer("BTCUSDT") if kind == "orderbook" else TickerReducer()
    owner = FakeOwner()
    return Subscription(topic, "linear", reducer, owner, host or LoopHost()), owner


def snapshot(u=10, bid="100"):
    return {
        "topic": "orderbook.50.BTCUSDT",
        "type": "snapshot",
        "ts": 1,
        "data": {"s": "BTCUSDT", "b": [[bid, "1"]], "a": [["101", "1"]], "u": u, "seq": u},
    }


def delta(u, bid="100", size="2"):
    return {
        "topic": "orderbook.50.BTCUSDT",
        "type": "delta",
        "ts": 2,
        "data": {"s": "BTCUSDT", "b": [[bid, size]], "a": [], "u": u, "seq": u},
    }


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


def test_callbacks_get_the_feed_and_a_failing_callback_is_recorded_not_fatal():
    async def main():
        sub, _ = make_sub()
        feed, other = Feed(sub), Feed(sub)
        sub.add_feed(feed)
        sub.add_feed(other)
        seen, states = [], []

        def boom(f):
            raise RuntimeError("consumer bug")

        feed.on(lambda f: seen.append(f.latest.u))
        feed.on(boom)
        remove = other.on_state(lambda s, r: states.append((s, r)))
        sub.handle(snapshot(10))
        sub.handle(delta(11))
        assert seen == [10, 11]
        assert feed.stats.callback_errors == 2 and isinstance(feed.error, RuntimeError)
        assert other.stats.callback_errors == 0 and other.error is None
        assert states == [("live", "receiving data")]
        remove()
        sub.set_state("stale", "silent for 3 s")
        assert len(states) == 1
        assert feed.state == "stale" and feed.state_reason == "silent for 3 s"
        assert feed.stats.messages == 2 and feed.stats.last_message_age >= 0

    run(main())


def test_gap_goes_to_the_owner_and_counts():
    async def main():
        sub, owner = make_sub()
        feed = Feed(sub)
        sub.add_feed(feed)
        sub.handle(snapshot(10))
        good = feed.latest
        sub.handle(delta(12))
        assert feed.state == "resyncing" and "expected u=11, got u=12" in feed.state_reason
        sub.handle(delta(13))  # dropped while waiting for the snapshot
        sub.handle(delta(5))  # dropped as well: the book is not synced
        stats = feed.stats
        assert (stats.gaps, stats.resyncs, stats.dropped) == (1, 1, 2)
        assert feed.latest is good
        sub.handle(snapshot(50, bid="99"))
        assert feed.state == "live" and feed.latest.u == 50 and feed.stats.resets == 0  # the awaited snapshot
        sub.handle(delta(50))
        assert feed.stats.duplicates == 1
        sub.handle(snapshot(1))  # unsolicited, over a live book: a u=1 restart
        assert feed.stats.resets == 1 and feed.latest.u == 1

    run(main())


def test_malformed_message_counts_an_error_and_resyncs():
    async def main():
        sub, owner = make_sub()
        feed = Feed(sub)
        sub.add_feed(feed)
        sub.handle(snapshot(10))
        sub.handle({"topic": "orderbook.50.BTCUSDT", "type": "delta", "data": {"u": 11, "b": [["x", "1"]]}})
        assert feed.stats.errors == 1 and "malformed" in str(feed.error) and owner.resyncs

    run(main())


def test_bad_ticker_message_is_counted_and_the_feed_goes_on():
    async def main():
        sub, owner = make_sub("tickers")
        feed = Feed(sub)
        sub.add_feed(feed)
        sub.handle({"topic": "tickers.BTCUSDT", "type": "snapshot", "data": "nope"})
        assert feed.stats.errors == 1 and feed.error is not None and not owner.resyncs
        sub.handle({"topic": "tickers.BTCUSDT", "type": "snapshot", "data": {"symbol": "BTCUSDT", "lastPrice": "5"}})
        assert feed.latest.last_price == 5 and feed.state == "live"

    run(main())


def test_next_and_async_iteration_newest_wins():
    async def main():
        sub, _ = make_sub()
        feed = Feed(sub)
        sub.add_feed(feed)
        loop = asyncio.get_running_loop()
        loop.call_soon(sub.handle, snapshot(10))
        assert (await feed.next(timeout=5)).u == 10
        with pytest.raises(TimeoutError, match="no update within 0.05 s"):
            await feed.next(timeout=0.05)

        got = []

        async def consume():
            async for view in feed:
                got.append(view.u)
                if view.u >= 14:
                    return

        task = asyncio.ensure_future(consume())
        await asyncio.sleep(0)  # let the consumer take the current value
        for u in (11, 12, 13, 14):  # one burst: the iterator sees only the newest
            sub.handle(delta(u, size=str(u)))
        await asyncio.wait_for(task, 5)
        assert got[0] == 10 and got[-1] == 14 and len(got) <= 3

    run(main())


def test_iteration_ends_and_next_raises_when_the_feed_closes():
    async def main():
        sub, owner = make_sub()
        feed = Feed(sub)
        sub.add_feed(feed)
        sub.handle(snapshot(10))

        async def consume():
            return [v.u async for v in feed]

        task = asyncio.ensure_future(consume())
        await asyncio.sleep(0)
        sub.host._loop = asyncio.get_running_loop()  # the host is this loop
        feed.close()
        assert await asyncio.wait_for(task, 5) == [10]
        assert owner.released == [sub] and feed.state == "closed" and feed.closed
        with pytest.raises(FeedClosed):
            await feed.next(timeout=1)
        feed.close()  # idempotent

    run(main())


def test_ready_raises_the_refusal():
    async def main():
        sub, _ = make_sub()
        feed = Feed(sub)
        sub.add_feed(feed)
        asyncio.get_running_loop().call_soon(sub.refuse, SubscriptionRefused("orderbook.50.BTCUSDT: handler not found"))
        with pytest.raises(SubscriptionRefused, match="handler not found"):
            await feed.ready(timeout=5)
        assert feed.state == "closed" and "subscription refused" in feed.state_reason
        assert feed.stats.errors == 1

    run(main())


def test_ready_raises_an_auth_error_and_times_out_with_the_state():
    async def main():
        sub, _ = make_sub()
        feed = Feed(sub)
        with pytest.raises(TimeoutError, match="state: connecting"):
            await feed.ready(timeout=0.05)
        from bybit_widgets.protocol.errors import AuthError

        def fail():
            sub.auth_error = AuthError("auth failed: Params Error")
            sub.record_error(sub.auth_error)

        asyncio.get_running_loop().call_soon(fail)
        with pytest.raises(AuthError):
            await feed.ready(timeout=5)

    run(main())


def test_wait_for_update_from_another_thread():
    sub, _ = make_sub()
    feed = Feed(sub)
    sub.add_feed(feed)
    feeder = threading.Timer(0.05, sub.handle, args=(snapshot(10),))
    feeder.start()
    try:
        assert feed.wait_for_update(timeout=5).u == 10
        assert feed.wait_ready(timeout=5) is feed
    finally:
        feeder.join()
    with pytest.raises(TimeoutError):
        feed.wait_for_update(timeout=0.05)


def test_a_waiter_on_another_loop_is_woken():
    sub, _ = make_sub()
    feed = Feed(sub)
    sub.add_feed(feed)
    result = {}

    def other_loop():
        result["view"] = asyncio.run(feed.next(timeout=5))

    t = threading.Thread(target=other_loop)
    t.start()
    deadline = time.monotonic() + 5
    while not sub._waiters and time.monotonic() < deadline:
        time.sleep(0.001)
    sub.handle(snapshot(10))
    t.join(5)
    assert result["view"].u == 10


def test_sync_wait_on_the_loop_thread_is_refused_with_advice():
    async def main():
        host = LoopHost(asyncio.get_running_loop())
        sub, _ = make_sub(host=host)
        feed = Feed(sub)
        with pytest.raises(RuntimeError, match="await feed.next"):
            feed.wait_for_update(1)

    run(main())


def test_trades_feed_slices_to_its_own_maxlen():
    from bybit_widgets.stream.state import TradesReducer

    sub = Subscription(parse_topic("publicTrade.BTCUSDT"), "linear", TradesReducer(10), FakeOwner(), LoopHost())
    small, big = Feed(sub, maxlen=2), Feed(sub, maxlen=10)
    items = [{"i": str(i), "p": "1", "v": "1", "S": "Buy", "T": i, "s": "BTCUSDT"} for i in range(5)]
    sub.handle({"topic": "publicTrade.BTCUSDT", "type": "snapshot", "data": items})
    assert [t.trade_id for t in small.latest] == ["3", "4"] and len(big.latest) == 5
    assert sub.state == "live"  # trades need no snapshot


def test_callbacks_must_be_callable():
    sub, _ = make_sub()
    feed = Feed(sub)
    with pytest.raises(TypeError):
        feed.on(5)
    with pytest.raises(TypeError):
        feed.on_state(None)
    assert "orderbook.50.BTCUSDT" in repr(feed) and feed.kind == "orderbook" and feed.symbol == "BTCUSDT"


# -- small pure helpers of the connection layer ------------------------------------


def test_backoff_grows_caps_and_jitters():
    b = Backoff(initial=0.5, maximum=4, factor=2, jitter=0.5)
    assert [b.ceiling(n) for n in range(5)] == [0.5, 1, 2, 4, 4]
    import random

    rng = random.Random(3)
    delays = [b.delay(2, rng) for _ in range(200)]
    assert all(1.0 <= d <= 2.0 for d in delays) and max(delays) - min(delays) > 0.5
    assert Backoff(jitter=0).delay(0) == 0.5
    assert b.ceiling(10_000) == 4
    for bad in (dict(initial=-1), dict(initial=5, maximum=1), dict(factor=0.5), dict(jitter=2)):
        with pytest.raises(ValueError):
            Backoff(**bad)
