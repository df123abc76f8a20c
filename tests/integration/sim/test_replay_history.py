"""Bybit's public history files served by the exchange: books, trades, control, speed and refusals.

The files are generated in exactly Bybit's published formats by ``tests/unit/sim/tape/dumps.py``
(its docstring lists the format facts and their sources). The oracle is the file itself, read
here line by line with ``zipfile``/``gzip``/``json``/``csv``: the served book must equal the
file's book (top 50) and the served trades the file's trades.

Rules relied on, from design.md ("Replay" and ``/sim/replay``): ``orderbook.{1,50,200}`` come
from the replayed book with ``u`` continuous across the whole replay and a fresh snapshot after
every seek; ``publicTrade`` carries the file's trades; REST market data answer at the replay
clock; ``step`` releases one event; ``speed`` is 0.1x to 100x.
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
import threading
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import httpx
import pybit.unified_trading as pybit_unified
import pytest

from bybit_widgets.sim import run
from bybit_widgets.sim.tape import TapeError

from ...unit.sim.tape import dumps
from .helpers import BookModel, Rest, Ws, arun, topic_is

BOOK = "orderbook.50.BTCUSDT"


# -- the oracle: the files as written -----------------------------------------------------------------
def file_frames(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as archive:
        (name,) = archive.namelist()
        return [json.loads(line) for line in archive.read(name).decode().splitlines() if line]


def file_trades(path: Path) -> list[dict]:
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda r: float(r["timestamp"]))  # dumps may list a day newest first
    return rows


def book_after(frames: list[dict], *, count: int | None = None, until_ms: int | None = None) -> tuple[list, list]:
    """The file's top 50 after its first ``count`` frames, or after every frame up to ``until_ms``, as floats."""
    bids: dict[float, float] = {}
    asks: dict[float, float] = {}
    for n, frame in enumerate(frames):
        if (count is not None and n >= count) or (until_ms is not None and frame["ts"] > until_ms):
            break
        if frame["type"] == "snapshot":
            bids.clear()
            asks.clear()
        for side, levels in ((bids, frame["data"]["b"]), (asks, frame["data"]["a"])):
            for price, size in levels:
                if float(size) == 0:
                    side.pop(float(price), None)
                else:
                    side[float(price)] = float(size)
    return sorted(bids.items(), reverse=True)[:50], sorted(asks.items())[:50]


def as_floats(bids: list, asks: list) -> tuple[list, list]:
    return [(float(p), float(q)) for p, q in bids], [(float(p), float(q)) for p, q in asks]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("history")
    return dumps.write_book(folder, deltas=3000, every_ms=40), dumps.write_trades(folder, count=400, newest_first=True)


