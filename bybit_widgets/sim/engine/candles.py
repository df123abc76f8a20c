"""Klines for every v5 interval, aligned to wall-clock boundaries, built from trades.

The one-minute series is the base: it always exists (with a day of history
the live generator would have printed, ``history.py``, so charts and 24h
statistics are meaningful from the first second) and every other interval is
aggregated from it the first time someone asks, then kept up to date trade by
trade, so a coarse candle is always its minutes' open, extremes, close and
sums. Prices are ticks, volume lots and turnover ``ticks*lots`` units, so sums
are exact integers.
"""

from __future__ import annotations

import calendar
import time
from collections import deque
from dataclasses import dataclass

__all__ = ["Candle", "CandleSeries", "interval_ms", "bucket_start", "bucket_end", "INTERVALS"]

INTERVALS = ("1", "3", "5", "15", "30", "60", "120", "240", "360", "720", "D", "W", "M")
_MINUTE = 60_000
_DAY = 86_400_000
_WEEK_OFFSET = 4 * _DAY  # 1970-01-01 was a Thursday; weeks start on Monday 1970-01-05
_MAX_FILL = 1000  # flat candles created at most when the clock jumps over empty buckets
_KEEP = {"1": 1500}  # closed candles kept per interval (1m: a day and a bit, for 24h statistics)
_KEEP_DEFAULT = 1000


def interval_ms(interval: str) -> int | None:
    """Fixed length of a bucket; ``None`` for months."""
    if interval == "D":
        return _DAY
    if interval == "W":
        return 7 * _DAY
    if interval == "M":
        return None
    return int(interval) * _MINUTE


def bucket_start(interval: str, ts: int) -> int:
    length = interval_ms(interval)
    if length is None:
        tm = time.gmtime(ts // 1000)
        return calendar.timegm((tm.tm_year, tm.tm_mon, 1, 0, 0, 0)) * 1000
    if interval == "W":
        return (ts - _WEEK_OFFSET) // length * length + _WEEK_OFFSET
    return ts // length * length


def bucket_end(interval: str, start: int) -> int:
    """Exclusive end of the bucket starting at ``start``."""
    length = interval_ms(interval)
    if length is not None:
        return start + length
    tm = time.gmtime(start // 1000)
    year, month = (tm.tm_year + 1, 1) if tm.tm_mon == 12 else (tm.tm_year, tm.tm_mon + 1)
    return calendar.timegm((year, month, 1, 0, 0, 0)) * 1000


@dataclass(slots=True)
class Candle:
    start: int
    end: int  # exclusive
    open: int
    high: int
    low: int
    close: int
    volume: int = 0
    turnover: int = 0  # sum of ticks * lots
    closed_at: int = 0

    def add(self, price: int, lots: int) -> None:
        if price > self.high:
            self.high = price
        if price < self.low:
            self.low = price
        self.close = price
        self.volume += lots
        self.turnover += price * lots

    def merge(self, other: Candle) -> None:
        """Fold a later, finer candle into this one."""
        if other.high > self.high:
            self.high = other.high
        if other.low < self.low:
            self.low = other.low
        self.close = other.close
        self.volume += other.volume
        self.turnover += other.turnover


class CandleSeries:
    """Closed candles of one interval (bounded, with an absolute count for cursors) and the forming one."""

    __slots__ = ("interval", "closed", "n_closed", "current")

    def __init__(self, interval: str, current: Candle, closed: list[Candle] | None = None) -> None:
        self.interval = interval
        self.closed: deque[Candle] = deque(closed or (), maxlen=_KEEP.get(interval, _KEEP_DEFAULT))
        self.n_closed = len(self.closed)
        self.current = current

    @classmethod
    def aggregate(cls, interval: str, base: CandleSeries, now: int) -> CandleSeries:
        """Build ``interval`` from the one-minute ``base`` series (its history and forming candle)."""
        candles: list[Candle] = []
        for minute in [*base.closed, base.current]:
            start = bucket_start(interval, minute.start)
            if candles and candles[-1].start == start:
                candles[-1].merge(minute)
            else:
                if candles:
                    candles[-1].closed_at = candles[-1].end
                candles.append(
                    Candle(
                        start,
                        bucket_end(interval, start),
                        minute.open,
                        minute.high,
                        minute.low,
                        minute.close,
                        minute.volume,
                        minute.turnover,
                    )
                )
        series = cls(interval, candles[-1], candles[:-1])
        series.roll(now)
        return series

    def roll(self, now: int) -> int:
        """Close the forming candle if ``now`` is past its end (filling empty buckets flat); returns closes."""
        current = self.current
        if now < current.end:
            return 0
        closes = 0
        while now >= current.end and closes < _MAX_FILL:
            current.closed_at = now
            self.closed.append(current)
            self.n_closed += 1
            closes += 1
            start = current.end
            price = current.close
            current = Candle(start, bucket_end(self.interval, start), price, price, price, price)
        if now >= current.end:  # a jump longer than _MAX_FILL buckets: restart at now
            start = bucket_start(self.interval, now)
            price = current.close
            current = Candle(start, bucket_end(self.interval, start), price, price, price, price)
        self.current = current
        return closes

    def add(self, ts: int, price: int, lots: int) -> None:
        if ts >= self.current.end:
            self.roll(ts)
        self.current.add(price, lots)

    def closed_since(self, cursor: int) -> list[Candle]:
        """Candles closed after absolute position ``cursor`` (at most what is still kept)."""
        missing = self.n_closed - cursor
        if missing <= 0:
            return []
        missing = min(missing, len(self.closed))
        return list(self.closed)[-missing:]
