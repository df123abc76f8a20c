"""Replay a Parquet recording through the simulator's public WebSocket, at 1x to 100x.

The recording's frames go out as recorded (the same text, original
timestamps), paced by their receive times divided by ``speed``. For each
topic the source also rebuilds the state a client would hold (the book, the
merged linear ticker), so that a client subscribing mid-replay first gets a
snapshot of that state with the current ``u`` and then the recorded deltas,
and so that ``/sim/truth/book`` works as with the live market.

Pausing the market (``/sim/market``) pauses the tape. At the end the recording starts again; book
``u`` values are shifted on each pass so that they keep increasing by one (the pass starts with the recorded
snapshot). The ``gap``, ``duplicate``, ``reorder`` and ``reset`` faults act on
replayed book streams too.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Any

from ..protocol.codec import decode, encode
from ..protocol.topics import Topic, TopicError, parse_topic
from .engine.errors import SimError
from .live import refuse
from .recording import Recording, load_recording
from .streams import PushContext

__all__ = ["ReplaySource", "Replay", "MIN_SPEED", "MAX_SPEED"]

MIN_SPEED = 1.0
MAX_SPEED = 100.0
_KEPT = 1000  # recent trades and candles kept per topic for the REST market endpoints


class _State:
    """What a client of one recorded topic holds; ``pending`` = frames released this tick."""

    def __init__(self, category: str, topic: Topic) -> None:
        self.category = category
        self.topic = topic
        self.pending: list[str] = []
        self.last_frame: str | None = None
        # books
        self.bids: dict[str, str] = {}
        self.asks: dict[str, str] = {}
        self.u: int | None = None
        self.u_recorded: int | None = None
        self.seq: int | None = None
        self.u_offset = 0
        self._pass_span = 0  # u span of one pass, to shift the next
        self._first_u: int | None = None
        # linear tickers
        self.ticker: dict[str, Any] = {}
        # publicTrade and kline, for REST
        self.trades: deque[dict[str, Any]] = deque(maxlen=_KEPT)
        self.candles: dict[int, dict[str, Any]] = {}

    def release(self, text: str) -> None:
        kind = self.topic.kind
        if kind == "orderbook":
            text = self._apply_book(text)
        elif kind == "tickers":
            message = decode(text)
            if message.get("type") == "snapshot":
                self.ticker = dict(message["data"])
            else:
                self.ticker.update(message["data"])
        elif kind == "publicTrade":
            self.trades.extend(decode(text).get("data", ()))
        elif kind == "kline":
            for candle in decode(text).get("data", ()):
                self.candles[candle["start"]] = candle
            if len(self.candles) > _KEPT:
                for start in sorted(self.candles)[:-_KEPT]:
                    del self.candles[start]
        self.last_frame = text
        self.pending.append(text)

    def _apply_book(self, text: str) -> str:
        message = decode(text)
        data = message["data"]
        u_rec = int(data["u"])
        if self._first_u is None:
            self._first_u = u_rec
        if message.get("type") == "snapshot":
            self.bids = dict(data.get("b", ()))
            self.asks = dict(data.get("a", ()))
        else:
            for side, levels in ((self.bids, data.get("b", ())), (self.asks, data.get("a", ()))):
                for price, size in levels:
                    if float(size) == 0:
                        side.pop(price, None)
                    else:
                        side[price] = size
        self.u_recorded = u_rec
        self.u = u_rec + self.u_offset
        self.seq = data.get("seq")
        if self.u_offset:
            data["u"] = self.u
            text = encode(message).decode()
        return text

    def new_pass(self) -> None:
        """The recording starts over: shift ``u`` so that it keeps increasing by one."""
        if self.topic.kind == "orderbook" and self.u is not None and self._first_u is not None:
            self.u_offset = self.u + 1 - self._first_u
        self.ticker = {}

    def reset_u(self) -> None:
        """A ``reset`` fault: the current book becomes ``u=1``, later frames follow from there."""
        if self.u_recorded is not None:
            self.u_offset = 1 - self.u_recorded
            self.u = 1

    def book_lists(self, depth: int | None = None) -> tuple[list[list[str]], list[list[str]]]:
        bids = sorted(self.bids.items(), key=lambda level: float(level[0]), reverse=True)
        asks = sorted(self.asks.items(), key=lambda level: float(level[0]))
        depth = depth or self.topic.depth or len(bids)
        return [list(b) for b in bids[:depth]], [list(a) for a in asks[:depth]]

    def snapshot_frame(self, ctx: PushContext) -> str | None:
        kind = self.topic.kind
        if kind == "orderbook":
            if self.u is None:
                return None
            bids, asks = self.book_lists()
            return encode(
                {
                    "topic": self.topic.name,
                    "type": "snapshot",
                    "ts": ctx.now_ms,
                    "data": {"s": self.topic.symbol, "b": bids, "a": asks, "u": self.u, "seq": self.seq},
                    "cts": ctx.cts,
                }
            ).decode()
        if kind == "tickers" and self.category != "spot":
            if not self.ticker:
                return None
            return encode(
                {"topic": self.topic.name, "type": "snapshot", "data": self.ticker, "cs": ctx.seq, "ts": ctx.now_ms}
            ).decode()
        if kind in ("tickers", "kline"):
            return self.last_frame
        return None


class Replay:
    """The clock of a replay: which rows are due, pass after pass."""

    def __init__(self, recording: Recording, speed: float) -> None:
        if not len(recording):
            raise ValueError("the recording is empty")
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"replay speed must be between {MIN_SPEED:g} and {MAX_SPEED:g}, got {speed!r}")
        self.recording = recording
        self.speed = speed
        self.states: dict[tuple[str, str], _State] = {}
        for category, name in recording.topics():
            self.states[(category, name)] = _State(category, parse_topic(name, category))
        self._t0 = recording.t_ms[0]
        self._span_ms = recording.t_ms[-1] - self._t0 + 1
        self._started: float | None = None
        self._paused_at: float | None = None
        self._next = 0
        self.passes = 0

    def set_paused(self, paused: bool) -> None:
        """Stop or resume the tape: paused time does not count towards the recording's clock."""
        now = time.monotonic()
        if paused and self._paused_at is None:
            self._paused_at = now
        elif not paused and self._paused_at is not None:
            if self._started is not None:
                self._started += now - self._paused_at
            self._paused_at = None

    def tick(self) -> None:
        """Release every row whose (scaled) time has come."""
        for state in self.states.values():
            if state.pending:
                state.pending = []
        if self._paused_at is not None:
            return
        now = time.monotonic()
        if self._started is None:
            self._started = now
        elapsed_ms = (now - self._started) * 1000 * self.speed
        rec = self.recording
        while True:
            if self._next >= len(rec):
                self._started += self._span_ms / 1000 / self.speed
                elapsed_ms -= self._span_ms
                self._next = 0
                self.passes += 1
                for state in self.states.values():
                    state.new_pass()
            i = self._next
            if rec.t_ms[i] - self._t0 > elapsed_ms:
                return
            self.states[(rec.category[i], rec.topic[i])].release(rec.frame[i])
            self._next = i + 1


