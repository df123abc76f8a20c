"""Record the simulator into a hive-partitioned Parquet dataset, read it as other tools would, replay it."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from bybit_widgets.sim import load_recording, record, run

from .helpers import BookModel, Ws, arun, topic_is

BOOK = "orderbook.50.BTCUSDT"
LINEAR = [BOOK, "tickers.BTCUSDT", "orderbook.50.ETHUSDT"]
SPOT = ["orderbook.1.BTCUSDT"]  # the same symbol in another category files under the same symbol=
PART = re.compile(r"symbol=(?P<symbol>[A-Z0-9]+)/date=(?P<date>\d{4}-\d{2}-\d{2})/part-[^/]+\.parquet")


def utc_date(t_ms: int) -> str:
    return datetime.fromtimestamp(t_ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def symbol_of(topic: str) -> str:
    return topic.rsplit(".", 1)[-1]


def rows_of(rec) -> list[tuple]:
    return list(zip(rec.t_ms, rec.category, rec.topic, rec.type, rec.frame))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """``(dataset root, the rows record() returned)`` for about 2 s of two symbols."""
    root = tmp_path_factory.mktemp("dataset") / "sessions"
    with run(seed=11) as sim:
        rows = record({sim.ws_public_linear: LINEAR, sim.ws_public_spot: SPOT}, root, seconds=2.0)
    assert len(rows) > 50 and set(rows.topic) == set(LINEAR + SPOT)
    return root, rows


def parts(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))


def test_a_directory_recording_is_partitioned_hive_style_by_symbol_and_utc_date(recorded):
    root, rows = recorded
    files = parts(root)
    assert files and all(PART.fullmatch(f) for f in files), files
    found = {(m["symbol"], m["date"]) for m in map(PART.fullmatch, files)}
    assert found == {(symbol_of(t), utc_date(ms)) for t, ms in zip(rows.topic, rows.t_ms)}
    for f in files:  # each part holds the recording's columns (not the partition ones), sorted by receive time
        table = pq.read_table(root / f)
        assert table.column_names == ["t_ms", "category", "topic", "type", "frame"]
        assert table.schema.metadata[b"format"] == b"bybit-widgets/recording/1"
        t_ms = table.column("t_ms").to_pylist()
        assert t_ms == sorted(t_ms)
        assert {symbol_of(t) for t in table.column("topic").to_pylist()} == {PART.fullmatch(f)["symbol"]}


def test_pyarrow_reads_the_directory_as_one_dataset_with_partition_columns(recorded):
    root, rows = recorded
    table = ds.dataset(root, format="parquet", partitioning="hive").to_table()
    assert {"symbol", "date"} <= set(table.column_names)
    assert Counter(table.column("symbol").to_pylist()) == Counter(symbol_of(t) for t in rows.topic)
    for topic, symbol, date, t_ms in zip(*(table.column(c).to_pylist() for c in ("topic", "symbol", "date", "t_ms"))):
        assert (symbol, date) == (symbol_of(topic), utc_date(t_ms))


def test_loading_the_root_gives_back_the_recorded_rows_in_time_order(recorded):
    root, rows = recorded
    rec = load_recording(root)
    assert rec.t_ms == sorted(rec.t_ms)
    assert sorted(rows_of(rec)) == sorted(rows_of(rows))
    assert rec.source == rows.source
    for topic in set(rows.topic):  # each topic's frames in the order they were received
        assert [f for f, t in zip(rec.frame, rec.topic) if t == topic] == [
            f for f, t in zip(rows.frame, rows.topic) if t == topic
        ]


def test_loading_one_symbol_folder_gives_only_that_symbol(recorded):
    root, rows = recorded
    eth = load_recording(root / "symbol=ETHUSDT")
    assert set(eth.topic) == {"orderbook.50.ETHUSDT"}
    assert rows_of(eth) == [r for r in rows_of(rows) if r[2] == "orderbook.50.ETHUSDT"]
    btc = load_recording(root / "symbol=BTCUSDT")
    assert btc.topics() == {("linear", BOOK), ("linear", "tickers.BTCUSDT"), ("spot", "orderbook.1.BTCUSDT")}


def test_a_second_recording_into_the_same_root_adds_files_and_keeps_the_first(recorded, tmp_path):
    first_root, first = recorded
    root = tmp_path / "sessions"
    shutil.copytree(first_root, root)
    before = parts(root)
    with run(seed=12) as sim:
        second = record({sim.ws_public_linear: ["orderbook.50.ETHUSDT"]}, root, seconds=1.0)
    after = parts(root)
    assert set(before) < set(after)
    assert all((root / f).read_bytes() == (first_root / f).read_bytes() for f in before)
    both = load_recording(root)
    assert len(both) == len(first) + len(second)
    assert sorted(rows_of(both)) == sorted(rows_of(first) + rows_of(second))


def test_replaying_the_dataset_serves_each_symbols_book_and_one_symbol_folder_only_that_symbol(recorded):
    root, rows = recorded
    with run(seed=99, replay=str(root), paused=True) as sim:
        assert sim.replay_status()["symbols"] == ["BTCUSDT", "ETHUSDT"]

        async def main():
            async with await Ws.open(sim.ws_public_linear) as ws:
                reply = await ws.request({"op": "subscribe", "args": [BOOK, "orderbook.50.ETHUSDT"]})
                await asyncio.to_thread(sim.replay_control, "play", speed=2)
                frames = await ws.collect(topic_is(BOOK), 20)
                return reply, frames

        reply, frames = arun(main())
    assert reply["success"] is True
    book = BookModel()
    for frame in frames:  # a snapshot, then deltas with u going on
        book.apply(frame)
    assert frames[0]["type"] == "snapshot" and frames[0]["data"]["s"] == "BTCUSDT"
    recorded_ts = [json.loads(f)["ts"] for f, t in zip(rows.frame, rows.topic) if t == BOOK]
    assert all(min(recorded_ts) <= f["ts"] <= max(recorded_ts) for f in frames)  # on the recording's clock
    with run(seed=99, replay=str(root / "symbol=ETHUSDT"), paused=True) as sim:
        assert sim.replay_status()["symbols"] == ["ETHUSDT"]


def test_a_directory_that_is_not_a_recording_is_refused_in_one_line_naming_it(tmp_path):
    empty = tmp_path / "empty"
    (empty / "symbol=BTCUSDT").mkdir(parents=True)
    (empty / "notes.txt").write_text("no parquet here")
    with pytest.raises(ValueError) as info:
        load_recording(empty)
    assert str(empty) in str(info.value) and "no Parquet files" in str(info.value)
    assert "symbol=SYMBOL/date=YYYY-MM-DD" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ValueError) as info:  # and as a replay: one line naming it and what a replay reads
        run(replay=str(empty))
    assert "empty: unknown history file" in str(info.value) and "Parquet recording" in str(info.value)
    other = tmp_path / "other" / "symbol=BTCUSDT" / "date=2024-12-01"
    other.mkdir(parents=True)
    pq.write_table(pa.table({"price": [1.0]}), other / "part-0.parquet")
    with pytest.raises(ValueError) as info:
        load_recording(tmp_path / "other")
    message = str(info.value)
    assert str(other / "part-0.parquet") in message and "no column t_ms" in message and "\n" not in message


def test_the_command_line_records_a_dataset_when_out_is_a_directory(tmp_path):
    out = tmp_path / "cli"
    with run(seed=13) as sim:
        proc = subprocess.run(
            [sys.executable, "-m", "bybit_widgets.sim", "record", "--url", sim.ws_public_linear]
            + ["--topics", "orderbook.50.SOLUSDT,tickers.SOLUSDT", "--seconds", "1", "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert parts(out) and all(PART.fullmatch(f)["symbol"] == "SOLUSDT" for f in parts(out))
    assert len(load_recording(out)) == summary["frames"] > 10


def test_duckdb_reads_the_dataset_with_its_partition_columns(recorded):
    import duckdb  # a test dependency (pyproject [test]): the dataset as a third-party reader sees it

    root, rows = recorded
    counts = duckdb.sql(
        f"select symbol, count(*) from read_parquet('{root.as_posix()}/**/*.parquet', hive_partitioning=true) "
        "group by symbol"
    ).fetchall()
    assert dict(counts) == Counter(symbol_of(t) for t in rows.topic)
