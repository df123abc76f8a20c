"""Bybit's public history files, as published, read as streams of events with clear refusals.

Two formats (design.md, "Replay"):

- trade dumps ``SYMBOLYYYY-MM-DD.csv.gz`` (public.bybit.com/trading): a gzip CSV with the header
  ``timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional``,
  ``timestamp`` in seconds with a fraction, ``side`` the taker's (Buy / Sell);
- order-book dumps ``YYYY-MM-DD_SYMBOL_ob500.data.zip``: a zip holding one file of the same name
  without ``.zip``, one v5 ``orderbook.500`` message as JSON per line: a snapshot, then deltas whose
  ``u`` follow one another (a later snapshot starts the book over).

Decisions. A file is read as it is needed, never whole: the book dump line by line from the zip
member, the trades row by row from the gzip stream, so memory does not grow with the file (a day
of BTCUSDT ob500 is hundreds of MB unpacked). Times become integer milliseconds exactly (the
seconds' fraction is cut, not rounded through a float). The file name says what a file is; a
name Bybit does not use, a row or line that does not parse, another symbol inside, a broken zip
or a gap in ``u`` each stop with one line naming the file (and line) and what was expected.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "TapeError",
    "TapeFile",
    "Trade",
    "BookFrame",
    "identify",
    "read_trades",
    "read_book",
    "book_lines",
    "TRADE_COLUMNS",
    "seconds_to_ms",
]

TRADE_COLUMNS = (
    "timestamp",
    "symbol",
    "side",
    "size",
    "price",
    "tickDirection",
    "trdMatchID",
    "grossValue",
    "homeNotional",
    "foreignNotional",
)
_TRADES_NAME = re.compile(r"^(?P<symbol>[A-Z0-9]+?)(?P<date>\d{4}-\d{2}-\d{2})\.csv\.gz$")
_BOOK_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<symbol>[A-Z0-9]+)_ob(?P<depth>\d+)\.data\.zip$")
_SECONDS = re.compile(r"^(\d+)(?:\.(\d+))?$")
EXPECTED = (
    "expected a Bybit trade dump SYMBOLYYYY-MM-DD.csv.gz, a Bybit order-book dump "
    "YYYY-MM-DD_SYMBOL_ob500.data.zip, or a Parquet recording (.parquet)"
)


class TapeError(ValueError):
    """A history file that cannot be replayed; the message is one line naming the file and why."""


@dataclass(frozen=True, slots=True)
class TapeFile:
    path: Path
    kind: str  # "trades" | "book" | "recording"
    symbol: str = ""
    date: str = ""
    depth: int = 0
    recorded: bool = False  # one symbol's stream of a Parquet recording (see .recorded), not Bybit's file

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class Trade:
    t_ms: int
    symbol: str
    side: str  # the taker's: Buy | Sell
    size: str
    price: str
    trade_id: str
    tick_direction: str


@dataclass(frozen=True, slots=True)
class BookFrame:
    t_ms: int
    kind: str  # snapshot | delta
    bids: list[list[str]]
    asks: list[list[str]]
    u: int
    seq: int
    line: int  # 1-based line of the file, for messages
    symbol: str


def identify(path: str | Path) -> TapeFile:
    """What a file is, by its name (and that it exists); a :class:`TapeError` names what was expected."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise TapeError(f"{path}: no such file")
    if path.is_file() and (match := _TRADES_NAME.match(name)):
        return TapeFile(path, "trades", match["symbol"], match["date"])
    if path.is_file() and (match := _BOOK_NAME.match(name)):
        return TapeFile(path, "book", match["symbol"], match["date"], int(match["depth"]))
    if (path.is_file() and name.endswith(".parquet")) or (path.is_dir() and any(path.rglob("*.parquet"))):
        return TapeFile(path, "recording")
    raise TapeError(f"{name}: unknown history file; {EXPECTED}")


def seconds_to_ms(text: str) -> int:
    """``"1733011200.1234"`` -> ``1733011200123``, exactly (ValueError if it is not seconds)."""
    match = _SECONDS.match(text.strip())
    if match is None:
        raise ValueError(f"not a time in seconds: {text!r}")
    whole, fraction = match.groups()
    return int(whole) * 1000 + int((fraction or "").ljust(3, "0")[:3])


