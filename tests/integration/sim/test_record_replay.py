"""Record a few seconds of the simulator to Parquet, replay them through the server, compare frames."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from bybit_widgets.protocol.topics import KLINE_INTERVALS, kline_topic, subscribe_batches
from bybit_widgets.sim import load_recording, record, run
from bybit_widgets.sim.recording import RecordError

from .helpers import BookModel, Ws, arun, topic_is

BOOK = "orderbook.50.BTCUSDT"
TOPICS = [BOOK, "tickers.BTCUSDT", "publicTrade.BTCUSDT"]


@pytest.fixture(scope="module")
def recording_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "session.parquet"
    with run(seed=5) as sim:
        rows = record({sim.ws_public_linear: TOPICS, sim.ws_public_spot: ["orderbook.1.BTCUSDT"]}, path, seconds=2.0)
    assert len(rows) > 50 and set(rows.topic) >= {BOOK, "tickers.BTCUSDT", "orderbook.1.BTCUSDT"}
    return path


def test_recording_roundtrips_through_parquet(recording_path):
    rec = load_recording(recording_path)
    assert rec.t_ms == sorted(rec.t_ms)
    books = [f for f, t in zip(rec.frame, rec.topic) if t == BOOK]
    assert '"type":"snapshot"' in books[0] and all('"type":"delta"' in f for f in books[1:])


def test_record_from_the_command_line(tmp_path):
    out = tmp_path / "cli.parquet"
    with run(seed=6) as sim:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bybit_widgets.sim",
                "record",
                "--url",
                sim.ws_public_linear,
                "--topics",
                "orderbook.50.SOLUSDT,tickers.SOLUSDT",
                "--seconds",
                "1",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["frames"] > 10 and summary["topics"] == ["orderbook.50.SOLUSDT", "tickers.SOLUSDT"]
    assert len(load_recording(out)) == summary["frames"]
    with run(seed=6) as sim:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bybit_widgets.sim",
                "record",
                "--url",
                sim.ws_public_linear,
                "--topics",
                "candle.1.SOLUSDT",
                "--seconds",
                "1",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 2 and "kline.1.SOLUSDT" in proc.stderr


def test_replay_sends_the_recorded_frames(recording_path):
    rec = load_recording(recording_path)
    recorded = [f for f, t, c in zip(rec.frame, rec.topic, rec.category) if t == BOOK and c == "linear"]
    with run(seed=99, replay=str(recording_path), speed=10) as sim:

        async def main():
            async with await Ws.open(sim.ws_public_linear) as ws:
                await ws.request({"op": "subscribe", "args": [BOOK]})
                first = await ws.until(topic_is(BOOK))
                book = BookModel()
                book.apply(first)
                raws = []
                while len(raws) < 30:
                    raw = await ws.recv_raw()
                    if f'"topic":"{BOOK}"' in raw:
                        raws.append(raw)
                return first, raws

        first, raws = arun(main())
    # the subscriber's first frame is a snapshot of the replayed book; what follows is the recording verbatim
    assert first["type"] == "snapshot"
    start = recorded.index(raws[0])
    assert raws == recorded[start : start + len(raws)]


def test_replay_refuses_unrecorded_topics_and_bad_speed(recording_path):
    with pytest.raises(ValueError):
        run(replay=str(recording_path), speed=1000)
    with run(replay=str(recording_path), speed=100) as sim:

        async def main():
            async with await Ws.open(sim.ws_public_linear) as ws:
                reply = await ws.request({"op": "subscribe", "args": ["orderbook.50.ETHUSDT"]})
                assert reply["success"] is False and "not in this recording" in reply["ret_msg"]
                # at 100x the 2 s recording loops; u keeps increasing by one across passes
                await ws.request({"op": "subscribe", "args": [BOOK]})
                book = BookModel()
                frames = await ws.collect(topic_is(BOOK), 250, timeout=20)
                for frame in frames:
                    book.apply(frame)

        arun(main())
        assert sim.core.replay.passes >= 1


def test_replay_serves_rest_market_data_from_the_recording(recording_path):
    rec = load_recording(recording_path)
    recorded_trade_ids = {
        t["i"]
        for f, topic in zip(rec.frame, rec.topic)
        if topic == "publicTrade.BTCUSDT"
        for t in json.loads(f)["data"]
    }
    with run(seed=99, replay=str(recording_path), speed=1) as sim:
        with httpx.Client(base_url=sim.rest_url) as http:
            deadline = time.monotonic() + 10
            while True:  # until the replay has released some trades
                trades = http.get("/v5/market/recent-trade", params={"category": "linear", "symbol": "BTCUSDT"})
                if trades.json()["result"]["list"]:
                    break
                assert time.monotonic() < deadline
            assert {t["execId"] for t in trades.json()["result"]["list"]} <= recorded_trade_ids
            sim.pause()  # pauses the tape too
            truth = sim.truth_book("BTCUSDT", 50)
            book = http.get(
                "/v5/market/orderbook", params={"category": "linear", "symbol": "BTCUSDT", "limit": "50"}
            ).json()["result"]
            assert (book["u"], book["b"], book["a"]) == (truth["u"], truth["b"], truth["a"])
            assert sim.truth_book("BTCUSDT", 50) == truth
            ticker = http.get("/v5/market/tickers", params={"category": "linear", "symbol": "BTCUSDT"}).json()
            assert ticker["result"]["list"][0]["symbol"] == "BTCUSDT"
            # symbols outside the recording come from the simulated engine as before
            eth = http.get("/v5/market/orderbook", params={"category": "linear", "symbol": "ETHUSDT"}).json()
            assert eth["retCode"] == 0 and len(eth["result"]["b"]) == 25


def test_recording_subscribes_within_the_limits_and_names_a_refused_batch(tmp_path):
    spot = [kline_topic("BTCUSDT", i) for i in KLINE_INTERVALS] + ["orderbook.1.BTCUSDT"]  # over spot's ten
    assert len(subscribe_batches("spot", spot)) == 2
    with run(seed=7) as sim:
        rows = record({sim.ws_public_spot: spot}, tmp_path / "spot.parquet", seconds=1.0)
        assert "orderbook.1.BTCUSDT" in rows.topic
        with pytest.raises(RecordError, match=r"\['tickers.NOPEUSDT'\]"):
            record({sim.ws_public_linear: ["tickers.NOPEUSDT"]}, tmp_path / "no.parquet", seconds=1.0)
    assert not (tmp_path / "no.parquet").exists()
