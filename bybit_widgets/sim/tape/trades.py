"""An index of a trade dump: its rows oldest first in a spool file, with offsets by time for a seek.

Decision: the dump is read once into a spool (one JSON row per line, in a temporary directory)
with an offset every ``every`` rows, so a seek reads at most that many rows. A dump whose rows
run newest first is turned around on the way, by reading the spool backwards in blocks, so memory
stays a block and the offsets whichever order Bybit wrote the day in. Rows out of order within a
file (a later row older than an earlier one, in either direction) are refused with their line.
"""

from __future__ import annotations

import bisect
import json
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .files import TapeError, TapeFile, Trade, read_trades
from .recorded import read_recorded_trades

__all__ = ["TradeIndex"]

_BLOCK = 1 << 16


class TradeIndex:
    """One pass over a trade dump (see the module docstring); ``at(t)`` the trades after ``t``."""

    def __init__(self, file: TapeFile, *, every: int = 5_000) -> None:
        self.file = file
        self.every = every
        self._dir = tempfile.TemporaryDirectory(prefix="bw-tape-")
        self.spool = Path(self._dir.name) / (file.name + ".spool")
        self.rows = 0
        self.first_ms = self.last_ms = 0
        self.descending = False
        self._times: list[int] = []
        self._offsets: list[int] = []
        self._build()

    def _build(self) -> None:
        raw = Path(self._dir.name) / "as-read"
        direction = 0
        previous: int | None = None
        with raw.open("wb") as out:
            for trade in (read_recorded_trades if self.file.recorded else read_trades)(self.file):
                if previous is not None and trade.t_ms != previous:
                    step = 1 if trade.t_ms > previous else -1
                    if direction and step != direction:
                        order = "oldest first" if direction > 0 else "newest first"
                        raise TapeError(f"{self.file.name}: rows out of time order in a file that runs {order}")
                    direction = step
                previous = trade.t_ms
                out.write(_encode(trade))
                self.rows += 1
        if not self.rows:
            raise TapeError(f"{self.file.name}: no trades inside")
        self.descending = direction < 0
        if self.descending:
            with raw.open("rb") as src, self.spool.open("wb") as dst:
                for line in _backwards(src):
                    dst.write(line)
            raw.unlink()
        else:
            os.replace(raw, self.spool)
        self._index()

    def _index(self) -> None:
        with self.spool.open("rb") as spool:
            offset = 0
            for n, line in enumerate(spool):
                t_ms = json.loads(line)[0]
                if n == 0:
                    self.first_ms = t_ms
                if n % self.every == 0:
                    self._times.append(t_ms)
                    self._offsets.append(offset)
                offset += len(line)
                self.last_ms = t_ms

    def at(self, t_ms: int) -> Iterator[Trade]:
        """The trades later than ``t_ms``, oldest first (reads at most ``every`` rows to find the first)."""
        i = max(0, bisect.bisect_left(self._times, t_ms) - 1)
        spool = self.spool.open("rb")
        spool.seek(self._offsets[i])
        return _after(spool, t_ms)

    def before(self, t_ms: int, count: int) -> list[Trade]:
        """The last ``count`` trades at or before ``t_ms``, oldest first (reads at most ``count + 2 * every`` rows)."""
        if count <= 0:
            return []
        found = bisect.bisect_right(self._times, t_ms) - 1
        if found < 0:
            return []
        first = max(0, found - -(-count // self.every))
        kept: deque[bytes] = deque(maxlen=count)
        with self.spool.open("rb") as spool:
            spool.seek(self._offsets[first])
            for line in spool:
                if int(line[1 : line.index(b",")]) > t_ms:  # a row starts "[t_ms,": decode only the rows kept
                    break
                kept.append(line)
        return [Trade(*json.loads(line)) for line in kept]

    def close(self) -> None:
        self._dir.cleanup()


def _encode(trade: Trade) -> bytes:
    row = [trade.t_ms, trade.symbol, trade.side, trade.size, trade.price, trade.trade_id, trade.tick_direction]
    return (json.dumps(row) + "\n").encode()


def _after(spool: IO[bytes], t_ms: int) -> Iterator[Trade]:
    with spool:
        for line in spool:
            row = json.loads(line)
            if row[0] > t_ms:
                yield Trade(*row)


def _backwards(src: IO[bytes]) -> Iterator[bytes]:
    """The lines of ``src`` (each ending in a newline) last first, reading blocks from the end."""
    src.seek(0, os.SEEK_END)
    end = src.tell()
    tail = b""
    while end > 0:
        start = max(0, end - _BLOCK)
        src.seek(start)
        chunk = src.read(end - start) + tail
        end = start
        lines = chunk.split(b"\n")
        tail = lines[0]  # maybe cut: joined with the block before
        for line in reversed(lines[1:]):
            if line:
                yield line + b"\n"
    if tail:
        yield tail + b"\n"
