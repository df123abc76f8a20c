"""The replay of an embedded exchange, watched like a feed: its state and clock, and its controls.

``bw.ReplayControl`` binds one. The exchange runs in this process (``bw.connect(replay=[...])``),
so reading its replay is a call onto the server's loop that answers in well under a millisecond;
it is made off the streams' loop (``asyncio.to_thread``), 4 times a second while anyone watches,
and at once after every control. A failed read turns the feed ``stale`` with the reason in plain
words; the next good read makes it ``live`` again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from ..stream.loop import spawn_on
from ..stream.states import ConnState

__all__ = ["ReplayFeed", "POLL_S"]

POLL_S = 0.25

log = logging.getLogger("bybit_widgets.sim")


class ReplayFeed:
    """``latest``: the exchange's ``replay_status()`` dict (see the module docstring)."""

    kind = "replay"

    def __init__(self, exchange: Any, loop: asyncio.AbstractEventLoop, *, every: float = POLL_S) -> None:
        if not callable(getattr(exchange, "replay_status", None)):
            raise ValueError("this session has no embedded exchange to replay on: use bw.connect(replay=[FILE, ...])")
        self.exchange = exchange
        self.every = every
        self.latest: dict[str, Any] | None = None
        self.state: str = ConnState.CONNECTING
        self.state_reason = "reading the replay"
        self.closed = False
        self._listeners: list[Callable[[Any], None]] = []
        self._state_listeners: list[Callable[[str, str], None]] = []
        self._task = spawn_on(loop, self._watch())

    @property
    def exchange_ts(self) -> int | None:
        """The replay's position: the tape time the widget shows."""
        return None if self.latest is None else self.latest.get("position_ms")

    # -- listeners (the Feed interface the widgets bind) -----------------------------------------
    def on(self, fn: Callable[[Any], None]) -> Callable[[], None]:
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def on_state(self, fn: Callable[[str, str], None]) -> Callable[[], None]:
        self._state_listeners.append(fn)
        return lambda: self._state_listeners.remove(fn) if fn in self._state_listeners else None

    # -- reading and control -----------------------------------------------------------------------
    async def _watch(self) -> None:
        while not self.closed:
            await self.refresh()
            await asyncio.sleep(self.every)

    async def refresh(self) -> None:
        try:
            status = await asyncio.to_thread(self.exchange.replay_status)
        except (ValueError, RuntimeError) as exc:  # no replay, or the exchange stopped: say so, keep watching
            self._set_state(ConnState.STALE, str(exc))
            return
        self._publish(status)

    async def control(self, action: str, *, to_ms: int | None = None, speed: float | None = None) -> dict[str, Any]:
        """``play``, ``pause``, ``step``, ``seek`` or ``speed``; the new state. ``ValueError`` in plain words."""
        status = await asyncio.to_thread(self.exchange.replay_control, action, to_ms, speed)
        self._publish(status)
        return status

    def _publish(self, status: dict[str, Any]) -> None:
        changed = status != self.latest
        self.latest = status
        self._set_state(ConnState.LIVE, "")
        if changed:
            for fn in list(self._listeners):
                fn(self)

    def _set_state(self, state: str, reason: str) -> None:
        if (state, reason) == (self.state, self.state_reason):
            return
        self.state, self.state_reason = state, reason
        for fn in list(self._state_listeners):
            fn(state, reason)

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(RuntimeError):  # the loop may be gone already
            self._task.cancel()
