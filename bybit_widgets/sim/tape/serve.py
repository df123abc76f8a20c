"""A tape served by the exchange: the player's events moved into its markets on the replay clock.

:class:`TapeReplay` owns a :class:`~.player.TapePlayer` and a :class:`~.player.ReplayClock` and
makes one :class:`~.market.TapeMarket` per replayed symbol (the exchange builds its markets
through :meth:`TapeReplay.make_market`). On every market tick of the server, :meth:`tick` hands the
events up to the clock's position to those markets; the exchange's clock is the tape's
(:meth:`now_ms`), so trades, candles, tickers and frame times are history's own.

Control (``POST /sim/replay``, :meth:`control`): ``play``, ``pause``, ``step`` (exactly one event,
a book frame or a trade, then paused at its time), ``seek`` (``to_ms``; the books as of that time,
a fresh snapshot on every book stream, and the last ``RECALL`` trades before it as the market's
recent past: the REST tape, the last price and the candles, never pushed on a stream) and ``speed``
(0.1x to 100x; ``speed`` may also come with any other action). Bybit's files and the project's
Parquet recordings (:mod:`.recorded`) play alike, several at once, merged on time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..engine.instruments import Instrument, SymbolSpec, default_symbols
from ..engine.market import Market
from .files import BookFrame, TapeError, identify
from .market import TapeMarket
from .player import ReplayClock, TapePlayer

__all__ = ["TapeReplay", "ACTIONS"]

ACTIONS = ("play", "pause", "step", "seek", "speed")
RECALL = 10_000  # trades before a seek kept as its recent past: the REST tape and the candles (see TapeMarket.recall)

log = logging.getLogger("bybit_widgets.sim")


class TapeReplay:
    """History files played into the exchange's markets (see the module docstring)."""

    def __init__(
        self,
        paths: Sequence[str | Path],
        *,
        speed: float = 1.0,
        paused: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.player = TapePlayer([identify(path) for path in paths])
        try:
            self.specs = [_spec_of(symbol) for symbol in self.player.symbols]
            self._monotonic = monotonic
            self.clock = ReplayClock(
                self.player.start_ms, self.player.end_ms, now=monotonic(), speed=speed, paused=paused
            )
        except BaseException:
            self.player.close()
            raise
        self.position_ms = self.player.start_ms
        self.markets: dict[str, TapeMarket] = {}
        self.on_seek: Callable[[], None] = _nothing  # the server re-snapshots its book streams
        self.on_events: Callable[[], None] = _nothing  # the exchange settles user fills
        self.events = 0
        self.error: str | None = None  # why the replay stopped on a line it could not serve

    # -- wiring -------------------------------------------------------------------------------------
    def make_market(self, inst: Instrument, seed: int, now_ms: int) -> Market:
        """The exchange's market factory: tape markets for the replayed symbols."""
        market = TapeMarket(inst, seed, now_ms)
        self.markets[inst.symbol] = market
        return market

    def now_ms(self) -> int:
        """The exchange's clock: the tape time up to which the markets hold history."""
        return self.position_ms

    def close(self) -> None:
        self.player.close()

    # -- time ---------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Move the markets to the clock's position."""
        now = self._monotonic()
        if self.clock.state(now) == "paused" and self.events:  # the first tick shows the opening book
            return  # after a step too: the events sharing its time wait
        position = self.clock.position(now)
        self._apply(self.player.advance(position))
        self.position_ms = max(self.position_ms, position)

    def set_paused(self, paused: bool) -> None:
        if paused:
            self.clock.pause(self._monotonic())
        else:
            self.clock.play(self._monotonic())

    def _apply(self, events: list[Any]) -> None:
        if not events:
            return
        try:
            for event in events:
                market = self.markets[event.symbol]
                if isinstance(event, BookFrame):
                    market.apply(event)
                else:
                    market.print_trade(event)
                self.events += 1
        except TapeError as exc:  # a line the exchange cannot hold: stop there, say why, lose nothing before it
            self.error = f"{getattr(event, 'line', None) and f'line {event.line}: '}{exc}"
            self.clock.hold_at(event.t_ms, self._monotonic())
            log.error("replay stopped: %s", self.error)
        finally:
            self.on_events()

    # -- control ------------------------------------------------------------------------------------
    def control(self, body: Any) -> dict[str, Any]:
        """One ``POST /sim/replay`` body; ``ValueError`` in plain words for a bad one. Returns :meth:`status`."""
        if not isinstance(body, dict) or body.get("action") not in ACTIONS:
            raise ValueError(f'expected {{"action": one of {", ".join(ACTIONS)}}} (with "to_ms" to seek)')
        unknown = set(body) - {"action", "to_ms", "speed"}
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}; expected action, to_ms, speed")
        action, now = body["action"], self._monotonic()
        if action == "speed" and "speed" not in body:
            raise ValueError('"speed" needs a speed, e.g. {"action": "speed", "speed": 10}')
        if "speed" in body:
            self.clock.set_speed(body["speed"], now)
        if action == "play":
            self.tick()
            self.clock.play(now)
        elif action == "pause":
            self.tick()
            self.clock.pause(now)
        elif action == "step":
            self.step()
        elif action == "seek":
            if "to_ms" not in body:
                raise ValueError('"seek" needs "to_ms", a time in ms within the tape')
            self.seek(body["to_ms"])
        return self.status()

    def step(self) -> None:
        """Exactly one event (a book frame or a trade), then paused at its time."""
        self.tick()
        event = self.player.step()
        now = self._monotonic()
        if event is None:
            self.clock.hold_at(self.player.end_ms, now)
            self.position_ms = self.player.end_ms
            return
        self.clock.hold_at(event.t_ms, now)
        self.position_ms = max(self.position_ms, event.t_ms)
        self._apply([event])

    def seek(self, to_ms: int) -> None:
        """The books as of ``to_ms``; playing or paused stays as it was."""
        position = self.clock.seek(to_ms, self._monotonic())
        books = self.player.seek(position)
        for symbol, market in self.markets.items():
            market.recall(self.player.trades_before(symbol, position, RECALL), position)
            book = books.get(symbol)
            if book is not None:
                market.load(book)
        self.position_ms = position
        self.on_events()
        self.on_seek()

    def status(self) -> dict[str, Any]:
        now = self._monotonic()
        return {
            "state": self.clock.state(now),
            "position_ms": self.position_ms,
            "start_ms": self.player.start_ms,
            "end_ms": self.player.end_ms,
            "speed": self.clock.speed,
            "symbols": list(self.player.symbols),
            "events": self.events,
            "error": self.error,
        }


def _spec_of(symbol: str) -> SymbolSpec:
    specs = {s.symbol: s for s in default_symbols() if s.category == "linear"}
    spec = specs.get(symbol)
    if spec is None:
        raise TapeError(
            f"{symbol}: the embedded exchange has no linear instrument for it (it lists {', '.join(sorted(specs))})"
        )
    return spec


def _nothing() -> None:
    """Default hook: nothing to do."""
