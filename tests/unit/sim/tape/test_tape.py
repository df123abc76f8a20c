"""Bybit's history files as a tape: read as published, sought by checkpoint, played by a clock.

The oracle is the plainest replay there is: every line of the generated file applied in order
to a dict book (see ``dumps.py`` for the format facts and their sources).
"""

from __future__ import annotations

import gzip
import json
import zipfile

import pytest

from bybit_widgets.sim.tape import ReplayClock, TapeError, TapePlayer, identify, read_book, read_trades
from bybit_widgets.sim.tape.files import seconds_to_ms
from bybit_widgets.sim.tape.index import BookIndex

from .dumps import DAY, T0, book_lines, trade_rows, write_book, write_trades


def oracle(lines: list[str], until_ms: int) -> tuple[list, list]:
    """The top 50 a side after applying every line at or before ``until_ms``."""
    bids: dict[str, str] = {}
    asks: dict[str, str] = {}
    for line in lines:
        message = json.loads(line)
        if message["ts"] > until_ms:
            break
        if message["type"] == "snapshot":
            bids, asks = dict(message["data"]["b"]), dict(message["data"]["a"])
            continue
        for book, key in ((bids, "b"), (asks, "a")):
            for price, size in message["data"][key]:
                if float(size) == 0:
                    book.pop(price, None)
                else:
                    book[price] = size
    top = lambda book, rev: [list(x) for x in sorted(book.items(), key=lambda kv: float(kv[0]), reverse=rev)[:50]]  # noqa: E731
    return top(bids, True), top(asks, False)


def test_files_are_known_by_their_bybit_names_and_anything_else_is_refused_naming_what_was_expected(tmp_path):
    book, trades = write_book(tmp_path), write_trades(tmp_path)
    assert (identify(book).kind, identify(book).symbol, identify(book).depth) == ("book", "BTCUSDT", 500)
    assert (identify(trades).kind, identify(trades).symbol, identify(trades).date) == ("trades", "BTCUSDT", DAY)
    odd = tmp_path / "btc.csv"
    odd.write_text("x")
    with pytest.raises(TapeError, match=r"btc.csv: unknown history file; expected a Bybit trade dump SYMBOLYYYY"):
        identify(odd)
    with pytest.raises(TapeError, match="no such file"):
        identify(tmp_path / "2024-12-01_BTCUSDT_ob500.data.zip.missing")


def test_seconds_with_a_fraction_become_exact_milliseconds():
    assert seconds_to_ms("1733011200.1234") == 1_733_011_200_123
    assert seconds_to_ms("1733011200.1") == 1_733_011_200_100 and seconds_to_ms("1733011200") == 1_733_011_200_000
    with pytest.raises(ValueError):
        seconds_to_ms("1.7e9")


def test_a_trade_dump_reads_row_by_row_with_taker_sides_and_times(tmp_path):
    rows = trade_rows(count=30)
    trades = list(read_trades(identify(write_trades(tmp_path, rows=rows))))
    assert [t.trade_id for t in trades] == [r[6] for r in rows]
    assert trades[0].t_ms == seconds_to_ms(rows[0][0]) and trades[0].side in ("Buy", "Sell")
    assert [(t.price, t.size) for t in trades] == [(r[4], r[3]) for r in rows]


