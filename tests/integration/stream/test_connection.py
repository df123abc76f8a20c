"""The connection layer over real sockets against a scriptable server (tests/integration/stream/fake_ws.py)."""

from __future__ import annotations

import asyncio
import json

import pytest

from bybit_widgets.protocol.errors import AuthError
from bybit_widgets.protocol.topics import TopicError
from bybit_widgets.stream import Backoff, StreamManager, SubscriptionRefused

from .fake_ws import FakeBybit
from .support import wait_for

FAST = dict(
    ping_interval=0.2,
    pong_timeout=0.3,
    watchdog=None,
    backoff=Backoff(initial=0.01, maximum=0.05),
    subscribe_timeout=1.0,
    linger=0.05,
    seed=7,
)
BOOK = "orderbook.50.BTCUSDT"


def run(coro, timeout: float = 30):
    async def guarded():
        try:
            return await asyncio.wait_for(coro, timeout)
        finally:
            # Clean shutdown: nothing of ours may be left running.
            leftover = [
                t
                for t in asyncio.all_tasks()
                if t is not asyncio.current_task() and t.get_name().startswith("bybit-stream")
            ]
            assert not leftover, leftover

    return asyncio.run(guarded())


def test_subscribe_batches_share_subscriptions_and_unsubscribe_with_the_last_feed():
    async def main():
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **FAST) as streams:
            spot = [streams.trades(f"S{i:02d}USDT", category="spot") for i in range(23)]
            linear = [streams.trades(f"L{i:02d}USDT") for i in range(23)]
            a, b = streams.order_book("BTCUSDT"), streams.order_book("BTCUSDT")
            await asyncio.gather(*(f.ready(5) for f in (*spot, *linear, a, b)))
            spot_reqs = [r for p, r in srv.requests if r["op"] == "subscribe" and p.endswith("/spot")]
            linear_reqs = [r for p, r in srv.requests if r["op"] == "subscribe" and p.endswith("/linear")]
            assert sorted(len(r["args"]) for r in spot_reqs) == [3, 10, 10]
            assert len(linear_reqs) == 1 and len(linear_reqs[0]["args"]) == 24  # one request, the book only once
            assert srv.handshakes == 2 and set(streams.stats) == {"public/spot", "public/linear"}
            assert a.latest is b.latest and a.latest.best_bid == 100.0
            a.close()
            assert b.state == "live" and not srv.ops("unsubscribe")
            b.close()
            await wait_for(lambda: srv.ops("unsubscribe"), what="unsubscribe")
            assert srv.ops("unsubscribe")[0]["args"] == [BOOK]
            for f in spot:
                f.close()
            await wait_for(lambda: "public/spot" not in streams.stats, what="idle spot connection closed")
            await wait_for(lambda: srv.handshakes == 2 and len(srv.connections) == 1, what="socket gone")

    run(main())


def test_bad_frames_are_counted_and_surfaced_and_the_connection_keeps_going():
    async def main():
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, max_message_bytes=2000, **FAST) as streams:
            book = await streams.order_book("BTCUSDT").ready(5)
            ticker = await streams.ticker("ETHUSDT").ready(5)
            await srv.broadcast('{"topic": "orderbook.50.BTCUSDT", "type": "delta", "data": {oops')
            await wait_for(lambda: book.stats.errors == 1, what="malformed frame attributed to the book")
            assert "malformed JSON" in str(book.error) and ticker.stats.errors == 0
            await srv.broadcast({"topic": "tickers.ETHUSDT", "type": "snapshot", "data": {"x": "y" * 3000}})
            await wait_for(lambda: ticker.stats.errors == 1, what="oversized frame")
            assert "oversized" in str(ticker.error)
            await srv.broadcast("[1, 2, 3]")  # valid JSON, not an object, no topic: every feed hears of it
            await wait_for(lambda: book.stats.errors == 2 and ticker.stats.errors == 2, what="non-object frame")
            await srv.broadcast({"topic": "tickers.NOPE", "type": "snapshot", "data": {}})
            await srv.broadcast({"success": False, "ret_msg": "error:invalid op", "op": "whatever"})
            await wait_for(lambda: streams.stats["public/linear"]["error_replies"] == 1, what="error reply")
            stats = streams.stats["public/linear"]
            assert stats["unrouted"] == 1 and stats["bad_frames"] == 3 and stats["reconnects"] == 0
            await srv.delta(BOOK, bids=[("100.0", "7")])
            await wait_for(lambda: book.latest.bids[0] == (100.0, 7.0), what="data after the bad frames")
            assert book.state == "live" and book.stats.reconnects == 0

    run(main())


