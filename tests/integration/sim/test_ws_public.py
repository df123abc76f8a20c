"""Public WebSocket conformance: replies, snapshot-then-delta, push intervals, errors that keep the socket."""

from __future__ import annotations

import statistics
import time

from bybit_widgets.protocol.topics import KLINE_INTERVALS, kline_topic, subscribe_args_refusal, subscribe_batches

from .helpers import BookModel, Ws, arun, topic_is


def test_subscribe_reply_shapes_linear_and_spot(sim):
    async def main():
        async with await Ws.open(sim.ws_public_linear) as ws:
            reply = await ws.request({"req_id": "sub-17", "op": "subscribe", "args": ["tickers.BTCUSDT"]})
            assert list(reply) == ["success", "ret_msg", "conn_id", "req_id", "op"]
            assert reply["success"] is True and reply["ret_msg"] == "" and reply["req_id"] == "sub-17"
            assert reply["op"] == "subscribe" and len(reply["conn_id"]) > 10
            # without req_id, linear still answers with req_id ""
            reply = await ws.request({"op": "unsubscribe", "args": ["tickers.BTCUSDT"]})
            assert reply == {
                "success": True,
                "ret_msg": "",
                "conn_id": reply["conn_id"],
                "req_id": "",
                "op": "unsubscribe",
            }
        async with await Ws.open(sim.ws_public_spot) as ws:
            reply = await ws.request({"req_id": "s1", "op": "subscribe", "args": ["orderbook.1.BTCUSDT"]})
            assert reply["success"] is True and reply["ret_msg"] == "subscribe" and reply["req_id"] == "s1"

    arun(main())


def test_ping_pong_shapes(sim):
    async def main():
        async with await Ws.open(sim.ws_public_linear) as ws:
            pong = await ws.request({"req_id": "hb-1", "op": "ping"})
            assert pong == {
                "success": True,
                "ret_msg": "pong",
                "conn_id": pong["conn_id"],
                "req_id": "hb-1",
                "op": "ping",
            }
            pong = await ws.request({"op": "ping"})
            assert pong["req_id"] == ""
        async with await Ws.open(sim.ws_public_spot) as ws:
            pong = await ws.request({"op": "ping"})
            assert pong == {"success": True, "ret_msg": "pong", "conn_id": pong["conn_id"], "op": "ping"}

    arun(main())


def test_bad_and_legacy_topics_get_errors_and_the_socket_keeps_working(sim):
    async def main():
        async with await Ws.open(sim.ws_public_linear) as ws:
            reply = await ws.request({"op": "subscribe", "args": ["orderBookL2_25.BTCUSDT"]})
            assert reply["success"] is False
            assert reply["ret_msg"].startswith("error:handler not found,topic:orderBookL2_25.BTCUSDT")
            assert "orderbook.50.BTCUSDT" in reply["ret_msg"]
            reply = await ws.request({"op": "subscribe", "args": ["candle.1.BTCUSDT"]})
            assert "kline.1.BTCUSDT" in reply["ret_msg"]
            reply = await ws.request({"op": "subscribe", "args": ["orderbook.25.BTCUSDT"]})
            assert reply["success"] is False and "handler not found,topic:orderbook.25.BTCUSDT" in reply["ret_msg"]
            reply = await ws.request({"op": "subscribe", "args": ["tickers.NOPEUSDT"]})
            assert reply["success"] is False and "topic:tickers.NOPEUSDT" in reply["ret_msg"]
            # a valid topic in the same request is subscribed; the reply names the refused one only
            reply = await ws.request({"op": "subscribe", "args": ["tickers.BTCUSDT", "trade.BTCUSDT"]})
            assert reply["success"] is False and reply["ret_msg"].count("error:") == 1
            assert "publicTrade.BTCUSDT" in reply["ret_msg"]
            await ws.until(topic_is("tickers.BTCUSDT"))
            reply = await ws.request({"op": "subscribe", "args": ["tickers.BTCUSDT"]})
            assert reply["ret_msg"] == "error:already subscribed,topic:tickers.BTCUSDT"
            # malformed JSON, unknown op, wrong types, oversized args: error replies, socket stays
            await ws.send("{not json")
            assert (await ws.until(lambda m: "topic" not in m))["success"] is False
            reply = await ws.request({"op": "subscribe", "args": "tickers.BTCUSDT"})
            assert reply["success"] is False
            reply = await ws.request({"op": "jump", "req_id": "j"})
            assert reply["success"] is False and reply["ret_msg"] == "error:invalid op"
            reply = await ws.request({"op": "subscribe", "args": [f"tickers.X{i:05d}USDT" for i in range(1500)]})
            assert reply["success"] is False and "21000" in reply["ret_msg"]
            reply = await ws.request({"op": "subscribe", "args": ["x" * 100_000]})
            assert reply["success"] is False and "too long" in reply["ret_msg"]
            pong = await ws.request({"op": "ping"})
            assert pong["ret_msg"] == "pong"
        async with await Ws.open(sim.ws_public_spot) as ws:
            reply = await ws.request(
                {
                    "op": "subscribe",
                    "args": [
                        f"kline.{i}.BTCUSDT" for i in ("1", "3", "5", "15", "30", "60", "120", "240", "360", "720", "D")
                    ],
                }
            )
            assert reply["success"] is False and "10" in reply["ret_msg"]

    arun(main())