def test_every_broken_file_stops_with_one_line_naming_the_file_and_the_place(tmp_path):
    lines = list(book_lines(deltas=20))
    corrupt = write_book(tmp_path, lines=[*lines[:5], lines[5][:-7], *lines[6:]])
    with pytest.raises(TapeError, match=r"_ob500.data.zip line 6: not a JSON orderbook frame"):
        list(read_book(identify(corrupt)))
    other = tmp_path / "other"
    other.mkdir()
    foreign = write_book(other, lines=[line.replace("BTCUSDT", "ETHUSDT") for line in lines])
    with pytest.raises(TapeError, match="topic 'orderbook.500.ETHUSDT', but the file name says orderbook.500.BTCUSDT"):
        list(read_book(identify(foreign)))
    gap = tmp_path / "gap"
    gap.mkdir()
    with pytest.raises(TapeError, match="line 4: u jumps from 1002 to 1004"):
        list(read_book(identify(write_book(gap, lines=[*lines[:3], *lines[4:]]))))
    whole = write_book(tmp_path / "gap", symbol="SOLUSDT", deltas=2000)
    data = whole.read_bytes()
    whole.write_bytes(data[: len(data) // 2])  # cut short: the zip's directory is gone
    with pytest.raises(
        TapeError, match=r"SOLUSDT_ob500.data.zip: not a readable zip .* expected Bybit's 2024-12-01_SOLUSDT"
    ):
        list(read_book(identify(whole)))
    wrong_member = tmp_path / f"{DAY}_XRPUSDT_ob500.data.zip"
    with zipfile.ZipFile(wrong_member, "w") as archive:
        archive.writestr("data.json", lines[0])
    with pytest.raises(TapeError, match="expected one file 2024-12-01_XRPUSDT_ob500.data inside, found data.json"):
        list(read_book(identify(wrong_member)))
    rows = trade_rows(count=5)
    rows[2][1] = "ETHUSDT"
    with pytest.raises(TapeError, match=r"BTCUSDT2024-12-01.csv.gz line 4: a trade of ETHUSDT, but the file name"):
        list(read_trades(identify(write_trades(tmp_path, rows=rows))))
    not_gzip = tmp_path / f"ADAUSDT{DAY}.csv.gz"
    not_gzip.write_text("timestamp,symbol\n")
    with pytest.raises(TapeError, match="ADAUSDT2024-12-01.csv.gz: not a readable gzip CSV"):
        list(read_trades(identify(not_gzip)))
    headless = tmp_path / f"DOGEUSDT{DAY}.csv.gz"
    with gzip.open(headless, "wt") as out:
        out.write("time,price\n1,2\n")
    with pytest.raises(TapeError, match="not a Bybit trade dump: expected the header timestamp,symbol,side"):
        list(read_trades(identify(headless)))


def test_a_seek_restores_the_files_book_at_every_position_from_a_checkpoint(tmp_path):
    lines = list(book_lines(deltas=3000, levels=60))
    index = BookIndex(identify(write_book(tmp_path, lines=lines)), every=100, max_checkpoints=8)
    try:
        assert len(index.checkpoints) <= 8 and index.every > 100  # thinned to its bound
        times = [json.loads(line)["ts"] for line in lines]
        for t in [times[0], times[1], times[777], times[1500] - 1, times[2999], times[-1], times[-1] + 10, times[42]]:
            book, rest = index.at(t)
            assert book.top(50) == oracle(lines, t), t
            upcoming = next(rest, None)
            assert upcoming is None or upcoming.t_ms > t
    finally:
        index.close()


def test_the_player_merges_book_and_trades_on_time_and_steps_and_seeks_both_ways(tmp_path):
    lines = list(book_lines(deltas=400))
    rows = trade_rows(count=200)
    player = TapePlayer(
        [identify(write_book(tmp_path, lines=lines)), identify(write_trades(tmp_path, rows=rows, newest_first=True))]
    )
    try:
        times = [json.loads(line)["ts"] for line in lines]
        mid = times[200]
        events = player.advance(mid)
        assert [e.t_ms for e in events] == sorted(e.t_ms for e in events)  # merged on time
        trades = [e for e in events if hasattr(e, "trade_id")]
        assert [t.trade_id for t in trades] == [
            r[6] for r in rows if seconds_to_ms(r[0]) <= mid
        ]  # newest-first file, oldest first out
        assert player.state["BTCUSDT"].top(50) == oracle(lines, mid)
        one = player.step()
        assert one is not None and one.t_ms >= mid and player.peek_time() >= one.t_ms
        for target in (times[50], times[350], times[10]):  # back, forward, back
            books = player.seek(target)
            assert books["BTCUSDT"].top(50) == oracle(lines, target)
            after = player.advance(target + 500)
            assert all(target < e.t_ms <= target + 500 for e in after)
            assert player.state["BTCUSDT"].top(50) == oracle(lines, target + 500)
        player.seek(player.end_ms)
        assert player.step() is None and player.advance(player.end_ms + 10_000) == []
    finally:
        player.close()


def test_a_trade_at_the_same_time_and_place_as_a_book_frame_comes_after_it(tmp_path):
    """Ties on time: books before trades. (The merge once compared the events themselves and raised.)"""
    lines = list(book_lines(deltas=3))
    t_first = json.loads(lines[0])["ts"]
    row = trade_rows(count=1)[0]
    row[0] = f"{t_first // 1000}.{t_first % 1000:03d}0"  # the first trade at the snapshot's ms: both n = 0
    player = TapePlayer([identify(write_book(tmp_path, lines=lines)), identify(write_trades(tmp_path, rows=[row]))])
    try:
        first, second = player.step(), player.step()
        assert (type(first).__name__, type(second).__name__) == ("BookFrame", "Trade")
        assert first.t_ms == second.t_ms == t_first
    finally:
        player.close()


def test_the_clock_plays_pauses_steps_seeks_and_changes_speed_on_plain_numbers():
    clock = ReplayClock(T0, T0 + 60_000, now=100.0, speed=10)
    assert clock.position(101.0) == T0 + 10_000 and clock.state(101.0) == "playing"
    clock.pause(101.0)
    assert clock.position(150.0) == T0 + 10_000 and clock.state(150.0) == "paused"
    clock.set_speed(0.5, 150.0)
    clock.play(150.0)
    assert clock.position(152.0) == T0 + 11_000
    assert clock.seek(T0 - 5, 152.0) == T0 and clock.position(153.0) == T0 + 500  # clamped, still playing
    clock.hold_at(T0 + 59_000, 153.0)
    assert clock.state(999.0) == "paused" and clock.position(999.0) == T0 + 59_000
    clock.set_speed(100, 999.0)
    clock.play(999.0)
    assert clock.position(1000.0) == T0 + 60_000 and clock.state(1000.0) == "ended"  # stops at the end
    for bad in (0.05, 101, "2", True):
        with pytest.raises(ValueError, match="speed must be between 0.1x and 100x"):
            clock.set_speed(bad, 1000.0)
    with pytest.raises(ValueError, match="to_ms must be a time in ms"):
        clock.seek("noon", 1000.0)