def test_refused_topic_raises_to_the_awaiting_caller_and_others_in_the_batch_still_work():
    async def main():
        async with FakeBybit(refuse={"tickers.FOOUSDT"}) as srv, StreamManager(base_ws_url=srv.url, **FAST) as streams:
            bad, good = streams.ticker("FOOUSDT"), streams.order_book("BTCUSDT")
            with pytest.raises(SubscriptionRefused, match="handler not found"):
                await bad.ready(5)
            assert bad.state == "closed" and bad.closed and "refused" in bad.state_reason
            await good.ready(5)
            assert good.latest.best_ask == 100.5
            srv.refuse.clear()  # e.g. a new listing: asking again asks the server again
            await streams.ticker("FOOUSDT").ready(5)
            assert bad.state == "closed"
        assert "refused" in bad.state_reason  # the manager's close keeps the refusal's reason

    run(main())


def test_legacy_topic_names_the_v5_topic():
    streams = StreamManager(base_ws_url="ws://127.0.0.1:9")
    with pytest.raises(TopicError, match="orderbook.50.BTCUSDT"):
        streams.subscribe("orderBookL2_25.BTCUSDT")
    with pytest.raises(TopicError, match="kline.1.BTCUSDT"):
        streams.subscribe("candle.1.BTCUSDT")
    with pytest.raises(TopicError, match="depth 25"):
        streams.order_book("BTCUSDT", depth=25)
    with pytest.raises(AuthError, match="private"):
        streams.orders()
    assert not streams._host.bound  # nothing was started by refused calls
    streams.close_sync()


def test_trade_requests_are_checked_before_anything_is_sent():
    from bybit_widgets.protocol.errors import ParameterError

    async def main():
        public_only = StreamManager(base_ws_url="ws://127.0.0.1:9")
        with pytest.raises(AuthError, match="api_key"):
            await public_only.trade_request("order.create", {"category": "linear"})
        keyed = StreamManager(base_ws_url="ws://127.0.0.1:9", api_key="k", api_secret="s")
        with pytest.raises(ParameterError, match="order.create"):
            await keyed.trade_request("order.place", {})
        with pytest.raises(ParameterError, match="dict"):
            await keyed.trade_request("order.cancel", ["x"])
        demo = StreamManager("demo", api_key="k", api_secret="s")
        with pytest.raises(ParameterError, match="no WebSocket trade"):
            await demo.trade_request("order.cancel", {"category": "linear"})
        for streams in (public_only, keyed, demo):
            await streams.close()

    run(main())


def test_trade_request_without_a_server_times_out_and_says_nothing_was_sent():
    from bybit_widgets.protocol.errors import TransportError

    async def main():
        srv = FakeBybit()
        async with srv:
            port = srv.port
        async with StreamManager(base_ws_url=f"ws://127.0.0.1:{port}", api_key="k", api_secret="s", **FAST) as streams:
            with pytest.raises(TransportError, match="not ready") as info:
                await streams.trade_request("order.cancel", {"category": "linear"}, timeout=0.3)
            assert "Nothing was sent" in info.value.hint

    run(main())


def test_urls_from_environments_and_bad_roots():
    from bybit_widgets.protocol.errors import ParameterError

    assert StreamManager("testnet")._public_root == "wss://stream-testnet.bybit.com"
    demo = StreamManager("demo")
    assert demo._public_root == "wss://stream.bybit.com" and demo._private_url.startswith("wss://stream-demo")
    for bad in ("http://127.0.0.1:1", "ws://127.0.0.1:1/v5/public/linear"):
        with pytest.raises(ParameterError):
            StreamManager(base_ws_url=bad)
    with pytest.raises(ParameterError, match="bw.connect"):
        StreamManager("sim")
    with pytest.raises(ParameterError, match="both"):
        StreamManager(base_ws_url="ws://127.0.0.1:1", api_key="k")
    with pytest.raises(ParameterError, match="category"):
        StreamManager(base_ws_url="ws://127.0.0.1:1").ticker("BTCUSDT", category="futures")
    with pytest.raises(ParameterError, match="maxlen"):
        StreamManager(base_ws_url="ws://127.0.0.1:1").trades("BTCUSDT", maxlen=0)


def test_no_pong_reconnects_and_the_book_comes_back():
    async def main():
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **FAST) as streams:
            book = await streams.order_book("BTCUSDT").ready(5)
            states = []
            book.on_state(lambda s, r: states.append((s, r)))
            srv.answer_pings = False
            await wait_for(lambda: book.state == "reconnecting", what="reconnecting")
            assert "no pong within 0.3 s" in book.state_reason
            srv.answer_pings = True
            await wait_for(lambda: book.state == "live", what="live again")
            assert book.stats.reconnects == 1 and srv.handshakes == 2
            assert [s for s, _ in states][0] == "reconnecting" and states[-1][0] == "live"
            assert (book.latest.bids, book.latest.asks) == srv.truth(BOOK)

    run(main())