class _ReplayStream:
    """A subscribed recorded topic: this tick's released frames, with sequence faults applied."""

    period = 1

    def __init__(self, state: _State) -> None:
        self.state = state
        self.category = state.category
        self.name = state.topic.name
        self._fault: str | None = None
        self._held: str | None = None

    @property
    def u(self) -> int | None:
        return self.state.u

    @property
    def pushed(self) -> bool:
        return self.state.u is not None

    def produce(self, ctx: PushContext, fault: str | None) -> list[str]:
        if fault is not None:
            self._fault = fault
        frames = list(self.state.pending)
        if not frames:
            return []
        if self._fault is not None and self.state.topic.kind == "orderbook":
            fault, self._fault = self._fault, None
            if fault == "reset":  # the book as of now becomes u=1; this tick's frames are superseded
                self.state.reset_u()
                snapshot = self.state.snapshot_frame(ctx)
                frames = [snapshot] if snapshot else []
            elif fault == "gap":
                frames = frames[1:]
            elif fault == "duplicate":
                frames.insert(0, frames[0])
            elif len(frames) >= 2:  # reorder within this tick
                frames[0], frames[1] = frames[1], frames[0]
            else:  # reorder across ticks: deliver after the next frame
                self._held = frames.pop()
                return []
        if self._held is not None:
            frames.insert(1, self._held)
            self._held = None
        return frames

    def join(self, ctx: PushContext) -> list[str]:
        frame = self.state.snapshot_frame(ctx)
        return [frame] if frame else []

    def truth(self) -> dict[str, Any]:
        bids, asks = self.state.book_lists()
        return {"topic": self.name, "u": self.state.u, "seq": self.state.seq, "b": bids, "a": asks}


