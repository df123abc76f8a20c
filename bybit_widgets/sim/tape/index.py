"""A replayed order book, and an index of it that makes a seek cost a checkpoint, not the whole file.

:class:`TapeBook` is the book a client of the dump holds: levels by price (text as in the file),
a snapshot replacing them, a delta setting sizes (``"0"`` removes), ``u`` and ``seq`` of the
last frame.

:class:`BookIndex` reads the dump once. Each line goes, as read, into a spool file (the dump
uncompressed, in a temporary directory), and at most every ``every`` frames a checkpoint keeps
the whole book with the spool offset after it. A seek to a time restores the last checkpoint at
or before it and reads on from that offset, so it reads at most ``every`` frames however far the
seek goes, in either direction. Memory is the checkpoints: when there are more than
``max_checkpoints``, every other one goes and ``every`` doubles, so a day-sized file keeps at most
that many books (about 40 KB each for 500 levels a side), and the spool is on disk.
"""

from __future__ import annotations

import bisect
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .files import BookFrame, TapeError, TapeFile, read_book
from .recorded import read_recorded_book

__all__ = ["TapeBook", "BookIndex", "Checkpoint"]


class TapeBook:
    """Levels of both sides by price text, as a client applying the dump holds them."""

    __slots__ = ("bids", "asks", "u", "seq", "t_ms")

    def __init__(self) -> None:
        self.bids: dict[str, str] = {}
        self.asks: dict[str, str] = {}
        self.u = 0
        self.seq = 0
        self.t_ms = 0

    def apply(self, frame: BookFrame) -> None:
        if frame.kind == "snapshot":
            self.bids = {p: q for p, q in frame.bids}
            self.asks = {p: q for p, q in frame.asks}
        else:
            for side, levels in ((self.bids, frame.bids), (self.asks, frame.asks)):
                for price, size in levels:
                    if float(size) == 0:
                        side.pop(price, None)
                    else:
                        side[price] = size
        self.u, self.seq, self.t_ms = frame.u, frame.seq, frame.t_ms

    def top(self, depth: int) -> tuple[list[list[str]], list[list[str]]]:
        """The best ``depth`` levels a side, best first."""
        bids = sorted(self.bids.items(), key=lambda level: float(level[0]), reverse=True)[:depth]
        asks = sorted(self.asks.items(), key=lambda level: float(level[0]))[:depth]
        return [list(level) for level in bids], [list(level) for level in asks]

    def copy(self) -> TapeBook:
        twin = TapeBook()
        twin.bids, twin.asks = dict(self.bids), dict(self.asks)
        twin.u, twin.seq, twin.t_ms = self.u, self.seq, self.t_ms
        return twin


@dataclass(frozen=True, slots=True)
class Checkpoint:
    t_ms: int
    frames: int  # frames applied up to and including this point
    offset: int  # spool offset of the next frame
    book: TapeBook


class BookIndex:
    """One pass over a book dump: its spool, checkpoints, first and last times (see the module docstring)."""

    def __init__(self, file: TapeFile, *, every: int = 2_000, max_checkpoints: int = 128) -> None:
        if max_checkpoints < 4 or max_checkpoints % 2:
            raise ValueError(f"max_checkpoints must be an even number of at least 4, got {max_checkpoints}")
        self.file = file
        self.every = every
        self.max_checkpoints = max_checkpoints
        self._dir = tempfile.TemporaryDirectory(prefix="bw-tape-")
        self.spool = Path(self._dir.name) / f"{file.symbol}.book.spool"
        self.checkpoints: list[Checkpoint] = []
        self.frames = 0
        self.first_ms = self.last_ms = 0
        self._build()

    def _build(self) -> None:
        book = TapeBook()
        since = 0
        with self.spool.open("wb") as out:
            for frame in (read_recorded_book if self.file.recorded else read_book)(self.file):
                out.write(_encode(frame))
                book.apply(frame)
                self.frames += 1
                since += 1
                if self.frames == 1:
                    self.first_ms = frame.t_ms
                    self._keep(Checkpoint(frame.t_ms, 1, out.tell(), book.copy()))
                    since = 0
                elif since >= self.every or frame.kind == "snapshot":
                    self._keep(Checkpoint(frame.t_ms, self.frames, out.tell(), book.copy()))
                    since = 0
                self.last_ms = frame.t_ms
        if not self.frames:
            raise TapeError(f"{self.file.name}: no frames inside")

    def _keep(self, point: Checkpoint) -> None:
        self.checkpoints.append(point)
        if len(self.checkpoints) > self.max_checkpoints:
            self.checkpoints = [self.checkpoints[0], *self.checkpoints[2::2]]
            self.every *= 2

    def at(self, t_ms: int) -> tuple[TapeBook, Iterator[BookFrame]]:
        """The book as of ``t_ms`` (every frame at or before it applied) and the frames after it.

        Reads from the last checkpoint at or before ``t_ms``: at most ``every`` frames to catch up.
        """
        times = [c.t_ms for c in self.checkpoints]
        found = bisect.bisect_right(times, t_ms) - 1
        if found < 0:  # before the first frame: an empty book, every frame still to come
            book, offset = TapeBook(), 0
        else:
            book, offset = self.checkpoints[found].book.copy(), self.checkpoints[found].offset
        spool = self.spool.open("rb")
        spool.seek(offset)
        frames = _decode_from(spool)
        for frame in frames:
            if frame.t_ms > t_ms:
                return book, _chain(frame, frames, spool)
            book.apply(frame)
        spool.close()
        return book, iter(())

    def close(self) -> None:
        self._dir.cleanup()


def _encode(frame: BookFrame) -> bytes:
    row = [frame.t_ms, frame.kind, frame.bids, frame.asks, frame.u, frame.seq, frame.line, frame.symbol]
    return (json.dumps(row) + "\n").encode()


def _decode_from(spool: IO[bytes]) -> Iterator[BookFrame]:
    for line in spool:
        yield BookFrame(*json.loads(line))


def _chain(first: BookFrame, rest: Iterator[BookFrame], spool: IO[bytes]) -> Iterator[BookFrame]:
    try:
        yield first
        yield from rest
    finally:
        spool.close()