def test_orderbook_snapshot_then_deltas_with_continuous_u_match_truth(sim):
    async def main():
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": ["orderbook.50.BTCUSDT"]})
            book = BookModel()
            frames = await ws.collect(topic_is("orderbook.50.BTCUSDT"), 60)
            assert frames[0]["type"] == "snapshot" and all(f["type"] == "delta" for f in frames[1:])
            assert len(frames[0]["data"]["b"]) == 50 and len(frames[0]["data"]["a"]) == 50
            seqs = [f["data"]["seq"] for f in frames]
            assert seqs == sorted(seqs)
            for frame in frames:
                assert frame["cts"] <= frame["ts"]
                book.apply(frame)  # asserts u continuity
                bids, asks = book.top(50)
                assert float(bids[0][0]) < float(asks[0][0])
            # freeze the market: the stream then quiets and the truth is the book as of the last push
            sim.pause()
            truth = sim.truth_book("BTCUSDT", 50)
            while book.u != truth["u"]:
                book.apply(await ws.until(topic_is("orderbook.50.BTCUSDT")))
                truth = sim.truth_book("BTCUSDT", 50)
            assert book.top(50) == (truth["b"], truth["a"])

    arun(main())


def test_push_intervals(sim):
    """Median interval between pushes (server ``ts``): orderbook.50 20 ms, linear tickers 100 ms, spot 50 ms."""

    async def intervals(url: str, topic: str, count: int) -> float:
        async with await Ws.open(url) as ws:
            await ws.request({"op": "subscribe", "args": [topic]})
            stamps = [m["ts"] for m in await ws.collect(topic_is(topic), count, 10)]
            return statistics.median(b - a for a, b in zip(stamps, stamps[1:]))

    async def main():
        book = await intervals(sim.ws_public_linear, "orderbook.50.BTCUSDT", 40)
        ticker = await intervals(sim.ws_public_linear, "tickers.BTCUSDT", 15)
        spot = await intervals(sim.ws_public_spot, "tickers.BTCUSDT", 15)
        return book, ticker, spot

    book, ticker, spot = arun(main())
    assert 15 <= book <= 30, book
    assert 80 <= ticker <= 150, ticker
    assert 40 <= spot <= 100, spot


def test_ticker_linear_snapshot_then_deltas_spot_snapshots(sim):
    async def main():
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": ["tickers.BTCUSDT"]})
            first, second = await ws.collect(topic_is("tickers.BTCUSDT"), 2)
            assert first["type"] == "snapshot" and second["type"] == "delta"
            assert list(first) == ["topic", "type", "data", "cs", "ts"]
            for field in ("lastPrice", "markPrice", "indexPrice", "fundingRate", "bid1Price", "ask1Price"):
                assert isinstance(first["data"][field], str)
            assert second["data"]["symbol"] == "BTCUSDT" and len(second["data"]) < len(first["data"])
        async with await Ws.open(sim.ws_public_spot) as ws:
            await ws.request({"op": "subscribe", "args": ["tickers.BTCUSDT"]})
            frames = await ws.collect(topic_is("tickers.BTCUSDT"), 2)
            assert all(f["type"] == "snapshot" for f in frames)
            assert "markPrice" not in frames[0]["data"] and isinstance(frames[0]["data"]["lastPrice"], str)

    arun(main())


