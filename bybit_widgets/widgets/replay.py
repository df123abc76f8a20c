"""``bw.ReplayControl``: play, pause, step, seek and speed of a replayed market, and its clock."""

from __future__ import annotations

from typing import Any

import traitlets

from ..sim.replay_feed import ReplayFeed
from ..sim.tape.player import MAX_SPEED, MIN_SPEED
from .base import STATIC, LiveWidget, plain_error

__all__ = ["ReplayControl", "SPEEDS"]

SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0)  # the view's choices; any 0.1-100 from Python


class ReplayControl(LiveWidget):
    """The controls of the session's replay (``bw.connect(replay=[FILE, ...])``), beside any other widget.

    The buttons and the seek slider act on the exchange, so every widget of the session (a
    Dashboard, a book, a ticket) follows: a seek sends each book a fresh snapshot. From Python:
    :meth:`play`, :meth:`pause`, :meth:`step`, :meth:`seek` and :meth:`set_speed` (awaitable).
    """

    _esm = STATIC / "replay.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("replay").tag(sync=True)

    state = traitlets.Unicode("").tag(sync=True)  # playing / paused / ended ("" before the first read)
    position_ms = traitlets.Int(0).tag(sync=True)
    start_ms = traitlets.Int(0).tag(sync=True)
    end_ms = traitlets.Int(0).tag(sync=True)
    speed = traitlets.Float(1.0).tag(sync=True)
    speeds = traitlets.List(list(SPEEDS)).tag(sync=True)
    symbols = traitlets.List([]).tag(sync=True)

    default_max_hz = 10.0

    def __init__(self, *, session: Any = None, max_hz: float | None = None) -> None:
        super().__init__(session=session, max_hz=max_hz)
        self._feed = ReplayFeed(getattr(self.session, "exchange", None), self.loop)
        self._bind()

    def _open_feeds(self) -> list[Any]:
        return [self._attach(self._feed)]

    def _render(self) -> None:
        status = self._feed.latest
        if status is None:
            return
        self.state = status["state"]
        self.position_ms, self.start_ms, self.end_ms = status["position_ms"], status["start_ms"], status["end_ms"]
        self.speed = status["speed"]
        self.symbols = list(status.get("symbols", ()))
        self.error = f"the replay stopped: {status['error']}" if status.get("error") else ""

    # -- from Python -----------------------------------------------------------------------------
    async def play(self, speed: float | None = None) -> dict[str, Any]:
        return await self._feed.control("play", speed=speed)

    async def pause(self) -> dict[str, Any]:
        return await self._feed.control("pause")

    async def step(self) -> dict[str, Any]:
        """Exactly one event of the files (a book frame or a trade), then paused."""
        return await self._feed.control("step")

    async def seek(self, to_ms: int) -> dict[str, Any]:
        return await self._feed.control("seek", to_ms=to_ms)

    async def set_speed(self, speed: float) -> dict[str, Any]:
        return await self._feed.control("speed", speed=speed)

    # -- from the view ---------------------------------------------------------------------------
    def _msg_replay(self, content: dict) -> None:
        """A button, the slider or the speed menu: ``{"type": "replay", "action", "to_ms"?, "speed"?}``."""
        action, to_ms, speed = content.get("action"), content.get("to_ms"), content.get("speed")
        if isinstance(to_ms, float) and to_ms.is_integer():
            to_ms = int(to_ms)  # a JS number
        if speed is not None and not (isinstance(speed, int | float) and MIN_SPEED <= speed <= MAX_SPEED):
            raise ValueError(f"speed must be between {MIN_SPEED:g}x and {MAX_SPEED:g}x, got {speed!r}")

        def refused(error: BaseException) -> None:
            self.error = f"{action} refused: {plain_error(error)}"

        self.error = ""
        self._spawn(self._feed.control(str(action), to_ms=to_ms, speed=speed), str(action), refused)