class ReplaySource:
    """A :class:`~bybit_widgets.sim.hub.StreamSource` serving the topics of a recording."""

    def __init__(self, recording: Recording, speed: float = 1.0) -> None:
        self.replay = Replay(recording, speed)

    @classmethod
    def from_file(cls, path: str | Path, speed: float = 1.0) -> ReplaySource:
        """Replay a recording: one ``.parquet`` file, or a dataset directory (its root or one ``symbol=`` folder).

        A dataset's parts are merged by ``t_ms`` when loaded (:func:`~.recording.load_recording`), so
        its symbols replay together on one clock, as recorded.
        """
        return cls(load_recording(path), speed)

    def check(self, category: str, name: str) -> Topic:
        state = self.replay.states.get((category, name))
        if state is None:
            try:
                parse_topic(name, category)
            except TopicError as exc:
                raise refuse(name, exc.ret_msg) from None
            raise refuse(name, "not in this recording")
        return state.topic

    def make_stream(self, category: str, topic: Topic, u_start: int) -> _ReplayStream:
        return _ReplayStream(self.replay.states[(category, topic.name)])

    def truth_book(self, category: str, symbol: str, depth: int) -> dict[str, Any]:
        state = self.replay.states.get((category, f"orderbook.{depth}.{symbol}"))
        if state is None:
            raise ValueError(f"orderbook.{depth}.{symbol} ({category}) is not in this recording")
        bids, asks = state.book_lists()
        return {"u": state.u, "seq": state.seq, "b": bids, "a": asks}

    # -- REST market endpoints from the recording ---------------------------------------------------
    def rest_public(self, path: str, params: dict, now_ms: int) -> dict[str, Any] | None:
        """Answer a public REST call from the replayed state, or ``None`` to let the engine answer.

        A recorded symbol's book, ticker, recent trades and candles come from
        the recording, so a widget that loads history over REST sees the same
        market as the stream; anything not recorded falls through.
        """
        category = params.get("category", "linear")
        symbol = params.get("symbol")
        if not isinstance(symbol, str):
            return None
        states = self.replay.states
        if path == "/v5/market/orderbook":
            books = [
                st
                for (c, _), st in states.items()
                if c == category and st.topic.kind == "orderbook" and st.topic.symbol == symbol and st.u is not None
            ]
            if not books:
                return None
            state = max(books, key=lambda st: st.topic.depth or 0)
            bids, asks = state.book_lists(_limit(params, 1 if category == "spot" else 25, 1000))
            return {"s": symbol, "b": bids, "a": asks, "ts": now_ms, "u": state.u, "seq": state.seq, "cts": now_ms}
        if path == "/v5/market/tickers":
            state = states.get((category, f"tickers.{symbol}"))
            if state is None or not state.ticker:
                return None
            return {"category": category, "list": [dict(state.ticker)]}
        if path == "/v5/market/recent-trade":
            state = states.get((category, f"publicTrade.{symbol}"))
            if state is None:
                return None
            limit = _limit(params, 60, 60) if category == "spot" else _limit(params, 500, 1000)
            trades = list(state.trades)[-limit:][::-1]
            return {
                "category": category,
                "list": [
                    {
                        "execId": t["i"],
                        "symbol": t["s"],
                        "price": t["p"],
                        "size": t["v"],
                        "side": t["S"],
                        "time": str(t["T"]),
                        "isBlockTrade": t.get("BT", False),
                        "isRPITrade": t.get("RPI", False),
                        "seq": str(t.get("seq", "")),
                    }
                    for t in trades
                ],
            }
        if path == "/v5/market/kline":
            state = states.get((category, f"kline.{params.get('interval')}.{symbol}"))
            if state is None:
                return None
            start, end = _ms(params, "start"), _ms(params, "end")
            rows = []
            for begin in sorted(state.candles, reverse=True):
                if (end is not None and begin > end) or (start is not None and begin < start):
                    continue
                c = state.candles[begin]
                rows.append([str(c["start"]), c["open"], c["high"], c["low"], c["close"], c["volume"], c["turnover"]])
                if len(rows) == _limit(params, 200, 1000):
                    break
            return {"category": category, "symbol": symbol, "list": rows}
        return None


def _limit(params: dict, default: int, top: int) -> int:
    text = params.get("limit")
    if text is None:
        return default
    if not str(text).isdigit() or not 1 <= int(text) <= top:
        raise SimError(10001, f"params error: limit must be an integer in [1, {top}], got {text!r}")
    return int(text)


def _ms(params: dict, name: str) -> int | None:
    text = params.get(name)
    if text is None:
        return None
    if not str(text).isdigit():
        raise SimError(10001, f"params error: {name} must be a timestamp in ms, got {text!r}")
    return int(text)