def test_dropped_connection_reconnects_resubscribes_and_counts():
    async def main():
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **FAST) as streams:
            book = await streams.order_book("BTCUSDT").ready(5)
            for n in range(1, 4):
                srv.drop_all()
                await wait_for(lambda n=n: book.stats.reconnects == n and book.state == "live", what=f"reconnect {n}")
            assert srv.handshakes == 4 and len(srv.ops("subscribe")) == 4
            await srv.delta(BOOK, asks=[("100.5", "0"), ("100.75", "4")])
            await wait_for(lambda: book.latest.best_ask == 100.75, what="delta after reconnects")
            assert (book.latest.bids, book.latest.asks) == srv.truth(BOOK)

    run(main())


def test_gap_resubscribes_the_topic_alone_and_never_shows_a_wrong_book():
    async def main():
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **FAST) as streams:
            book = await streams.order_book("BTCUSDT").ready(5)
            other = await streams.order_book("ETHUSDT").ready(5)
            seen = []
            book.on(lambda f: seen.append(f.latest))
            await srv.delta(BOOK, bids=[("99.0", "5")])
            await wait_for(lambda: book.latest.u == srv.u[BOOK], what="first delta")
            before = book.latest
            await srv.delta(BOOK, bids=[("99.0", "0")], u=srv.u[BOOK] + 2)  # one update lost
            await wait_for(lambda: book.stats.resyncs == 1 and book.state == "live", what="resynced")
            assert book.stats.gaps == 1 and seen[-1].u == srv.u[BOOK]
            assert [r["args"] for r in srv.ops("unsubscribe")] == [[BOOK]]
            assert (book.latest.bids, book.latest.asks) == srv.truth(BOOK)
            assert before in seen and all(v.best_bid < v.best_ask for v in seen)
            assert other.stats.resyncs == 0 and other.state == "live"

    run(main())


def test_missing_resync_snapshot_makes_the_connection_start_over():
    async def main():
        options = {**FAST, "subscribe_timeout": 0.2}
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **options) as streams:
            book = await streams.order_book("BTCUSDT").ready(5)
            srv.snapshot_on_subscribe = False
            await srv.delta(BOOK, bids=[("99.0", "5")], u=srv.u[BOOK] + 5)
            await wait_for(lambda: book.state == "reconnecting", what="gave up on the resync")
            assert "no snapshot of orderbook.50.BTCUSDT within 0.2 s" in book.state_reason
            srv.snapshot_on_subscribe = True
            await wait_for(lambda: book.state == "live" and book.stats.reconnects == 1, what="live after reconnect")

    run(main())


def test_watchdog_marks_a_silent_topic_stale_and_resubscribes_it_when_the_socket_answers():
    async def main():
        options = {**FAST, "watchdog": 0.3}
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **options) as streams:
            book = await streams.order_book("BTCUSDT").ready(5)
            states = []
            book.on_state(lambda s, r: states.append((s, r)))
            await wait_for(lambda: any(s == "stale" for s, _ in states), what="stale")
            stale_reason = next(r for s, r in states if s == "stale")
            assert stale_reason.startswith("silent for")
            await wait_for(lambda: len(srv.ops("subscribe")) >= 2 and book.state == "live", what="resubscribed")
            assert book.stats.reconnects == 0 and srv.handshakes == 1

    run(main())


def test_silent_socket_is_reconnected_with_the_reason():
    async def main():
        options = {**FAST, "watchdog": 0.3, "ping_interval": 5.0}
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **options) as streams:
            book = await streams.order_book("BTCUSDT").ready(5)
            srv.answer_pings = False
            reasons = []
            book.on_state(lambda s, r: reasons.append(r) if s == "reconnecting" else None)
            await wait_for(lambda: reasons, what="reconnecting")
            assert reasons[0].startswith("silent for") and "no pong" in reasons[0] and "reconnecting in" in reasons[0]
            srv.answer_pings = True
            await wait_for(lambda: book.state == "live", what="live again")

    run(main())