def control(sim, **body) -> dict:
    response = httpx.post(f"{sim.rest_url}/sim/replay", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def rest_book(sim) -> tuple[list, list]:
    params = {"category": "linear", "symbol": "BTCUSDT", "limit": 50}
    result = httpx.get(f"{sim.rest_url}/v5/market/orderbook", params=params, timeout=10).json()["result"]
    return as_floats(result["b"], result["a"])


# -- books ----------------------------------------------------------------------------------------------
def test_each_step_serves_the_files_book_one_frame_further(files):
    book_file, _ = files
    frames = file_frames(book_file)
    with run(replay=[str(book_file)], paused=True) as sim:
        status = control(sim, action="pause")
        assert status["state"] == "paused" and status["position_ms"] == frames[0]["ts"]
        assert rest_book(sim) == book_after(frames, count=1)  # paused at the start: the opening snapshot
        for n in range(2, 80):
            status = control(sim, action="step")
            assert status["position_ms"] == frames[n - 1]["ts"]
            assert rest_book(sim) == book_after(frames, count=n), f"after {n} frames"


async def _client_book_until(ws: Ws, model: BookModel, expected: tuple, snapshots: list, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while as_floats(*model.top(50)) != expected:
        left = deadline - time.monotonic()
        assert left > 0, f"the client's book never became the file's: {model.top(3)} vs {expected[0][:3]}"
        message = await ws.until(topic_is(BOOK), left)
        if message["type"] == "snapshot":
            assert model.u is None or message["data"]["u"] == model.u + 1, "u must go on across a seek"
            snapshots.append(message["data"]["u"])
        model.apply(message)


async def _follow(ws: Ws, model: BookModel, count: int) -> None:
    for message in await ws.collect(topic_is(BOOK), count):
        model.apply(message)


def test_play_at_10x_and_seeks_serve_the_files_book_with_continuous_u(files):
    book_file, _ = files
    frames = file_frames(book_file)
    start, end = frames[0]["ts"], frames[-1]["ts"]

    async def scenario(sim) -> list[int]:
        model, snapshots = BookModel(), []
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": [BOOK]})
            await _client_book_until(ws, model, book_after(frames, count=1), snapshots)
            control(sim, action="play", speed=10)
            await _follow(ws, model, 20)  # it plays
            for body in (
                {"action": "pause"},
                {"action": "seek", "to_ms": start + 1_000},  # back
                {"action": "seek", "to_ms": start + (end - start) * 3 // 4},  # forward
                {"action": "play"},
                {"action": "pause"},
            ):
                status = control(sim, **body)
                if body["action"] == "play":
                    await _follow(ws, model, 10)
                    continue
                await _client_book_until(ws, model, book_after(frames, until_ms=status["position_ms"]), snapshots)
        return snapshots

    with run(replay=[str(book_file)], paused=True) as sim:
        snapshots = arun(scenario(sim))
    assert len(snapshots) == 3, f"one snapshot on subscribe and one after each seek, got u={snapshots}"


def test_orderbook_1_and_200_follow_the_same_replayed_book(files):
    book_file, _ = files
    frames = file_frames(book_file)

    async def scenario(sim) -> tuple[dict, dict]:
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": ["orderbook.1.BTCUSDT", "orderbook.200.BTCUSDT"]})
            return await ws.until(topic_is("orderbook.1.BTCUSDT")), await ws.until(topic_is("orderbook.200.BTCUSDT"))

    with run(replay=[str(book_file)], paused=True) as sim:
        top, deep = arun(scenario(sim))
    bids, asks = book_after(frames, count=1)
    assert as_floats(top["data"]["b"], top["data"]["a"]) == (bids[:1], asks[:1])
    deep_bids, deep_asks = as_floats(deep["data"]["b"], deep["data"]["a"])
    assert deep_bids[:50] == bids and deep_asks[:50] == asks  # the snapshot has 40 a side: all of them


# -- trades ---------------------------------------------------------------------------------------------
def test_trades_are_the_files_trades_in_order_and_rest_answers_at_the_replay_clock(files):
    book_file, trade_file = files
    rows = file_trades(trade_file)

    async def scenario(sim) -> list[dict]:
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": ["publicTrade.BTCUSDT"]})
            control(sim, action="play", speed=100)
            got: list[dict] = []
            deadline = time.monotonic() + 30
            while len(got) < len(rows):
                message = await ws.until(topic_is("publicTrade.BTCUSDT"), deadline - time.monotonic())
                got.extend(message["data"])
            return got

    with run(replay=[str(book_file), str(trade_file)], paused=True) as sim:
        served = arun(scenario(sim))
        status = control(sim, action="pause")
        recent = httpx.get(
            f"{sim.rest_url}/v5/market/recent-trade", params={"category": "linear", "symbol": "BTCUSDT", "limit": 5}
        ).json()["result"]["list"]
        clock = httpx.get(f"{sim.rest_url}/v5/market/time").json()
        server_time = clock["time"]
    # the server's time stays the wall clock clients sign with, while the market runs on history's time
    assert abs(int(clock["result"]["timeSecond"]) - server_time // 1000) <= 1
    assert [t["i"] for t in served] == [r["trdMatchID"] for r in rows]
    assert [(t["S"], float(t["v"]), float(t["p"])) for t in served] == [
        (r["side"], float(r["size"]), float(r["price"])) for r in rows
    ]
    # seconds with a fraction to whole ms, truncated: the trade happened within that millisecond
    assert [t["T"] for t in served] == [int(Decimal(r["timestamp"]) * 1000) for r in rows]
    assert [t["execId"] for t in recent] == [r["trdMatchID"] for r in rows[::-1][:5]]  # REST: newest first
    assert int(recent[0]["time"]) <= status["position_ms"] < server_time  # market data in tape time


def test_after_a_seek_rest_trades_and_candles_are_the_files_past_and_streams_push_only_what_follows(files):
    """A seek brings the recent past with it (REST recent trades, 1-minute and 5-minute klines), as a
    client landing on a live market at that moment would find it; the trade and kline streams do not
    push that past again."""
    book_file, trade_file = files
    rows = file_trades(trade_file)
    times = [int(Decimal(r["timestamp"]) * 1000) for r in rows]
    k = next(i for i in range(300, len(rows) - 1) if times[i + 1] > times[i])
    to, params = times[k], {"category": "linear", "symbol": "BTCUSDT"}

    async def next_trades(sim) -> list[dict]:
        async with await Ws.open(sim.ws_public_linear) as ws:
            await ws.request({"op": "subscribe", "args": ["publicTrade.BTCUSDT"]})
            control(sim, action="seek", to_ms=to)
            while control(sim, action="step")["position_ms"] < times[k + 1]:
                pass  # book frames, until the first trade after the seek is out
            return (await ws.until(topic_is("publicTrade.BTCUSDT")))["data"]

    with run(replay=[str(book_file), str(trade_file)], paused=True) as sim:
        pushed = arun(next_trades(sim))
        control(sim, action="seek", to_ms=to)
        recent = httpx.get(f"{sim.rest_url}/v5/market/recent-trade", params={**params, "limit": 50}).json()
        klines = {
            interval: httpx.get(f"{sim.rest_url}/v5/market/kline", params={**params, "interval": interval}).json()
            for interval in ("1", "5")
        }
    assert [t["i"] for t in pushed] == [r["trdMatchID"] for r, t in zip(rows, times) if t == times[k + 1]]
    past = [r for r, t in zip(rows, times) if t <= to]
    assert [t["execId"] for t in recent["result"]["list"]] == [r["trdMatchID"] for r in past[::-1][:50]]
    for interval, answer in klines.items():
        candles = answer["result"]["list"]  # newest first: [start, open, high, low, close, volume, turnover]
        starts = [int(c[0]) for c in candles]
        minute = 60_000 * int(interval)
        assert starts[0] == to - to % minute and starts[-1] <= times[0] - times[0] % minute, interval
        volume = sum(Decimal(c[5]) for c in candles)
        assert volume == sum(Decimal(r["size"]) for r in past), interval  # every trade before the seek, once
        assert Decimal(candles[0][4]) == Decimal(past[-1]["price"])  # the close is the last trade before it


def test_speed_follows_the_asked_factor_within_20_percent(files):
    book_file, _ = files
    with run(replay=[str(book_file)], paused=True) as sim:
        for speed in (0.5, 10):
            control(sim, action="seek", to_ms=dumps.T0)
            first = control(sim, action="play", speed=speed)
            wall0 = time.monotonic()
            done = threading.Event()
            done.wait(1.0)  # the measured interval, not a synchronisation
            last = control(sim, action="pause")
            wall = time.monotonic() - wall0
            moved = (last["position_ms"] - first["position_ms"]) / 1000
            assert abs(moved / wall / speed - 1) < 0.2, f"{speed}x moved {moved:.3f} s in {wall:.3f} s"


# -- control --------------------------------------------------------------------------------------------
def test_replay_state_and_refusals_in_plain_words(files):
    book_file, trade_file = files
    with run(replay=[str(book_file), str(trade_file)], paused=True) as sim:
        state = httpx.get(f"{sim.rest_url}/sim/replay").json()
        assert state["state"] == "paused" and state["speed"] == 1.0 and state["start_ms"] <= state["position_ms"]
        assert state["end_ms"] > state["start_ms"] and state["symbols"] == ["BTCUSDT"]
        for body, words in (
            ({"action": "jump"}, "expected"),
            ({"action": "seek"}, "to_ms"),
            ({"action": "speed", "speed": 500}, "between 0.1x and 100x"),
            ({"action": "seek", "to_ms": "noon"}, "a time in ms"),
            ({"action": "play", "sped": 2}, "unknown field"),
        ):
            response = httpx.post(f"{sim.rest_url}/sim/replay", json=body)
            assert response.status_code == 400 and words in response.json()["error"], (body, response.text)
        assert sim.replay_control("seek", to_ms=0)["position_ms"] == state["start_ms"]  # clamped into the tape
        assert sim.replay_control("seek", to_ms=10**15)["state"] == "ended"
    with run() as live:
        response = httpx.get(f"{live.rest_url}/sim/replay")
        assert response.status_code == 400 and "--replay FILE" in response.json()["error"]


# -- trading against history ----------------------------------------------------------------------------
def test_user_orders_fill_against_the_replayed_book_and_leave_history_alone(files):
    book_file, trade_file = files
    frames = file_frames(book_file)
    with run(replay=[str(book_file), str(trade_file)], paused=True) as sim:
        rest = Rest(sim.rest_url, sim.api_key, sim.api_secret)
        try:
            control(sim, action="pause")
            bids, asks = rest_book(sim)
            order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "0.010"}
            placed = rest.ok("POST", "/v5/order/create", order)
            fills = rest.ok("GET", "/v5/execution/list", {"category": "linear", "orderId": placed["orderId"]})
            assert fills["list"] and float(fills["list"][0]["execPrice"]) == asks[0][0]  # at the replayed ask
            trades = httpx.get(
                f"{sim.rest_url}/v5/market/recent-trade", params={"category": "linear", "symbol": "BTCUSDT"}
            ).json()["result"]["list"]
            assert placed["orderId"] not in {t["execId"] for t in trades} and all(
                t["execId"] in {r["trdMatchID"] for r in file_trades(trade_file)} for t in trades
            )
            # a bid resting under the book fills as a maker once the replay's asks come down to it
            low = min(p for f in frames for p, _ in ((float(x[0]), x[1]) for x in f["data"]["a"]))
            bid = {**order, "orderType": "Limit", "price": f"{low:.1f}", "qty": "0.001", "timeInForce": "GTC"}
            resting = rest.ok("POST", "/v5/order/create", bid)
            control(sim, action="play", speed=100)
            deadline = time.monotonic() + 30
            query = {"category": "linear", "symbol": "BTCUSDT", "orderId": resting["orderId"]}
            while rest.ok("GET", "/v5/order/realtime", query)["list"][0]["orderStatus"] != "Filled":
                assert time.monotonic() < deadline, "the resting bid never filled"
                if control(sim, action="step")["state"] == "ended":
                    pytest.fail("the replay ended and the resting bid did not fill")
        finally:
            rest.close()


# -- pybit ----------------------------------------------------------------------------------------------
def test_pybit_websocket_receives_the_replayed_book(files, monkeypatch):
    book_file, _ = files
    frames = file_frames(book_file)
    got: list[dict] = []
    arrived = threading.Condition()

    def on_book(message: dict) -> None:
        with arrived:
            got.append(message)
            arrived.notify_all()

    with run(replay=[str(book_file)], paused=True) as sim:
        monkeypatch.setattr(pybit_unified, "PUBLIC_WSS", sim.ws_url + "/v5/public/{CHANNEL_TYPE}")
        public = pybit_unified.WebSocket(channel_type="linear", testnet=False)
        try:
            public.orderbook_stream(depth=50, symbol="BTCUSDT", callback=on_book)
            with arrived:
                assert arrived.wait_for(lambda: got, 15), "pybit received nothing"
        finally:
            public.exit()
    snapshot = got[0]
    assert snapshot["type"] == "snapshot" and snapshot["ts"] == frames[0]["ts"]  # frame times are tape times
    assert as_floats(snapshot["data"]["b"], snapshot["data"]["a"]) == book_after(frames, count=1)


# -- refusals before anything starts --------------------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bybit_widgets.sim", "--port", "0", *args], capture_output=True, text=True, timeout=60
    )


def test_a_bad_history_file_gets_one_line_naming_it_and_nothing_starts(tmp_path):
    good = dumps.book_lines(deltas=5)
    for name in ("corrupt", "whole", "other", "unknown"):
        (tmp_path / name).mkdir()
    corrupt = dumps.write_book(tmp_path / "corrupt", lines=[*list(good)[:3], '{"topic": "orderbook.500.BTC'])
    truncated = tmp_path / "2024-12-01_ETHUSDT_ob500.data.zip"
    whole = dumps.write_book(tmp_path / "whole", symbol="ETHUSDT").read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    other = dumps.write_book(tmp_path / "other", symbol="BTCUSDT", lines=dumps.book_lines("SOLUSDT", deltas=3))
    unknown = dumps.write_book(tmp_path / "unknown", symbol="DOGEUSDT")
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    for path, words in (
        (corrupt, "line 4"),
        (truncated, "2024-12-01_ETHUSDT_ob500.data.zip"),
        (other, "SOLUSDT"),
        (unknown, "no linear instrument"),
        (stray, "expected a Bybit trade dump"),
    ):
        proc = _cli("--replay", str(path))
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, (path, proc.stderr)
        assert path.name in lines[0] or words in lines[0], lines[0]
        assert words in lines[0], lines[0]
        with pytest.raises(TapeError, match=words):
            run(replay=[str(path)])


def test_the_cli_replays_several_files_paused_at_a_set_speed(files, tmp_path):
    book_file, trade_file = files
    proc = subprocess.Popen(
        [sys.executable, "-m", "bybit_widgets.sim", "--port", "0", "--replay", str(book_file)]
        + ["--replay", str(trade_file), "--speed", "20", "--paused"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        described = json.loads(proc.stdout.readline())
        state = httpx.get(f"{described['rest']}/sim/replay", timeout=10).json()
        assert state["state"] == "paused" and state["speed"] == 20.0 and state["symbols"] == ["BTCUSDT"]
    finally:
        proc.terminate()
        proc.wait(15)
        assert proc.stderr is not None
        proc.stderr.close()
        proc.stdout.close()
