"""One accepted WebSocket and its outbound queue.

Frames are computed once per topic and handed to every subscriber's
:class:`Connection` as the same ``str``; a connection only appends to its
queue (no awaiting, no per-client encoding), and its own writer task drains
the queue to the socket. A slow client therefore never delays the market
loop or other clients; one that falls too far behind is disconnected, as
Bybit drops consumers that cannot keep up. All frames, replies included, go
through the queue, so a subscribe reply always precedes its snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import deque
from itertools import count
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..protocol.codec import encode
from .tasks import spawn

__all__ = ["Connection", "CLOSE_GOING_AWAY", "CLOSE_POLICY"]

log = logging.getLogger("bybit_widgets.sim")

CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
_ids = count(1)


def new_conn_id() -> str:
    """An id shaped like Bybit's (``d9jhogatbetvf6evjmc0-8eoj``)."""
    return f"{secrets.token_hex(10)}-{next(_ids):04x}"


class Connection:
    """An accepted socket of one ``kind`` (public, private or trade) with its writer task."""

    def __init__(self, websocket: WebSocket, kind: str, *, max_queue: int = 20_000, idle_s: float = 600.0) -> None:
        self.websocket = websocket
        self.kind = kind
        self.conn_id = new_conn_id()
        self.max_queue = max_queue
        self.idle_s = idle_s
        self.last_activity = time.monotonic()
        self.closed = False
        self.close_code = 1000
        self.close_reason = ""
        self._queue: deque[str] = deque()
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._writer = spawn(self._write_loop(), f"sim-writer-{self.conn_id}")

    def send(self, frame: str) -> None:
        """Queue one frame (never blocks). Over ``max_queue`` the client is too slow: drop it."""
        if self.closed:
            return
        queue = self._queue
        if len(queue) >= self.max_queue:
            log.warning(
                "sim: %s connection %s fell %d frames behind; disconnecting", self.kind, self.conn_id, len(queue)
            )
            self.close(CLOSE_POLICY, "too slow: send queue overflow")
            return
        queue.append(frame)
        if len(queue) == 1:
            self._wake.set()

    def send_obj(self, obj: Any) -> None:
        self.send(encode(obj).decode())

    def touch(self) -> None:
        """Note activity from the client (any message, ping included)."""
        self.last_activity = time.monotonic()

    def close(self, code: int = CLOSE_GOING_AWAY, reason: str = "") -> None:
        """Close after nothing more is sent: pending frames are discarded, the close frame goes next."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._queue.clear()
        self.close_reason = reason
        self._wake.set()

    async def _write_loop(self) -> None:
        send = self.websocket.send
        queue = self._queue
        try:
            while not self.closed:
                if not queue:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                frame = queue.popleft()
                await send({"type": "websocket.send", "text": frame})
                self.last_activity = time.monotonic()
            await send({"type": "websocket.close", "code": self.close_code, "reason": self.close_reason})
        except (WebSocketDisconnect, OSError, RuntimeError) as exc:
            # The peer went away mid-send (Starlette raises WebSocketDisconnect, uvicorn an OSError,
            # or RuntimeError once the socket is closed): the reader sees the disconnect too.
            log.debug("sim: writer of %s stopped: %r", self.conn_id, exc)
            self.closed = True

    async def stop(self) -> None:
        """Cancel the writer (after the reader saw the socket end)."""
        self.closed = True
        writer = self._writer
        if writer is not None and not writer.done():
            writer.cancel()
            try:
                await writer
            except asyncio.CancelledError:
                pass
