"""The project's own Parquet recordings read as a tape: each linear symbol's deepest book and its trades.

A recording (:mod:`..recording`) keeps the v5 frames exactly as received. As a tape, a symbol's book
is its deepest recorded ``orderbook.N`` stream and its trades are the items of its ``publicTrade``
frames; both are timed by the exchange's own stamps (the frame's ``ts``, each trade's ``T``), not by
when they were received, as with Bybit's files. The other recorded topics (tickers, klines, other
categories) are not replayed: the tape market derives its tickers and candles from the replayed book
and trades, as for Bybit's files, so a recording and a dump of the same day replay alike.

Decision: the recording's table is read once per stream (pyarrow, the ``topic`` column filtered
before any frame is decoded) and its frames are decoded in batches as the indexes spool them, so
what stays in memory is the Arrow table of the one topic being read, never the decoded frames.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace

from .files import BookFrame, TapeError, TapeFile, Trade, book_lines

__all__ = ["expand", "read_recorded_book", "read_recorded_trades"]

_BOOK_TOPIC = re.compile(r"^orderbook\.(?P<depth>\d+)\.(?P<symbol>[A-Z0-9]+)$")
_TRADE_TOPIC = re.compile(r"^publicTrade\.(?P<symbol>[A-Z0-9]+)$")
_BATCH = 4_096


def _table(file: TapeFile) -> object:
    from ..recording import load_table  # pyarrow, and the recording's own checks

    try:
        return load_table(file.path)
    except ValueError as exc:
        raise TapeError(str(exc)) from None


def expand(file: TapeFile) -> list[TapeFile]:
    """One ``book`` and one ``trades`` tape file per linear symbol the recording has (either may be absent)."""
    import pyarrow.compute as pc

    table = _table(file)
    linear = table.filter(pc.equal(table["category"], "linear"))
    depths: dict[str, int] = {}
    traded: set[str] = set()
    for topic in pc.unique(linear["topic"]).to_pylist():
        if match := _BOOK_TOPIC.match(topic):
            symbol = match["symbol"]
            depths[symbol] = max(depths.get(symbol, 0), int(match["depth"]))
        elif match := _TRADE_TOPIC.match(topic):
            traded.add(match["symbol"])
    if not depths and not traded:
        raise TapeError(f"{file.name}: no linear orderbook or publicTrade frames to replay in this recording")
    books = [replace(file, kind="book", symbol=s, depth=d, recorded=True) for s, d in sorted(depths.items())]
    trades = [replace(file, kind="trades", symbol=s, recorded=True) for s in sorted(traded)]
    return books + trades


def _frames(file: TapeFile, topic: str) -> Iterator[str]:
    import pyarrow.compute as pc

    table = _table(file)
    mine = table.filter(pc.and_(pc.equal(table["category"], "linear"), pc.equal(table["topic"], topic)))
    for batch in mine.select(["frame"]).to_batches(_BATCH):
        yield from batch.column(0).to_pylist()


def read_recorded_book(file: TapeFile) -> Iterator[BookFrame]:
    """The recorded frames of ``orderbook.{depth}.{symbol}``, checked as a Bybit book dump's lines are."""
    return book_lines(file, _frames(file, f"orderbook.{file.depth}.{file.symbol}"), what="frame")


def read_recorded_trades(file: TapeFile) -> Iterator[Trade]:
    """Every trade of the recorded ``publicTrade.{symbol}`` frames, in the order they came."""
    for n, text in enumerate(_frames(file, f"publicTrade.{file.symbol}"), start=1):
        where = f"{file.name} publicTrade.{file.symbol} frame {n}"
        try:
            items = json.loads(text)["data"]
            for item in items:
                yield _trade(file, item)
        except (ValueError, KeyError, TypeError) as exc:
            raise TapeError(f"{where}: expected v5 publicTrade data items with T, s, S, v, p, i ({exc})") from None


def _trade(file: TapeFile, item: dict) -> Trade:
    if item["s"] != file.symbol or item["S"] not in ("Buy", "Sell") or type(item["T"]) is not int:
        raise ValueError(f"a trade of {item['s']} side {item['S']!r} at T={item['T']!r}")
    return Trade(item["T"], file.symbol, item["S"], item["v"], item["p"], item["i"], item.get("L", ""))
