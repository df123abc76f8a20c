"""Record a few seconds of the simulator to Parquet, replay them through the server as a tape, compare.

Rule relied on (design.md, "Replay"): the replay reads the project's Parquet recordings as it reads
Bybit's files, with the same control; the oracle is the recording read back with ``load_recording``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

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


def recorded_frames(rec, topic: str) -> list[dict]:
    return [json.loads(f) for f, t, c in zip(rec.frame, rec.topic, rec.category) if t == topic and c == "linear"]


def recorded_books_at(frames: list[dict], t_ms: int) -> list[tuple[list, list]]:
    """The recording's own books (top 50, as floats) a replay at ``t_ms`` may serve: the one after every frame
    before ``t_ms``, and the one after each frame stamped ``t_ms`` (the exchange may push two frames in one ms,
    and a step releases one event)."""
    book, before, at = BookModel(), [], []
    for frame in frames:
        if frame["ts"] > t_ms:
            break
        book.apply(frame)
        top = tuple([[float(p), float(q)] for p, q in side] for side in book.top(50))
        if frame["ts"] < t_ms:
            before = [top]
        else:
            at.append(top)
    return before + at


def served_book(sim) -> tuple[list, list]:
    truth = sim.truth_book("BTCUSDT", 50)
    return tuple([[float(p), float(q)] for p, q in truth[side]] for side in ("b", "a"))


def test_a_recording_replays_as_a_tape_its_book_at_every_step_and_seek(recording_path):
    """A recording is a tape like Bybit's files: its deepest book of each linear symbol, on the frames' ``ts``."""
    frames = recorded_frames(load_recording(recording_path), BOOK)
    with run(seed=99, replay=str(recording_path), paused=True) as sim:
        status = sim.replay_status()
        assert status["symbols"] == ["BTCUSDT"] and status["state"] == "paused"
        assert status["start_ms"] <= frames[0]["ts"] <= frames[-1]["ts"] <= status["end_ms"]
        for _ in range(8):
            status = sim.replay_control("step")
            assert served_book(sim) in recorded_books_at(frames, status["position_ms"]), status
        span = status["end_ms"] - status["start_ms"]
        for to in (status["start_ms"] + span * 3 // 4, status["start_ms"] + span // 4):  # forward, then back
            status = sim.replay_control("seek", to_ms=to)
            assert status["position_ms"] == to and served_book(sim) == recorded_books_at(frames, to)[-1]


def test_a_recordings_trades_are_served_in_their_order_and_on_rest(recording_path):
    rec = load_recording(recording_path)
    recorded = [t["i"] for frame in recorded_frames(rec, "publicTrade.BTCUSDT") for t in frame["data"]]
    assert recorded, "the recording has trades"
    with run(seed=99, replay=str(recording_path), paused=True) as sim:

        async def main():
            async with await Ws.open(sim.ws_public_linear) as ws:
                await ws.request({"op": "subscribe", "args": ["publicTrade.BTCUSDT"]})
                await asyncio.to_thread(sim.replay_control, "play", speed=4)
                served: list[str] = []
                while len(served) < len(recorded):
                    served += [t["i"] for t in (await ws.until(topic_is("publicTrade.BTCUSDT")))["data"]]
                return served

        served = arun(main())
        assert served == recorded
        with httpx.Client(base_url=sim.rest_url) as http:
            listed = http.get("/v5/market/recent-trade", params={"category": "linear", "symbol": "BTCUSDT"}).json()
        assert [t["execId"] for t in listed["result"]["list"]] == recorded[::-1][: len(listed["result"]["list"])]


def test_a_recording_refuses_a_bad_speed_and_serves_only_its_symbols(recording_path):
    with pytest.raises(ValueError, match="speed must be between 0.1x and 100x"):
        run(replay=str(recording_path), speed=1000)
    with run(replay=str(recording_path), paused=True) as sim:

        async def main():
            async with await Ws.open(sim.ws_public_linear) as ws:
                return await ws.request({"op": "subscribe", "args": ["orderbook.50.ETHUSDT"]})

        reply = arun(main())
    assert reply["success"] is False and "ETHUSDT" in reply["ret_msg"]


def test_recording_subscribes_within_the_limits_and_names_a_refused_batch(tmp_path):
    spot = [kline_topic("BTCUSDT", i) for i in KLINE_INTERVALS] + ["orderbook.1.BTCUSDT"]  # over spot's ten
    assert len(subscribe_batches("spot", spot)) == 2
    with run(seed=7) as sim:
        rows = record({sim.ws_public_spot: spot}, tmp_path / "spot.parquet", seconds=1.0)
        assert "orderbook.1.BTCUSDT" in rows.topic
        with pytest.raises(RecordError, match=r"\['tickers.NOPEUSDT'\]"):
            record({sim.ws_public_linear: ["tickers.NOPEUSDT"]}, tmp_path / "no.parquet", seconds=1.0)
    assert not (tmp_path / "no.parquet").exists()