def test_private_auth_and_clock_correction_from_the_pong():
    async def main():
        async with FakeBybit(secret="good") as srv:
            srv.skew_ms = 60_000  # the server clock runs a minute ahead: expires=now+10s is in its past
            async with StreamManager(base_ws_url=srv.url, api_key="k", api_secret="good", **FAST) as streams:
                orders = await streams.orders().ready(5)
                assert orders.state == "live" and orders.latest == {}
                auths = srv.ops("auth")
                assert len(auths) == 2 and auths[1]["args"][1] > srv.now_ms()
                await srv.broadcast(
                    {
                        "id": "1",
                        "topic": "order",
                        "creationTime": 1,
                        "data": [
                            {
                                "orderId": "o1",
                                "symbol": "BTCUSDT",
                                "orderStatus": "New",
                                "qty": "0.1",
                                "updatedTime": "5",
                            }
                        ],
                    },
                    "/v5/private",
                )
                await orders.next(5)
                assert orders.latest["o1"].order_status == "New"
                srv.drop_all()  # re-auth on reconnect, with the corrected clock at once
                await wait_for(lambda: orders.stats.reconnects == 1 and orders.state == "live", what="re-auth")
                assert len(srv.ops("auth")) == 3

    run(main())


def test_wrong_secret_is_raised_to_ready_and_shown_on_the_feed():
    async def main():
        secret = "wrong-secret-XYZ"
        async with (
            FakeBybit(secret="good") as srv,
            StreamManager(base_ws_url=srv.url, api_key="k", api_secret=secret, **FAST) as streams,
        ):
            wallet = streams.wallet()
            with pytest.raises(AuthError, match="authentication failed"):
                await wallet.ready(5)
            assert wallet.stats.errors >= 1 and isinstance(wallet.error, AuthError)
            assert secret not in str(wallet.error) + repr(streams) + repr(wallet)
            assert "authentication failed" in wallet.state_reason
            assert wallet.state in ("connecting", "reconnecting")

    run(main())


def test_connect_failures_back_off_until_the_server_appears():
    async def main():
        srv = FakeBybit()
        async with srv:
            port = srv.port
        srv.port = port  # the same port, now closed
        async with StreamManager(base_ws_url=f"ws://127.0.0.1:{port}", **FAST) as streams:
            book = streams.order_book("BTCUSDT")
            await wait_for(lambda: "cannot connect" in book.state_reason, what="connect failure shown")
            assert book.state == "reconnecting"
            async with srv:
                await book.ready(5)
            assert book.latest is not None

    run(main())


def test_script_mode_runs_a_background_loop_behind_the_sync_api():
    async def serve_until(stop: asyncio.Event, ready: asyncio.Event, box: dict):
        async with FakeBybit() as srv:
            box["srv"] = srv
            ready.set()
            await stop.wait()

    import threading

    box: dict = {}
    loop = asyncio.new_event_loop()
    stop, ready = asyncio.Event(), asyncio.Event()

    def server_thread():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(serve_until(stop, ready, box))

    t = threading.Thread(target=server_thread)
    t.start()
    try:
        while "srv" not in box:
            t.join(0.01)
        srv = box["srv"]
        streams = StreamManager(base_ws_url=srv.url, **FAST)
        book = streams.order_book("BTCUSDT")
        assert book.wait_ready(5).latest.best_bid == 100.0
        assert streams.loop is not None and streams.loop.is_running()
        push = threading.Timer(
            0.05, lambda: asyncio.run_coroutine_threadsafe(srv.delta(BOOK, bids=[("100.0", "9")]), loop)
        )
        push.start()
        view = book.latest
        while view.bids[0] != (100.0, 9.0):  # wait_for_update returns at each update, newest state
            view = book.wait_for_update(5)
        push.join()
        thread_loop = streams.loop
        streams.close_sync()
        assert book.state == "closed" and not thread_loop.is_running()
        book.close()  # after the manager: harmless
        with pytest.raises(RuntimeError, match="closed"):
            streams.ticker("BTCUSDT")
    finally:
        loop.call_soon_threadsafe(stop.set)
        t.join(5)
        loop.close()


def test_callback_errors_do_not_stop_the_feed_over_the_wire():
    async def main():
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **FAST) as streams:
            book = await streams.order_book("BTCUSDT").ready(5)
            book.on(lambda f: 1 / 0)
            for size in ("2", "3", "4"):
                await srv.delta(BOOK, bids=[("100.0", size)])
            await wait_for(lambda: book.latest.bids[0][1] == 4.0, what="updates keep flowing")
            assert book.stats.callback_errors == 3 and isinstance(book.error, ZeroDivisionError)

    run(main())


def test_requests_on_the_wire_are_bybit_json():
    async def main():
        async with FakeBybit() as srv, StreamManager(base_ws_url=srv.url, **FAST) as streams:
            await streams.order_book("BTCUSDT").ready(5)
            await wait_for(lambda: srv.ops("ping"), what="a ping")
            ping = srv.ops("ping")[0]
            assert set(ping) == {"req_id", "op"} and ping["op"] == "ping"
            sub = srv.ops("subscribe")[0]
            assert sub["args"] == [BOOK] and sub["req_id"]
            json.dumps(sub)

    run(main())