def read_trades(file: TapeFile) -> Iterator[Trade]:
    """The trades of a Bybit trade dump in the file's own order, row by row."""
    name = file.name
    try:
        stream = gzip.open(file.path, "rt", newline="", encoding="utf-8")
        with stream:
            reader = csv.reader(stream)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != TRADE_COLUMNS:
                raise TapeError(f"{name}: not a Bybit trade dump: expected the header {','.join(TRADE_COLUMNS)}")
            for line, row in enumerate(reader, start=2):
                yield _trade(file, row, line)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise TapeError(f"{name}: not a readable gzip CSV ({_why(exc)}); {EXPECTED}") from None


def _trade(file: TapeFile, row: list[str], line: int) -> Trade:
    if len(row) != len(TRADE_COLUMNS):
        raise TapeError(f"{file.name} line {line}: expected {len(TRADE_COLUMNS)} columns, got {len(row)}")
    stamp, symbol, side, size, price, tick, trade_id = row[:7]
    if symbol != file.symbol:
        raise TapeError(f"{file.name} line {line}: a trade of {symbol}, but the file name says {file.symbol}")
    if side not in ("Buy", "Sell"):
        raise TapeError(f"{file.name} line {line}: side must be Buy or Sell, got {side!r}")
    try:
        t_ms = seconds_to_ms(stamp)
        if not float(size) > 0 or not float(price) > 0:
            raise ValueError("size and price must be positive")
    except ValueError as exc:
        raise TapeError(f"{file.name} line {line}: {exc}") from None
    return Trade(t_ms, symbol, side, size, price, trade_id, tick)


def read_book(file: TapeFile) -> Iterator[BookFrame]:
    """The frames of a Bybit order-book dump, line by line from inside the zip."""
    name = file.name
    inner = name[: -len(".zip")]
    try:
        archive = zipfile.ZipFile(file.path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise TapeError(f"{name}: not a readable zip ({_why(exc)}); expected Bybit's {inner} inside") from None
    with archive:
        names = archive.namelist()
        if names != [inner]:
            raise TapeError(f"{name}: expected one file {inner} inside, found {', '.join(names) or 'none'}")
        try:
            with archive.open(inner) as raw:
                yield from book_lines(file, io.TextIOWrapper(raw, encoding="utf-8", newline="\n"))
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise TapeError(f"{name}: the zip is damaged or cut short ({_why(exc)})") from None


def book_lines(file: TapeFile, lines: Iterator[str], *, what: str = "line") -> Iterator[BookFrame]:
    """The frames of ``orderbook.{depth}.{symbol}`` messages, one a line, checked for gaps in ``u``."""
    topic = f"orderbook.{file.depth}.{file.symbol}"
    u_before: int | None = None
    for line, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        where = f"{file.name} {what} {line}"
        frame = _book_frame(file, text, line, topic, where)
        if frame.kind == "delta":
            if u_before is None:
                raise TapeError(f"{where}: a delta before any snapshot")
            if frame.u != u_before + 1:
                raise TapeError(f"{where}: u jumps from {u_before} to {frame.u} (a gap in the {what}s)")
        u_before = frame.u
        yield frame


def _book_frame(file: TapeFile, text: str, line: int, topic: str, where: str) -> BookFrame:
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TapeError(f"{where}: not a JSON orderbook frame ({exc.msg} at column {exc.colno})") from None
    if not isinstance(message, dict) or not isinstance(message.get("data"), dict):
        raise TapeError(f"{where}: expected a v5 orderbook message with a data object")
    if message.get("topic") != topic:
        raise TapeError(f"{where}: topic {message.get('topic')!r}, but the file name says {topic}")
    kind, data = message.get("type"), message["data"]
    if kind not in ("snapshot", "delta"):
        raise TapeError(f"{where}: type must be snapshot or delta, got {kind!r}")
    bids, asks, u, ts = data.get("b"), data.get("a"), data.get("u"), message.get("ts")
    if not isinstance(bids, list) or not isinstance(asks, list) or type(u) is not int or type(ts) is not int:
        raise TapeError(f"{where}: expected data.b, data.a (lists), data.u and ts (integers)")
    return BookFrame(ts, kind, bids, asks, u, int(data.get("seq") or 0), line, file.symbol)


def _why(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