def test_kline_and_public_trades(sim):
    async def main():
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": ["kline.1.BTCUSDT", "publicTrade.BTCUSDT"]})
            kline = await ws.until(topic_is("kline.1.BTCUSDT"))
            candle = kline["data"][0]
            assert kline["type"] == "snapshot" and candle["interval"] == "1" and candle["confirm"] is False
            assert candle["end"] - candle["start"] == 59_999 and isinstance(candle["open"], str)
            trades = await ws.until(topic_is("publicTrade.BTCUSDT"), 10)
            assert trades["type"] == "snapshot"
            for trade in trades["data"]:
                assert set(trade) >= {"T", "s", "S", "v", "p", "L", "i", "BT", "RPI", "seq"}
                assert trade["S"] in ("Buy", "Sell") and trade["s"] == "BTCUSDT"
            times = [t["T"] for t in trades["data"]]
            assert times == sorted(times)

    arun(main())


def test_level1_is_snapshot_only_and_repeats_after_3s_unchanged(sim):
    async def main():
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": ["orderbook.1.BTCUSDT"]})
            frames = await ws.collect(topic_is("orderbook.1.BTCUSDT"), 5)
            assert all(f["type"] == "snapshot" for f in frames)
            us = [f["data"]["u"] for f in frames]
            assert all(b - a in (0, 1) for a, b in zip(us, us[1:]))
            sim.pause()
            final_u = sim.truth_book("BTCUSDT", 1)["u"]  # nothing changes any more
            last = await ws.until(lambda m: m.get("topic") == "orderbook.1.BTCUSDT" and m["data"]["u"] == final_u)
            again = await ws.until(topic_is("orderbook.1.BTCUSDT"), 6)
            assert again["data"] == last["data"]  # the same snapshot, same u
            assert 3000 <= again["ts"] - last["ts"] <= 3200, again["ts"] - last["ts"]

    arun(main())


def test_idle_connection_is_dropped():
    from bybit_widgets.sim import run

    with run(seed=3, idle_timeout_s=0.6, idle_check_s=0.1) as sim:

        async def main():
            async with await Ws.open(sim.ws_public_linear) as quiet, await Ws.open(sim.ws_public_linear) as busy:
                await busy.request({"op": "subscribe", "args": ["orderbook.50.BTCUSDT"]})
                start = time.monotonic()
                await quiet.conn.wait_closed()
                assert quiet.conn.close_code == 1000 and time.monotonic() - start < 3
                # the subscribed socket has data flowing, so it is not idle
                assert (await busy.until(topic_is("orderbook.50.BTCUSDT")))["type"] in ("snapshot", "delta")

        arun(main())


def test_the_exchange_accepts_every_batch_the_client_makes_and_refuses_one_topic_more(sim):
    """The exchange and the clients share protocol.topics' rule: a batch is accepted, one arg more is not."""
    linear = [f"tickers.X{i:04d}USDTT" for i in range(1000)]  # unknown symbols: refused by name, not by size
    spot = [kline_topic("BTCUSDT", i) for i in KLINE_INTERVALS]

    async def main():
        async with await Ws.open(sim.ws_public_linear) as ws:
            batches = subscribe_batches("linear", linear)
            assert len(batches) == 2
            reply = await ws.request({"op": "subscribe", "args": batches[0]})
            assert "error:args" not in reply["ret_msg"] and "topic:" + linear[0] in reply["ret_msg"]
            reply = await ws.request({"op": "subscribe", "args": batches[0] + batches[1][:1]})
            assert reply["ret_msg"] == subscribe_args_refusal("linear", linear)
        async with await Ws.open(sim.ws_public_spot) as ws:
            first, rest = subscribe_batches("spot", spot)
            assert (await ws.request({"op": "subscribe", "args": first}))["success"] is True
            reply = await ws.request({"op": "subscribe", "args": rest[:1] + first})
            assert reply["ret_msg"] == subscribe_args_refusal("spot", rest[:1] + first)

    arun(main())
